"""tf.data pipelines over tensorflow-datasets for the reports' datasets.

Every pipeline is ``tfds.load -> cache (uint8) -> shuffle -> batch (drop remainder) -> scale -> prefetch``:
caching the raw uint8 images keeps memory at a quarter of float32, and scaling after ``batch`` runs one
vectorised op per batch instead of one per image. :func:`set_options` gives every pipeline its options
(sharded by examples across workers, no autotune thread).

Offline use: pass ``data_dir`` (or set ``TFDS_DATA_DIR``) to a prepared tensorflow-datasets directory.
Nothing is downloaded unless ``download=True``; a dataset that is not prepared raises
:class:`DatasetNotFoundError` naming the dataset, the directory searched and how to fix it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional, Tuple

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


class DatasetNotFoundError(FileNotFoundError):
    """A dataset is not prepared in the data directory and downloading is off."""


def dataset_info(name: str) -> DatasetInfo:
    """Looks up a supported dataset by name (aliases such as ``svhn`` accepted)."""
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in DATASETS:
        raise ValueError(
            f"Unknown dataset {name!r}. tfgans supports: {', '.join(sorted(DATASETS))} "
            f"(aliases: {', '.join(sorted(_ALIASES))})."
        )
    return DATASETS[key]


def resolve_data_dir(data_dir: Optional[str] = None) -> str:
    """``data_dir``, else ``$TFDS_DATA_DIR``, else tensorflow-datasets' default ``~/tensorflow_datasets``."""
    if data_dir:
        return os.path.abspath(os.path.expanduser(data_dir))
    env = os.environ.get("TFDS_DATA_DIR")
    if env:
        return os.path.abspath(os.path.expanduser(env))
    return os.path.join(os.path.expanduser("~"), "tensorflow_datasets")


def _value_range(value_range) -> Tuple[float, float]:
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
    low, high = _value_range(value_range)
    images = tf.cast(images, tf.float32)
    return images * ((high - low) / 255.0) + low


def to_uint8(images, value_range=(-1.0, 1.0)) -> tf.Tensor:
    """Inverse of :func:`scale_images`: float images in ``value_range`` to uint8, clipped and rounded."""
    low, high = _value_range(value_range)
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


def _num_examples(tfds_info, split: str, info: DatasetInfo) -> int:
    try:
        return tfds_info.splits[split].num_examples
    except KeyError:  # split metadata missing (tfds mock data): the train split's size bounds any split
        return max(info.num_train, info.num_test)


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
) -> tf.data.Dataset:
    """Streams a dataset as batches of images scaled to ``value_range``.

    Args:
        name: ``mnist``, ``fashion_mnist``, ``cifar10`` or ``svhn_cropped`` (alias ``svhn``).
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

    Returns:
        A ``tf.data.Dataset`` of float32 ``[batch_size, H, W, C]`` images (and int64 ``[batch_size]`` labels).
    """
    info = dataset_info(name)
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}.")
    low_high = _value_range(value_range)
    import tensorflow_datasets as tfds

    ds, tfds_info = _tfds_load(info, split, data_dir, download, shuffle_files=shuffle,
                               read_config=tfds.ReadConfig(shuffle_seed=seed))
    if with_labels:
        ds = ds.map(lambda ex: (ex["image"], ex["label"]), num_parallel_calls=tf.data.AUTOTUNE)
    else:
        ds = ds.map(lambda ex: ex["image"], num_parallel_calls=tf.data.AUTOTUNE)
    if cache:
        ds = ds.cache()
    if pad_to:
        ds = ds.map(_padder(info, pad_to, with_labels), num_parallel_calls=tf.data.AUTOTUNE)
    buffer = shuffle_buffer or _num_examples(tfds_info, split, info)
    if start is not None:
        per_epoch = _num_examples(tfds_info, split, info) // batch_size
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
    info = dataset_info(name)
    _, tfds_info = _tfds_load(info, split, data_dir, download)
    n = _num_examples(tfds_info, split, info)
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
                num_examples: Optional[int] = None, download: bool = False):
    """Returns a split as one uint8 numpy array ``[N, H, W, C]`` (for evaluation and sample grids)."""
    import numpy as np

    info = dataset_info(name)
    ds, _ = _tfds_load(info, split, data_dir, download, shuffle_files=False)
    ds = ds.map(lambda ex: ex["image"])
    if num_examples is not None:
        ds = ds.take(num_examples)
    return np.concatenate([b for b in ds.batch(10000).as_numpy_iterator()], axis=0)


# --- semi-supervised streams (Salimans et al. 2016, arXiv:1606.03498, sec. 5) -------------------------------

__all__ += ["load_semisupervised", "select_labeled", "load_arrays"]


def load_arrays(name: str, *, split: str = "train", data_dir: Optional[str] = None, download: bool = False):
    """A split as numpy arrays: uint8 images ``[N, H, W, C]`` and int64 labels ``[N]``, in file order."""
    import numpy as np

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
    import numpy as np

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
    low_high = _value_range(value_range)
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
