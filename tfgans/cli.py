"""The ``tfgans`` command: it parses arguments and calls the library.

    tfgans presets
    tfgans train --preset dcgan-mnist-sun --epochs 5 --data-dir ../shared/tfds --out runs/x   # tfgans.training
    tfgans sample runs/x/generator --n 64 --out grid.png                                    # tfgans.export
    tfgans evaluate runs/x/generator --dataset mnist                                        # tfgans.evaluation
    tfgans reproduce sun --out runs/sun                                                     # tfgans.experiment
    tfgans semisup --dataset mnist --num-labeled 100 --out runs/semisup                      # tfgans.semisup

A bad argument, an unknown preset or dataset, missing offline data, a damaged or unwritable file end with one
``tfgans: error:`` line naming the problem and the fix, and exit code 2 (``--debug`` shows the traceback); a
NaN loss ends the run with exit code 3 and the last good checkpoint kept; Ctrl-C or SIGTERM with 130 after a
checkpoint.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import json
import os
import sys
from typing import Dict, List, Optional

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__all__ = ["main", "train"]



def lazy(target: str):
    """A subcommand function ``"module:function"`` imported when the subcommand runs, so that building the
    parser (``tfgans --help``) imports no TensorFlow."""
    module, name = target.split(":")

    def run(args):
        return getattr(importlib.import_module(module), name)(args)

    run.target = target
    return run


class UsageError(Exception):
    """A problem with what the user asked for; printed as one line, exit code 2."""


# --- presets ---------------------------------------------------------------------------------------------------

def _cmd_presets(args) -> int:
    from tfgans import presets

    print(presets.markdown_table() if args.markdown else presets.text_table(verbose=args.verbose))
    return 0


# --- train -----------------------------------------------------------------------------------------------------


def train(preset_name: str, out: str, **options):
    """``tfgans train``'s Python form: :func:`tfgans.training.train` (kept under this name for earlier code)."""
    from tfgans import training

    return training.train(preset_name, out, **options).model


def _check_positive(**values):
    """Refuses a given (not None) value that is not positive, naming its option, before anything is written."""
    for name, value in values.items():
        if value is not None and not value > 0:
            raise UsageError(f"--{name.replace('_', '-')} must be positive, got {value}.")


def _augment_kwargs(preset_name, policy):
    """``--augment POLICY`` as the flavor's ``augment`` argument, checked before anything is written: the policy's
    names, and a flavor that takes it (``GAN`` and its subclasses: DCGAN, ACGAN)."""
    if policy is None:
        return None
    from tfgans import augment, models, presets

    augment.parse_policy(policy)  # an unknown name raises, listing the known ones
    flavor = presets.get(preset_name).flavor
    if not issubclass(getattr(models, flavor), models.GAN):  # GAN's option, and its subclasses'
        raise UsageError(f"--augment is an option of the GAN, DCGAN and ACGAN flavors; {preset_name} trains a "
                         f"{flavor}. Drop --augment, or pick a preset of those flavors (e.g. dcgan-fast).")
    return {"augment": policy}


def _cmd_train(args) -> int:
    from tfgans import training
    from tfgans.callbacks import NaNLossError

    if args.images and args.dataset:
        raise UsageError("Pass --images DIR (a folder of images) or --dataset NAME (a tensorflow-datasets "
                         "dataset), not both.")
    flavor_kwargs = _augment_kwargs(args.preset, args.augment)
    try:
        run = training.train(args.preset, args.out, epochs=args.epochs, batch_size=args.batch_size, g_lr=args.g_lr,
                             flavor_kwargs=flavor_kwargs,
                             d_lr=args.d_lr, data_dir=args.data_dir, download=args.download, seed=args.seed,
                             dataset=args.dataset, images=args.images, resolution=args.resolution,
                             holdout=args.holdout, steps_per_epoch=args.steps_per_epoch,
                             mixed_precision=args.mixed_precision, num_samples=args.num_samples,
                             verbose=args.verbose, restart=args.restart, evaluate=args.evaluate,
                             eval_samples=args.eval_samples, eval_every_minutes=args.eval_every_minutes,
                             budget_minutes=args.budget_minutes, checkpoint_minutes=args.checkpoint_minutes,
                             checkpoint_steps=args.checkpoint_steps, strategy=args.strategy,
                             peer_timeout=args.peer_timeout)
    except NaNLossError as e:
        print(f"tfgans: error: {e}", file=sys.stderr)
        return 3
    if run.generator:
        print(f"tfgans: exported the generator to {run.generator}; sample with `tfgans sample {run.generator} --n 64 "
              "--out grid.png`")
    else:
        print(f"tfgans: worker done; the chief exported the generator to {os.path.join(args.out, 'generator')}")
    return 0


# --- ship ------------------------------------------------------------------------------------------------------

def _cmd_ship(args) -> int:
    from tfgans import zoo

    _check_positive(train_minutes=args.train_minutes)
    folder = zoo.ship(args.run, train_minutes=args.train_minutes, data_dir=args.data_dir, zoo=args.zoo,
                      replace=args.replace, note=args.note, num_samples=args.num_samples,
                      weights_dtype=args.weights_dtype)
    card = zoo.read_card(folder)
    print(f"tfgans: shipped {card['preset']} to {folder}: FID {card['fid']:.2f}, score {card['is']:.2f} "
          f"({card['epochs']} epochs, {card['steps']} steps); card {folder}/README.md")
    return 0


# --- sample ----------------------------------------------------------------------------------------------------

#: ``tfgans sample --n`` at most: images of a PNG grid, and of an .npz (100,000 64x64x3 images are 1.2 GB).
_MAX_GRID, _MAX_SAMPLES = 4096, 100_000

def _cmd_sample(args) -> int:
    from tfgans import export
    from tfgans.images import save_grid

    if args.n < 1:
        raise UsageError(f"--n must be at least 1, got {args.n}.")
    limit = _MAX_SAMPLES if args.out.endswith(".npz") else _MAX_GRID
    if args.n > limit:
        raise UsageError(f"--n {args.n} is more than {'an .npz' if limit == _MAX_SAMPLES else 'a grid'} of "
                         f"samples holds here (at most {limit:,}); draw several files with different --seed.")
    loaded = export.load_generator(args.path)
    images = export.sample_images(loaded, args.n, args.seed)
    if args.out.endswith(".npz"):
        import numpy as np

        np.savez_compressed(args.out, images=images)
    else:
        save_grid(images, args.out)
    print(f"tfgans: wrote {args.n} samples to {args.out}")
    return 0


# --- reproduce -------------------------------------------------------------------------------------------------

def _cmd_reproduce(args) -> int:
    from tfgans import experiment, reports

    if args.list:
        print("\n\n".join(report.describe() for report in reports.all_reports()))
        return 0
    if args.summary:
        print(experiment.summary_table(args.summary))
        return 0
    if not args.key:
        raise UsageError("Name a report (one of: " + ", ".join(reports.keys()) + "), or pass --list.")
    report = reports.get(args.key)
    if not args.out:
        raise UsageError(f"--out is required: the folder for {report.key}'s runs, figures and report.md "
                         f"(e.g. --out runs/{report.key}).")
    if args.budget_minutes is not None and not args.budget_minutes > 0:
        raise UsageError(f"--budget-minutes must be positive, got {args.budget_minutes}.")
    if args.eval_samples is not None and args.eval_samples < 2:
        raise UsageError(f"--eval-samples must be at least 2, got {args.eval_samples}.")
    options = dict(data_dir=args.data_dir, budget_minutes=args.budget_minutes, quick=args.quick, clock=args.clock,
                   seed=args.seed, eval_samples=args.eval_samples, download=args.download, verbose=args.verbose)
    if args.eval_every_minutes is not None:
        if not args.eval_every_minutes > 0:
            raise UsageError(f"--eval-every-minutes must be positive, got {args.eval_every_minutes}.")
        options["eval_every_minutes"] = args.eval_every_minutes
    if args.models:
        options["models"] = [m.strip() for m in args.models.split(",") if m.strip()]
    if args.max_epochs is not None:
        options["max_epochs"] = args.max_epochs
    if args.mixed_precision:
        options["mixed_precision"] = True
    if getattr(args, "report_only", False):
        options["train"] = False
    if args.dataset:
        options["dataset"] = args.dataset
    experiment.reproduce(report, args.out, **options)
    return 0


def _cmd_compare(args) -> int:
    """``tfgans compare``: the name ``tfgans reproduce kapoor`` had before; the same run."""
    args.key, args.list, args.summary = args.study, False, None
    return _cmd_reproduce(args)


# --- evaluate, classifier -----------------------------------------------------------------------------------

def _format_row(label: str, n: int, results: Dict[str, float]) -> str:
    cells = [f"{label:<30}", f"{n:>6}"]
    cells.append(f"{results['fid']:>9.3f}" if "fid" in results else f"{'-':>9}")
    if "kid" in results and results["kid_std"] == 0:  # every subset is the whole set: no spread to show
        cells.append(f"{results['kid']:>10.5f} (1 subset)")
    else:
        cells.append(f"{results['kid']:>10.5f} ± {results['kid_std']:.5f}" if "kid" in results else f"{'-':>20}")
    cells.append(f"{results['is']:>7.3f} ± {results['is_std']:.3f}" if "is" in results else f"{'-':>15}")
    cells.append(f"{results['precision']:>9.4f}" if "precision" in results else f"{'-':>9}")
    cells.append(f"{results['recall']:>7.4f}" if "recall" in results else f"{'-':>7}")
    return "  ".join(cells)


def _parse_value_range(text: Optional[str]):
    """``--value-range``: ``tanh``, ``sigmoid`` or ``LOW,HIGH``; None when not given."""
    if text is None or text in ("tanh", "sigmoid"):
        return text
    try:
        low, high = (float(v) for v in text.split(","))
    except ValueError:
        raise UsageError(f"--value-range must be tanh, sigmoid or LOW,HIGH (e.g. -1,1), got {text!r}.") from None
    if not low < high:
        raise UsageError(f"--value-range needs LOW < HIGH, got {text!r}.")
    return (low, high)


def _cmd_evaluate(args) -> int:
    """``tfgans evaluate``: prints the generator's figures and the real-train reference line."""
    from tfgans import data as data_lib
    from tfgans.evaluation import Evaluator, load_extractor, load_generator_images

    if args.generator is None and not getattr(args, "save_stats", None):
        raise UsageError("Name the generator to evaluate (an exported SavedModel folder, an .npz of images or a "
                         "folder of images), or pass --save-stats PATH to save the reference statistics only.")
    if bool(args.dataset) == bool(getattr(args, "images", None)):
        raise UsageError("Compare with --dataset NAME (its test split) or with --images DIR (the images held out of "
                         "a folder you trained on with --images), one of the two.")
    try:
        if args.images:
            evaluator = _folder_evaluator(args)
            extractor, info = evaluator.extractor, None
            args.reference_split = "none"  # the folder's held-out images are the reference
        else:
            info = data_lib.dataset_info(args.dataset)
            extractor = load_extractor(info.name, weights=getattr(args, "inception_weights", None) or "imagenet",
                                       classifier_path=getattr(args, "classifier", None))
            evaluator = Evaluator(info.name, args.data_dir, args.num_samples, args.metrics, split=args.split,
                                  extractor=extractor, cache_dir=getattr(args, "cache_dir", None),
                                  reference_stats=getattr(args, "stats", None))
        name = info.name if info else evaluator.dataset
        if getattr(args, "save_stats", None):
            print(f"tfgans: saved the reference statistics of {name} {evaluator.split!r} "
                  f"({args.num_samples} images, {extractor.name}) to {evaluator.save_reference(args.save_stats)}")
            if args.generator is None:
                return 0
        num_samples = evaluator.num_samples
        images = load_generator_images(args.generator, num_samples, args.seed)
        if len(images) < num_samples:  # before the real reference of --num-samples images is computed
            raise ValueError(f"{args.generator} holds {len(images)} images, fewer than --num-samples "
                             f"{num_samples}: pass --num-samples {len(images)} or more images (FID and IS "
                             "need thousands to be comparable).")
        value_range = _parse_value_range(getattr(args, "value_range", None))
        images = extractor.check_images(images, value_range)
        score_name = {"InceptionV3": "Inception Score", "mnist classifier": "MNIST score"}.get(
            extractor.name, f"{extractor.name} score")
        if "kid" in evaluator.metrics and num_samples <= evaluator.kid_subset_size:
            print(f"note: KID's spread needs more than {evaluator.kid_subset_size} samples (its subset size); "
                  f"with {num_samples} every subset is the whole set.")
        print(f"{name}: {num_samples} real images of split {evaluator.split!r} as reference; features of "
              f"the {extractor.name} ({extractor.feature_dim}-d); IS = {score_name} of its "
              f"{extractor.num_classes} logits; KID is MMD^2 (x1, not x1000)")
        header = (f"{'':<30}  {'n':>6}  {'FID':>9}  {'KID ± std':>20}  {'IS ± std':>15}  {'precision':>9}  "
                  f"{'recall':>7}")
        rows = {}
        generated = evaluator.evaluate_images(images)
        rows["generator"] = {"path": args.generator, "num_samples": int(images.shape[0]), **generated}
        lines = [header, _format_row(os.path.basename(os.path.normpath(args.generator)) or args.generator,
                                     images.shape[0], generated)]
        reference_split = getattr(args, "reference_split", "train")
        if reference_split and reference_split.lower() != "none":
            real = data_lib.load_images(info.name, split=reference_split, data_dir=args.data_dir,
                                        num_examples=args.num_samples)
            reference = evaluator.evaluate_images(real)
            rows["reference"] = {"split": reference_split, "num_samples": int(real.shape[0]), **reference}
            lines.append(_format_row(f"real {reference_split} (reference)", real.shape[0], reference))
    except (ValueError, FileNotFoundError, TypeError) as error:
        print(f"tfgans evaluate: error: {error}", file=sys.stderr)
        return 2
    for label, row in rows.items():
        if "conf_0" in row:  # the 'classes' metric
            confidence = [row[f"conf_{c}"] for c in range(sum(k.startswith("conf_") for k in row))]
            lines.append(f"class confidence ({label}): " + "  ".join(f"{c}: {v:.3f}" for c, v in enumerate(confidence)))
    print("\n".join(lines))
    if getattr(args, "json", None):
        with open(args.json, "w") as f:
            json.dump({"dataset": name, "split": evaluator.split, "extractor": extractor.name, **rows}, f, indent=2)
    return 0


def _folder_evaluator(args):
    """``tfgans evaluate --images DIR``: the folder's held-out images (``--holdout``, as training held them out) as
    the reference, with the extractor of ``--extractor`` (default: the MNIST classifier for 28x28 gray images,
    InceptionV3 for color ones)."""
    from tfgans import data as data_lib
    from tfgans.evaluation import Evaluator

    info = data_lib.scan_folder(args.images, resolution=args.resolution)
    return Evaluator.for_folder(args.images, holdout=args.holdout, resolution=info.resolution,
                                channels=info.channels, num_samples=args.num_samples, metrics=args.metrics,
                                extractor_dataset=args.extractor)


def _cmd_classifier_train(args) -> int:
    """``tfgans classifier train``: trains, saves, prints the test accuracy."""
    from tfgans.classifier import classifier_paths as _classifier_paths, train_classifier

    try:
        record = train_classifier(args.dataset, args.data_dir, args.epochs, args.out_dir,
                                  batch_size=args.batch_size, seed=args.seed)
    except (ValueError, FileNotFoundError) as error:
        print(f"tfgans classifier train: error: {error}", file=sys.stderr)
        return 2
    print(f"{record['dataset']}: test accuracy {100 * record['test_accuracy']:.2f} % after {record['epochs']} "
          f"epochs; saved to {_classifier_paths(record['dataset'], args.out_dir)[0]}")
    return 0


# --- entry point -----------------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tfgans", description="GANs of five reports, in Keras 3.")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of an error instead of its one line (or set TFGANS_DEBUG=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("presets", help="list presets with their report, table and dataset")
    p.add_argument("-v", "--verbose", action="store_true", help="also print each preset's description")
    p.add_argument("--markdown", action="store_true", help="a Markdown table (the README's)")
    p.set_defaults(func=_cmd_presets)

    p = sub.add_parser("train", help="train a preset (resumes an interrupted run in --out)")
    p.add_argument("--preset", required=True, help="a name from `tfgans presets`")
    p.add_argument("--out", required=True, help="run folder: samples/, logs/, checkpoints/, generator/")
    p.add_argument("--epochs", type=int, help="epochs in all (default: the report's)")
    p.add_argument("--batch-size", type=int, help="global batch size (default: the report's)")
    p.add_argument("--g-lr", type=float, help="generator learning rate (default: the report's)")
    p.add_argument("--d-lr", type=float, help="discriminator learning rate (default: the report's)")
    p.add_argument("--data-dir", help="tensorflow-datasets directory (default: $TFDS_DATA_DIR)")
    p.add_argument("--download", action="store_true", help="let tensorflow-datasets download missing data")
    p.add_argument("--dataset", help="train on this tensorflow-datasets image dataset instead of the preset's "
                                     "(e.g. fashion_mnist)")
    p.add_argument("--images", help="train on a folder of images (PNG/JPEG/BMP/GIF, nested or flat; subfolders "
                                    "are classes for a conditional preset)")
    p.add_argument("--resolution", type=int, choices=(28, 32, 64),
                   help="with --images/--dataset: crop and resize to this (default: from the data)")
    p.add_argument("--holdout", type=float, default=None,
                   help="with --images: the share of images held out to evaluate on (default 0.1 with --evaluate)")
    p.add_argument("--augment", default=None, metavar="POLICY",
                   help="DiffAugment of what the discriminator sees (Zhao et al. 2020), e.g. translation,cutout "
                        "(of color, brightness, translation, cutout): for folders of a few hundred images")
    p.add_argument("--evaluate", action="store_true",
                   help="score FID/KID/classifier score as it trains (the test split, or the held-out images), "
                        "into epochs.csv and TensorBoard")
    p.add_argument("--eval-samples", type=int, default=10000, help="images per evaluation (10,000)")
    p.add_argument("--eval-every-minutes", type=float, default=5.0, help="training minutes between evaluations")
    p.add_argument("--budget-minutes", type=float, default=None, help="stop after this many training minutes")
    p.add_argument("--seed", type=int, default=0, help="seed of weights, latents and shuffling")
    p.add_argument("--steps-per-epoch", type=int, help="cap the batches per epoch (quick runs)")
    p.add_argument("--mixed-precision", action="store_true",
                   help="mixed_bfloat16 on CPU, mixed_float16 (with loss scaling) on GPU")
    p.add_argument("--num-samples", type=int, default=64, help="images in each epoch's sample grid")
    p.add_argument("--verbose", default="auto", type=lambda v: v if v == "auto" else int(v),
                   help="Keras verbosity: auto, 0, 1 (progress bar) or 2 (a line per epoch)")
    p.add_argument("--checkpoint-minutes", type=float, default=5.0,
                   help="also checkpoint within epochs every this many minutes (5); a kill loses at most that")
    p.add_argument("--checkpoint-steps", type=int, default=None,
                   help="also checkpoint every this many batches")
    p.add_argument("--restart", action="store_true",
                   help="start over: move an earlier run in --out into --out/previous-<time>/ (nothing is deleted)")
    p.add_argument("--strategy", default="auto", help="auto (TF_CONFIG's cluster, else all local GPUs, else one "
                                                      "device), default, mirrored or multiworker")
    p.add_argument("--peer-timeout", type=float, default=120.0,
                   help="seconds a worker waits for the others before failing (multi-worker training)")
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("reproduce", help="run a report's experiment: figures, scores and report.md with verdicts",
                       description="Trains a report's models to the report's training length (or a budget), "
                                   "scores them as they train and writes the report's figures and report.md (claims "
                                   "and verdicts: a claim below its length reads 'cannot tell') into --out. "
                                   "Rerunning resumes.")
    p.add_argument("key", nargs="?", help="report key (see --list)")
    p.add_argument("--list", action="store_true",
                   help="list the reports and every claim: where the report makes it, at which training length")
    p.add_argument("--report-only", action="store_true",
                   help="write the figures and report.md from the records in --out as they are, training nothing")
    p.add_argument("--summary", metavar="DIR",
                   help="print the verdicts recorded in DIR/<report>/ as a table (the README's: notebooks/results)")
    _add_experiment_options(p)
    p.set_defaults(func=_cmd_reproduce)

    p = sub.add_parser("sample", help="sample from an exported generator")
    p.add_argument("path", help="an exported generator (SavedModel folder, e.g. runs/x/generator)")
    p.add_argument("--n", type=int, default=64, help="number of samples")
    p.add_argument("--seed", type=int, default=0, help="sampling seed (same seed, same images)")
    p.add_argument("--out", default="samples.png", help="a .png grid, or .npz of uint8 images")
    p.set_defaults(func=_cmd_sample)

    p = sub.add_parser("ship", help="ship a trained run's generator into the pretrained zoo with its card")
    p.add_argument("run", help="a run folder of `tfgans train --out` (its generator/, run.json, checkpoints/)")
    p.add_argument("--train-minutes", type=float, required=True, help="wall-clock minutes the run trained")
    p.add_argument("--data-dir", default=None, help="tensorflow-datasets folder for the evaluation")
    p.add_argument("--zoo", default=None, help="zoo folder (default: $TFGANS_ZOO or the repository's saved_models)")
    p.add_argument("--replace", action="store_true", help="replace the zoo's generator of the same preset")
    p.add_argument("--note", default="", help="a sentence for the card (budget, what the grid shows)")
    p.add_argument("--num-samples", type=int, default=10000, help="samples of the card's figures (10,000)")
    p.add_argument("--weights-dtype", choices=("float32", "float16"), default="float32",
                   help="float16 halves the weights' size; the card gives the FID of both")
    p.set_defaults(func=_cmd_ship)

    p = sub.add_parser(
        "compare", help="Kapoor & Orozco's four architectures (= tfgans reproduce kapoor)",
        description="The name `tfgans reproduce kapoor` had before: trains the report's architectures to Table 1's "
                    "500 epochs (or --budget-minutes each), writes loss plots, samples side by side, FID over time "
                    "and report.md.")
    p.add_argument("--study", default="kapoor", choices=("kapoor",), help="which report's study (kapoor)")
    _add_experiment_options(p)
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser(
        "semisup", help="semi-supervised GAN test errors by number of labels (Salimans et al. 2016)",
        description="Trains the semi-supervised GAN of Salimans et al. 2016 (reference-code nets, feature "
                    "matching) with a balanced labeled subset per seed and prints each seed's test errors "
                    "and the mean ± std in the form of the paper's table.")
    p.add_argument("--dataset", default="mnist", choices=("cifar10", "mnist"), help="mnist or cifar10")
    p.add_argument("--num-labeled", type=int, default=None,
                   help="labeled examples, a multiple of 10 (default: MNIST 100, CIFAR-10 4000)")
    p.add_argument("--table", action="store_true",
                   help="run every row of the paper's table (MNIST 20/50/100/200, CIFAR-10 1000/2000/4000)")
    p.add_argument("--seeds", type=int, default=3, help="seeds per row (the paper: 10; the report: 3)")
    p.add_argument("--first-seed", type=int, default=0, help="seeds are first-seed, first-seed+1, ...")
    p.add_argument("--epochs", type=int, default=None, help="default: MNIST 300, CIFAR-10 1200")
    p.add_argument("--batch-size", type=int, default=None, help="default: 100, the reference's")
    p.add_argument("--steps-per-epoch", type=int, default=None, help="cap the steps per epoch (quick runs)")
    p.add_argument("--data-dir", default=None, help="tensorflow-datasets directory ($TFDS_DATA_DIR)")
    p.add_argument("--download", action="store_true", help="let tensorflow-datasets download missing data")
    p.add_argument("--out", default=None,
                   help="run folder: a resumable run folder per (labels, seed) (tfgans.training's); rerunning "
                        "the command continues unfinished seeds")
    p.add_argument("--restart", action="store_true",
                   help="start over: move the earlier runs in --out into --out/previous-<time>/")
    p.add_argument("--json", default=None, help="also write every seed's result and per-epoch curve here")
    p.add_argument("--verbose", type=int, default=0, choices=(0, 1, 2), help="Keras fit verbosity")
    p.set_defaults(func=lazy("tfgans.semisup:run"))

    _add_evaluate_parsers(sub)
    return parser


def _add_experiment_options(p):
    """The options of ``tfgans reproduce`` (and of ``tfgans compare``, its earlier name for one report)."""
    p.add_argument("--out", help="experiment folder (one run folder per model, figures, report.md)")
    p.add_argument("--data-dir", help="tensorflow-datasets directory (default: $TFDS_DATA_DIR)")
    p.add_argument("--download", action="store_true", help="let tensorflow-datasets download missing data")
    p.add_argument("--budget-minutes", type=float,
                   help="cap each model's training minutes (default: none, each trains to the report's length)")
    p.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                   help="what the budget counts: wall seconds (default) or the process's CPU seconds "
                        "(fair between models on a busy CPU)")
    p.add_argument("--quick", action="store_true", help="a small run (about a minute on a CPU) for first looks")
    p.add_argument("--models", help="comma-separated subset of the report's models")
    p.add_argument("--dataset", help="one of the report's datasets (default: its first, MNIST)")
    p.add_argument("--seed", type=int, default=0, help="seed of weights, latents and shuffling")
    p.add_argument("--eval-samples", type=int, help="images per evaluation (default 10,000; 500 with --quick)")
    p.add_argument("--eval-every-minutes", type=float, default=None,
                   help="training minutes between evaluations (default 5; also at the epochs the claims name)")
    p.add_argument("--max-epochs", type=int, default=None,
                   help="stop each model at this many epochs now (a piece of a long run; rerun to train on)")
    p.add_argument("--mixed-precision", action="store_true",
                   help="train in mixed_bfloat16 (mixed_float16 on a GPU); a model resumes only in the precision "
                        "it started with")
    p.add_argument("--verbose", default=2, type=int, help="Keras verbosity: 0, 1 (progress bar) or 2 (default: "
                                                          "a line per epoch)")


def _add_evaluate_parsers(sub):
    """``tfgans evaluate`` and ``tfgans classifier train`` (run by :mod:`tfgans.evaluation`)."""
    metrics = "fid,kid,is,precision,recall"
    p = sub.add_parser(
        "evaluate", help="FID, KID, IS, precision and recall of a generator against a real split",
        description="Evaluates an exported generator (SavedModel directory) or an .npz of uint8 images "
                    "against the real test split, and prints the same figures for real train images as the "
                    "reference line. 28x28x1 datasets use the shipped classifier (IS = its 'MNIST score'); "
                    "32x32x3 datasets use InceptionV3 (ImageNet weights needed locally).")
    p.add_argument("generator", nargs="?",
                   help="exported SavedModel directory, .npz of images, or a folder of PNG/JPEG files (may be left "
                        "out with --save-stats)")
    p.add_argument("--value-range", default=None,
                   help="range of float images in an .npz: tanh (-1..1), sigmoid (0..1) or LOW,HIGH "
                        "(write --value-range=-1,1)")
    p.add_argument("--dataset", help="compare with this dataset's --split: mnist, fashion_mnist, cifar10, "
                                     "svhn_cropped or any tensorflow-datasets image dataset")
    p.add_argument("--images", help="compare with the images held out of this folder (what `tfgans train --images "
                                    "DIR --evaluate` trained without)")
    p.add_argument("--holdout", type=float, default=0.1, help="with --images: the share held out (0.1)")
    p.add_argument("--resolution", type=int, choices=(28, 32, 64), help="with --images: as training resized them")
    p.add_argument("--extractor", default=None,
                   help="with --images: the dataset whose classifier gives the features (mnist, fashion_mnist; "
                        "default mnist for 28x28 gray, InceptionV3 for color)")
    p.add_argument("--num-samples", type=int, default=10000, help="generated and real images (10000)")
    p.add_argument("--data-dir", default=None, help="tensorflow-datasets directory ($TFDS_DATA_DIR)")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated draw (0)")
    p.add_argument("--metrics", default=metrics,
                   help=f"comma-separated subset of {metrics}, and 'classes': each class's mean classifier "
                        "confidence (28x28x1 datasets)")
    p.add_argument("--split", default="test", help="real split to compare with (test)")
    p.add_argument("--reference-split", default="train",
                   help="real split evaluated as the reference line (train); 'none' to skip it")
    p.add_argument("--cache-dir", default=None, help="folder to cache reference statistics in")
    p.add_argument("--save-stats", default=None, metavar="PATH",
                   help="save the real split's reference statistics to PATH (.npz), to evaluate against later "
                        "with --stats without the data")
    p.add_argument("--stats", default=None, metavar="PATH",
                   help="compare with reference statistics saved by --save-stats instead of the real split")
    p.add_argument("--inception-weights", default=None,
                   help="path to inception_v3_weights_tf_dim_ordering_tf_kernels.h5 (32x32x3 datasets)")
    p.add_argument("--classifier", default=None, help="classifier .keras file (28x28x1 datasets)")
    p.add_argument("--json", default=None, help="also write the figures to this JSON file")
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("classifier", help="the classifiers that evaluate 28x28x1 generators")
    commands = p.add_subparsers(dest="classifier_command", required=True)
    train = commands.add_parser("train", help="train and save the evaluation classifier of a dataset",
                                description="Trains the CNN of tfgans.evaluation.make_classifier on the train "
                                            "split and saves <out-dir>/<dataset>.keras and .json (test accuracy).")
    train.add_argument("dataset", help="mnist or fashion_mnist")
    train.add_argument("--data-dir", default=None, help="tensorflow-datasets directory ($TFDS_DATA_DIR)")
    train.add_argument("--epochs", type=int, default=None, help="default 4 (mnist) / 8 (fashion_mnist)")
    train.add_argument("--out-dir", default=None, help="default: tfgans/classifiers, shipped in the package")
    train.add_argument("--batch-size", type=int, default=128)
    train.add_argument("--seed", type=int, default=0)
    train.set_defaults(func=_cmd_classifier_train)


def _user_error(error: BaseException) -> Optional[str]:
    """The one line for an error the user can fix (bad input, a missing or damaged file), else None."""
    import zipfile

    from tfgans.files import RunLockedError

    if isinstance(error, (UsageError, ValueError, RunLockedError)):  # DatasetNotFoundError, SettingsMismatchError
        return str(error)
    if isinstance(error, MemoryError):
        return "out of memory: ask for fewer images (--n, --num-samples) or a smaller --batch-size."
    if isinstance(error, zipfile.BadZipFile):
        return f"{error}: the .npz or .keras file is damaged or not what it claims to be; write it again."
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        where = f" ({error.filename})" if getattr(error, "filename", None) else ""
        return (f"no space left on the disk{where}: free some space, or point --out at another disk; what was "
                "written is complete (rerun the same command to resume).")
    if isinstance(error, OSError):  # FileNotFoundError, PermissionError, a read-only disk, ...
        where = f" ({error.filename})" if getattr(error, "filename", None) else ""
        return (f"{error.strerror or error}{where}: check that the path exists, holds what the option expects "
                "(re-export or rewrite a damaged file) and, for an output, is writable.")
    tf = sys.modules.get("tensorflow")
    if tf is not None and isinstance(error, (tf.errors.DataLossError, tf.errors.NotFoundError,
                                             tf.errors.FailedPreconditionError)):
        return (f"{error.message.splitlines()[0] if error.message else error}: a checkpoint or SavedModel "
                "file is damaged or missing; point at an intact one, or start a new --out folder.")
    return None


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("tfgans: interrupted; rerun the same command to resume.", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - sorted into the user's errors and the bugs just below
        message = _user_error(e)
        if message is None or args.debug or os.environ.get("TFGANS_DEBUG"):
            raise
        print(f"tfgans: error: {message} (tfgans --debug ... shows the traceback)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
