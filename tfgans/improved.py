"""The training techniques of Salimans et al. 2016, "Improved Techniques for Training GANs" (arXiv:1606.03498),
gathered under the paper's name.

Each technique lives in the module of its concept, and works with any flavor and any net; this module re-exports
them, so ``tfgans.improved.X`` keeps working in user code, and ``.keras`` files saved when the layers were defined
here still load (their registered names, ``tfgans>ClassName``, are unchanged):

- :class:`MinibatchDiscrimination` (sec. 3.2): ``tfgans.minibatch``.
- :class:`WeightNormDense`, :class:`WeightNormConv2D`, :class:`WeightNormConv2DTranspose`: weight normalisation
  (Salimans & Kingma 2016, arXiv:1602.07868) as the paper's reference code uses it, with its data-dependent
  initialisation :func:`data_dependent_init`; :class:`VirtualBatchNormalization` (sec. 3.4) and
  :class:`ReferenceBatchModel`, which feeds it the reference batch fixed at the start: ``tfgans.normalization``.
- :func:`feature_model` (sec. 3.1): the intermediate discriminator layer that feature matching
  (``tfgans.losses.feature_matching_loss``) compares: ``tfgans.features``.
- :class:`HistoricalAverage` (sec. 3.3), the running averages of ``tfgans.penalties.historical_averaging_penalty``,
  and :class:`ParameterEMA`, the exponential moving average of parameters the reference code tests with:
  ``tfgans.averaging``.
- :class:`LinearDecayLastThird`: the reference's CIFAR-10 learning-rate schedule: ``tfgans.schedules``.

One-sided label smoothing (sec. 3.4) is ``tfgans.losses.minimax_discriminator_loss(label_smoothing=0.1)``.
Gaussian noise layers (the reference's ``GaussianNoiseLayer``: noise whenever the pass is not
deterministic) are ``tfgans.layers.GaussianNoise``, which adds noise exactly when ``training=True``.
"""

from tfgans import averaging, features, minibatch, normalization

# Re-exported: the names of every module's __all__ (of schedules, the paper's), in the order the docstring lists
# them.
from tfgans.averaging import HistoricalAverage, ParameterEMA  # noqa: F401
from tfgans.features import feature_model  # noqa: F401
from tfgans.minibatch import MinibatchDiscrimination  # noqa: F401
from tfgans.normalization import (ReferenceBatchModel, VirtualBatchNormalization, WeightNormConv2D,  # noqa: F401
                                  WeightNormConv2DTranspose, WeightNormDense, data_dependent_init)
from tfgans.schedules import LinearDecayLastThird  # noqa: F401

__all__ = [*minibatch.__all__, *normalization.__all__, *features.__all__, *averaging.__all__, "LinearDecayLastThird"]
