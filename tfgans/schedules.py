"""Learning-rate schedules of the reference code tfgans reproduces that Keras does not ship."""

from __future__ import annotations

import keras
from keras import ops

__all__ = ["LinearDecayLastThird", "DecayToZero"]


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


@keras.saving.register_keras_serializable(package="tfgans")
class DecayToZero(keras.optimizers.schedules.LearningRateSchedule):
    """The rate ``learning_rate`` until the last ``fraction`` of ``steps``, then decayed to 0 at ``steps``
    (linearly, or along a half cosine, Loshchilov & Hutter 2017, arXiv:1608.03983, without restarts); 0 after.

    Args:
        learning_rate: the base rate.
        steps: optimizer steps of the run.
        fraction: the decaying part of the run, in (0, 1] (1: from the first step).
        shape: ``"linear"`` or ``"cosine"``.
    """

    def __init__(self, learning_rate: float, steps: int, fraction: float = 1.0, shape: str = "cosine"):
        if steps < 1 or not 0.0 < fraction <= 1.0:
            raise ValueError(f"steps must be positive and fraction in (0, 1], got {steps} and {fraction}.")
        if shape not in ("linear", "cosine"):
            raise ValueError(f"shape must be 'linear' or 'cosine', got {shape!r}.")
        self.learning_rate = float(learning_rate)
        self.steps = int(steps)
        self.fraction = float(fraction)
        self.shape = shape

    def __call__(self, step):
        span = self.fraction * self.steps
        progress = ops.clip((ops.cast(step, "float32") - (self.steps - span)) / span, 0.0, 1.0)
        if self.shape == "linear":
            return self.learning_rate * (1.0 - progress)
        return self.learning_rate * 0.5 * (1.0 + ops.cos(3.141592653589793 * progress))

    def get_config(self):
        return {"learning_rate": self.learning_rate, "steps": self.steps, "fraction": self.fraction,
                "shape": self.shape}
