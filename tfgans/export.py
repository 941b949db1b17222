"""Export a trained generator as a TensorFlow SavedModel that serves without tfgans installed.

Signatures of the SavedModel (``tf.saved_model.load(path).signatures[...]``):

* ``serving_default(z: float32 [N, latent_dim]) -> {"images": uint8 [N, H, W, C]}``
* ``sample(n: int32 [], seed: int64 []) -> {"images": uint8 [n, H, W, C]}``: draws ``z`` from the model's
  prior with a stateless seed, so the same ``(n, seed)`` gives the same images on every load. These are the
  images ``GANModel.generate(n, seed)`` gives before export.

Beside the graph, ``tfgans.json`` records the latent size, prior and value range for ``tfgans sample``.
"""

from __future__ import annotations

import os
from typing import Optional

import tensorflow as tf
import keras

from tfgans import data as data_lib
from tfgans import files
from tfgans.models.base import GANModel, draw_latent, output_range

__all__ = ["save_generator", "load_generator", "shipped", "zoo_dir", "resolve", "METADATA_FILE", "WEIGHTS_DTYPES"]

METADATA_FILE = "tfgans.json"
WEIGHTS_DTYPES = ("float32", "float16")


def _reading_stored(synthesize, variables, dtype: str, latent_dim: int):
    """``synthesize`` reading each float32 variable it uses from a copy stored as ``dtype``, cast back when
    read. The export saves the variables its endpoints read: the copies, not the originals."""
    used = tf.function(synthesize).get_concrete_function(tf.TensorSpec([None, latent_dim], tf.float32)).variables
    used = {id(v) for v in used}  # the TensorFlow variables behind the Keras ones
    copies = [(v, tf.Variable(tf.cast(v.value, dtype), trainable=False))
              for v in variables if v.dtype == "float32" and id(v.value) in used]

    def stored(z):
        with keras.StatelessScope(state_mapping=[(v, tf.cast(copy, "float32")) for v, copy in copies]):
            return synthesize(z)
    return stored


def save_generator(model, path: str, *, value_range=None, latent_dim: Optional[int] = None,
                   latent_distribution: Optional[str] = None, latent_range=None,
                   weights_dtype: str = "float32") -> str:
    """Writes the generator of ``model`` as a SavedModel at ``path``.

    Args:
        model: a ``GANModel`` (its latent size and prior are used) or a bare generator ``keras.Model``
            (then pass ``latent_dim``; the prior defaults to N(0, 1)).
        path: output directory (created; an existing export there is replaced).
        value_range: the generator's output range; read off its last activation (tanh/sigmoid) when None.
        latent_dim, latent_distribution, latent_range: the prior, when ``model`` is a bare generator.
        weights_dtype: ``"float16"`` stores the float weights at half the size; the images are still computed
            in float32 from them (each weight rounded to float16: measure what that costs, as the zoo's cards do).

    Returns:
        ``path``.
    """
    if isinstance(model, GANModel):
        generator = model.generator
        synthesize = model.synthesize  # the flavor's images (a composite, for CFG-GAN)
        latent_dim = model.latent_dim
        latent_distribution = model.latent_distribution
        latent_range = model.latent_range
    elif isinstance(model, keras.Model):
        generator = model
        synthesize = lambda z: generator(z, training=False)  # noqa: E731
        if latent_dim is None:
            latent_dim = generator.inputs[0].shape[-1] if getattr(generator, "inputs", None) else None
        if latent_dim is None:
            raise ValueError("save_generator needs latent_dim= for a generator built without an Input.")
        latent_distribution = latent_distribution or "normal"
        latent_range = latent_range or (-1.0, 1.0)
    else:
        raise TypeError(f"save_generator takes a tfgans GANModel or a keras.Model, got {type(model).__name__}.")
    if weights_dtype not in WEIGHTS_DTYPES:
        raise ValueError(f"weights_dtype must be one of {WEIGHTS_DTYPES}, got {weights_dtype!r}.")
    value_range = tuple(value_range) if value_range is not None else output_range(generator)
    latent_dim = int(latent_dim)
    if weights_dtype != "float32":
        synthesize = _reading_stored(synthesize, model.variables, weights_dtype, latent_dim)
    low, high = (float(v) for v in latent_range)

    def images(z):
        return {"images": data_lib.to_uint8(synthesize(z), value_range)}

    def sample(n, seed):
        # GANModel.generate(n, seed)'s draw: GANModel.sample_latent(n, [seed, 0]).
        key = tf.stack([seed, tf.constant(0, tf.int64)])
        return images(draw_latent(n, latent_dim, key, latent_distribution, (low, high)))

    archive = keras.export.ExportArchive()
    # No archive.track(generator): the endpoints track the variables they use. Tracking the model too
    # stores every weight twice (as Keras and as TensorFlow variables), doubling the export's size.
    archive.add_endpoint("serving_default", images,
                         input_signature=[tf.TensorSpec([None, latent_dim], tf.float32, name="z")])
    archive.add_endpoint("sample", sample,
                         input_signature=[tf.TensorSpec([], tf.int32, name="n"),
                                          tf.TensorSpec([], tf.int64, name="seed")])
    metadata = {
        "latent_dim": latent_dim,
        "latent_distribution": latent_distribution,
        "latent_range": [low, high],
        "value_range": list(value_range),
        "image_shape": list(synthesize(tf.zeros([1, latent_dim])).shape[1:]),
        "generator": generator.name,
        "weights_dtype": weights_dtype,
    }
    # Written aside and renamed into place, so an interrupted export never leaves a half-written folder.
    with files.replace_dir(path) as tmp:
        archive.write_out(tmp, verbose=False)
        files.write_json(os.path.join(tmp, METADATA_FILE), metadata)
    return path


def zoo_dir() -> str:
    """The folder of shipped generators: ``$TFGANS_ZOO``, else the repository's ``saved_models/``."""
    return os.environ.get("TFGANS_ZOO") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "saved_models")


def shipped(zoo: Optional[str] = None) -> dict:
    """``{preset name: folder}`` of the generators in ``zoo`` (default :func:`zoo_dir`; folder
    ``dcgan_mnist_sun`` for preset ``dcgan-mnist-sun``; a folder named by an earlier name of a preset,
    ``dcgan_mnist_fast``, stands for it, ``dcgan-fast``)."""
    from tfgans.presets import canonical

    root = zoo or zoo_dir()
    if not os.path.isdir(root):
        return {}
    return {canonical(name.replace("_", "-")): os.path.join(root, name) for name in sorted(os.listdir(root))
            if not name.startswith(".") and os.path.isfile(os.path.join(root, name, "saved_model.pb"))}


def resolve(path_or_name: str) -> str:
    """``path_or_name`` if it exists, else the shipped generator of that preset name (:func:`shipped`)."""
    from tfgans import presets

    if os.path.exists(path_or_name) or os.sep in path_or_name:
        return path_or_name
    zoo = shipped()
    if presets.canonical(path_or_name) in zoo:
        return zoo[presets.canonical(path_or_name)]
    if presets.canonical(path_or_name) in presets.names():
        raise FileNotFoundError(
            f"No pretrained generator of preset {path_or_name!r} is shipped (in {zoo_dir()}: "
            f"{', '.join(zoo) or 'none'}). Train one: tfgans train --preset {path_or_name} --out DIR, then use "
            "DIR/generator.")
    return path_or_name


def load_generator(path: str):
    """Loads an exported generator, by folder or by the name of a shipped preset (``"dcgan-mnist-fast"``, see
    :func:`shipped`); returns the ``tf.saved_model.load`` object (``.sample``, ``.serving_default``).

    Raises:
        FileNotFoundError: ``path`` is not a SavedModel directory nor a shipped generator's name.
    """
    path = resolve(path)
    if not os.path.isfile(os.path.join(path, "saved_model.pb")):
        raise FileNotFoundError(
            f"{path!r} is not a SavedModel directory (no saved_model.pb in it). Export one with "
            "tfgans.export.save_generator(model, path) or `tfgans train ... --out DIR` (DIR/generator)."
        )
    return tf.saved_model.load(path)


def sample_images(loaded, n: int, seed: int = 0):
    """``n`` uint8 images from a loaded export's ``sample`` signature, as a numpy array."""
    return loaded.sample(tf.constant(n, tf.int32), tf.constant(seed, tf.int64))["images"].numpy()
