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
from tfgans.checkpoint import Checkpoint, CheckpointError, TrainingInterrupted
from tfgans.evaluation import METRICS, Evaluator, check_metrics
from tfgans.images import save_grid
from tfgans.models.base import output_range
from tfgans.sampling import sample_generator

__all__ = ["SampleGrid", "Checkpoint", "CheckpointError", "TrainingInterrupted", "StopOnNaN",
           "NaNLossError", "Evaluate", "run_callbacks"]


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
        self._draw(epoch + 1)

    def redraw_missing(self, model, position):
        """Draws the grid of the epoch a resumed run restored, if it is missing (a kill during its write, or a
        run of an earlier version that checkpointed before drawing): the restored weights are that epoch's."""
        epoch = position["epoch"]
        if position["batch"] or not epoch or epoch % self.every_n_epochs:
            return
        if os.path.isfile(os.path.join(self.out_dir, f"epoch_{epoch:04d}.png")):
            return
        self.set_model(model)
        self.on_train_begin()
        self._draw(epoch)

    def _draw(self, epoch):
        images = data_lib.to_uint8(self.model.synthesize(self.latents), self.value_range)
        self.last_path = save_grid(images.numpy(), os.path.join(self.out_dir, f"epoch_{epoch:04d}.png"))
        if self._writer is not None:
            with self._writer.as_default():
                tf.summary.image("samples", images[:16], step=epoch, max_outputs=16)
            self._writer.flush()


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
        self.metrics = check_metrics(metrics)
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


def run_callbacks(out_dir: str, *, seed: int = 0, value_range=None, num_samples: int = 64,
                  checkpoint: Optional[Checkpoint] = None, record=None, log_dir: Optional[str] = None) -> list:
    """The callbacks of a long, resumable run in ``out_dir``, in the order they must run.

    :class:`StopOnNaN` first; then the run's record (``tfgans.record.RunRecord``, if given) and a
    :class:`SampleGrid` per epoch in ``samples/`` (also a TensorBoard image), both before the
    :class:`Checkpoint` in ``checkpoints/``, so that an epoch's rows and grid are on disk before its
    checkpoint (a kill between them retrains the epoch and writes them again); ``keras.callbacks.TensorBoard``
    in ``logs/`` last, so it sees the evaluation's scores. ``tfgans.training.train`` uses these.
    """
    ckpt_dir = os.path.join(out_dir, "checkpoints")
    log_dir = log_dir or os.path.join(out_dir, "logs")
    return [
        StopOnNaN(checkpoint_dir=ckpt_dir),
        *([record] if record is not None else []),
        SampleGrid(os.path.join(out_dir, "samples"), num_samples=num_samples, seed=seed, value_range=value_range,
                   log_dir=log_dir),
        checkpoint or Checkpoint(ckpt_dir, run_dir=out_dir),
        keras.callbacks.TensorBoard(log_dir),
    ]
