"""Nets of Chakkarwar, Arya & Jain, "Image Generation Using Generative Adversarial Networks" (Northeastern).

DCGAN for MNIST: Table 2 (generator) and Table 3 (discriminator). The report's vanilla GAN has no table; it
cites Goodfellow et al. 2014, so ``gan_generator`` / ``gan_discriminator`` are that paper's MLPs
(``tfgans.nets.goodfellow``).

Batch norm: both tables mark "Y" on every row, while the report's text (after Radford et al. 2015) says to
use it "on each layer except the first convolutional and output layers". The output layers follow the text
always: batch-normalising D's single logit makes each batch's mean logit exactly BN's beta in a train step,
so D could not tell an all-real batch from an all-fake one, and a BN before G's tanh fixes the mean of every
generated batch (Radford et al. 2015, sec. 3: "not applying batchnorm to the generator output layer and the
discriminator input layer"). For D's first convolution ``table_batch_norm=True`` (default) follows the
table, ``False`` the text.
"""

from __future__ import annotations

import keras
from keras import layers

from tfgans.nets import goodfellow

__all__ = ["mnist_generator", "mnist_discriminator", "gan_generator", "gan_discriminator"]


def mnist_generator(latent_dim: int = 100, table_batch_norm: bool = True,
                    sync_batch_norm: bool = True) -> keras.Sequential:
    """Chakkarwar et al., Table 2 (DCGAN generator, MNIST): z [100] -> [28, 28, 1] tanh.

    | Operation | Kernel | Strides | Feature maps | BN | Nonlinearity |
    | Linear    | N/A    | N/A     | 128          | Y  | ReLU         |
    | Conv2D    | 5x5    | 2x2     | 64           | Y  | ReLU         |
    | Conv2D    | 5x5    | 2x2     | 1            | Y  | tanh         |

    The table's "Conv2D" rows upsample 7 -> 14 -> 28, i.e. transposed convolutions ("same" padding), and the
    Linear row's 128 feature maps are 7x7x128 (the text: "reshaped into a deep and narrow layer"). The
    tanh output row has no batch norm, as the text says (module docstring); ``table_batch_norm`` is kept for
    the call signature of :func:`mnist_discriminator` and does not change the generator.
    """
    bn = lambda: layers.BatchNormalization(synchronized=sync_batch_norm)  # noqa: E731
    rows = [
        keras.Input((latent_dim,)),
        layers.Dense(7 * 7 * 128, use_bias=False),
        bn(),
        layers.ReLU(),
        layers.Reshape((7, 7, 128)),
        layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False),
        bn(),
        layers.ReLU(),
        layers.Conv2DTranspose(1, 5, strides=2, padding="same"),
        layers.Activation("tanh"),
    ]
    return keras.Sequential(rows, name="chakkarwar_mnist_generator")


def mnist_discriminator(table_batch_norm: bool = True, sync_batch_norm: bool = True) -> keras.Sequential:
    """Chakkarwar et al., Table 3 (DCGAN discriminator, MNIST): [28, 28, 1] -> logit [1].

    | Operation | Kernel | Strides | Feature maps | BN | Nonlinearity |
    | Conv2D    | 5x5    | 2x2     | 64           | Y  | ELU          |
    | Conv2D    | 5x5    | 2x2     | 128          | Y  | ELU          |
    | Linear    | N/A    | N/A     | 1            | Y  | Sigmoid      |

    "same" padding (28 -> 14 -> 7). The Sigmoid row is applied inside the loss, so the net returns logits;
    the output row has no batch norm (the text, not the table: see the module docstring). With
    ``table_batch_norm=False`` the first convolution has none either.
    """
    bn = lambda: layers.BatchNormalization(synchronized=sync_batch_norm)  # noqa: E731
    rows = [keras.Input((28, 28, 1)), layers.Conv2D(64, 5, strides=2, padding="same")]
    if table_batch_norm:
        rows.append(bn())
    rows += [
        layers.ELU(),
        layers.Conv2D(128, 5, strides=2, padding="same"),
        bn(),
        layers.ELU(),
        layers.Flatten(),
        layers.Dense(1),
    ]
    return keras.Sequential(rows, name="chakkarwar_mnist_discriminator")


def gan_generator(latent_dim: int = 100) -> keras.Sequential:
    """The report's vanilla GAN generator: no table given, so Goodfellow et al. 2014's MNIST MLP."""
    return goodfellow.mnist_generator(latent_dim)


def gan_discriminator() -> keras.Sequential:
    """The report's vanilla GAN discriminator: no table given, so Goodfellow et al. 2014's maxout MLP."""
    return goodfellow.mnist_discriminator()
