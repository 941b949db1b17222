"""tfgans' own DCGAN for a good generator in minutes on a CPU (preset ``dcgan-mnist-fast``), at 28, 32 or 64 px.

Not a report's table: Radford et al. 2015's nets (arXiv:1511.06434, sec. 3: strided convolutions, batch norm in
the generator but at its output, ReLU in G, leaky ReLU 0.2 in D, tanh output), with kernel 4 and half the width
of the TensorFlow DCGAN tutorial's MNIST nets (32/64 channels), so a step costs a fraction of the report nets'
(``tfgans.nets.sun``: kernel 5, up to 256 channels).

The discriminator has no batch norm: the preset regularises it with R1 (Mescheder et al. 2018), whose
per-example input gradients batch statistics would mix; R1 on it lowered the FID reached in 10 minutes where
removing batch norm alone did not (``benchmarks/README.md``, "Tuning history of the fast recipes").

With ``num_classes`` the pair is AC-GAN's (Odena et al. 2017, arXiv:1610.09585; preset ``acgan-mnist-fast``):
the generator reads a class off its latent vector (``tfgans.layers.LatentClass``), and the discriminator's last
layer gives the class logits after the real/fake logit, sharing everything before it, as in the paper.

Width 32 was measured against 64 (``benchmarks/time_to_fid.py --only fast --width N``, 20 minutes on one CPU
thread beside another training, so the rates are rough): 3.4x the steps a minute (590 against 170), and FID
45.9 against 63.9 at the end (10,000 samples; the width-64 run sampled a generator average).

:func:`generator` and :func:`discriminator` make the same pair for your own images at 28x28, 32x32 or 64x64 and 1 or
3 channels, by Radford et al.'s pattern: one stride-2 block per doubling of the side, the channels halving as the
side doubles (their 64x64 nets: 4x4x1024 -> 8x8x512 -> 16x16x256 -> 32x32x128 -> 64x64x3, i.e. ``width=128``).
28 = 7 -> 14 -> 28; 32 = 4 -> 8 -> 16 -> 32; 64 = 4 -> 8 -> 16 -> 32 -> 64. :func:`mnist_generator` and
:func:`mnist_discriminator` are the 28x28x1 pair under the names the shipped generator and checkpoints carry.
"""

from __future__ import annotations

from typing import Optional

import keras
from keras import layers

from tfgans.data import RESOLUTIONS
from tfgans.layers import LatentClass

__all__ = ["RESOLUTIONS", "generator", "discriminator", "mnist_generator", "mnist_discriminator"]

#: Image side -> (side of the generator's first feature map, stride-2 blocks from it to the image), for each of
#: ``RESOLUTIONS`` (``tfgans.data``'s list, which images are resized to).
_LAYOUTS = {28: (7, 2), 32: (4, 3), 64: (4, 4)}


def _layout(resolution: int, channels: int):
    if resolution not in _LAYOUTS:
        raise ValueError(f"resolution={resolution!r}: the fast nets make 28x28, 32x32 or 64x64 images; pass one of "
                         f"{', '.join(map(str, RESOLUTIONS))}.")
    if channels < 1:
        raise ValueError(f"channels={channels!r}: pass 1 (grayscale) or 3 (RGB).")
    return _LAYOUTS[resolution]


def generator(latent_dim: int = 100, resolution: int = 28, channels: int = 1, width: int = 32,
              num_classes: Optional[int] = None, sync_batch_norm: bool = True,
              name: Optional[str] = None) -> keras.Sequential:
    """Radford et al. 2015's DCGAN generator (arXiv:1511.06434, fig. 1) at ``resolution``.

    z [latent_dim] -> Dense s x s x (width 2^(k-1)) -> BN, ReLU -> k - 1 times (ConvT to half the channels
    (4, stride 2) -> BN, ReLU) -> ConvT ``channels`` (4, stride 2), tanh: [resolution, resolution, channels],
    with (s, k) = (7, 2) at 28, (4, 3) at 32, (4, 4) at 64. No batch norm at the output (Radford et al., sec. 3).

    Args:
        latent_dim: size of z.
        resolution: 28, 32 or 64.
        channels: image channels (1 grayscale, 3 RGB).
        width: channels of the last hidden block; the first has ``width * 2^(k-1)``.
        num_classes: AC-GAN's classes: z -> [one-hot class of z, z_1..] first (``LatentClass``).
        sync_batch_norm: batch statistics over all replicas under ``tf.distribute``.
        name: the model's name; default ``fast_generator_<r>x<r>x<c>``.
    """
    side, blocks = _layout(resolution, channels)
    top = width * 2 ** (blocks - 1)
    # Layers are made in their order in the net: Keras draws each initializer's seed when the layer is made, so
    # the order fixes the initial weights a seed gives (mnist_generator's must stay those of its checkpoints).
    rows = [keras.Input((latent_dim,)), *([LatentClass(num_classes)] if num_classes else []),
            layers.Dense(side * side * top, use_bias=False),  # no bias: batch norm's offset follows
            layers.BatchNormalization(synchronized=sync_batch_norm),
            layers.ReLU(),
            layers.Reshape((side, side, top))]
    for i in range(1, blocks):
        rows += [layers.Conv2DTranspose(top // 2 ** i, 4, strides=2, padding="same", use_bias=False),
                 layers.BatchNormalization(synchronized=sync_batch_norm),
                 layers.ReLU()]
    rows.append(layers.Conv2DTranspose(channels, 4, strides=2, padding="same", activation="tanh"))
    return keras.Sequential(rows, name=name or f"fast_generator_{resolution}x{resolution}x{channels}")


def discriminator(resolution: int = 28, channels: int = 1, width: int = 32, num_classes: Optional[int] = None,
                  name: Optional[str] = None) -> keras.Sequential:
    """Radford et al. 2015's DCGAN discriminator (arXiv:1511.06434) at ``resolution``, without batch norm.

    [resolution, resolution, channels] -> k times (Conv to twice the channels, from ``width`` (4, stride 2),
    leaky ReLU 0.2) -> Dense 1 (a logit), or Dense 1 + ``num_classes`` (the logit, then AC-GAN's class logits);
    k = 2 at 28 (to 7x7), 3 at 32 and 4 at 64 (to 4x4). No batch norm: the presets regularise D with R1, whose
    per-example input gradients batch statistics would mix.
    """
    _, blocks = _layout(resolution, channels)
    hidden = []
    for i in range(blocks):
        hidden += [layers.Conv2D(width * 2 ** i, 4, strides=2, padding="same"), layers.LeakyReLU(0.2)]
    return keras.Sequential(
        [keras.Input((resolution, resolution, channels)), *hidden, layers.Flatten(),
         layers.Dense(1 + (num_classes or 0))],
        name=name or f"fast_discriminator_{resolution}x{resolution}x{channels}",
    )


def mnist_generator(latent_dim: int = 100, width: int = 32, sync_batch_norm: bool = True,
                    num_classes: int = 0) -> keras.Sequential:
    """z -> Dense 7x7x(2 width) -> BN, ReLU -> ConvT width (4, stride 2) -> BN, ReLU -> ConvT 1 (4, stride 2),
    tanh: 28x28x1. With ``num_classes``, z -> [one-hot class of z, z_1..] first (``LatentClass``).

    :func:`generator` at 28x28x1, under the name the shipped generator and checkpoints carry."""
    return generator(latent_dim, 28, 1, width, num_classes, sync_batch_norm, name="fast_mnist_generator")


def mnist_discriminator(width: int = 32, num_classes: int = 0) -> keras.Sequential:
    """28x28x1 -> Conv width (4, stride 2), leaky ReLU -> Conv 2 width (4, stride 2), leaky ReLU -> Dense 1
    (a logit), or Dense 1 + ``num_classes`` (the logit, then class logits).

    :func:`discriminator` at 28x28x1, under the name checkpoints carry."""
    return discriminator(28, 1, width, num_classes, name="fast_mnist_discriminator")
