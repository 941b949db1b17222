"""Reference nets of CFG-GAN (Johnson & Zhang 2018, "Composite Functional Gradient Learning of Generative
Adversarial Models", arXiv:1801.06309), as the authors' PyTorch code builds them (riejohnson/cfg-gan-pt,
``netdef.py``: ``dcganx_D``, ``dcganx_G``, ``fcn_G``), in NHWC.

* ``dcganx_discriminator``: a 5x5 stride-2 convolution and leaky ReLU 0.2, then ``depth - 1`` blocks of
  [5x5 stride-2 convolution (n -> 2n), batch norm, leaky ReLU, 1x1 convolution, batch norm, leaky ReLU], then a
  linear map to one value (no sigmoid: CFG-GAN moves images along the gradient of this value). A key typo of
  the reference (``base+'conv0.b'``) leaves the block convolutions without bias; tfgans follows it.
* ``dcganx_approximator`` (the paper's G~): a linear map z -> (width * 2^(depth-1)) x 4 x 4 (no batch norm),
  then ``depth - 1`` blocks of [ReLU, 5x5 stride-2 transposed convolution (n -> n/2), batch norm, ReLU, 1x1
  convolution, batch norm], then ReLU, a 5x5 stride-2 transposed convolution to the image channels and tanh.
* ``fc_approximator`` (``fcn_G``): two ReLU layers of 512 units, a linear map to the pixels and tanh.
* ``resnet4_discriminator`` / ``resnet4_approximator`` (``resnet4_D`` / ``resnet4_G``): the 64x64 (LSUN) nets,
  3x3 convolutions, one residual block per resolution, batch norm after the second convolution only, 1x1
  shortcuts; D average-pools 64 -> 128 -> 256 -> 512 channels down to 4x4, G~ up-samples (nearest) 512 -> 256
  -> 128 -> 64 -> 64, then a convolution and tanh. tfgans has no 64x64 dataset preset; the nets are here for
  users who bring one.

Reference defaults (``train_cfggan.py``): MNIST is 28x28 padded to 32x32 with the background value and uses
width 32, depth 3 (32 -> 64 -> 128 channels, 4x4 at the end); SVHN width 64. Initialisation (``utils.py``):
convolution weights N(0, 0.01), linear weights Kaiming-normal, biases 0, batch norm gamma ~ U(0, 1) and beta
0; ``init="kaiming"`` draws every kernel Kaiming-normal instead (seed 000's tip, ``tfgans.nets.zhu``). Batch
norm as PyTorch's: epsilon 1e-5, momentum 0.1 (Keras 0.9). Deviation: Keras' ``"same"`` padding for the
stride-2 layers, where PyTorch pads 2 pixels on both sides: each layer's output sits one pixel from the
reference's, the same net up to the border pixels.
"""

from __future__ import annotations

import keras
from keras import layers

__all__ = ["dcganx_discriminator", "dcganx_approximator", "fc_approximator", "mnist_discriminator",
           "mnist_approximator", "mnist_fc_approximator", "svhn_discriminator", "svhn_approximator",
           "ResnetDBlock", "ResnetGBlock", "resnet4_discriminator", "resnet4_approximator"]

#: MNIST's 28x28 digits padded to 32x32 (``data.py``: the background value, -1 after scaling).
MNIST_SHAPE = (32, 32, 1)


def _kernel_init(init: str, linear: bool):
    if init == "kaiming" or linear:  # PyTorch kaiming_normal_: N(0, 2 / fan_in), untruncated
        return keras.initializers.VarianceScaling(2.0, "fan_in", "untruncated_normal")
    if init == "reference":
        return keras.initializers.RandomNormal(stddev=0.01)
    raise ValueError(f"init must be 'reference' or 'kaiming', got {init!r}.")


def _batch_norm():
    return layers.BatchNormalization(momentum=0.9, epsilon=1e-5,
                                      gamma_initializer=keras.initializers.RandomUniform(0.0, 1.0))


def dcganx_discriminator(image_shape=MNIST_SHAPE, width: int = 32, depth: int = 3, batch_norm: bool = True,
                         init: str = "reference", name: str = "johnson_dcganx_discriminator") -> keras.Sequential:
    """CFG-GAN's ``dcganx_D``: image [H, W, C] -> value [1] (see the module docstring).

    Args:
        image_shape: input images; H and W divisible by 2^depth.
        width: channels of the first convolution (doubled by each block).
        depth: stride-2 stages (the first convolution and ``depth - 1`` blocks).
        batch_norm: the reference's batch norm in the blocks; seed 000 drops it (``False``).
        init: ``"reference"`` (N(0, 0.01) convolutions) or ``"kaiming"``.
    """
    if image_shape[0] % 2 ** depth or image_shape[1] % 2 ** depth:
        raise ValueError(f"image_shape {image_shape} must be divisible by 2^depth = {2 ** depth}.")
    conv = lambda n, k, s, bias: layers.Conv2D(n, k, strides=s, padding="same", use_bias=bias,  # noqa: E731
                                                kernel_initializer=_kernel_init(init, linear=False))
    rows = [keras.Input(image_shape), conv(width, 5, 2, True), layers.LeakyReLU(0.2)]
    n = width
    for _ in range(depth - 1):
        n *= 2
        for k, s in ((5, 2), (1, 1)):
            rows.append(conv(n, k, s, False))  # no bias: the reference's key typo
            if batch_norm:
                rows.append(_batch_norm())
            rows.append(layers.LeakyReLU(0.2))
    rows += [layers.Flatten(), layers.Dense(1, kernel_initializer=_kernel_init(init, linear=True))]
    return keras.Sequential(rows, name=name)


def dcganx_approximator(latent_dim: int = 100, image_shape=MNIST_SHAPE, width: int = 32, depth: int = 3,
                        batch_norm: bool = True, init: str = "reference",
                        name: str = "johnson_dcganx_approximator") -> keras.Sequential:
    """CFG-GAN's ``dcganx_G`` (the approximator G~): z [latent_dim] -> image [H, W, C] in [-1, 1].

    Args:
        latent_dim: size of z (the reference: 100).
        image_shape: output images; H and W divisible by 2^depth.
        width: channels before the last transposed convolution (doubled per block towards the input).
        depth: stride-2 up-sampling stages.
        batch_norm: the reference's batch norm in the blocks.
        init: ``"reference"`` (N(0, 0.01) convolutions) or ``"kaiming"``.
    """
    h, w, channels = image_shape
    if h % 2 ** depth or w % 2 ** depth:
        raise ValueError(f"image_shape {image_shape} must be divisible by 2^depth = {2 ** depth}.")
    conv_init = lambda: _kernel_init(init, linear=False)  # noqa: E731
    n = width * 2 ** (depth - 1)
    size = (h // 2 ** depth, w // 2 ** depth)
    rows = [keras.Input((latent_dim,)),
            layers.Dense(n * size[0] * size[1], kernel_initializer=_kernel_init(init, linear=True)),
            layers.Reshape((size[0], size[1], n))]
    for _ in range(depth - 1):
        n //= 2
        rows += [layers.ReLU(), layers.Conv2DTranspose(n, 5, strides=2, padding="same", kernel_initializer=conv_init())]
        if batch_norm:
            rows.append(_batch_norm())
        rows += [layers.ReLU(), layers.Conv2D(n, 1, kernel_initializer=conv_init())]
        if batch_norm:
            rows.append(_batch_norm())
    rows += [layers.ReLU(), layers.Conv2DTranspose(channels, 5, strides=2, padding="same",
                                                   kernel_initializer=conv_init()),
             layers.Activation("tanh")]
    return keras.Sequential(rows, name=name)


def fc_approximator(latent_dim: int = 100, image_shape=MNIST_SHAPE, units: int = 512, depth: int = 2,
                    name: str = "johnson_fc_approximator") -> keras.Sequential:
    """CFG-GAN's ``fcn_G``: z -> ``depth`` ReLU layers of ``units`` -> pixels, tanh (Kaiming-normal weights)."""
    h, w, c = image_shape
    init = lambda: _kernel_init("kaiming", linear=True)  # noqa: E731
    rows = [keras.Input((latent_dim,))]
    rows += [layers.Dense(units, activation="relu", kernel_initializer=init()) for _ in range(depth)]
    rows += [layers.Dense(h * w * c, activation="tanh", kernel_initializer=init()), layers.Reshape(image_shape)]
    return keras.Sequential(rows, name=name)


def mnist_discriminator(**kwargs) -> keras.Sequential:
    """The reference's MNIST discriminator: ``dcganx_D`` width 32, depth 3, on 32x32x1."""
    return dcganx_discriminator(MNIST_SHAPE, **{"width": 32, **kwargs})


def mnist_approximator(latent_dim: int = 100, **kwargs) -> keras.Sequential:
    """The reference's MNIST approximator: ``dcganx_G`` width 32, depth 3, to 32x32x1."""
    return dcganx_approximator(latent_dim, MNIST_SHAPE, **{"width": 32, **kwargs})


def mnist_fc_approximator(latent_dim: int = 100) -> keras.Sequential:
    """The reference's ``fc2`` approximator for MNIST: 2 x 512 ReLU to 32x32x1."""
    return fc_approximator(latent_dim, MNIST_SHAPE)


def svhn_discriminator(**kwargs) -> keras.Sequential:
    """The reference's SVHN discriminator: ``dcganx_D`` width 64, depth 3, on 32x32x3."""
    return dcganx_discriminator((32, 32, 3), **{"width": 64, **kwargs})


def svhn_approximator(latent_dim: int = 100, **kwargs) -> keras.Sequential:
    """The reference's SVHN approximator: ``dcganx_G`` width 64, depth 3, to 32x32x3."""
    return dcganx_approximator(latent_dim, (32, 32, 3), **{"width": 64, **kwargs})


# --- resnet4 (netdef.py resnet4_D / resnet4_G), the reference's 64x64 (LSUN) nets -------------------------------


def _conv(filters, kernel, init, bias):
    return layers.Conv2D(filters, kernel, padding="same", use_bias=bias, kernel_initializer=_kernel_init(init, False))


@keras.saving.register_keras_serializable(package="tfgans")
class ResnetDBlock(layers.Layer):
    """``resnet4_D``'s block: conv0 3x3, ReLU, conv1 3x3 (to ``filters``), batch norm, 2x2 average pool of
    both paths, plus a 1x1 shortcut. As the reference: conv0 reads the block's input, not its ReLU (the code
    computes ``relu(x)`` and then convolves ``x``), and a key typo leaves conv0 and conv1 without bias."""

    def __init__(self, filters: int, first: bool = False, batch_norm: bool = True, init: str = "reference", **kw):
        super().__init__(**kw)
        self.filters, self.first, self.batch_norm, self.init = int(filters), bool(first), bool(batch_norm), init

    def build(self, input_shape):
        channels = int(input_shape[-1])
        self.conv0 = _conv(self.filters if self.first else channels, 3, self.init, bias=False)
        self.conv1 = _conv(self.filters, 3, self.init, bias=False)
        self.norm = _batch_norm() if self.batch_norm else None
        self.shortcut = layers.Conv2D(self.filters, 1, use_bias=False,
                                      kernel_initializer=_kernel_init("kaiming", linear=True))
        self.pool = layers.AveragePooling2D(2)

    def call(self, x, training=False):
        o = self.conv1(keras.ops.relu(self.conv0(x)))
        if self.norm is not None:
            o = self.norm(o, training=training)
        return self.pool(o) + self.shortcut(self.pool(x))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1] // 2, input_shape[2] // 2, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "first": self.first,
                "batch_norm": self.batch_norm, "init": self.init}


@keras.saving.register_keras_serializable(package="tfgans")
class ResnetGBlock(layers.Layer):
    """``resnet4_G``'s block: ReLU, 2x nearest up-sampling, conv0 3x3, ReLU, conv1 3x3, batch norm, plus a 1x1
    shortcut of the block's input, up-sampled."""

    def __init__(self, filters: int, batch_norm: bool = True, init: str = "reference", **kw):
        super().__init__(**kw)
        self.filters, self.batch_norm, self.init = int(filters), bool(batch_norm), init

    def build(self, input_shape):
        self.conv0 = _conv(self.filters, 3, self.init, bias=True)
        self.conv1 = _conv(self.filters, 3, self.init, bias=True)
        self.norm = _batch_norm() if self.batch_norm else None
        self.shortcut = layers.Conv2D(self.filters, 1, use_bias=False,
                                      kernel_initializer=_kernel_init("kaiming", linear=True))
        self.up = layers.UpSampling2D(2, interpolation="nearest")

    def call(self, x, training=False):
        o = self.conv1(keras.ops.relu(self.conv0(self.up(keras.ops.relu(x)))))
        if self.norm is not None:
            o = self.norm(o, training=training)
        return o + self.up(self.shortcut(x))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1] * 2, input_shape[2] * 2, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "batch_norm": self.batch_norm, "init": self.init}


def resnet4_discriminator(image_shape=(64, 64, 3), width: int = 64, batch_norm: bool = True,
                          init: str = "reference", name: str = "johnson_resnet4_discriminator") -> keras.Sequential:
    """CFG-GAN's ``resnet4_D``: four down-sampling blocks (width, 2, 4, 8 x width), ReLU, linear to one value."""
    rows = [keras.Input(image_shape), ResnetDBlock(width, first=True, batch_norm=batch_norm, init=init)]
    rows += [ResnetDBlock(width * m, batch_norm=batch_norm, init=init) for m in (2, 4, 8)]
    rows += [layers.ReLU(), layers.Flatten(), layers.Dense(1, kernel_initializer=_kernel_init(init, linear=True))]
    return keras.Sequential(rows, name=name)


def resnet4_approximator(latent_dim: int = 100, image_shape=(64, 64, 3), width: int = 64, batch_norm: bool = True,
                         init: str = "reference", name: str = "johnson_resnet4_approximator") -> keras.Sequential:
    """CFG-GAN's ``resnet4_G``: linear to 8 x width at 1/16 size, four up-sampling blocks (4, 2, 1, 1 x width),
    ReLU, a 3x3 convolution to the image channels, tanh."""
    h, w, channels = image_shape
    rows = [keras.Input((latent_dim,)),
            layers.Dense(8 * width * (h // 16) * (w // 16), kernel_initializer=_kernel_init(init, linear=True)),
            layers.Reshape((h // 16, w // 16, 8 * width))]
    rows += [ResnetGBlock(width * m, batch_norm=batch_norm, init=init) for m in (4, 2, 1, 1)]
    rows += [layers.ReLU(), _conv(channels, 3, init, bias=True), layers.Activation("tanh")]
    return keras.Sequential(rows, name=name)
