"""Nets of Zhu, Gu & Liu, "Generating Images via Generative Mode" (seed 000), their CFG-GAN reproduction.

The report trains Johnson & Zhang's DCGAN-style nets (``tfgans.nets.johnson``) with two of its tips: "No
batch normalization in discriminator ... the gradient dD/dG at G(z) shouldn't be affected by other images in
same batch" and "Kaiming Initialization seems work better". The report gives no sizes: widths and depths are
the reference code's (MNIST width 32 on 32x32x1; CIFAR-10, which the reference code has no defaults for, the
SVHN row's width 64 on 32x32x3). The approximator keeps its batch norm.
"""

from __future__ import annotations

import keras

from tfgans.nets import johnson

__all__ = ["mnist_discriminator", "mnist_approximator", "cifar10_discriminator", "cifar10_approximator"]


def mnist_discriminator() -> keras.Sequential:
    """``dcganx_D`` width 32 on 32x32x1, no batch norm, Kaiming-normal kernels."""
    return johnson.dcganx_discriminator(johnson.MNIST_SHAPE, width=32, batch_norm=False, init="kaiming",
                                        name="zhu_mnist_discriminator")


def mnist_approximator(latent_dim: int = 100) -> keras.Sequential:
    """``dcganx_G`` width 32 to 32x32x1, Kaiming-normal kernels."""
    return johnson.dcganx_approximator(latent_dim, johnson.MNIST_SHAPE, width=32, init="kaiming",
                                       name="zhu_mnist_approximator")


def cifar10_discriminator() -> keras.Sequential:
    """``dcganx_D`` width 64 (the reference's SVHN row) on 32x32x3, no batch norm, Kaiming-normal kernels."""
    return johnson.dcganx_discriminator((32, 32, 3), width=64, batch_norm=False, init="kaiming",
                                        name="zhu_cifar10_discriminator")


def cifar10_approximator(latent_dim: int = 100) -> keras.Sequential:
    """``dcganx_G`` width 64 (the reference's SVHN row) to 32x32x3, Kaiming-normal kernels."""
    return johnson.dcganx_approximator(latent_dim, (32, 32, 3), width=64, init="kaiming",
                                       name="zhu_cifar10_approximator")
