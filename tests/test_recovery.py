"""Nothing lost, nothing silent: damaged checkpoints fall back, lost runs are refused, and a run killed anywhere
(a signal in-process, SIGKILL of a real process) and rerun ends with the weights of the uninterrupted run."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgans
from tfgans import callbacks, cli, runs
from conftest import REPO_ROOT, tiny_discriminator, tiny_generator


def _gan(seed=0):
    model = tfgans.GAN(tiny_generator(), tiny_discriminator(), latent_dim=4, seed=seed)
    model.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    return model


def _trained_checkpoints(tiny_images, directory, epochs=3):
    model = _gan()
    ds = tf.data.Dataset.from_tensor_slices(tiny_images).batch(8, drop_remainder=True)
    model.fit(ds, epochs=epochs, verbose=0, callbacks=[callbacks.Checkpoint(directory)])
    return model


# --- falling back, refusing -------------------------------------------------------------------------------------

def test_a_deleted_checkpoint_index_still_resumes_from_the_files(tiny_images, tmp_path):
    ckpt = str(tmp_path / "ckpt")
    trained = _trained_checkpoints(tiny_images, ckpt)
    os.remove(os.path.join(ckpt, "checkpoint"))  # the index TensorFlow's CheckpointManager reads
    fresh = _gan(seed=9)
    assert callbacks.Checkpoint(ckpt).restore(fresh) == 3
    np.testing.assert_array_equal(fresh.get_weights()[0], trained.get_weights()[0])


@pytest.mark.parametrize("damage", ["truncate", "zero", "flip", "delete_index"])
def test_a_damaged_newest_checkpoint_falls_back_to_the_previous_one_with_a_warning(damage, tiny_images, tmp_path,
                                                                                   capsys):
    ckpt = str(tmp_path / "ckpt")
    _trained_checkpoints(tiny_images, ckpt)  # 4 batches per epoch: ckpt-8 and ckpt-12 are kept
    data = os.path.join(ckpt, "ckpt-12.data-00000-of-00001")
    raw = bytearray(open(data, "rb").read())
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "zero":
        raw = bytearray(len(raw))
    elif damage == "flip":
        raw[len(raw) // 2] ^= 0xFF
    if damage == "delete_index":
        os.remove(os.path.join(ckpt, "ckpt-12.index"))
    else:
        open(data, "wb").write(bytes(raw))
    fresh = _gan(seed=9)
    assert callbacks.Checkpoint(ckpt).restore(fresh) == 2  # the previous checkpoint's epoch
    err = capsys.readouterr().err
    assert "ckpt-12 is damaged" in err and "falling back to the previous checkpoint" in err
    assert sorted(os.listdir(os.path.join(ckpt, "damaged")))[0].startswith("ckpt-12.")  # kept aside, not deleted


def test_all_checkpoints_damaged_is_a_clear_error(tiny_images, tmp_path):
    ckpt = str(tmp_path / "ckpt")
    _trained_checkpoints(tiny_images, ckpt)
    for name in os.listdir(ckpt):
        if ".data-" in name:
            open(os.path.join(ckpt, name), "wb").write(b"\0" * 10)
    with pytest.raises(callbacks.CheckpointError, match="No readable checkpoint .* --restart"):
        callbacks.Checkpoint(ckpt).restore(_gan())


def test_a_run_folder_that_lost_its_checkpoints_is_refused_and_restart_moves_it_aside(tfds_dir, tmp_path, capsys):
    out = str(tmp_path / "run")
    args = ["train", "--preset", "dcgan-mnist-sun", "--data-dir", tfds_dir, "--out", out, "--batch-size", "8",
            "--steps-per-epoch", "2", "--epochs", "1", "--num-samples", "4", "--verbose", "0"]
    assert cli.main(args) == 0
    for name in os.listdir(os.path.join(out, "checkpoints")):
        os.remove(os.path.join(out, "checkpoints", name))
    grid = os.path.join(out, "samples", "epoch_0001.png")
    before = open(grid, "rb").read()
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "holds a run that trained" in err and "--restart" in err
    assert open(grid, "rb").read() == before  # nothing overwritten

    assert cli.main(args + ["--restart"]) == 0
    previous = [name for name in os.listdir(out) if name.startswith("previous-")]
    assert len(previous) == 1
    assert open(os.path.join(out, previous[0], "samples", "epoch_0001.png"), "rb").read() == before
    assert os.path.exists(os.path.join(out, "checkpoints", "ckpt-2.index"))


def test_move_aside_keeps_earlier_previous_folders(tmp_path):
    (tmp_path / "previous-1").mkdir()
    (tmp_path / "run.json").write_text("{}")
    moved = runs.move_aside(str(tmp_path))
    assert sorted(os.listdir(tmp_path)) == sorted(["previous-1", os.path.basename(moved)])
    assert os.listdir(moved) == ["run.json"]
    assert runs.move_aside(str(tmp_path)) is None  # nothing left to move


# --- killed anywhere, resumed exactly -----------------------------------------------------------------------

def _final_generator_weights(out):
    model = tfgans.presets.get(runs.read_json(os.path.join(out, "run.json"))["preset"]).build(seed=0)
    callbacks.Checkpoint(os.path.join(out, "checkpoints")).restore(model)
    return model.generator.get_weights(), int(model.g_optimizer.iterations.numpy())


class _SignalAt(keras.callbacks.Callback):
    """Sends this process a real signal at the end of a given batch of a given epoch (a Ctrl-C, a preemption)."""

    def __init__(self, epoch, batch, signum):
        super().__init__()
        self.at, self.signum, self._epoch = (epoch, batch), signum, None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if (self._epoch, batch) == self.at:
            os.kill(os.getpid(), self.signum)


def _signal_args(tfds_dir):
    return ["train", "--preset", "dcgan-mnist-sun", "--data-dir", tfds_dir, "--batch-size", "8",
            "--steps-per-epoch", "3", "--epochs", "2", "--num-samples", "4", "--verbose", "0"]


@pytest.fixture(scope="module")
def uninterrupted_run(tfds_dir, tmp_path_factory):
    """The run folder of the command the signal tests interrupt, run once without interruption."""
    whole = str(tmp_path_factory.mktemp("whole") / "run")
    keras.utils.set_random_seed(0)
    assert cli.main(_signal_args(tfds_dir) + ["--out", whole]) == 0
    return whole


@pytest.mark.parametrize("kill_at", [(0, 1), (1, 0)], ids=["mid-first-epoch", "start-of-second-epoch"])
def test_a_signal_anywhere_then_the_same_command_ends_with_the_uninterrupted_weights(kill_at, uninterrupted_run,
                                                                                    tfds_dir, tmp_path,
                                                                                    monkeypatch, capsys):
    base = _signal_args(tfds_dir)
    whole, killed = uninterrupted_run, str(tmp_path / "killed")

    make = callbacks.run_callbacks
    signum = signal.SIGINT if kill_at[0] == 0 else signal.SIGTERM
    monkeypatch.setattr(callbacks, "run_callbacks", lambda *a, **k: make(*a, **k) + [_SignalAt(*kill_at, signum)])
    # The run puts back whatever handlers the process had (a test worker's need not be the default ones).
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    assert cli.main(base + ["--out", killed]) == 130
    err = capsys.readouterr().err
    assert f"{signal.Signals(signum).name} received" in err and "rerun the same command to resume" in err
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before  # handlers put back
    monkeypatch.setattr(callbacks, "run_callbacks", make)
    assert cli.main(base + ["--out", killed]) == 0
    assert "resumed from" in capsys.readouterr().out

    expected, steps = _final_generator_weights(whole)
    resumed, resumed_steps = _final_generator_weights(killed)
    assert resumed_steps == steps == 6
    for a, b in zip(expected, resumed):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_sigkill_of_a_real_wasserstein_run_then_the_same_command_ends_with_the_uninterrupted_weights(tfds_dir,
                                                                                                   tmp_path):
    base = [sys.executable, "-m", "tfgans.cli", "train", "--preset", "wgangp-mnist-gulrajani", "--data-dir",
            tfds_dir, "--batch-size", "4", "--steps-per-epoch", "4", "--epochs", "2", "--num-samples", "4",
            "--verbose", "0", "--checkpoint-steps", "1"]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
    whole, killed = str(tmp_path / "whole"), str(tmp_path / "killed")
    assert cli.main(base[3:] + ["--out", whole]) == 0  # the uninterrupted run, in this process

    process = subprocess.Popen(base + ["--out", killed], env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    third = os.path.join(killed, "checkpoints", "ckpt-3.index")
    deadline = time.time() + 120
    while not os.path.exists(third) and process.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)  # no handler runs: whatever was on disk is all there is
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed mid-epoch"
    rerun = subprocess.run(base + ["--out", killed], env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert "resumed from" in rerun.stdout

    expected, steps = _final_generator_weights(whole)
    resumed, resumed_steps = _final_generator_weights(killed)
    assert resumed_steps == steps
    for a, b in zip(expected, resumed):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_only_what_training_leaves_counts_as_a_trained_run(tmp_path):
    (tmp_path / "logs").mkdir()  # TensorBoard makes it before anything trains
    runs.write_csv(str(tmp_path / "epochs.csv"), [])
    (tmp_path / "samples").mkdir()
    assert runs.trained_artifacts(str(tmp_path)) == []
    runs.refuse_lost_run(str(tmp_path), restored=False)  # nothing to lose: no error
    runs.write_csv(str(tmp_path / "epochs.csv"), [{"epoch": 1}])
    (tmp_path / "samples" / "epoch_0001.png").write_bytes(b"png")
    assert runs.trained_artifacts(str(tmp_path)) == ["samples", "epochs.csv"]
    with pytest.raises(runs.LostRunError, match="samples, epochs.csv"):
        runs.refuse_lost_run(str(tmp_path), restored=False)
    runs.refuse_lost_run(str(tmp_path), restored=True)


def test_an_interrupted_export_leaves_the_previous_export_whole(tmp_path, monkeypatch):
    gan = _gan()
    path = str(tmp_path / "generator")
    tfgans.export.save_generator(gan, path)
    before = sorted(os.listdir(path))

    def killed(obj, export_dir, *args, **kwargs):
        os.makedirs(os.path.join(export_dir, "variables"))  # half written, as a Ctrl-C mid-write leaves it
        raise KeyboardInterrupt

    monkeypatch.setattr(tf.saved_model, "save", killed)
    with pytest.raises(KeyboardInterrupt):
        tfgans.export.save_generator(gan, path)
    assert sorted(os.listdir(path)) == before
    assert os.listdir(os.path.join(path, "variables"))
    tfgans.export.load_generator(path)




def _carry_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("carry", os.path.join(REPO_ROOT, "benchmarks", "carry.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_carried_run_folder_resumes_on_another_machine_with_the_uninterrupted_weights(uninterrupted_run, tfds_dir,
                                                                                       tmp_path, monkeypatch):
    # benchmarks/carry.py: what long_runs.sh commits of an unfinished run, restored into an empty ../runs.
    carry = _carry_module()
    base = _signal_args(tfds_dir)
    runs_a, runs_b, kept = tmp_path / "a", tmp_path / "b", str(tmp_path / "carry")
    killed = str(runs_a / "claims" / "key" / "model")
    make = callbacks.run_callbacks
    monkeypatch.setattr(callbacks, "run_callbacks", lambda *a, **k: make(*a, **k) + [_SignalAt(1, 1, signal.SIGTERM)])
    assert cli.main(base + ["--out", killed]) == 130
    monkeypatch.setattr(callbacks, "run_callbacks", make)
    (runs_a / "claims" / "key" / "run.json").write_text("{}")
    (runs_a / "claims" / "key" / "done").mkdir()  # a folder that never trained is not carried
    (tmp_path / "carry" / "other" / "run").mkdir(parents=True)  # carried earlier, not restored on this machine

    # A run that is training is refused: the checkpoint it writes may not be whole.
    lock = os.path.join(killed, ".lock")
    with open(lock, "w") as f:
        json.dump({"host": socket.gethostname(), "pid": os.getpid()}, f)
    with pytest.raises(SystemExit, match=f"is training \\(process {os.getpid()}\\): stop its lane first"):
        carry.save(str(runs_a), carry=kept)
    os.remove(lock)
    # Stopped short of its length on purpose (--max-epochs), a run is still unfinished.
    runs.write_json(os.path.join(killed, "progress.json"), {"done": True, "stopped_by": "epochs"})
    assert carry.save(str(runs_a), carry=kept) == ["key/model"]
    ckpts = sorted(os.listdir(os.path.join(kept, "key", "model", "checkpoints")))
    assert ckpts == ["checkpoint", "ckpt-5.data-00000-of-00001", "ckpt-5.index"]  # the newest only
    assert 'all_model_checkpoint_paths: "ckpt-5"' in open(os.path.join(kept, "key", "model", "checkpoints",
                                                                     "checkpoint")).read()
    assert not os.path.exists(os.path.join(kept, "key", "model", ".lock"))
    assert os.path.isdir(os.path.join(kept, "other", "run"))  # kept

    assert carry.restore(str(runs_b), "key", carry=kept) == ["key/model"]
    assert carry.restore(str(runs_b), "key", carry=kept) == []  # never over a folder that exists
    monkeypatch.setattr(carry, "CARRY", kept)
    carry.main(["restore", "--runs", str(tmp_path / "c"), "key"])  # the command line long_runs.sh runs
    assert os.path.isdir(tmp_path / "c" / "claims" / "key" / "model" / "checkpoints")
    moved = str(runs_b / "claims" / "key" / "model")
    assert cli.main(base + ["--out", moved]) == 0
    expected, steps = _final_generator_weights(uninterrupted_run)
    resumed, resumed_steps = _final_generator_weights(moved)
    assert resumed_steps == steps == 6
    for a, b in zip(expected, resumed):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    with pytest.raises(SystemExit, match="not an unfinished run folder"):
        carry.save(str(runs_b), ["key/model"], carry=kept)  # finished: its record is committed instead
    assert carry.save(str(runs_b), carry=kept) == []
    assert sorted(os.listdir(kept)) == ["other"]  # finished here: dropped from the carry
