"""The record of a run: every step's losses, each epoch's means, clocks and scores, kept in step with the weights.

A run folder (``tfgans.runs``) holds ``steps.csv`` (one row per generator step: ``step`` and the flavor's
losses), ``epochs.csv`` (one row per epoch: ``epoch``, ``step``, ``epochs`` in passes over the data,
``train_minutes``, ``cpu_minutes``, the epoch means of the flavor's metrics, the validation metrics without
their ``val_`` prefix, and on evaluated epochs ``fid``, ``kid``, ``is`` and, with a classifier of at most 10
classes, each class's mean confidence ``conf_<c>``) and ``progress.json`` (``done``,
``stopped_by``, ``first_step_seconds``, and from ``tfgans.training`` the ``machines`` and dtype ``policies`` the run
trained on). :class:`RunRecord` writes them as ``fit`` runs; :func:`read_record`
reads them back.

Rows are appended, each epoch's rows at once before that epoch's checkpoint. A resumed run first cuts the
files back to the restored checkpoint (rewriting them atomically), so the record always matches the weights;
a kill during an append can leave one incomplete last line, which readers skip.
"""

from __future__ import annotations

import csv
import math
import os
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import keras

from tfgans import files

__all__ = ["RunRecord", "Record", "read_record", "read_rows", "STEPS_FILE", "EPOCHS_FILE", "PROGRESS_FILE",
           "SCORES"]

STEPS_FILE, EPOCHS_FILE, PROGRESS_FILE = "steps.csv", "epochs.csv", "progress.json"
#: What an evaluation adds to an epoch's row.
SCORES = ("fid", "kid", "is")


# --- files ------------------------------------------------------------------------------------------------------


#: The complete rows of a CSV record (an incomplete last line, a kill during an append, is skipped).
read_rows = files.read_csv


def _cell(value):
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else value


def _write_rows(path: str, rows: List[Dict[str, Any]]):
    """Rewrites ``path`` atomically with ``rows`` (numbers to 6 significant digits)."""
    from tfgans.runs import write_csv

    write_csv(path, [{k: _cell(v) for k, v in row.items()} for row in rows])


def _append_rows(path: str, rows: List[Dict[str, Any]]):
    """Appends ``rows``; rewrites the file when they bring a column it lacks (the first evaluation's scores)."""
    if not rows:
        return
    existing = read_rows(path)
    header = list(existing[0]) if existing else []
    if not os.path.isfile(path) or any(k not in header for row in rows for k in row):
        _write_rows(path, existing + rows)
        return
    with open(path, "a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writerows({k: _cell(row.get(k)) for k in header} for row in rows)
        f.flush()
        os.fsync(f.fileno())


# --- reading ------------------------------------------------------------------------------------------------------


def _number(text):
    if text in (None, ""):
        return None
    return float(text)


@dataclass
class Record:
    """A run's record as read back: ``epochs`` (dicts of numbers), ``steps`` (``{metric: [per step]}``) and
    ``progress`` (``done``, ``stopped_by``, ``first_step_seconds``, ``machines``, ``policies``)."""

    epochs: List[Dict[str, float]] = field(default_factory=list)
    steps: Dict[str, List[float]] = field(default_factory=dict)
    progress: Dict[str, Any] = field(default_factory=dict)


def read_record(run_dir: str) -> Record:
    """The record of a run folder, finished or not."""
    epochs = []
    for row in read_rows(os.path.join(run_dir, EPOCHS_FILE)):
        values = {k: _number(v) for k, v in row.items()}
        values = {k: v for k, v in values.items() if v is not None}
        for key in ("epoch", "step"):
            if key in values:
                values[key] = int(values[key])
        epochs.append(values)
    steps: Dict[str, List[float]] = {}
    for row in read_rows(os.path.join(run_dir, STEPS_FILE)):
        for key, value in row.items():
            if key != "step":
                steps.setdefault(key, []).append(float(value) if value not in ("", None) else math.nan)
    progress = files.read_json(os.path.join(run_dir, PROGRESS_FILE)) or {"done": False}
    return Record(epochs, steps, progress)


# --- the callback -------------------------------------------------------------------------------------------------


class RunRecord(keras.callbacks.Callback):
    """Records every step's losses and each epoch's means, clocks and scores; stops ``fit`` at a budget.

    Put it before the :class:`~tfgans.checkpoint.Checkpoint` in the callback list: an epoch's rows are
    written before its checkpoint. ``start`` is the position the run resumes from (``Checkpoint.position``):
    rows past it are dropped first, so the record always matches the weights.

    The clocks count training steps only: not the first step of each ``fit`` (tracing, recorded apart as
    ``first_step_seconds``), not evaluations. ``clock="cpu"`` budgets the process's CPU seconds instead of
    wall seconds, which keeps runs comparable when they share a busy machine.

    Args:
        run_dir: where the record goes (None: nothing is written, e.g. on a non-chief worker).
        start: ``{"epoch", "batch", "step"}`` the run resumes from.
        batches_per_epoch: generator steps in one pass over the data, for the ``epochs`` column.
        budget_seconds: training seconds allowed in all (across resumes); None for no limit.
        clock: ``"wall"`` or ``"cpu"``.
        evaluator: a ``tfgans.evaluation.Evaluator`` scoring the model's samples, or None.
        eval_every_seconds: evaluate at the end of the first epoch that ends this long after the last
            evaluation; also after the first and last epoch, at a budget stop and after ``eval_epochs``.
        eval_epochs: epochs (of ``fit``) after which the model is always evaluated.
        eval_seed: seed of the evaluated draw (``tfgans.sampling.sample_generator``'s rule).
        epochs: the run's last ``fit`` epoch, always evaluated (default: the ``epochs`` of each ``fit``).
    """

    def __init__(self, run_dir: Optional[str], start: Dict[str, int], batches_per_epoch: Optional[int] = None,
                 budget_seconds: Optional[float] = None, clock: str = "wall", evaluator=None,
                 eval_every_seconds: float = 300.0, eval_epochs: Sequence[int] = (), eval_seed: int = 0,
                 epochs: Optional[int] = None):
        super().__init__()
        if clock not in ("wall", "cpu"):
            raise ValueError(f"clock must be 'wall' or 'cpu', got {clock!r}.")
        if budget_seconds is not None and not budget_seconds > 0:
            raise ValueError(f"The budget must be positive, got {budget_seconds} seconds.")
        self.run_dir = run_dir
        self.batches_per_epoch = batches_per_epoch
        self.budget_seconds = budget_seconds
        self.clock = clock
        self.evaluator = evaluator
        self.eval_every_seconds = float(eval_every_seconds)
        self.eval_epochs = frozenset(int(e) for e in eval_epochs)
        self.eval_seed = int(eval_seed)
        self.epochs = epochs
        self._rows: List[Dict] = []
        self.stopped_by: Optional[str] = None
        self.first_step_seconds = float("nan")
        self._resume(start)

    def _path(self, name):
        return os.path.join(self.run_dir, name)

    def _resume(self, start):
        """Cuts the record back to ``start`` and takes up its clocks."""
        self.step = int(start.get("step", 0))
        epochs, kept = [], []
        if self.run_dir:
            epochs = read_rows(self._path(EPOCHS_FILE))
            kept = [row for row in epochs if int(row["epoch"]) <= int(start.get("epoch", 0))
                    and int(row["step"]) <= self.step]
            if len(kept) != len(epochs):
                _write_rows(self._path(EPOCHS_FILE), kept)
            steps = read_rows(self._path(STEPS_FILE))
            kept_steps = [row for row in steps if int(row["step"]) <= self.step]
            if len(kept_steps) != len(steps) or (os.path.isfile(self._path(STEPS_FILE)) and not steps):
                _write_rows(self._path(STEPS_FILE), kept_steps)
        last = kept[-1] if kept else {}
        self.train_seconds = 60.0 * float(last.get("train_minutes") or 0.0)
        self.cpu_seconds = 60.0 * float(last.get("cpu_minutes") or 0.0)
        evaluated = [row for row in kept if row.get("fid") not in (None, "")]
        self.last_eval_seconds = 60.0 * float(evaluated[-1]["train_minutes"]) if evaluated else None

    def clock_seconds(self) -> float:
        return self.cpu_seconds if self.clock == "cpu" else self.train_seconds

    def over_budget(self) -> bool:
        return self.budget_seconds is not None and self.clock_seconds() >= self.budget_seconds

    # --- fit --------------------------------------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        self.names = tuple(getattr(self.model, "metric_names", ()))
        self._first = True
        if self.over_budget():
            self.stopped_by = "budget"
            self.model.stop_training = True

    def on_epoch_begin(self, epoch, logs=None):
        self._previous = {name: (0.0, 0.0) for name in self.names}  # Keras resets the trackers now
        self._rows: List[Dict] = []

    def on_train_batch_begin(self, batch, logs=None):
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def on_train_batch_end(self, batch, logs=None):
        values = {}
        for name in self.names:
            tracker = self.model.trackers[name]
            total, count = float(tracker.total.numpy()), float(tracker.count.numpy())  # waits for the step
            last_total, last_count = self._previous[name]
            values[name] = (total - last_total) / (count - last_count) if count > last_count else float("nan")
            self._previous[name] = (total, count)
        wall, cpu = time.perf_counter() - self._wall, time.process_time() - self._cpu
        if self._first:  # tracing the train function, not training
            self.first_step_seconds, self._first = wall, False
        else:
            self.train_seconds += wall
            self.cpu_seconds += cpu
        self.step += 1
        self._rows.append({"step": self.step, **values})
        if self.over_budget():
            self.stopped_by = "budget"
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch + 1, "step": self.step,
               "epochs": round(self.step / self.batches_per_epoch, 4) if self.batches_per_epoch else epoch + 1,
               "train_minutes": round(self.train_seconds / 60, 4), "cpu_minutes": round(self.cpu_seconds / 60, 4)}
        for name, value in (logs or {}).items():
            if np.ndim(value) == 0:
                row[name[4:] if name.startswith("val_") else name] = float(np.asarray(value))
        last_epoch = epoch + 1 == (self.epochs or (self.params or {}).get("epochs"))
        due = (self.last_eval_seconds is None or self.stopped_by or last_epoch or epoch + 1 in self.eval_epochs
               or self.train_seconds - self.last_eval_seconds >= self.eval_every_seconds)
        if self.evaluator is not None and due:
            from tfgans.sampling import sample_generator

            from tfgans.callbacks import NaNLossError
            from tfgans.extractors import NonFiniteImagesError

            try:
                images = sample_generator(self.model, self.evaluator.num_samples, self.eval_seed)
            except NonFiniteImagesError as e:  # finite losses, but the images diverged: a NaN stop too
                self.model.stop_training = True
                raise NaNLossError(f"epoch {epoch + 1}: {e}") from None
            scores = self.evaluator.evaluate_images(images)
            scores = {name: value for name, value in scores.items() if name in SCORES or name.startswith("conf_")}
            row.update(scores)
            if logs is not None:  # for TensorBoard and the progress bar: the per-class columns would crowd it
                logs.update({name: value for name, value in scores.items() if name in SCORES})
            self.last_eval_seconds = self.train_seconds
        self.flush_steps()
        if self.run_dir:
            _append_rows(self._path(EPOCHS_FILE), [row])

    def flush_steps(self):
        """Appends the steps recorded since the last flush to ``steps.csv`` (before every checkpoint)."""
        if self.run_dir:
            _append_rows(self._path(STEPS_FILE), self._rows)
        self._rows = []
