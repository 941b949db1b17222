"""The semi-supervised experiment of Salimans et al. 2016 (arXiv:1606.03498), Table of test errors by labels.

    tfgans semisup --dataset mnist --num-labeled 100 --seeds 3 --epochs 300 --data-dir ../shared/tfds
    tfgans semisup --dataset mnist --table --seeds 3 --epochs 300 --data-dir ../shared/tfds
    tfgans semisup --dataset mnist --seeds 3 --data-dir ../shared/tfds --out runs/semisup   # resumable
    tfgans semisup --dataset cifar10 --table --seeds 3 --data-dir DIR   # a GPU and prepared CIFAR-10

With ``--out`` every (labels, seed) run keeps checkpoints, its per-epoch curve (``curve.csv``: test errors
with and without the parameter average, losses, seconds), a sample grid per epoch (``samples/``),
TensorBoard logs (``logs/``) and ``result.json``; the same command run again
continues unfinished runs and reuses finished ones, so a 300-epoch table can span several sessions.

Each seed picks its own balanced labeled subset (``tfgans.data.select_labeled``) and its own weights, trains
the preset ``semisup-<dataset>-salimans`` (the reference code's nets and settings), and is tested on the whole
test split with the moving average of the discriminator's parameters. The command prints each seed's test
errors, then one row per number of labels in the form of the reproduction report (Daw et al., seed 003):
the paper's figure, the report's, and this run's mean +- sample standard deviation over seeds.
"""

from __future__ import annotations

import json
import os
import time
from typing import Dict, List, Optional

import numpy as np
import keras

from tfgans import callbacks, presets, runs
from tfgans import data as data_lib

__all__ = ["PAPER", "REPRODUCTION", "TABLE_LABELS", "run_seed", "read_curve", "run"]

#: Salimans et al. 2016 (Tables 1 and 2): MNIST test errors out of 10,000; CIFAR-10 test error in percent.
PAPER = {
    "mnist": {20: (1677, 452), 50: (221, 136), 100: (93, 6.5), 200: (90, 4.2)},
    "cifar10": {1000: (21.83, 2.1), 2000: (19.61, 2.09), 4000: (18.63, 2.32)},
}
#: The reproduction report (Daw, Elhamod & More, seed 003), 3 seeds, PyTorch ports of the reference code.
REPRODUCTION = {
    "mnist": {20: (1952, 226.7), 50: (569, 11.1), 100: (433, 7.9), 200: (398, 13.9)},
    "cifar10": {1000: (26.3, 3.5), 2000: (23.2, 2.8), 4000: (21.3, 2.95)},
}
TABLE_LABELS = {name: sorted(rows) for name, rows in PAPER.items()}
_PRESETS = {"mnist": "semisup-mnist-salimans", "cifar10": "semisup-cifar10-salimans"}


def run_seed(dataset: str, num_labeled: int, seed: int, *, epochs: Optional[int] = None,
             data_dir: Optional[str] = None, batch_size: Optional[int] = None,
             steps_per_epoch: Optional[int] = None, download: bool = False, verbose: int = 0,
             out_dir: Optional[str] = None) -> Dict:
    """Trains and tests one seed of the semi-supervised GAN.

    Args:
        dataset: ``mnist`` or ``cifar10``.
        num_labeled: labeled examples (balanced over the 10 classes).
        seed: seeds the labeled subset, the weights, the latent draws and the shuffles.
        epochs: default the preset's (MNIST 300, CIFAR-10 1200).
        steps_per_epoch: cap the steps of each epoch (quick runs); the test is still the whole split.
        out_dir: makes the run resumable: a checkpoint after every epoch (nets, optimizers, the parameter
            average), the per-epoch curve in ``curve.csv``, sample grids in ``samples/``, TensorBoard logs
            in ``logs/`` and the result in ``result.json``. Called again
            with the same folder, it continues an interrupted run, or returns the finished one's result.

    Returns:
        ``{"errors", "accuracy", "epochs", "seconds", "curve"}``: the final test errors (with the averaged
        parameters) and per epoch ``{"epoch", "errors", "raw_errors", "accuracy", "loss_lab", ...}``;
        ``seconds`` is the training time of all epochs (all sessions of a resumed run).
    """
    preset = presets.get(_PRESETS[dataset])
    epochs = epochs or preset.epochs
    batch_size = batch_size or preset.batch_size
    settings = {"dataset": dataset, "num_labeled": num_labeled, "seed": seed, "epochs": epochs,
                "batch_size": batch_size, "steps_per_epoch": steps_per_epoch}
    callbacks = [_EpochTimer()]
    if out_dir:
        done = _check_run_dir(out_dir, settings)
        if done is not None:
            return done
        callbacks += _resume_callbacks(out_dir, preset, seed)
    keras.utils.set_random_seed(seed)
    train = preset.load_data(data_dir, batch_size=batch_size, num_labeled=num_labeled, seed=seed,
                             download=download)
    steps = steps_per_epoch or int(train.cardinality())
    if steps_per_epoch:
        train = train.repeat()
    test = preset.load_test(data_dir, batch_size=batch_size, download=download)
    model = preset.build(seed=seed, epochs=epochs, steps_per_epoch=steps)
    history = model.fit(train, epochs=epochs, steps_per_epoch=steps_per_epoch, validation_data=test,
                        verbose=verbose, callbacks=callbacks)
    if out_dir:
        curve = read_curve(out_dir)
    else:
        logs = history.history
        curve = [{"epoch": i + 1, **{key.replace("val_", ""): float(values[i]) for key, values in logs.items()}}
                 for i in range(len(logs["val_errors"]))]
    final = curve[-1]
    result = {"errors": int(round(final["errors"])), "accuracy": final["accuracy"], "epochs": epochs,
              "seconds": float(sum(row.get("seconds", 0.0) for row in curve)), "curve": curve}
    if out_dir:
        runs.write_json(os.path.join(out_dir, "result.json"), {"settings": settings, **result})
    return result


class _EpochTimer(keras.callbacks.Callback):
    """Adds each epoch's training time (seconds, the test excluded) to the logs the curve records."""

    def on_epoch_begin(self, epoch, logs=None):
        self._start, self._seconds = time.time(), None

    def on_test_begin(self, logs=None):
        if self._seconds is None:
            self._seconds = time.time() - self._start

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["seconds"] = self._seconds if self._seconds is not None else time.time() - self._start


def _check_run_dir(out_dir: str, settings: Dict) -> Optional[Dict]:
    """The finished result in ``out_dir``, None to (re)start; refuses a folder of other settings."""
    os.makedirs(out_dir, exist_ok=True)
    runs.check_settings(out_dir, settings, record="settings.json",
                        hint="Use another --out folder or repeat the original settings to resume.")
    done = runs.read_json(os.path.join(out_dir, "result.json"))
    if done is not None:
        done.pop("settings", None)
    return done


def _resume_callbacks(out_dir: str, preset, seed: int):
    # The curve last: it records the test errors Keras adds to the epoch's logs.
    return callbacks.run_callbacks(out_dir, seed=seed, value_range=data_lib.VALUE_RANGES[preset.value_range]) + [
        callbacks.CurveLogger(os.path.join(out_dir, "curve.csv"))]


def read_curve(run_dir: str) -> List[Dict]:
    """The per-epoch record of a ``run_seed(..., out_dir=run_dir)`` run, finished or not, one dict per epoch:
    ``epoch`` (from 1), ``errors`` and ``raw_errors`` (test errors with and without the parameter average),
    ``accuracy``, the losses, ``train_err`` and ``seconds``."""
    import csv

    path = os.path.join(run_dir, "curve.csv")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{run_dir!r} holds no curve.csv: not a `tfgans semisup --out` run folder, or "
                                "no epoch has finished yet.")
    with open(path) as f:
        rows = [{k.replace("val_", ""): float(v) for k, v in row.items() if v not in ("", None)}
                for row in csv.DictReader(f)]
    by_epoch = {}
    for row in rows:  # an interrupted epoch may be logged again after a resume: keep the last
        row["epoch"] = int(row["epoch"]) + 1  # CurveLogger counts from 0, as Keras' CSVLogger
        by_epoch[row["epoch"]] = row
    return [by_epoch[e] for e in sorted(by_epoch)]


def _fmt(mean, std, percent):
    return f"{mean:.2f} ± {std:.2f}" if percent else f"{mean:.0f} ± {std:.1f}"


def _published(mean, std):
    return f"{mean:g} ± {std:g}"  # as printed in the paper and the report


def format_row(dataset: str, num_labeled: int, results: List[Dict]) -> str:
    """One table row: labels | paper | the report's reproduction | this run (mean ± sample std over seeds).

    MNIST rows count test errors (out of 10,000), CIFAR-10 rows give the error rate in percent, as the paper.
    """
    percent = dataset != "mnist"
    values = np.asarray([100.0 * (1.0 - r["accuracy"]) if percent else r["errors"] for r in results], float)
    std = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    cells = [str(num_labeled)]
    for source in (PAPER, REPRODUCTION):
        cells.append(_published(*source[dataset][num_labeled]) if num_labeled in source[dataset] else "-")
    cells.append(_fmt(float(np.mean(values)), std, percent))
    return "| " + " | ".join(cells) + " |"


def run(args) -> int:
    """Runs the rows asked for; prints per-seed errors and the table; returns 0."""
    if args.seeds < 1:
        raise ValueError(f"--seeds must be at least 1, got {args.seeds}.")
    if args.epochs is not None and args.epochs < 1:
        raise ValueError(f"--epochs must be at least 1, got {args.epochs}.")
    if args.table and args.num_labeled is not None:
        raise ValueError("--table runs every row of the paper's table; drop --num-labeled, or drop --table.")
    if getattr(args, "restart", False):
        if not args.out:
            raise ValueError("--restart starts the runs in --out over; pass --out.")
        moved = runs.move_aside(args.out)
        if moved:
            print(f"tfgans semisup: --restart: moved the earlier runs in {args.out} to {moved}")
    preset = presets.get(_PRESETS[args.dataset])
    rows = TABLE_LABELS[args.dataset] if args.table else [args.num_labeled or preset.num_labeled]
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    results, lines = {}, []
    for num_labeled in rows:
        row = []
        for seed in seeds:
            out_dir = os.path.join(args.out, f"{args.dataset}_{num_labeled}labels_seed{seed}") if args.out else None
            r = run_seed(args.dataset, num_labeled, seed, epochs=args.epochs, data_dir=args.data_dir,
                         batch_size=args.batch_size, steps_per_epoch=args.steps_per_epoch,
                         download=args.download, verbose=args.verbose, out_dir=out_dir)
            row.append(r)
            results.setdefault(str(num_labeled), []).append({"seed": seed, **r})
            print(f"{args.dataset}, {num_labeled} labels, seed {seed}: {r['errors']} test errors "
                  f"({100 * (1 - r['accuracy']):.2f}%) after {r['epochs']} epochs, {r['seconds']:.0f} s",
                  flush=True)
        lines.append(format_row(args.dataset, num_labeled, row))
    unit = "test errors / 10000" if args.dataset == "mnist" else "test error %"
    epochs = args.epochs or preset.epochs
    print()
    print(f"| labeled examples ({args.dataset}) | paper: {unit} | Daw et al. reproduction | "
          f"tfgans ({epochs} epochs, {len(seeds)} seed{'s' if len(seeds) > 1 else ''}) |")
    print("|---|---|---|---|")
    for line in lines:
        print(line)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"dataset": args.dataset, "epochs": epochs, "results": results}, f, indent=1)
    return 0
