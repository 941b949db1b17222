"""The report registry, `tfgans reproduce`, the budgeted experiment engine and the claims' judges."""

import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
import keras

from tfgans import cli, experiment, presets, reports, runs
from tfgans.models import GAN
from tfgans.nets import kapoor
from tfgans.reports import CANNOT_TELL, DOES_NOT_HOLD, HOLDS, Entry, ModelResult


# --- the registry -----------------------------------------------------------------------------------------------


def test_registry_finds_every_report_module_and_the_salimans_alias():
    assert {"sun", "chakkarwar", "kapoor", "daw"} <= {r.key for r in reports.all_reports()}
    assert reports.get("salimans") is reports.get("daw")
    with pytest.raises(ValueError, match="Unknown report 'goodfellow'.*known reports: .*chakkarwar"):
        reports.get("goodfellow")


def test_every_report_names_existing_presets_and_judges_each_claim():
    for report in reports.all_reports():
        assert report.claims and report.title and report.source.startswith("seed 00")
        for entry in report.entries:
            presets.get(entry.preset)  # raises for an unknown name
        assert len({e.key for e in report.entries}) == len(report.entries)


def test_an_import_error_inside_a_report_module_is_raised_not_hidden(monkeypatch):
    import importlib

    real = importlib.import_module

    def broken(name, *args):
        if name == "tfgans.reports.sun":
            raise ImportError("No module named 'scipy.spatial' (a bug inside the report module)")
        return real(name, *args)

    monkeypatch.setattr(reports, "_REGISTRY", {})
    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(ImportError, match="a bug inside"):
        reports.all_reports()


def test_help_presets_and_the_report_list_answer_without_importing_tensorflow():
    code = ("import sys\nfrom tfgans import cli\n"
            "for argv in (['presets'], ['reproduce', '--list']):\n    assert cli.main(argv) == 0\n"
            "cli.build_parser().format_help()\n"
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'imported TensorFlow'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "dcgan-mnist-sun" in result.stdout and "claim [dcgan-wins]" in result.stdout


def test_reproduce_refuses_bad_input_before_writing_anything(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["reproduce", "sun", "--out", str(out), "--budget-minutes", "0"]) == 2
    assert "--budget-minutes must be positive" in capsys.readouterr().err
    assert cli.main(["reproduce", "sun"]) == 2
    assert "--out is required" in capsys.readouterr().err
    assert cli.main(["reproduce", "sun", "--out", str(out), "--models", "transformer"]) == 2
    assert "Unknown model(s) ['transformer']" in capsys.readouterr().err
    assert cli.main(["reproduce", "nobody", "--out", str(out)]) == 2
    assert not out.exists()


def test_compare_and_semisup_are_the_kapoor_and_daw_hooks(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(experiment, "reproduce", lambda report, out, **kw: calls.append((report.key, out, kw)))
    assert cli.main(["compare", "--study", "kapoor", "--budget-minutes", "3", "--out", str(tmp_path),
                     "--models", "linear,lstm"]) == 0
    key, out, options = calls[0]
    assert (key, out, options["budget_minutes"], options["models"]) == ("kapoor", str(tmp_path), 3.0,
                                                                         ["linear", "lstm"])
    assert cli.build_parser().parse_args(["semisup", "--table"]).func.target == "tfgans.semisup:run"


# --- the claims' judges, on hand-made records ------------------------------------------------------------------


def result(key, epochs, **extra):
    """A ModelResult whose epoch rows carry ``epochs`` (list of dicts) for entry ``key``."""
    rows = [{"epoch": i + 1, "step": 10 * (i + 1), "epochs": float(i + 1), "train_minutes": float(i + 1),
             "cpu_minutes": float(i + 1), **row} for i, row in enumerate(epochs)]
    return ModelResult(Entry(key, "dcgan-mnist-sun", key.upper()), rows, {}, {"done": True, **extra})


def claim(report, key):
    return next(c for c in reports.get(report).claims if c.key == key)


def test_sun_wgan_generator_loss_claim():
    judge = claim("sun", "wgan-g-loss-below-0").judge
    below = [{"g_loss": v} for v in (0.3, 0.1, -0.2, -0.3, -0.25, -0.3, -0.28)]
    assert judge({"wgan": result("wgan", below)}).status == HOLDS
    late = [{"g_loss": 0.5}] * 11 + [{"g_loss": -0.1}] * 3
    assert judge({"wgan": result("wgan", late)}).status == DOES_NOT_HOLD
    unstable = [{"g_loss": -0.1}, {"g_loss": 0.4}, {"g_loss": 0.5}, {"g_loss": -0.1}, {"g_loss": 0.3}]
    assert judge({"wgan": result("wgan", unstable)}).status == DOES_NOT_HOLD
    early = [{"g_loss": 0.2}, {"g_loss": 0.1}]
    assert judge({"wgan": result("wgan", early)}).status == CANNOT_TELL


def test_sun_good_samples_claim_needs_30_epochs_or_a_good_fid():
    judge = claim("sun", "good-after-30-epochs").judge
    assert judge({"dcgan": result("dcgan", [{"fid": 80.0}, {"fid": 15.0}])}).status == HOLDS
    assert judge({"dcgan": result("dcgan", [{"fid": 80.0}] * 5)}).status == CANNOT_TELL
    assert judge({"dcgan": result("dcgan", [{"fid": 40.0}] * 31)}).status == DOES_NOT_HOLD


def test_chakkarwar_dcgan_wins_compares_final_fids_at_equal_budget():
    judge = claim("chakkarwar", "dcgan-wins").judge
    gan = result("gan", [{"fid": 200.0}, {"fid": 120.0}, {"fid": 110.0}])
    dcgan = result("dcgan", [{"fid": 150.0}, {"fid": 60.0}, {"fid": 40.0}])
    assert judge({"gan": gan, "dcgan": dcgan}).status == HOLDS
    assert judge({"gan": dcgan, "dcgan": gan}).status == DOES_NOT_HOLD
    flip = result("dcgan", [{"fid": 300.0}, {"fid": 300.0}, {"fid": 100.0}])
    assert judge({"gan": gan, "dcgan": flip}).status == CANNOT_TELL  # the last evaluation alone disagrees


def test_zhu_cfggan_claim_needs_fid_and_score_to_agree():
    judge = claim("zhu", "cfg-beats-wgangp").judge
    good, bad = [{"fid": 20.0, "is": 8.5}], [{"fid": 60.0, "is": 6.0}]
    assert judge({"cfggan": result("cfggan", good), "wgangp": result("wgangp", bad)}).status == HOLDS
    assert judge({"cfggan": result("cfggan", bad), "wgangp": result("wgangp", good)}).status == DOES_NOT_HOLD
    split = [{"fid": 10.0, "is": 5.0}]
    assert judge({"cfggan": result("cfggan", split), "wgangp": result("wgangp", bad)}).status == CANNOT_TELL


# --- the budgeted, resumable engine ----------------------------------------------------------------------------


def tiny_gan():
    g = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="tanh"),
                          keras.layers.Reshape((4, 4, 1))])
    d = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    gan = GAN(g, d, latent_dim=4, seed=0)
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    return gan


def tiny_data(n=32, batch=4):
    images = np.random.default_rng(0).uniform(-1, 1, (n, 4, 4, 1)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(images).batch(batch)


def read(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def test_budget_recorder_stops_at_the_budget_and_records_every_step(tmp_path):
    recorder = experiment.BudgetRecorder(str(tmp_path), budget_seconds=0.5, steps_per_epoch=8)
    gan = tiny_gan()
    gan.fit(tiny_data().repeat(), steps_per_epoch=8, epochs=10000, verbose=0, callbacks=[recorder])
    assert recorder.stopped_by == "budget"
    assert 0.5 <= recorder.train_seconds < 5.0
    steps, epochs = read(tmp_path / "steps.csv"), read(tmp_path / "epochs.csv")
    assert [int(r["step"]) for r in steps] == list(range(1, len(steps) + 1))
    assert int(epochs[-1]["step"]) == len(steps) == int(gan.g_optimizer.iterations)
    # The per-step values average to the epoch means Keras reports.
    first = [float(r["d_loss"]) for r in steps[:8]]
    assert float(epochs[0]["d_loss"]) == pytest.approx(np.mean(first), rel=1e-4)


def test_budget_recorder_drops_the_rows_past_the_restored_checkpoint(tmp_path):
    from tfgans.callbacks import Checkpoint

    ckpt = str(tmp_path / "checkpoints")
    first = tiny_gan()
    first.fit(tiny_data(), epochs=2, verbose=0,
              callbacks=[experiment.BudgetRecorder(str(tmp_path), None), Checkpoint(ckpt)])
    # A third epoch whose rows were written, but whose checkpoint was not (killed in between):
    runs_rows = read(tmp_path / "epochs.csv")
    extra = dict(runs_rows[-1], epoch="3", step="24")
    with open(tmp_path / "epochs.csv", "a", newline="") as f:
        csv.DictWriter(f, fieldnames=list(extra)).writerow(extra)
    second = tiny_gan()
    recorder = experiment.BudgetRecorder(str(tmp_path), None)
    second.fit(tiny_data(), epochs=3, verbose=0, callbacks=[experiment._RestoreFirst(Checkpoint(ckpt)), recorder])
    rows = read(tmp_path / "epochs.csv")
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3] and [int(r["step"]) for r in rows] == [8, 16, 24]
    assert len(read(tmp_path / "steps.csv")) == 24


@pytest.fixture
def tiny_presets(monkeypatch):
    """Chakkarwar's and Kapoor's presets with nets shrunk to a few units (structure kept)."""
    tiny = {
        "gan-mnist-chakkarwar": (lambda: kapoor.linear_generator(layer_one_size=8, layer_two_size=16),
                                 lambda: kapoor.linear_discriminator(layer_one_size=16, layer_two_size=8)),
        "dcgan-mnist-chakkarwar": (lambda: kapoor.dcgan_generator(stride=2, channels=2),
                                   lambda: kapoor.dcgan_discriminator(stride=2, channels=2)),
    }
    for name, (g, d) in tiny.items():
        monkeypatch.setitem(presets.PRESETS, name, presets.get(name).replace(generator=g, discriminator=d))


@pytest.mark.slow
def test_reproduce_quick_writes_figures_verdicts_and_resumes(tiny_presets, tfds_dir, tmp_path, capsys):
    out = tmp_path / "chakkarwar"
    argv = ["reproduce", "chakkarwar", "--quick", "--out", str(out), "--data-dir", tfds_dir, "--verbose", "0"]
    assert cli.main(argv) == 0
    for name in ("report.md", "samples.png", "fid.png", "gan_loss.png", "dcgan_loss.png", "dcgan_grids.png",
                 "verdicts.json", "gan/final.png", "dcgan/samples/epoch_0001.png", "dcgan/logs"):
        assert (out / name).exists(), name
    text = (out / "report.md").read_text()
    assert "| DCGAN turns out the winner" in text and "MNIST" in text and "--quick" in text
    verdicts = json.loads((out / "verdicts.json").read_text())
    assert set(verdicts) == {"dcgan-wins", "losses-settle"}
    assert all(v["verdict"] in (HOLDS, DOES_NOT_HOLD, CANNOT_TELL) for v in verdicts.values())
    rows = read(out / "dcgan" / "epochs.csv")
    assert rows[-1]["fid"]  # the last epoch is always scored
    before = (out / "dcgan" / "epochs.csv").read_text()
    capsys.readouterr()
    assert cli.main(argv) == 0  # finished models are not trained again
    assert "training for" not in capsys.readouterr().out
    assert (out / "dcgan" / "epochs.csv").read_text() == before
    assert cli.main(argv + ["--seed", "1"]) == 2  # other settings: refused


@pytest.mark.slow
def test_a_larger_budget_trains_a_budget_stopped_model_on(tiny_presets, tfds_dir, tmp_path):
    entry = reports.get("chakkarwar").entries[0]
    options = dict(clock="wall", data_dir=tfds_dir, split="train[:6000]", max_epochs=1000, verbose=0)
    first = experiment.train_entry(entry, str(tmp_path), budget_seconds=1.0, **options)
    assert first.progress["stopped_by"] == "budget"
    again = experiment.train_entry(entry, str(tmp_path), budget_seconds=1.0, **options)
    assert again.epochs == first.epochs  # nothing more to do at the same budget
    more = experiment.train_entry(entry, str(tmp_path), budget_seconds=2.0, **options)
    # epochs.csv keeps minutes to 4 decimals: 2.001 s is recorded as 0.0333 < 2 / 60.
    assert more.progress["stopped_by"] == "budget" and more.train_minutes >= round(2.0 / 60, 4)
    assert more.epochs[-1]["step"] > first.epochs[-1]["step"]
    assert [row["step"] for row in more.epochs[:len(first.epochs)]] == [row["step"] for row in first.epochs]


@pytest.mark.slow
def test_a_diverging_model_is_recorded_and_the_experiment_goes_on(tiny_presets, tfds_dir, tmp_path, monkeypatch):
    name = "gan-mnist-chakkarwar"
    monkeypatch.setitem(presets.PRESETS, name, presets.get(name).replace(g_lr=1e30, d_lr=1e30))
    path = experiment.reproduce(reports.get("chakkarwar"), str(tmp_path), data_dir=tfds_dir, quick=True,
                                eval_samples=50, verbose=0)
    assert runs.read_json(str(tmp_path / "gan" / "progress.json"))["stopped_by"] == "nan"
    assert runs.read_json(str(tmp_path / "dcgan" / "progress.json"))["stopped_by"] in ("budget", "epochs")
    assert "| nan |" in open(path).read()


def test_run_folder_settings_are_checked_and_named(tmp_path):
    assert runs.check_settings(str(tmp_path), {"preset": "a", "batch_size": 4}) is False
    assert runs.check_settings(str(tmp_path), {"preset": "a", "batch_size": 4}) is True
    with pytest.raises(runs.SettingsMismatchError, match=r"batch_size: 4 -> 8"):
        runs.check_settings(str(tmp_path), {"preset": "a", "batch_size": 8})
    assert not [f for f in os.listdir(tmp_path) if ".tmp-" in f]


@pytest.mark.slow
def test_sun_on_mock_svhn_trains_the_svhn_presets_and_says_it_has_no_fid(tmp_path, monkeypatch):
    import tensorflow_datasets as tfds

    # Tiny 32x32x3 nets in place of the report's, so that the mock run takes seconds.
    for name in ("dcgan-svhn-sun", "wgan-svhn-sun"):
        monkeypatch.setitem(presets.PRESETS, name, presets.get(name).replace(
            generator=lambda: keras.Sequential([keras.Input((100,)),
                                                keras.layers.Dense(32 * 32 * 3, activation="tanh"),
                                                keras.layers.Reshape((32, 32, 3))]),
            discriminator=lambda: keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(),
                                                    keras.layers.Dense(1)])))
    monkeypatch.setattr(experiment, "QUICK", dict(experiment.QUICK, split="train[:2560]"))
    with tfds.testing.mock_data(num_examples=2600):
        path = reports.reproduce("sun", str(tmp_path), quick=True, dataset="svhn", data_dir=str(tmp_path / "tfds"),
                                 verbose=0)
    text = open(path).read()
    assert "No scores: no feature extractor for svhn_cropped" in text
    assert sorted(p.name for p in tmp_path.iterdir() if (p / "progress.json").exists()) == ["dcgan-svhn", "wgan-svhn"]
    assert "--dataset svhn_cropped" in text
    verdicts = json.loads((tmp_path / "verdicts.json").read_text())
    assert all(v["verdict"] == CANNOT_TELL for v in verdicts.values())  # the claims are about the MNIST models
