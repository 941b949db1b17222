"""Evaluating generators: feature extractors, cached reference statistics, a training callback and the CLI.

    evaluator = tfgans.evaluation.Evaluator("mnist", data_dir="...")      # real test split, computed once
    evaluator.evaluate_images(uint8_images)    # {"fid": ..., "kid": ..., "kid_std": ..., "is": ..., ...}
    evaluator.evaluate_generator("saved_models/dcgan_mnist")              # an export, an .npz, or a GANModel
    gan.fit(ds, epochs=25, callbacks=[tfgans.callbacks.Evaluate(dataset="mnist", every_n_epochs=5)])

Features come from the network the figures are defined with:

* 28x28x1 datasets (``mnist``, ``fashion_mnist``): a small CNN classifier trained by tfgans on the train split
  (:func:`train_classifier`, ``tfgans classifier train mnist``) and shipped inside the package
  (``tfgans/classifiers/``, so a plain ``pip install`` evaluates MNIST without training anything).
  Its 128-d penultimate layer gives the FID/KID/precision/recall features, and the classifier score of its
  logits is the "MNIST score" (the Inception Score with an MNIST classifier, as in the GAN literature that
  evaluates MNIST). Figures are comparable only between runs that use the same classifier file; the file's
  hash is part of every cache key.
* 32x32x3 datasets (``cifar10``, ``svhn_cropped``): InceptionV3 of ``keras.applications`` (ImageNet weights):
  2048-d pool features and the 1000 logits, images resized to 299x299 and scaled by its ``preprocess_input``.
  These are the Keras ImageNet weights, not the 2015 TensorFlow graph ("pt_inception-2015-12-05") behind the
  published FID/IS numbers, so tfgans figures rank models consistently but are not on the published scale.

Metrics (``tfgans.metrics``): ``fid`` (Heusel et al. 2017), ``kid`` (Binkowski et al. 2018), ``is``
(Salimans et al. 2016), ``precision`` and ``recall`` (Kynkaanniemi et al. 2019, k = 3).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Callable, Dict, Optional, Sequence, Tuple, Union

import numpy as np
import tensorflow as tf
import keras

from tfgans import data as data_lib
from tfgans import metrics as metrics_lib

__all__ = [
    "METRICS",
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
    "Evaluator",
    "Evaluate",
    "sample_generator",
    "load_generator_images",
    "run",
    "run_classifier",
]

#: Names of the metrics an :class:`Evaluator` computes (keys of its result dict; ``kid`` and ``is`` also
#: give ``kid_std`` and ``is_std``).
METRICS = ("fid", "kid", "is", "precision", "recall")

#: The classifiers shipped as package data (``tfgans/classifiers/``).
SHIPPED_CLASSIFIER_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "classifiers")

#: Where classifiers are read from and written to: ``$TFGANS_CLASSIFIER_DIR``, else the shipped ones.
CLASSIFIER_DIR = os.environ.get("TFGANS_CLASSIFIER_DIR", SHIPPED_CLASSIFIER_DIR)

#: The file name ``keras.applications.InceptionV3(weights="imagenet")`` downloads into ``~/.keras/models``.
INCEPTION_WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"

# Default epochs of train_classifier: enough for MNIST >= 99.0 % and Fashion-MNIST >= 91 % test accuracy.
_CLASSIFIER_EPOCHS = {"mnist": 4, "fashion_mnist": 8}


class ImageFormatError(ValueError):
    """Images of the wrong dtype, value range or shape for a feature extractor."""


class WeightsNotFoundError(FileNotFoundError):
    """The weights a feature extractor needs are not on this machine."""


# --- feature extractors ----------------------------------------------------------------------------------


class FeatureExtractor:
    """Features and logits of uint8 images, from a Keras model with two outputs.

    Args:
        model: maps preprocessed images to ``(features [N, D], logits [N, K])``.
        image_shape: the ``(H, W, C)`` of the uint8 images it accepts.
        preprocess: maps a uint8 batch to the model's input (scaling, resizing).
        name: what the features are, for printouts (``"mnist classifier"``).
        fingerprint: identifies the weights (a file hash), part of reference-statistics cache keys;
            None for weights that are not reproducible (random), which are then never cached on disk.
        batch_size: images per forward pass.
    """

    def __init__(self, model: keras.Model, image_shape, preprocess: Callable, name: str,
                 fingerprint: Optional[str] = None, batch_size: int = 500):
        self.model = model
        self.image_shape = tuple(int(v) for v in image_shape)
        self.preprocess = preprocess
        self.name = name
        self.fingerprint = fingerprint
        self.batch_size = int(batch_size)
        self.feature_dim = int(model.outputs[0].shape[-1])
        self.num_classes = int(model.outputs[1].shape[-1])
        self._forward = tf.function(lambda x: self.model(self.preprocess(x), training=False),
                                    reduce_retracing=True)

    def check_images(self, images, value_range=None) -> np.ndarray:
        """Returns ``images`` as a uint8 numpy array ``[N, H, W, C]``, or raises :class:`ImageFormatError`.

        Float images are accepted only with their ``value_range`` (e.g. ``(-1, 1)`` for a tanh generator),
        and are then mapped to uint8 with :func:`tfgans.data.to_uint8`.
        """
        images = images.numpy() if isinstance(images, tf.Tensor) else np.asarray(images)
        expected = "[N, " + ", ".join(str(v) for v in self.image_shape) + "]"
        if images.ndim != 4 or tuple(images.shape[1:]) != self.image_shape:
            fix = (" Add the channel axis with images[..., None]."
                   if images.ndim == 3 and tuple(images.shape[1:]) == self.image_shape[:2] else "")
            raise ImageFormatError(
                f"The {self.name} takes uint8 images {expected}; got shape {list(images.shape)}. Evaluate "
                f"images of the dataset the extractor is for.{fix}"
            )
        if images.shape[0] == 0:
            raise ImageFormatError("No images to evaluate (got an empty batch).")
        if images.dtype == np.uint8:
            return images
        low, high = float(images.min()), float(images.max())
        if np.issubdtype(images.dtype, np.floating):
            if value_range is None:
                raise ImageFormatError(
                    f"The {self.name} takes uint8 images in [0, 255]; got {images.dtype} images with values in "
                    f"[{low:.3g}, {high:.3g}]. Convert them with tfgans.data.to_uint8(images, value_range) "
                    "(value_range=(-1, 1) for a tanh generator, (0, 1) for sigmoid), or pass value_range= "
                    "to evaluate_images."
                )
            vr_low, vr_high = data_lib._value_range(value_range)
            slack = 1e-3 * (vr_high - vr_low)
            if low < vr_low - slack or high > vr_high + slack:
                raise ImageFormatError(
                    f"Float images with values in [{low:.3g}, {high:.3g}] are outside value_range "
                    f"[{vr_low:g}, {vr_high:g}]. Pass the range the images are really in (uint8 data cast to "
                    "float is in [0, 255]: cast it back with images.astype('uint8'))."
                )
            return data_lib.to_uint8(images, (vr_low, vr_high)).numpy()
        if np.issubdtype(images.dtype, np.integer) and low >= 0 and high <= 255:
            return images.astype(np.uint8)
        raise ImageFormatError(
            f"The {self.name} takes uint8 images in [0, 255]; got {images.dtype} images with values in "
            f"[{low:.3g}, {high:.3g}]."
        )

    def __call__(self, images, value_range=None, batch_size: Optional[int] = None) -> Tuple[np.ndarray, np.ndarray]:
        """``(features [N, D], logits [N, K])`` float32 of uint8 images ``[N, H, W, C]``."""
        images = self.check_images(images, value_range)
        batch_size = batch_size or self.batch_size
        features, logits = [], []
        for i in range(0, images.shape[0], batch_size):
            f, lg = self._forward(tf.constant(images[i:i + batch_size]))
            features.append(f.numpy())
            logits.append(lg.numpy())
        return (np.concatenate(features).astype(np.float32, copy=False),
                np.concatenate(logits).astype(np.float32, copy=False))

    def __repr__(self):
        return (f"FeatureExtractor({self.name!r}, images {list(self.image_shape)}, features {self.feature_dim}, "
                f"classes {self.num_classes})")


def make_classifier(num_classes: int = 10, image_shape=(28, 28, 1), width: int = 32, feature_dim: int = 128,
                    dropout: float = 0.3) -> keras.Sequential:
    """The small CNN whose penultimate layer and logits evaluate 28x28x1 generators.

    Three 3x3 conv + batch norm + ReLU + 2x2 max-pool stages (``width``, ``2 width``, ``4 width`` filters),
    then dropout, the ``features`` layer (``feature_dim`` ReLU units: FID/KID/PR features) and the ``logits``
    layer. Inputs are images in [-1, 1] (``value_range="tanh"``). With the defaults it has 0.24 M weights
    (a 1 MB file); the shipped ones reach 99.31 % test accuracy on MNIST (4 epochs) and 92.37 % on
    Fashion-MNIST (8 epochs) with :func:`train_classifier`'s defaults.
    """
    layers = keras.layers
    stages = []
    for filters in (width, 2 * width, 4 * width):
        stages += [
            layers.Conv2D(filters, 3, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.MaxPooling2D(2),
        ]
    return keras.Sequential(
        [keras.Input(tuple(image_shape)), *stages,
         layers.Flatten(),
         layers.Dropout(dropout),
         layers.Dense(feature_dim, activation="relu", name="features"),
         layers.Dropout(dropout),
         layers.Dense(num_classes, name="logits")],
        name="tfgans_classifier",
    )


def _classifier_paths(dataset: str, directory: Optional[str] = None) -> Tuple[str, str]:
    directory = directory or CLASSIFIER_DIR
    return os.path.join(directory, f"{dataset}.keras"), os.path.join(directory, f"{dataset}.json")


def train_classifier(dataset: str, data_dir: Optional[str] = None, epochs: Optional[int] = None,
                     out_dir: Optional[str] = None, batch_size: int = 128, learning_rate: float = 1e-3,
                     seed: int = 0, verbose: int = 2) -> Dict:
    """Trains the evaluation classifier of a 28x28x1 dataset on its train split and saves it.

    Writes ``<out_dir>/<dataset>.keras`` and, beside it, ``<dataset>.json`` with the test accuracy and the
    settings. Adam whose learning rate decays from ``learning_rate`` to 1 % of it along a cosine over the
    run (a constant rate leaves the test accuracy swinging by a few tenths of a percent from epoch to epoch),
    batch ``batch_size``, the split loaded by :func:`tfgans.data.load` with labels, images in [-1, 1].

    Args:
        dataset: ``mnist`` or ``fashion_mnist``.
        data_dir: a prepared tensorflow-datasets directory.
        epochs: default 4 (MNIST) or 8 (Fashion-MNIST).
        out_dir: default :data:`CLASSIFIER_DIR` (which replaces the shipped classifier: figures computed
            with the old file are no longer comparable, and the reference statistics are recomputed).

    Returns:
        The record written to the JSON file.
    """
    info = data_lib.dataset_info(dataset)
    if info.image_shape[-1] != 1:
        raise ValueError(
            f"train_classifier is for 28x28x1 datasets (mnist, fashion_mnist); {info.name} is evaluated with "
            "InceptionV3 (see load_extractor)."
        )
    epochs = int(epochs or _CLASSIFIER_EPOCHS.get(info.name, 10))
    out_dir = out_dir or CLASSIFIER_DIR
    keras.utils.set_random_seed(seed)
    train = data_lib.load(info.name, batch_size, split="train", data_dir=data_dir, with_labels=True,
                          value_range="tanh", seed=seed)
    test = data_lib.load(info.name, 1000, split="test", data_dir=data_dir, with_labels=True,
                         value_range="tanh", shuffle=False, drop_remainder=False)
    model = make_classifier(info.num_classes, info.image_shape)
    steps = epochs * (info.num_train // batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=steps, alpha=0.01)
    model.compile(keras.optimizers.Adam(schedule),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    start = time.time()
    model.fit(train, epochs=epochs, verbose=verbose)
    seconds = time.time() - start
    test_loss, test_accuracy = model.evaluate(test, verbose=0)
    os.makedirs(out_dir, exist_ok=True)
    model_path, record_path = _classifier_paths(info.name, out_dir)
    # Ship the weights alone: the optimizer's slots would triple the file and are never needed to evaluate.
    inference_model = keras.models.clone_model(model)
    inference_model.set_weights(model.get_weights())
    inference_model.save(model_path)
    record = {
        "dataset": info.name,
        "test_accuracy": round(float(test_accuracy), 6),
        "test_loss": round(float(test_loss), 6),
        "num_test": info.num_test,
        "epochs": epochs,
        "batch_size": batch_size,
        "optimizer": f"adam, learning rate cosine decay {learning_rate} -> {learning_rate * 0.01:g}",
        "seed": seed,
        "value_range": "tanh",
        "feature_layer": "features",
        "logits_layer": "logits",
        "feature_dim": int(model.get_layer("features").units),
        "num_classes": info.num_classes,
        "image_shape": list(info.image_shape),
        "parameters": int(model.count_params()),
        "train_seconds": round(seconds, 1),
        "sha256": _file_hash(model_path),
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__},
    }
    with open(record_path, "w") as f:
        json.dump(record, f, indent=2)
    return record


def _file_hash(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_classifier(dataset: str, path: Optional[str] = None, batch_size: int = 1000) -> FeatureExtractor:
    """The shipped classifier of a 28x28x1 dataset as a :class:`FeatureExtractor`.

    Args:
        dataset: ``mnist`` or ``fashion_mnist``.
        path: a ``.keras`` file from :func:`train_classifier`; default
            ``<CLASSIFIER_DIR>/<dataset>.keras`` (:data:`CLASSIFIER_DIR`, by default the shipped one).
    """
    info = data_lib.dataset_info(dataset)
    model_path = path or _classifier_paths(info.name)[0]
    if not os.path.isfile(model_path):
        raise WeightsNotFoundError(
            f"No evaluation classifier for {info.name} at {model_path!r}. Train one with "
            f"`tfgans classifier train {info.name} --data-dir DIR` (or "
            f"tfgans.evaluation.train_classifier({info.name!r}, data_dir=...)), set TFGANS_CLASSIFIER_DIR to "
            "the folder holding it, or pass its path."
        )
    record_path = os.path.splitext(model_path)[0] + ".json"
    record = {}
    if os.path.isfile(record_path):
        with open(record_path) as f:
            record = json.load(f)
    model = keras.saving.load_model(model_path, compile=False)
    feature_layer = record.get("feature_layer", "features")
    logits_layer = record.get("logits_layer", "logits")
    try:
        outputs = [model.get_layer(feature_layer).output, model.get_layer(logits_layer).output]
    except ValueError as error:
        raise ValueError(
            f"{model_path!r} has no layers named {feature_layer!r} and {logits_layer!r}; build classifiers with "
            "tfgans.evaluation.make_classifier."
        ) from error
    two_headed = keras.Model(model.inputs, outputs, name=f"{model.name}_features_logits")
    value_range = record.get("value_range", "tanh")
    image_shape = tuple(model.inputs[0].shape[1:])
    if image_shape != info.image_shape:
        raise ValueError(f"{model_path!r} takes images {image_shape}, but {info.name} images are {info.image_shape}.")
    return FeatureExtractor(
        two_headed,
        image_shape,
        preprocess=lambda x: data_lib.scale_images(x, value_range),
        name=f"{info.name} classifier",
        fingerprint=f"{info.name}-classifier-{record.get('sha256') or _file_hash(model_path)}"[:48],
        batch_size=batch_size,
    )


def inception_weights_path(weights: Optional[str] = "imagenet") -> Optional[str]:
    """Finds the ImageNet weights of InceptionV3 on this machine.

    Args:
        weights: ``"imagenet"`` to search ``$TFGANS_INCEPTION_WEIGHTS``, then the Keras cache
            (``$KERAS_HOME/models`` or ``~/.keras/models``); a path to an ``.h5`` file; or None for random
            weights (returns None).

    Raises:
        WeightsNotFoundError: nothing found, with how to get the file.
    """
    if weights is None:
        return None
    if weights != "imagenet":
        path = os.path.expanduser(weights)
        if not os.path.isfile(path):
            raise WeightsNotFoundError(f"InceptionV3 weights file {weights!r} does not exist.")
        return path
    candidates = []
    env = os.environ.get("TFGANS_INCEPTION_WEIGHTS")
    if env:
        if not os.path.isfile(os.path.expanduser(env)):
            raise WeightsNotFoundError(
                f"TFGANS_INCEPTION_WEIGHTS={env!r} is not a file. Point it to {INCEPTION_WEIGHTS_FILE}."
            )
        return os.path.expanduser(env)
    for home in (os.environ.get("KERAS_HOME"), os.path.join(os.path.expanduser("~"), ".keras"),
                 os.path.join("/tmp", ".keras")):
        if home:
            candidates.append(os.path.join(home, "models", INCEPTION_WEIGHTS_FILE))
    for path in candidates:
        if os.path.isfile(path):
            return path
    raise WeightsNotFoundError(
        "The ImageNet weights of InceptionV3 (needed for FID/KID/IS of 32x32x3 datasets) are not on this machine; "
        f"looked in: {', '.join(candidates)}. On a machine with internet run\n"
        '    python -c "import keras; keras.applications.InceptionV3()"\n'
        f"and copy ~/.keras/models/{INCEPTION_WEIGHTS_FILE} (92 MB) here, into ~/.keras/models/, or anywhere "
        "and pass its path (CLI: --inception-weights PATH; Python: weights=PATH; or set "
        "TFGANS_INCEPTION_WEIGHTS=PATH)."
    )


def inception_extractor(weights: Optional[str] = "imagenet", image_shape=(32, 32, 3),
                        batch_size: int = 100) -> FeatureExtractor:
    """InceptionV3 (``keras.applications``) as a :class:`FeatureExtractor`: 2048-d pool features, 1000 logits.

    Images are resized to 299x299 (bilinear) and scaled to [-1, 1] by
    ``keras.applications.inception_v3.preprocess_input``; grayscale images are repeated over 3 channels.

    Args:
        weights: see :func:`inception_weights_path`; None gives random weights (plumbing tests only: the
            figures mean nothing).
        image_shape: the uint8 images it will be given.
    """
    path = inception_weights_path(weights)
    if path is None:
        warnings.warn("InceptionV3 with random weights: its figures are meaningless (use for tests only).",
                      stacklevel=2)
    net = keras.applications.InceptionV3(include_top=True, weights=path, classifier_activation=None)
    model = keras.Model(net.inputs, [net.get_layer("avg_pool").output, net.output], name="inception_v3_pool_logits")
    channels = int(image_shape[-1])
    if channels not in (1, 3):
        raise ValueError(f"InceptionV3 takes grayscale or RGB images, got {channels} channels.")

    def preprocess(images):
        x = tf.cast(images, tf.float32)
        if channels == 1:
            x = tf.image.grayscale_to_rgb(x)
        x = tf.image.resize(x, (299, 299), method="bilinear")
        return keras.applications.inception_v3.preprocess_input(x)

    fingerprint = None
    if path is not None:
        fingerprint = f"inception_v3-{os.path.getsize(path)}-{os.path.basename(path)}"
    return FeatureExtractor(model, image_shape, preprocess, name="InceptionV3", fingerprint=fingerprint,
                            batch_size=batch_size)


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


# --- generators as image sources -------------------------------------------------------------------------

_CHUNK = 1000


def _chunk_seed(seed: int, index: int) -> int:
    # Chunk i of a draw with seed s uses seed s * 2**20 + i: draws of different seeds never share a chunk.
    return int(seed) * (1 << 20) + index


def sample_generator(generator, num_samples: int, seed: int = 0, batch_size: int = _CHUNK) -> np.ndarray:
    """``num_samples`` uint8 images from a generator, drawn ``batch_size`` at a time.

    Args:
        generator: a ``tfgans.GANModel`` (its ``generate(n, seed)``, mapped to uint8 with its output
            range), a loaded tfgans export (its ``sample(n, seed)`` signature), or a function
            ``(n, seed) -> uint8 images``.
        num_samples, seed: how many images, and the seed of the draw (chunk ``i`` uses
            ``seed * 2**20 + i``, the same in the callback and in ``tfgans evaluate``, so an export
            evaluates to the figures its model showed during training).
    """
    from tfgans.models.base import GANModel, output_range

    if isinstance(generator, GANModel):
        value_range = output_range(generator.generator)

        def draw(n, s):
            return data_lib.to_uint8(generator.generate(n, seed=s), value_range)
    elif _sample_signature(generator) is not None:
        signature = _sample_signature(generator)

        def draw(n, s):
            return signature(n=tf.constant(n, tf.int32), seed=tf.constant(s, tf.int64))["images"]
    elif callable(generator):
        draw = generator
    else:
        raise TypeError(
            f"Cannot draw images from a {type(generator).__name__}: pass a tfgans GANModel, a loaded tfgans "
            "export (tfgans.export.load_generator), or a function (n, seed) -> uint8 images."
        )
    if num_samples < 1:
        raise ValueError(f"num_samples must be positive, got {num_samples}.")
    chunks = []
    for index, start in enumerate(range(0, num_samples, batch_size)):
        n = min(batch_size, num_samples - start)
        images = draw(n, _chunk_seed(seed, index))
        chunks.append(images.numpy() if isinstance(images, tf.Tensor) else np.asarray(images))
    return np.concatenate(chunks, axis=0)


def _sample_signature(loaded):
    signatures = getattr(loaded, "signatures", None)
    if signatures is not None and "sample" in signatures:
        return signatures["sample"]
    return None


def load_generator_images(path: str, num_samples: int, seed: int = 0) -> np.ndarray:
    """Images of a generator given by path: an exported SavedModel directory or an ``.npz`` of uint8 images.

    An ``.npz`` gives its array ``images`` (else its first array), at most ``num_samples`` of them.

    Raises:
        FileNotFoundError: nothing at ``path``.
        ValueError: ``path`` is neither a SavedModel directory nor an ``.npz`` file, or the SavedModel has no
            ``sample`` signature.
    """
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"Generator {path!r} does not exist. Pass an exported SavedModel directory "
            "(tfgans.export.save_generator) or an .npz file of uint8 images."
        )
    if os.path.isdir(path):
        if not os.path.isfile(os.path.join(path, "saved_model.pb")):
            raise ValueError(
                f"{path!r} is a directory but not a SavedModel (no saved_model.pb in it). Export a generator "
                "with tfgans.export.save_generator(model, path), or pass an .npz file of uint8 images."
            )
        loaded = tf.saved_model.load(path)
        if _sample_signature(loaded) is None:
            raise ValueError(
                f"The SavedModel {path!r} has no 'sample' signature (n: int32, seed: int64) -> "
                "{'images': uint8}; export the generator with tfgans.export.save_generator."
            )
        return sample_generator(loaded, num_samples, seed)
    if path.endswith(".npz"):
        with np.load(path) as archive:
            if not archive.files:
                raise ValueError(f"{path!r} holds no arrays.")
            key = "images" if "images" in archive.files else archive.files[0]
            return archive[key][:num_samples]
    raise ValueError(
        f"{path!r} is neither a SavedModel directory nor an .npz file. Pass an exported generator "
        "(tfgans.export.save_generator) or np.savez(path, images=uint8_images)."
    )


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


# --- the training callback --------------------------------------------------------------------------------


class Evaluate(keras.callbacks.Callback):
    """Evaluates the generator every few epochs and adds the figures to the epoch logs.

    At the end of every ``every_n_epochs``-th epoch it draws ``num_samples`` images with
    ``model.generate`` (the same latents each time, from ``seed``), computes the chosen metrics against the
    real ``split`` (reference statistics computed once, at the first evaluation) and writes them into the
    epoch's ``logs`` as ``fid``, ``kid``, ``is``, ``precision``, ``recall``. Keras appends its ``History`` and
    progress bar after the user's callbacks, so they show the figures; put ``Evaluate`` before a
    ``keras.callbacks.TensorBoard`` or ``CSVLogger`` in the list so those see them too. Epochs that are not
    evaluated have no entry, so ``history.history["fid"]`` has one value per evaluation.

    Args:
        every_n_epochs: evaluate after epochs ``n, 2n, ...`` (1-based).
        num_samples: generated and real images per evaluation (10,000 for reportable figures; fewer is
            faster but biases FID and IS).
        metrics: a subset of :data:`METRICS`.
        dataset, data_dir, split: the real data to compare with.
        seed: seed of the generated draw (the one ``tfgans evaluate --seed`` uses on the export).
        cache_dir: see :class:`Evaluator`.
        evaluator: an :class:`Evaluator` to use instead of building one from the arguments above.
    """

    def __init__(self, every_n_epochs: int = 1, num_samples: int = 10000, metrics: Sequence[str] = METRICS,
                 dataset: Optional[str] = None, data_dir: Optional[str] = None, split: str = "test",
                 seed: int = 0, cache_dir: Optional[str] = None, evaluator: Optional[Evaluator] = None):
        super().__init__()
        if every_n_epochs < 1:
            raise ValueError(f"every_n_epochs must be >= 1, got {every_n_epochs}.")
        if evaluator is None and dataset is None:
            raise ValueError("Evaluate needs dataset= (the real data the generator learns, e.g. 'mnist').")
        self.every_n_epochs = int(every_n_epochs)
        self.num_samples = int(num_samples)
        self.metrics = _check_metrics(metrics)
        self.dataset = dataset
        self.data_dir = data_dir
        self.split = split
        self.seed = int(seed)
        self.cache_dir = cache_dir
        self.evaluator = evaluator

    def _evaluator(self) -> Evaluator:
        if self.evaluator is None:
            self.evaluator = Evaluator(self.dataset, self.data_dir, self.num_samples, self.metrics,
                                       split=self.split, cache_dir=self.cache_dir)
        return self.evaluator

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        if not hasattr(self.model, "generate"):
            raise TypeError(
                f"Evaluate needs a tfgans GANModel (with generate(n, seed)); got {type(self.model).__name__}."
            )
        evaluator = self._evaluator()
        images = sample_generator(self.model, self.num_samples, self.seed)
        results = evaluator.evaluate_images(images)
        if logs is not None:
            logs.update({name: results[name] for name in self.metrics})


# --- command line -----------------------------------------------------------------------------------------


def _format_row(label: str, n: int, results: Dict[str, float]) -> str:
    cells = [f"{label:<30}", f"{n:>6}"]
    cells.append(f"{results['fid']:>9.3f}" if "fid" in results else f"{'-':>9}")
    cells.append(f"{results['kid']:>10.5f} ± {results['kid_std']:.5f}" if "kid" in results else f"{'-':>20}")
    cells.append(f"{results['is']:>7.3f} ± {results['is_std']:.3f}" if "is" in results else f"{'-':>15}")
    cells.append(f"{results['precision']:>9.4f}" if "precision" in results else f"{'-':>9}")
    cells.append(f"{results['recall']:>7.4f}" if "recall" in results else f"{'-':>7}")
    return "  ".join(cells)


def run(args) -> int:
    """``tfgans evaluate``: prints the generator's figures and the real-train reference line."""
    try:
        info = data_lib.dataset_info(args.dataset)
        extractor = load_extractor(info.name, weights=getattr(args, "inception_weights", None) or "imagenet",
                                   classifier_path=getattr(args, "classifier", None))
        evaluator = Evaluator(info.name, args.data_dir, args.num_samples, args.metrics, split=args.split,
                              extractor=extractor, cache_dir=getattr(args, "cache_dir", None))
        images = load_generator_images(args.generator, args.num_samples, args.seed)
        extractor.check_images(images)
        score_name = "MNIST score" if info.image_shape == (28, 28, 1) else "Inception Score"
        print(f"{info.name}: {args.num_samples} real images of split {args.split!r} as reference; features of "
              f"the {extractor.name} ({extractor.feature_dim}-d); IS = {score_name} of its "
              f"{extractor.num_classes} logits; KID is MMD^2 (x1, not x1000)")
        header = (f"{'':<30}  {'n':>6}  {'FID':>9}  {'KID ± std':>20}  {'IS ± std':>15}  {'precision':>9}  "
                  f"{'recall':>7}")
        rows = {}
        generated = evaluator.evaluate_images(images)
        rows["generator"] = {"path": args.generator, "num_samples": int(images.shape[0]), **generated}
        lines = [header, _format_row(os.path.basename(os.path.normpath(args.generator)) or args.generator,
                                     images.shape[0], generated)]
        reference_split = getattr(args, "reference_split", "train")
        if reference_split and reference_split.lower() != "none":
            real = data_lib.load_images(info.name, split=reference_split, data_dir=args.data_dir,
                                        num_examples=args.num_samples)
            reference = evaluator.evaluate_images(real)
            rows["reference"] = {"split": reference_split, "num_samples": int(real.shape[0]), **reference}
            lines.append(_format_row(f"real {reference_split} (reference)", real.shape[0], reference))
    except (ValueError, FileNotFoundError, TypeError) as error:
        print(f"tfgans evaluate: error: {error}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    if getattr(args, "json", None):
        with open(args.json, "w") as f:
            json.dump({"dataset": info.name, "split": args.split, "extractor": extractor.name, **rows}, f, indent=2)
    return 0


def run_classifier(args) -> int:
    """``tfgans classifier train``: trains, saves, prints the test accuracy."""
    try:
        record = train_classifier(args.dataset, args.data_dir, args.epochs, args.out_dir,
                                  batch_size=args.batch_size, seed=args.seed)
    except (ValueError, FileNotFoundError) as error:
        print(f"tfgans classifier train: error: {error}", file=sys.stderr)
        return 2
    print(f"{record['dataset']}: test accuracy {100 * record['test_accuracy']:.2f} % after {record['epochs']} "
          f"epochs; saved to {_classifier_paths(record['dataset'], args.out_dir)[0]}")
    return 0
