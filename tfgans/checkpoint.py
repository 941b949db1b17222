"""Resumable checkpoints of a GAN run: the nets, both optimizers, the flavor's state and the position reached.

    gan.fit(ds, epochs=100, callbacks=[tfgans.callbacks.Checkpoint("runs/x/checkpoints")])  # rerun: resumes

``tfgans.training.train`` restores first and feeds the data from the position reached, so a resumed run
trains on the batches the uninterrupted one would have seen.
"""

from __future__ import annotations

import os
import re
import sys
import time
from typing import Optional

import tensorflow as tf
import keras

from tfgans import files, runs

__all__ = ["Checkpoint", "CheckpointError", "TrainingInterrupted"]


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
        batches_per_epoch: batches in a whole epoch, when ``fit`` may stop within one (a budget): the end of
            such an epoch is then saved as a position within it, not as a finished epoch.
    """

    def __init__(self, directory: str, max_to_keep: int = 2, every_n_steps: Optional[int] = None,
                 every_n_minutes: Optional[float] = None, save_on_signal: bool = False,
                 restore_on_train_begin: bool = True, run_dir: Optional[str] = None,
                 write_directory: Optional[str] = None, batches_per_epoch: Optional[int] = None):
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
        self.batches_per_epoch = batches_per_epoch
        #: Called before every save (``tfgans.training`` flushes the step record, so it matches the weights).
        self.before_save = None
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
        if self.write_directory == self.directory:
            files.clean_leftovers(self.directory, recursive=False)  # staging folders of a killed save
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
        if self.before_save is not None:
            self.before_save()
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
            # The resume mechanism of keras.callbacks.BackupAndRestore (keras/src/callbacks/
            # backup_and_restore.py sets the same attribute): fit reads it after on_train_begin.
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
        if self.batches_per_epoch and self.position["batch"] < self.batches_per_epoch:
            self.save()  # fit stopped within the epoch (a budget): save the position reached in it
            return
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
