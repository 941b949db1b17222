"""tf.data pipelines over tensorflow-datasets (the reports' datasets, or any with an ``image`` feature) and over
a folder of your own images (:func:`image_folder`).

Every pipeline is ``tfds.load -> cache (uint8) -> shuffle -> batch (drop remainder) -> scale -> prefetch``:
caching the raw uint8 images keeps memory at a quarter of float32, and scaling after ``batch`` runs one
vectorised op per batch instead of one per image. :func:`set_options` gives every pipeline its options
(sharded by examples across workers, no autotune thread).

A folder of your own images is scanned and checked first (:func:`scan_folder`), decoded once into a uint8 array
(in memory, or a ``.npy`` file with ``cache=``), and streamed by shuffled indices with the same batching, ``start``
and options (:func:`image_folder`).

Offline use: pass ``data_dir`` (or set ``TFDS_DATA_DIR``) to a prepared tensorflow-datasets directory.
Nothing is downloaded unless ``download=True``; a dataset that is not prepared raises
:class:`DatasetNotFoundError` naming the dataset, the directory searched and how to fix it.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np
import tensorflow as tf

__all__ = [
    "DATASETS",
    "DatasetInfo",
    "DatasetNotFoundError",
    "load",
    "batches_per_epoch",
    "load_images",
    "dataset_info",
    "to_uint8",
    "scale_images",
    "value_bounds",
    "RESOLUTIONS",
    "resolve_data_dir",
    "set_options",
]


@dataclass(frozen=True)
class DatasetInfo:
    """What tfgans needs to know of a tensorflow-datasets dataset."""

    name: str
    image_shape: Tuple[int, int, int]
    num_classes: int
    num_train: int
    num_test: int


DATASETS = {
    "mnist": DatasetInfo("mnist", (28, 28, 1), 10, 60000, 10000),
    "fashion_mnist": DatasetInfo("fashion_mnist", (28, 28, 1), 10, 60000, 10000),
    "cifar10": DatasetInfo("cifar10", (32, 32, 3), 10, 50000, 10000),
    "svhn_cropped": DatasetInfo("svhn_cropped", (32, 32, 3), 10, 73257, 26032),
}

# Users type "svhn"; tensorflow-datasets calls the 32x32 crops "svhn_cropped".
_ALIASES = {"svhn": "svhn_cropped", "cifar-10": "cifar10", "fashion-mnist": "fashion_mnist"}

VALUE_RANGES = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}

#: The image sides tfgans' nets make (``tfgans.nets.fast``), to which ``resolution=`` crops and resizes images.
RESOLUTIONS = (28, 32, 64)


class DatasetNotFoundError(FileNotFoundError):
    """A dataset is not prepared in the data directory and downloading is off."""


def dataset_info(name: str, data_dir: Optional[str] = None) -> DatasetInfo:
    """Looks up a dataset by name: tfgans' table (aliases such as ``svhn`` accepted), else any
    tensorflow-datasets dataset with an ``image`` feature, from its builder's info in ``data_dir``.

    A dataset outside the table reports ``num_train``/``num_test`` of 0 until it is prepared in ``data_dir``,
    ``num_classes`` 0 without a ``label`` feature, and ``None`` for an image side that varies (load it with
    ``resolution=``).
    """
    key = _ALIASES.get(name.lower(), name.lower())
    if key in DATASETS:
        return DATASETS[key]
    import tensorflow_datasets as tfds

    try:
        tfds_info = tfds.builder(name, data_dir=resolve_data_dir(data_dir)).info
    except tfds.core.registered.DatasetNotFoundError:
        raise ValueError(
            f"Unknown dataset {name!r}. tfgans supports: {', '.join(sorted(DATASETS))} "
            f"(aliases: {', '.join(sorted(_ALIASES))}), and any tensorflow-datasets image dataset by its name "
            "(e.g. cifar100, tf_flowers); for your own images use tfgans.data.image_folder."
        ) from None
    features = tfds_info.features
    if "image" not in features or not isinstance(features["image"], tfds.features.Image):
        raise ValueError(f"Dataset {name!r} has no 'image' feature: pass an image dataset (e.g. cifar100), or "
                         "your own images with tfgans.data.image_folder.")
    label = features["label"] if "label" in features else None
    splits = tfds_info.splits

    def size(*names):
        return next((splits[n].num_examples for n in names if n in splits), 0)

    return DatasetInfo(name, tuple(features["image"].shape), getattr(label, "num_classes", 0) or 0,
                       size("train"), size("test", "validation"))


def resolve_data_dir(data_dir: Optional[str] = None) -> str:
    """``data_dir``, else ``$TFDS_DATA_DIR``, else tensorflow-datasets' default ``~/tensorflow_datasets``."""
    if data_dir:
        return os.path.abspath(os.path.expanduser(data_dir))
    env = os.environ.get("TFDS_DATA_DIR")
    if env:
        return os.path.abspath(os.path.expanduser(env))
    return os.path.join(os.path.expanduser("~"), "tensorflow_datasets")


def value_bounds(value_range) -> Tuple[float, float]:
    """``(low, high)`` of a value range: ``"tanh"`` (-1, 1), ``"sigmoid"`` (0, 1) or a ``(low, high)`` pair."""
    if isinstance(value_range, str):
        if value_range not in VALUE_RANGES:
            raise ValueError(
                f"Unknown value_range {value_range!r}: use 'tanh' for [-1, 1], 'sigmoid' for [0, 1], "
                "or a (low, high) tuple."
            )
        return VALUE_RANGES[value_range]
    low, high = value_range
    if not high > low:
        raise ValueError(f"value_range must have low < high, got {value_range!r}.")
    return float(low), float(high)


def scale_images(images: tf.Tensor, value_range=(-1.0, 1.0)) -> tf.Tensor:
    """Maps uint8 images in [0, 255] to float32 in ``value_range``."""
    low, high = value_bounds(value_range)
    images = tf.cast(images, tf.float32)
    return images * ((high - low) / 255.0) + low


def to_uint8(images, value_range=(-1.0, 1.0)) -> tf.Tensor:
    """Inverse of :func:`scale_images`: float images in ``value_range`` to uint8, clipped and rounded."""
    low, high = value_bounds(value_range)
    images = tf.cast(images, tf.float32)
    images = (images - low) * (255.0 / (high - low))
    return tf.cast(tf.round(tf.clip_by_value(images, 0.0, 255.0)), tf.uint8)


def _tfds_load(info: DatasetInfo, split: str, data_dir: Optional[str], download: bool, **kwargs):
    """``tfds.load`` with tfgans' error for data that is neither prepared nor allowed to download."""
    import tensorflow_datasets as tfds

    data_dir = resolve_data_dir(data_dir)
    try:
        return tfds.load(info.name, split=split, data_dir=data_dir, download=download, with_info=True, **kwargs)
    except AssertionError as e:  # what tensorflow-datasets raises for an unprepared dataset
        if "could not find data" not in str(e):
            raise
        raise DatasetNotFoundError(
            f"Dataset {info.name!r} is not prepared in {data_dir!r} "
            f"(looked for {os.path.join(data_dir, info.name)}). Fix: pass data_dir= (CLI: --data-dir) "
            "pointing to a tensorflow-datasets directory that holds it, set TFDS_DATA_DIR, "
            "or, with internet access, pass download=True (CLI: --download) to fetch it."
        ) from None


def _num_examples(tfds_info, split: str, info: DatasetInfo, ds: Optional[tf.data.Dataset] = None) -> int:
    try:
        return tfds_info.splits[split].num_examples
    except KeyError:  # split metadata missing (tfds mock data): the train split's size bounds any split
        bound = max(info.num_train, info.num_test)
        if bound == 0 and ds is not None:  # a dataset outside the table: what tfds knows of the stream
            bound = max(int(ds.cardinality()), 0)
        return bound


def _check_image_options(info: DatasetInfo, resolution: Optional[int], pad_to: Optional[int] = None,
                         with_labels: bool = False):
    """Raises before any data is read when ``load``'s options do not fit the dataset."""
    if resolution is not None:
        _check_resolution(resolution)
        if pad_to:
            raise ValueError("Pass resolution= or pad_to=, not both: resolution crops and resizes, pad_to pads.")
    elif None in info.image_shape[:2]:
        raise ValueError(f"{info.name}'s images vary in size: pass resolution= (one of "
                         f"{', '.join(map(str, RESOLUTIONS))}) to crop and resize them to the nets' size.")
    if with_labels and not info.num_classes:
        raise ValueError(f"{info.name} has no 'label' feature: load it without with_labels.")


def _image_of(resolution: Optional[int]):
    """A tfds example's uint8 ``image``, center-cropped and resized to ``resolution`` if given."""
    if resolution is None:
        return lambda ex: ex["image"]
    return lambda ex: _center_crop_resize(ex["image"], resolution)


def load(
    name: str,
    batch_size: int = 256,
    *,
    split: str = "train",
    data_dir: Optional[str] = None,
    value_range="tanh",
    with_labels: bool = False,
    shuffle: bool = True,
    shuffle_buffer: Optional[int] = None,
    cache: bool = True,
    drop_remainder: bool = True,
    repeat: bool = False,
    seed: Optional[int] = None,
    download: bool = False,
    pad_to: Optional[int] = None,
    start: Optional[int] = None,
    resolution: Optional[int] = None,
    cluster_labels: Optional[int] = None,
) -> tf.data.Dataset:
    """Streams a dataset as batches of images scaled to ``value_range``.

    Args:
        name: ``mnist``, ``fashion_mnist``, ``cifar10`` or ``svhn_cropped`` (alias ``svhn``), or any
            tensorflow-datasets dataset with an ``image`` feature (``cifar100``, ``tf_flowers``, ...).
        batch_size: examples per batch. Under ``tf.distribute`` this is the global batch.
        split: a tensorflow-datasets split string (``"train"``, ``"test"``, ``"train[:10%]"``).
        data_dir: a prepared tensorflow-datasets directory; default ``$TFDS_DATA_DIR``.
        value_range: ``"tanh"`` for [-1, 1] (the reports' DCGANs), ``"sigmoid"`` for [0, 1]
            (reference nets that end in a sigmoid), or a ``(low, high)`` tuple.
        with_labels: yield ``(images, labels)`` instead of ``images``.
        shuffle, shuffle_buffer: shuffle examples; the buffer defaults to the whole split.
        cache: keep the decoded uint8 split in memory after the first pass.
        drop_remainder: keep every batch the same size (GAN losses and ``MirroredStrategy`` want it).
        repeat: repeat forever (then pass ``steps_per_epoch`` to ``fit``).
        seed: shuffle seed, for reproducible order.
        download: allow tensorflow-datasets to download and prepare a missing dataset.
        pad_to: pad the images symmetrically to ``pad_to x pad_to`` with the background value (pixel 0, the
            low end of ``value_range``): CFG-GAN's reference code trains on MNIST's 28x28 digits padded to
            32x32 (riejohnson/cfg-gan-pt, ``data.py``).
        start: a position in an endless stream, for resuming exactly: the stream's batch ``k`` is batch
            ``k % b`` of epoch ``k // b`` (``b`` = :func:`batches_per_epoch`), each epoch shuffled by its own
            seed (from ``seed`` and the epoch number only), and it begins at batch
            ``start``. Pass ``steps_per_epoch`` to ``fit``. A run killed after ``k`` batches and resumed
            with ``start=k`` sees the batches the uninterrupted run would have seen.
        resolution: center-crop each image to a square and resize it to ``resolution`` (28, 32 or 64, the sides
            the nets make; :func:`image_folder`'s rule), for a dataset whose images are not the nets' size or vary.
        cluster_labels: K: yield ``(images, cluster ids)``, each image's k-means cluster among K
            (:func:`tfgans.clusters.cluster_labels` over the split, balanced), for a self-conditioned GAN; the
            split is decoded into memory first.

    Returns:
        A ``tf.data.Dataset`` of float32 ``[batch_size, H, W, C]`` images (and int64 ``[batch_size]`` labels).
    """
    info = dataset_info(name, data_dir)
    if cluster_labels is not None and with_labels:
        raise ValueError("Pass with_labels (the dataset's labels) or cluster_labels (k-means clusters), not both.")
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}.")
    low_high = value_bounds(value_range)
    _check_image_options(info, resolution, pad_to, with_labels)
    import tensorflow_datasets as tfds

    ds, tfds_info = _tfds_load(info, split, data_dir, download, shuffle_files=shuffle,
                               read_config=tfds.ReadConfig(shuffle_seed=seed))
    size = _num_examples(tfds_info, split, info, ds)
    image = _image_of(resolution)
    if cluster_labels is not None:
        ds = _with_clusters(ds.map(image, num_parallel_calls=tf.data.AUTOTUNE), cluster_labels)
        with_labels = True
    elif with_labels:
        ds = ds.map(lambda ex: (image(ex), ex["label"]), num_parallel_calls=tf.data.AUTOTUNE)
    else:
        ds = ds.map(image, num_parallel_calls=tf.data.AUTOTUNE)
    if cache and cluster_labels is None:
        ds = ds.cache()
    if pad_to:
        ds = ds.map(_padder(info, pad_to, with_labels), num_parallel_calls=tf.data.AUTOTUNE)
    buffer = shuffle_buffer or size
    if start is not None:
        per_epoch = size // batch_size
        ds = _stream_from(ds, start, per_epoch, buffer if shuffle else None, 0 if seed is None else seed, batch_size)
    else:
        if repeat:
            ds = ds.repeat()
        if shuffle:
            ds = ds.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
        ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    if with_labels:
        ds = ds.map(lambda x, y: (scale_images(x, low_high), y), num_parallel_calls=tf.data.AUTOTUNE)
    else:
        ds = ds.map(lambda x: scale_images(x, low_high), num_parallel_calls=tf.data.AUTOTUNE)
    return set_options(ds.prefetch(tf.data.AUTOTUNE))


def _with_clusters(images: tf.data.Dataset, num_clusters: int) -> tf.data.Dataset:
    """``(image, cluster id)`` examples of a dataset of uint8 images, decoded into memory and clustered."""
    from tfgans.clusters import cluster_labels

    array = np.concatenate(list(images.batch(10000).as_numpy_iterator()), axis=0)
    return tf.data.Dataset.from_tensor_slices((array, cluster_labels(array, num_clusters)))


def set_options(ds: tf.data.Dataset) -> tf.data.Dataset:
    """``ds`` with the options of every tfgans pipeline: split example-wise across workers under
    ``MultiWorkerMirroredStrategy`` (``AutoShardPolicy.DATA``), and tf.data's autotuning off.

    Sharding by examples: the default (by files) fails or skews with fewer files than workers, as MNIST's one
    file; no effect on one machine. Autotuning off: with it, TensorFlow 2.21 deletes an iterator only once the
    autotune thread wakes from its optimisation period (30 of the 110 s of ``tfgans reproduce sun --quick``
    went to deleting its two models' iterators in ``keras.backend.clear_session``; 3 s without). The
    pipelines are in memory and light: parallel maps then run one call per core, and prefetch keeps its own
    buffer tuning.
    """
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    options.autotune.enabled = False
    return ds.with_options(options)


def _stream_from(examples, start: int, per_epoch: int, buffer: Optional[int], seed: int, batch_size: int):
    """The endless stream of :func:`load`'s ``start``: epoch ``e`` is ``examples`` shuffled with seed
    ``(seed, e)``, batched with the remainder dropped; it begins at batch ``start``."""
    if start < 0:
        raise ValueError(f"start must be a batch position >= 0, got {start}.")
    if per_epoch < 1:
        raise ValueError(f"The split holds fewer examples than one batch of {batch_size}; lower the batch size.")

    def epoch(e):
        ordered = examples
        if buffer:
            # A fixed graph-level seed for this function's graph: the order is then (seed, e)'s alone, not
            # the caller's global seed's (and a global seed of 0 would make TensorFlow test the tensor
            # op-seed as a Python bool).
            tf.random.set_seed(87654321)
            ordered = ordered.shuffle(buffer, seed=tf.constant(seed, tf.int64) * 1_000_003 + e,
                                      reshuffle_each_iteration=False)
        return ordered.batch(batch_size, drop_remainder=True)

    return tf.data.Dataset.counter(start // per_epoch).flat_map(epoch).skip(start % per_epoch)


def batches_per_epoch(name: str, batch_size: int, *, split: str = "train", data_dir: Optional[str] = None,
                      download: bool = False) -> int:
    """Full batches of ``batch_size`` in one pass over ``split`` (the remainder dropped)."""
    info = dataset_info(name, data_dir)
    ds, tfds_info = _tfds_load(info, split, data_dir, download)
    n = _num_examples(tfds_info, split, info, ds)
    if n < batch_size:
        raise ValueError(f"{name} split {split!r} holds {n} examples, fewer than one batch of {batch_size}.")
    return n // batch_size


def _padder(info: DatasetInfo, size: int, with_labels: bool):
    h, w, _ = info.image_shape
    if size < max(h, w):
        raise ValueError(f"pad_to={size} is smaller than {info.name}'s {h}x{w} images.")
    top, left = (size - h) // 2, (size - w) // 2
    paddings = [[top, size - h - top], [left, size - w - left], [0, 0]]

    def pad(image):
        return tf.pad(image, paddings)  # pixel 0: the background of MNIST-like digits

    return (lambda image, label: (pad(image), label)) if with_labels else pad


def load_images(name: str, *, split: str = "test", data_dir: Optional[str] = None,
                num_examples: Optional[int] = None, download: bool = False, resolution: Optional[int] = None):
    """Returns a split as one uint8 numpy array ``[N, H, W, C]`` (for evaluation and sample grids); with
    ``resolution``, each image center-cropped and resized as :func:`load` does."""
    info = dataset_info(name, data_dir)
    _check_image_options(info, resolution)
    ds, _ = _tfds_load(info, split, data_dir, download, shuffle_files=False)
    ds = ds.map(_image_of(resolution))
    if num_examples is not None:
        ds = ds.take(num_examples)
    return np.concatenate([b for b in ds.batch(10000).as_numpy_iterator()], axis=0)


# --- your own images: a folder of PNG / JPEG / BMP / GIF files ------------------------------------------------

__all__ += ["IMAGE_EXTENSIONS", "MEMORY_CACHE_BYTES", "FolderInfo", "scan_folder", "image_folder", "folder_images",
            "folder_batches_per_epoch"]

#: The files :func:`image_folder` reads (any case); other files are ignored and counted.
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")

#: The largest decoded uint8 array :func:`image_folder` keeps in memory unless told (``cache="memory"``): half of
#: protobuf's 2 GB, the limit of a dataset graph that ``tf.distribute``'s multi-worker sharding serializes with its
#: captured arrays. 1 GiB holds 87,000 images at 64x64x3, 1.3 million at 28x28x1.
MEMORY_CACHE_BYTES = 1 << 30

_SPLITS = ("train", "holdout", "all")
_EXAMPLES = 5  # file names a message or warning quotes
#: (absolute path, size, mtime_ns) -> (width, height, gray) or an error message: each file is decoded by one scan.
_SCANNED = {}


def _check_resolution(resolution):
    if resolution not in RESOLUTIONS:
        raise ValueError(f"resolution={resolution!r} is not a side the nets make: pass one of "
                         f"{', '.join(map(str, RESOLUTIONS))}, or none to choose from the images' sizes.")


def _center_crop_resize(image: tf.Tensor, resolution: int) -> tf.Tensor:
    """uint8 ``[H, W, C]`` -> uint8 ``[resolution, resolution, C]``: the centred square of side min(H, W) (an odd
    margin's extra row or column is cut at the bottom or right), resized with an antialiased bilinear filter (a
    triangle as wide as the scale factor when shrinking, so a large photo does not alias); a square already of
    ``resolution`` comes back unchanged."""
    shape = tf.shape(image)
    side = tf.minimum(shape[0], shape[1])
    top, left = (shape[0] - side) // 2, (shape[1] - side) // 2
    square = image[top:top + side, left:left + side]
    resized = tf.image.resize(square, [resolution, resolution], method="bilinear", antialias=True)
    resized = tf.cast(tf.round(tf.clip_by_value(resized, 0.0, 255.0)), tf.uint8)
    resized.set_shape([resolution, resolution, image.shape[-1]])
    return resized


def _open_image(path: str, draft: Optional[int] = None):
    """A file's pixels as a PIL image of mode ``L`` or ``RGB``, decoded whole (a truncated or corrupt file
    raises). EXIF rotation applied (phone photos store it there); 16-bit gray scaled to 8 bits; alpha composited
    onto black (transparent pixels' stored colours are arbitrary; black is the low end of the value range, as
    ``pad_to``'s background). ``draft``: let a JPEG decode at 1/2..1/8 scale, down to ``draft`` px a side."""
    from PIL import Image, ImageOps

    with Image.open(path) as image:
        if draft:
            image.draft(None, (draft, draft))
        image.load()
        image = ImageOps.exif_transpose(image)
    if image.mode in ("L", "RGB"):
        return image
    if image.mode == "1":
        return image.convert("L")
    if image.mode.startswith("I"):  # 16-bit PNG: 0..65535 to 0..255, rounded (point truncates)
        return image.convert("I").point(lambda v: v * (1 / 257) + 0.5).convert("L")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("LA", "La", "PA", "RGBA", "RGBa"):
        background = Image.new("RGBA", image.size, (0, 0, 0, 255))
        return Image.alpha_composite(background, image.convert("RGBA")).convert("RGB")
    return image.convert("RGB")  # CMYK, YCbCr, ...


def _is_gray(image) -> bool:
    """Whether an ``L`` or ``RGB`` image is gray: ``L``, or R = G = B at every pixel (a gray palette GIF, an RGB
    file of a gray scan)."""
    from PIL import ImageChops

    if image.mode == "L":
        return True
    r, g, b = image.split()
    return ImageChops.difference(r, g).getbbox() is None and ImageChops.difference(g, b).getbbox() is None


def _inspect(path: str):
    """``(width, height, gray)`` of one image file, decoding it whole."""
    image = _open_image(path)
    return image.width, image.height, _is_gray(image)


def _pixels(path: str, channels: int, draft: Optional[int] = None) -> np.ndarray:
    """uint8 ``[H, W, channels]``: a file's pixels converted to gray (ITU-R 601 luma) or RGB."""
    image = _open_image(path, draft).convert("L" if channels == 1 else "RGB")
    pixels = np.asarray(image, dtype=np.uint8)
    return pixels[..., None] if channels == 1 else pixels


@dataclass(frozen=True)
class FolderInfo:
    """What :func:`scan_folder` found in a folder of images.

    Attributes:
        path: the folder, absolute.
        files: the readable images, relative to ``path`` with ``/`` separators, sorted.
        labels: per file, the index in ``classes`` of its first-level subfolder; -1 for a file in ``path`` itself.
        classes: the first-level subfolders that hold image files, sorted (the classes of ``with_labels``).
        resolution: the side images are cropped and resized to (28, 32 or 64).
        channels: 1 or 3.
        num_gray: readable images that are gray (single-channel files, or R = G = B everywhere).
        converted: readable images converted to ``channels`` (colour to gray, or gray to RGB).
        skipped: image files that could not be read (truncated, not an image, a variant PIL cannot decode).
        skipped_examples: the first few of them, as ``"name (reason)"``.
        ignored: other files (no image extension).
        median_side: the median of the readable images' shorter sides, in pixels.
        fingerprint: a hash of the image files' names, sizes and modification times.
    """

    path: str
    files: Tuple[str, ...]
    labels: Tuple[int, ...]
    classes: Tuple[str, ...]
    resolution: int
    channels: int
    num_gray: int
    converted: int
    skipped: int
    skipped_examples: Tuple[str, ...]
    ignored: int
    median_side: float
    fingerprint: str

    @property
    def image_shape(self) -> Tuple[int, int, int]:
        return (self.resolution, self.resolution, self.channels)

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def holdout_files(self, holdout: float) -> frozenset:
        """The files of the holdout split: the ``round(holdout * N)`` (at least one, at most N - 1) whose path
        hashes lowest. A file's place depends on its path alone, up to that count: the split is the same on every
        call and machine, and adding images to the folder moves at most a few across it."""
        _check_split("train", holdout)
        n = len(self.files)
        count = min(max(round(holdout * n), 1), n - 1) if holdout > 0 else 0
        ranked = sorted(self.files, key=lambda f: hashlib.sha1(f.encode("utf-8")).hexdigest())
        return frozenset(ranked[:count])

    def select(self, split: str = "train", holdout: float = 0.0, with_labels: bool = False):
        """``(files, labels)`` of ``split``: ``"train"`` (all but the holdout), ``"holdout"`` or ``"all"``, in
        ``files``' order; with ``with_labels``, only the files in class subfolders."""
        _check_split(split, holdout)
        held = self.holdout_files(holdout)
        keep = [i for i, f in enumerate(self.files)
                if (split == "all" or (f in held) == (split == "holdout")) and (self.labels[i] >= 0 or not with_labels)]
        return [self.files[i] for i in keep], [self.labels[i] for i in keep]

    def summary(self) -> str:
        """One line for a log: images, shape, classes, conversions, skipped files."""
        kind = "gray" if self.channels == 1 else "RGB"
        text = f"{self.path}: {len(self.files)} images -> {self.resolution}x{self.resolution} {kind}"
        if self.classes:
            text += (f", {len(self.classes)} class{'es' if len(self.classes) > 1 else ''} "
                     f"({_quote(self.classes, len(self.classes))})")
        if self.converted:
            text += f", {self.converted} converted to {kind}"
        if self.skipped:
            text += f", {self.skipped} unreadable skipped"
        return text


def _check_split(split: str, holdout: float):
    if split not in _SPLITS:
        raise ValueError(f"split={split!r}: a folder's splits are {', '.join(_SPLITS)}.")
    if not 0.0 <= holdout < 1.0:
        raise ValueError(f"holdout={holdout!r} is the fraction of images held out: pass a number in [0, 1).")


def _walk(path: str):
    """``(image files, other files)``, paths relative to ``path`` with ``/``, hidden files and folders left out
    (``.DS_Store``, tfgans' temporary files)."""
    images, others = [], []
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            rel = os.path.relpath(os.path.join(root, name), path).replace(os.sep, "/")
            (images if name.lower().endswith(IMAGE_EXTENSIONS) else others).append(rel)
    return sorted(images), others


def _read_scan_cache(cache_file: Optional[str], folder: str) -> dict:
    try:
        with open(cache_file) as f:
            saved = json.load(f)
        if saved.get("version") == 1 and saved.get("folder") == folder:
            return saved["files"]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        pass  # none yet, or unreadable: scan again
    return {}


def _quote(names, total: int) -> str:
    return ", ".join(names[:_EXAMPLES]) + (", ..." if total > _EXAMPLES else "")


def scan_folder(path: str, *, resolution: Optional[int] = None, channels: Optional[int] = None,
                batch_size: Optional[int] = None, split: str = "train", holdout: float = 0.0,
                with_labels: bool = False, scan_cache: Optional[str] = None,
                num_parallel_calls: Optional[int] = None) -> FolderInfo:
    """Finds, decodes and checks every image of a folder once, before training.

    Reads ``.png``, ``.jpg``/``.jpeg``, ``.bmp`` and ``.gif`` files (any case; a GIF's first frame) in ``path``
    and its subfolders; hidden files and folders are left out. Each file is decoded whole with PIL, in
    ``num_parallel_calls`` threads (default: one per core); files that fail are skipped, counted and named in a
    warning. The per-file results are kept for the process (and in ``scan_cache``, a JSON file written atomically,
    if given) under the file's size and modification time: a second scan decodes only new or changed files.

    Default ``resolution``: the smallest of 28, 32, 64 at least the median shorter side of the images (64 for
    anything larger), so small images are not blown up and large ones come down to the largest nets. Default
    ``channels``: 1 if every image is gray, else 3; images of the other kind are converted and counted (warned).

    Args:
        path: the folder.
        resolution, channels: override the defaults.
        batch_size: check that ``split`` holds at least one batch.
        split, holdout, with_labels: the images that batch check counts (see :func:`image_folder`).
        scan_cache: a JSON file keeping the per-file results across processes.
        num_parallel_calls: decoding threads.

    Raises:
        FileNotFoundError: ``path`` is not a folder.
        ValueError: no image files; most of them unreadable; a ``resolution`` the nets cannot make or
            ``channels`` other than 1 or 3; ``with_labels`` without class subfolders; fewer images than one batch.
    """
    if resolution is not None:
        _check_resolution(resolution)
    if channels not in (None, 1, 3):
        raise ValueError(f"channels={channels!r}: pass 1 (grayscale) or 3 (RGB), or none to choose from the images.")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}.")
    _check_split(split, holdout)
    folder = os.path.abspath(os.path.expanduser(os.fspath(path)))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"No folder {folder}: pass the folder that holds your images.")
    names, others = _walk(folder)
    if not names:
        found = f" (it holds {len(others)} other files, e.g. {_quote(others, len(others))})" if others else ""
        raise ValueError(f"No image files in {folder}{found}: tfgans reads {', '.join(IMAGE_EXTENSIONS)} files in "
                         "the folder or its subfolders; point it at the folder that holds them.")

    saved = _read_scan_cache(scan_cache, folder) if scan_cache else {}
    results, keys, todo = {}, {}, []
    for name in names:
        full = os.path.join(folder, name)
        try:
            st = os.stat(full)
        except OSError as e:  # a broken link
            results[name] = f"{type(e).__name__}: {e.strerror}"
            continue
        keys[name] = (full, st.st_size, st.st_mtime_ns)
        entry = saved.get(name)
        if keys[name] in _SCANNED:
            results[name] = _SCANNED[keys[name]]
        elif isinstance(entry, list) and entry[:2] == [st.st_size, st.st_mtime_ns]:
            results[name] = tuple(entry[2:]) if len(entry) == 5 else entry[2]
        else:
            todo.append(name)

    def inspect(name):
        try:
            return _inspect(keys[name][0])
        except Exception as e:  # noqa: BLE001 - any failure to decode makes the file unreadable
            return f"{type(e).__name__}: {e}"[:120]

    if todo:
        # PIL releases the GIL while it decodes: threads decode in parallel.
        with ThreadPoolExecutor(max_workers=num_parallel_calls or os.cpu_count() or 1) as pool:
            results.update(zip(todo, pool.map(inspect, todo)))
    for name, key in keys.items():
        _SCANNED[key] = results[name]
    if scan_cache:
        entries = {name: [keys[name][1], keys[name][2], *(r if isinstance(r, tuple) else [r])]
                   for name, r in results.items() if name in keys}
        if entries != saved:
            from tfgans.files import write_json

            write_json(scan_cache, {"version": 1, "folder": folder, "files": entries})

    bad = [f"{name} ({r})" for name, r in results.items() if isinstance(r, str)]
    bad.sort()
    good = [name for name in names if isinstance(results[name], tuple)]
    if len(bad) > len(names) / 2:
        raise ValueError(f"{len(bad)} of {len(names)} image files in {folder} cannot be read, e.g. "
                         f"{_quote(bad, len(bad))}: replace or remove the damaged files, or check it is the right "
                         "folder.")
    if bad:
        warnings.warn(f"tfgans: skipped {len(bad)} of {len(names)} image files in {folder} that cannot be read: "
                      f"{_quote(bad, len(bad))}.", stacklevel=2)

    classes = sorted({name.split("/", 1)[0] for name in names if "/" in name})
    index = {c: i for i, c in enumerate(classes)}
    labels = [index[name.split("/", 1)[0]] if "/" in name else -1 for name in good]
    sides = sorted(min(results[name][:2]) for name in good)
    median = float(np.median(sides))
    if resolution is None:
        resolution = next((r for r in RESOLUTIONS if r >= median), max(RESOLUTIONS))
    num_gray = sum(results[name][2] for name in good)
    if channels is None:
        channels = 1 if num_gray == len(good) else 3
    converted = len(good) - num_gray if channels == 1 else num_gray
    if converted:
        kind = "grayscale" if channels == 1 else "RGB"
        warnings.warn(f"tfgans: {folder} mixes {num_gray} gray and {len(good) - num_gray} colour images: "
                      f"{converted} converted to {kind}.", stacklevel=2)

    fingerprint = hashlib.sha1("\n".join(f"{name}\t{keys[name][1]}\t{keys[name][2]}" if name in keys else name
                                         for name in names).encode("utf-8")).hexdigest()
    info = FolderInfo(folder, tuple(good), tuple(labels), tuple(classes), resolution, channels, num_gray, converted,
                      len(bad), tuple(bad[:_EXAMPLES]), len(others), median, fingerprint)
    if with_labels:
        if not classes:
            raise ValueError(f"with_labels takes the classes from the subfolders of {folder}, but its images are "
                             f"all directly in it: put each class's images in a subfolder named after the class "
                             f"(e.g. {os.path.join(folder, 'cat')}), or train without labels.")
        unlabeled = labels.count(-1)
        if unlabeled:
            warnings.warn(f"tfgans: {unlabeled} images directly in {folder} are in no class subfolder; they are "
                          "left out of the labeled data.", stacklevel=2)
    if batch_size is not None:
        count = len(info.select(split, holdout, with_labels)[0])
        where = f"The {split} split of {folder}" if split != "all" else f"{folder}"
        if count == 0 and split == "holdout":
            raise ValueError(f"{where} holds no images: pass holdout= the fraction to hold out (e.g. 0.1).")
        if count < batch_size:
            raise ValueError(f"{where} holds {count} readable images, fewer than one batch of {batch_size}: lower "
                             f"the batch size (--batch-size {max(count, 1)} or less)"
                             + (" or the holdout fraction." if holdout and split == "train" else "."))
    return info


def _decode_into(out: np.ndarray, info: FolderInfo, files, num_parallel_calls: Optional[int]):
    """Fills ``out`` [N, r, r, c] with the files, decoded with PIL in a parallel ``tf.data`` map (PIL releases
    the GIL) and center-cropped and resized by :func:`_center_crop_resize`, in order."""
    if not len(files):
        return out
    r, c = info.resolution, info.channels
    paths = [os.path.join(info.path, f) for f in files]
    # A JPEG decodes at 1/2, 1/4 or 1/8 scale as long as the short side stays at least twice the target: the
    # resize then has pixels to average, at a fraction of a full decode's time.
    read = lambda p: _pixels(p.decode(), c, draft=2 * r)  # noqa: E731
    calls = num_parallel_calls or tf.data.AUTOTUNE
    ds = tf.data.Dataset.from_tensor_slices(paths).map(
        lambda p: tf.ensure_shape(tf.numpy_function(read, [p], tf.uint8, stateful=False), [None, None, c]),
        num_parallel_calls=calls)
    ds = set_options(ds.map(lambda x: _center_crop_resize(x, r), num_parallel_calls=calls).batch(256).prefetch(1))
    i = 0
    for batch in ds.as_numpy_iterator():
        out[i:i + len(batch)] = batch
        i += len(batch)
    return out


def _selection_key(info: FolderInfo, files) -> str:
    text = "\n".join([info.fingerprint, f"{info.resolution}x{info.channels}", *files])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _disk_cache(cache: str, info: FolderInfo, files, num_parallel_calls: Optional[int]) -> np.ndarray:
    """The decoded images in the ``.npy`` file ``cache``, memory-mapped; (re)written when the folder, the
    selection or the shape changed (a sidecar ``<cache>.json`` holds their key). Written atomically and the
    sidecar last: a killed write leaves no file that passes for a complete one."""
    from tfgans.files import atomic_path, write_json

    shape = (len(files), info.resolution, info.resolution, info.channels)
    key, sidecar = _selection_key(info, files), cache + ".json"
    try:
        with open(sidecar) as f:
            if json.load(f).get("key") == key:
                images = np.load(cache, mmap_mode="r")
                if images.shape == shape and images.dtype == np.uint8:
                    return images
    except (OSError, ValueError, AttributeError):
        pass
    if os.path.exists(sidecar):
        os.remove(sidecar)
    with atomic_path(cache) as tmp:
        out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.uint8, shape=shape)
        _decode_into(out, info, files, num_parallel_calls)
        out.flush()
        del out
    write_json(sidecar, {"key": key, "folder": info.path, "shape": list(shape), "files": len(files)})
    return np.load(cache, mmap_mode="r")


def _check_cache(cache):
    if cache is not None and not isinstance(cache, (str, os.PathLike)):
        raise ValueError(f"cache={cache!r}: pass None (memory when it fits), 'memory', or a .npy file path.")


def _folder_arrays(info: FolderInfo, files, cache, num_parallel_calls: Optional[int]) -> np.ndarray:
    """The selected files decoded to uint8 ``[N, r, r, c]``: in memory (``cache`` None under
    :data:`MEMORY_CACHE_BYTES`, or ``"memory"``), else memory-mapped from the ``.npy`` file ``cache``."""
    _check_cache(cache)
    shape = (len(files), info.resolution, info.resolution, info.channels)
    if cache is None or cache == "memory":
        size = int(np.prod(shape))
        if cache is None and size > MEMORY_CACHE_BYTES:
            raise ValueError(f"The {len(files)} images of {info.path} take {size / 1e9:.1f} GB decoded, more than "
                             f"the {MEMORY_CACHE_BYTES / 1e9:.1f} GB kept in memory: pass cache='<file>.npy' to "
                             "keep them in a file on disk (or cache='memory' if this machine has the memory).")
        return _decode_into(np.empty(shape, np.uint8), info, files, num_parallel_calls)
    images = _disk_cache(os.fspath(cache), info, files, num_parallel_calls)
    return np.asarray(images) if images.nbytes <= MEMORY_CACHE_BYTES else images  # small: read it in once


def image_folder(
    path: str,
    batch_size: int,
    *,
    resolution: Optional[int] = None,
    channels: Optional[int] = None,
    value_range="tanh",
    seed: int = 0,
    start: Optional[int] = None,
    with_labels: bool = False,
    holdout: float = 0.0,
    split: str = "train",
    cache=None,
    drop_remainder: bool = True,
    shuffle: bool = True,
    repeat: bool = False,
    scan_cache: Optional[str] = None,
    num_parallel_calls: Optional[int] = None,
    cluster_labels: Optional[int] = None,
) -> tf.data.Dataset:
    """Streams a folder of your own images as :func:`load` streams a dataset, for ``model.fit``.

    The folder is scanned first (:func:`scan_folder`: every file decoded once, unreadable ones skipped, clear
    errors before any training). The images of ``split`` are then decoded in parallel, center-cropped to a square,
    resized (antialiased) to ``resolution`` and converted to ``channels``, once, into a uint8 array kept in memory
    (or memory-mapped from ``cache``); batches are gathered from it by shuffled indices, so no step waits on a
    decode and memory holds one copy.

    Args:
        path: a folder of ``.png``/``.jpg``/``.jpeg``/``.bmp``/``.gif`` files, flat or nested, any sizes.
        batch_size: images per batch. Under ``tf.distribute`` this is the global batch.
        resolution: 28, 32 or 64; default the smallest of them at least the images' median shorter side (64 above).
        channels: 1 or 3; default 1 if every image is gray, else 3.
        value_range: ``"tanh"`` for [-1, 1], ``"sigmoid"`` for [0, 1], or ``(low, high)``.
        seed: shuffle seed; the same seed gives the same order.
        start: an endless stream from batch ``start``, for resuming exactly, as :func:`load`'s (epoch ``e``
            shuffled by ``(seed, e)``). Pass ``steps_per_epoch`` (:func:`folder_batches_per_epoch`) to ``fit``.
        with_labels: yield ``(images, labels)``: the class of an image is its first-level subfolder (classes
            sorted by name, int64 labels); images directly in ``path`` are left out.
        holdout: the fraction of images held out for evaluation (FID), chosen by a fixed rule from their paths
            (:meth:`FolderInfo.holdout_files`): training never sees them.
        split: ``"train"`` (all but the holdout), ``"holdout"`` or ``"all"``.
        cache: None: decode into memory if the array fits :data:`MEMORY_CACHE_BYTES`, else raise naming the fix;
            ``"memory"``: into memory at any size; a path: a ``.npy`` file on disk, reused while the folder and the
            options are unchanged (one file per split).
        drop_remainder, shuffle, repeat: as :func:`load`'s.
        scan_cache: a JSON file keeping the scan's per-file results across processes.
        num_parallel_calls: decoding threads (default: one per core).
        cluster_labels: K: yield ``(images, cluster ids)``, each image's k-means cluster among K over the split
            (:func:`tfgans.clusters.cluster_labels`, balanced), for a self-conditioned GAN: no subfolders needed.

    Returns:
        A ``tf.data.Dataset`` of float32 ``[batch_size, resolution, resolution, channels]`` images (and int64
        ``[batch_size]`` labels).

    Raises:
        ValueError: see :func:`scan_folder`; also an empty split, or a decoded array too large for memory.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}.")
    low_high = value_bounds(value_range)
    if start is not None and start < 0:
        raise ValueError(f"start must be a batch position >= 0, got {start}.")
    _check_cache(cache)
    if cluster_labels is not None and with_labels:
        raise ValueError("Pass with_labels (the subfolders' classes) or cluster_labels (k-means clusters), not both.")
    whole_batches = drop_remainder or start is not None
    info = scan_folder(path, resolution=resolution, channels=channels, batch_size=batch_size if whole_batches else 1,
                       split=split, holdout=holdout, with_labels=with_labels, scan_cache=scan_cache,
                       num_parallel_calls=num_parallel_calls)
    files, labels = info.select(split, holdout, with_labels)
    images = _folder_arrays(info, files, cache, num_parallel_calls)
    n = len(files)
    if isinstance(images, np.memmap):
        shape = (batch_size if whole_batches else None,) + info.image_shape

        def gather(i):  # random reads from the page cache, a batch at a time
            return tf.ensure_shape(tf.numpy_function(lambda k: images[k], [i], tf.uint8, stateful=False), shape)
    else:
        stored = tf.constant(images)

        def gather(i):
            return tf.gather(stored, i)
    if cluster_labels is not None:
        from tfgans.clusters import cluster_labels as clusters_of

        labels, with_labels = clusters_of(images, cluster_labels), True
    label_table = tf.constant(labels, tf.int64)

    indices = tf.data.Dataset.range(n)
    if start is not None:
        batches = _stream_from(indices, start, n // batch_size, n if shuffle else None, seed, batch_size)
    else:
        if repeat:
            indices = indices.repeat()
        if shuffle:
            indices = indices.shuffle(n, seed=seed, reshuffle_each_iteration=True)
        batches = indices.batch(batch_size, drop_remainder=drop_remainder)

    def assemble(i):
        x = scale_images(gather(i), low_high)
        return (x, tf.gather(label_table, i)) if with_labels else x

    return set_options(batches.map(assemble, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE))


def folder_images(path: str, *, resolution: Optional[int] = None, channels: Optional[int] = None,
                  split: str = "train", holdout: float = 0.0, num_examples: Optional[int] = None,
                  scan_cache: Optional[str] = None, num_parallel_calls: Optional[int] = None) -> np.ndarray:
    """A folder's ``split`` as one uint8 numpy array ``[N, H, W, C]``, as :func:`load_images` gives a dataset's
    (for evaluation: ``folder_images(path, split="holdout", holdout=0.1)`` are the images training never saw).

    Images are decoded, cropped, resized and converted exactly as :func:`image_folder` feeds them; defaults for
    ``resolution`` and ``channels`` come from the whole folder, so every split gets the same shape.
    ``num_examples``: the first that many of the split, in file order.
    """
    info = scan_folder(path, resolution=resolution, channels=channels, scan_cache=scan_cache,
                       num_parallel_calls=num_parallel_calls)
    files, _ = info.select(split, holdout)
    if num_examples is not None:
        files = files[:num_examples]
    return _folder_arrays(info, files, "memory", num_parallel_calls)


def folder_batches_per_epoch(path: str, batch_size: int, *, split: str = "train", holdout: float = 0.0,
                             with_labels: bool = False, scan_cache: Optional[str] = None) -> int:
    """Full batches of ``batch_size`` in one pass over a folder's ``split`` (the remainder dropped): the
    ``steps_per_epoch`` of :func:`image_folder`'s ``start=`` stream."""
    info = scan_folder(path, batch_size=batch_size, split=split, holdout=holdout, with_labels=with_labels,
                       scan_cache=scan_cache)
    return len(info.select(split, holdout, with_labels)[0]) // batch_size


# --- semi-supervised streams (Salimans et al. 2016, arXiv:1606.03498, sec. 5) -------------------------------

__all__ += ["load_semisupervised", "select_labeled", "load_arrays"]


def load_arrays(name: str, *, split: str = "train", data_dir: Optional[str] = None, download: bool = False):
    """A split as numpy arrays: uint8 images ``[N, H, W, C]`` and int64 labels ``[N]``, in file order."""
    info = dataset_info(name)
    ds, _ = _tfds_load(info, split, data_dir, download, shuffle_files=False)
    images, labels = [], []
    for x, y in ds.map(lambda ex: (ex["image"], ex["label"])).batch(10000).as_numpy_iterator():
        images.append(x)
        labels.append(y)
    return np.concatenate(images, axis=0), np.concatenate(labels, axis=0).astype("int64")


def select_labeled(labels, num_labeled: int, num_classes: int, seed: int = 0):
    """Indices of a balanced labeled subset: exactly ``num_labeled / num_classes`` examples of each class.

    The choice of the reference code (openai/improved-gan, ``train_mnist_feature_matching.py``): permute
    the split with ``numpy.random.RandomState(seed)``, then take the first ``num_labeled / K`` examples of
    each class in that order. The same seed picks the same examples.

    Args:
        labels: ``[N]`` integer classes of the split.
        num_labeled: size of the subset, a multiple of ``num_classes``.
        num_classes: K.
        seed: the reference's ``seed_data``.

    Returns:
        int64 ``[num_labeled]`` indices into the split, grouped by class.

    Raises:
        ValueError: ``num_labeled`` is not a positive multiple of K, or a class has fewer examples than
            ``num_labeled / K``.
    """
    labels = np.asarray(labels).reshape(-1)
    if num_labeled < num_classes or num_labeled % num_classes:
        raise ValueError(
            f"num_labeled={num_labeled} must be a positive multiple of the {num_classes} classes: the labeled "
            f"subset is balanced, num_labeled / {num_classes} examples per class (e.g. {10 * num_classes})."
        )
    per_class = num_labeled // num_classes
    order = np.random.RandomState(seed).permutation(len(labels))
    chosen = []
    for k in range(num_classes):
        of_class = order[labels[order] == k]
        if len(of_class) < per_class:
            raise ValueError(
                f"num_labeled={num_labeled} asks for {per_class} examples of class {k}, but the split has only "
                f"{len(of_class)} ({len(labels)} examples in all). Use num_labeled <= "
                f"{num_classes * min(int(np.sum(labels == c)) for c in range(num_classes))}."
            )
        chosen.append(of_class[:per_class])
    return np.concatenate(chosen).astype("int64")


def load_semisupervised(
    name: str,
    num_labeled: int,
    batch_size: int = 100,
    seed: int = 0,
    data_dir: Optional[str] = None,
    *,
    split: str = "train",
    value_range="tanh",
    download: bool = False,
    start: Optional[int] = None,
) -> tf.data.Dataset:
    """The training stream of a semi-supervised GAN (Salimans et al. 2016, sec. 5): one ``fit`` consumes it.

    Each element is a dict of four batches, as the reference code feeds each step
    (openai/improved-gan, ``train_mnist_feature_matching.py``):

    - ``"x_unl"`` [batch_size, H, W, C]: unlabeled images, the whole split reshuffled each epoch (labels
      dropped); the discriminator's ``L_unsupervised`` real batch.
    - ``"x_unl2"``: a second, independently shuffled pass over the split, the real batch of the
      generator's feature matching (the reference's ``trainx_unl2``).
    - ``"x_lab"`` [batch_size, H, W, C], ``"y_lab"`` int64 [batch_size]: the labeled subset
      (:func:`select_labeled`), tiled to the unlabeled stream's length as a run of fresh permutations of
      the subset, then cut into batches (a batch may hold an example twice when the subset is smaller than
      the batch, as in the reference).

    An epoch is ``N // batch_size`` steps (N the split's size); the last partial batch is dropped.

    Args:
        name: a ``tfgans.data`` dataset (``mnist``, ``cifar10``, ``svhn``, ...).
        num_labeled: labeled examples in all, a multiple of the number of classes (MNIST: 20, 50, 100, 200;
            CIFAR-10: 1000, 2000, 4000).
        batch_size: examples per batch of each kind (the reference: 100).
        seed: picks the labeled subset (the reference's ``seed_data``) and seeds the shuffles.
        data_dir: a prepared tensorflow-datasets directory.
        split: the split the unlabeled stream and the labeled subset come from.
        value_range: ``"tanh"`` ([-1, 1]), ``"sigmoid"`` ([0, 1]) or ``(low, high)``.
        download: allow tensorflow-datasets to download a missing dataset.
        start: an endless stream that begins at batch ``start``, as :func:`load`'s: epoch ``e`` of each
            unlabeled stream and repetition ``r`` of the labeled subset are permutations drawn from
            ``(seed, e)`` and ``(seed, r)`` (``tf.random.experimental.index_shuffle``), so a resumed run sees
            the uninterrupted run's batches. Pass ``steps_per_epoch`` to ``fit``.

    Raises:
        ValueError: ``num_labeled`` is not a multiple of the number of classes or exceeds what the split
            holds, or ``batch_size`` is larger than the split.
    """
    info = dataset_info(name)
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}.")
    low_high = value_bounds(value_range)
    if num_labeled < info.num_classes or num_labeled % info.num_classes:
        select_labeled([], num_labeled, info.num_classes)  # raises its error before the split is loaded
    if split == "train" and num_labeled > info.num_train:
        raise ValueError(f"num_labeled={num_labeled} exceeds the {info.num_train} examples of {info.name}[train].")
    images, labels = load_arrays(info.name, split=split, data_dir=data_dir, download=download)
    n = len(images)
    if batch_size > n:
        raise ValueError(f"batch_size={batch_size} is larger than the {n} examples of {info.name}[{split}].")
    if num_labeled > n:
        raise ValueError(f"num_labeled={num_labeled} exceeds the {n} examples of {info.name}[{split}].")
    chosen = select_labeled(labels, num_labeled, info.num_classes, seed)

    images = tf.constant(images)
    x_lab, y_lab = tf.gather(images, chosen), tf.constant(labels[chosen])

    def permutations(size, stream_seed, first, batch=None):
        # Permutation r of range(size) is a stateless function of (stream_seed, r): a stream can start anywhere.
        # With ``batch``, each permutation is batched on its own (an epoch drops its remainder).
        def one(r):
            key = tf.stack([tf.constant(stream_seed, tf.int64), r])
            order = tf.data.Dataset.range(size).batch(size).map(
                lambda i: tf.random.experimental.index_shuffle(i, key, size - 1)).unbatch()
            return order.batch(batch, drop_remainder=True) if batch else order
        return tf.data.Dataset.counter(first).flat_map(one)

    def unlabeled(shuffle_seed):
        # Shuffle indices and gather whole batches: one copy of the split serves both streams.
        if start is not None:
            per_epoch = n // batch_size
            return permutations(n, shuffle_seed, start // per_epoch, batch_size).skip(start % per_epoch)
        return (tf.data.Dataset.range(n).shuffle(n, seed=shuffle_seed, reshuffle_each_iteration=True)
                .batch(batch_size, drop_remainder=True))

    # shuffle -> repeat: every repetition is a fresh permutation of the subset, the reference's tiling.
    if start is not None:
        taken = start * batch_size
        labeled = (permutations(num_labeled, seed + 3, taken // num_labeled).skip(taken % num_labeled)
                   .batch(batch_size, drop_remainder=True))
    else:
        labeled = (tf.data.Dataset.range(num_labeled)
                   .shuffle(num_labeled, seed=seed + 3, reshuffle_each_iteration=True)
                   .repeat().batch(batch_size, drop_remainder=True))

    def assemble(unl, unl2, lab):
        return {
            "x_unl": scale_images(tf.gather(images, unl), low_high),
            "x_unl2": scale_images(tf.gather(images, unl2), low_high),
            "x_lab": scale_images(tf.gather(x_lab, lab), low_high),
            "y_lab": tf.gather(y_lab, lab),
        }

    ds = tf.data.Dataset.zip((unlabeled(seed + 1), unlabeled(seed + 2), labeled))
    return set_options(ds.map(assemble, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE))
