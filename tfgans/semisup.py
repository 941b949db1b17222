"""The semi-supervised experiment of Salimans et al. 2016 (arXiv:1606.03498), Table of test errors by labels.

    tfgans semisup --dataset mnist --num-labeled 100 --seeds 3 --epochs 300 --data-dir ../shared/tfds
    tfgans semisup --dataset mnist --table --seeds 3 --epochs 300 --data-dir ../shared/tfds
    tfgans semisup --dataset mnist --seeds 3 --data-dir ../shared/tfds --out runs/semisup   # resumable
    tfgans semisup --dataset cifar10 --table --seeds 3 --data-dir DIR   # a GPU and prepared CIFAR-10

With ``--out`` every (labels, seed) run is a run folder of ``tfgans.training``: checkpoints, its per-epoch
record (``epochs.csv``: test errors with and without the parameter average, losses, minutes), a sample grid
per epoch (``samples/``), TensorBoard logs (``logs/``) and the exported generator; the same command run again
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
from typing import Dict, List, Optional


from tfgans import presets, runs
from tfgans.reports.daw import TABLE_LABELS, format_row

__all__ = ["run_seed", "read_curve", "run"]



def run_seed(dataset: str, num_labeled: int, seed: int, *, epochs: Optional[int] = None,
             data_dir: Optional[str] = None, batch_size: Optional[int] = None,
             steps_per_epoch: Optional[int] = None, download: bool = False, verbose: int = 0,
             out_dir: Optional[str] = None) -> Dict:
    """Trains and tests one seed of the semi-supervised GAN through ``tfgans.training.train``.

    Args:
        dataset: ``mnist`` or ``cifar10``.
        num_labeled: labeled examples (balanced over the 10 classes).
        seed: seeds the labeled subset, the weights, the latent draws and the shuffles.
        epochs: default the preset's (MNIST 300, CIFAR-10 1200).
        steps_per_epoch: cap the steps of each epoch (quick runs); the test is still the whole split.
        out_dir: the run folder (``tfgans.training``'s: checkpoints, samples, logs, ``epochs.csv`` with each
            epoch's test errors); called again with the same folder, it continues an interrupted run, or
            returns the finished one's result. None: a temporary folder, removed after.

    Returns:
        ``{"errors", "accuracy", "epochs", "seconds", "curve"}``: the final test errors (with the averaged
        parameters) and per epoch ``{"epoch", "errors", "raw_errors", "accuracy", "loss_lab", ...,
        "seconds"}``; ``seconds`` is the training time of all epochs (all sessions of a resumed run).
    """
    import tempfile

    from tfgans import training

    preset = presets.get(presets.SEMISUP_PRESETS[dataset])
    with tempfile.TemporaryDirectory() as scratch:
        folder = out_dir or scratch
        _migrate_curve(folder)
        training.train(preset, folder, epochs=epochs, batch_size=batch_size, seed=seed, data_dir=data_dir,
                       download=download, num_labeled=num_labeled, steps_per_epoch=steps_per_epoch,
                       verbose=verbose, skip_finished=True)
        curve = read_curve(folder)
    final = curve[-1]
    return {"errors": int(round(final["errors"])), "accuracy": final["accuracy"], "epochs": final["epoch"],
            "seconds": float(sum(row.get("seconds", 0.0) for row in curve)), "curve": curve}


def read_curve(run_dir: str) -> List[Dict]:
    """The per-epoch record of a semi-supervised run folder, finished or not, one dict per epoch: ``epoch``
    (from 1), ``errors`` and ``raw_errors`` (test errors with and without the parameter average),
    ``accuracy``, the losses, ``train_err`` and ``seconds`` (that epoch's training seconds)."""
    from tfgans.record import read_record

    _migrate_curve(run_dir)
    rows = read_record(run_dir).epochs
    if not rows:
        raise FileNotFoundError(f"{run_dir!r} holds no epochs.csv: not a semi-supervised run folder, or no epoch "
                                "has finished yet.")
    curve, minutes = [], 0.0
    for row in rows:
        row = dict(row)
        row["seconds"] = 60.0 * (row["train_minutes"] - minutes)
        minutes = row["train_minutes"]
        curve.append(row)
    return curve


def _migrate_curve(run_dir: str):
    """Turns the ``curve.csv`` of a run folder of earlier versions (``tfgans semisup --out``) into the record of
    ``tfgans.record`` (``epochs.csv``), so that ``tfgans.training`` resumes it."""
    from tfgans.record import EPOCHS_FILE

    old = os.path.join(run_dir, "curve.csv")
    if not os.path.isfile(old) or os.path.isfile(os.path.join(run_dir, EPOCHS_FILE)):
        return
    settings = runs.read_json(os.path.join(run_dir, "settings.json")) or {}
    rows, by_epoch = runs.read_csv(old), {}
    for row in rows:  # an interrupted epoch may be logged again after a resume: keep the last
        by_epoch[int(row["epoch"]) + 1] = row  # CurveLogger counted from 0, as Keras' CSVLogger
    steps = settings.get("steps_per_epoch") or 0
    record, minutes = [], 0.0
    for epoch in sorted(by_epoch):
        values = {k.replace("val_", ""): float(v) for k, v in by_epoch[epoch].items() if k != "epoch" and v}
        minutes += values.pop("seconds", 0.0) / 60.0
        per_epoch = steps or 60000 // int(settings.get("batch_size") or 100)
        # Earlier versions did not record CPU time: left empty (unknown), the resumed run counts it from there on
        # (tfgans.reports.ModelResult.cpu_hours_for takes the rate of the epochs that have it).
        record.append({"epoch": epoch, "step": epoch * per_epoch, "epochs": epoch, "train_minutes": round(minutes, 4),
                       "cpu_minutes": None, **values})
    runs.write_csv(os.path.join(run_dir, EPOCHS_FILE), record)
    os.remove(old)


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
    preset = presets.get(presets.SEMISUP_PRESETS[args.dataset])
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
