"""Evaluating generators: reference statistics of the real data, cached, and the metrics of generated images.

    evaluator = tfgans.evaluation.Evaluator("mnist", data_dir="...")      # real test split, computed once
    evaluator.evaluate_images(uint8_images)    # {"fid": ..., "kid": ..., "kid_std": ..., "is": ..., ...}
    evaluator.evaluate_generator("saved_models/dcgan_mnist")              # an export, an .npz, or a GANModel
    gan.fit(ds, epochs=25, callbacks=[tfgans.callbacks.Evaluate(dataset="mnist", every_n_epochs=5)])

The pieces, one job each: the maths in ``tfgans.metrics``; the networks in ``tfgans.extractors`` and
``tfgans.classifier``; drawing a model's images in ``tfgans.sampling``; the training callback in
``tfgans.callbacks``; the command (``tfgans evaluate``) in ``tfgans.cli``. This module binds them. The
extractor and sampling names are re-exported here for convenience.

Metrics (``tfgans.metrics``): ``fid`` (Heusel et al. 2017), ``kid`` (Binkowski et al. 2018), ``is``
(Salimans et al. 2016), ``precision`` and ``recall`` (Kynkaanniemi et al. 2019, k = 3).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from tfgans import data as data_lib
from tfgans import metrics as metrics_lib
from tfgans.classifier import CLASSIFIER_DIR, SHIPPED_CLASSIFIER_DIR, load_classifier, make_classifier, train_classifier
from tfgans.extractors import (INCEPTION_WEIGHTS_FILE, FeatureExtractor, ImageFormatError, WeightsNotFoundError,
                               inception_extractor, inception_weights_path, load_extractor)
from tfgans.sampling import load_generator_images, sample_generator

__all__ = [
    "METRICS",
    "Reference",
    "Evaluator",
    "CLASSIFIER_DIR",
    "SHIPPED_CLASSIFIER_DIR",
    "INCEPTION_WEIGHTS_FILE",
    "ImageFormatError",
    "WeightsNotFoundError",
    "FeatureExtractor",
    "make_classifier",
    "train_classifier",
    "load_classifier",
    "inception_extractor",
    "inception_weights_path",
    "load_extractor",
    "sample_generator",
    "load_generator_images",
]

#: Names of the metrics an :class:`Evaluator` computes (keys of its result dict; ``kid`` and ``is`` also
#: give ``kid_std`` and ``is_std``).
METRICS = ("fid", "kid", "is", "precision", "recall")


# --- reference statistics and the evaluator ---------------------------------------------------------------


@dataclass
class Reference:
    """What an :class:`Evaluator` keeps of the real images: features, logits and their derived statistics."""

    features: np.ndarray  # [N, D] float32
    logits: np.ndarray  # [N, K] float32
    mu: np.ndarray  # [D] float64
    sigma: np.ndarray  # [D, D] float64
    radii: np.ndarray  # [N] float32, squared k-NN radii (precision)
    key: str


_MEMORY_CACHE: Dict[str, Reference] = {}


class Evaluator:
    """Compares generated images with the real images of a dataset split.

    The real images' features, mean, covariance and k-NN radii (the reference) are computed once, on first
    use, and cached in memory for every evaluator of the same dataset, split, sample count and extractor,
    and on disk in ``cache_dir`` when given.

    Args:
        dataset: a ``tfgans.data`` dataset name.
        data_dir: a prepared tensorflow-datasets directory.
        num_samples: real images in the reference (the first of the split) and generated images drawn by
            :meth:`evaluate_generator`. 10,000 is the usual count; FID and IS depend on it.
        metrics: which of :data:`METRICS` to compute.
        split: the real split to compare with.
        extractor: a :class:`FeatureExtractor`; default :func:`load_extractor` of the dataset.
        cache_dir: folder for reference statistics on disk (an ``.npz`` per dataset/split/count/extractor).
        k: neighbourhood size of precision/recall (Kynkaanniemi et al.: 3).
        kid_subsets, kid_subset_size: KID's subsets (100 of 1000).
        is_splits: splits of the Inception Score (10).
    """

    def __init__(self, dataset: str, data_dir: Optional[str] = None, num_samples: int = 10000,
                 metrics: Sequence[str] = METRICS, split: str = "test",
                 extractor: Optional[FeatureExtractor] = None, cache_dir: Optional[str] = None, k: int = 3,
                 kid_subsets: int = 100, kid_subset_size: int = 1000, is_splits: int = 10):
        self.dataset = data_lib.dataset_info(dataset).name
        self.data_dir = data_dir
        self.num_samples = int(num_samples)
        if self.num_samples < 2:
            raise ValueError(f"num_samples must be at least 2, got {num_samples}.")
        self.metrics = _check_metrics(metrics)
        self.split = split
        self.extractor = extractor or load_extractor(self.dataset)
        self.cache_dir = cache_dir
        self.k = int(k)
        self.kid_subsets = int(kid_subsets)
        self.kid_subset_size = int(kid_subset_size)
        self.is_splits = int(is_splits)
        self._reference: Optional[Reference] = None
        #: Seconds spent in each stage of the last evaluation (features, fid, kid, is, precision_recall).
        self.timings: Dict[str, float] = {}

    @property
    def cache_key(self) -> Optional[str]:
        if self.extractor.fingerprint is None:
            return None
        key = f"{self.dataset}-{self.split}-{self.num_samples}-{self.extractor.fingerprint}-k{self.k}"
        return re.sub(r"[^A-Za-z0-9_.-]+", "_", key)

    def reference(self) -> Reference:
        """The reference statistics of the real split: from memory, from ``cache_dir``, or computed now."""
        if self._reference is not None:
            return self._reference
        key = self.cache_key
        if key is not None and key in _MEMORY_CACHE:
            self._reference = _MEMORY_CACHE[key]
            return self._reference
        path = os.path.join(self.cache_dir, key + ".npz") if (self.cache_dir and key) else None
        if path and os.path.isfile(path):
            with np.load(path) as cached:
                reference = Reference(**{name: cached[name] for name in
                                         ("features", "logits", "mu", "sigma", "radii")}, key=key)
        else:
            reference = self._compute_reference(key)
            if path:
                os.makedirs(self.cache_dir, exist_ok=True)
                np.savez(path, features=reference.features, logits=reference.logits, mu=reference.mu,
                         sigma=reference.sigma, radii=reference.radii)
        if key is not None:
            _MEMORY_CACHE[key] = reference
        self._reference = reference
        return reference

    def _compute_reference(self, key) -> Reference:
        images = data_lib.load_images(self.dataset, split=self.split, data_dir=self.data_dir,
                                      num_examples=self.num_samples)
        if images.shape[0] < self.num_samples:
            raise ValueError(
                f"The {self.split!r} split of {self.dataset} has {images.shape[0]} images, fewer than "
                f"num_samples={self.num_samples}. Lower num_samples (CLI: --num-samples) or use a larger split."
            )
        features, logits = self.extractor(images)
        mu, sigma = metrics_lib.feature_statistics(features)
        radii = metrics_lib.knn_radii(features, self.k)
        return Reference(features, logits, mu.numpy(), sigma.numpy(), radii.numpy(), key or "")

    def evaluate_features(self, features, logits=None) -> Dict[str, float]:
        """The metrics of generated images given by their extractor ``features [N, D]`` and ``logits [N, K]``."""
        reference = self.reference()
        features = np.asarray(features, np.float32)
        if features.ndim != 2 or features.shape[1] != reference.features.shape[1]:
            raise ValueError(
                f"Features must be [N, {reference.features.shape[1]}] from the {self.extractor.name}; "
                f"got {list(features.shape)}."
            )
        n = features.shape[0]
        self.timings = {}
        results: Dict[str, float] = {}
        if "fid" in self.metrics:
            metrics_lib.warn_if_few_samples(min(n, reference.features.shape[0]), features.shape[1], what="FID")
            start = time.perf_counter()
            mu, sigma = metrics_lib.feature_statistics(features)
            results["fid"] = float(metrics_lib.frechet_distance(reference.mu, reference.sigma, mu, sigma))
            self.timings["fid"] = time.perf_counter() - start
        if "kid" in self.metrics:
            start = time.perf_counter()
            kid, kid_std = metrics_lib.kernel_inception_distance(
                reference.features, features, self.kid_subsets, self.kid_subset_size)
            results["kid"], results["kid_std"] = float(kid), float(kid_std)
            self.timings["kid"] = time.perf_counter() - start
        if "is" in self.metrics:
            if logits is None:
                raise ValueError("The 'is' metric needs the logits of the generated images.")
            start = time.perf_counter()
            score, score_std = metrics_lib.classifier_score(logits, self.is_splits)
            results["is"], results["is_std"] = float(score), float(score_std)
            self.timings["is"] = time.perf_counter() - start
        if "precision" in self.metrics or "recall" in self.metrics:
            start = time.perf_counter()
            precision, recall = metrics_lib.precision_recall(reference.features, features, k=self.k,
                                                             real_radii=reference.radii)
            if "precision" in self.metrics:
                results["precision"] = float(precision)
            if "recall" in self.metrics:
                results["recall"] = float(recall)
            self.timings["precision_recall"] = time.perf_counter() - start
        return results

    def evaluate_images(self, images, value_range=None) -> Dict[str, float]:
        """The metrics of uint8 images ``[N, H, W, C]`` (float images need their ``value_range``)."""
        images = self.extractor.check_images(images, value_range)
        self.reference()  # so that the timing below is the generated images' alone
        start = time.perf_counter()
        features, logits = self.extractor(images)
        extraction = time.perf_counter() - start
        results = self.evaluate_features(features, logits)
        self.timings = {"features": extraction, **self.timings}
        return results

    def evaluate_generator(self, generator, num_samples: Optional[int] = None, seed: int = 0) -> Dict[str, float]:
        """The metrics of ``num_samples`` (default the evaluator's) images of a generator.

        ``generator`` is a path (exported SavedModel or ``.npz``), a loaded export, a ``GANModel`` or a
        function ``(n, seed) -> uint8 images`` (see :func:`sample_generator`).
        """
        num_samples = int(num_samples or self.num_samples)
        if isinstance(generator, (str, os.PathLike)):
            images = load_generator_images(os.fspath(generator), num_samples, seed)
        else:
            images = sample_generator(generator, num_samples, seed)
        return self.evaluate_images(images)


def _check_metrics(metrics: Sequence[str]) -> Tuple[str, ...]:
    if isinstance(metrics, str):
        metrics = [m.strip() for m in metrics.split(",") if m.strip()]
    metrics = tuple(m.lower() for m in metrics)
    unknown = [m for m in metrics if m not in METRICS]
    if unknown or not metrics:
        raise ValueError(f"Unknown metrics {unknown}; choose from {', '.join(METRICS)}.")
    return metrics
