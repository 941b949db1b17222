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

Reference statistics files (clean-fid's custom stats, torch-fidelity's cache) hold what the metrics need of
the real images (features, mean, covariance, k-NN radii) with the extractor and the dataset/split they come
from; the on-disk cache (``cache_dir``) uses the same format:

    Evaluator("mnist", data_dir="...").save_reference("mnist_test.npz")          # once, where the data is
    Evaluator("mnist", reference_stats="mnist_test.npz").evaluate_images(images)  # anywhere, no data needed
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from tfgans import data as data_lib
from tfgans import files
from tfgans import metrics as metrics_lib
from tfgans.classifier import CLASSIFIER_DIR, SHIPPED_CLASSIFIER_DIR, load_classifier, make_classifier, train_classifier
from tfgans.extractors import (INCEPTION_WEIGHTS_FILE, FeatureExtractor, ImageFormatError, NonFiniteImagesError,
                               WeightsNotFoundError, inception_extractor, inception_weights_path)
from tfgans.sampling import load_generator_images, sample_generator

__all__ = [
    "METRICS",
    "evaluator_for",
    "Reference",
    "ReferenceStatsError",
    "Evaluator",
    "CLASSIFIER_DIR",
    "SHIPPED_CLASSIFIER_DIR",
    "INCEPTION_WEIGHTS_FILE",
    "ImageFormatError",
    "NonFiniteImagesError",
    "WeightsNotFoundError",
    "FeatureExtractor",
    "make_classifier",
    "train_classifier",
    "load_classifier",
    "inception_extractor",
    "inception_weights_path",
    "load_extractor",
    "check_metrics",
    "sample_generator",
    "load_generator_images",
]

#: Names of the metrics an :class:`Evaluator` computes by default (keys of its result dict; ``kid`` and ``is``
#: also give ``kid_std`` and ``is_std``).
METRICS = ("fid", "kid", "is", "precision", "recall")
#: Metrics computed only when asked for: ``classes`` gives ``conf_<c>``, each class's mean classifier confidence
#: (:func:`tfgans.metrics.class_confidence`), for extractors of at most :data:`MAX_CLASSES` classes.
EXTRA_METRICS = ("classes",)
#: A column per class is readable for MNIST's 10 classes, not for InceptionV3's 1000.
MAX_CLASSES = 10


# --- the feature extractor of a dataset: tfgans' classifier or InceptionV3 ----------------------------------------


def load_extractor(dataset: str, *, kind: Optional[str] = None, weights: Optional[str] = "imagenet",
                   classifier_path: Optional[str] = None) -> FeatureExtractor:
    """The feature extractor that evaluates generators of ``dataset``.

    Args:
        dataset: a ``tfgans.data`` dataset name.
        kind: ``"classifier"`` (the default for 28x28x1 datasets) or ``"inception"`` (the default for
            32x32x3 ones; also works on 28x28x1 images).
        weights: InceptionV3 weights: ``"imagenet"`` (looked up locally), an ``.h5`` path, or None (random).
        classifier_path: a classifier ``.keras`` file other than the shipped one.
    """
    info = data_lib.dataset_info(dataset)
    kind = kind or ("classifier" if info.image_shape == (28, 28, 1) else "inception")
    if kind == "classifier":
        return load_classifier(info.name, classifier_path)
    if kind == "inception":
        return inception_extractor(weights, info.image_shape)
    raise ValueError(f"kind must be 'classifier' or 'inception', got {kind!r}.")


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
    #: where it comes from: dataset, split, num_samples, extractor, fingerprint, k (and path, when read from
    #: a reference statistics file).
    meta: Dict = field(default_factory=dict)


_MEMORY_CACHE: Dict[str, Reference] = {}


class ReferenceStatsError(ValueError):
    """A reference statistics file that cannot be used: damaged, not one, or of another feature extractor."""


# --- reference statistics files (the disk cache and the user's --save-stats / --stats files) --------------

_STATS_FORMAT = "tfgans-reference-stats"
_STATS_VERSION = 1
_ARRAYS = ("features", "logits", "mu", "sigma", "radii")


class _Damaged(Exception):
    """A statistics file that cannot be read or does not hold consistent statistics; the message says why."""


def _write_reference_file(path: str, reference: Reference) -> str:
    """Writes ``reference`` (its arrays and ``meta``) to ``path`` as an ``.npz``, atomically (temporary name,
    then rename: a reader finds the old file or the new one, never half of one)."""
    meta = {"format": _STATS_FORMAT, "version": _STATS_VERSION, **reference.meta}
    meta.pop("path", None)
    with files.atomic_path(path) as tmp:
        with open(tmp, "wb") as f:  # a file object: np.savez would add ".npz" to the temporary name
            np.savez(f, **{name: getattr(reference, name) for name in _ARRAYS}, meta=np.array(json.dumps(meta)))
            f.flush()
            os.fsync(f.fileno())
    return path


def _read_reference_file(path: str) -> Tuple[Dict[str, np.ndarray], Dict]:
    """The arrays and metadata of a statistics file, checked for consistency with each other.

    Raises:
        _Damaged: unreadable (truncated, garbage, not an ``.npz``), arrays missing, or of inconsistent shapes.
        FileNotFoundError: nothing at ``path``.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(4)
        if not head.startswith(b"PK"):  # np.load would try it as a .npy, then as a pickle
            raise _Damaged("an empty file" if not head else "not an .npz (zip) archive")
        archive = np.load(path, allow_pickle=False)
    except (FileNotFoundError, _Damaged):
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as e:
        raise _Damaged(_one_line(e)) from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise _Damaged("not an .npz archive")
    try:
        with archive:
            missing = [name for name in _ARRAYS if name not in archive.files]
            if missing:
                raise _Damaged(f"no {', '.join(missing)} in it (holds {', '.join(archive.files) or 'nothing'})")
            arrays = {name: archive[name] for name in _ARRAYS}
            meta = json.loads(str(archive["meta"][()])) if "meta" in archive.files else {}
    except _Damaged:
        raise
    except (OSError, ValueError, EOFError, KeyError, IndexError, zipfile.BadZipFile, zlib.error) as e:
        raise _Damaged(_one_line(e)) from None
    if not isinstance(meta, dict):
        raise _Damaged("its metadata is not a JSON object")
    features, logits, mu, sigma, radii = (arrays[name] for name in _ARRAYS)
    if not all(np.issubdtype(a.dtype, np.floating) for a in arrays.values()):
        raise _Damaged("arrays of non-float dtype: " + ", ".join(f"{n} {a.dtype}" for n, a in arrays.items()))
    if features.ndim != 2 or features.shape[0] < 2:
        raise _Damaged(f"features of shape {list(features.shape)}, not [N >= 2, D]")
    n, d = features.shape
    expected = {"logits": (n, logits.shape[-1] if logits.ndim == 2 else -1), "mu": (d,), "sigma": (d, d),
                "radii": (n,)}
    wrong = [f"{name} {list(arrays[name].shape)} (expected {list(shape)})" for name, shape in expected.items()
             if arrays[name].shape != shape]
    if wrong:
        raise _Damaged(f"features [{n}, {d}] but " + ", ".join(wrong))
    for name in ("features", "mu", "sigma", "radii"):
        if not np.isfinite(arrays[name]).all():
            raise _Damaged(f"{name} holds NaN or infinite values")
    return arrays, meta


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _warn(message: str):
    print(f"tfgans: warning: {message}", file=sys.stderr, flush=True)


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
        reference_stats: a reference statistics file (written by :meth:`save_reference`) to compare with
            instead of the real split: no data is read. It must come from the same extractor
            (:class:`ReferenceStatsError` otherwise); its images count, not ``num_samples``.

    A cache file that cannot be read or does not hold consistent statistics is computed again (one warning
    line on stderr names it); cache files are written atomically, and a cache that cannot be written (a
    read-only or full disk) only costs a warning.
    """

    def __init__(self, dataset: str, data_dir: Optional[str] = None, num_samples: int = 10000,
                 metrics: Sequence[str] = METRICS, split: str = "test",
                 extractor: Optional[FeatureExtractor] = None, cache_dir: Optional[str] = None, k: int = 3,
                 kid_subsets: int = 100, kid_subset_size: int = 1000, is_splits: int = 10,
                 reference_stats: Optional[str] = None):
        self.dataset = data_lib.dataset_info(dataset).name
        self.data_dir = data_dir
        self.num_samples = int(num_samples)
        if self.num_samples < 2:
            raise ValueError(f"num_samples must be at least 2, got {num_samples}.")
        self.metrics = check_metrics(metrics)
        self.split = split
        self.extractor = extractor or load_extractor(self.dataset)
        if "classes" in self.metrics and self.extractor.num_classes > MAX_CLASSES:
            raise ValueError(f"The 'classes' metric writes a column per class, for at most {MAX_CLASSES}; the "
                             f"{self.extractor.name} has {self.extractor.num_classes}. Leave 'classes' out.")
        self.cache_dir = cache_dir
        self.k = int(k)
        self.kid_subsets = int(kid_subsets)
        self.kid_subset_size = int(kid_subset_size)
        self.is_splits = int(is_splits)
        self.reference_stats = os.fspath(reference_stats) if reference_stats is not None else None
        self._real_images = None  # a folder's held-out images (for_folder), else the dataset's split
        self._reference: Optional[Reference] = None
        #: Seconds spent in each stage of the last evaluation (features, fid, kid, is, precision_recall).
        self.timings: Dict[str, float] = {}

    @classmethod
    def for_folder(cls, path: str, *, holdout: float, resolution: int, channels: int, num_samples: int = 10000,
                   extractor: Optional[FeatureExtractor] = None, metrics: Sequence[str] = METRICS,
                   extractor_dataset: Optional[str] = None, **kwargs) -> "Evaluator":
        """An evaluator against the images of a folder that training never saw (``tfgans.data.folder_images``'s
        ``"holdout"`` split), with as many generated images as there are held-out ones (at most
        ``num_samples``). The extractor is that of ``extractor_dataset`` (default: the MNIST classifier for
        28x28x1 images, InceptionV3 for color ones, which needs its weights on the machine).
        """
        real = data_lib.folder_images(path, resolution=resolution, channels=channels, split="holdout",
                                      holdout=holdout)
        if extractor is None:
            name = extractor_dataset or ("mnist" if (resolution, channels) == (28, 1) else "cifar10")
            kind = "classifier" if (resolution, channels) == (28, 1) and data_lib.dataset_info(name).image_shape \
                == (28, 28, 1) else "inception"
            extractor = (load_extractor(name, kind=kind) if kind == "classifier"
                         else inception_extractor("imagenet", (resolution, resolution, channels)))
        evaluator = cls("mnist", num_samples=min(int(num_samples), len(real)), metrics=metrics, split="holdout",
                        extractor=extractor, **kwargs)
        evaluator.dataset = f"folder {os.path.basename(os.path.normpath(path))}"
        evaluator._real_images = real[: evaluator.num_samples]
        return evaluator

    @property
    def cache_key(self) -> Optional[str]:
        if self.extractor.fingerprint is None or self._real_images is not None:
            return None
        key = f"{self.dataset}-{self.split}-{self.num_samples}-{self.extractor.fingerprint}-k{self.k}"
        return re.sub(r"[^A-Za-z0-9_.-]+", "_", key)

    @property
    def cache_path(self) -> Optional[str]:
        """The reference statistics file in ``cache_dir`` (None without a cache folder or a fingerprint)."""
        key = self.cache_key
        return os.path.join(self.cache_dir, key + ".npz") if (self.cache_dir and key) else None

    def reference(self) -> Reference:
        """The reference statistics: of ``reference_stats`` when given, else of the real split, from memory,
        from ``cache_dir`` or computed now."""
        if self._reference is not None:
            return self._reference
        if self.reference_stats is not None:
            self._reference = self._load_reference_stats(self.reference_stats)
            return self._reference
        key = self.cache_key
        if key is not None and key in _MEMORY_CACHE:
            self._reference = _MEMORY_CACHE[key]
            return self._reference
        path = self.cache_path
        reference = None
        if path:
            files.clean_leftovers(self.cache_dir, recursive=False)  # temporary files of killed writers
            if os.path.exists(path):
                try:
                    reference = self._read_cache(path, key)
                except _Damaged as e:
                    _warn(f"reference statistics cache {path} is damaged ({e}); recomputing it")
        if reference is None:
            reference = self._compute_reference(key)
            if path:
                try:
                    _write_reference_file(path, reference)
                except OSError as e:  # a read-only or full disk: the figures do not need the cache
                    _warn(f"could not write the reference statistics cache {path} ({_one_line(e)}); "
                          "continuing without it")
        if key is not None:
            _MEMORY_CACHE[key] = reference
        self._reference = reference
        return reference

    def save_reference(self, path: str) -> str:
        """Writes the reference statistics (computed now if need be) to ``path`` (an ``.npz``), atomically,
        with the extractor's name and fingerprint and the dataset/split they come from; returns ``path``.

        Pass the file as ``Evaluator(..., reference_stats=path)`` to compare with it without the data.
        """
        path = os.fspath(path)
        _write_reference_file(path, self.reference())
        return path

    def _meta(self, num_samples: int) -> Dict:
        return {"dataset": self.dataset, "split": self.split, "num_samples": int(num_samples),
                "extractor": self.extractor.name, "fingerprint": self.extractor.fingerprint,
                "feature_dim": self.extractor.feature_dim, "num_classes": self.extractor.num_classes,
                "k": self.k}

    def _extractor_mismatch(self, arrays, meta) -> Optional[str]:
        """Why statistics of these arrays/metadata do not belong to this evaluator's extractor, or None."""
        features, logits = arrays["features"], arrays["logits"]
        if features.shape[1] != self.extractor.feature_dim or logits.shape[1] != self.extractor.num_classes:
            return (f"{features.shape[1]}-d features and {logits.shape[1]} logits, but the {self.extractor.name} "
                    f"gives {self.extractor.feature_dim}-d features and {self.extractor.num_classes} logits")
        if "extractor" in meta and (meta.get("extractor") != self.extractor.name
                                    or meta.get("fingerprint") != self.extractor.fingerprint):
            return (f"features of the {meta.get('extractor')} (fingerprint {meta.get('fingerprint')}), but this "
                    f"evaluation uses the {self.extractor.name} (fingerprint {self.extractor.fingerprint})")
        return None

    def _reference_of(self, arrays, meta, key: str) -> Reference:
        radii = arrays["radii"]
        if meta.get("k", self.k) != self.k:  # radii of another neighbourhood size: from the features
            radii = metrics_lib.knn_radii(arrays["features"], self.k).numpy()
            meta = {**meta, "k": self.k}
        return Reference(arrays["features"].astype(np.float32, copy=False),
                         arrays["logits"].astype(np.float32, copy=False),
                         arrays["mu"].astype(np.float64, copy=False), arrays["sigma"].astype(np.float64, copy=False),
                         radii.astype(np.float32, copy=False), key, meta)

    def _read_cache(self, path: str, key: str) -> Reference:
        """The cached reference at ``path``; raises :class:`_Damaged` unless it is this evaluator's."""
        arrays, meta = _read_reference_file(path)
        mismatch = self._extractor_mismatch(arrays, meta)
        if mismatch:
            raise _Damaged(mismatch)
        if arrays["features"].shape[0] != self.num_samples:
            raise _Damaged(f"{arrays['features'].shape[0]} images, not {self.num_samples}")
        if meta and (meta.get("format") != _STATS_FORMAT or meta.get("dataset") != self.dataset
                     or meta.get("split") != self.split or meta.get("k") != self.k):
            raise _Damaged(f"its metadata {meta} is not that of {key}")
        meta = {**self._meta(self.num_samples), **{k: v for k, v in meta.items() if k not in ("format", "version")}}
        return self._reference_of(arrays, meta, key)

    def _load_reference_stats(self, path: str) -> Reference:
        """The reference of a user's statistics file, refused (:class:`ReferenceStatsError`) when damaged
        or of another extractor."""
        fix = "write it with Evaluator.save_reference (CLI: tfgans evaluate --save-stats PATH)"
        if not os.path.exists(path):
            raise FileNotFoundError(f"Reference statistics file {path!r} does not exist; {fix}.")
        try:
            arrays, meta = _read_reference_file(path)
        except _Damaged as e:
            raise ReferenceStatsError(f"Reference statistics file {path} is damaged or not one ({e}); {fix}.") \
                from None
        if meta.get("format") != _STATS_FORMAT:
            raise ReferenceStatsError(f"{path} is not a tfgans reference statistics file (no tfgans metadata); "
                                      f"{fix}.")
        mismatch = self._extractor_mismatch(arrays, meta)
        if mismatch:
            raise ReferenceStatsError(
                f"Reference statistics {path} hold {mismatch}: FID, KID and precision/recall compare features "
                "of one network only. Compute the statistics again with this extractor (save_reference; CLI: "
                "--save-stats), or evaluate with the extractor they were computed with."
            )
        if meta.get("dataset") != self.dataset:
            _warn(f"reference statistics {path} are of {meta.get('dataset')} ({meta.get('split')} split), not "
                  f"{self.dataset}; comparing with them")
        meta = {k: v for k, v in meta.items() if k not in ("format", "version")}
        return self._reference_of(arrays, {**meta, "path": path}, "")

    def _compute_reference(self, key) -> Reference:
        if self._real_images is not None:
            images = self._real_images
        else:
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
        return Reference(features, logits, mu.numpy(), sigma.numpy(), radii.numpy(), key or "",
                         self._meta(images.shape[0]))

    def evaluate_features(self, features, logits=None) -> Dict[str, float]:
        """The metrics of generated images given by their extractor ``features [N, D]`` and ``logits [N, K]``."""
        reference = self.reference()
        features = np.asarray(features, np.float32)
        if features.ndim != 2 or features.shape[1] != reference.features.shape[1]:
            raise ValueError(
                f"Features must be [N, {reference.features.shape[1]}] from the {self.extractor.name}; "
                f"got {list(features.shape)}."
            )
        bad = int(np.count_nonzero(~np.isfinite(features).all(axis=1)))
        if bad:
            raise ValueError(f"{bad} of {features.shape[0]} feature rows hold NaN or infinite values; features "
                             "of finite images are finite: check the extractor and the images.")
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
        if "classes" in self.metrics:
            if logits is None:
                raise ValueError("The 'classes' metric needs the logits of the generated images.")
            confidence = metrics_lib.class_confidence(logits).numpy()
            results.update({f"conf_{c}": float(v) for c, v in enumerate(confidence)})
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
        """The metrics of uint8 images ``[N, H, W, C]`` (float images need their ``value_range``).

        Raises:
            ImageFormatError: images of the wrong shape or dtype; :class:`NonFiniteImagesError` (with how
                many) for float images with NaN or infinite values, before any feature is computed.
        """
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


def check_metrics(metrics: Sequence[str]) -> Tuple[str, ...]:
    """``metrics`` (names, or one comma-separated string) as a lower-case tuple of :data:`METRICS`.

    Raises:
        ValueError: an unknown name, or none.
    """
    if isinstance(metrics, str):
        metrics = [m.strip() for m in metrics.split(",") if m.strip()]
    metrics = tuple(m.lower() for m in metrics)
    unknown = [m for m in metrics if m not in METRICS + EXTRA_METRICS]
    if unknown or not metrics:
        raise ValueError(f"Unknown metrics {unknown}; choose from {', '.join(METRICS + EXTRA_METRICS)}.")
    return metrics


def evaluator_for(dataset: str, data_dir: Optional[str], num_samples: int,
                  metrics: Sequence[str] = ("fid", "kid", "is", "classes")):
    """``(Evaluator, "")`` scoring against the dataset's test split with its feature extractor, or ``(None,
    reason)`` when none is available here (InceptionV3's weights missing for color data): a run then trains
    without scores and says why. ``classes`` is dropped for an extractor of more than :data:`MAX_CLASSES`."""
    try:
        extractor = load_extractor(dataset)
        if extractor.num_classes > MAX_CLASSES:
            metrics = tuple(m for m in metrics if m != "classes")
        evaluator = Evaluator(dataset, data_dir=data_dir, num_samples=num_samples, metrics=metrics,
                              extractor=extractor)
        evaluator.reference()
    except (OSError, ValueError) as e:
        return None, f"no feature extractor for {dataset} ({str(e).split('. ')[0]})"
    return evaluator, ""
