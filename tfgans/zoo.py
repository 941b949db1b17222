"""The pretrained zoo: a trained run's generator shipped into ``saved_models/`` with a card.

    tfgans ship runs/fast --train-minutes 10 --data-dir ../shared/tfds

copies ``runs/fast/generator`` (or exports the newest checkpoint of a run without one, e.g. a ``tfgans
reproduce`` model folder) to ``saved_models/<preset with _>/``, evaluates it (10,000 samples: FID, KID,
MNIST score, precision, recall; and the FID of 2,000 samples, which the tests recompute), writes an 8x8 grid,
``card.json`` and a ``README.md`` card (preset, epochs and steps, training minutes, machine, figures, the exact
command), and rewrites the ranking table of ``saved_models/README.md``. Shipped generators are then found by
preset name (``tfgans.export.load_generator("dcgan-mnist-fast")``).
"""

from __future__ import annotations

import math
import os
import shutil
from typing import Dict, Optional

from tfgans import export, files, runs

__all__ = ["ship", "read_card", "cards", "early", "rewrite_cards", "write_table", "machine", "CARD_FILE",
           "CHECK_SAMPLES"]

CARD_FILE = "card.json"
#: Samples of the FID the card records for the tests to recompute (``card["fid_check"]``).
CHECK_SAMPLES = 2000
_TABLE = ("<!-- zoo-table: written by tfgans.zoo -->", "<!-- /zoo-table -->")


machine = runs.machine


def _position(run_dir: str, preset, settings: Dict, data_dir: Optional[str]) -> Dict:
    """Epochs (a fraction for a run stopped within an epoch) and steps of the run's newest checkpoint."""
    import tensorflow as tf

    from tfgans import data as data_lib
    from tfgans.callbacks import Checkpoint

    candidates = Checkpoint(os.path.join(run_dir, "checkpoints")).candidates()
    if not candidates:
        raise FileNotFoundError(f"{run_dir!r} holds no checkpoint: ship a run that `tfgans train` wrote.")
    reader = tf.train.load_checkpoint(candidates[0][1])
    position = {name: int(reader.get_tensor(f"{name}/.ATTRIBUTES/VARIABLE_VALUE")) for name in ("epoch", "step")}
    batch = int(reader.get_tensor("batch/.ATTRIBUTES/VARIABLE_VALUE")) if reader.has_tensor(
        "batch/.ATTRIBUTES/VARIABLE_VALUE") else 0
    if batch:  # as `tfgans train` counts an epoch's batches
        per_epoch = settings.get("steps_per_epoch") or data_lib.batches_per_epoch(
            preset.dataset, settings["batch_size"] * preset.real_batches_per_step(), data_dir=data_dir)
        position["epoch"] = round(position["epoch"] + batch / per_epoch, 2)
    return position


def ship(run_dir: str, *, train_minutes: float, data_dir: Optional[str] = None, zoo: Optional[str] = None,
         replace: bool = False, note: str = "", seed: int = 0, num_samples: int = 10000,
         weights_dtype: str = "float32") -> str:
    """Ships ``run_dir``'s exported generator into the zoo with its card; returns the generator's folder.

    The card's figures are of ``num_samples`` generated images (10,000, as ``tfgans evaluate``); its
    ``fid_check`` of :data:`CHECK_SAMPLES`. With ``weights_dtype="float16"`` the generator is exported from the
    run's newest checkpoint at half the size, and the card gives the FID of its float32 weights beside.

    Raises:
        FileNotFoundError: the run has no ``run.json``, export or checkpoint.
        FileExistsError: the zoo already holds this preset's generator and ``replace`` is False.
    """

    from tfgans import presets

    settings, _ = runs.read_settings(run_dir)
    if settings is None or "preset" not in settings:
        raise FileNotFoundError(f"{run_dir!r} has no run.json: ship a run folder that tfgans trained.")
    preset = presets.get(settings["preset"])
    settings.setdefault("batch_size", preset.batch_size)  # runs of earlier `tfgans reproduce` versions
    position = _position(run_dir, preset, settings, data_dir)
    experiment, _ = runs.read_settings(os.path.dirname(os.path.abspath(run_dir)))
    records = runs.read_csv(os.path.join(run_dir, "epochs.csv"))
    progress = runs.read_json(os.path.join(run_dir, "progress.json")) or {}
    if experiment and "report" in experiment and records:
        # A model folder of `tfgans reproduce`: its records count generator steps and passes over the data.
        last = records[-1]
        position = {"epoch": round(float(last["epochs"]), 2), "step": int(last["step"])}
        command = reproduce_command(experiment, run_dir, settings, progress, position["epoch"])
        note = (f"{float(last['cpu_minutes']):.1f} CPU-minutes of training. " + note).strip()
    else:
        epochs = math.ceil(position["epoch"])
        budget = settings.get("budget_minutes") if progress.get("stopped_by") == "budget" else None
        if budget:
            epochs = int(settings.get("epochs") or epochs)  # the command's epochs; its budget stopped it
        elif epochs != position["epoch"]:
            note = (f"Training stopped after {position['epoch']:g} epochs, within epoch {epochs} of the command "
                    "(the session ended). " + note).strip()
        command = (f"tfgans train --preset {preset.name} --out runs/x --data-dir ../shared/tfds"
                   + (f" --epochs {epochs}" if epochs != preset.epochs else "")
                   + (f" --budget-minutes {budget:g}" if budget else "")
                   + (f" --batch-size {settings['batch_size']}" if settings["batch_size"] != preset.batch_size
                      else "")
                   + (" --mixed-precision" if settings.get("mixed_precision") else ""))
    zoo = zoo or export.zoo_dir()
    folder = os.path.join(zoo, preset.name.replace("-", "_"))
    if os.path.exists(folder) and not replace:
        raise FileExistsError(f"{folder} exists: pass replace=True (tfgans ship --replace) to ship over it.")

    with files.replace_dir(folder) as tmp:
        _fill(tmp, run_dir, preset, settings, progress, position, command, note, train_minutes=train_minutes,
              data_dir=data_dir, seed=seed, num_samples=num_samples, weights_dtype=weights_dtype)
    write_table(zoo)
    return folder


def reproduce_command(experiment: Dict, run_dir: str, settings: Dict, progress: Dict, epochs_done: float) -> str:
    """The command that trains a model folder of ``tfgans reproduce``, from its experiment's and its own settings.
    A run that finished short of its length (``progress`` done, stopped by ``epochs``) was stopped there on
    purpose, by ``--max-epochs``, not by a session's end: the command names it."""
    from tfgans import presets, reports

    folder = os.path.basename(os.path.abspath(run_dir))
    model = next((e.key for e in reports.get(experiment["report"]).entries if (e.folder or e.key) == folder), folder)
    stopped_short = (progress.get("done") and progress.get("stopped_by") == "epochs"
                     and epochs_done < (settings.get("epochs") or presets.get(settings["preset"]).epochs))
    budget = experiment.get("budget_minutes")
    return (f"tfgans reproduce {experiment['report']} --models {model} "
            + (f"--budget-minutes {budget:g} " if budget else "")
            + (f"--max-epochs {math.floor(epochs_done)} " if stopped_short else "")
            + (f"--clock {experiment['clock']} " if experiment.get("clock", "wall") != "wall" else "")
            + ("--mixed-precision " if settings.get("mixed_precision") else "")
            + "--data-dir ../shared/tfds --out runs/x")


def _fill(tmp, run_dir, preset, settings, progress, position, command, note, *, train_minutes, data_dir, seed,
          num_samples, weights_dtype):
    """Writes a shipped generator's folder: the export, its grid, card.json and README.md."""
    import tensorflow as tf

    from tfgans.evaluation import Evaluator
    from tfgans.images import save_grid

    source = os.path.join(run_dir, "generator")
    if weights_dtype == "float32" and os.path.isfile(os.path.join(source, "saved_model.pb")):
        shutil.copytree(source, tmp)
        model = None
    else:  # no export to copy (`tfgans reproduce`, a run stopped early, float16 weights): the newest checkpoint
        from tfgans.callbacks import Checkpoint

        model = preset.build(seed=settings.get("seed", 0))
        Checkpoint(os.path.join(run_dir, "checkpoints")).restore(model)
        export.save_generator(model, tmp, value_range=preset.data_range, weights_dtype=weights_dtype)
    loaded = export.load_generator(tmp)
    figures = Evaluator(preset.dataset, data_dir, num_samples=num_samples).evaluate_generator(loaded, seed=seed)
    check = Evaluator(preset.dataset, data_dir, num_samples=CHECK_SAMPLES, metrics=("fid",))
    save_grid(export.sample_images(loaded, 64, seed=seed), os.path.join(tmp, "grid.png"), ncols=8)
    card = {
        "preset": preset.name, "source": preset.source, "table": preset.table, "dataset": preset.dataset,
        "epochs": position["epoch"], "steps": position["step"], "preset_epochs": preset.epochs,
        "batch_size": settings["batch_size"], "mixed_precision": bool(settings.get("mixed_precision")),
        # Where and how it trained, as its record names them (runs of earlier versions: the shipping machine).
        "policy": runs.precision(progress, settings),
        "train_minutes": float(train_minutes), "machine": "; ".join(progress.get("machines") or [machine()]),
        "tensorflow": tf.__version__,
        "seed": seed, "num_samples": num_samples, **{k: round(float(v), 4) for k, v in figures.items()},
        "fid_check": round(float(check.evaluate_generator(loaded, seed=seed)["fid"]), 4),
        "command": command, "note": note, "weights_dtype": weights_dtype,
    }
    if weights_dtype != "float32":  # what the smaller weights cost
        card["fid_float32"] = round(float(Evaluator(preset.dataset, data_dir, num_samples=num_samples, metrics=(
            "fid",)).evaluate_generator(model, seed=seed)["fid"]), 4)
    runs.write_json(os.path.join(tmp, CARD_FILE), card)
    runs.write_text(os.path.join(tmp, "README.md"), _card_text(card))


def read_card(folder: str) -> Optional[Dict]:
    return runs.read_json(os.path.join(folder, CARD_FILE))


def cards(zoo: Optional[str] = None) -> Dict[str, Dict]:
    """``{preset: card}`` of the shipped generators that have a card."""
    found = {}
    for folder in export.shipped(zoo).values():
        card = read_card(folder)
        if card:
            found[card["preset"]] = {**card, "folder": folder}
    return found


def early(card: Dict) -> bool:
    """Whether a shipped generator trained fewer epochs than its preset's (the report's) length."""
    return float(card["epochs"]) < float(card["preset_epochs"]) - 1e-6


def _precision(card: Dict) -> str:
    """The dtype policy a card names (cards of earlier versions have only the ``mixed_precision`` flag)."""
    return card.get("policy") or runs.precision({}, card)


def _card_text(card: Dict) -> str:
    epochs = (f"{card['epochs']:g} of the preset's {card['preset_epochs']} epochs" if card["epochs"] != card["preset_epochs"]
              else f"all {card['epochs']} epochs")
    report = card["source"] != "tfgans"
    warning = (f"**An early checkpoint**: {card['epochs']:g} of the {card['preset_epochs']} epochs its preset "
               + ("(the report) trains. Its samples show where training was then, not what the report's model makes."
                  if report else "trains. Its samples show where training was then, not what the full run makes.")
               + "\n\n" if early(card) else "")
    return f"""# {card['preset']}

{warning}Generator of preset `{card['preset']}` ({card['source']}: {card['table']}), trained on {card['dataset']} for
{epochs} of data ({card['steps']} generator steps, batch {card['batch_size']}, {_precision(card)})
in {card['train_minutes']:g} minutes of training on {card['machine']} (TensorFlow {card['tensorflow']}).
{card['note']}

| FID | KID | MNIST score | precision | recall | FID of {CHECK_SAMPLES:,} samples |
|---|---|---|---|---|---|
| {card['fid']:.2f} | {card['kid']:.3f} | {card['is']:.2f} | {card['precision']:.3f} | {card['recall']:.3f} | {card['fid_check']:.2f} |

`tfgans evaluate {card['preset']} --dataset {card['dataset']} --num-samples {card.get('num_samples', 10000)}` (seed {card['seed']}): FID and KID
(MMD^2) on the {card['dataset']} classifier's features against the test split, the classifier's score, and
precision/recall (k = 3).

{_weights_text(card)}![64 samples](grid.png)

Made with `{card['command']}`; `tfgans sample {card['preset']} --out grid.png` draws from it.
"""


def _weights_text(card: Dict) -> str:
    if card.get("weights_dtype", "float32") == "float32":
        return ""
    return (f"Weights stored as {card['weights_dtype']} (half their size): FID {card['fid']:.2f} against "
            f"{card['fid_float32']:.2f} with the float32 weights, same samples.\n\n")


def write_table(zoo: Optional[str] = None):
    """Rewrites the ranking table (by FID) between the markers of ``<zoo>/README.md``."""
    zoo = zoo or export.zoo_dir()
    rows = sorted(cards(zoo).values(), key=lambda c: c["fid"])
    lines = [_TABLE[0], "| rank | preset | epochs (of the preset's) | train minutes | FID | MNIST score | precision "
             "| recall |", "|---|---|---|---|---|---|---|---|"]
    for rank, c in enumerate(rows, 1):
        trained = f"{c['epochs']:g} of {c['preset_epochs']}" + (" (early checkpoint)" if early(c) else "")
        lines.append(f"| {rank} | [`{c['preset']}`]({c['preset'].replace('-', '_')}/README.md) | {trained} | "
                     f"{c['train_minutes']:g} | {c['fid']:.2f} | {c['is']:.2f} | {c['precision']:.3f} | "
                     f"{c['recall']:.3f} |")
    lines.append(_TABLE[1])
    path = os.path.join(zoo, "README.md")
    text = open(path).read() if os.path.exists(path) else "# saved_models\n\n"
    if _TABLE[0] in text and _TABLE[1] in text:
        start, end = text.index(_TABLE[0]), text.index(_TABLE[1]) + len(_TABLE[1])
        text = text[:start] + "\n".join(lines) + text[end:]
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    runs.write_text(path, text)


def rewrite_cards(zoo: Optional[str] = None):
    """Rewrites every card's README.md from its card.json, and the ranking table (after a change of wording)."""
    for card in cards(zoo).values():
        runs.write_text(os.path.join(card["folder"], "README.md"),
                        _card_text({k: v for k, v in card.items() if k != "folder"}))
    write_table(zoo)
