"""Nets of Salimans et al. 2016, "Improved Techniques for Training GANs" (arXiv:1606.03498), semi-supervised.

The paper gives no layer tables; these follow its public reference code (openai/improved-gan,
``mnist_svhn_cifar10/train_mnist_feature_matching.py`` and ``train_cifar_feature_matching.py``, with the
layers of ``nn.py``), the nets the reproduction study (seed 003, Daw, Elhamod & More) compares against.
Discriminators return K = 10 class logits (the fake class is implicit, see
``tfgans.models.SemiSupervisedGAN``). Weight-normalised layers (``tfgans.normalization``) start from
``data_dependent_init`` as in the reference (``SemiSupervisedGAN.data_init``).
"""

from __future__ import annotations

import keras
from keras import layers

from tfgans.layers import Dropout, GaussianNoise
from tfgans.normalization import WeightNormConv2D, WeightNormConv2DTranspose, WeightNormDense

__all__ = ["mnist_generator", "mnist_discriminator", "cifar10_generator", "cifar10_discriminator"]


def mnist_generator(latent_dim: int = 100, hidden_units: int = 500, sync_batch_norm: bool = True,
                    output_activation: str = "sigmoid") -> keras.Sequential:
    """MNIST generator of the reference code: z [100] ~ U(0, 1) -> [28, 28, 1] in [0, 1].

    Rows (``gen_layers``): Dense 500 -> batch norm -> softplus; Dense 500 -> batch norm -> softplus;
    weight-normalised Dense 784 (trained scale, the reference's ``l2normalize``) -> sigmoid; reshape.

    ``output_activation="softplus"`` is the change the README of the PyTorch port Daw et al. ran names
    (Sleepychord/ImprovedGAN-pytorch, ``Nets.py``: ``F.softplus(self.fc3(x))``; its README: with the sigmoid it
    "suffered from exploding gradients"): outputs in [0, inf) for data in [0, 1], clipped to [0, 1] when drawn.

    As in the reference's ``nn.batch_norm(..., g=None)``: the dense layers lose their bias, batch norm has an
    offset but no scale and epsilon 1e-6, and the nonlinearity comes after it. The output layer's kernel
    is Glorot-uniform (Lasagne's default) and has no data-dependent init. Deviation: the reshape to
    [28, 28, 1] so the images match ``tfgans.data``; ``sync_batch_norm`` keeps batch statistics global under
    ``tf.distribute``.
    """
    if output_activation not in ("sigmoid", "softplus"):
        raise ValueError(f"output_activation={output_activation!r}: pass 'sigmoid' (the reference code's) or "
                         "'softplus' (Sleepychord/ImprovedGAN-pytorch's).")

    def block():
        return [
            layers.Dense(hidden_units, use_bias=False),
            layers.BatchNormalization(scale=False, epsilon=1e-6, momentum=0.9, synchronized=sync_batch_norm),
            layers.Activation("softplus"),
        ]

    return keras.Sequential(
        [
            keras.Input((latent_dim,)),
            *block(),
            *block(),
            WeightNormDense(28 * 28, activation=output_activation, kernel_initializer="glorot_uniform",
                            train_scale=True, data_init=False),
            layers.Reshape((28, 28, 1)),
        ],
        name="salimans_mnist_generator",
    )


def mnist_discriminator(input_noise: float = 0.3, hidden_noise: float = 0.5, num_classes: int = 10) -> keras.Sequential:
    """MNIST discriminator of the reference code: [28, 28, 1] -> [10] class logits.

    Rows (``layers``): Gaussian noise 0.3 on the input; weight-normalised Dense 1000, 500, 250, 250, 250,
    each ReLU then Gaussian noise 0.5; weight-normalised Dense 10 (no nonlinearity, trained scale).

    As the reference's ``nn.DenseLayer``: kernels drawn N(0, 0.1^2), scales set by data-dependent init and
    trained only in the output layer, biases from 0. Feature matching uses the last 250-unit layer
    (``layers[-3]``, as the reference's ``layers[-3]``). Deviation: a Flatten first (the reference feeds
    flat 784-vectors).
    """
    def wn_dense(units, **kwargs):
        return WeightNormDense(units, kernel_initializer=keras.initializers.RandomNormal(stddev=0.1), **kwargs)

    rows = [keras.Input((28, 28, 1)), layers.Flatten(), GaussianNoise(input_noise)]
    for units in (1000, 500, 250, 250, 250):
        rows += [wn_dense(units, activation="relu"), GaussianNoise(hidden_noise)]
    rows.append(wn_dense(num_classes, train_scale=True))
    return keras.Sequential(rows, name="salimans_mnist_discriminator")


def cifar10_generator(latent_dim: int = 100, sync_batch_norm: bool = True) -> keras.Sequential:
    """CIFAR-10 generator of the reference code: z [100] ~ U(0, 1) -> [32, 32, 3] in [-1, 1].

    Rows (``gen_layers``): Dense 4*4*512 -> BN -> ReLU, reshape 4x4x512; Conv2DTranspose 256 5x5 stride 2
    -> BN -> ReLU (8x8); Conv2DTranspose 128 5x5 stride 2 -> BN -> ReLU (16x16); weight-normalised
    Conv2DTranspose 3 5x5 stride 2 -> tanh (32x32; trained scale, data-dependent init to std 0.1).

    Kernels N(0, 0.05^2); layers before batch norm have no bias; batch norm has an offset, no scale
    (``nn.batch_norm(..., g=None)``, epsilon 1e-6). Deviation: channels last, so the 4x4x512 reshape orders
    the dense units differently from the reference's channels-first one (an equivalent parameterisation).
    """
    normal = keras.initializers.RandomNormal(stddev=0.05)

    def bn_relu():
        return [layers.BatchNormalization(scale=False, epsilon=1e-6, momentum=0.9, synchronized=sync_batch_norm),
                layers.ReLU()]

    return keras.Sequential(
        [
            keras.Input((latent_dim,)),
            layers.Dense(4 * 4 * 512, use_bias=False, kernel_initializer=normal),
            *bn_relu(),
            layers.Reshape((4, 4, 512)),
            layers.Conv2DTranspose(256, 5, strides=2, padding="same", use_bias=False, kernel_initializer=normal),
            *bn_relu(),
            layers.Conv2DTranspose(128, 5, strides=2, padding="same", use_bias=False, kernel_initializer=normal),
            *bn_relu(),
            WeightNormConv2DTranspose(3, 5, strides=2, padding="same", activation="tanh", train_scale=True,
                                      init_scale=0.1, kernel_initializer=normal),
        ],
        name="salimans_cifar10_generator",
    )


def cifar10_discriminator(num_classes: int = 10) -> keras.Sequential:
    """CIFAR-10 discriminator of the reference code: [32, 32, 3] -> [10] class logits.

    Rows (``disc_layers``): dropout 0.2 on the input; weight-normalised Conv 96 3x3 pad 1, Conv 96 3x3
    pad 1, Conv 96 3x3 pad 1 stride 2 (16x16); dropout 0.5; Conv 192 3x3 pad 1 (x2), Conv 192 3x3 pad 1
    stride 2 (8x8); dropout 0.5; Conv 192 3x3 no padding (6x6); NIN 192, NIN 192 (1x1 convs); global
    average pooling; weight-normalised Dense 10 (trained scale, data-dependent init to std 0.1).

    Every conv is followed by leaky ReLU 0.2; kernels N(0, 0.05^2); hidden scales are fixed after
    data-dependent init (the reference's ``train_g=False``). Feature matching uses the pooled 192 features
    (``layers[-2]``, the reference's ``disc_layers[-2]``).
    """
    normal = keras.initializers.RandomNormal(stddev=0.05)

    def conv(filters, kernel=3, strides=1, padding=1):
        return WeightNormConv2D(filters, kernel, strides=strides, padding=padding, activation="leaky_relu",
                                kernel_initializer=normal)

    return keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            Dropout(0.2),
            conv(96), conv(96), conv(96, strides=2),
            Dropout(0.5),
            conv(192), conv(192), conv(192, strides=2),
            Dropout(0.5),
            conv(192, padding=0),
            conv(192, kernel=1, padding=0),
            conv(192, kernel=1, padding=0),
            layers.GlobalAveragePooling2D(),
            WeightNormDense(num_classes, kernel_initializer=normal, train_scale=True, init_scale=0.1),
        ],
        name="salimans_cifar10_discriminator",
    )
