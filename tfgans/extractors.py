"""Feature extractors: the networks whose features and logits evaluation is defined with.

* 28x28x1 datasets (``mnist``, ``fashion_mnist``): tfgans' small CNN classifiers, shipped in the package
  (:mod:`tfgans.classifier`): 128-d penultimate features, and the "MNIST score" of their logits.
* 32x32x3 datasets (``cifar10``, ``svhn_cropped``): InceptionV3 of ``keras.applications`` (ImageNet weights):
  2048-d pool features and the 1000 logits, images resized to 299x299 and scaled by its ``preprocess_input``.
  These are the Keras ImageNet weights, not the 2015 TensorFlow graph behind the published FID/IS numbers,
  so tfgans figures rank models consistently but are not on the published scale.

The maths (``tfgans.metrics``) never knows the network; :class:`tfgans.evaluation.Evaluator` binds the two.
"""

from __future__ import annotations

import os
import warnings
from typing import Callable, Optional, Tuple

import numpy as np
import tensorflow as tf
import keras

from tfgans import data as data_lib

__all__ = ["INCEPTION_WEIGHTS_FILE", "ImageFormatError", "NonFiniteImagesError", "WeightsNotFoundError",
           "FeatureExtractor", "count_nonfinite", "nonfinite_error", "check_finite", "inception_weights_path",
           "inception_extractor"]

#: The file name ``keras.applications.InceptionV3(weights="imagenet")`` downloads into ``~/.keras/models``.
INCEPTION_WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"

class ImageFormatError(ValueError):
    """Images of the wrong dtype, value range or shape for a feature extractor."""


class NonFiniteImagesError(ImageFormatError):
    """Images with NaN or infinite values: the generator that drew them diverged."""


def count_nonfinite(images) -> int:
    """How many images (entries of the first axis) of a numpy array or tensor hold a NaN or an infinity.

    Integer images hold none (nothing is read). For float arrays the common case costs one reduction: an
    array's min and max are finite exactly when all its values are; only then are the images counted.
    """
    if isinstance(images, (tf.Tensor, tf.Variable)):
        if not images.dtype.is_floating:
            return 0
        if bool(tf.reduce_all(tf.math.is_finite(images))):
            return 0
        bad = tf.logical_not(tf.math.is_finite(images))
        return int(tf.reduce_sum(tf.cast(tf.reduce_any(tf.reshape(bad, [tf.shape(bad)[0], -1]), axis=1), tf.int32)))
    images = np.asarray(images)
    if not np.issubdtype(images.dtype, np.floating) or images.size == 0:
        return 0
    if np.isfinite(images.min()) and np.isfinite(images.max()):
        return 0
    return int(np.count_nonzero(~np.isfinite(images.reshape(images.shape[0], -1)).all(axis=1)))


def nonfinite_error(bad: int, total: int) -> NonFiniteImagesError:
    """The error for ``bad`` of ``total`` images with NaN or infinite values."""
    return NonFiniteImagesError(
        f"the generator produced {bad} of {total} images with NaN or infinite values: the run diverged; "
        "evaluate an earlier checkpoint."
    )


def check_finite(images) -> None:
    """Raises :class:`NonFiniteImagesError` (with the count) when an image holds a NaN or an infinity."""
    bad = count_nonfinite(images)
    if bad:
        raise nonfinite_error(bad, int(images.shape[0]))


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

        Grayscale arrays without the channel axis (``[N, 28, 28]``) get it.

        Float images are accepted only with their ``value_range`` (e.g. ``(-1, 1)`` for a tanh generator),
        and are then mapped to uint8 with :func:`tfgans.data.to_uint8`. Float images with a NaN or an
        infinity are refused (:class:`NonFiniteImagesError`, with how many), with or without a range: uint8
        would turn them into black pixels that still get a figure. uint8 arrays are returned as they are,
        without a pass over their values.
        """
        images = images.numpy() if isinstance(images, tf.Tensor) else np.asarray(images)
        expected = "[N, " + ", ".join(str(v) for v in self.image_shape) + "]"
        if images.ndim == 3 and tuple(images.shape[1:]) == self.image_shape[:2] and self.image_shape[2] == 1:
            images = images[..., None]  # [N, 28, 28]: the usual shape of MNIST arrays, the channel implied
        if images.ndim != 4 or tuple(images.shape[1:]) != self.image_shape:
            raise ImageFormatError(
                f"The {self.name} takes uint8 images {expected}; got shape {list(images.shape)}. Evaluate "
                f"images of the dataset the extractor is for."
            )
        if images.shape[0] == 0:
            raise ImageFormatError("No images to evaluate (got an empty batch).")
        if images.dtype == np.uint8:
            return images
        low, high = float(images.min()), float(images.max())
        if np.issubdtype(images.dtype, np.floating):
            if not (np.isfinite(low) and np.isfinite(high)):  # NaN or inf somewhere: count the images
                raise nonfinite_error(count_nonfinite(images), images.shape[0])
            if value_range is None:
                raise ImageFormatError(
                    f"The {self.name} takes uint8 images in [0, 255]; got {images.dtype} images with values in "
                    f"[{low:.3g}, {high:.3g}]. Convert them with tfgans.data.to_uint8(images, value_range) "
                    "(value_range=(-1, 1) for a tanh generator, (0, 1) for sigmoid), or pass value_range= "
                    "to evaluate_images (command line: tfgans evaluate ... --value-range tanh, sigmoid or LOW,HIGH)."
                )
            vr_low, vr_high = data_lib.value_bounds(value_range)
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
