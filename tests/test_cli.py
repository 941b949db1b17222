"""The tfgans command, run in-process: presets, train (grids, logs, checkpoints, export, resume), sample, errors."""

import json
import os

import numpy as np
import pytest
from PIL import Image

from tfgans import cli, presets, training
from tfgans import data as data_lib


def test_presets_lists_every_preset_with_its_source_and_dataset(capsys):
    assert cli.main(["presets"]) == 0
    out = capsys.readouterr().out
    for name in presets.names():
        assert name in out
    line = next(row for row in out.splitlines() if row.startswith("dcgan-mnist-sun"))
    assert "DCGAN" in line and "mnist" in line and "sun" in line and "sec. 2.1" in line and "256" in line


@pytest.mark.slow
def test_train_writes_grids_logs_checkpoints_and_export_and_resumes(tfds_dir, tmp_path, capsys):
    out = str(tmp_path / "run")
    args = ["train", "--preset", "dcgan-mnist-sun", "--data-dir", tfds_dir, "--out", out,
            "--batch-size", "8", "--steps-per-epoch", "2", "--num-samples", "4", "--verbose", "0"]
    assert cli.main(args + ["--epochs", "2"]) == 0
    assert sorted(os.listdir(os.path.join(out, "samples"))) == ["epoch_0001.png", "epoch_0002.png"]
    grid = np.asarray(Image.open(os.path.join(out, "samples", "epoch_0002.png")))
    assert grid.shape == (2 * 30 + 2, 2 * 30 + 2)  # 2x2 tiles of 28x28 with 2-pixel gaps
    assert any(f.startswith("events") for _, _, files in os.walk(os.path.join(out, "logs")) for f in files)
    assert os.path.exists(os.path.join(out, "checkpoints", "ckpt-4.index"))  # numbered by steps done
    assert os.path.exists(os.path.join(out, "generator", "saved_model.pb"))

    # The same command with more epochs continues after epoch 2 instead of starting again.
    assert cli.main(args + ["--epochs", "3"]) == 0
    assert "resumed from" in capsys.readouterr().out
    assert sorted(os.listdir(os.path.join(out, "samples")))[-1] == "epoch_0003.png"
    assert len(os.listdir(os.path.join(out, "samples"))) == 3

    png = str(tmp_path / "grid.png")
    assert cli.main(["sample", os.path.join(out, "generator"), "--n", "9", "--out", png]) == 0
    assert np.asarray(Image.open(png)).shape == (3 * 30 + 2, 3 * 30 + 2)

    # Other settings in the same folder would mix two runs: refused with the fix.
    assert cli.main(args[:-4] + ["--g-lr", "0.5", "--epochs", "4", "--verbose", "0"]) == 2
    assert "holds a run started with other settings" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["train", "--preset", "dcgan-mnist-sunn", "--out", "x"], "Unknown preset 'dcgan-mnist-sunn'. Did you mean dcgan-mnist-sun"),
    (["sample", ".", "--out", "x.png"], "not a SavedModel directory"),
])
def test_bad_input_is_one_clear_line_and_exit_code_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("tfgans: error: ") and message in err and "Traceback" not in err


def test_missing_offline_data_is_a_clear_error(tmp_path, capsys):
    code = cli.main(["train", "--preset", "dcgan-mnist-sun", "--out", str(tmp_path / "r"),
                     "--data-dir", str(tmp_path / "empty"), "--epochs", "1"])
    assert code == 2
    err = capsys.readouterr().err
    assert "'mnist' is not prepared" in err and "--data-dir" in err


@pytest.mark.slow
def test_train_semisupervised_preset_resumes_with_its_parameter_average(tmp_path, capsys):
    import tensorflow as tf
    import tensorflow_datasets as tfds

    import tfgans

    out = str(tmp_path / "semi")
    args = ["train", "--preset", "semisup-mnist-salimans", "--out", out, "--batch-size", "10",
            "--steps-per-epoch", "2", "--num-samples", "4", "--verbose", "0"]
    with tfds.testing.mock_data(num_examples=400):  # enough of each class for the preset's 100 labels
        assert cli.main(args + ["--epochs", "1"]) == 0
        assert cli.main(args + ["--epochs", "2"]) == 0
    assert "resumed from" in capsys.readouterr().out
    model = presets.get("semisup-mnist-salimans").build(seed=0)
    assert tfgans.callbacks.Checkpoint(os.path.join(out, "checkpoints")).restore(model) == 2
    assert float(model.ema.steps.numpy()) == 4.0  # 2 epochs of 2 steps: the average was saved and restored
    assert float(model.initialized.numpy()) == 1.0
    exported = tf.saved_model.load(os.path.join(out, "generator"))
    assert exported.sample(tf.constant(2), tf.constant(0, tf.int64))["images"].shape == (2, 28, 28, 1)


def test_bad_numbers_are_refused_before_the_run_folder_is_written(tmp_path, capsys):
    out = tmp_path / "run"
    for option, value in (("--epochs", "0"), ("--epochs", "-1"), ("--batch-size", "0"), ("--steps-per-epoch", "-3"),
                          ("--g-lr", "0")):
        assert cli.main(["train", "--preset", "dcgan-mnist-sun", "--out", str(out), option, value]) == 2
        assert f"{option} must be positive, got" in capsys.readouterr().err
    assert not out.exists()  # nothing written: the corrected command starts cleanly


def test_damaged_files_and_unwritable_places_are_one_error_line(tmp_path, capsys):
    bad = tmp_path / "images.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    assert cli.main(["evaluate", str(bad), "--dataset", "mnist", "--num-samples", "10"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tfgans: error:") and "Traceback" not in err
    damaged = tmp_path / "generator"
    damaged.mkdir()
    (damaged / "saved_model.pb").write_bytes(b"garbage")
    assert cli.main(["sample", str(damaged), "--out", str(tmp_path / "g.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tfgans: error:") and "Traceback" not in err


def test_train_out_at_a_file_or_in_a_read_only_folder_is_one_error_line(tmp_path, capsys):
    a_file = tmp_path / "taken"
    a_file.write_text("not a folder")
    assert cli.main(["train", "--preset", "dcgan-mnist-sun", "--out", str(a_file)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tfgans: error:") and str(a_file) in err and "writable" in err
    assert a_file.read_text() == "not a folder"
    if os.geteuid() == 0:
        return  # root writes anywhere: the read-only case cannot happen
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    assert cli.main(["train", "--preset", "dcgan-mnist-sun", "--out", str(locked / "run")]) == 2
    assert "Permission denied" in capsys.readouterr().err


def test_ctrl_c_says_how_to_resume(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(training, "train", interrupted)
    assert cli.main(["train", "--preset", "dcgan-mnist-sun", "--out", "unused"]) == 130
    assert capsys.readouterr().err.strip() == "tfgans: interrupted; rerun the same command to resume."


def test_evaluate_refuses_fewer_images_than_asked_for_before_the_reference(tmp_path, capsys, monkeypatch):
    from tfgans import evaluation

    monkeypatch.setattr(evaluation.Evaluator, "reference", lambda self: pytest.fail("reference computed"))
    np.savez(tmp_path / "five.npz", images=np.zeros((5, 28, 28, 1), np.uint8))
    assert cli.main(["evaluate", str(tmp_path / "five.npz"), "--dataset", "mnist"]) == 2
    assert "holds 5 images, fewer than --num-samples 10000" in capsys.readouterr().err


def test_evaluate_says_that_kid_has_no_spread_from_few_samples(tmp_path, capsys, tfds_dir):
    np.savez(tmp_path / "n.npz", images=np.random.default_rng(0).integers(0, 256, (120, 28, 28, 1), dtype=np.uint8))
    assert cli.main(["evaluate", str(tmp_path / "n.npz"), "--dataset", "mnist", "--num-samples", "120",
                     "--data-dir", tfds_dir, "--reference-split", "none"]) == 0
    out = capsys.readouterr().out
    assert "KID's spread needs more than 1000 samples" in out and "(1 subset)" in out and "± 0.00000" not in out


def test_evaluate_prints_each_digits_confidence_with_the_classes_metric(tmp_path, capsys, tfds_dir):
    real = data_lib.load_images("mnist", split="test", data_dir=tfds_dir, num_examples=200)
    np.savez(tmp_path / "real.npz", images=real)
    assert cli.main(["evaluate", str(tmp_path / "real.npz"), "--dataset", "mnist", "--num-samples", "200",
                     "--data-dir", tfds_dir, "--metrics", "fid,classes", "--json", str(tmp_path / "e.json")]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("class confidence")]
    assert [line.split(":")[0] for line in lines] == ["class confidence (generator)", "class confidence (reference)"]
    confidence = [json.load(open(tmp_path / "e.json"))["generator"][f"conf_{c}"] for c in range(10)]
    assert all(0.9 < v <= 1.0 for v in confidence)  # real test digits: the classifier is sure of each class
    assert f"9: {confidence[9]:.3f}" in lines[0]


def test_evaluate_takes_a_folder_of_pngs_and_float_arrays_with_their_value_range(tmp_path, capsys, tfds_dir):
    images = np.random.default_rng(1).integers(0, 256, (60, 28, 28, 1), dtype=np.uint8)
    np.savez(tmp_path / "u8.npz", images=images)
    np.savez(tmp_path / "tanh.npz", images=images.astype(np.float32) / 127.5 - 1.0)
    folder = tmp_path / "pngs"
    folder.mkdir()
    for i, image in enumerate(images):
        Image.fromarray(image[..., 0]).save(folder / f"{i:03d}.png")
    common = ["--dataset", "mnist", "--num-samples", "60", "--data-dir", tfds_dir, "--reference-split", "none",
              "--metrics", "fid,is"]

    def fid(path, *extra):
        assert cli.main(["evaluate", str(path), *common, *extra]) == 0
        row = capsys.readouterr().out.splitlines()[-1].split()
        return float(row[2])

    expected = fid(tmp_path / "u8.npz")
    assert fid(folder) == expected
    assert fid(tmp_path / "tanh.npz", "--value-range", "tanh") == expected
    assert fid(tmp_path / "tanh.npz", "--value-range=-1,1") == expected  # "=": argparse reads -1 as an option
    assert cli.main(["evaluate", str(tmp_path / "tanh.npz"), *common]) == 2
    assert "--value-range tanh" in capsys.readouterr().err  # the float error names the option
    assert cli.main(["evaluate", str(tmp_path / "tanh.npz"), *common, "--value-range", "1,-1"]) == 2
    assert "--value-range needs LOW < HIGH" in capsys.readouterr().err
    Image.fromarray(np.zeros((32, 32), np.uint8)).save(folder / "999.png")
    assert cli.main(["evaluate", str(folder), *common[:2], "--num-samples", "61", *common[4:]]) == 2
    assert "must all have one size" in capsys.readouterr().err


def test_the_training_line_says_whether_bf16_runs_in_hardware():
    import keras

    try:
        policy = training._set_policy(True)
        assert keras.mixed_precision.dtype_policy().name == "mixed_bfloat16"
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert policy.startswith("mixed_bfloat16 (") and (training.bf16_support() or "emulated") in policy
    assert training._set_policy(False) == "float32"


def test_a_full_disk_during_training_is_one_error_line_and_the_run_resumes(tfds_dir, tmp_path, capsys, monkeypatch):
    import errno

    from tfgans import record

    out = str(tmp_path / "run")
    args = ["train", "--preset", "dcgan-mnist-sun", "--out", out, "--data-dir", tfds_dir, "--batch-size", "4",
            "--steps-per-epoch", "1", "--epochs", "1", "--num-samples", "4", "--verbose", "0"]
    real = record._append_rows

    def full(path, rows):
        raise OSError(errno.ENOSPC, "No space left on device", path)

    monkeypatch.setattr(record, "_append_rows", full)
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("tfgans: error: no space left on the disk") and ("steps.csv" in err or "epochs.csv" in err)
    assert "Traceback" not in err
    monkeypatch.setattr(record, "_append_rows", real)
    assert cli.main(args) == 0  # space again: the same command trains the run to its end


def test_a_settings_file_that_is_not_a_json_object_is_one_error_line_naming_it(tfds_dir, tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "run.json").write_text("[1, 2]")
    (out / "checkpoints").mkdir()
    (out / "checkpoints" / "ckpt-1.index").write_bytes(b"x")  # the run trained: its settings are read
    assert cli.main(["train", "--preset", "dcgan-mnist-sun", "--out", str(out), "--data-dir", tfds_dir]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tfgans: error:") and "run.json holds a JSON list" in err and "Traceback" not in err


def test_sample_refuses_a_huge_n_before_drawing(tmp_path, capsys):
    assert cli.main(["sample", "dcgan-mnist-fast", "--n", str(10**9), "--out", str(tmp_path / "x.npz")]) == 2
    err = capsys.readouterr().err
    assert "--n 1000000000 is more than an .npz of samples holds here" in err
    assert not (tmp_path / "x.npz").exists()


def test_debug_shows_the_traceback(tmp_path, capsys):
    with pytest.raises(ValueError, match="--epochs must be positive"):
        cli.main(["--debug", "train", "--preset", "dcgan-mnist-sun", "--out", str(tmp_path / "r"), "--epochs", "0"])


def test_a_read_only_run_folder_is_one_error_line_before_anything_is_written(tfds_dir, tmp_path, capsys, monkeypatch):
    import errno

    from tfgans import files

    real_open = os.open

    def read_only(path, flags, *args):  # root writes anywhere: a read-only disk is simulated
        if str(path).startswith(str(tmp_path)) and flags & os.O_CREAT:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    out = tmp_path / "run"
    out.mkdir()
    monkeypatch.setattr(files.os, "open", read_only)
    assert cli.main(["train", "--preset", "dcgan-mnist-sun", "--out", str(out), "--data-dir", tfds_dir]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tfgans: error: cannot write in the run folder") and "Read-only" in err
    assert os.listdir(out) == []
