"""A report's experiment: each model trained to the report's length (or a budget), scored as it trains, resumable.

:func:`reproduce` trains every :class:`~tfgans.reports.Entry` of a report through ``tfgans.training.train``, in
its own run folder ``<out>/<entry folder>/`` (the run folder of ``tfgans.training``: checkpoints, samples,
logs, ``steps.csv``, ``epochs.csv`` with each epoch's means, clocks and FID/KID/score, the exported
generator), then writes the report's figures and ``report.md`` (:mod:`tfgans.figures`) with each claim's
verdict (:func:`tfgans.reports.decide`). The same call run again resumes the model that was training and
skips the finished ones; a larger ``budget_minutes`` trains the models that stopped at the budget on.

By default each model trains to its preset's epochs, the report's own length; ``budget_minutes`` caps it (the
clock counts training steps only: ``clock="cpu"`` counts the process's CPU seconds, which keeps models
comparable on a busy machine).
"""

from __future__ import annotations

import os
from typing import Dict, List, Optional

from tfgans import runs
from tfgans.reports import Entry, ModelResult, Report

__all__ = ["QUICK", "RECORD_FILES", "REACH_CPU_HOURS", "read_result", "reproduce", "run_entry", "summary_table",
           "runs_table", "copy_record", "FORMAT"]

#: A model whose report length would take more CPU-hours than this (at its recent rate) is out of reach of the
#: 2-core CPU the records are made on: its claims stay "cannot tell", saying how far it got.
REACH_CPU_HOURS = 12.0

FORMAT = "tfgans-experiment/1"
#: What ``--quick`` changes: a slice of the training split, at most two epochs and a few seconds per model,
#: and small evaluations (their FID is biased upward by the small sample; it only shows the plumbing works).
QUICK = {"split": "train[:3000]", "max_epochs": 2, "budget_minutes": 0.15, "eval_samples": 500}


def read_result(entry: Entry, run_dir: str) -> ModelResult:
    """The record of one model's run folder, finished or not (see :class:`~tfgans.reports.ModelResult`)."""
    from tfgans.record import read_record

    record = read_record(run_dir)
    try:
        settings = runs.read_settings(run_dir)[0] or {}
    except ValueError:  # an unreadable settings file of an earlier version: the record is still judged
        settings = {}
    return ModelResult(entry, record.epochs, record.steps, record.progress, settings)


def run_entry(entry: Entry, run_dir: str, *, seed: int = 0, quick: bool = False, **options) -> ModelResult:
    """Trains (or resumes) one model of an experiment through ``tfgans.training.train``; returns its record.

    ``quick`` applies the entry's ``quick_kwargs`` and :data:`QUICK`'s epochs; ``options`` are
    ``tfgans.training.train``'s (``budget_minutes``, ``clock``, ``evaluator``, ``data_dir``, ``split``, ...).
    A model whose loss became NaN is recorded as stopped by ``nan`` and the experiment goes on.
    """
    import keras

    from tfgans import presets, training
    from tfgans.callbacks import NaNLossError

    preset = presets.get(entry.preset)
    if quick:
        options.setdefault("epochs", min(preset.epochs, QUICK["max_epochs"]))
        if entry.quick_kwargs:
            options["flavor_kwargs"] = {**options.get("flavor_kwargs", {}), **entry.quick_kwargs}
    print(f"tfgans: {entry.label} ({preset.name}): run folder {run_dir}", flush=True)
    try:
        training.train(preset, run_dir, seed=entry.seed if entry.seed is not None else seed,
                       chunk_steps=entry.steps_per_epoch, eval_epochs=entry.eval_epochs, skip_finished=True,
                       **options)
    except NaNLossError as e:
        print(f"tfgans: {entry.label}: {e}", flush=True)
    keras.backend.clear_session()
    return read_result(entry, run_dir)


def reproduce(report, out: str, *, data_dir: Optional[str] = None, budget_minutes: Optional[float] = None,
              quick: bool = False, clock: str = "wall", seed: int = 0, eval_samples: Optional[int] = None,
              eval_every_minutes: float = 5.0, models: Optional[List[str]] = None, download: bool = False,
              dataset: Optional[str] = None, max_epochs: Optional[int] = None, train: bool = True,
              mixed_precision: bool = False, verbose=2) -> str:
    """Runs (or resumes) ``report``'s experiment in ``out`` and writes its figures and ``report.md``.

    Args:
        report: a registered :class:`~tfgans.reports.Report` or its key (``"sun"``, ``"salimans"``).
        out: the experiment folder; one run folder per entry inside.
        budget_minutes: cap each model's training at this many minutes (default: none, each model trains to
            the report's length); ``quick`` makes it seconds.
        quick: the :data:`QUICK` settings, for tests and first looks (about a minute in all on a CPU).
        clock: ``"wall"`` or ``"cpu"``, see the module docstring.
        eval_samples: generated (and real test) images per evaluation; default 10,000 (500 when quick).
        eval_every_minutes: training minutes between evaluations (also after the epochs the claims name).
        models: entry keys to run (default all of the dataset's).
        dataset: which of the report's datasets (default its first, MNIST for every report here); the
            entries whose presets train on it run.
        max_epochs: stop each model at this many epochs in this call (a piece of a long experiment: rerun
            without it, or with more, to train on; the claims are still judged at the report's lengths).
        train: False writes the figures and ``report.md`` from the records in ``out`` as they are, training
            nothing (``tfgans reproduce KEY --out DIR --report-only``).
        mixed_precision: train the models of this call in ``mixed_bfloat16`` (``mixed_float16`` on a GPU), where
            the CPU has bf16 instructions a speed-up of 1.5-2x for the reports' convolutional nets
            (``benchmarks/README.md``). Each model records its precision and resumes only in it, so one
            experiment may hold models of both (``report.md`` names each one's).

    Returns:
        The path of ``report.md``.
    """
    from tfgans import figures as writer
    from tfgans.data import dataset_info
    from tfgans.evaluation import evaluator_for

    from tfgans import reports

    report = reports.get(report) if isinstance(report, str) else report
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
    if clock not in ("wall", "cpu"):
        raise ValueError(f"--clock must be 'wall' or 'cpu', got {clock!r}.")
    eval_samples = eval_samples or (QUICK["eval_samples"] if quick else 10000)
    settings = {"format": FORMAT, "report": report.key, "quick": quick, "seed": seed, "eval_samples": eval_samples,
                "dataset": dataset if dataset != dataset_info(report.datasets[0]).name else None,
                "budget_minutes": budget_minutes, "clock": clock}
    if not train:
        recorded, _ = runs.read_settings(out)
        settings = {**settings, **{k: v for k, v in (recorded or {}).items() if k in settings}}
        return _write(report, out, {}, settings, data_dir, no_eval="")
    os.makedirs(out, exist_ok=True)
    runs.check_settings(out, settings, free=("budget_minutes", "clock", "format"), legacy=_legacy,
                        hint="Use a new --out folder, or repeat the original options to resume (a larger "
                             "--budget-minutes continues the models that stopped at the budget).")
    evaluator, no_eval = evaluator_for(dataset, data_dir, eval_samples) if report.evaluates else (None, "")
    if evaluator is None and no_eval:
        print(f"tfgans: {report.key}: no FID: {no_eval}", flush=True)
    results = {}
    for entry in entries:
        results[entry.key] = run_entry(
            entry, os.path.join(out, entry.folder or entry.key), seed=seed, quick=quick,
            budget_minutes=budget_minutes, clock=clock, data_dir=data_dir,
            split=QUICK["split"] if quick else "train", evaluator=evaluator,
            eval_every_minutes=QUICK["budget_minutes"] / 2 if quick else eval_every_minutes, download=download,
            stop_epochs=max_epochs, mixed_precision=mixed_precision, verbose=verbose,
            **report.entry_options(entry, quick))
    return _write(report, out, results, settings, data_dir, no_eval)


def _write(report: Report, out: str, results: Dict[str, ModelResult], settings: Dict, data_dir, no_eval: str) -> str:
    """Writes the report's figures and ``report.md`` from ``results`` and the records of the other models in
    ``out`` (those this call did not train: ``--models``, ``--report-only``)."""
    from tfgans import figures as writer

    for entry in report.entries:
        folder = os.path.join(out, entry.folder or entry.key)
        if entry.key not in results and os.path.isfile(os.path.join(folder, "epochs.csv")):
            results[entry.key] = read_result(entry, folder)
    results = {e.key: results[e.key] for e in report.entries if e.key in results}  # in the report's order
    command = _commands(report, results, settings)
    path = writer.write_report(report, out, results, settings=settings, command=command, no_eval=no_eval,
                               data_dir=data_dir)
    print(f"tfgans: {report.key}: wrote {path}", flush=True)
    return path


def summary_table(root: str, link_root: Optional[str] = None) -> str:
    """A markdown table of the experiments recorded in ``root/<report key>/`` (``verdicts.json`` and each model's
    record): per report, how far each model trained of its length and how many claims hold, do not hold or
    cannot be told yet (those not testable here apart), followed by :func:`runs_table`. The README's verdict
    tables are this, generated."""
    from tfgans import reports
    from tfgans.reports import CANNOT_TELL, DOES_NOT_HOLD, HOLDS

    lines = ["| report | models: epochs trained of the report's | holds | does not hold | cannot tell yet | "
             "not testable here |", "|---|---|---|---|---|---|"]
    for report in reports.all_reports():
        folder = os.path.join(root, report.key)
        verdicts = runs.read_json(os.path.join(folder, "verdicts.json"))
        if not verdicts:
            continue
        models = []
        for entry in report.entries:
            run_dir = os.path.join(folder, entry.folder or entry.key)
            if os.path.isfile(os.path.join(run_dir, "epochs.csv")):
                from tfgans import presets

                done = read_result(entry, run_dir).epochs_done
                models.append(f"{entry.label} {done:.4g} of {presets.get(entry.preset).epochs}")
        claims = {c.key: c for c in report.claims}
        tested = {k: v for k, v in verdicts.items() if k in claims and not claims[k].needs}

        def named(status):
            keys = [k for k, v in tested.items() if v["verdict"] == status]
            return f"{len(keys)}" + (f": {', '.join(keys)}" if keys and status != CANNOT_TELL else "")

        untestable = sum(1 for c in report.claims if c.needs)
        link = os.path.join(link_root if link_root is not None else root, report.key, "report.md")
        lines.append(f"| [`{report.key}`]({link}) | {'; '.join(models) or '-'} | {named(HOLDS)} | "
                     f"{named(DOES_NOT_HOLD)} | {named(CANNOT_TELL)} | {untestable} |")
    return "\n".join(lines) + "\n\n" + runs_table(root)


def needed_epochs(report: Report, entry: Entry) -> float:
    """The length ``entry`` must train to for every claim about it: the longest of the claims' ``at``, or its
    preset's epochs where no claim names it."""
    from tfgans import presets

    lengths = [claim.at[entry.key] for claim in report.claims if entry.key in claim.at]
    return max(lengths) if lengths else float(presets.get(entry.preset).epochs)


def runs_table(root: str) -> str:
    """A markdown table of every model of every report recorded in ``root/<report key>/``: the epochs its
    claims need, how far it trained, its CPU-hours so far and those the whole length takes at its recent rate;
    "out of reach" past :data:`REACH_CPU_HOURS` once the rate rests on ``RECENT_EPOCHS`` epochs or more (before,
    a short run's frequent evaluations can dominate it). Generated from the records, like :func:`summary_table`."""
    from tfgans import presets, reports

    lines = ["| report | model | epochs trained of those its claims need | CPU-hours so far | CPU-hours for all "
             "(at its recent rate) | state |", "|---|---|---|---|---|---|"]
    for report in reports.all_reports():
        folder = os.path.join(root, report.key)
        if not os.path.isfile(os.path.join(folder, "verdicts.json")):
            continue
        for entry in report.entries:
            needed = needed_epochs(report, entry)
            run_dir = os.path.join(folder, entry.folder or entry.key)
            result = (read_result(entry, run_dir) if os.path.isfile(os.path.join(run_dir, "epochs.csv"))
                      else None)
            dataset = presets.get(entry.preset).dataset
            label = entry.label if dataset == "mnist" else f"{entry.label} ({dataset})"
            about = [claim for claim in report.claims if entry.key in claim.at]
            if all(claim.needs for claim in about) and (about or dataset != "mnist"):
                # No claim tested on MNIST names it: it trains on data this machine has no copy of.
                lines.append(f"| `{report.key}` | {label} | - | - | - | not run here: its claims need {dataset} "
                             "(report.md says how to test them) |")
                continue
            if result is None or not result.epochs:
                total, state = _priced_by_preset(report, entry, folder, needed)
                lines.append(f"| `{report.key}` | {label} | 0 of {needed:g} | 0 | "
                             f"{'-' if total is None else f'{total:.1f}'} | {state} |")
                continue
            done, total, cpu = result.epochs_done, result.cpu_hours_for(needed), result.cpu_minutes
            so_far = "-" if cpu is None else f"{cpu / 60.0:.1f}"
            if result.cpu_clock_from:  # a run of an earlier version, without a CPU clock until it was resumed
                so_far += " (no CPU clock yet)" if cpu is None else f" (since epoch {result.cpu_clock_from:g})"
            clocked = done - result.cpu_clock_from
            if result.reached(needed):
                state = "done"
            elif total is not None and total > REACH_CPU_HOURS:
                # A rate from a few epochs of a short run, which evaluated often, says little of the whole length.
                state = (f"in progress (its cost is measured over {clocked:.3g} epochs only)"
                         if clocked < reports.RECENT_EPOCHS
                         else f"out of reach here (over {REACH_CPU_HOURS:g} CPU-hours)")
            else:
                state = "in progress"
            lines.append(f"| `{report.key}` | {label} | {done:.4g} of {needed:g} ({100 * done / needed:.0f} %) | "
                         f"{so_far} | {'-' if total is None else f'{total:.1f}'} | {state} |")
    return "\n".join(lines)


def _priced_by_preset(report: Report, entry: Entry, folder: str, needed: float):
    """``(CPU-hours, state)`` of a model not started: at the rate of a recorded model of the same preset and step,
    with that rate's caveat or out-of-reach state; ``(None, "not started")`` without one."""
    from tfgans import reports

    for other in report.entries:
        other_dir = os.path.join(folder, other.folder or other.key)
        if (other is entry or other.preset != entry.preset or _step_options(other) != _step_options(entry)
                or not os.path.isfile(os.path.join(other_dir, "epochs.csv"))):
            continue
        other_result = read_result(other, other_dir)
        total = other_result.cpu_hours_for(needed)
        if total is None:
            continue
        clocked = other_result.epochs_done - other_result.cpu_clock_from
        # And that rate's precision: the model not started may train in the other one (bf16 is 0.9-2.0x on a CPU).
        rate = f"at {other.label}'s rate (the same preset; {other.label} timed in {other_result.precision})"
        if clocked < reports.RECENT_EPOCHS:
            return total, f"not started (the cost {rate}, measured over {clocked:.3g} epochs only)"
        if total > REACH_CPU_HOURS:
            return total, f"not started; out of reach here (over {REACH_CPU_HOURS:g} CPU-hours {rate})"
        return total, f"not started (the cost {rate})"
    return None, "not started"


#: Entry options that leave the cost of a step as it is (a learning rate, how many examples carry labels).
_RATE_FREE = ("g_lr", "d_lr", "num_labeled")


def _step_options(entry: Entry) -> Dict:
    return {k: v for k, v in entry.options.items() if k not in _RATE_FREE}


#: What a committed record of an experiment keeps of each model's run folder (no checkpoints, logs or export).
RECORD_FILES = ("run.json", "epochs.csv", "steps.csv", "progress.json", "final.png")


def copy_record(out: str, dest: str, grids: int = 6) -> str:
    """Copies the record of the experiment in ``out`` into ``dest`` (``notebooks/results/<key>``): its
    ``report.md``, ``verdicts.json``, figures and settings, and of each model :data:`RECORD_FILES` and
    ``grids`` of its sample grids spread over training (grids an earlier copy picked are removed, so that a
    record copied as its run goes on keeps ``grids``). Files are written atomically; returns ``dest``."""
    import shutil

    from tfgans import files

    def copy(src, dst):
        with files.atomic_path(dst) as tmp:
            shutil.copyfile(src, tmp)

    os.makedirs(dest, exist_ok=True)
    for name in sorted(os.listdir(out)):
        path = os.path.join(out, name)
        if os.path.isfile(path) and not files.is_temp(name) and name != files.LOCK_FILE:
            copy(path, os.path.join(dest, name))
        elif os.path.isdir(path) and os.path.isfile(os.path.join(path, "epochs.csv")):
            os.makedirs(os.path.join(dest, name), exist_ok=True)
            for record in RECORD_FILES:
                if os.path.isfile(os.path.join(path, record)):
                    copy(os.path.join(path, record), os.path.join(dest, name, record))
            samples = sorted(f for f in os.listdir(os.path.join(path, "samples"))
                             if f.startswith("epoch_") and f.endswith(".png")) if os.path.isdir(
                os.path.join(path, "samples")) else []
            if samples:
                picks = sorted({samples[round(i * (len(samples) - 1) / max(grids - 1, 1))] for i in range(grids)})
                kept = os.path.join(dest, name, "samples")
                os.makedirs(kept, exist_ok=True)
                for grid in picks:
                    copy(os.path.join(path, "samples", grid), os.path.join(kept, grid))
                for old in os.listdir(kept):
                    if old.startswith("epoch_") and old.endswith(".png") and old not in picks:
                        os.remove(os.path.join(kept, old))
    return dest


def _legacy(old: Dict, name: str) -> Dict:
    """An experiment's ``reproduce.json`` of earlier versions in this version's schema."""
    del name
    return {k: v for k, v in old.items() if k in ("report", "quick", "seed", "eval_samples", "dataset")}


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


def _commands(report: Report, results: Dict[str, ModelResult], settings: Dict) -> str:
    """``report.md``'s command: one per precision when the models' differ (a model resumes only in the precision
    it started in), each naming its ``--models``; the models not started yet join the float32 one."""
    from tfgans.data import dataset_info

    first = dataset_info(report.datasets[0]).name
    dataset = dataset_info(settings.get("dataset") or first).name
    mixed = {key: bool(result.settings.get("mixed_precision")) for key, result in results.items()}
    if len(set(mixed.values())) <= 1:
        groups = {any(mixed.values()): None}
    else:
        keys = [e.key for e in _select(report, None, dataset)]
        groups = {m: [k for k in keys if mixed.get(k, False) == m] for m in (False, True)}
    return "`; `".join(
        _command(report.key, settings.get("budget_minutes"), settings.get("quick"), settings.get("clock", "wall"),
                 settings.get("seed", 0), dataset if dataset != first else None, models=models, mixed_precision=m)
        for m, models in groups.items())


def _command(key, budget_minutes, quick, clock, seed, dataset=None, models=None, mixed_precision=False) -> str:
    """The command that made (and resumes) the record, with relative paths as a user types them."""
    parts = ["tfgans reproduce", key, "--out", f"runs/{key}"]
    if dataset:
        parts += ["--dataset", dataset]
    if models:
        parts += ["--models", ",".join(models)]
    parts += ["--data-dir", "../shared/tfds"]
    if mixed_precision:
        parts += ["--mixed-precision"]
    if quick:
        parts += ["--quick"]
    elif budget_minutes:
        parts += ["--budget-minutes", f"{budget_minutes:g}"]
    if clock != "wall":
        parts += ["--clock", clock]
    if seed:
        parts += ["--seed", str(seed)]
    return " ".join(parts)
