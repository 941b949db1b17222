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


@pytest.fixture(scope="session")
def tfds_dir():
    """The offline tensorflow-datasets directory beside the repository (``../shared/tfds``)."""
    if not (SHARED_TFDS / "mnist").is_dir():
        pytest.skip(f"offline MNIST not found at {SHARED_TFDS}: place a tensorflow-datasets dir with mnist there")
    return str(SHARED_TFDS)


@pytest.fixture(autouse=True)
def _reset_keras_state():
    """Each test starts with float32 and fresh Keras name scopes."""
    keras.mixed_precision.set_global_policy("float32")
    yield
    keras.mixed_precision.set_global_policy("float32")
    keras.backend.clear_session()
