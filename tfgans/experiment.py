"""A report's experiment: each model trained for the same budget, scored as it trains, resumable.

:func:`reproduce` trains every :class:`~tfgans.reports.base.Entry` of a report in its own run folder
``<out>/<entry key>/`` (checkpoints, ``samples/epoch_*.png``, TensorBoard ``logs/``, ``steps.csv`` with
every step's losses, ``epochs.csv`` with each epoch's means, clock and FID/KID/score), then writes the
report's figures and ``report.md`` (:mod:`tfgans.reports.writer`). The same call run again resumes the model
that was training from its last epoch and skips the finished ones; run again with a larger
``--budget-minutes``, it trains the models that stopped at the budget on to the new one.

The budget clock counts the training steps only: not the first step of each ``fit`` (tracing, reported
apart), not the evaluations. ``clock="cpu"`` counts the process's CPU seconds instead of wall seconds,
which keeps models comparable when they share a busy machine (on a GPU use the default, ``"wall"``).
"""

from __future__ import annotations

import math
import os
import time
from typing import Dict, List, Optional

import numpy as np
import keras

from tfgans import runs
from tfgans.reports import Entry, ModelResult, Report

__all__ = ["QUICK", "BudgetRecorder", "make_evaluator", "train_entry", "read_result", "reproduce"]

#: What ``--quick`` changes: a slice of the training split, at most two epochs and a few seconds per model,
#: and small evaluations (their FID is biased upward by the small sample; it only shows the plumbing works).
QUICK = {"split": "train[:3000]", "max_epochs": 2, "budget_minutes": 0.15, "eval_samples": 500}
_EVAL_METRICS = ("fid", "kid", "is")


class BudgetRecorder(keras.callbacks.Callback):
    """Stops ``fit`` at the budget and records every step's losses and each epoch's means, clock and scores.

    Put it before ``tfgans.callbacks.Checkpoint``: an epoch's rows are written before its checkpoint, and on
    resume the rows past the restored checkpoint are dropped, so the record always matches the weights.

    Args:
        run_dir: where ``steps.csv`` and ``epochs.csv`` go.
        budget_seconds: training seconds allowed in all (across resumes); None for no limit.
        clock: ``"wall"`` or ``"cpu"`` (the process's CPU time).
        evaluator: a ``tfgans.evaluation.Evaluator`` scoring ``model.generate`` samples, or None.
        eval_every_seconds: evaluate at the end of the first epoch that ends this long after the last
            evaluation (always after the first and the last epoch).
        eval_seed: seed of the evaluated draw (the rule of ``tfgans.evaluation.sample_generator``).
        steps_per_epoch: for the fractional epoch count.
    """

    def __init__(self, run_dir: str, budget_seconds: Optional[float], clock: str = "wall", evaluator=None,
                 eval_every_seconds: float = 120.0, eval_seed: int = 0, steps_per_epoch: Optional[int] = None,
                 eval_epochs=()):
        super().__init__()
        if clock not in ("wall", "cpu"):
            raise ValueError(f"clock must be 'wall' or 'cpu', got {clock!r}.")
        if budget_seconds is not None and not budget_seconds > 0:
            raise ValueError(f"The budget must be positive, got {budget_seconds} seconds.")
        self.run_dir = run_dir
        self.budget_seconds = budget_seconds
        self.clock = clock
        self.evaluator = evaluator
        self.eval_every_seconds = float(eval_every_seconds)
        self.eval_seed = int(eval_seed)
        self.steps_per_epoch = steps_per_epoch
        self.eval_epochs = frozenset(eval_epochs)
        self.stopped_by: Optional[str] = None
        self.first_step_seconds = float("nan")

    # --- state --------------------------------------------------------------------------------------------

    @property
    def _steps_path(self):
        return os.path.join(self.run_dir, "steps.csv")

    @property
    def _epochs_path(self):
        return os.path.join(self.run_dir, "epochs.csv")

    def on_train_begin(self, logs=None):
        # Runs after Checkpoint.on_train_begin only if placed after it; the restored epoch is read from the
        # model (Checkpoint sets _initial_epoch), so the order of the two in the list does not matter here.
        restored = getattr(self.model, "_initial_epoch", None) or 0
        epochs = [row for row in runs.read_csv(self._epochs_path) if int(row["epoch"]) <= restored]
        last = epochs[-1] if epochs else {}
        self.step = int(last.get("step", 0))
        self.train_seconds = 60.0 * float(last.get("train_minutes", 0.0))
        self.cpu_seconds = 60.0 * float(last.get("cpu_minutes", 0.0))
        evaluated = [row for row in epochs if row.get("fid") not in (None, "")]
        self.last_eval_seconds = 60.0 * float(evaluated[-1]["train_minutes"]) if evaluated else None
        runs.write_csv(self._epochs_path, epochs)
        runs.write_csv(self._steps_path, [row for row in runs.read_csv(self._steps_path) if int(row["step"]) <= self.step])
        self.names = tuple(self.model.metric_names)
        self._first = True
        self.stopped_by = None
        if self.budget_seconds is not None and self._clock_seconds() >= self.budget_seconds:
            self.model.stop_training = True
            self.stopped_by = "budget"

    def _clock_seconds(self):
        return self.cpu_seconds if self.clock == "cpu" else self.train_seconds

    # --- steps ----------------------------------------------------------------------------------------------

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
        if self.budget_seconds is not None and self._clock_seconds() >= self.budget_seconds:
            self.stopped_by = "budget"
            self.model.stop_training = True

    # --- epochs ---------------------------------------------------------------------------------------------

    def on_epoch_end(self, epoch, logs=None):
        _append_csv(self._steps_path, self._rows)
        row = {"epoch": epoch + 1, "step": self.step,
               "epochs": round(self.step / self.steps_per_epoch, 4) if self.steps_per_epoch else epoch + 1,
               "train_minutes": round(self.train_seconds / 60, 4), "cpu_minutes": round(self.cpu_seconds / 60, 4)}
        row.update({name: float(np.asarray(value)) for name, value in (logs or {}).items()
                    if np.ndim(value) == 0})
        last_epoch = self.params and epoch + 1 == self.params.get("epochs")
        due = (self.last_eval_seconds is None or self.stopped_by or last_epoch or epoch + 1 in self.eval_epochs
               or self.train_seconds - self.last_eval_seconds >= self.eval_every_seconds)
        if self.evaluator is not None and due:
            from tfgans.sampling import sample_generator

            images = sample_generator(self.model, self.evaluator.num_samples, self.eval_seed)
            scores = self.evaluator.evaluate_images(images)
            row.update({name: scores[name] for name in _EVAL_METRICS if name in scores})
            if logs is not None:
                logs.update({name: scores[name] for name in _EVAL_METRICS if name in scores})
            self.last_eval_seconds = self.train_seconds
        _append_csv(self._epochs_path, [row])


# --- csv files -----------------------------------------------------------------------------------------------


def _append_csv(path: str, rows: List[Dict]):
    # Rewritten whole (atomically) when a new column appears, e.g. the first evaluation's scores.
    if rows:
        runs.write_csv(path, runs.read_csv(path) + [{k: _cell(v) for k, v in row.items()} for row in rows])


def _cell(value):
    return f"{value:.6g}" if isinstance(value, float) else value


def _number(text):
    if text in (None, ""):
        return None
    value = float(text)
    return value


# --- one model -------------------------------------------------------------------------------------------------


def make_evaluator(dataset: str, data_dir: Optional[str], num_samples: int):
    """``(Evaluator, "")`` scoring FID, KID and score against the test split with the dataset's extractor (the
    shipped classifier for 28x28x1, InceptionV3 for 32x32x3 when its weights are present), or
    ``(None, reason)`` when there is none: the experiment then runs without scores and says why."""
    from tfgans import evaluation

    try:
        evaluator = evaluation.Evaluator(dataset, data_dir=data_dir, num_samples=num_samples,
                                         metrics=_EVAL_METRICS)
        evaluator.reference()
    except (OSError, ValueError) as e:
        return None, f"no feature extractor for {dataset} ({str(e).split('. ')[0]})"
    return evaluator, ""


def train_entry(entry: Entry, run_dir: str, *, budget_seconds: Optional[float], clock: str = "wall",
                data_dir: Optional[str] = None, split: str = "train", max_epochs: Optional[int] = None,
                seed: int = 0, evaluator=None, eval_every_seconds: float = 120.0, download: bool = False,
                quick: bool = False, verbose=2) -> ModelResult:
    """Trains one model of an experiment in ``run_dir`` until its budget or its preset's epochs are spent.

    Resumes an interrupted run; returns at once for a finished one. See :class:`BudgetRecorder` for the clock.
    ``quick`` applies the entry's ``quick_kwargs`` to its flavor.
    """
    from tfgans import callbacks, presets
    from tfgans.data import VALUE_RANGES

    preset = presets.get(entry.preset)
    if quick and entry.quick_kwargs:
        preset = preset.replace(flavor_kwargs={**preset.flavor_kwargs, **entry.quick_kwargs})
    settings = {"preset": preset.name, "budget_seconds": budget_seconds, "clock": clock, "split": split,
                "max_epochs": max_epochs, "seed": seed,
                "eval_samples": evaluator.num_samples if evaluator is not None else None}
    os.makedirs(run_dir, exist_ok=True)
    runs.check_settings(run_dir, settings, hint="Use a new --out folder, or repeat the original options.",
                        free=("budget_seconds",))
    progress_path = os.path.join(run_dir, "progress.json")
    progress = runs.read_json(progress_path) or {}
    if progress.get("done"):
        done = read_result(entry, run_dir)
        if not _extends(progress, done, budget_seconds, clock):
            return done
    keras.utils.set_random_seed(seed)
    model = preset.build(seed=seed)
    ds = preset.load_data(data_dir, model=model, seed=seed, split=split, download=download)
    steps_per_epoch = int(ds.cardinality()) if int(ds.cardinality()) > 0 else None
    epochs = min(preset.epochs, max_epochs) if max_epochs else preset.epochs
    fit_steps = None
    if entry.steps_per_epoch and steps_per_epoch:
        # Chunks of entry.steps_per_epoch steps over the repeated data, as many as the preset's epochs hold.
        fit_steps = entry.steps_per_epoch
        epochs = -(-epochs * steps_per_epoch // fit_steps)
        ds = ds.repeat()
    value_range = VALUE_RANGES[preset.value_range]
    recorder = BudgetRecorder(run_dir, budget_seconds, clock, evaluator, eval_every_seconds, eval_seed=seed,
                              steps_per_epoch=steps_per_epoch, eval_epochs=entry.eval_epochs)
    nan_guard, checkpoint, grid, board = callbacks.run_callbacks(run_dir, seed=seed, value_range=value_range)
    budget_text = f"{budget_seconds / 60:g} {clock}-clock min" if budget_seconds else "no time limit"
    print(f"tfgans: {entry.label} ({preset.name}): training for {budget_text} or {epochs} epochs; run folder "
          f"{run_dir}", flush=True)
    # Checkpoint first so the recorder sees the restored epoch; the recorder before the checkpoint's save.
    cbs = [nan_guard, _RestoreFirst(checkpoint), recorder, _SaveAfter(checkpoint), grid, board]
    stopped = None
    try:
        model.fit(ds, epochs=epochs, steps_per_epoch=fit_steps, callbacks=cbs, verbose=verbose)
    except callbacks.NaNLossError as e:
        stopped = "nan"
        print(f"tfgans: {entry.label}: {e}", flush=True)
    stopped = stopped or recorder.stopped_by or "epochs"
    runs.write_json(progress_path, {"done": True, "stopped_by": stopped,
                                    "first_step_seconds": recorder.first_step_seconds})
    _save_final_grid(model, os.path.join(run_dir, "final.png"), seed)
    del model
    keras.backend.clear_session()
    return read_result(entry, run_dir)


def _extends(progress: Dict, result: ModelResult, budget_seconds: Optional[float], clock: str) -> bool:
    """Whether a run that stopped at its budget has more to train under a larger ``budget_seconds``."""
    if progress.get("stopped_by") != "budget" or not result.epochs:
        return False
    used = 60.0 * result.epochs[-1]["cpu_minutes" if clock == "cpu" else "train_minutes"]
    return budget_seconds is None or used < budget_seconds


class _RestoreFirst(keras.callbacks.Callback):
    """The restoring half of a ``tfgans.callbacks.Checkpoint`` (its ``on_train_begin``)."""

    def __init__(self, checkpoint):
        super().__init__()
        self.checkpoint = checkpoint

    def set_model(self, model):
        super().set_model(model)
        self.checkpoint.set_model(model)

    def on_train_begin(self, logs=None):
        self.checkpoint.on_train_begin(logs)


class _SaveAfter(keras.callbacks.Callback):
    """The saving half of a ``tfgans.callbacks.Checkpoint`` (the position it counts, its saves)."""

    def __init__(self, checkpoint):
        super().__init__()
        self.checkpoint = checkpoint

    def on_epoch_begin(self, epoch, logs=None):
        self.checkpoint.on_epoch_begin(epoch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.checkpoint.on_train_batch_end(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self.checkpoint.on_epoch_end(epoch, logs)

    def on_train_end(self, logs=None):
        self.checkpoint.on_train_end(logs)


def _save_final_grid(model, path, seed, num=64):
    from tfgans.sampling import sample_generator
    from tfgans.images import save_grid

    save_grid(sample_generator(model, num, seed), path)


def read_result(entry: Entry, run_dir: str) -> ModelResult:
    """The record of one model's run folder, finished or not (see :class:`~tfgans.reports.base.ModelResult`)."""
    epochs = [{k: _number(v) for k, v in row.items()} for row in runs.read_csv(os.path.join(run_dir, "epochs.csv"))]
    for row in epochs:
        for key in ("epoch", "step"):
            row[key] = int(row[key])
        for key in list(row):
            if row[key] is None:
                del row[key]
    steps: Dict[str, List[float]] = {}
    for row in runs.read_csv(os.path.join(run_dir, "steps.csv")):
        for key, value in row.items():
            if key != "step":
                steps.setdefault(key, []).append(float(value) if value not in ("", None) else math.nan)
    progress = runs.read_json(os.path.join(run_dir, "progress.json")) or {"done": False}
    return ModelResult(entry, epochs, steps, progress)


# --- the experiment ------------------------------------------------------------------------------------------


def reproduce(report: Report, out: str, *, data_dir: Optional[str] = None, budget_minutes: Optional[float] = None,
              quick: bool = False, clock: str = "wall", seed: int = 0, eval_samples: Optional[int] = None,
              eval_every_minutes: float = 5.0, models: Optional[List[str]] = None, download: bool = False,
              dataset: Optional[str] = None, verbose=2) -> str:
    """Runs (or resumes) ``report``'s experiment in ``out`` and writes its figures and ``report.md``.

    Args:
        report: a registered report with entries.
        out: the experiment folder; one run folder per entry inside.
        budget_minutes: training minutes per model (default the report's); ``quick`` makes it seconds.
        quick: the :data:`QUICK` settings, for tests and first looks (about a minute in all on a CPU).
        clock: ``"wall"`` or ``"cpu"``, see the module docstring.
        eval_samples: generated (and real test) images per evaluation; default 10,000 (500 when quick).
        eval_every_minutes: training minutes between evaluations.
        models: entry keys to run (default all of the dataset's).
        dataset: which of the report's datasets (default its first, MNIST for every report here); the
            entries whose presets train on it run.

    Returns:
        The path of ``report.md``.
    """
    from tfgans.data import dataset_info
    from tfgans import figures as writer

    writer.check_dependencies()  # before hours of training, not after
    dataset = dataset_info(dataset or report.datasets[0]).name
    if dataset not in [dataset_info(d).name for d in report.datasets]:
        raise ValueError(f"Report {report.key!r} has no experiment on {dataset}; its datasets: "
                         f"{', '.join(report.datasets)}.")
    entries = _select(report, models, dataset)
    budget_minutes = QUICK["budget_minutes"] if quick and budget_minutes is None else budget_minutes
    if budget_minutes is not None and not budget_minutes > 0:
        raise ValueError(f"--budget-minutes must be positive, got {budget_minutes}.")
    if eval_samples is not None and eval_samples < 2:
        raise ValueError(f"--eval-samples must be at least 2, got {eval_samples}.")
    if not eval_every_minutes > 0:
        raise ValueError(f"eval_every_minutes must be positive, got {eval_every_minutes}.")
    eval_samples = eval_samples or (QUICK["eval_samples"] if quick else 10000)
    split = QUICK["split"] if quick else "train"
    settings = {"report": report.key, "budget_minutes": budget_minutes, "clock": clock, "quick": quick,
                "seed": seed, "eval_samples": eval_samples}
    if dataset != dataset_info(report.datasets[0]).name:
        settings["dataset"] = dataset
    os.makedirs(out, exist_ok=True)
    runs.check_settings(out, settings, record="reproduce.json", free=("budget_minutes",),
                        hint="Use a new --out folder, or repeat the original options to resume (a larger "
                             "--budget-minutes continues the models that stopped at the budget).")
    evaluator, no_eval = make_evaluator(dataset, data_dir, eval_samples)
    if evaluator is None:
        print(f"tfgans: {report.key}: no FID: {no_eval}", flush=True)
    results = {}
    for entry in entries:
        results[entry.key] = train_entry(
            entry, os.path.join(out, entry.key), budget_seconds=60.0 * budget_minutes if budget_minutes else None,
            clock=clock,
            data_dir=data_dir, split=split, max_epochs=QUICK["max_epochs"] if quick else None, seed=seed,
            evaluator=evaluator, eval_every_seconds=60.0 * (QUICK["budget_minutes"] / 2 if quick
                                                            else eval_every_minutes),
            download=download, quick=quick, verbose=verbose)
    command = _command(report.key, out, data_dir, budget_minutes, quick, clock, seed,
                       dataset if dataset != dataset_info(report.datasets[0]).name else None)
    path = writer.write_report(report, out, results, settings=settings, command=command, no_eval=no_eval,
                               data_dir=data_dir)
    print(f"tfgans: {report.key}: wrote {path}", flush=True)
    return path


def _select(report: Report, models: Optional[List[str]], dataset: str) -> List[Entry]:
    from tfgans import presets

    entries = [e for e in report.entries if presets.get(e.preset).dataset == dataset]
    if not entries:
        raise ValueError(f"Report {report.key!r} has no models to train on {dataset}.")
    if not models:
        return entries
    known = {e.key: e for e in entries}
    unknown = [m for m in models if m not in known]
    if unknown:
        raise ValueError(f"Unknown model(s) {unknown} of report {report.key!r}; choose from {', '.join(known)}.")
    return [known[m] for m in models]


def _command(key, out, data_dir, budget_minutes, quick, clock, seed, dataset=None) -> str:
    parts = ["tfgans reproduce", key, "--out", out]
    if dataset:
        parts += ["--dataset", dataset]
    if data_dir:
        parts += ["--data-dir", data_dir]
    parts += ["--quick"] if quick else ["--budget-minutes", f"{budget_minutes:g}"] if budget_minutes else []
    if clock != "wall":
        parts += ["--clock", clock]
    if seed:
        parts += ["--seed", str(seed)]
    return " ".join(parts)
