"""Differentiable augmentation of the discriminator's inputs: DiffAugment (Zhao et al. 2020, arXiv:2006.10738).

The same random transformation family ``T`` is applied to real and to generated images wherever the
discriminator sees them, in its own update (``D(T(x))``, ``D(T(G(z)))``) and in the generator's
(``D(T(G(z)))``), so the generator's gradient passes through ``T`` and it learns the un-augmented
distribution (Zhao et al., sec. 3, fig. 4). ``GAN(augment="translation,cutout")`` turns it on.

The policies are the paper's (its reference code, ``DiffAugment_tf.py``):

- ``color``: brightness (add U(-0.5, 0.5)), saturation (scale the deviation from the channel mean by U(0, 2))
  and contrast (scale the deviation from the image mean by U(0.5, 1.5)), each per image. ``brightness``
  alone is its first part (saturation does nothing to grayscale images).
- ``translation``: shift by up to 1/8 of the side, per image and axis, the uncovered pixels filled with 0.
- ``cutout``: zero a square of half the side at a random centre, per image.

The functions are pure and stateless: the randomness is a ``[batch, k]`` array of uniforms in ``[0, 1)``
(:func:`draw`, from a stateless seed), so a seed gives the same images every time and the replicas of a
distributed step can each take their rows of one global draw (``tfgans.distribute.replica_slice``).
``strength`` scales every magnitude (translation's shift, cutout's side, the colour ranges); 0 is the
identity.
"""

from __future__ import annotations

from typing import Tuple

import tensorflow as tf

__all__ = ["OPERATIONS", "POLICIES", "parse_policy", "num_draws", "draw", "apply", "diff_augment"]

#: Uniform draws per image of each operation.
OPERATIONS = {"brightness": 1, "saturation": 1, "contrast": 1, "translation": 2, "cutout": 2}

#: Policy names (the paper's, and ``brightness``) -> the operations they run, in order.
POLICIES = {"color": ("brightness", "saturation", "contrast"), "brightness": ("brightness",),
            "translation": ("translation",), "cutout": ("cutout",)}

TRANSLATION_RATIO = 0.125  # Zhao et al.'s: up to 1/8 of the side
CUTOUT_RATIO = 0.5  # Zhao et al.'s: a square of half the side


def parse_policy(policy) -> Tuple[str, ...]:
    """The operations of a policy, ``"translation,cutout"`` or a sequence of names, in the paper's order of
    application as written; ``None`` or ``""`` gives none.

    Raises:
        ValueError: an unknown policy name (the message lists the known ones).
    """
    if not policy:
        return ()
    names = policy.split(",") if isinstance(policy, str) else list(policy)
    operations = []
    for name in (n.strip() for n in names):
        if name not in POLICIES:
            raise ValueError(f"Unknown augmentation policy {name!r}: use a comma-separated list of "
                             f"{', '.join(sorted(POLICIES))} (Zhao et al. 2020's DiffAugment).")
        operations += POLICIES[name]
    return tuple(operations)


def num_draws(policy) -> int:
    """Uniforms per image the policy consumes (the width of :func:`draw`'s array)."""
    return sum(OPERATIONS[op] for op in parse_policy(policy))


def draw(n, policy, seed) -> tf.Tensor:
    """``[n, num_draws(policy)]`` uniforms in [0, 1) from a stateless ``seed`` [2]: one batch's randomness."""
    return tf.random.stateless_uniform(tf.stack([n, num_draws(policy)]), seed=seed, dtype=tf.float32)


def apply(images, policy, uniforms, strength: float = 1.0) -> tf.Tensor:
    """``images [N, H, W, C]`` transformed by ``policy`` with the randomness ``uniforms [N, num_draws]``
    (:func:`draw`); differentiable in ``images``. ``strength`` 0 returns them unchanged."""
    operations = parse_policy(policy)
    if not operations or strength == 0:
        return images
    if not strength > 0:
        raise ValueError(f"strength must be >= 0, got {strength}.")
    x = images
    uniforms = tf.cast(uniforms, tf.float32)
    column = 0
    for op in operations:
        u = uniforms[:, column:column + OPERATIONS[op]]
        column += OPERATIONS[op]
        x = _OPS[op](x, u, strength)
    return x


def diff_augment(images, policy, seed, strength: float = 1.0) -> tf.Tensor:
    """:func:`apply` with a fresh :func:`draw` from ``seed`` for the batch."""
    if not parse_policy(policy):
        return images
    return apply(images, policy, draw(tf.shape(images)[0], policy, seed), strength)


def _per_image(u, dtype):
    return tf.cast(tf.reshape(u, [-1, 1, 1, 1]), dtype)


def _brightness(x, u, strength):
    return x + _per_image(u - 0.5, x.dtype) * strength


def _saturation(x, u, strength):
    mean = tf.reduce_mean(x, axis=3, keepdims=True)
    return (x - mean) * (1.0 + _per_image(2.0 * u - 1.0, x.dtype) * strength) + mean


def _contrast(x, u, strength):
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    return (x - mean) * (1.0 + _per_image(u - 0.5, x.dtype) * strength) + mean


def _integers(u, low, high):
    """Integers uniform in [low, high] from uniforms in [0, 1)."""
    return low + tf.minimum(tf.cast(tf.floor(u * (high - low + 1)), tf.int32), high - low)


def _translation(x, u, strength):
    for axis in (1, 2):
        side = x.shape[axis]
        shift = int(side * TRANSLATION_RATIO * strength + 0.5)
        if shift == 0:
            continue
        offsets = _integers(u[:, axis - 1:axis], -shift, shift)  # [N, 1]
        # Output pixel i reads input i + offset, or the 0 of the padding beyond the edge.
        index = tf.clip_by_value(tf.range(side)[None, :] + offsets + 1, 0, side + 1)  # [N, side]
        paddings = [[0, 0], [0, 0], [0, 0], [0, 0]]
        paddings[axis] = [1, 1]
        x = tf.gather(tf.pad(x, paddings), index, axis=axis, batch_dims=1)
    return x


def _cutout(x, u, strength):
    height, width = x.shape[1], x.shape[2]
    masks = []
    for k, side in enumerate((height, width)):
        size = int(side * CUTOUT_RATIO * strength + 0.5)
        if size == 0:
            return x
        # The paper's centres: 0 .. side - 1 + (1 - size % 2), the square clipped at the edges.
        start = _integers(u[:, k:k + 1], 0, side - size % 2) - size // 2  # [N, 1]
        where = tf.range(side)[None, :]
        masks.append(tf.logical_and(where >= start, where < start + size))  # [N, side]
    inside = tf.logical_and(masks[0][:, :, None], masks[1][:, None, :])  # [N, H, W]
    return x * tf.cast(tf.logical_not(inside), x.dtype)[..., None]


_OPS = {"brightness": _brightness, "saturation": _saturation, "contrast": _contrast,
        "translation": _translation, "cutout": _cutout}
