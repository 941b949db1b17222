"""Layers the reports' nets need that Keras does not ship, Keras' random layers made replica-aware, and the
class a latent vector carries for a class-conditional generator. Each implements ``get_config``."""

from __future__ import annotations

import keras
from keras import ops

__all__ = ["Maxout", "Dropout", "GaussianNoise", "LatentClass", "latent_class"]


@keras.saving.register_keras_serializable(package="tfgans")
class Maxout(keras.layers.Layer):
    """Maxout dense layer (Goodfellow et al. 2013, arXiv:1302.4389): ``h_i = max_j (x W_ij + b_ij)``.

    Args:
        units: output units.
        num_pieces: linear pieces per unit; the layer holds ``units * num_pieces`` affine maps.
        kernel_initializer: initializer of the ``[in, units * num_pieces]`` kernel.
    """

    def __init__(self, units: int, num_pieces: int, kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        if units < 1 or num_pieces < 1:
            raise ValueError(f"Maxout needs units >= 1 and num_pieces >= 1, got {units} and {num_pieces}.")
        self.units = int(units)
        self.num_pieces = int(num_pieces)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.dense = keras.layers.Dense(units * num_pieces, kernel_initializer=self.kernel_initializer)

    def build(self, input_shape):
        self.dense.build(input_shape)

    def call(self, inputs):
        pieces = self.dense(inputs)
        pieces = ops.reshape(pieces, (-1, self.units, self.num_pieces))
        return ops.max(pieces, axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "num_pieces": self.num_pieces,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }


def _per_example_draw(draw, inputs):
    """``draw(shape)`` for ``inputs``' shape, each replica taking its examples' rows of one draw for the global
    batch (:func:`tfgans.distribute.replica_slice`)."""
    import tensorflow as tf

    from tfgans.distribute import replica_slice

    shape = tf.shape(inputs)
    return replica_slice(lambda n: draw(tf.concat([[n], shape[1:]], 0)), shape[0])


def _scaled_keep_mask(shape, rate: float, seed, dtype):
    """``1 / (1 - rate)`` where a unit is kept and 0 where it is dropped, for ``shape`` (a tensor).

    One 16-bit draw per unit, two to a 32-bit draw: half the Philox work of the float32 uniform Keras draws,
    with which the Sun discriminator's first dropout layer took 5x the time of the convolution before it
    (``benchmarks/bf16_layers.py``); the layer is now 1.5x faster. A unit is dropped with probability
    ``round(rate * 2^16) / 2^16``, within 2^-17 of ``rate``.
    """
    import tensorflow as tf

    size = tf.reduce_prod(shape)
    words = tf.random.stateless_uniform([(size + 1) // 2], seed=seed, minval=None, maxval=None, dtype=tf.uint32)
    halves = tf.reshape(tf.bitcast(words, tf.uint16), [-1])[:size]
    keep = tf.reshape(halves, shape) >= tf.constant(min(round(rate * 2**16), 2**16 - 1), tf.uint16)
    return tf.where(keep, tf.constant(1.0 / (1.0 - rate), dtype), tf.constant(0.0, dtype))


def _normal(shape, stddev: float, seed, dtype):
    """``N(0, stddev^2)`` draws of ``shape`` (a tensor) by the Box-Muller transform of stateless uniform pairs,
    ``r = sqrt(-2 log(1 - u1))``, ``(r cos(2 pi u2), r sin(2 pi u2))``, both outputs used.

    Written with vectorised element-wise ops, it draws 2x as fast on a CPU as ``tf.random.stateless_normal``
    (whose kernel transforms one pair at a time): the noise layers of the semi-supervised MNIST discriminator
    took more than half of its forward pass (``benchmarks/README.md``, "Semi-supervised runs"). ``1 - u1``
    is at least 2^-24, so draws are within 5.8 standard deviations, as float32 Box-Muller samplers are.
    """
    import math

    import tensorflow as tf

    size = tf.reduce_prod(shape)
    u = tf.random.stateless_uniform([2, (size + 1) // 2], seed=seed, dtype=tf.float32)
    radius = tf.sqrt(-2.0 * tf.math.log1p(-u[0]))
    angle = (2.0 * math.pi) * u[1]
    z = tf.concat([radius * tf.cos(angle), radius * tf.sin(angle)], axis=0)[:size]
    return tf.cast(tf.reshape(z * stddev, shape), dtype)


@keras.saving.register_keras_serializable(package="tfgans")
class Dropout(keras.layers.Dropout):
    """Keras' ``Dropout`` whose mask is the replica's slice of one mask for the global batch.

    Keras' layer draws a mask the size of the replica's batch from a seed state every replica shares, so under
    ``tf.distribute`` all replicas drop the same units of their examples (correlated masks, and other masks than
    one device draws). Here the examples of the global batch get the masks one device would draw for them.
    A ``noise_shape`` (or a rate of 1) falls back to Keras' draw.
    """

    def call(self, inputs, training=False):
        if not training or not 0 < self.rate < 1 or self.noise_shape is not None:
            return super().call(inputs, training=training)
        import tensorflow as tf

        # The seed Keras' own draws take from the layer's generator (keras.src.backend.tensorflow.random).
        seed = tf.cast(tf.math.floormod(self.seed_generator.next(), tf.int32.max - 1), tf.int32)
        mask = _per_example_draw(lambda shape: _scaled_keep_mask(shape, self.rate, seed, inputs.dtype), inputs)
        return inputs * mask


@keras.saving.register_keras_serializable(package="tfgans")
class GaussianNoise(keras.layers.GaussianNoise):
    """Keras' ``GaussianNoise`` whose noise is the replica's slice of one draw for the global batch (see
    :class:`Dropout`), drawn by :func:`_normal`."""

    def call(self, inputs, training=False):
        if not training or self.stddev <= 0:
            return inputs
        import tensorflow as tf

        seed = tf.cast(tf.math.floormod(self.seed_generator.next(), tf.int32.max - 1), tf.int32)
        noise = _per_example_draw(lambda shape: _normal(shape, self.stddev, seed, inputs.dtype), inputs)
        return inputs + noise


def latent_class(z, num_classes: int):
    """The class that a latent vector ``z ~ N(0, I)`` carries in its first coordinate: ``floor(K * Phi(z_0))``,
    with ``Phi`` the standard normal CDF, so the K classes are equally likely under the prior. ``[batch]`` int32.

    A class-conditional generator then keeps the unconditional interface ``G(z)``: sampling, evaluation and
    the export draw a balanced mix of classes from the prior alone (``tfgans.models.ACGAN``).
    """
    u = 0.5 * (1.0 + ops.erf(ops.cast(z[:, 0], "float32") / 2.0**0.5))
    return ops.clip(ops.cast(ops.floor(u * num_classes), "int32"), 0, num_classes - 1)


@keras.saving.register_keras_serializable(package="tfgans")
class LatentClass(keras.layers.Layer):
    """``z -> [one_hot(latent_class(z)), z_1, ..., z_{d-1}]``: a class-conditional generator's first layer. AC-GAN's
    generator takes a class and noise (Odena et al. 2017, arXiv:1610.09585, sec. 3); here the class is read off
    ``z_0`` (:func:`latent_class`) and enters as a one-hot vector beside the rest of ``z``. The layer does not
    cast ``z`` to a mixed policy's 16-bit type, so its class is the one the flavor computes from the same ``z``."""

    def __init__(self, num_classes: int, **kwargs):
        kwargs.setdefault("autocast", False)
        super().__init__(**kwargs)
        if int(num_classes) != num_classes or num_classes < 2:
            raise ValueError(f"num_classes must be an integer >= 2, got {num_classes}.")
        self.num_classes = int(num_classes)

    def call(self, z):
        one_hot = ops.one_hot(latent_class(z, self.num_classes), self.num_classes, dtype=z.dtype)
        return ops.concatenate([one_hot, z[:, 1:]], axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None if input_shape[1] is None else input_shape[1] - 1 + self.num_classes)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}
