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
import re
import sys
import time
from typing import Optional, Sequence

import numpy as np
import tensorflow as tf
import keras

from tfgans import data as data_lib
from tfgans import runs
from tfgans.evaluation import METRICS, Evaluator, _check_metrics
from tfgans.images import save_grid
from tfgans.models.base import output_range
from tfgans.sampling import sample_generator

__all__ = ["SampleGrid", "Checkpoint", "CurveLogger", "CheckpointError", "TrainingInterrupted", "StopOnNaN",
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
        images = data_lib.to_uint8(self.model.synthesize(self.latents), self.value_range)
        self.last_path = save_grid(images.numpy(), os.path.join(self.out_dir, f"epoch_{epoch + 1:04d}.png"))
        if self._writer is not None:
            with self._writer.as_default():
                tf.summary.image("samples", images[:16], step=epoch + 1, max_outputs=16)
            self._writer.flush()


class TrainingInterrupted(KeyboardInterrupt):
    """Training stopped on SIGINT or SIGTERM after :class:`Checkpoint` saved the position it reached."""


class CheckpointError(ValueError):
    """A run folder's checkpoints are all unreadable; the run cannot be resumed."""


_POSITION = ("epoch", "batch", "step")
_OPTIONAL = _POSITION[1:] + ("seed_states",)


class Checkpoint(keras.callbacks.Callback):
    """Saves the nets, both optimizers and any state of the flavor (``model.checkpoint_state()``, e.g. the
    semi-supervised flavor's parameter average) with the position reached, and resumes an interrupted run.

    The position is ``epoch`` (epochs done), ``batch`` (batches done in the next epoch) and ``step`` (batches
    done in all); a checkpoint is written after every epoch and, with ``every_n_steps`` or
    ``every_n_minutes``, within epochs too. With ``save_on_signal``, SIGINT and SIGTERM (Ctrl-C, a
    preemption notice) save a checkpoint at the end of the running batch, then raise
    :class:`TrainingInterrupted` (the model of TensorFlow's ``PreemptionCheckpointHandler``). A second
    signal interrupts at once.

    Restoring verifies each checkpoint (every tensor is read, which checks its checksum), newest first. A
    damaged one is moved aside into ``damaged/`` with a warning naming it, and the previous one is used.
    Restored at ``fit`` start (unless :meth:`restore` ran before), ``fit`` continues at the epoch after the
    newest checkpoint, the mechanism of ``keras.callbacks.BackupAndRestore``, which, unlike this callback,
    drops the optimizers' state and its checkpoints when training ends. ``tfgans train`` resumes within an
    epoch too: it reads :attr:`position` and feeds the data from there (``tfgans.data.load(start=...)``).

    Args:
        directory: checkpoint folder.
        max_to_keep: checkpoints kept on disk (at least 2, so that one damaged file leaves one to fall back to).
        every_n_steps, every_n_minutes: also save within epochs, after that many batches or minutes.
        save_on_signal: save and stop on SIGINT/SIGTERM (main thread only).
        restore_on_train_begin: restore at ``fit`` start (False when the caller restores first, to feed the
            data from the restored position).
        write_directory: where saves go when it is not ``directory`` (a non-chief worker of
            ``tfgans.distribute``: it restores the chief's checkpoints, writes into a temporary folder, and
            leaves damaged files where they are for the chief).
        run_dir: the run folder the checkpoints belong to; when it shows that a run trained there
            (``tfgans.runs.trained_artifacts``) but no checkpoint is left, :meth:`restore` raises
            ``tfgans.runs.LostRunError`` instead of letting the run start over on top of the old one.
    """

    def __init__(self, directory: str, max_to_keep: int = 2, every_n_steps: Optional[int] = None,
                 every_n_minutes: Optional[float] = None, save_on_signal: bool = False,
                 restore_on_train_begin: bool = True, run_dir: Optional[str] = None,
                 write_directory: Optional[str] = None):
        super().__init__()
        if max_to_keep < 1:
            raise ValueError(f"max_to_keep must be at least 1, got {max_to_keep}.")
        self.directory = directory
        self.max_to_keep = max_to_keep
        self.every_n_steps = every_n_steps
        self.every_n_minutes = every_n_minutes
        self.save_on_signal = save_on_signal
        self.restore_on_train_begin = restore_on_train_begin
        self.run_dir = run_dir
        self.write_directory = write_directory or directory
        self.restored_epoch = 0
        self.position = {name: 0 for name in _POSITION}
        self.restored_from = None
        self._manager = None
        self._restored = False
        self._signal = None
        self._handlers = {}

    # --- files ---------------------------------------------------------------------------------------------

    def candidates(self):
        """The checkpoints on disk, newest first, as ``(number, prefix)``; a ``.data`` file without its
        ``.index`` counts (as a damaged checkpoint)."""
        prefixes = {}
        if os.path.isdir(self.directory):
            for name in os.listdir(self.directory):
                match = re.fullmatch(r"(ckpt-(\d+))\.(index|data-\d+-of-\d+)", name)
                if match:
                    prefixes[int(match.group(2))] = os.path.join(self.directory, match.group(1))
        return sorted(prefixes.items(), reverse=True)

    @staticmethod
    def verify(prefix: str) -> set:
        """Reads every tensor of the checkpoint at ``prefix`` (so TensorFlow checks its checksums); returns
        the names of its objects. Raises what reading raises (DataLossError, NotFoundError, ...)."""
        reader = tf.train.load_checkpoint(prefix)
        names = reader.get_variable_to_shape_map()
        for name in names:
            reader.get_tensor(name)
        return {name.split("/")[0] for name in names}

    def _move_aside(self, prefix: str, error: BaseException):
        folder = os.path.join(self.directory, "damaged")
        os.makedirs(folder, exist_ok=True)
        moved = []
        for name in os.listdir(self.directory):
            if name.startswith(os.path.basename(prefix) + "."):
                os.replace(os.path.join(self.directory, name), os.path.join(folder, name))
                moved.append(name)
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"tfgans: warning: checkpoint {prefix} is damaged ({type(error).__name__}: {reason}); moved "
              f"{', '.join(moved)} to {folder}; falling back to the previous checkpoint.", file=sys.stderr)

    def _state(self, names=None):
        """The checkpoint object; with the ``names`` a file holds, without the optional parts it lacks (the
        position and the seed states, which files of earlier tfgans versions do not have)."""
        self.model.build_optimizers()
        self._vars = {name: tf.Variable(0, dtype=tf.int64, trainable=False) for name in _POSITION}
        state = {**self.model.checkpoint_state(), **self._vars}
        if names is not None:
            state = {k: v for k, v in state.items() if k in names or k not in _OPTIONAL}
        return tf.train.Checkpoint(**state)

    # --- restore -------------------------------------------------------------------------------------------

    def restore(self, model=None) -> int:
        """Restores the newest readable checkpoint into ``model`` (default: the callback's); returns its
        epoch (0 if there is none). :attr:`position` then holds where it stopped.

        Raises:
            CheckpointError: checkpoints exist but none is readable, or they hold another model.
            tfgans.runs.LostRunError: see ``run_dir``.
        """
        if model is not None:
            self.set_model(model)
        found = self.candidates()
        for number, prefix in found:
            try:
                names = self.verify(prefix)
            except (tf.errors.OpError, ValueError, IndexError) as error:
                if self.write_directory == self.directory:
                    self._move_aside(prefix, error)
                continue
            ckpt = self._state(names)
            try:
                ckpt.restore(prefix).assert_existing_objects_matched()
            except AssertionError as error:  # readable, but of another model: not damage, so nothing is moved
                raise CheckpointError(
                    f"{prefix} holds the state of another model than this one ({str(error).splitlines()[0]}). "
                    "Resume with the settings the run started with, or use a new folder.") from None
            self.position = {name: int(var.numpy()) for name, var in self._vars.items()}
            if "step" not in names:  # a checkpoint written per epoch only, before positions were recorded
                self.position["step"] = number
            self.restored_from = prefix
            break
        else:
            if found:
                raise CheckpointError(
                    f"No readable checkpoint in {self.directory}: every one is damaged (moved to "
                    f"{os.path.join(self.directory, 'damaged')}). Restore them from a backup, or start over "
                    "(`tfgans train ... --restart` moves the old run aside).")
        if self.run_dir is not None:
            runs.refuse_lost_run(self.run_dir, restored=self.restored_from is not None)
        self._restored = True
        self.restored_epoch = self.position["epoch"]
        if self.restored_from:
            print(f"tfgans: resumed from {self.restored_from} (epoch {self.restored_epoch} done"
                  + (f", {self.position['batch']} batches into epoch {self.restored_epoch + 1}"
                     if self.position["batch"] else "") + ")")
        return self.restored_epoch

    # --- save ----------------------------------------------------------------------------------------------

    def save(self):
        """Writes a checkpoint of the model and the position now; numbered by ``step``."""
        if self._manager is None:
            ckpt = self._state()
            self._manager = tf.train.CheckpointManager(ckpt, self.write_directory, max_to_keep=self.max_to_keep)
        for name, value in self.position.items():
            self._vars[name].assign(value)
        path = self._manager.save(checkpoint_number=self.position["step"])
        self._last_save = time.monotonic()
        return path

    # --- callback ------------------------------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        if self.restore_on_train_begin and not self._restored:
            self.restore()
            self.model._initial_epoch = self.restored_epoch
            # A plain fit() runs the restored epoch from its first batch.
            self.position["batch"] = 0
        self._restored = False  # a later fit() restores again
        self._last_save = time.monotonic()
        self._resume_batch = self.position["batch"]
        self._signal = None
        if self.save_on_signal:
            self._install_handlers()

    def on_epoch_begin(self, epoch, logs=None):
        # A fit that resumes mid-epoch (tfgans train) starts its first epoch at the restored batch.
        self.position["batch"] = self._resume_batch if epoch == self.position["epoch"] else 0
        self._resume_batch = 0

    def on_train_batch_end(self, batch, logs=None):
        self.position["batch"] += 1
        self.position["step"] += 1
        if self._signal is not None:
            self.save()
            self.remove_signal_handlers()
            raise TrainingInterrupted(f"{self._signal}: saved {self.position['step']} steps to {self.directory}")
        if self.params and batch + 1 == self.params.get("steps"):
            return  # the epoch's last batch: on_epoch_end saves it as a finished epoch
        due_steps = self.every_n_steps and self.position["step"] % self.every_n_steps == 0
        due_time = self.every_n_minutes and time.monotonic() - self._last_save >= 60.0 * self.every_n_minutes
        if due_steps or due_time:
            self.save()

    def on_epoch_end(self, epoch, logs=None):
        self.position.update(epoch=epoch + 1, batch=0)
        self.save()

    def on_train_end(self, logs=None):
        # The resume point applies to this fit only; a later fit() on the model starts where it is told.
        self.model._initial_epoch = None
        self.remove_signal_handlers()

    # --- signals -------------------------------------------------------------------------------------------

    def _install_handlers(self):
        import signal
        import threading

        if self._handlers or threading.current_thread() is not threading.main_thread():
            return

        def handler(signum, frame):
            if self._signal is not None:  # a second signal: stop now
                self.remove_signal_handlers()
                raise KeyboardInterrupt
            self._signal = signal.Signals(signum).name
            print(f"\ntfgans: {self._signal} received; saving a checkpoint at the end of this batch "
                  "(send it again to stop at once).", file=sys.stderr)

        for signum in (signal.SIGINT, signal.SIGTERM):
            self._handlers[signum] = signal.signal(signum, handler)

    def remove_signal_handlers(self):
        """Puts back the handlers that ``save_on_signal`` replaced (``fit`` does it when training ends)."""
        import signal

        for signum, previous in self._handlers.items():
            signal.signal(signum, previous)
        self._handlers = {}


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


class CurveLogger(keras.callbacks.Callback):
    """Records each epoch's logs in a CSV file, as ``keras.callbacks.CSVLogger(append=True)`` does (``epoch``
    from 0, then the logs' keys sorted), but safe to kill and resume.

    Each row is written by rewriting the file aside and renaming it into place, so a kill never leaves half
    a row; on resume the rows of epochs past the restored checkpoint (a fallback to an older one) are dropped,
    so the curve matches the weights. Put it after :class:`Checkpoint`.
    """

    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def on_train_begin(self, logs=None):
        restored = getattr(self.model, "_initial_epoch", None) or 0
        self._rows = [row for row in runs.read_csv(self.path) if int(row["epoch"]) < restored]
        if os.path.exists(self.path):
            runs.write_csv(self.path, self._rows)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self._rows.append({"epoch": epoch, **{key: float(np.asarray(logs[key])) for key in sorted(logs)}})
        runs.write_csv(self.path, self._rows)


def run_callbacks(out_dir: str, *, seed: int = 0, value_range=None, num_samples: int = 64,
                  checkpoint: Optional[Checkpoint] = None) -> list:
    """The callbacks of a long, resumable run in ``out_dir``, in the order they must run.

    :class:`StopOnNaN` first, :class:`Checkpoint` in ``checkpoints/``, a :class:`SampleGrid` per epoch in
    ``samples/`` (also a TensorBoard image) and ``keras.callbacks.TensorBoard`` in ``logs/``. ``tfgans
    train`` and ``tfgans semisup`` both use these; ``checkpoint`` replaces the default one (``tfgans train``'s
    saves within epochs and on signals).
    """
    ckpt_dir = os.path.join(out_dir, "checkpoints")
    log_dir = os.path.join(out_dir, "logs")
    return [
        StopOnNaN(checkpoint_dir=ckpt_dir),
        checkpoint or Checkpoint(ckpt_dir, run_dir=out_dir),
        SampleGrid(os.path.join(out_dir, "samples"), num_samples=num_samples, seed=seed, value_range=value_range,
                   log_dir=log_dir),
        keras.callbacks.TensorBoard(log_dir),
    ]
