"""Kapoor & Orozco's presets (Table 1): the flavor, clipping and nets of each, trained from fit and the CLI."""

import os

import numpy as np
import pytest
import tensorflow as tf
import keras

from tfgans import presets
from tfgans.models import DCGAN, GAN

NAMES = ["linear-mnist-kapoor", "dcgan-mnist-kapoor", "dcgan-pool-mnist-kapoor", "lstm-mnist-kapoor"]


# --- presets: Table 1 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_presets_carry_table_1(name):
    p = presets.get(name)
    assert (p.dataset, p.source) == ("mnist", "kapoor")
    assert p.batch_size == 256 and p.latent_dim == 100 and p.epochs == 500  # Table 1
    assert p.optimizer == "adam" and p.g_lr == p.d_lr == 1e-4  # sec. 4.2 (Adam), Table 1 (1e-4)
    assert p.value_range == "tanh"  # the generators output into tanh (sec. 3)


@pytest.mark.parametrize("name, flavor, clip", [
    ("linear-mnist-kapoor", GAN, None),  # "All models besides the linear model contained gradient clipping."
    ("dcgan-mnist-kapoor", DCGAN, 5.0),
    ("dcgan-pool-mnist-kapoor", DCGAN, 5.0),
    ("lstm-mnist-kapoor", GAN, 5.0),
])
def test_presets_build_the_flavor_with_table_1_clipping(name, flavor, clip):
    model = presets.get(name).build(seed=0)
    assert type(model) is flavor
    assert model.clip_norm == clip
    assert float(model.g_optimizer.learning_rate) == pytest.approx(1e-4)
    assert float(model.d_optimizer.learning_rate) == pytest.approx(1e-4)


def test_pool_preset_is_the_only_one_with_pooling():
    for name in NAMES:
        p = presets.get(name)
        pools = [x for net in (p.generator(), p.discriminator()) for x in net.layers
                 if isinstance(x, keras.layers.MaxPooling2D)]
        assert bool(pools) == (name == "dcgan-pool-mnist-kapoor")


@pytest.mark.parametrize("name", NAMES)
def test_each_preset_trains_two_steps_from_fit(name):
    model = presets.get(name).build(seed=1)
    images = np.random.default_rng(0).uniform(-1, 1, size=(8, 28, 28, 1)).astype("float32")
    d_before = [w.copy() for w in model.discriminator.get_weights()]
    g_before = [w.copy() for w in model.generator.get_weights()]
    history = model.fit(tf.data.Dataset.from_tensor_slices(images).batch(4), epochs=1, verbose=0)
    for key in ("d_loss", "g_loss"):
        assert np.isfinite(history.history[key]).all()
    assert int(model.g_optimizer.iterations) == int(model.d_optimizer.iterations) == 2
    assert any(not np.allclose(a, b) for a, b in zip(model.discriminator.get_weights(), d_before))
    assert any(not np.allclose(a, b) for a, b in zip(model.generator.get_weights(), g_before))
    assert np.isfinite(model.generate(2)).all()


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_each_preset_trains_from_the_cli(name, tfds_dir, tmp_path):
    from tfgans import cli

    code = cli.main(["train", "--preset", name, "--out", str(tmp_path / "run"), "--data-dir", tfds_dir,
                     "--epochs", "1", "--steps-per-epoch", "1", "--batch-size", "4", "--num-samples", "4",
                     "--verbose", "0"])
    assert code == 0
    assert os.path.isfile(tmp_path / "run" / "samples" / "epoch_0001.png")
