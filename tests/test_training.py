"""The one training driver (tfgans.training.train): validation before writing, one writer per folder, settings
recorded once valid, folders of earlier versions resumed, leftovers of killed writes cleaned, grids redrawn."""

import json
import os
import subprocess
import sys

import pytest
import keras

import tfgans
from tfgans import files, presets, runs, training


OPTIONS = dict(batch_size=8, steps_per_epoch=2, epochs=2, num_samples=4, verbose=0)


@pytest.fixture
def tiny(monkeypatch, tfds_dir):
    """``dcgan-mnist-sun`` with 28x28 nets of a few units (its optimizers, data and flavor kept)."""
    def generator():
        return keras.Sequential([keras.Input((100,)), keras.layers.Dense(28 * 28, activation="tanh"),
                                 keras.layers.Reshape((28, 28, 1))])

    def discriminator():
        return keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])

    preset = presets.get("dcgan-mnist-sun").replace(name="tiny-mnist-test", generator=generator,
                                                    discriminator=discriminator)
    monkeypatch.setitem(presets.PRESETS, preset.name, preset)
    return dict(OPTIONS, data_dir=tfds_dir)


@pytest.mark.parametrize("bad, message", [
    (dict(seed=-1), "--seed must be non-negative, got -1"),
    (dict(seed=2**40), "--seed must be at most"),
    (dict(batch_size=70000), "fewer than one batch"),
    (dict(g_lr=float("inf")), "--g-lr must be a finite number, got inf"),
    (dict(d_lr=0.0), "--d-lr must be positive, got 0.0"),
    (dict(epochs=2.5), "--epochs must be a whole number"),
    (dict(clock="sundial"), "--clock must be"),
])
def test_bad_input_is_refused_before_anything_is_written(tiny, tmp_path, bad, message):
    out = tmp_path / "run"
    with pytest.raises(ValueError, match=message):
        training.train("tiny-mnist-test", str(out), **{**tiny, **bad})
    assert not out.exists()


def test_an_unknown_preset_is_refused_naming_the_close_ones(tmp_path):
    with pytest.raises(ValueError, match="Did you mean dcgan-mnist-sun"):
        training.train("dcgan-mnist-sunn", str(tmp_path / "run"))
    assert not (tmp_path / "run").exists()


def test_the_run_folder_holds_one_settings_file_written_once_the_first_checkpoint_exists(tiny, tmp_path):
    out = str(tmp_path / "run")
    run = tfgans.train("tiny-mnist-test", out, **tiny)
    assert run.stopped_by == "epochs" and run.position == {"epoch": 2, "batch": 0, "step": 4}
    names = set(os.listdir(out))
    assert {"run.json", "checkpoints", "samples", "logs", "epochs.csv", "steps.csv", "progress.json", "generator",
            "final.png"} == names
    settings = json.load(open(os.path.join(out, "run.json")))
    assert settings["format"] == training.FORMAT and settings["preset"] == "tiny-mnist-test"
    assert settings["data"] == {"dataset": "mnist", "split": "train"} and settings["batch_size"] == 8
    assert [row["epoch"] for row in run.record.epochs] == [1, 2]
    # The same call resumes a finished run: nothing more to train, the record unchanged.
    before = open(os.path.join(out, "epochs.csv")).read()
    assert tfgans.train("tiny-mnist-test", out, **tiny).position["step"] == 4
    assert open(os.path.join(out, "epochs.csv")).read() == before
    with pytest.raises(runs.SettingsMismatchError, match=r"batch_size: 8 -> 16"):
        tfgans.train("tiny-mnist-test", out, **{**tiny, "batch_size": 16})
    assert json.load(open(os.path.join(out, "progress.json")))["machines"] == [runs.machine()]
    # More epochs are a free setting: the run trains on; while it trains, its record is not done and names the
    # machine (a run stopped by a kill keeps that).
    seen = []
    probe = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda *_: seen.append(json.load(open(os.path.join(out, "progress.json")))))
    assert tfgans.train("tiny-mnist-test", out, **{**tiny, "epochs": 3}, callbacks=[probe]).position["step"] == 6
    assert seen == [{"done": False, "machines": [runs.machine()], "policies": ["float32"]}]
    assert json.load(open(os.path.join(out, "progress.json")))["done"] is True


def test_a_folder_without_a_checkpoint_accepts_a_corrected_command(tiny, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    # What an earlier version recorded before refusing a bad command (the settings, no checkpoint):
    (out / "run.json").write_text(json.dumps({"preset": "tiny-mnist-test", "batch_size": 70000, "seed": -1}))
    run = training.train("tiny-mnist-test", str(out), **tiny)
    assert run.stopped_by == "epochs"
    assert json.load(open(out / "run.json"))["batch_size"] == 8


def test_a_settings_file_that_is_not_a_json_object_is_named(tiny, tmp_path):
    out = tmp_path / "run"
    training.train("tiny-mnist-test", str(out), **tiny)
    (out / "run.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match=r"run.json holds a JSON list, not a JSON dict"):
        training.train("tiny-mnist-test", str(out), **tiny)


def test_a_second_writer_is_locked_out_naming_the_first_and_a_stale_lock_is_taken_over(tiny, tmp_path, capsys):
    out = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        out.mkdir()
        (out / files.LOCK_FILE).write_text(json.dumps({"host": __import__("socket").gethostname(),
                                                       "pid": holder.pid, "since": "now", "command": "tfgans train"}))
        with pytest.raises(files.RunLockedError, match=rf"in use by process {holder.pid}"):
            training.train("tiny-mnist-test", str(out), **tiny)
        assert sorted(os.listdir(out)) == [files.LOCK_FILE]  # nothing read or written past the lock
    finally:
        holder.kill()
        holder.wait()
    run = training.train("tiny-mnist-test", str(out), **tiny)  # the holder is gone: a stale lock
    assert run.stopped_by == "epochs" and "which is gone; taking the run over" in capsys.readouterr().err
    assert not (out / files.LOCK_FILE).exists()  # released on exit


def test_leftovers_of_killed_writes_are_cleaned_and_no_reader_takes_them(tiny, tmp_path):
    from tfgans.figures import _epoch_grids

    out = tmp_path / "run"
    training.train("tiny-mnist-test", str(out), **tiny)
    dead = 2**22 + 12345  # no such process
    (out / "samples" / f".epoch_0003.png.tmp-{dead}").write_bytes(b"\x89PNG half")
    (out / "checkpoints" / "ckpt-5_temp").mkdir()
    (out / f".generator.tmp-{dead}").mkdir()
    assert [epoch for epoch, _ in _epoch_grids(str(out))] == [1, 2]  # the half grid is not a grid
    training.train("tiny-mnist-test", str(out), **{**tiny, "epochs": 3})
    leftovers = [name for _, dirs, names in os.walk(out) for name in dirs + names if files.is_temp(name)]
    assert leftovers == []


def test_a_grid_lost_to_a_kill_is_drawn_again_on_resume(tiny, tmp_path):
    out = tmp_path / "run"
    training.train("tiny-mnist-test", str(out), **tiny)
    grid = out / "samples" / "epoch_0002.png"
    drawn = grid.read_bytes()
    grid.unlink()  # killed while writing it, after its checkpoint (as earlier versions ordered them)
    training.train("tiny-mnist-test", str(out), **{**tiny, "epochs": 3})
    assert grid.read_bytes() == drawn  # the restored weights are that epoch's
    assert (out / "samples" / "epoch_0003.png").exists()


def test_a_model_folder_of_an_earlier_reproduce_resumes(tiny, tmp_path):
    out = tmp_path / "model"
    training.train("tiny-mnist-test", str(out), **{**tiny, "steps_per_epoch": None, "split": "train[:32]"})
    (out / "run.json").unlink()
    (out / "settings.json").write_text(json.dumps({"preset": "tiny-mnist-test", "budget_seconds": 60.0,
                                                   "clock": "wall", "split": "train[:32]", "max_epochs": None,
                                                   "seed": 0, "eval_samples": None}))
    # Earlier versions trained in float32 without saying so: bf16 would mix precisions in one run.
    with pytest.raises(runs.SettingsMismatchError, match="mixed_precision: False -> True"):
        training.train("tiny-mnist-test", str(out), **{**tiny, "steps_per_epoch": None, "split": "train[:32]",
                                                        "epochs": 3, "mixed_precision": True})
    run = training.train("tiny-mnist-test", str(out), **{**tiny, "steps_per_epoch": None, "split": "train[:32]",
                                                          "epochs": 3})
    assert run.position["epoch"] == 3 and "resumed" not in ""  # trained on from the old checkpoint
    assert not (out / "settings.json").exists() and json.load(open(out / "run.json"))["format"] == training.FORMAT
    with pytest.raises(runs.SettingsMismatchError, match="seed"):
        training.train("tiny-mnist-test", str(out), **{**tiny, "steps_per_epoch": None, "split": "train[:32]",
                                                        "seed": 3})


def test_a_selfcond_run_started_under_the_classifier_is_refused_not_resumed_under_liu_et_als_logits(tmp_path):
    # The same weights fit both objectives: only the settings can tell a run of the earlier selfcond-fast apart.
    preset = presets.get("selfcond-fast")
    kwargs = dict(batch_size=32, g_lr=1.6e-3, d_lr=1.6e-3, seed=0, mixed_precision=False, steps_per_epoch=None,
                  chunk_steps=None, num_labeled=None, flavor_kwargs={}, data={"dataset": "mnist", "split": "train"},
                  epochs=13, budget_minutes=None, clock="wall", eval_samples=None)
    now = training.run_settings(preset, **kwargs)
    assert now["conditioning"] == "mask"
    assert "conditioning" not in training.run_settings(presets.get("acgan-fast"), **kwargs)  # others unchanged
    earlier = {k: v for k, v in now.items() if k != "conditioning"}
    runs.record_settings(str(tmp_path), earlier)
    with pytest.raises(runs.SettingsMismatchError, match=r"conditioning: None -> 'mask'"):
        runs.check_settings(str(tmp_path), now)
