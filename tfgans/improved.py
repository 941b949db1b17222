"""The training tricks of Salimans et al. 2016, "Improved Techniques for Training GANs" (arXiv:1606.03498).

Each piece works with any flavor and any net:

- :class:`MinibatchDiscrimination` (sec. 3.2): a layer that lets the discriminator look at the whole batch.
- :class:`WeightNormDense`, :class:`WeightNormConv2D`, :class:`WeightNormConv2DTranspose`: weight
  normalisation (Salimans & Kingma 2016, arXiv:1602.07868) as the paper's reference code uses it
  (openai/improved-gan, ``mnist_svhn_cifar10/nn.py``: ``DenseLayer``, ``WeightNormLayer``), with the
  data-dependent initialisation as an explicit step, :func:`data_dependent_init`.
- :class:`VirtualBatchNormalization` (sec. 3.4) and :class:`ReferenceBatchModel`, which feeds it the
  reference batch fixed at the start.
- :func:`feature_model` (sec. 3.1): the intermediate discriminator layer that feature matching
  (``tfgans.losses.feature_matching_loss``) compares.
- :class:`HistoricalAverage` (sec. 3.3): running averages of parameters for
  ``tfgans.penalties.historical_averaging_penalty``.
- :class:`ParameterEMA`: the exponential moving average of parameters the reference code tests with.
- :class:`LinearDecayLastThird`: the reference's CIFAR-10 learning-rate schedule.

One-sided label smoothing (sec. 3.4) is ``tfgans.losses.minimax_discriminator_loss(label_smoothing=0.1)``.
Gaussian noise layers (the reference's ``GaussianNoiseLayer``: noise whenever the pass is not
deterministic) are ``tfgans.layers.GaussianNoise``, which adds noise exactly when ``training=True``.
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import numpy as np
import keras
from keras import ops

__all__ = [
    "MinibatchDiscrimination",
    "WeightNormDense",
    "WeightNormConv2D",
    "WeightNormConv2DTranspose",
    "VirtualBatchNormalization",
    "ReferenceBatchModel",
    "data_dependent_init",
    "feature_model",
    "HistoricalAverage",
    "ParameterEMA",
    "LinearDecayLastThird",
]

# A unit whose pre-activations are constant on the init batch (a dead input pixel) would get an infinite
# scale; this floor keeps data-dependent initialisation finite there.
_INIT_EPS = 1e-8


def _assign(variable, value):
    variable.assign(ops.cast(value, variable.dtype))


# --- minibatch discrimination ------------------------------------------------------------------------------


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
        norm = ops.sqrt(self.epsilon + ops.sum(ops.square(self.kernel), axis=self._norm_axes, keepdims=True))
        scale_shape = [1] * len(self.kernel.shape)
        scale_shape[self._unit_axis] = self.units
        return self.kernel * ops.reshape(self.scale, scale_shape) / norm

    def call(self, inputs):
        outputs = self._apply(inputs, self.normalized_kernel())
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


@keras.saving.register_keras_serializable(package="tfgans")
class WeightNormConv2D(_WeightNorm):
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

    def __init__(self, filters: int, kernel_size, strides=1, padding="same", activation=None, **kwargs):
        super().__init__(filters, activation, **kwargs)
        self.kernel_size = tuple(int(k) for k in np.broadcast_to(kernel_size, 2))
        self.strides = tuple(int(s) for s in np.broadcast_to(strides, 2))
        self.padding = _padding(padding)

    @property
    def filters(self):
        return self.units

    def _kernel_shape(self, in_dim):
        return self.kernel_size + (in_dim, self.units)

    def _apply(self, inputs, kernel):
        padding = self.padding
        if isinstance(padding, int):
            if padding:
                inputs = ops.pad(inputs, [[0, 0], [padding, padding], [padding, padding], [0, 0]])
            padding = "valid"
        return ops.conv(inputs, kernel, strides=self.strides, padding=padding)

    def compute_output_shape(self, input_shape):
        def size(n, k, s):
            if n is None:
                return None
            if self.padding == "same":
                return -(-n // s)
            pad = 0 if self.padding == "valid" else 2 * self.padding
            return (n + pad - k) // s + 1

        return (input_shape[0], size(input_shape[1], self.kernel_size[0], self.strides[0]),
                size(input_shape[2], self.kernel_size[1], self.strides[1]), self.units)

    def get_config(self):
        config = super().get_config()
        config["filters"] = config.pop("units")
        return {**config, "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding}


@keras.saving.register_keras_serializable(package="tfgans")
class WeightNormConv2DTranspose(_WeightNorm):
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

    def __init__(self, filters: int, kernel_size, strides=1, padding="same", activation=None, **kwargs):
        super().__init__(filters, activation, **kwargs)
        self.kernel_size = tuple(int(k) for k in np.broadcast_to(kernel_size, 2))
        self.strides = tuple(int(s) for s in np.broadcast_to(strides, 2))
        if not isinstance(padding, str) or padding.lower() not in ("same", "valid"):
            raise ValueError(f"WeightNormConv2DTranspose padding must be 'same' or 'valid', got {padding!r}.")
        self.padding = padding.lower()

    @property
    def filters(self):
        return self.units

    def _kernel_shape(self, in_dim):
        return self.kernel_size + (self.units, in_dim)

    def _apply(self, inputs, kernel):
        return ops.conv_transpose(inputs, kernel, strides=self.strides, padding=self.padding)

    def compute_output_shape(self, input_shape):
        def size(n, k, s):
            if n is None:
                return None
            return n * s if self.padding == "same" else n * s + max(k - s, 0)

        return (input_shape[0], size(input_shape[1], self.kernel_size[0], self.strides[0]),
                size(input_shape[2], self.kernel_size[1], self.strides[1]), self.units)

    def get_config(self):
        config = super().get_config()
        config["filters"] = config.pop("units")
        return {**config, "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding}


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


# --- data-dependent initialisation, feature matching ---------------------------------------------------------


def data_dependent_init(model: keras.Model, inputs, training: bool = True):
    """Data-dependent initialisation of a net's weight-normalised layers (Salimans & Kingma 2016, sec. 3).

    Walks a ``keras.Sequential`` (nested Sequentials too) layer by layer with one batch, as the reference
    code's ``init_param`` pass does (``get_output(..., init=True)``): a layer with an
    ``initialize_from_batch`` method (:class:`WeightNormDense` and the conv layers, and
    :class:`MinibatchDiscrimination`) resets its scale and bias so its pre-activations on this batch are
    standardised, and the next layer sees the re-initialised output. Other layers just run, with
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


def feature_model(discriminator: keras.Model, layer: Union[int, str]) -> keras.Model:
    """The discriminator up to an intermediate layer, for feature matching (Salimans et al. 2016, sec. 3.1).

    The returned model shares the discriminator's layers (and weights): ``f(x)`` in
    ``||E f(x) - E f(G(z))||^2``.

    Args:
        discriminator: a built Sequential or functional model (with an ``Input``).
        layer: the layer's name, or its index in ``discriminator.layers`` (negative counts from the end;
            the reference code's MNIST net matches ``layers[-3]``, its CIFAR-10 net ``layers[-2]``).

    Raises:
        ValueError: no such layer, or the discriminator has no symbolic input to build from.
    """
    if not getattr(discriminator, "inputs", None):
        raise ValueError(
            f"Cannot build a feature model from {discriminator.name!r}: it has no Input. Start the Sequential "
            "with keras.Input(shape) so its intermediate layers have symbolic outputs."
        )
    names = [l.name for l in discriminator.layers]
    if isinstance(layer, str):
        if layer not in names:
            raise ValueError(f"The discriminator {discriminator.name!r} has no layer named {layer!r}. "
                             f"Its layers: {', '.join(names)}.")
        target = discriminator.get_layer(layer)
    else:
        index = int(layer)
        if not -len(names) <= index < len(names):
            raise ValueError(f"Feature layer index {index} is out of range for {discriminator.name!r}, which "
                             f"has {len(names)} layers ({', '.join(names)}).")
        target = discriminator.layers[index]
    return keras.Model(discriminator.inputs, target.output, name=f"{discriminator.name}_features")


# --- parameter averages --------------------------------------------------------------------------------------


def _untracked(layer, name, variables):
    # A list kept past Keras' attribute tracking: the averaged parameters belong to another net (tracking
    # them would list them as this layer's weights too), the averages are tracked one attribute each.
    object.__setattr__(layer, name, variables)


def _average_variables(layer, variables, prefix, aggregation="only_first_replica"):
    # Every replica holds the same parameters, so the averages need no reduction across replicas: the
    # first replica's update is the update (the aggregation of the optimizer's own step counter).
    averages = [
        keras.Variable(ops.zeros(v.shape, dtype=v.dtype), trainable=False, aggregation=aggregation,
                       name=f"{prefix}_{i}")
        for i, v in enumerate(variables)
    ]
    # One attribute each: tf.train.Checkpoint follows attributes but not the lists Keras wraps.
    for i, average in enumerate(averages):
        setattr(layer, f"{prefix}_{i}", average)
    _untracked(layer, "averages", averages)


class HistoricalAverage(keras.layers.Layer):
    """Running averages ``(1/t) sum_i theta[i]`` of some parameters (Salimans et al. 2016, sec. 3.3).

    Call :meth:`update` after each optimizer step and add ``weight * penalty()`` to the loss of the next
    step. Holds its averages as non-trainable weights (saved and restored with the model that owns it).

    Args:
        variables: the parameters to average (``discriminator.trainable_variables``).
    """

    def __init__(self, variables, **kwargs):
        super().__init__(**kwargs)
        _untracked(self, "_targets", list(variables))
        _average_variables(self, self._targets, "historical_average")
        self.count = keras.Variable(0.0, trainable=False, aggregation="only_first_replica",
                                    name="historical_count")
        self.built = True

    def update(self):
        """Adds the current parameters to the averages."""
        count = self.count + 1.0
        for average, v in zip(self.averages, self._targets):
            average.assign(average + (ops.cast(v, average.dtype) - average) / count)
        self.count.assign(count)

    def penalty(self):
        """``sum ||theta - average||^2`` (0 before the first update)."""
        from tfgans import penalties

        value = penalties.historical_averaging_penalty(self._targets, self.averages)
        return ops.where(self.count > 0, value, ops.zeros_like(value))


class ParameterEMA(keras.layers.Layer):
    """Exponential moving average of parameters, ``a <- a + rate * (theta - a)``.

    The reference code tests its semi-supervised classifier with such an average of the discriminator's
    trainable parameters (``disc_avg_updates``, rate 1e-4 per step). The averages start at 0 as there;
    :meth:`values` divides by ``1 - (1 - rate)^t`` (Adam's bias correction), so an average over few steps
    is not shrunk towards 0. After the reference's 300 MNIST epochs (180,000 steps) that factor is 1.

    With ``rampup`` the average's half-life is at most ``rampup`` times the steps so far (Karras et al. 2020,
    arXiv:2006.06676, reference ``training_loop.py``: ``ema_rampup=0.05``), so a short run's average does not
    carry its first, poor weights: the first update copies the parameters, step ``t > 1`` uses
    ``rate_t = max(rate, 1 - 0.5 ** (1 / (rampup * t)))``; the average needs no bias correction.

    Args:
        variables: the parameters to average.
        rate: the step size of the average (the reference: 1e-4).
        rampup: the half-life's bound as a fraction of the steps so far; None for a constant rate.
    """

    def __init__(self, variables, rate: float = 1e-4, rampup: Optional[float] = None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 < rate <= 1.0:
            raise ValueError(f"The EMA rate must be in (0, 1], got {rate}.")
        if rampup is not None and not rampup > 0:
            raise ValueError(f"The EMA ramp-up must be positive (or None for none), got {rampup}.")
        self.rate = float(rate)
        self.rampup = None if rampup is None else float(rampup)
        _untracked(self, "_targets", list(variables))
        _average_variables(self, self._targets, "ema")
        self.steps = keras.Variable(0.0, trainable=False, aggregation="only_first_replica", name="ema_steps")
        self.built = True

    def update(self):
        rate = self.rate
        if self.rampup is not None:
            half_life = self.rampup * (self.steps + 1.0)
            rate = ops.where(self.steps > 0, ops.maximum(rate, 1.0 - ops.power(0.5, 1.0 / half_life)), 1.0)
        for average, v in zip(self.averages, self._targets):
            average.assign(average + ops.cast(rate, average.dtype) * (ops.cast(v, average.dtype) - average))
        self.steps.assign(self.steps + 1.0)

    def values(self):
        """The bias-corrected averages, or the parameters themselves before the first update."""
        correction = 1.0 if self.rampup is not None else 1.0 - ops.power(1.0 - self.rate, self.steps)
        return [
            ops.where(self.steps > 0, a / ops.maximum(correction, 1e-12), ops.cast(v, a.dtype))
            for a, v in zip(self.averages, self._targets)
        ]


@keras.saving.register_keras_serializable(package="tfgans")
class LinearDecayLastThird(keras.optimizers.schedules.LearningRateSchedule):
    """``lr = base * min(1, 3 - 3 * epoch / epochs)``: constant, then linear decay over the last third.

    The reference code's CIFAR-10 schedule (``train_cifar_feature_matching.py``:
    ``lr * min(3 - epoch / 400, 1)`` over 1200 epochs), constant within an epoch as there.

    Args:
        learning_rate: the base rate (the reference: 3e-4).
        epochs: total epochs of the run.
        steps_per_epoch: optimizer steps per epoch.
    """

    def __init__(self, learning_rate: float, epochs: int, steps_per_epoch: int):
        if epochs < 1 or steps_per_epoch < 1:
            raise ValueError(f"epochs and steps_per_epoch must be positive, got {epochs} and {steps_per_epoch}.")
        self.learning_rate = float(learning_rate)
        self.epochs = int(epochs)
        self.steps_per_epoch = int(steps_per_epoch)

    def __call__(self, step):
        epoch = ops.floor(ops.cast(step, "float32") / self.steps_per_epoch)
        factor = ops.clip(3.0 - 3.0 * epoch / self.epochs, 0.0, 1.0)
        return self.learning_rate * factor

    def get_config(self):
        return {"learning_rate": self.learning_rate, "epochs": self.epochs, "steps_per_epoch": self.steps_per_epoch}
