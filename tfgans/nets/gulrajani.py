"""Reference nets of WGAN-GP (Gulrajani et al. 2017, "Improved Training of Wasserstein GANs", arXiv:1704.00028).

The paper gives no layer tables; its public code does (github.com/igul222/improved_wgan_training), and these
functions follow it layer by layer, in NHWC:

* ``mnist_*``: ``gan_mnist.py`` (``DIM = 64``, latent 128, sigmoid output on [0, 1] data);
* ``cifar10_*``: ``gan_cifar.py``, the DCGAN-style nets (``DIM = 128``, latent 128, tanh output);
* ``cifar10_resnet_*``: ``gan_cifar_resnet.py``, unconditional (``CONDITIONAL = False``): residual blocks
  with nearest-neighbour up-sampling / mean-pool down-sampling, 128 channels (``DIM_G = DIM_D = 128``).

The scripts switch batch norm with ``MODE``: in ``'wgan-gp'`` mode the MNIST nets have none, the CIFAR-10
generators keep it and no critic has it (a per-example gradient penalty is not defined for a batch-normalised
critic). The ``batch_norm`` and ``normalization`` arguments expose those switches, and seed 000 (Zhu, Gu &
Liu's CFG-GAN comparison: "no batch normalization in discriminator", "Kaiming initialization") is served by
the defaults plus ``kernel_initializer="he_normal"``.

Initialisation: by default the reference's (``tflib``): convolutions with ``he_init=True`` draw from a
uniform with variance ``4 / (fan_in + fan_out)`` (``VarianceScaling(2, "fan_avg", "uniform")``), linear
layers and the ``he_init=False`` convolutions (residual shortcuts, the ResNet output) use Glorot uniform.
``kernel_initializer`` replaces all of them. Deviations from the reference: ``tflib`` divides the fan of a
stride-2 (de)convolution by 4, Keras' fan does not, so those kernels start slightly smaller; Keras batch
norm normalises with moving statistics at inference where ``tflib``'s always uses batch statistics.
"""

from __future__ import annotations

from typing import Optional

import keras
from keras import layers

__all__ = [
    "mnist_generator",
    "mnist_discriminator",
    "cifar10_generator",
    "cifar10_discriminator",
    "cifar10_resnet_generator",
    "cifar10_resnet_discriminator",
    "ResidualBlock",
    "OptimizedResidualBlock",
]

#: ``tflib``'s ``he_init=True`` convolution initialiser: uniform, variance ``4 / (fan_in + fan_out)``.
REFERENCE_CONV_INIT = {"class_name": "VarianceScaling",
                       "config": {"scale": 2.0, "mode": "fan_avg", "distribution": "uniform"}}
#: ``tflib``'s linear layers (``initialization=None``) and ``he_init=False`` convolutions: Glorot uniform.
REFERENCE_LINEAR_INIT = "glorot_uniform"

NORMALIZATIONS = (None, "batch", "layer")


def _init(choice, default):
    """A fresh initializer per layer: ``choice`` if given, else the reference's ``default``."""
    choice = default if choice is None else choice
    if isinstance(choice, keras.initializers.Initializer):
        return type(choice).from_config(choice.get_config())
    return keras.initializers.get(choice)


def _check_normalization(normalization):
    if normalization not in NORMALIZATIONS:
        raise ValueError(
            f"normalization must be None (WGAN-GP: no normalisation in the critic), 'batch' or 'layer', got "
            f"{normalization!r}."
        )


def _norm(normalization, sync_batch_norm=True, dtype=None):
    """The reference's normalisers (``tflib``, epsilon 1e-5); None for no normalisation."""
    if normalization == "batch":
        return layers.BatchNormalization(epsilon=1e-5, synchronized=sync_batch_norm, dtype=dtype)
    if normalization == "layer":
        # tflib.ops.layernorm over [C, H, W] with one scale and offset per channel: a single group.
        return layers.GroupNormalization(groups=1, epsilon=1e-5, dtype=dtype)
    return None


# --- DCGAN-style nets: gan_mnist.py and gan_cifar.py ----------------------------------------------------------

def _dcgan_generator(dim, channels, crop, batch_norm, output_activation, latent_dim, kernel_initializer,
                     sync_batch_norm, name):
    def bn():
        return [layers.BatchNormalization(epsilon=1e-5, synchronized=sync_batch_norm)] if batch_norm else []

    def deconv(filters, activation=None):
        # tflib's Deconv2D: kernel 5, stride 2, SAME padding, with bias.
        return layers.Conv2DTranspose(filters, 5, strides=2, padding="same", activation=activation,
                                      kernel_initializer=_init(kernel_initializer, REFERENCE_CONV_INIT))

    rows = [
        keras.Input((latent_dim,)),
        # Generator.Input: Linear latent -> 4 * 4 * 4 * DIM (BN1 normalises each of its units), ReLU.
        layers.Dense(4 * 4 * 4 * dim, kernel_initializer=_init(kernel_initializer, REFERENCE_LINEAR_INIT)),
        *bn(),
        layers.ReLU(),
        layers.Reshape((4, 4, 4 * dim)),
        # Generator.2: 4x4 -> 8x8, 2 * DIM channels.
        deconv(2 * dim),
        *bn(),
        layers.ReLU(),
    ]
    if crop:
        # gan_mnist.py: output[:, :, :7, :7], keeping the top-left 7x7 of the 8x8 map.
        rows.append(layers.Cropping2D(((0, 1), (0, 1))))
    rows += [
        # Generator.3: DIM channels.
        deconv(dim),
        *bn(),
        layers.ReLU(),
        # Generator.5: the image.
        deconv(channels, activation=output_activation),
    ]
    return keras.Sequential(rows, name=name)


def _dcgan_discriminator(dim, image_shape, normalization, kernel_initializer, sync_batch_norm, name):
    _check_normalization(normalization)

    def conv(filters):
        # tflib's Conv2D: kernel 5, stride 2, SAME padding, with bias.
        return layers.Conv2D(filters, 5, strides=2, padding="same",
                             kernel_initializer=_init(kernel_initializer, REFERENCE_CONV_INIT))

    def norm():
        layer = _norm(normalization, sync_batch_norm)
        return [layer] if layer is not None else []

    return keras.Sequential(
        [
            keras.Input(image_shape),
            conv(dim),  # Discriminator.1: no normaliser in any mode
            layers.LeakyReLU(negative_slope=0.2),
            conv(2 * dim),  # Discriminator.2 (BN2 in MODE 'wgan')
            *norm(),
            layers.LeakyReLU(negative_slope=0.2),
            conv(4 * dim),  # Discriminator.3 (BN3 in MODE 'wgan')
            *norm(),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(),
            # Discriminator.Output: Linear 4 * 4 * 4 * DIM -> 1, the critic value (no sigmoid).
            layers.Dense(1, kernel_initializer=_init(kernel_initializer, REFERENCE_LINEAR_INIT)),
        ],
        name=name,
    )


def mnist_generator(latent_dim: int = 128, dim: int = 64, batch_norm: bool = False,
                    kernel_initializer=None, sync_batch_norm: bool = True) -> keras.Sequential:
    """``gan_mnist.py`` ``Generator``: z [128] -> [28, 28, 1] in [0, 1].

    Rows: Dense 4096 (4x4x256), ReLU, reshape; Conv2DTranspose 128 k5 s2 -> 8x8, ReLU, crop to 7x7;
    Conv2DTranspose 64 k5 s2 -> 14x14, ReLU; Conv2DTranspose 1 k5 s2 -> 28x28, sigmoid.

    Args:
        latent_dim: 128 in the reference.
        dim: the reference's ``DIM`` (64).
        batch_norm: batch norm after the Dense and the first two transposed convolutions; the reference
            has it only in ``MODE = 'wgan'`` (weight clipping), not in WGAN-GP mode, hence off.
        kernel_initializer: replaces the reference's initialisers (module docstring); ``"he_normal"`` for
            seed 000's Kaiming initialisation.
        sync_batch_norm: global batch statistics under ``tf.distribute``.
    """
    return _dcgan_generator(dim, 1, True, batch_norm, "sigmoid", latent_dim, kernel_initializer,
                            sync_batch_norm, "gulrajani_mnist_generator")


def mnist_discriminator(dim: int = 64, normalization: Optional[str] = None, kernel_initializer=None,
                        sync_batch_norm: bool = True) -> keras.Sequential:
    """``gan_mnist.py`` ``Discriminator`` (the critic): [28, 28, 1] -> [1], no sigmoid.

    Rows: Conv2D 64, 128, 256 (kernel 5, stride 2, SAME: 14x14, 7x7, 4x4), each followed by leaky ReLU 0.2;
    Flatten (4096); Dense 1.

    Args:
        dim: the reference's ``DIM`` (64).
        normalization: after the second and third convolutions: None (WGAN-GP, and seed 000's "no batch
            normalization in discriminator"), ``"batch"`` (the reference's ``MODE = 'wgan'``) or ``"layer"``.
        kernel_initializer: replaces the reference's initialisers; ``"he_normal"`` for Kaiming.
        sync_batch_norm: global batch statistics under ``tf.distribute`` (``normalization="batch"``).
    """
    return _dcgan_discriminator(dim, (28, 28, 1), normalization, kernel_initializer, sync_batch_norm,
                                "gulrajani_mnist_discriminator")


def cifar10_generator(latent_dim: int = 128, dim: int = 128, batch_norm: bool = True,
                      kernel_initializer=None, sync_batch_norm: bool = True) -> keras.Sequential:
    """``gan_cifar.py`` ``Generator``: z [128] -> [32, 32, 3] in [-1, 1].

    Rows: Dense 8192 (4x4x512), BN, ReLU, reshape; Conv2DTranspose 256 k5 s2 -> 8x8, BN, ReLU;
    Conv2DTranspose 128 k5 s2 -> 16x16, BN, ReLU; Conv2DTranspose 3 k5 s2 -> 32x32, tanh. The reference
    keeps batch norm in the generator in every mode.

    Args:
        latent_dim: 128 in the reference.
        dim: the reference's ``DIM`` (128; its comment suggests 64 overfits less).
        batch_norm: batch norm after the Dense and the first two transposed convolutions.
        kernel_initializer: replaces the reference's initialisers; ``"he_normal"`` for Kaiming.
        sync_batch_norm: global batch statistics under ``tf.distribute``.
    """
    return _dcgan_generator(dim, 3, False, batch_norm, "tanh", latent_dim, kernel_initializer,
                            sync_batch_norm, "gulrajani_cifar10_generator")


def cifar10_discriminator(dim: int = 128, normalization: Optional[str] = None, kernel_initializer=None,
                          sync_batch_norm: bool = True) -> keras.Sequential:
    """``gan_cifar.py`` ``Discriminator`` (the critic): [32, 32, 3] -> [1], no sigmoid.

    Rows: Conv2D 128, 256, 512 (kernel 5, stride 2, SAME: 16x16, 8x8, 4x4), each followed by leaky ReLU
    0.2; Flatten (8192); Dense 1. No batch norm in WGAN-GP mode.

    Args:
        dim: the reference's ``DIM`` (128).
        normalization: after the second and third convolutions: None (WGAN-GP), ``"batch"`` (``MODE =
            'wgan'``) or ``"layer"``.
        kernel_initializer: replaces the reference's initialisers; ``"he_normal"`` for Kaiming.
        sync_batch_norm: global batch statistics under ``tf.distribute`` (``normalization="batch"``).
    """
    return _dcgan_discriminator(dim, (32, 32, 3), normalization, kernel_initializer, sync_batch_norm,
                                "gulrajani_cifar10_discriminator")


# --- ResNet: gan_cifar_resnet.py ------------------------------------------------------------------------------

class _Block(keras.layers.Layer):
    """Shared plumbing of the residual blocks: sublayers are created in ``build`` from the input channels."""

    def __init__(self, filters, kernel_size=3, kernel_initializer=None, shortcut_initializer=None, **kwargs):
        super().__init__(**kwargs)
        if filters < 1 or kernel_size < 1:
            raise ValueError(f"filters and kernel_size must be positive, got {filters} and {kernel_size}.")
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        # Keep the arguments as given (None = the reference's choice) so get_config round-trips them.
        self.kernel_initializer = kernel_initializer
        self.shortcut_initializer = shortcut_initializer

    def _conv(self, filters, kernel_size, shortcut=False):
        if shortcut:
            # The shortcut convolutions are tflib Conv2D with he_init=False (Glorot).
            init = _init(self.shortcut_initializer if self.shortcut_initializer is not None
                         else self.kernel_initializer, REFERENCE_LINEAR_INIT)
        else:
            init = _init(self.kernel_initializer, REFERENCE_CONV_INIT)
        return layers.Conv2D(filters, kernel_size, padding="same", kernel_initializer=init,
                             dtype=self.dtype_policy)

    def _upsample(self):
        # tflib's UpsampleConv: concat 4 copies on channels + depth_to_space(2) = nearest-neighbour 2x.
        return layers.UpSampling2D(2, interpolation="nearest", dtype=self.dtype_policy)

    def _pool(self):
        # ConvMeanPool / MeanPoolConv: the mean of the four strided 2x2 sub-grids = 2x2 average pooling.
        return layers.AveragePooling2D(2, dtype=self.dtype_policy)

    @staticmethod
    def _run(sequence, x, training=None):
        for layer in sequence:
            if isinstance(layer, (layers.BatchNormalization, layers.GroupNormalization)):
                x = layer(x, training=training)
            else:
                x = layer(x)
        return x

    @staticmethod
    def _build(sequence, shape):
        for layer in sequence:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        return shape

    def get_config(self):
        def ser(init):
            if init is None or isinstance(init, str):
                return init
            return keras.initializers.serialize(keras.initializers.get(init))

        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "kernel_initializer": ser(self.kernel_initializer),
                "shortcut_initializer": ser(self.shortcut_initializer)}


@keras.saving.register_keras_serializable(package="tfgans")
class ResidualBlock(_Block):
    """``gan_cifar_resnet.py`` ``ResidualBlock``: ``shortcut(x) + conv_2(relu(N2(conv_1(relu(N1(x))))))``.

    ``resample``:

    * ``"up"`` (generator): ``conv_1`` = up-sample 2x then conv ``filters``; ``conv_2`` = conv ``filters``;
      shortcut = up-sample then 1x1 conv.
    * ``"down"`` (critic): ``conv_1`` = conv with the input's channels; ``conv_2`` = conv ``filters`` then
      2x2 mean pool; shortcut = 1x1 conv then mean pool.
    * ``None``: both convs ``filters``; the shortcut is the identity when the channels match, else a 1x1 conv.

    Args:
        filters: output channels (``DIM_G`` / ``DIM_D`` = 128).
        resample: ``"up"``, ``"down"`` or None.
        kernel_size: of the two main convolutions (3).
        normalization: ``N1`` / ``N2``: ``"batch"`` (the generator's, ``NORMALIZATION_G = True``), None
            (the critic's, ``NORMALIZATION_D = False``) or ``"layer"`` (the reference's critic option).
        kernel_initializer: of the main convolutions (None: the reference's he_init uniform).
        shortcut_initializer: of the shortcut convolution (None: ``kernel_initializer`` if given, else Glorot
            uniform as in the reference).
        sync_batch_norm: global batch statistics under ``tf.distribute``.

    Input ``[batch, H, W, C]``; output ``[batch, 2H, 2W, filters]`` (up), ``[batch, H/2, W/2, filters]``
    (down) or ``[batch, H, W, filters]``.
    """

    RESAMPLES = (None, "up", "down")

    def __init__(self, filters, resample=None, kernel_size=3, normalization=None, kernel_initializer=None,
                 shortcut_initializer=None, sync_batch_norm=True, **kwargs):
        super().__init__(filters, kernel_size, kernel_initializer, shortcut_initializer, **kwargs)
        if resample not in self.RESAMPLES:
            raise ValueError(f"resample must be 'up', 'down' or None, got {resample!r}.")
        _check_normalization(normalization)
        self.resample = resample
        self.normalization = normalization
        self.sync_batch_norm = bool(sync_batch_norm)

    def build(self, input_shape):
        channels = int(input_shape[-1])
        k, f = self.kernel_size, self.filters

        def norm():
            layer = _norm(self.normalization, self.sync_batch_norm, self.dtype_policy)
            return [layer] if layer is not None else []

        if self.resample == "up":
            conv_1 = [self._upsample(), self._conv(f, k)]
            conv_2 = [self._conv(f, k)]
            self.shortcut = [self._upsample(), self._conv(f, 1, shortcut=True)]
        elif self.resample == "down":
            conv_1 = [self._conv(channels, k)]
            conv_2 = [self._conv(f, k), self._pool()]
            self.shortcut = [self._conv(f, 1, shortcut=True), self._pool()]
        else:
            conv_1 = [self._conv(f, k)]
            conv_2 = [self._conv(f, k)]
            self.shortcut = [] if channels == f else [self._conv(f, 1, shortcut=True)]
        self.residual = [*norm(), layers.ReLU(dtype=self.dtype_policy), *conv_1,
                         *norm(), layers.ReLU(dtype=self.dtype_policy), *conv_2]
        self._build(self.shortcut, input_shape)
        self._build(self.residual, input_shape)

    def call(self, inputs, training=None):
        return self._run(self.shortcut, inputs, training) + self._run(self.residual, inputs, training)

    def compute_output_shape(self, input_shape):
        b, h, w, _ = input_shape
        if self.resample == "up":
            h, w = (None if h is None else 2 * h), (None if w is None else 2 * w)
        elif self.resample == "down":
            h, w = (None if h is None else h // 2), (None if w is None else w // 2)
        return (b, h, w, self.filters)

    def get_config(self):
        return {**super().get_config(), "resample": self.resample, "normalization": self.normalization,
                "sync_batch_norm": self.sync_batch_norm}


@keras.saving.register_keras_serializable(package="tfgans")
class OptimizedResidualBlock(_Block):
    """``gan_cifar_resnet.py`` ``OptimizedResBlockDisc1``, the critic's first block, on the image itself.

    ``shortcut = conv1x1(meanpool(x))``, ``residual = meanpool(conv(relu(conv(x))))``: no pre-activation
    (the image is not passed through a ReLU) and no normaliser. Input ``[batch, H, W, C]``; output
    ``[batch, H/2, W/2, filters]``.

    Args:
        filters: output channels (``DIM_D`` = 128).
        kernel_size: of the two main convolutions (3).
        kernel_initializer, shortcut_initializer: as in :class:`ResidualBlock`.
    """

    def build(self, input_shape):
        k, f = self.kernel_size, self.filters
        self.shortcut = [self._pool(), self._conv(f, 1, shortcut=True)]
        self.residual = [self._conv(f, k), layers.ReLU(dtype=self.dtype_policy), self._conv(f, k), self._pool()]
        self._build(self.shortcut, input_shape)
        self._build(self.residual, input_shape)

    def call(self, inputs, training=None):
        return self._run(self.shortcut, inputs) + self._run(self.residual, inputs)

    def compute_output_shape(self, input_shape):
        b, h, w, _ = input_shape
        return (b, None if h is None else h // 2, None if w is None else w // 2, self.filters)


def cifar10_resnet_generator(latent_dim: int = 128, dim: int = 128, batch_norm: bool = True,
                             kernel_initializer=None, sync_batch_norm: bool = True) -> keras.Sequential:
    """``gan_cifar_resnet.py`` ``Generator`` (unconditional): z [128] -> [32, 32, 3] in [-1, 1].

    Rows: Dense 2048 (4x4x128, no activation), reshape; 3 x ``ResidualBlock(128, "up")`` (8x8, 16x16,
    32x32); BN; ReLU; Conv2D 3 k3 (Glorot, ``he_init=False``), tanh.

    Args:
        latent_dim: 128 in the reference.
        dim: ``DIM_G`` (128).
        batch_norm: ``NORMALIZATION_G`` (True): batch norm inside the blocks and before the output conv.
        kernel_initializer: replaces the reference's initialisers; ``"he_normal"`` for Kaiming.
        sync_batch_norm: global batch statistics under ``tf.distribute``.
    """
    normalization = "batch" if batch_norm else None
    rows = [
        keras.Input((latent_dim,)),
        layers.Dense(4 * 4 * dim, kernel_initializer=_init(kernel_initializer, REFERENCE_LINEAR_INIT)),
        layers.Reshape((4, 4, dim)),
        *[ResidualBlock(dim, "up", normalization=normalization, kernel_initializer=kernel_initializer,
                        sync_batch_norm=sync_batch_norm) for _ in range(3)],
    ]
    if batch_norm:
        rows.append(layers.BatchNormalization(epsilon=1e-5, synchronized=sync_batch_norm))
    rows += [
        layers.ReLU(),
        layers.Conv2D(3, 3, padding="same", activation="tanh",
                      kernel_initializer=_init(kernel_initializer, REFERENCE_LINEAR_INIT)),
    ]
    return keras.Sequential(rows, name="gulrajani_cifar10_resnet_generator")


def cifar10_resnet_discriminator(dim: int = 128, normalization: Optional[str] = None, kernel_initializer=None,
                                 sync_batch_norm: bool = True) -> keras.Sequential:
    """``gan_cifar_resnet.py`` ``Discriminator`` (unconditional critic): [32, 32, 3] -> [1], no sigmoid.

    Rows: ``OptimizedResidualBlock(128)`` (16x16); ``ResidualBlock(128, "down")`` (8x8); 2 x
    ``ResidualBlock(128)`` (8x8); ReLU; global mean pool (128); Dense 1.

    Args:
        dim: ``DIM_D`` (128).
        normalization: inside the residual blocks: None (``NORMALIZATION_D = False``, WGAN-GP), ``"layer"``
            (the reference's option) or ``"batch"``.
        kernel_initializer: replaces the reference's initialisers; ``"he_normal"`` for Kaiming.
        sync_batch_norm: global batch statistics under ``tf.distribute`` (``normalization="batch"``).
    """
    _check_normalization(normalization)

    def block(resample):
        return ResidualBlock(dim, resample, normalization=normalization, kernel_initializer=kernel_initializer,
                             sync_batch_norm=sync_batch_norm)

    return keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            OptimizedResidualBlock(dim, kernel_initializer=kernel_initializer),
            block("down"),
            block(None),
            block(None),
            layers.ReLU(),
            layers.GlobalAveragePooling2D(),
            layers.Dense(1, kernel_initializer=_init(kernel_initializer, REFERENCE_LINEAR_INIT)),
        ],
        name="gulrajani_cifar10_resnet_discriminator",
    )
