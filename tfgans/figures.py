"""A report's figures and ``report.md``: loss curves, scores over time, grids over training, verdicts.

Figures use matplotlib's object API (no pyplot), so they never touch an interactive session's backend.
"""

from __future__ import annotations

import math
import os
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from tfgans import files, runs
from tfgans.reports import ModelResult, Report, decide

__all__ = ["MissingDependencyError", "check_dependencies", "figure", "save_figure", "plot_losses", "plot_scores",
           "side_by_side", "write_report", "DATASET_TITLES"]

DATASET_TITLES = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST", "cifar10": "CIFAR-10",
                  "svhn_cropped": "SVHN"}
_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")


class MissingDependencyError(ImportError):
    """An optional package the figures need (matplotlib) is not installed."""


def check_dependencies():
    """Raises :class:`MissingDependencyError` when matplotlib is missing (call before training)."""
    _figure()


def _figure():
    try:
        from matplotlib.figure import Figure
    except ImportError as e:
        raise MissingDependencyError(
            "tfgans draws its report figures with matplotlib, which is not installed. Install it with "
            "`pip install matplotlib` (or `pip install tfgans-reports[dev]`)."
        ) from e
    return Figure


def _smooth(values: np.ndarray, window: int) -> np.ndarray:
    if window <= 1 or len(values) < window:
        return values
    return np.convolve(values, np.ones(window) / window, mode="valid")


def figure(**kwargs):
    """A matplotlib ``Figure`` (object API: no pyplot, no interactive backend touched)."""
    return _figure()(**kwargs)


def save_figure(fig, path: str) -> str:
    """Saves ``fig`` as a PNG at ``path`` atomically (a temporary name no reader's ``*.png`` matches)."""
    fig.tight_layout()
    with files.atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=100, format="png")
    return path


def _smooth(values: np.ndarray, window: int) -> np.ndarray:
    if window <= 1 or len(values) < window:
        return values
    return np.convolve(values, np.ones(window) / window, mode="valid")


def plot_losses(history: Mapping[str, Sequence[float]], path: str, title: str,
                names: Optional[Sequence[str]] = None) -> str:
    """Plots each loss of ``history`` against the step, raw (faint) and smoothed, like a report's loss figures.

    Raises:
        MissingDependencyError: matplotlib is not installed.
    """
    Figure = _figure()
    fig = Figure(figsize=(6.4, 3.6))
    ax = fig.add_subplot()
    labels = {"d_loss": "discriminator loss", "g_loss": "generator loss"}
    names = [n for n in (names or history) if n in history]
    for name, color in zip(names, _COLORS):
        values = np.asarray(history[name], dtype=np.float64)
        steps = np.arange(1, len(values) + 1)
        window = max(1, len(values) // 50)
        ax.plot(steps, values, color=color, alpha=0.3, linewidth=0.8)
        smooth = _smooth(values, window)
        ax.plot(steps[len(steps) - len(smooth):], smooth, color=color, linewidth=1.6, label=labels.get(name, name))
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend()
    return save_figure(fig, path)


def plot_scores(results: Mapping[str, ModelResult], path: str, title: str, metric: str = "fid") -> Optional[str]:
    """Plots ``metric`` of every model against training minutes and against epochs (two panels).

    Returns None (and writes nothing) when no model was evaluated.
    """
    if not any(r.evaluations(metric) for r in results.values()):
        return None
    Figure = _figure()
    fig = Figure(figsize=(9.6, 3.6))
    axes = fig.subplots(1, 2)
    for (key, result), color in zip(results.items(), _COLORS):
        rows = result.evaluations(metric)
        values = [r[metric] for r in rows]
        for ax, x in zip(axes, ("train_minutes", "epochs")):
            ax.plot([r[x] for r in rows], values, "o-", color=color, markersize=3, label=result.entry.label)
    label = {"fid": "FID (lower is better)", "is": "classifier score", "kid": "KID",
             "errors": "test errors / 10,000"}.get(metric, metric)
    for ax, x in zip(axes, ("training minutes", "epochs")):
        ax.set_xlabel(x)
        ax.set_ylabel(label)
        if metric in ("fid", "kid", "errors"):
            ax.set_yscale("log")
        ax.grid(alpha=0.3, which="both")
        ax.legend()
    fig.suptitle(title, fontsize=10)
    return save_figure(fig, path)


def side_by_side(panels: Sequence[Tuple[str, np.ndarray]], path: str, ncols: int = 8, scale: int = 2,
                 gap: int = 12) -> str:
    """One PNG of titled panels side by side: each a uint8 batch ``[N, H, W, C]`` (tiled ``ncols`` wide) or
    an already tiled grid ``[H, W, C]`` (e.g. a saved epoch grid)."""
    from PIL import Image, ImageDraw, ImageFont

    from tfgans.images import make_grid

    grids = []
    for title, images in panels:
        images = np.asarray(images)
        grid = make_grid(images, ncols=ncols) if images.ndim == 4 else images
        image = Image.fromarray(grid[..., 0] if grid.ndim == 3 and grid.shape[-1] == 1 else grid)
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


def _epoch_grids(run_dir: str, count: int = 4) -> List[Tuple[int, str]]:
    folder = os.path.join(run_dir, "samples")
    if not os.path.isdir(folder):
        return []
    files = sorted(f for f in os.listdir(folder) if f.startswith("epoch_") and f.endswith(".png"))
    if len(files) > count:
        picks = np.unique(np.linspace(0, len(files) - 1, count).round().astype(int))
        files = [files[i] for i in picks]
    return [(int(f[6:10]), os.path.join(folder, f)) for f in files]


def _read_png(path: str) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        array = np.asarray(image)
    return array[..., None] if array.ndim == 2 else array


def _fmt(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _mean_last(values: Sequence[float], n: int = 50) -> Optional[float]:
    tail = np.asarray(values[-n:], dtype=np.float64)
    return float(tail.mean()) if tail.size else None


def _loss_names(steps: Mapping[str, Sequence[float]]) -> List[str]:
    names = [n for n in ("d_loss", "g_loss") if n in steps]
    return names or [n for n in steps if n.startswith("loss")] or list(steps)


def write_report(report: Report, out: str, results: Mapping[str, ModelResult], *, settings: Dict, command: str,
                 no_eval: str = "", data_dir: Optional[str] = None) -> str:
    """Writes the report's figures and ``report.md`` into ``out``; returns the path of ``report.md``.

    The verdicts come from :func:`tfgans.reports.decide` (a claim below its training length reads "cannot
    tell"); ``verdicts.json`` holds them with the lengths each model reached.
    """
    from tfgans import data as data_lib
    from tfgans import presets

    dataset = data_lib.dataset_info(settings.get("dataset") or report.datasets[0]).name
    folders = {e.key: os.path.join(out, e.folder or e.key) for e in report.entries}
    figures: List[Tuple[str, str]] = []
    for key, result in results.items():
        if result.steps:
            names = _loss_names(result.steps)
            path = plot_losses(result.steps, os.path.join(out, f"{key}_loss.png"),
                               f"{result.entry.label} ({result.entry.preset}), {len(result.steps[names[0]])} "
                               f"steps\ncf. {report.authors.split(',')[0]} et al., {result.entry.loss_figures}",
                               names=names)
            figures.append((f"{result.entry.label}: losses per step (cf. {result.entry.loss_figures})", path))
        grids = _epoch_grids(folders[key])
        if grids:
            path = side_by_side([(f"epoch {epoch}", _read_png(p)) for epoch, p in grids],
                                os.path.join(out, f"{key}_grids.png"), scale=1)
            figures.append((f"{result.entry.label}: fixed latents over training (cf. {result.entry.grid_figures})",
                            path))
    title = f"{report.title}: {', '.join(r.entry.label for r in results.values())}"
    for metric in report.scores:
        path = plot_scores(results, os.path.join(out, f"{metric}.png"), title, metric)
        if path:
            name = {"fid": "FID", "is": "classifier score", "errors": "test errors"}.get(metric, metric)
            figures.append((f"{name} over training", path))
    panels = []
    try:
        real = data_lib.load_images(dataset, split="test", data_dir=data_dir, num_examples=64)
        panels.append((f"{DATASET_TITLES.get(dataset, dataset)} test (real)", real))
    except (OSError, ValueError):
        pass
    for key, result in results.items():
        final = os.path.join(folders[key], "final.png")
        if os.path.isfile(final):
            panels.append((result.entry.label, _read_png(final)))
    if len(panels) > 1:
        figures.append(("samples side by side (fixed latents)",
                        side_by_side(panels, os.path.join(out, "samples.png"))))

    verdicts = [(claim, decide(claim, results)) for claim in report.claims]
    budget = settings.get("budget_minutes")
    length = (f"Training: each model capped at {budget:g} {settings.get('clock', 'wall')}-clock minutes (the "
              "first, tracing step and the evaluations not counted)" if budget
              else "Training: each model to the report's length (its preset's epochs)")
    import tensorflow as tf

    precisions = {k: r.precision for k, r in results.items()}
    precision = (next(iter(precisions.values()), "float32") if len(set(precisions.values())) <= 1
                 else ", ".join(f"{results[k].entry.label} {p}" for k, p in precisions.items()))
    lines = [f"# {report.title}", "", f"{report.authors} ({report.source}). tfgans reproduces: {report.reproduces}",
             "", f"Command: `{command}`", "",
             length + f", seed {settings['seed']}"
             + (", quick mode (a slice of the data, at most 2 epochs)" if settings.get("quick") else "") + ". "
             + (f"Scores: FID, KID and classifier score of {settings['eval_samples']} generated images against "
                f"as many {dataset} test images, with tfgans' {dataset} feature extractor."
                if report.evaluates and not no_eval else f"No scores: {no_eval}." if no_eval else ""),
             "", f"Machine: {_machines(results)}; precision {precision}; report written with TensorFlow "
             f"{tf.__version__}.", ""]
    if report.summary is not None:
        lines += report.summary(results) + [""]
    lines += ["## Verdicts", "", "| claim | where | verdict | evidence |", "|---|---|---|---|"]
    for claim, verdict in verdicts:
        lines.append(f"| {claim.text} | {claim.where} | **{verdict.status}** | {verdict.evidence} |")
    lines += ["", "How each claim is judged, and at which length:", ""]
    for claim in report.claims:
        at = ", ".join(f"{k} {v:g} epochs" for k, v in claim.at.items())
        lines.append(f"- *{claim.key}*: {claim.criterion or claim.needs}"
                     + (f" (at {at}; {claim.length})" if at else ""))
    lines += ["", "## Models", "",
              "| model | preset | epochs | steps | train min | CPU min | ms/step | final losses "
              "| FID | KID | score | stopped by |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for key, result in results.items():
        last = result.epochs[-1] if result.epochs else {}
        steps = last.get("step", 0)
        ms = 60000 * result.train_minutes / max(steps - 1, 1) if steps else None
        losses = ", ".join(f"{n} {_fmt(_mean_last(result.steps[n]), 3)}" for n in _loss_names(result.steps)) or "-"
        lines.append(" | ".join([
            f"| {result.entry.label}", f"`{result.entry.preset}`", _fmt(result.epochs_done),
            str(steps), _fmt(result.train_minutes, 1), _fmt(last.get("cpu_minutes"), 1), _fmt(ms, 0), losses,
            _fmt(result.final("fid"), 1), _fmt(result.final("kid"), 4), _fmt(result.final("is"), 2),
            str(result.progress.get("stopped_by", "not finished")) + " |"]))
    lines += ["", "Final losses: mean of the last 50 steps. Presets: "
              + "; ".join(f"`{r.entry.preset}`: {presets.get(r.entry.preset).description}" for r in results.values())
              + "."]
    if report.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in report.notes]
    lines += ["", "## Figures", ""]
    lines += [f"![{caption}]({os.path.basename(path)})" for caption, path in figures]
    path = runs.write_text(os.path.join(out, "report.md"), "\n".join(lines) + "\n")
    runs.write_json(os.path.join(out, "verdicts.json"),
                    {claim.key: {"claim": claim.text, "where": claim.where, "verdict": v.status,
                                 "evidence": v.evidence, "at": dict(claim.at),
                                 "reached": {k: results[k].epochs_done for k in claim.at if k in results}}
                     for claim, v in verdicts})
    return path


def _machines(results: Mapping[str, ModelResult]) -> str:
    """The machines the runs trained on, as their records name them."""
    named = []
    for result in results.values():
        named += [m for m in result.progress.get("machines", []) if m not in named]
    return "; ".join(named) if named else "not recorded (runs of an earlier tfgans)"
