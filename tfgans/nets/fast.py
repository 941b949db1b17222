"""tfgans' own MNIST DCGAN for a good generator in minutes on a CPU (preset ``dcgan-mnist-fast``).

Not a report's table: Radford et al. 2015's nets (arXiv:1511.06434, sec. 3: strided convolutions, batch norm in
the generator but at its output, ReLU in G, leaky ReLU 0.2 in D, tanh output), with kernel 4 and half the width
of the TensorFlow DCGAN tutorial's MNIST nets (32/64 channels), so a step costs a fraction of the report nets'
(``tfgans.nets.sun``: kernel 5, up to 256 channels).

The discriminator has no batch norm: the preset regularises it with R1 (Mescheder et al. 2018), whose
per-example input gradients batch statistics would mix; R1 on it lowered the FID reached in 10 minutes where
removing batch norm alone did not (see ``tfgans.presets``, ``dcgan-mnist-fast``).

With ``num_classes`` the pair is AC-GAN's (Odena et al. 2017, arXiv:1610.09585; preset ``acgan-mnist-fast``):
the generator reads a class off its latent vector (``tfgans.layers.LatentClass``), and the discriminator's last
layer gives the class logits after the real/fake logit, sharing everything before it, as in the paper.

Width 32 was measured against 64 (``benchmarks/time_to_fid.py --only fast --width N``, 20 minutes on one CPU
thread beside another training, so the rates are rough): 3.4x the steps a minute (590 against 170), and FID
45.9 against 63.9 at the end (10,000 samples; the width-64 run sampled a generator average).
"""

from __future__ import annotations

import keras
from keras import layers

from tfgans.layers import LatentClass

__all__ = ["mnist_generator", "mnist_discriminator"]


def mnist_generator(latent_dim: int = 100, width: int = 32, sync_batch_norm: bool = True,
                    num_classes: int = 0) -> keras.Sequential:
    """z -> Dense 7x7x(2 width) -> BN, ReLU -> ConvT width (4, stride 2) -> BN, ReLU -> ConvT 1 (4, stride 2),
    tanh: 28x28x1. With ``num_classes``, z -> [one-hot class of z, z_1..] first (``LatentClass``)."""
    return keras.Sequential(
        [
            keras.Input((latent_dim,)),
            *([LatentClass(num_classes)] if num_classes else []),
            layers.Dense(7 * 7 * 2 * width, use_bias=False),
            layers.BatchNormalization(synchronized=sync_batch_norm),
            layers.ReLU(),
            layers.Reshape((7, 7, 2 * width)),
            layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(synchronized=sync_batch_norm),
            layers.ReLU(),
            layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
        ],
        name="fast_mnist_generator",
    )


def mnist_discriminator(width: int = 32, num_classes: int = 0) -> keras.Sequential:
    """28x28x1 -> Conv width (4, stride 2), leaky ReLU -> Conv 2 width (4, stride 2), leaky ReLU -> Dense 1
    (a logit), or Dense 1 + ``num_classes`` (the logit, then class logits)."""
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(width, 4, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Conv2D(2 * width, 4, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Flatten(),
            layers.Dense(1 + num_classes),
        ],
        name="fast_mnist_discriminator",
    )
