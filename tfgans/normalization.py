"""Weight normalisation and virtual batch normalisation, the normalisations of Salimans et al.'s GANs.

- :class:`WeightNormDense`, :class:`WeightNormConv2D`, :class:`WeightNormConv2DTranspose`: weight
  normalisation (Salimans & Kingma 2016, arXiv:1602.07868) as the reference code of Salimans et al. 2016
  (arXiv:1606.03498) uses it (openai/improved-gan, ``mnist_svhn_cifar10/nn.py``: ``DenseLayer``,
  ``WeightNormLayer``), with the data-dependent initialisation as an explicit step, :func:`data_dependent_init`.
- :class:`VirtualBatchNormalization` (Salimans et al. 2016, sec. 3.4) and :class:`ReferenceBatchModel`, which
  feeds it the reference batch fixed at the start.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import keras
from keras import ops

__all__ = [
    "WeightNormDense",
    "WeightNormConv2D",
    "WeightNormConv2DTranspose",
    "VirtualBatchNormalization",
    "ReferenceBatchModel",
    "data_dependent_init",
]

# A unit whose pre-activations are constant on the init batch (a dead input pixel) would get an infinite
# scale; this floor keeps data-dependent initialisation finite there.
_INIT_EPS = 1e-8


def _assign(variable, value):
    variable.assign(ops.cast(value, variable.dtype))


# --- weight normalisation ------------------------------------------------------------------------------


class _WeightNorm(keras.layers.Layer):
    """``W = g * V / ||V||`` per output unit, ``y = act(x W + b)`` (Salimans & Kingma 2016, arXiv:1602.07868).

    Subclasses set ``_kernel_shape(in_dim)``, ``_norm_axes`` (the axes of V summed per output unit) and
    ``_apply(inputs, kernel)``.
    """

    _norm_axes: Sequence[int] = ()

    def __init__(self, units: int, activation=None, use_bias: bool = True, kernel_initializer=None,
                 bias_initializer="zeros", train_scale: bool = False, init_scale: float = 1.0,
                 data_init: bool = True, epsilon: float = 1e-6, **kwargs):
        super().__init__(**kwargs)
        if units < 1:
            raise ValueError(f"{type(self).__name__} needs at least 1 output unit, got {units}.")
        if not init_scale > 0:
            raise ValueError(f"init_scale must be positive, got {init_scale}.")
        self.units = int(units)
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(
            kernel_initializer or keras.initializers.RandomNormal(stddev=0.05))
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.train_scale = bool(train_scale)
        self.init_scale = float(init_scale)
        self.data_init = bool(data_init)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=self._kernel_shape(int(input_shape[-1])),
                                      initializer=self.kernel_initializer)
        self.scale = self.add_weight(name="scale", shape=(self.units,), initializer="ones",
                                     trainable=self.train_scale)
        self.bias = (self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer)
                     if self.use_bias else None)

    def normalized_kernel(self):
        """``g * V / sqrt(eps + sum V^2)``, the norm over every axis of V but the output unit's."""
        scale_shape = [1] * len(self.kernel.shape)
        scale_shape[self._unit_axis] = self.units
        return self.kernel * ops.reshape(self.unit_factors(), scale_shape)

    def unit_factors(self):
        """``g / sqrt(eps + sum V^2)`` per output unit: ``[units]``."""
        return self.scale / ops.sqrt(self.epsilon + ops.sum(ops.square(self.kernel), axis=self._norm_axes))

    def call(self, inputs):
        # x (V * f) = (x V) * f for a factor f per output unit (channels last): scaling the outputs, not the
        # kernel, spares a pass over V and its gradient in each call, 1.07-1.28x the semi-supervised MNIST
        # training step, whose discriminator runs five times a step (benchmarks/semisup_layers.py).
        outputs = self._apply(inputs, self.kernel) * self.unit_factors()
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def initialize_from_batch(self, inputs, training=None):
        """Data-dependent initialisation (reference code: ``nn.DenseLayer`` / ``nn.WeightNormLayer`` with
        ``init=True``): the pre-activations of this batch get mean 0 and standard deviation ``init_scale``
        per output unit, by ``g <- g * init_scale / std`` and ``b <- -mean * init_scale / std``.

        A layer built with ``data_init=False`` (the reference's ``l2normalize``, which has no init) is only
        applied. Returns the layer's output with the new parameters, the next layer's init input.
        """
        if not self.built:
            self.build(tuple(inputs.shape))
        if not self.data_init:
            return self(inputs)
        # In the variables' dtype (float32 under mixed precision): these statistics set the weights.
        pre = self._apply(ops.cast(inputs, self.variable_dtype), self.normalized_kernel())
        axes = tuple(range(len(pre.shape) - 1))
        mean = ops.mean(pre, axis=axes)
        std = ops.sqrt(ops.mean(ops.square(pre - mean), axis=axes) + _INIT_EPS)
        inv = self.init_scale / std
        _assign(self.scale, self.scale * inv)
        if self.use_bias:
            _assign(self.bias, -mean * inv)
        return self(inputs)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "train_scale": self.train_scale,
            "init_scale": self.init_scale,
            "data_init": self.data_init,
            "epsilon": self.epsilon,
        }


@keras.saving.register_keras_serializable(package="tfgans")
class WeightNormDense(_WeightNorm):
    """Weight-normalised dense layer: ``y = act(x (g * V / ||V||) + b)``, norms per output unit.

    The MNIST nets of the reference code (openai/improved-gan, ``nn.DenseLayer`` and ``nn.l2normalize``) use
    it. By default, as there, the scale ``g`` is set by data-dependent initialisation and then kept fixed;
    ``train_scale=True`` trains it (the reference's last discriminator layer and ``l2normalize``).

    Args:
        units: output units.
        activation: a Keras activation (the reference's hidden layers: ``"relu"``).
        use_bias: add the bias ``b``.
        kernel_initializer: initializer of V [in, units]; default N(0, 0.05^2) (the reference's MNIST
            discriminator uses N(0, 0.1^2)).
        train_scale: train the scale ``g`` [units] with the other weights.
        init_scale: the standard deviation data-dependent initialisation gives the pre-activations
            (the reference: 1, and 0.1 for the CIFAR-10 output layers).
        data_init: take part in :func:`data_dependent_init` (``False`` for ``l2normalize`` layers).
        epsilon: added under the square root of ``||V||^2`` (the reference's 1e-6).
    """

    _unit_axis = -1
    _norm_axes = (0,)

    def __init__(self, units: int, activation=None, **kwargs):
        super().__init__(units, activation, **kwargs)

    def _kernel_shape(self, in_dim):
        return (in_dim, self.units)

    def _apply(self, inputs, kernel):
        return ops.matmul(inputs, kernel)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)


def _padding(padding):
    if isinstance(padding, str):
        if padding.lower() not in ("same", "valid"):
            raise ValueError(f"padding must be 'same', 'valid' or a number of pixels, got {padding!r}.")
        return padding.lower()
    if int(padding) < 0:
        raise ValueError(f"padding must be non-negative, got {padding}.")
    return int(padding)


class _WeightNormConv(_WeightNorm):
    """A weight-normalised 2-D convolution of ``filters`` output channels, channels last. Subclasses check the
    padding (``_check_padding``) and give an output side from an input side (``_side(n, kernel, stride)``)."""

    def __init__(self, filters: int, kernel_size, strides=1, padding="same", activation=None, **kwargs):
        super().__init__(filters, activation, **kwargs)
        self.kernel_size = tuple(int(k) for k in np.broadcast_to(kernel_size, 2))
        self.strides = tuple(int(s) for s in np.broadcast_to(strides, 2))
        self.padding = self._check_padding(padding)

    @property
    def filters(self):
        return self.units

    def compute_output_shape(self, input_shape):
        sides = [None if n is None else self._side(n, k, s)
                 for n, k, s in zip(input_shape[1:3], self.kernel_size, self.strides)]
        return (input_shape[0], *sides, self.units)

    def get_config(self):
        config = super().get_config()
        config["filters"] = config.pop("units")
        return {**config, "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding}


@keras.saving.register_keras_serializable(package="tfgans")
class WeightNormConv2D(_WeightNormConv):
    """Weight-normalised 2-D convolution (reference: ``nn.weight_norm(dnn.Conv2DDNNLayer(...))``).

    Channels last; the kernel V [kh, kw, in, filters] is normalised per filter.

    Args:
        filters: output channels.
        kernel_size: an int or ``(kh, kw)``.
        strides: an int or ``(sh, sw)``.
        padding: ``"same"``, ``"valid"`` or an int: that many zero pixels on every side, then a valid
            convolution (Lasagne's ``pad=1``; with stride 2 it keeps the reference's alignment, which
            ``"same"`` shifts by one pixel).
        activation, use_bias, kernel_initializer, train_scale, init_scale, data_init, epsilon: as
            :class:`WeightNormDense`.
    """

    _unit_axis = -1
    _norm_axes = (0, 1, 2)
    _check_padding = staticmethod(_padding)

    def _kernel_shape(self, in_dim):
        return self.kernel_size + (in_dim, self.units)

    def _apply(self, inputs, kernel):
        padding = self.padding
        if isinstance(padding, int):
            if padding:
                inputs = ops.pad(inputs, [[0, 0], [padding, padding], [padding, padding], [0, 0]])
            padding = "valid"
        return ops.conv(inputs, kernel, strides=self.strides, padding=padding)

    def _side(self, n, k, s):
        if self.padding == "same":
            return -(-n // s)
        pad = 0 if self.padding == "valid" else 2 * self.padding
        return (n + pad - k) // s + 1


@keras.saving.register_keras_serializable(package="tfgans")
class WeightNormConv2DTranspose(_WeightNormConv):
    """Weight-normalised transposed convolution (reference: ``nn.weight_norm(nn.Deconv2DLayer(...))``).

    Channels last; the kernel V [kh, kw, filters, in] is normalised per output filter, as the reference
    normalises its ``Deconv2DLayer`` per target channel. ``"same"`` padding with stride s multiplies the
    height and width by s, the reference's target shape.

    Args:
        filters: output channels.
        kernel_size, strides: ints or pairs.
        padding: ``"same"`` or ``"valid"``.
        activation, use_bias, kernel_initializer, train_scale, init_scale, data_init, epsilon: as
            :class:`WeightNormDense`.
    """

    _unit_axis = -2
    _norm_axes = (0, 1, 3)

    @staticmethod
    def _check_padding(padding):
        if not isinstance(padding, str) or padding.lower() not in ("same", "valid"):
            raise ValueError(f"WeightNormConv2DTranspose padding must be 'same' or 'valid', got {padding!r}.")
        return padding.lower()

    def _kernel_shape(self, in_dim):
        return self.kernel_size + (self.units, in_dim)

    def _apply(self, inputs, kernel):
        return ops.conv_transpose(inputs, kernel, strides=self.strides, padding=self.padding)

    def _side(self, n, k, s):
        return n * s if self.padding == "same" else n * s + max(k - s, 0)


# --- virtual batch normalisation -----------------------------------------------------------------------------


@keras.saving.register_keras_serializable(package="tfgans")
class VirtualBatchNormalization(keras.layers.Layer):
    """Virtual batch normalisation (Salimans et al. 2016, arXiv:1606.03498, sec. 3.4).

    Each example is normalised with the statistics of a reference batch fixed at the start of training,
    combined with the example itself, so an example's output does not depend on the rest of its batch.

    The layer sees the reference batch as the first ``reference_size`` rows of its input (wrap the net in
    :class:`ReferenceBatchModel`, which prepends it and drops it from the output): the reference rows are
    normalised with their own statistics; every other row ``x`` with mean
    ``mu = (mean(x) + R * mu_ref) / (R + 1)`` and variance ``E[x^2] - mu^2`` formed the same way, where
    ``mean(x)`` is over the example's spatial positions (the form of the paper's reference VBN and of
    TF-GAN's ``VBN``). Then ``gamma * x_hat + beta`` per channel.

    Args:
        reference_size: R, rows of the reference batch at the front of every input.
        epsilon: added to the variance.
        center, scale: learn ``beta`` / ``gamma``.
    """

    def __init__(self, reference_size: int, epsilon: float = 1e-5, center: bool = True, scale: bool = True,
                 **kwargs):
        super().__init__(**kwargs)
        if reference_size < 1:
            raise ValueError(f"reference_size must be at least 1, got {reference_size}.")
        self.reference_size = int(reference_size)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)

    def build(self, input_shape):
        channels = int(input_shape[-1])
        self.gamma = self.add_weight(name="gamma", shape=(channels,), initializer="ones") if self.scale else None
        self.beta = self.add_weight(name="beta", shape=(channels,), initializer="zeros") if self.center else None

    def call(self, inputs):
        r = self.reference_size
        ref, x = inputs[:r], inputs[r:]
        axes = tuple(range(1, len(inputs.shape) - 1))  # an example's spatial positions
        ref_mean = ops.mean(ref, axis=(0,) + axes, keepdims=True)
        ref_mean_sq = ops.mean(ops.square(ref), axis=(0,) + axes, keepdims=True)
        new = 1.0 / (r + 1.0)
        mean = new * ops.mean(x, axis=axes, keepdims=True) + (1.0 - new) * ref_mean
        mean_sq = new * ops.mean(ops.square(x), axis=axes, keepdims=True) + (1.0 - new) * ref_mean_sq
        ref_out = self._normalize(ref, ref_mean, ref_mean_sq)
        return ops.concatenate([ref_out, self._normalize(x, mean, mean_sq)], axis=0)

    def _normalize(self, x, mean, mean_sq):
        out = (x - mean) / ops.sqrt(ops.maximum(mean_sq - ops.square(mean), 0.0) + self.epsilon)
        if self.scale:
            out = out * self.gamma
        if self.center:
            out = out + self.beta
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "reference_size": self.reference_size, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale}


def _vbn_layers(model):
    found = []
    for layer in getattr(model, "layers", []):
        if isinstance(layer, VirtualBatchNormalization):
            found.append(layer)
        found.extend(_vbn_layers(layer))
    return found


@keras.saving.register_keras_serializable(package="tfgans")
class ReferenceBatchModel(keras.Model):
    """Runs a net that holds :class:`VirtualBatchNormalization` layers with its fixed reference batch.

    ``y = net(concat([reference, x]))[R:]``: the reference batch (a non-trainable weight, saved with the
    model) goes through the net with every batch, so each VBN layer gets its statistics at the current
    parameters, as in the paper (the reference batch costs a forward pass of its own each step).

    Args:
        net: the wrapped model; all its VBN layers must have ``reference_size == len(reference)``.
        reference: [R, ...] the reference batch, drawn once at the start of training (for a generator, a
            fixed batch of latent vectors; for a discriminator, real images).
    """

    def __init__(self, net: keras.Model, reference, **kwargs):
        super().__init__(**kwargs)
        reference = np.asarray(reference, dtype="float32")
        sizes = {layer.reference_size for layer in _vbn_layers(net)}
        if not sizes:
            raise ValueError(f"Net {net.name!r} has no VirtualBatchNormalization layer; it needs no reference batch.")
        if sizes != {len(reference)}:
            raise ValueError(
                f"The reference batch has {len(reference)} rows but the VirtualBatchNormalization layers of "
                f"{net.name!r} expect reference_size {sorted(sizes)}. Build them with "
                f"reference_size={len(reference)}."
            )
        self.net = net
        self.reference = self.add_weight(name="reference", shape=reference.shape, trainable=False,
                                         initializer=keras.initializers.Constant(reference))

    def call(self, inputs, training=None):
        r = self.reference.shape[0]
        out = self.net(ops.concatenate([ops.cast(self.reference, inputs.dtype), inputs], axis=0),
                       training=training)
        return out[r:]

    def get_config(self):
        return {**super().get_config(), "net": keras.saving.serialize_keras_object(self.net),
                "reference": np.asarray(self.reference.numpy()).tolist()}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["net"] = keras.saving.deserialize_keras_object(config["net"])
        return cls(**config)


# --- data-dependent initialisation ---------------------------------------------------------------------------


def data_dependent_init(model: keras.Model, inputs, training: bool = True):
    """Data-dependent initialisation of a net's weight-normalised layers (Salimans & Kingma 2016, sec. 3).

    Walks a ``keras.Sequential`` (nested Sequentials too) layer by layer with one batch, as the reference
    code's ``init_param`` pass does (``get_output(..., init=True)``): a layer with an
    ``initialize_from_batch`` method (:class:`WeightNormDense` and the conv layers, and
    :class:`tfgans.minibatch.MinibatchDiscrimination`) resets its scale and bias so its pre-activations on this
    batch are standardised, and the next layer sees the re-initialised output. Other layers just run, with
    ``training`` (the reference runs noise and dropout during init: ``deterministic=False``).

    Args:
        model: a Sequential with an ``Input``.
        inputs: [batch, ...] one batch (the reference uses 500 training images for the discriminator and one
            batch of latent vectors for the generator).
        training: the mode of the other layers during the pass.

    Returns:
        The model's output on ``inputs`` after initialisation.

    Raises:
        TypeError: ``model`` is not a Sequential (call each layer's ``initialize_from_batch`` in order then).
    """
    if not isinstance(model, keras.Sequential):
        raise TypeError(
            f"data_dependent_init walks a keras.Sequential layer by layer; {model.name!r} is a "
            f"{type(model).__name__}. For other models call layer.initialize_from_batch(x) on each "
            "weight-normalised layer in the order of the forward pass."
        )
    x = ops.convert_to_tensor(inputs)
    for layer in model.layers:
        if isinstance(layer, keras.Sequential):
            x = data_dependent_init(layer, x, training)
        elif hasattr(layer, "initialize_from_batch"):
            x = layer.initialize_from_batch(x, training=training)
        else:
            x = layer(x, training=training)
    return x
