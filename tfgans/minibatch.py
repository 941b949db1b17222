"""Minibatch discrimination (Salimans et al. 2016, "Improved Techniques for Training GANs", arXiv:1606.03498,
sec. 3.2): a discriminator layer that sees the whole batch, so a generator that collapses to a few images is told.

:class:`MinibatchDiscrimination` takes part in data-dependent initialisation
(``tfgans.normalization.data_dependent_init``) through its ``initialize_from_batch``, as in the paper's reference code
(openai/improved-gan, ``nn.MinibatchLayer``).
"""

from __future__ import annotations

import numpy as np
import keras
from keras import ops

__all__ = ["MinibatchDiscrimination"]


def _assign(variable, value):
    variable.assign(ops.cast(value, variable.dtype))


@keras.saving.register_keras_serializable(package="tfgans")
class MinibatchDiscrimination(keras.layers.Layer):
    """Minibatch discrimination (Salimans et al. 2016, arXiv:1606.03498, sec. 3.2).

    For features ``f(x_i)`` [batch, A] and a tensor ``T`` [A, B, C] (B = ``num_kernels``,
    C = ``dim_per_kernel``): ``M_i = f(x_i) T`` [B, C]; ``c_b(x_i, x_j) = exp(-||M_i,b - M_j,b||_1)``;
    ``o(x_i)_b = sum_{j != i} c_b(x_i, x_j) + bias_b``; the output is ``concat([f(x_i), o(x_i)])``
    [batch, A + B]. As in the reference code (``nn.MinibatchLayer``) the sum leaves out ``j = i`` and a
    bias (initialised to -1) is added; inputs of rank > 2 are flattened first.

    Args:
        num_kernels: B, the number of closeness features (the paper: 100).
        dim_per_kernel: C, the size of each projection (the paper: 5).
        weight_norm: parameterise ``T = theta * exp(log_weight_scale) / ||theta||`` per (b, c) column,
            the norm taken over the input axis, as the reference code does; ``False`` learns ``T`` directly,
            as the paper writes it.
        kernel_initializer: initializer of ``theta`` (or ``T``); the reference draws N(0, 0.05^2).
        bias_initializer: initializer of the bias [B].
    """

    def __init__(self, num_kernels: int = 100, dim_per_kernel: int = 5, weight_norm: bool = True,
                 kernel_initializer=None, bias_initializer=None, **kwargs):
        super().__init__(**kwargs)
        if num_kernels < 1 or dim_per_kernel < 1:
            raise ValueError(f"MinibatchDiscrimination needs num_kernels >= 1 and dim_per_kernel >= 1, got "
                             f"{num_kernels} and {dim_per_kernel}.")
        self.num_kernels = int(num_kernels)
        self.dim_per_kernel = int(dim_per_kernel)
        self.weight_norm = bool(weight_norm)
        self.kernel_initializer = keras.initializers.get(
            kernel_initializer or keras.initializers.RandomNormal(stddev=0.05))
        self.bias_initializer = keras.initializers.get(bias_initializer or keras.initializers.Constant(-1.0))

    def build(self, input_shape):
        features = int(np.prod(input_shape[1:]))
        self.kernel = self.add_weight(name="kernel", shape=(features, self.num_kernels, self.dim_per_kernel),
                                      initializer=self.kernel_initializer)
        if self.weight_norm:
            self.log_weight_scale = self.add_weight(
                name="log_weight_scale", shape=(self.num_kernels, self.dim_per_kernel), initializer="zeros")
        self.bias = self.add_weight(name="bias", shape=(self.num_kernels,), initializer=self.bias_initializer)

    def _tensor(self):
        if not self.weight_norm:
            return self.kernel
        norm = ops.sqrt(ops.sum(ops.square(self.kernel), axis=0))
        return self.kernel * (ops.exp(self.log_weight_scale) / norm)[None]

    def _distances(self, inputs):
        """Flattened inputs [batch, A] and L1 distances [batch, B, batch] between all pairs."""
        x = ops.reshape(inputs, (ops.shape(inputs)[0], -1))
        m = ops.tensordot(x, self._tensor(), axes=[[1], [0]])  # [batch, B, C]
        diff = ops.expand_dims(m, -1) - ops.expand_dims(ops.transpose(m, (1, 2, 0)), 0)  # [batch, B, C, batch]
        return x, ops.sum(ops.abs(diff), axis=2)

    def _closeness(self, dist):
        batch = ops.shape(dist)[0]
        others = 1.0 - ops.eye(batch, dtype=dist.dtype)  # leave out c_b(x_i, x_i) = 1
        return ops.sum(ops.exp(-dist) * ops.expand_dims(others, 1), axis=2)  # [batch, B]

    def call(self, inputs):
        x, dist = self._distances(inputs)
        o = self._closeness(dist) + self.bias
        return ops.concatenate([x, ops.cast(o, x.dtype)], axis=-1)

    def initialize_from_batch(self, inputs, training=None):
        """Data-dependent initialisation as in the reference code (``nn.MinibatchLayer``, ``init=True``).

        Scales each kernel so the mean distance of an example to its nearest neighbour is 2, then sets the
        bias so ``o`` has mean 0 over the batch. Returns the layer's output with the new parameters.

        Args:
            inputs: a batch of at least 2 examples.
        """
        if not self.built:
            self.build(tuple(inputs.shape))
        if inputs.shape[0] is not None and inputs.shape[0] < 2:
            raise ValueError("MinibatchDiscrimination.initialize_from_batch needs a batch of at least 2 examples "
                             "(distances are between different examples).")
        _, dist = self._distances(ops.cast(inputs, self.variable_dtype))
        batch = ops.shape(dist)[0]
        masked = dist + 1e6 * ops.expand_dims(ops.eye(batch, dtype=dist.dtype), 1)
        scale = 0.5 * ops.mean(ops.min(masked, axis=2), axis=0)  # [B]
        if self.weight_norm:
            _assign(self.log_weight_scale, self.log_weight_scale - ops.log(scale)[:, None])
        else:
            _assign(self.kernel, self.kernel / scale[None, :, None])
        _, dist = self._distances(ops.cast(inputs, self.variable_dtype))
        _assign(self.bias, -ops.mean(self._closeness(dist), axis=0))
        return self(inputs)

    def compute_output_shape(self, input_shape):
        features = None if any(d is None for d in input_shape[1:]) else int(np.prod(input_shape[1:]))
        return (input_shape[0], None if features is None else features + self.num_kernels)

    def get_config(self):
        return {
            **super().get_config(),
            "num_kernels": self.num_kernels,
            "dim_per_kernel": self.dim_per_kernel,
            "weight_norm": self.weight_norm,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }
