"""Judging helpers the report modules share: thresholds on FID, values at an epoch, loss patterns.

A judge reads a report's records (``{entry key: ModelResult}``) and returns a :class:`~tfgans.reports.Verdict`;
:func:`judge` turns a :class:`NotRecorded` (an evaluation missing at the epoch a claim needs) into
"cannot tell", naming what is missing. The registry (:func:`tfgans.reports.decide`) calls judges only once
every model reached the claim's length.
"""

from __future__ import annotations

import functools
import math
from typing import Callable, Dict, List, Mapping, Sequence, Tuple

import numpy as np

from tfgans.reports import CANNOT_TELL, DOES_NOT_HOLD, HOLDS, ModelResult, Verdict

__all__ = ["GOOD_FID", "FAIR_FID", "DIFFERENT", "BLOW_UP", "NotRecorded", "judge", "row_at", "value_at",
           "ms_per_step", "timed_verdict", "epoch_values", "step_values", "fid_level", "fid_falls", "fid_lower",
           "opposite_moves", "blow_ups", "stopped_by_nan", "fid_at"]

#: FID (tfgans' MNIST classifier, 10,000 samples) at or below which MNIST samples count as "good": the
#: level where grids show clean digits of every class (real train vs test: 0.5; the shipped dcgan-mnist-fast,
#: clean digits: 10.2; the shipped dcgan-mnist-sun after 5 of its 100 epochs, fragmented strokes: 197.9).
GOOD_FID = 20.0
#: ... and "recognisable, up to an extent": the shipped chakkarwar generators' grids (DCGAN 80.1, GAN 85.9) show
#: mostly recognisable digits with ragged strokes; linear-mnist-kapoor's at 145.5 are noisy and partly illegible.
FAIR_FID = 90.0
#: Two FIDs differ when one is at least this factor above the other (a run "improved" when its FID fell by a
#: fifth). Consecutive evaluations of a still-improving run wobble by up to 1.12x in tfgans' records (chakkarwar
#: GAN: 130.5 -> 146.2, 40.8 -> 45.5); grids 1.07x apart look alike (the shipped chakkarwar DCGAN and GAN, 80.1
#: and 85.9), grids 1.8x apart do not (80.1 against linear-kapoor's 145.5). Losses use the same factor for
#: "the same level".
DIFFERENT = 1.25
#: An evaluation "blows up" when its FID is more than this factor above the best FID before it: far beyond the
#: 1.12x wobble of a healthy run, a jump that means the samples fell back, not noise.
BLOW_UP = 2.0


class NotRecorded(Exception):
    """What a judge needs is not in the record (no evaluation at the epoch, no per-step losses)."""


def judge(fn: Callable[[Mapping[str, ModelResult]], Verdict]) -> Callable[[Mapping[str, ModelResult]], Verdict]:
    """A judge that answers CANNOT_TELL, naming what is missing, when the record lacks what it needs."""

    @functools.wraps(fn)
    def wrapped(results):
        try:
            return fn(results)
        except NotRecorded as e:
            return Verdict(CANNOT_TELL, str(e))

    return wrapped


def row_at(result: ModelResult, epochs: float) -> Dict[str, float]:
    """The record row that ends pass ``epochs``: the row at that epoch, or for a run in chunks of steps the chunk
    that completes the pass (less than a chunk past it), where the run is evaluated for ``Entry.eval_epochs``."""
    if result.epochs:
        # A record carried over from an earlier version may start late: the passes of the fit epochs before its
        # first row are not in it, and that row is not theirs.
        first = result.epochs[0]
        start = first["epochs"] * (first.get("epoch", 1) - 1) / max(first.get("epoch", 1), 1)
        if start >= epochs - 1e-3:
            raise NotRecorded(f"{result.entry.label}'s record starts at epoch {first['epochs']:g} (its earlier rows "
                              f"were not kept): it has no row for epoch {epochs:g}")
    for row in result.epochs:
        if row["epochs"] >= epochs - 1e-3:
            return row
    raise NotRecorded(f"{result.entry.label} has trained {result.epochs_done:g} of {epochs:g} epochs")


def value_at(result: ModelResult, epochs: float, metric: str = "fid") -> float:
    """``metric`` at ``epochs`` (on :func:`row_at`'s row)."""
    try:
        row = row_at(result, epochs)
        if row.get(metric) is not None:
            return row[metric]
        missing = f"{result.entry.label} has no {metric} at epoch {row['epochs']:g}"
    except NotRecorded as e:
        missing = str(e)
    earlier = [r for r in result.until(epochs) if r.get(metric) is not None]
    last = f" (last: {earlier[-1][metric]:.4g} at epoch {earlier[-1]['epochs']:g})" if earlier else ""
    raise NotRecorded(f"{missing}; the claim needs its {metric} at epoch {epochs:g}{last}")


def ms_per_step(result: ModelResult, epochs: float) -> float:
    """CPU milliseconds per generator step over the first ``epochs`` (the record's ``cpu_minutes`` / ``step``)."""
    row = row_at(result, epochs)
    if "cpu_minutes" not in row or not row["step"]:
        raise NotRecorded(f"{result.entry.label} has no CPU time recorded")
    return 60000.0 * row["cpu_minutes"] / row["step"]


def timed_verdict(results: Dict[str, ModelResult], keys, holds: bool, evidence: str) -> Verdict:
    """The verdict of a claim that compares the CPU times of ``keys``: decided only when they were all timed in one
    precision on one machine, as their records name it; else "cannot tell", naming where each was timed (a ratio
    across machines or precisions says little about the nets)."""
    where = {key: results[key].where for key in keys}
    if len(set(where.values())) == 1 and results[keys[0]].progress.get("machines"):
        return Verdict(HOLDS if holds else DOES_NOT_HOLD, evidence)
    return Verdict(CANNOT_TELL, evidence + "; timed apart, so not compared: "
                   + ", ".join(f"{results[k].entry.label} {w}" for k, w in where.items()))


def epoch_values(result: ModelResult, metric: str, epochs: float) -> np.ndarray:
    """The epoch means of ``metric`` up to ``epochs``."""
    rows = result.until(epochs)
    if not rows or any(metric not in r for r in rows):
        raise NotRecorded(f"{result.entry.label} has no epoch means of {metric} by epoch {epochs:g}")
    return np.array([r[metric] for r in rows], float)


def step_values(result: ModelResult, metric: str, last_step: int) -> np.ndarray:
    """The per-step values of ``metric`` for steps 1..``last_step``."""
    values = result.steps.get(metric)
    values = [] if values is None else values
    if len(values) < last_step:
        raise NotRecorded(f"{result.entry.label} has {len(values)} steps of {metric} recorded, {last_step} needed")
    return np.asarray(values[:last_step], float)


def fid_at(results, key: str, epochs: float) -> float:
    """The FID of model ``key`` at ``epochs`` (:func:`value_at`)."""
    return value_at(results[key], epochs, "fid")


def _name(results, key: str, epochs: float) -> str:
    return f"{results[key].entry.label} {fid_at(results, key, epochs):.1f} at epoch {epochs:g}"


def fid_level(at: Mapping[str, float], limit: float, below: bool = True):
    """A judge: every model's FID at its length is at most ``limit`` (``below``), or above it (not ``below``)."""

    @judge
    def level(results):
        fids = {key: fid_at(results, key, epochs) for key, epochs in at.items()}
        ok = all((fid <= limit) == below for fid in fids.values())
        evidence = "FID " + ", ".join(_name(results, k, e) for k, e in at.items()) + f" (limit {limit:g})"
        return Verdict(HOLDS if ok else DOES_NOT_HOLD, evidence)

    return level


def fid_falls(key: str, start: float, end: float, falls: bool = True):
    """A judge: the FID falls by the factor :data:`DIFFERENT` from ``start`` to ``end`` (or, not ``falls``, it
    does not)."""

    @judge
    def change(results):
        before, after = fid_at(results, key, start), fid_at(results, key, end)
        fell = after * DIFFERENT <= before
        evidence = (f"{results[key].entry.label} FID {before:.1f} at epoch {start:g}, {after:.1f} at epoch {end:g} "
                    f"(x{before / after:.2f}; a fall counts from x{DIFFERENT:g})")
        return Verdict(HOLDS if fell == falls else DOES_NOT_HOLD, evidence)

    return change


def fid_lower(better: Tuple[str, float], worse: Tuple[str, float]):
    """A judge: the first model's FID at its length is below the second's at its, by the factor
    :data:`DIFFERENT`."""

    @judge
    def lower(results):
        a, b = fid_at(results, *better), fid_at(results, *worse)
        evidence = f"FID {_name(results, *better)}, {_name(results, *worse)} (x{b / a:.2f}; better from x{DIFFERENT:g})"
        return Verdict(HOLDS if a * DIFFERENT <= b else DOES_NOT_HOLD, evidence)

    return lower


def opposite_moves(at: Mapping[str, float]):
    """A judge: in each model, the epoch-to-epoch changes of the epoch means of ``d_loss`` and ``g_loss`` are
    negatively correlated, by at least two standard errors of the correlation of unrelated series (1/sqrt(n))."""

    @judge
    def moves(results):
        parts, ok = [], True
        for key, epochs in at.items():
            d = np.diff(epoch_values(results[key], "d_loss", epochs))
            g = np.diff(epoch_values(results[key], "g_loss", epochs))
            if len(d) < 3 or not d.std() or not g.std():
                raise NotRecorded(f"{results[key].entry.label}: too few (or constant) epoch means to correlate")
            r, bound = float(np.corrcoef(d, g)[0, 1]), -2.0 / math.sqrt(len(d))
            ok &= r <= bound
            parts.append(f"{results[key].entry.label} r = {r:+.2f} over {len(d)} changes (needs <= {bound:+.2f})")
        return Verdict(HOLDS if ok else DOES_NOT_HOLD, "; ".join(parts))

    return moves


def blow_ups(rows: Sequence[Dict[str, float]], metric: str = "fid") -> List[str]:
    """The evaluations among ``rows`` whose FID is more than :data:`BLOW_UP` times the best FID before it."""
    found, best = [], math.inf
    for row in rows:
        if row.get(metric) is None:
            continue
        if row[metric] > BLOW_UP * best:
            found.append(f"{row[metric]:.1f} at epoch {row['epochs']:g} after {best:.1f}")
        best = min(best, row[metric])
    return found


def stopped_by_nan(result: ModelResult) -> bool:
    """Whether the run stopped on a NaN loss, or recorded a non-finite epoch mean."""
    losses = [v for row in result.epochs for k, v in row.items() if "loss" in k]
    return result.progress.get("stopped_by") == "nan" or not all(math.isfinite(v) for v in losses)


