"""Nets of Sun & Yang, "Implementing GAN on MNIST and SVHN" (Columbia University): DCGAN layer tables.

MNIST: section 2.1 (generator 2.1.1, discriminator 2.1.2). SVHN: section 3.1 (the MNIST nets with an
8x8x256 start, 3 output channels and a 32x32x3 input). Hyperparameters (sec. 2.1.3, 3.1.3): batch 256,
Adam lr G 1e-3, D 1e-4, 100 epochs on MNIST, 200 on SVHN; see ``tfgans.presets``.
"""

from __future__ import annotations

import keras
from keras import layers

from tfgans.layers import Dropout

__all__ = ["mnist_generator", "mnist_discriminator", "svhn_generator", "svhn_discriminator"]


def _generator(start, channels, latent_dim, sync_batch_norm, name):
    h, w, c = start
    return keras.Sequential(
        [
            keras.Input((latent_dim,)),
            # First layer: Dense, 100 -> h*w*c, batch norm, leaky ReLU, reshape.
            layers.Dense(h * w * c, use_bias=False),
            layers.BatchNormalization(synchronized=sync_batch_norm),
            layers.LeakyReLU(),
            layers.Reshape((h, w, c)),
            # Second layer: Conv2DTranspose 128, kernel 5, stride 1, same, batch norm, leaky ReLU.
            layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False),
            layers.BatchNormalization(synchronized=sync_batch_norm),
            layers.LeakyReLU(),
            # Third layer: Conv2DTranspose 64, kernel 5, stride 2, same, batch norm, leaky ReLU.
            layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(synchronized=sync_batch_norm),
            layers.LeakyReLU(),
            # Fourth layer: Conv2DTranspose to the image channels, kernel 5, stride 2, same, tanh.
            layers.Conv2DTranspose(channels, 5, strides=2, padding="same", activation="tanh"),
        ],
        name=name,
    )


def _discriminator(image_shape, dropout, name):
    return keras.Sequential(
        [
            keras.Input(image_shape),
            layers.Conv2D(64, 5, strides=2, padding="same"),
            layers.LeakyReLU(),
            Dropout(dropout),
            layers.Conv2D(128, 5, strides=2, padding="same"),
            layers.LeakyReLU(),
            Dropout(dropout),
            layers.Conv2D(256, 5, strides=2, padding="same"),
            layers.LeakyReLU(),
            Dropout(dropout),
            layers.Flatten(),
            # Dense with output 1: a logit; the report applies the logistic function "in future steps",
            # i.e. inside the loss, which is what tfgans.losses does.
            layers.Dense(1),
        ],
        name=name,
    )


def mnist_generator(latent_dim: int = 100, sync_batch_norm: bool = True) -> keras.Sequential:
    """Sun & Yang, sec. 2.1.1 (MNIST generator): z [100] -> Dense 12,544 -> 7x7x256 -> ... -> [28, 28, 1] tanh.

    Rows as in the report: Dense 12,544 + BN + leaky ReLU + reshape 7x7x256; Conv2DTranspose 128 k5 s1;
    Conv2DTranspose 64 k5 s2; Conv2DTranspose 1 k5 s2 tanh; all "same" padding, BN + leaky ReLU between.

    Deviations: the leaky ReLU slope is Keras' default 0.3 (the report names no slope and is a Keras
    implementation); layers followed by batch norm carry no bias (BN's offset replaces it, as in the
    TensorFlow DCGAN tutorial the report follows). ``sync_batch_norm`` makes batch statistics global under
    ``tf.distribute`` so several replicas train like one device on the same global batch.
    """
    return _generator((7, 7, 256), 1, latent_dim, sync_batch_norm, "sun_mnist_generator")


def mnist_discriminator(dropout: float = 0.3) -> keras.Sequential:
    """Sun & Yang, sec. 2.1.2 (MNIST discriminator): [28, 28, 1] -> logit [1].

    Rows: Conv2D 64, 128, 256 (kernel 5, stride 2, same), each leaky ReLU then dropout 0.3; Flatten; Dense 1.
    The report's logistic function is applied inside the loss (``tfgans.losses``), so the net returns logits.
    """
    return _discriminator((28, 28, 1), dropout, "sun_mnist_discriminator")


def svhn_generator(latent_dim: int = 100, sync_batch_norm: bool = True) -> keras.Sequential:
    """Sun & Yang, sec. 3.1.1 (SVHN generator): the MNIST generator with an 8x8x256 start and 3 channels.

    z [100] -> Dense 16,384 -> 8x8x256 -> 8x8x128 -> 16x16x64 -> [32, 32, 3] tanh.
    """
    return _generator((8, 8, 256), 3, latent_dim, sync_batch_norm, "sun_svhn_generator")


def svhn_discriminator(dropout: float = 0.3) -> keras.Sequential:
    """Sun & Yang, sec. 3.1.2 (SVHN discriminator): the MNIST discriminator on [32, 32, 3] inputs."""
    return _discriminator((32, 32, 3), dropout, "sun_svhn_discriminator")
