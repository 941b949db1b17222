"""Generators as image sources: the one rule by which every evaluation draws a model's images.

Chunk ``i`` of a draw with seed ``s`` uses seed ``s * 2**20 + i``, in ``tfgans evaluate``, in
``tfgans.callbacks.Evaluate`` and in the reports' experiments alike, so an export evaluates to the figures its
model showed during training.
"""

from __future__ import annotations

import os

import numpy as np
import tensorflow as tf

from tfgans import data as data_lib

__all__ = ["sample_generator", "load_generator_images"]


_CHUNK = 1000


def _chunk_seed(seed: int, index: int) -> int:
    # Chunk i of a draw with seed s uses seed s * 2**20 + i: draws of different seeds never share a chunk.
    return int(seed) * (1 << 20) + index


def sample_generator(generator, num_samples: int, seed: int = 0, batch_size: int = _CHUNK,
                     check_finite: bool = True) -> np.ndarray:
    """``num_samples`` uint8 images from a generator, drawn ``batch_size`` at a time.

    Args:
        generator: a ``tfgans.GANModel`` (its ``generate(n, seed)``, mapped to uint8 with its output
            range), a loaded tfgans export (its ``sample(n, seed)`` signature), or a function
            ``(n, seed) -> uint8 images``.
        num_samples, seed: how many images, and the seed of the draw (chunk ``i`` uses
            ``seed * 2**20 + i``, the same in the callback and in ``tfgans evaluate``, so an export
            evaluates to the figures its model showed during training).
        check_finite: refuse a ``GANModel``'s images with NaN or infinite values (below); False draws them
            anyway (as black pixels), for pictures of a diverged model rather than its figures.

    Raises:
        tfgans.extractors.NonFiniteImagesError: a ``GANModel`` drew images with NaN or infinite values (a
            diverged run), counted before they are mapped to uint8, which would make them black images.
    """
    from tfgans.extractors import count_nonfinite, nonfinite_error
    from tfgans.models.base import GANModel, output_range

    nonfinite = []  # images with NaN or inf per chunk (a GANModel's floats; other sources give uint8)
    if isinstance(generator, GANModel):
        value_range = output_range(generator.generator)
        # Traced once per chunk size: eagerly, a composite's gradient steps (CFG-GAN) also compute every
        # weight's gradient and run many times slower.
        generate = tf.function(generator.generate)

        def draw(n, s):
            images = generate(n, tf.constant(s, tf.int64))
            if check_finite:
                nonfinite.append(count_nonfinite(images))
            return data_lib.to_uint8(images, value_range)
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
    if sum(nonfinite):
        raise nonfinite_error(sum(nonfinite), num_samples)
    return np.concatenate(chunks, axis=0)


def _sample_signature(loaded):
    signatures = getattr(loaded, "signatures", None)
    if signatures is not None and "sample" in signatures:
        return signatures["sample"]
    return None


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")


def _read_image_folder(folder: str, files) -> np.ndarray:
    from PIL import Image

    images = []
    for name in files:
        with Image.open(os.path.join(folder, name)) as image:
            image = image.convert("L" if image.mode in ("L", "1", "I;16") else "RGB")
            array = np.asarray(image, dtype=np.uint8)
        array = array[..., None] if array.ndim == 2 else array
        if images and array.shape != images[0].shape:
            raise ValueError(f"{os.path.join(folder, name)} is {array.shape[1]}x{array.shape[0]}x{array.shape[2]} "
                             f"but {files[0]} is {images[0].shape[1]}x{images[0].shape[0]}x{images[0].shape[2]}: "
                             "the images of a folder must all have one size (resize them first).")
        images.append(array)
    return np.stack(images)


def load_generator_images(path: str, num_samples: int, seed: int = 0) -> np.ndarray:
    """Images of a generator given by path: an exported SavedModel directory (or a shipped generator's preset
    name, ``tfgans.export.shipped``), an ``.npz`` of images, or a folder of image files (PNG, JPEG, ...; what
    torch-fidelity and clean-fid users pass).

    An ``.npz`` gives its array ``images`` (else its first array), at most ``num_samples`` of them; a folder
    gives its first ``num_samples`` files in name order, as uint8 ``[N, H, W, C]`` (C = 1 for grayscale).

    Raises:
        FileNotFoundError: nothing at ``path``.
        ValueError: ``path`` is neither a SavedModel directory nor an ``.npz`` file, or the SavedModel has no
            ``sample`` signature.
    """
    from tfgans.export import resolve

    path = resolve(path)  # a shipped generator's preset name names its folder
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"Generator {path!r} does not exist. Pass an exported SavedModel directory "
            "(tfgans.export.save_generator) or an .npz file of uint8 images."
        )
    if os.path.isdir(path):
        if not os.path.isfile(os.path.join(path, "saved_model.pb")):
            files = sorted(name for name in os.listdir(path) if name.lower().endswith(IMAGE_SUFFIXES))
            if files:
                return _read_image_folder(path, files[:num_samples])
            raise ValueError(
                f"{path!r} is a directory but not a SavedModel (no saved_model.pb in it) and holds no image "
                f"files ({', '.join(IMAGE_SUFFIXES)}). Export a generator with "
                "tfgans.export.save_generator(model, path), or pass an .npz file of uint8 images."
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
