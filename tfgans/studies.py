"""Architecture studies: a report's architectures trained for the same wall-clock budget, side by side.

Kapoor & Orozco, "Experiments with GANs" (seed 002) compare four GANs on MNIST under one set of fixed
parameters (their Table 1): a linear (MLP) GAN, a DCGAN without and one with pooling, and an LSTM GAN. They
judge them by the discriminator and generator losses over training steps (Figures 2-5), by training time
("the linear model trained the fastest", sec. 4.3.1) and by final samples (Figure 6). Their runs had no common
budget ("because of a lack of computational power and a strict deadline"). ``tfgans compare`` puts the four
presets on equal footing, the same wall-clock budget each, and writes to ``--out``:

* ``<key>_loss.png`` and ``<key>_losses.csv``: d and g loss of every step (Figures 2-5);
* ``samples.png``: each model's samples beside real MNIST test images (Figure 6);
* ``<key>_samples.npz``: uint8 samples for ``tfgans evaluate`` (``--eval-samples`` of them);
* ``comparison.md`` / ``comparison.csv``: steps done, time per step, final losses, and the FID against the
  test split when :class:`tfgans.evaluation.Evaluator` and its MNIST classifier are available;
* ``comparison.json``: the table and the run's settings.

    tfgans compare --study kapoor --budget-minutes 3 --data-dir ../shared/tfds --out runs/kapoor

The budget clock of each model starts after its first step, which traces the training function (a cost that
differs between nets and is not training); that first step's time is reported apart.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import keras

__all__ = [
    "Entry",
    "Study",
    "STUDIES",
    "WallClockBudget",
    "StepLosses",
    "MissingDependencyError",
    "compare",
    "plot_losses",
    "side_by_side",
    "add_parser",
    "run",
]


class MissingDependencyError(ImportError):
    """An optional package the study's outputs need (matplotlib for the loss curves) is not installed."""


@dataclass(frozen=True)
class Entry:
    """One architecture of a study: a preset and where the report shows its results."""

    key: str  # short name for file names (``linear``)
    preset: str  # a ``tfgans.presets`` name
    label: str  # for plots and tables
    figure: str  # the report's figure of its losses


@dataclass(frozen=True)
class Study:
    """A report's architecture comparison: the entries and what the report concluded."""

    name: str
    citation: str
    short_citation: str
    entries: Tuple[Entry, ...]
    samples_figure: str
    report_ranking: Tuple[str, ...]  # entry keys, best first, as the report ranks the final samples
    report_finding: str


STUDIES: Dict[str, Study] = {
    "kapoor": Study(
        name="kapoor",
        citation='Kapoor & Orozco, "Experiments with GANs" (Oxford)',
        short_citation="Kapoor & Orozco",
        entries=(
            Entry("linear", "linear-mnist-kapoor", "Linear", "Fig. 2"),
            Entry("dcgan", "dcgan-mnist-kapoor", "DCGAN", "Fig. 3"),
            Entry("lstm", "lstm-mnist-kapoor", "LSTM", "Fig. 4"),
            Entry("dcgan-pool", "dcgan-pool-mnist-kapoor", "DCGAN + pooling", "Fig. 5"),
        ),
        samples_figure="Fig. 6",
        # Fig. 6 / sec. 5: "linear models performed the best and trained the fastest ... DCGANs ... were the next
        # best class of model ... DCGANs with pooling performed slightly better than LSTM models".
        report_ranking=("linear", "dcgan", "dcgan-pool", "lstm"),
        report_finding=("linear best and fastest per step but prone to exploding weights; DCGAN (stride 1, small "
                        "filters) next and most stable; DCGAN with pooling slightly better than LSTM; LSTM "
                        "gradients dropped to 0"),
    ),
}


# --- callbacks ------------------------------------------------------------------------------------------------


class WallClockBudget(keras.callbacks.Callback):
    """Stops ``fit`` once ``seconds`` of training have passed or ``max_steps`` steps are done.

    Checked after every batch (Keras ends ``fit`` at the batch where ``stop_training`` is set). The clock
    starts at the end of the first step, whose time (``first_step_seconds``) is mostly tracing the training
    function; ``seconds_per_step`` is the mean over the later steps.

    Args:
        seconds: training time allowed after the first step; None for no time limit.
        max_steps: steps allowed in all (first included); None for no step limit.
    """

    def __init__(self, seconds: Optional[float], max_steps: Optional[int] = None):
        super().__init__()
        if seconds is not None and not seconds > 0:
            raise ValueError(f"The budget must be positive, got {seconds} seconds.")
        if max_steps is not None and max_steps < 1:
            raise ValueError(f"max_steps must be at least 1, got {max_steps}.")
        self.seconds = seconds
        self.max_steps = max_steps
        self.steps = 0
        self.first_step_seconds = float("nan")
        self.train_seconds = 0.0
        self.stopped_by: Optional[str] = None
        self._begin = self._start = None

    def on_train_begin(self, logs=None):
        self.steps, self.train_seconds, self.stopped_by = 0, 0.0, None
        self._begin = time.perf_counter()
        self._start = None

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        self.steps += 1
        if self._start is None:
            self.first_step_seconds = now - self._begin
            self._start = now
        self.train_seconds = now - self._start
        if self.seconds is not None and self.train_seconds >= self.seconds:
            self.stopped_by = "budget"
        elif self.max_steps is not None and self.steps >= self.max_steps:
            self.stopped_by = "steps"
        if self.stopped_by:
            self.model.stop_training = True

    @property
    def seconds_per_step(self) -> float:
        """Mean wall-clock seconds of the steps after the first (NaN with fewer than two steps)."""
        return self.train_seconds / (self.steps - 1) if self.steps > 1 else float("nan")


class StepLosses(keras.callbacks.Callback):
    """Records each step's own loss values, not the running epoch means that Keras logs.

    The flavor's trackers are ``keras.metrics.Mean`` (a running total and count, reset every epoch); the
    value of a step is the growth of the total over the growth of the count since the previous batch.

    Args:
        names: trackers to record; default the model's ``metric_names``.
        label: prefix of the progress lines.
        print_every: seconds between progress lines on stdout (None: silent).
    """

    def __init__(self, names: Optional[Sequence[str]] = None, label: str = "",
                 print_every: Optional[float] = None):
        super().__init__()
        self.names = tuple(names) if names else None
        self.label = label
        self.print_every = print_every
        self.history: Dict[str, List[float]] = {}
        self._previous: Dict[str, Tuple[float, float]] = {}
        self._last_print = 0.0

    def on_train_begin(self, logs=None):
        self.names = self.names or tuple(self.model.metric_names)
        self.history = {name: [] for name in self.names}
        self._last_print = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self._previous = {name: (0.0, 0.0) for name in self.names}  # Keras resets the trackers now

    def on_train_batch_end(self, batch, logs=None):
        for name in self.names:
            tracker = self.model.trackers[name]
            total, count = float(tracker.total.numpy()), float(tracker.count.numpy())
            last_total, last_count = self._previous[name]
            value = (total - last_total) / (count - last_count) if count > last_count else float("nan")
            self.history[name].append(value)
            self._previous[name] = (total, count)
        if self.print_every and time.perf_counter() - self._last_print >= self.print_every:
            self._last_print = time.perf_counter()
            latest = ", ".join(f"{n} {self.history[n][-1]:.4f}" for n in self.names)
            print(f"  {self.label}: step {len(self.history[self.names[0]])}, {latest}", flush=True)


# --- outputs ------------------------------------------------------------------------------------------------


def _figure():
    try:
        from matplotlib.figure import Figure
    except ImportError as e:
        raise MissingDependencyError(
            "tfgans compare draws its loss curves with matplotlib, which is not installed. Install it with "
            "`pip install matplotlib` (or `pip install tfgans-reports[dev]`)."
        ) from e
    return Figure


def _smooth(values: np.ndarray, window: int) -> np.ndarray:
    if window <= 1 or len(values) < window:
        return values
    kernel = np.ones(window) / window
    return np.convolve(values, kernel, mode="valid")


def plot_losses(history: Dict[str, Sequence[float]], path: str, title: str) -> str:
    """Plots each loss of ``history`` against the step, raw and smoothed, like the report's Figures 2-5.

    Uses matplotlib's object API (no pyplot), so it never touches an interactive session's backend.

    Raises:
        MissingDependencyError: matplotlib is not installed.
    """
    Figure = _figure()
    fig = Figure(figsize=(6.4, 3.6))
    ax = fig.add_subplot()
    labels = {"d_loss": "discriminator", "g_loss": "generator"}
    for (name, values), color in zip(history.items(), ("tab:blue", "tab:orange", "tab:green", "tab:red")):
        values = np.asarray(values, dtype=np.float64)
        steps = np.arange(1, len(values) + 1)
        window = max(1, len(values) // 50)
        ax.plot(steps, values, color=color, alpha=0.3, linewidth=0.8)
        smooth = _smooth(values, window)
        ax.plot(steps[window - 1:] if window > 1 and len(values) >= window else steps, smooth, color=color,
                linewidth=1.6, label=f"{labels.get(name, name)} loss")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110)
    return path


def side_by_side(panels: Sequence[Tuple[str, np.ndarray]], path: str, ncols: int = 8, scale: int = 2,
                 gap: int = 12) -> str:
    """Writes one PNG with a titled sample grid per model, side by side, like the report's Figure 6.

    Args:
        panels: ``(title, uint8 images [N, H, W, C])`` per panel.
        path: the PNG to write.
        ncols: images per grid row.
        scale: integer upscaling of the grids (28-pixel digits are small on screen).
        gap: pixels between panels.
    """
    from PIL import Image, ImageDraw, ImageFont

    from tfgans.images import make_grid

    grids = []
    for title, images in panels:
        grid = make_grid(np.asarray(images), ncols=ncols)
        image = Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid)
        grids.append((title, image.resize((image.width * scale, image.height * scale), Image.NEAREST)))
    mode = "L" if all(g.mode == "L" for _, g in grids) else "RGB"
    title_h = 20
    width = sum(g.width for _, g in grids) + gap * (len(grids) + 1)
    height = max(g.height for _, g in grids) + title_h + 2 * gap
    canvas = Image.new(mode, (width, height), 0)
    draw = ImageDraw.Draw(canvas)
    try:
        font = ImageFont.load_default(size=14)  # Pillow >= 10.1 scales its built-in font
    except TypeError:
        font = ImageFont.load_default()
    left = gap
    for title, grid in grids:
        draw.text((left, gap // 2), title, fill=255 if mode == "L" else (255, 255, 255), font=font)
        canvas.paste(grid.convert(mode), (left, gap + title_h))
        left += grid.width + gap
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    canvas.save(path)
    return path


def _fid_scorer(data_dir: Optional[str], num_samples: int):
    """``(score, reason)``: a function uint8 images -> FID against MNIST's test split, or None and why not.

    The hook to ``tfgans.evaluation``: used when that module provides an ``Evaluator`` whose MNIST feature
    extractor (the shipped classifier) loads; otherwise the FID column is left out.
    """
    try:
        from tfgans import evaluation
    except ImportError:
        return None, "tfgans.evaluation is not installed"
    evaluator_cls = getattr(evaluation, "Evaluator", None)
    if evaluator_cls is None:
        return None, "tfgans.evaluation has no Evaluator"
    try:
        evaluator = evaluator_cls("mnist", data_dir=data_dir, num_samples=num_samples, metrics=("fid",))
        evaluator.reference()
    except (OSError, ValueError, ImportError) as e:
        return None, f"the MNIST evaluator is unavailable ({e})"
    return (lambda images: float(evaluator.evaluate_images(images)["fid"])), ""


def _sample(model, num: int, seed: int, value_range, batch: int = 500) -> np.ndarray:
    from tfgans.data import to_uint8

    chunks = []
    for i, start in enumerate(range(0, num, batch)):
        images = model.generate(min(batch, num - start), seed=seed * 1000 + i)
        chunks.append(to_uint8(images, value_range).numpy())
    return np.concatenate(chunks, axis=0)


def _final(values: Sequence[float], last: int = 50) -> float:
    """Mean of the last ``last`` steps (the per-step losses are noisy); NaN when any of them is."""
    tail = np.asarray(values[-last:], dtype=np.float64)
    return float(tail.mean()) if tail.size else float("nan")


def _fmt(value, digits=3) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.{digits}f}"
    return str(value)


COLUMNS = (
    ("model", "model"), ("preset", "preset"), ("figure", "report fig."), ("g_params", "G params"),
    ("d_params", "D params"), ("steps", "steps"), ("epochs", "epochs"), ("ms_per_step", "ms/step"),
    ("first_step_s", "first step s"), ("final_d_loss", "final d_loss"), ("final_g_loss", "final g_loss"),
    ("stopped", "stopped by"), ("fid", "FID"),
)


_DIGITS = {"ms_per_step": 1, "fid": 1, "epochs": 2, "first_step_s": 1}


def _write_tables(rows: List[dict], out: str, header: str, with_fid: bool) -> Tuple[str, str]:
    columns = [(k, title) for k, title in COLUMNS if with_fid or k != "fid"]
    csv_path = os.path.join(out, "comparison.csv")
    with open(csv_path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([k for k, _ in columns])
        for row in rows:
            writer.writerow([row.get(k, "") for k, _ in columns])
    md_path = os.path.join(out, "comparison.md")
    lines = [header, "", "| " + " | ".join(t for _, t in columns) + " |",
             "|" + "|".join("---" for _ in columns) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(_fmt(row.get(k, ""), _DIGITS.get(k, 3))
                                       for k, _ in columns) + " |")
    with open(md_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return md_path, csv_path


# --- the comparison -----------------------------------------------------------------------------------------


def compare(study: str = "kapoor", *, out: str, budget_seconds: Optional[float],
            data_dir: Optional[str] = None, batch_size: Optional[int] = None, max_steps: Optional[int] = None,
            seed: int = 0, split: str = "train", num_samples: int = 64, eval_samples: int = 1000,
            fid: bool = True, models: Optional[Sequence[str]] = None, print_every: Optional[float] = 30.0,
            fid_scorer: Optional[Callable[[np.ndarray], float]] = None) -> List[dict]:
    """Trains each architecture of ``study`` for the same budget and writes the plots, grid and tables.

    Args:
        study: a key of :data:`STUDIES`.
        out: output folder.
        budget_seconds: training seconds per model after its first (tracing) step; None for no limit.
        data_dir: tensorflow-datasets directory holding MNIST.
        batch_size: overrides the presets' batch size (Table 1: 256).
        max_steps: stop each model after this many steps even within the budget (quick runs, tests).
        seed: seed of weights, latents and shuffling, the same for every model.
        split: the training split (``"train"``; ``"train[:1%]"`` for quick runs).
        num_samples: images per model in ``samples.png``.
        eval_samples: images per model in ``<key>_samples.npz`` and behind the FID.
        fid: compute the FID column when the evaluation module can (see :func:`_fid_scorer`).
        models: entry keys to run (default all, in the study's order).
        print_every: seconds between progress lines (None: quiet).
        fid_scorer: a function uint8 images -> FID to use instead of ``tfgans.evaluation``.

    Returns:
        One dict per model: the table's columns plus ``losses`` (the per-step history).

    Raises:
        ValueError: an unknown study or model key, or a non-positive budget.
        MissingDependencyError: matplotlib is missing (checked before any training).
    """
    from tfgans import callbacks as callbacks_lib
    from tfgans import data as data_lib
    from tfgans import presets as presets_lib

    if study not in STUDIES:
        raise ValueError(f"Unknown study {study!r}; known studies: {', '.join(sorted(STUDIES))}.")
    spec = STUDIES[study]
    entries = list(spec.entries)
    if models:
        known = {e.key: e for e in entries}
        unknown = [m for m in models if m not in known]
        if unknown:
            raise ValueError(f"Unknown model(s) {unknown} in study {study!r}; choose from {', '.join(known)}.")
        entries = [known[m] for m in models]
    if budget_seconds is not None and not budget_seconds > 0:
        raise ValueError(f"The budget must be positive, got {budget_seconds} seconds (CLI: --budget-minutes).")
    if budget_seconds is None and max_steps is None:
        raise ValueError("Give a budget (CLI: --budget-minutes) or a step cap (--steps), or training runs "
                         "each preset's full 500 epochs.")
    _figure()  # fail before hours of training, not after
    os.makedirs(out, exist_ok=True)

    scorer, no_fid_reason = (fid_scorer, "") if fid_scorer is not None else (None, "not requested")
    if fid and scorer is None:
        scorer, no_fid_reason = _fid_scorer(data_dir, eval_samples)
    if scorer is None and print_every is not None:
        print(f"tfgans: no FID column: {no_fid_reason}", flush=True)

    rows, panels = [], []
    for entry in entries:
        preset = presets_lib.get(entry.preset)
        value_range = data_lib.VALUE_RANGES[preset.value_range]
        keras.utils.set_random_seed(seed)
        model = preset.build(seed=seed)
        ds = preset.load_data(data_dir, batch_size=batch_size, model=model, seed=seed, split=split)
        budget = WallClockBudget(budget_seconds, max_steps)
        recorder = StepLosses(label=entry.key, print_every=print_every)
        if print_every is not None:
            print(f"tfgans: training {entry.label} ({preset.name}) for "
                  f"{_fmt(budget_seconds / 60 if budget_seconds else float('nan'), 2)} min"
                  f"{f' or {max_steps} steps' if max_steps else ''}", flush=True)
        stopped = None
        try:
            model.fit(ds, epochs=preset.epochs, verbose=0,
                      callbacks=[budget, recorder, callbacks_lib.StopOnNaN()])
        except callbacks_lib.NaNLossError:
            stopped = f"NaN at step {budget.steps}"
        stopped = stopped or budget.stopped_by or "epochs"
        steps_per_epoch = _steps_per_epoch(ds)
        grid_images = _sample(model, num_samples, seed, value_range)
        eval_images = _sample(model, eval_samples, seed + 1, value_range)
        np.savez_compressed(os.path.join(out, f"{entry.key}_samples.npz"), images=eval_images)
        panels.append((entry.label, grid_images))
        history = recorder.history
        _write_losses(history, os.path.join(out, f"{entry.key}_losses.csv"))
        plot_losses(history, os.path.join(out, f"{entry.key}_loss.png"),
                    f"{entry.label} ({preset.name}), {budget.steps} steps\ncf. {spec.short_citation}, "
                    f"{entry.figure}")
        row = {
            "model": entry.label, "key": entry.key, "preset": preset.name, "figure": entry.figure,
            "g_params": model.generator.count_params(), "d_params": model.discriminator.count_params(),
            "steps": budget.steps,
            "epochs": round(budget.steps / steps_per_epoch, 2) if steps_per_epoch else "",
            "ms_per_step": 1000 * budget.seconds_per_step, "first_step_s": budget.first_step_seconds,
            "train_s": budget.train_seconds,
            "final_d_loss": _final(history.get("d_loss", [])), "final_g_loss": _final(history.get("g_loss", [])),
            "stopped": stopped, "losses": history,
        }
        if scorer is not None:
            row["fid"] = scorer(eval_images) if "NaN" not in stopped else float("nan")
        rows.append(row)
        if print_every is not None:
            print(f"tfgans: {entry.label}: {row['steps']} steps, {_fmt(row['ms_per_step'], 1)} ms/step, "
                  f"d_loss {_fmt(row['final_d_loss'])}, g_loss {_fmt(row['final_g_loss'])}"
                  + (f", FID {_fmt(row['fid'], 1)}" if "fid" in row else ""), flush=True)
        del model
        keras.backend.clear_session()

    real = data_lib.load_images(presets_lib.get(entries[0].preset).dataset, split="test", data_dir=data_dir,
                                num_examples=num_samples)
    side_by_side([("MNIST test (real)", real)] + panels, os.path.join(out, "samples.png"))
    budget_text = f"{budget_seconds / 60:g} min" if budget_seconds else "no time limit"
    header = (f"# {spec.citation}: architecture comparison\n\n"
              f"Each model trained for {budget_text} of wall-clock time after its first (tracing) step"
              f"{f', at most {max_steps} steps' if max_steps else ''}; batch {batch_size or 'per preset'}, "
              f"split {split!r}, seed {seed}. ms/step: mean over the steps after the first. Final losses: mean "
              f"of the last 50 steps. Report's {spec.samples_figure} ranking: {', '.join(spec.report_ranking)}."
              + ("" if scorer is not None else f" No FID: {no_fid_reason.split(' (')[0]}."))
    md_path, _ = _write_tables(rows, out, header, with_fid=scorer is not None)
    settings = {"study": study, "budget_seconds": budget_seconds, "max_steps": max_steps, "batch_size": batch_size,
                "seed": seed, "split": split, "eval_samples": eval_samples, "cpu_count": os.cpu_count()}
    with open(os.path.join(out, "comparison.json"), "w") as f:
        json.dump({"settings": settings, "rows": [{k: v for k, v in r.items() if k != "losses"} for r in rows]},
                  f, indent=2, default=float)
    if print_every is not None:
        with open(md_path) as f:
            print(f.read())
    return rows


def _steps_per_epoch(ds) -> Optional[int]:
    n = int(ds.cardinality())
    return n if n > 0 else None


def _write_losses(history: Dict[str, Sequence[float]], path: str):
    names = list(history)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["step"] + names)
        for i, values in enumerate(zip(*(history[n] for n in names))):
            writer.writerow([i + 1] + [f"{v:.6g}" for v in values])


# --- CLI --------------------------------------------------------------------------------------------------------


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Adds ``tfgans compare`` to the ``tfgans`` command's subparsers."""
    p = subparsers.add_parser(
        "compare", help="train a report's architectures for the same wall-clock budget and compare them",
        description=__doc__.split("\n\n")[0])
    p.add_argument("--study", default="kapoor", choices=sorted(STUDIES), help="which report's study (kapoor)")
    p.add_argument("--budget-minutes", type=float, help="training minutes per model (after its first step)")
    p.add_argument("--out", required=True, help="output folder: loss plots, samples.png, comparison.md/.csv")
    p.add_argument("--data-dir", help="tensorflow-datasets directory (default: $TFDS_DATA_DIR)")
    p.add_argument("--steps", type=int, help="cap the steps per model (quick runs)")
    p.add_argument("--batch-size", type=int, help="global batch size (default: the report's 256)")
    p.add_argument("--split", default="train", help="training split, e.g. 'train[:10%%]' (default: train)")
    p.add_argument("--models", help="comma-separated subset of the study's models (kapoor: linear,dcgan,"
                                    "lstm,dcgan-pool)")
    p.add_argument("--seed", type=int, default=0, help="seed of weights, latents and shuffling")
    p.add_argument("--num-samples", type=int, default=64, help="images per model in samples.png")
    p.add_argument("--eval-samples", type=int, default=1000,
                   help="images per model saved for evaluation and behind the FID column")
    p.add_argument("--no-fid", action="store_true", help="skip the FID column even if tfgans.evaluation can")
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    """Runs ``tfgans compare``; returns the exit code (2 when matplotlib is missing)."""
    budget = args.budget_minutes * 60 if args.budget_minutes is not None else None
    models = [m.strip() for m in args.models.split(",") if m.strip()] if args.models else None
    for name in ("num_samples", "eval_samples"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}.")
    try:
        compare(args.study, out=args.out, budget_seconds=budget, data_dir=args.data_dir,
                batch_size=args.batch_size, max_steps=args.steps, seed=args.seed, split=args.split,
                num_samples=args.num_samples, eval_samples=args.eval_samples, fid=not args.no_fid,
                models=models)
    except MissingDependencyError as e:
        print(f"tfgans: error: {e}", file=sys.stderr)
        return 2
    return 0
