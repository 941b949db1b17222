"""The small CNN classifiers that evaluate 28x28x1 generators, trained by tfgans and shipped in the package.

``tfgans/classifiers/<dataset>.keras`` (package data, so a plain ``pip install`` evaluates MNIST without
training anything) with ``<dataset>.json`` (test accuracy, file hash). Its penultimate layer gives the
FID/KID/precision/recall features and the classifier score of its logits is the "MNIST score" (the Inception
Score with an MNIST classifier, as in the GAN literature that evaluates MNIST). Figures are comparable only
between runs that use the same classifier file; the file's hash is part of every cache key.

    tfgans classifier train mnist --data-dir ../shared/tfds
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from typing import Dict, Optional, Tuple

import tensorflow as tf
import keras

from tfgans import data as data_lib
from tfgans.extractors import FeatureExtractor, WeightsNotFoundError

__all__ = ["SHIPPED_CLASSIFIER_DIR", "CLASSIFIER_DIR", "make_classifier", "classifier_paths", "train_classifier",
           "load_classifier"]

#: The classifiers shipped as package data (``tfgans/classifiers/``).
SHIPPED_CLASSIFIER_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "classifiers")

#: Where classifiers are read from and written to: ``$TFGANS_CLASSIFIER_DIR``, else the shipped ones.
CLASSIFIER_DIR = os.environ.get("TFGANS_CLASSIFIER_DIR", SHIPPED_CLASSIFIER_DIR)

# Default epochs of train_classifier: enough for MNIST >= 99.0 % and Fashion-MNIST >= 91 % test accuracy.
_CLASSIFIER_EPOCHS = {"mnist": 4, "fashion_mnist": 8}


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


def classifier_paths(dataset: str, directory: Optional[str] = None) -> Tuple[str, str]:
    """``(model, record)``: the ``.keras`` file and the JSON record of ``dataset``'s classifier in ``directory``
    (default :data:`CLASSIFIER_DIR`)."""
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
            "InceptionV3 (see tfgans.evaluation.load_extractor)."
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
    model_path, record_path = classifier_paths(info.name, out_dir)
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
    model_path = path or classifier_paths(info.name)[0]
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
