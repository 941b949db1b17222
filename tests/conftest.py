"""Shared test setup: two logical CPU devices (for MirroredStrategy tests), quiet TF logs, data fixtures."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pathlib

import pytest
import tensorflow as tf

# Logical devices must be configured before TensorFlow initialises its runtime, so this runs at import.
_cpus = tf.config.list_physical_devices("CPU")
try:
    tf.config.set_logical_device_configuration(_cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)
except RuntimeError:  # runtime already initialised by another plugin: tests needing 2 devices skip
    pass

import keras  # noqa: E402

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_TFDS = REPO_ROOT.parent / "shared" / "tfds"


#: The files that take longest (notebook kernels, worker processes, CLI runs), longest first: pytest-xdist hands
#: out files in collection order (--no-loadscope-reorder, setup.cfg; its default orders by test count), so the
#: short files fill in behind them and both workers finish together.
SLOWEST_FILES = ("test_notebooks.py", "test_flavors.py", "test_multiworker.py", "test_recovery.py", "test_cfggan.py",
                 "test_zoo.py", "test_wgan.py", "test_reports.py", "test_presets_kapoor.py", "test_cli.py",
                 "test_semisup.py")


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(SLOWEST_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(SLOWEST_FILES)))  # stable: file order kept within


@pytest.fixture(scope="session")
def tfds_dir():
    """The offline tensorflow-datasets directory beside the repository (``../shared/tfds``)."""
    if not (SHARED_TFDS / "mnist").is_dir():
        pytest.skip(f"offline MNIST not found at {SHARED_TFDS}: place a tensorflow-datasets dir with mnist there")
    return str(SHARED_TFDS)


@pytest.fixture(scope="session")
def two_replicas():
    """One MirroredStrategy over the two logical CPUs, shared by every test.

    TensorFlow keys collective ops by (group, instance) numbers that each new MirroredStrategy over the same
    devices starts afresh, and the runtime caches them process-wide: a second strategy's first all-reduce would
    meet the first strategy's cached shapes. One process, one strategy, as in a real training script.
    """
    if len(tf.config.list_logical_devices("CPU")) < 2:
        pytest.skip("needs the two logical CPU devices tests/conftest.py configures")
    return tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])


@pytest.fixture(autouse=True)
def _reset_keras_state():
    """Each test starts with float32, fresh Keras name scopes and the same random state.

    No ``gc.collect`` after each test (``clear_session``'s default): it took half a second a test here, the
    interpreter's own collections free the same memory.
    """
    keras.mixed_precision.set_global_policy("float32")
    keras.utils.set_random_seed(0)
    yield
    keras.mixed_precision.set_global_policy("float32")
    keras.backend.clear_session(free_memory=False)


def tiny_generator(latent_dim=4, image_shape=(8, 8, 1), activation="tanh"):
    """A two-row generator for flavor tests: z -> Dense -> image."""
    h, w, c = image_shape
    return keras.Sequential(
        [keras.Input((latent_dim,)), keras.layers.Dense(h * w * c, activation=activation),
         keras.layers.Reshape(image_shape)],
        name="tiny_generator",
    )


def tiny_discriminator(image_shape=(8, 8, 1)):
    """A two-row discriminator for flavor tests: image -> Flatten -> logit."""
    return keras.Sequential(
        [keras.Input(image_shape), keras.layers.Flatten(), keras.layers.Dense(1)], name="tiny_discriminator"
    )


@pytest.fixture
def tiny_images():
    """A fixed batch-able array of 32 images [32, 8, 8, 1] in [-1, 1]: a bright square on dark ground."""
    import numpy as np

    rng = np.random.default_rng(0)
    images = -np.ones((32, 8, 8, 1), np.float32)
    images[:, 2:6, 2:6, :] = 1.0
    return np.clip(images + 0.05 * rng.standard_normal(images.shape), -1, 1).astype(np.float32)


def layer_rows(model):
    """(kind, filters/units, kernel, strides, activation, output shape) per layer: a table's columns."""
    rows = []
    for layer in model.layers:
        kind = type(layer).__name__
        size = getattr(layer, "filters", None) or getattr(layer, "units", None)
        kernel = getattr(layer, "kernel_size", None)
        strides = getattr(layer, "strides", None)
        act = getattr(getattr(layer, "activation", None), "__name__", None)
        rows.append((kind, size, kernel, strides, act, tuple(layer.output.shape[1:])))
    return rows
