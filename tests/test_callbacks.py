"""Callbacks: comparable sample grids, resume from checkpoints, NaN stops without losing the last good state."""

import os

import numpy as np
import pytest
import tensorflow as tf
import keras
from PIL import Image

import tfgans
from tfgans import callbacks
from conftest import tiny_discriminator, tiny_generator


def _gan(seed=0):
    model = tfgans.GAN(tiny_generator(), tiny_discriminator(), latent_dim=4, seed=seed)
    model.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    return model


def _ds(tiny_images):
    return tf.data.Dataset.from_tensor_slices(tiny_images).batch(8, drop_remainder=True)


def test_sample_grid_writes_one_png_per_epoch_from_fixed_latents(tiny_images, tmp_path):
    gan = _gan()
    grid = callbacks.SampleGrid(str(tmp_path), num_samples=16, seed=7)
    gan.fit(_ds(tiny_images), epochs=2, verbose=0, callbacks=[grid])
    files = sorted(os.listdir(tmp_path))
    assert files == ["epoch_0001.png", "epoch_0002.png"]
    image = np.asarray(Image.open(tmp_path / "epoch_0002.png"))
    assert image.shape == (4 * 10 + 2, 4 * 10 + 2)  # 4x4 tiles of 8x8 with 2-pixel gaps
    latents = grid.latents.numpy()
    grid.on_train_begin()
    np.testing.assert_array_equal(grid.latents, latents)  # the same z every epoch and every call
    expected = tfgans.data.to_uint8(gan.generator(latents, training=False)).numpy()
    np.testing.assert_array_equal(image[2:10, 2:10], expected[0, :, :, 0])


def test_checkpoint_resumes_at_the_epoch_it_stopped(tiny_images, tmp_path):
    ckpt = str(tmp_path / "ckpt")
    first = _gan()
    first.fit(_ds(tiny_images), epochs=2, verbose=0, callbacks=[callbacks.Checkpoint(ckpt)])
    saved = [w.copy() for w in first.get_weights()]
    steps = int(first.g_optimizer.iterations.numpy())

    # A new process would build a fresh model; it picks up weights, optimizer state and the epoch.
    second = _gan(seed=99)
    epochs_run = []
    probe = keras.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: epochs_run.append(epoch))
    restorer = callbacks.Checkpoint(ckpt)
    second.fit(_ds(tiny_images), epochs=3, verbose=0, callbacks=[restorer, probe])
    assert restorer.restored_epoch == 2 and epochs_run == [2]
    assert int(second.g_optimizer.iterations.numpy()) == steps + 4

    third = _gan(seed=5)
    assert callbacks.Checkpoint(ckpt).restore(third) == 3
    fresh = _gan(seed=6)
    assert callbacks.Checkpoint(str(tmp_path / "ckpt-first-half")).restore(fresh) == 0
    np.testing.assert_array_equal(third.get_weights()[0], second.get_weights()[0])
    assert not np.array_equal(third.get_weights()[0], saved[0])


class _PoisonAtEpoch(keras.callbacks.Callback):
    """Sets a discriminator weight to NaN when epoch `epoch` begins, as an exploding update would."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            kernel = self.model.discriminator.layers[-1].kernel
            kernel.assign(np.full(kernel.shape, np.nan, np.float32))


def test_nan_loss_stops_with_a_clear_error_and_keeps_the_last_good_checkpoint(tiny_images, tmp_path):
    ckpt = str(tmp_path / "ckpt")
    gan = _gan()
    good = {}
    keep = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: good.update({epoch: [w.copy() for w in gan.get_weights()]}))
    cbs = [callbacks.StopOnNaN(checkpoint_dir=ckpt), callbacks.Checkpoint(ckpt), keep, _PoisonAtEpoch(1)]
    with pytest.raises(callbacks.NaNLossError, match=r"d_loss became nan at epoch 2, batch 1.*" + "ckpt"):
        gan.fit(_ds(tiny_images), epochs=3, verbose=0, callbacks=cbs)
    assert sorted(good) == [0]
    restored = _gan(seed=1)
    assert callbacks.Checkpoint(ckpt).restore(restored) == 1
    for got, want in zip(restored.get_weights(), good[0]):
        np.testing.assert_array_equal(got, want)
        assert np.isfinite(got).all()
