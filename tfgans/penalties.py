"""Critic regularisers as pure functions, in the style of compare_gan's ``penalty_lib``: each takes the critic.

* :func:`clip_weights`: the weight clipping of WGAN (Arjovsky et al. 2017, arXiv:1701.07875, Algorithm 1,
  line 7), which keeps the critic in a compact set of K-Lipschitz functions.
* :func:`gradient_penalty`: the two-sided gradient penalty of WGAN-GP (Gulrajani et al. 2017,
  arXiv:1704.00028, Algorithm 1, lines 6-7), which softly constrains the critic's gradient norm to 1 on
  interpolates between real and generated samples.
* :func:`r1_penalty`: the R1 penalty of Mescheder et al. 2018 (arXiv:1801.04406), which penalises the
  discriminator's gradient on real data.
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

import tensorflow as tf
import keras

__all__ = ["clip_weights", "max_abs_weight", "interpolation_weights", "gradient_penalty"]


def _tf_variable(variable):
    # Keras 3 wraps tf.Variable (a MirroredVariable under tf.distribute); strategy APIs want the tf one.
    return variable.value if isinstance(variable, keras.Variable) else variable


def clip_weights(variables: Sequence, clip_value: float = 0.01):
    """Clips every variable in place to ``[-clip_value, clip_value]`` (Arjovsky et al. 2017, Algorithm 1).

    The paper clips all critic parameters after each critic update (``c = 0.01``); so does its reference
    code (``for p in netD.parameters(): p.data.clamp_(-c, c)``), batch-norm scale and offset included.
    Works on one device and in a ``tf.distribute`` replica context, where each mirrored variable is
    clipped once, in cross-replica context, as the optimizer updates it.

    Args:
        variables: the critic's trainable variables.
        clip_value: ``c`` > 0.

    Raises:
        ValueError: ``clip_value`` is not positive.
    """
    if not clip_value > 0:
        raise ValueError(f"clip_value must be positive (the paper's c = 0.01), got {clip_value}.")
    variables = [_tf_variable(v) for v in variables]

    def clip(var):
        return var.assign(tf.clip_by_value(var, -clip_value, clip_value))

    def clip_all(strategy, variables):
        for var in variables:
            strategy.extended.update(var, clip, group=False)

    tf.__internal__.distribute.interim.maybe_merge_call(clip_all, tf.distribute.get_strategy(), variables)


def max_abs_weight(variables: Sequence) -> tf.Tensor:
    """``max |w|`` over all entries of ``variables``, a float32 scalar (0 for no variables)."""
    maxima = [tf.reduce_max(tf.abs(tf.cast(_tf_variable(v), tf.float32))) for v in variables]
    return tf.reduce_max(tf.stack(maxima)) if maxima else tf.constant(0.0)


def interpolation_weights(batch_size, seed) -> tf.Tensor:
    """``[batch_size]`` interpolation weights ``a ~ U[0, 1]``, one per example (Gulrajani et al., Alg. 1).

    One value per example, not per pixel and not normal: each interpolate lies on the segment between its
    real and its generated sample.

    Args:
        batch_size: number of examples (a Python int or a scalar tensor).
        seed: a stateless seed ``[2]``.
    """
    return tf.random.stateless_uniform(tf.reshape(batch_size, [1]), seed=seed, minval=0.0, maxval=1.0)


def gradient_penalty(
    critic,
    real,
    fake,
    seed=None,
    *,
    alpha: Optional[tf.Tensor] = None,
    gp_weight: float = 10.0,
    epsilon: float = 1e-12,
    training: bool = True,
) -> tf.Tensor:
    """WGAN-GP's gradient penalty, ``gp_weight * E[(||grad_x D(x)||_2 - 1)^2]`` (Gulrajani et al. 2017).

    ``x = a * real + (1 - a) * fake`` with ``a ~ U[0, 1]`` drawn once per example and broadcast over
    ``[H, W, C]`` (Algorithm 1, lines 4-7). The norm is ``sqrt(sum(g^2) + epsilon)``: the epsilon inside the
    square root keeps the penalty's own gradient finite where the critic's gradient is exactly zero
    (``d sqrt(s) / ds`` is infinite at 0). Computed in float32 whatever the critic's compute dtype.

    Call it inside the critic step's ``tf.GradientTape``: the gradient of the penalty with respect to the
    critic's weights is a second derivative, which the outer tape records through the inner one.

    Args:
        critic: a callable ``D`` mapping ``[batch, H, W, C]`` images to ``[batch]`` or ``[batch, 1]`` values.
        real: ``[batch, H, W, C]`` real images.
        fake: ``[batch, H, W, C]`` generated images.
        seed: stateless seed ``[2]`` for the interpolation weights ``a``.
        alpha: ``[batch]`` interpolation weights to use instead of drawing them (then ``seed`` is ignored).
        gp_weight: ``lambda``, 10 in the paper.
        epsilon: added to the squared norm inside the square root.
        training: passed to the critic.

    Returns:
        Scalar float32: ``gp_weight`` times the mean over the batch of ``(||grad|| - 1)^2``.

    Raises:
        ValueError: neither ``seed`` nor ``alpha`` is given.
    """
    real = tf.cast(real, tf.float32)
    fake = tf.cast(fake, tf.float32)
    batch_size = tf.shape(real)[0]
    if alpha is None:
        if seed is None:
            raise ValueError("gradient_penalty needs a stateless seed [2] for the interpolation weights, or "
                             "alpha=[batch] weights.")
        alpha = interpolation_weights(batch_size, seed)
    alpha = tf.reshape(tf.cast(alpha, tf.float32), [-1] + [1] * (real.shape.rank - 1))
    interpolates = alpha * real + (1.0 - alpha) * fake
    with tf.GradientTape() as tape:
        tape.watch(interpolates)
        values = tf.cast(critic(interpolates, training=training), tf.float32)
    # Each example's critic value depends on its own input only (no batch norm in a WGAN-GP critic), so the
    # gradient of the sum holds every example's own gradient.
    grads = tape.gradient(values, interpolates)
    grads = tf.reshape(tf.cast(grads, tf.float32), [batch_size, -1])
    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=1) + epsilon)
    return gp_weight * tf.reduce_mean(tf.square(norms - 1.0))


__all__ += ["historical_averaging_penalty"]


def historical_averaging_penalty(variables: Sequence, averages: Sequence) -> tf.Tensor:
    """Historical averaging, ``sum_i ||theta_i - (1/t) sum_{s<=t} theta_i[s]||^2`` (Salimans et al. 2016,
    arXiv:1606.03498, sec. 3.3).

    Penalises each parameter's distance to its running average over past steps, which the paper finds lets
    gradient descent settle into equilibria of low-dimensional games where it would otherwise cycle. The
    averages are state kept by the caller (``tfgans.averaging.HistoricalAverage`` keeps them); this is the
    pure penalty. Add ``weight * penalty`` to the loss of the net the variables belong to.

    Args:
        variables: the parameters (e.g. ``discriminator.trainable_variables``).
        averages: their running averages, same shapes, same order.

    Returns:
        Scalar float32: the sum over all entries of the squared differences.

    Raises:
        ValueError: the two lists differ in length or in a shape.
    """
    variables, averages = list(variables), list(averages)
    if len(variables) != len(averages):
        raise ValueError(f"historical_averaging_penalty got {len(variables)} variables but {len(averages)} "
                         "averages; pass one average per variable, in the same order.")
    total = tf.constant(0.0)
    for v, a in zip(variables, averages):
        if tuple(v.shape) != tuple(a.shape):
            raise ValueError(f"A variable of shape {tuple(v.shape)} has an average of shape {tuple(a.shape)}.")
        diff = tf.cast(_tf_variable(v), tf.float32) - tf.cast(_tf_variable(a), tf.float32)
        total += tf.reduce_sum(tf.square(diff))
    return total


__all__ += ["r1_penalty", "has_batch_norm"]


def has_batch_norm(net) -> bool:
    """Whether ``net`` (a Keras model or layer) has a batch-norm layer anywhere inside it. Batch statistics make
    each output depend on the whole batch, so the per-example input gradients that :func:`gradient_penalty`
    and :func:`r1_penalty` constrain are no longer the net's (Gulrajani et al., sec. 4)."""
    flatten = getattr(net, "_flatten_layers", None)
    layers = flatten(include_self=True) if flatten else [net]
    return any(isinstance(layer, keras.layers.BatchNormalization) for layer in layers)


def r1_penalty(discriminator, real, gamma: float = 10.0, training: bool = True) -> Tuple[tf.Tensor, tf.Tensor]:
    """R1, ``gamma / 2 * E_real[||grad_x D(x)||^2]`` (Mescheder et al. 2018, arXiv:1801.04406, eq. 9).

    Returns the discriminator's logits of ``real`` with the penalty, so that the caller's loss reuses that one
    forward pass, as the reference code does (LMescheder/GAN_stability, ``gan_training/train.py``, whose
    ``reg_param`` is ``gamma / 2``). Call it inside the discriminator step's ``tf.GradientTape``, as
    :func:`gradient_penalty`. Each example's gradient is its own only if the discriminator treats examples
    independently: no batch norm.

    Args:
        discriminator: maps ``[batch, H, W, C]`` images to ``[batch, 1]`` logits (or ``[batch, 1 + K]``: the
            real/fake logit, which the penalty is on, then an auxiliary classifier's K class logits).
        real: ``[batch, H, W, C]`` real images.
        gamma: ``gamma`` >= 0 (the paper's 10 on its image sets).
        training: passed to the discriminator.

    Returns:
        ``(logits, penalty)``: the logits as the discriminator returns them, and a float32 scalar.

    Raises:
        ValueError: ``gamma`` is negative.
    """
    if not gamma >= 0:
        raise ValueError(f"gamma must be >= 0 (Mescheder et al. use 10), got {gamma}.")
    with tf.GradientTape() as tape:
        tape.watch(real)
        logits = discriminator(real, training=training)
        # An auxiliary classifier's class logits follow the real/fake logit (tfgans.models.ACGAN); R1 is on it.
        judged = logits[:, :1] if logits.shape.rank == 2 else logits
    grads = tf.cast(tape.gradient(judged, real), tf.float32)
    squared_norms = tf.reduce_sum(tf.square(tf.reshape(grads, [tf.shape(grads)[0], -1])), axis=1)
    return logits, 0.5 * gamma * tf.reduce_mean(squared_norms)
