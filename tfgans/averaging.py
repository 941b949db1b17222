"""Running averages of a net's parameters, kept as non-trainable weights beside it.

- :class:`HistoricalAverage`: the mean of all past values (Salimans et al. 2016, arXiv:1606.03498, sec. 3.3),
  for ``tfgans.penalties.historical_averaging_penalty``.
- :class:`ParameterEMA`: an exponential moving average, which the reference code of Salimans et al. tests its
  classifier with and ``tfgans.models.GANModel(g_ema_rate=...)`` samples the generator with.
"""

from __future__ import annotations

from typing import Optional

import keras
from keras import ops

from tfgans import penalties

__all__ = ["HistoricalAverage", "ParameterEMA"]


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
