"""Callbacks for long GAN runs: sample grids, resumable checkpoints, a NaN guard, evaluation as it trains.

    gan.fit(ds, epochs=100, callbacks=[
        tfgans.callbacks.StopOnNaN(),                 # first: nothing after it sees a NaN epoch
        tfgans.callbacks.Checkpoint("runs/x/ckpt"),  # resumes where an interrupted run stopped
        tfgans.callbacks.SampleGrid("runs/x/samples", log_dir="runs/x/logs"),
        keras.callbacks.TensorBoard("runs/x/logs"),
    ])
"""

from __future__ import annotations

import math
import os
from typing import Optional, Sequence

import numpy as np
import tensorflow as tf
import keras

from tfgans import data as data_lib
from tfgans.evaluation import METRICS, Evaluator, _check_metrics
from tfgans.images import save_grid
from tfgans.models.base import output_range
from tfgans.sampling import sample_generator

__all__ = ["SampleGrid", "Checkpoint", "StopOnNaN", "NaNLossError", "Evaluate", "run_callbacks"]


class NaNLossError(FloatingPointError):
    """A loss became NaN or infinite; training stopped before the bad weights were checkpointed."""


class StopOnNaN(keras.callbacks.Callback):
    """Stops training with :class:`NaNLossError` as soon as any logged loss is NaN or infinite.

    Put it before :class:`Checkpoint` in the callback list: the error is raised inside the batch that went
    bad, so the checkpoint of the last good epoch is the newest one on disk and a rerun resumes from it.
    """

    def __init__(self, checkpoint_dir: Optional[str] = None):
        super().__init__()
        self.checkpoint_dir = checkpoint_dir
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        for name, value in (logs or {}).items():
            value = float(np.asarray(value))
            if not math.isfinite(value):
                self.model.stop_training = True
                where = (f" The last good checkpoint is in {self.checkpoint_dir}; rerunning resumes from it."
                         if self.checkpoint_dir else "")
                raise NaNLossError(
                    f"{name} became {value} at epoch {self._epoch + 1}, batch {batch + 1}; training stopped."
                    f"{where} Lower the learning rates (CLI: --g-lr/--d-lr), check the data are scaled to the "
                    "generator's output range, or enable gradient clipping (clip_norm)."
                )


class SampleGrid(keras.callbacks.Callback):
    """Writes a PNG grid of samples from fixed latent vectors after every ``every_n_epochs`` epochs.

    The latent vectors are drawn once from the model's prior with ``seed``, so grids of different epochs
    show the same ``z`` and are comparable. Files are ``<out_dir>/epoch_0001.png``, ...; with ``log_dir`` the
    grid is also written as a TensorBoard image summary.

    Args:
        out_dir: folder for the PNG files.
        num_samples: images in the grid (64 gives 8x8).
        seed: seed of the fixed latent vectors.
        every_n_epochs: write every n-th epoch (and always after the last one).
        value_range: the generator's output range; read off its last activation when None.
        log_dir: optional TensorBoard log directory.
    """

    def __init__(self, out_dir: str, num_samples: int = 64, seed: int = 0, every_n_epochs: int = 1,
                 value_range=None, log_dir: Optional[str] = None):
        super().__init__()
        self.out_dir = out_dir
        self.num_samples = int(num_samples)
        self.seed = int(seed)
        self.every_n_epochs = max(1, int(every_n_epochs))
        self.value_range = value_range
        self.log_dir = log_dir
        self.latents = None
        self._writer = None
        self.last_path = None

    def on_train_begin(self, logs=None):
        model = self.model
        if self.latents is None:
            self.latents = model.sample_latent(self.num_samples, tf.constant([self.seed, 0], tf.int64))
        if self.value_range is None:
            self.value_range = output_range(model.generator)
        if self.log_dir and self._writer is None:
            self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "samples"))

    def on_epoch_end(self, epoch, logs=None):
        last = self.params and epoch + 1 == self.params.get("epochs")
        if (epoch + 1) % self.every_n_epochs and not last:
            return
        images = data_lib.to_uint8(self.model.synthesize(self.latents), self.value_range)
        self.last_path = save_grid(images.numpy(), os.path.join(self.out_dir, f"epoch_{epoch + 1:04d}.png"))
        if self._writer is not None:
            with self._writer.as_default():
                tf.summary.image("samples", images[:16], step=epoch + 1, max_outputs=16)
            self._writer.flush()


class Checkpoint(keras.callbacks.Callback):
    """Saves the nets, both optimizers and any state of the flavor (``model.checkpoint_state()``, e.g. the
    semi-supervised flavor's parameter average) after every epoch and resumes an interrupted run.

    On ``fit`` start it restores the newest checkpoint in ``directory`` (weights, optimizer slots and step
    counters) and makes ``fit`` continue at the epoch after it, the mechanism of
    ``keras.callbacks.BackupAndRestore``. Unlike that callback it keeps the optimizers' state and its
    checkpoints after training ends, and it uses ``tf.train.Checkpoint`` so it works under ``tf.distribute``.

    Args:
        directory: checkpoint folder.
        max_to_keep: checkpoints kept on disk.
    """

    def __init__(self, directory: str, max_to_keep: int = 2):
        super().__init__()
        self.directory = directory
        self.max_to_keep = max_to_keep
        self.restored_epoch = 0
        self._manager = None

    def _checkpoint(self):
        model = self.model
        model.build_optimizers()
        self._epoch = tf.Variable(0, dtype=tf.int64, trainable=False)
        ckpt = tf.train.Checkpoint(**model.checkpoint_state(), epoch=self._epoch)
        return tf.train.CheckpointManager(ckpt, self.directory, max_to_keep=self.max_to_keep)

    def on_train_begin(self, logs=None):
        self._manager = self._checkpoint()
        latest = self._manager.latest_checkpoint
        if latest:
            self._manager.checkpoint.restore(latest).assert_existing_objects_matched()
            self.restored_epoch = int(self._epoch.numpy())
            self.model._initial_epoch = self.restored_epoch
            print(f"tfgans: resumed from {latest} (epoch {self.restored_epoch} done)")

    def on_epoch_end(self, epoch, logs=None):
        self._epoch.assign(epoch + 1)
        self._manager.save(checkpoint_number=epoch + 1)

    def on_train_end(self, logs=None):
        # The resume point applies to this fit only; a later fit() on the model starts where it is told.
        self.model._initial_epoch = None

    def restore(self, model=None):
        """Restores the newest checkpoint into ``model`` outside ``fit``; returns its epoch (0 if none)."""
        if model is not None:
            self.set_model(model)
        self.on_train_begin()
        self.model._initial_epoch = None
        return self.restored_epoch


class Evaluate(keras.callbacks.Callback):
    """Evaluates the generator every few epochs and adds the figures to the epoch logs.

    At the end of every ``every_n_epochs``-th epoch it draws ``num_samples`` images with
    ``model.generate`` (the same latents each time, from ``seed``), computes the chosen metrics against the
    real ``split`` (reference statistics computed once, at the first evaluation) and writes them into the
    epoch's ``logs`` as ``fid``, ``kid``, ``is``, ``precision``, ``recall``. Keras appends its ``History`` and
    progress bar after the user's callbacks, so they show the figures; put ``Evaluate`` before a
    ``keras.callbacks.TensorBoard`` or ``CSVLogger`` in the list so those see them too. Epochs that are not
    evaluated have no entry, so ``history.history["fid"]`` has one value per evaluation.

    Args:
        every_n_epochs: evaluate after epochs ``n, 2n, ...`` (1-based).
        num_samples: generated and real images per evaluation (10,000 for reportable figures; fewer is
            faster but biases FID and IS).
        metrics: a subset of :data:`tfgans.evaluation.METRICS`.
        dataset, data_dir, split: the real data to compare with.
        seed: seed of the generated draw (the one ``tfgans evaluate --seed`` uses on the export).
        cache_dir: see :class:`~tfgans.evaluation.Evaluator`.
        evaluator: an :class:`~tfgans.evaluation.Evaluator` to use instead of building one from the arguments above.
    """

    def __init__(self, every_n_epochs: int = 1, num_samples: int = 10000, metrics: Sequence[str] = METRICS,
                 dataset: Optional[str] = None, data_dir: Optional[str] = None, split: str = "test",
                 seed: int = 0, cache_dir: Optional[str] = None, evaluator: Optional[Evaluator] = None):
        super().__init__()
        if every_n_epochs < 1:
            raise ValueError(f"every_n_epochs must be >= 1, got {every_n_epochs}.")
        if evaluator is None and dataset is None:
            raise ValueError("Evaluate needs dataset= (the real data the generator learns, e.g. 'mnist').")
        self.every_n_epochs = int(every_n_epochs)
        self.num_samples = int(num_samples)
        self.metrics = _check_metrics(metrics)
        self.dataset = dataset
        self.data_dir = data_dir
        self.split = split
        self.seed = int(seed)
        self.cache_dir = cache_dir
        self.evaluator = evaluator

    def _evaluator(self) -> Evaluator:
        if self.evaluator is None:
            self.evaluator = Evaluator(self.dataset, self.data_dir, self.num_samples, self.metrics,
                                       split=self.split, cache_dir=self.cache_dir)
        return self.evaluator

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        if not hasattr(self.model, "generate"):
            raise TypeError(
                f"Evaluate needs a tfgans GANModel (with generate(n, seed)); got {type(self.model).__name__}."
            )
        evaluator = self._evaluator()
        images = sample_generator(self.model, self.num_samples, self.seed)
        results = evaluator.evaluate_images(images)
        if logs is not None:
            logs.update({name: results[name] for name in self.metrics})


def run_callbacks(out_dir: str, *, seed: int = 0, value_range=None, num_samples: int = 64) -> list:
    """The callbacks of a long, resumable run in ``out_dir``, in the order they must run.

    :class:`StopOnNaN` first, :class:`Checkpoint` in ``checkpoints/``, a :class:`SampleGrid` per epoch in
    ``samples/`` (also a TensorBoard image) and ``keras.callbacks.TensorBoard`` in ``logs/``. ``tfgans
    train`` and ``tfgans semisup`` both use these.
    """
    ckpt_dir = os.path.join(out_dir, "checkpoints")
    log_dir = os.path.join(out_dir, "logs")
    return [
        StopOnNaN(checkpoint_dir=ckpt_dir),
        Checkpoint(ckpt_dir),
        SampleGrid(os.path.join(out_dir, "samples"), num_samples=num_samples, seed=seed, value_range=value_range,
                   log_dir=log_dir),
        keras.callbacks.TensorBoard(log_dir),
    ]
