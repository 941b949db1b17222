"""Layers the reports' nets need that Keras does not ship. Each implements ``get_config``."""

from __future__ import annotations

import keras
from keras import ops

__all__ = ["Maxout"]


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
