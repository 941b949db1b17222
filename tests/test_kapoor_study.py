"""Kapoor & Orozco's presets (Table 1) and the ``tfgans compare --study kapoor`` command, at tiny size."""

import argparse
import csv
import os
import sys
import time

import numpy as np
import pytest
import tensorflow as tf
import keras

from tfgans import presets, studies
from tfgans.models import DCGAN, GAN
from tfgans.nets import kapoor

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


# --- the budget and per-step loss callbacks ---------------------------------------------------------------------


def tiny_gan(seed=0):
    g = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="tanh"),
                          keras.layers.Reshape((4, 4, 1))])
    d = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    gan = GAN(g, d, latent_dim=4, seed=seed)
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    return gan


def tiny_data(n=32, batch=4, repeat=False):
    ds = tf.data.Dataset.from_tensor_slices(np.random.default_rng(0).uniform(-1, 1, (n, 4, 4, 1)).astype("f"))
    return (ds.repeat() if repeat else ds).batch(batch)


def test_budget_stops_fit_when_the_time_is_spent():
    budget = studies.WallClockBudget(0.5)
    start = time.perf_counter()
    tiny_gan().fit(tiny_data(repeat=True), epochs=1, steps_per_epoch=10**6, verbose=0, callbacks=[budget])
    assert budget.stopped_by == "budget"
    assert budget.steps > 2
    assert 0.5 <= budget.train_seconds < 0.5 + 1.0  # checked per batch: stops within a step of the budget
    assert time.perf_counter() - start < budget.first_step_seconds + 2.0
    assert budget.seconds_per_step == pytest.approx(budget.train_seconds / (budget.steps - 1))


def test_step_cap_stops_fit_at_exactly_that_step_across_epochs():
    budget = studies.WallClockBudget(None, max_steps=11)
    gan = tiny_gan()
    gan.fit(tiny_data(n=16, batch=4), epochs=100, verbose=0, callbacks=[budget])  # 4 steps per epoch
    assert budget.steps == 11 and budget.stopped_by == "steps"
    assert int(gan.g_optimizer.iterations) == 11


def test_step_losses_are_the_per_step_values_behind_the_epoch_means():
    recorder = studies.StepLosses()
    history = tiny_gan().fit(tiny_data(n=24, batch=4), epochs=2, verbose=0, callbacks=[recorder])
    for name in ("d_loss", "g_loss"):
        values = np.array(recorder.history[name])
        assert values.shape == (12,)  # 6 steps per epoch, 2 epochs
        assert np.isfinite(values).all()
        # Keras logs each epoch's running mean; the recorded steps of each epoch average to it.
        np.testing.assert_allclose([values[:6].mean(), values[6:].mean()], history.history[name], rtol=1e-5)
        assert np.std(values) > 0  # individual steps, not a repeated mean


def test_bad_budget_and_unknown_models_raise_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="budget"):
        studies.compare(out=str(tmp_path), budget_seconds=0)
    with pytest.raises(ValueError, match="budget.*steps|--budget-minutes"):
        studies.compare(out=str(tmp_path), budget_seconds=None)
    with pytest.raises(ValueError, match="choose from linear"):
        studies.compare(out=str(tmp_path), budget_seconds=1, models=["transformer"])
    with pytest.raises(ValueError, match="Unknown study"):
        studies.compare("goodfellow", out=str(tmp_path), budget_seconds=1)


def test_missing_matplotlib_fails_before_training_with_an_install_hint(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import now raises ImportError
    args = parse(["compare", "--budget-minutes", "1", "--out", str(tmp_path / "cmp")])
    assert studies.run(args) == 2
    assert "pip install matplotlib" in capsys.readouterr().err
    assert not os.path.exists(tmp_path / "cmp" / "comparison.md")


# --- the compare command at tiny size ------------------------------------------------------------------------


def parse(argv):
    parser = argparse.ArgumentParser(prog="tfgans")
    studies.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


@pytest.fixture
def tiny_kapoor_presets(monkeypatch):
    """The four presets with nets shrunk to a few units (the report's structure, tiny sizes)."""
    tiny = {
        "linear-mnist-kapoor": (lambda: kapoor.linear_generator(layer_one_size=8, layer_two_size=16),
                                lambda: kapoor.linear_discriminator(layer_one_size=16, layer_two_size=8)),
        "dcgan-mnist-kapoor": (lambda: kapoor.dcgan_generator(stride=2, channels=2),
                               lambda: kapoor.dcgan_discriminator(stride=2, channels=2)),
        "dcgan-pool-mnist-kapoor": (lambda: kapoor.dcgan_pool_generator(stride=2, channels=2),
                                    lambda: kapoor.dcgan_pool_discriminator(stride=2, channels=2)),
        "lstm-mnist-kapoor": (lambda: kapoor.lstm_generator(units=4), lambda: kapoor.lstm_discriminator(units=4)),
    }
    for name, (g, d) in tiny.items():
        monkeypatch.setitem(presets.PRESETS, name, presets.get(name).replace(generator=g, discriminator=d))


@pytest.mark.slow
def test_compare_cli_writes_plots_grid_and_a_four_row_table(tiny_kapoor_presets, tfds_dir, tmp_path):
    out = tmp_path / "kapoor"
    args = parse(["compare", "--study", "kapoor", "--budget-minutes", "0.05", "--steps", "3",
                  "--batch-size", "4", "--split", "train[:64]", "--data-dir", tfds_dir, "--out", str(out),
                  "--num-samples", "4", "--eval-samples", "6", "--no-fid"])
    assert args.func(args) == 0
    keys = ["linear", "dcgan", "lstm", "dcgan-pool"]
    for key in keys:
        assert os.path.getsize(out / f"{key}_loss.png") > 1000
        with np.load(out / f"{key}_samples.npz") as f:
            assert f["images"].shape == (6, 28, 28, 1) and f["images"].dtype == np.uint8
        with open(out / f"{key}_losses.csv") as f:
            steps = list(csv.DictReader(f))
        assert len(steps) == 3 and all(np.isfinite(float(s["d_loss"])) for s in steps)
    with open(out / "comparison.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["preset"] for r in rows] == ["linear-mnist-kapoor", "dcgan-mnist-kapoor", "lstm-mnist-kapoor",
                                           "dcgan-pool-mnist-kapoor"]
    assert all(int(r["steps"]) == 3 and r["stopped"] == "steps" and float(r["ms_per_step"]) > 0 for r in rows)
    assert "fid" not in rows[0]
    table = (out / "comparison.md").read_text().splitlines()
    assert sum(line.startswith("| ") for line in table) == 1 + 4  # header and four models
    from PIL import Image

    grid = Image.open(out / "samples.png")
    assert grid.width > 5 * grid.height  # five panels (real MNIST and four models) side by side


@pytest.mark.slow
def test_compare_adds_an_fid_column_when_a_scorer_is_available(tiny_kapoor_presets, tfds_dir, tmp_path):
    seen = []

    def scorer(images):
        seen.append(images.shape)
        return 12.5

    rows = studies.compare(out=str(tmp_path), budget_seconds=5, max_steps=2, batch_size=4, split="train[:32]",
                           data_dir=tfds_dir, num_samples=4, eval_samples=5, models=["linear"],
                           print_every=None, fid_scorer=scorer)
    assert seen == [(5, 28, 28, 1)]
    assert rows[0]["fid"] == 12.5
    with open(tmp_path / "comparison.csv") as f:
        assert float(next(csv.DictReader(f))["fid"]) == 12.5


@pytest.mark.slow
def test_a_diverging_model_is_recorded_and_the_comparison_goes_on(tiny_kapoor_presets, tfds_dir, tmp_path,
                                                                   monkeypatch):
    # The report's linear models mostly "suffered from exploding weights that became NaNs" (sec. 4.3.1).
    name = "linear-mnist-kapoor"
    monkeypatch.setitem(presets.PRESETS, name, presets.get(name).replace(g_lr=1e30, d_lr=1e30))
    rows = studies.compare(out=str(tmp_path), budget_seconds=5, max_steps=6, batch_size=4, split="train[:32]",
                           data_dir=tfds_dir, num_samples=4, eval_samples=4, models=["linear", "dcgan"],
                           print_every=None, fid=False)
    assert rows[0]["stopped"].startswith("NaN at step") and rows[0]["steps"] < 6
    assert rows[1]["stopped"] == "steps" and rows[1]["steps"] == 6
    assert os.path.isfile(tmp_path / "comparison.md")
