"""The run record (tfgans.record): every step's losses and each epoch's means, kept in step with the weights."""

import csv
import os

import numpy as np
import pytest
import tensorflow as tf
import keras

from tfgans.checkpoint import Checkpoint
from tfgans.models import GAN
from tfgans.record import RunRecord, read_record, read_rows


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


START = {"epoch": 0, "batch": 0, "step": 0}


def test_the_record_stops_at_the_budget_and_records_every_step(tmp_path):
    recorder = RunRecord(str(tmp_path), START, batches_per_epoch=8, budget_seconds=0.5)
    gan = tiny_gan()
    gan.fit(tiny_data().repeat(), steps_per_epoch=8, epochs=10000, verbose=0, callbacks=[recorder])
    assert recorder.stopped_by == "budget" and recorder.train_seconds >= 0.5
    steps, epochs = read_rows(str(tmp_path / "steps.csv")), read_rows(str(tmp_path / "epochs.csv"))
    assert [int(r["step"]) for r in steps] == list(range(1, len(steps) + 1))
    assert int(epochs[-1]["step"]) == len(steps) == int(gan.g_optimizer.iterations)
    # The per-step values average to the epoch means Keras reports.
    first = [float(r["d_loss"]) for r in steps[:8]]
    assert float(epochs[0]["d_loss"]) == pytest.approx(np.mean(first), rel=1e-4)


def test_a_resumed_record_drops_the_rows_past_the_restored_checkpoint(tmp_path):
    ckpt = str(tmp_path / "checkpoints")
    first = tiny_gan()
    first.fit(tiny_data(), epochs=2, verbose=0,
              callbacks=[RunRecord(str(tmp_path), START, batches_per_epoch=8), Checkpoint(ckpt)])
    # A third epoch whose rows were written, but whose checkpoint was not (killed in between):
    rows = read_rows(str(tmp_path / "epochs.csv"))
    extra = dict(rows[-1], epoch="3", step="24")
    with open(tmp_path / "epochs.csv", "a", newline="") as f:
        csv.DictWriter(f, fieldnames=list(extra), lineterminator="\n").writerow(extra)
    second = tiny_gan()
    checkpoint = Checkpoint(ckpt)
    checkpoint.restore(second)
    recorder = RunRecord(str(tmp_path), checkpoint.position, batches_per_epoch=8)
    second.fit(tiny_data(), initial_epoch=2, epochs=3, verbose=0, callbacks=[recorder])
    rows = read_rows(str(tmp_path / "epochs.csv"))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3] and [int(r["step"]) for r in rows] == [8, 16, 24]
    assert len(read_rows(str(tmp_path / "steps.csv"))) == 24


def test_readers_skip_a_line_cut_by_a_kill_during_an_append(tmp_path):
    path = tmp_path / "epochs.csv"
    path.write_text("epoch,step,epochs,d_loss\n1,8,1,0.5\n2,16,2,0.4\n3,2")  # the kill came mid-row
    assert [r["epoch"] for r in read_rows(str(path))] == ["1", "2"]
    assert [r["step"] for r in read_record(str(tmp_path)).epochs] == [8, 16]


def test_a_record_written_atomically_leaves_no_temporary_file(tmp_path):
    tiny_gan().fit(tiny_data(), epochs=2, verbose=0,
                   callbacks=[RunRecord(str(tmp_path), START, batches_per_epoch=8)])
    assert sorted(os.listdir(tmp_path)) == ["epochs.csv", "steps.csv"]
