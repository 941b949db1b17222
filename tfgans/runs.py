"""Run folders: one settings file, recorded once the run is valid and checked on every resume.

Every run folder (``tfgans train --out``, each model of ``tfgans reproduce``, each seed of ``tfgans semisup``)
and every experiment folder (``tfgans reproduce --out``) keeps its settings in one file, :data:`SETTINGS_FILE`
(``run.json``). Its schema:

- a run folder: ``{"format": "tfgans-run/1", "preset", "data": {"dataset", "split"} or {"images",
  "resolution", "channels"}, "batch_size", "g_lr", "d_lr", "seed", "mixed_precision", "steps_per_epoch",
  "chunk_steps", "num_labeled", "flavor_kwargs"}`` (what makes the run itself: a resume must repeat them)
  plus the free settings ``"epochs"``, ``"budget_minutes"``, ``"clock"``, ``"eval_samples"``, which a rerun may
  change (train on to more epochs, a larger budget); the file keeps their latest values.
- an experiment folder: ``{"format": "tfgans-experiment/1", "report", "quick", "seed", "eval_samples",
  "dataset"}`` plus the free ``"budget_minutes"``, ``"clock"``.

Folders of earlier tfgans versions hold ``settings.json`` (a model of ``tfgans reproduce``, a seed of
``tfgans semisup``) or ``reproduce.json`` (an experiment): :func:`read_settings` reads them, and the next
recording replaces them with ``run.json``. :func:`check_settings` refuses a resume with other settings, naming
each change, before anything is written; :func:`record_settings` writes the file, which ``tfgans.training``
does only once the run's first checkpoint exists, so a command refused before it trained (a bad option, data
missing) leaves nothing that would refuse the corrected one.
"""

from __future__ import annotations

import csv
import io
import os
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from tfgans import files

__all__ = ["SettingsMismatchError", "LostRunError", "SETTINGS_FILE", "LEGACY_SETTINGS", "read_settings",
           "check_settings", "record_settings", "read_json", "write_json", "write_text", "read_csv", "write_csv",
           "trained_artifacts", "refuse_lost_run", "move_aside", "machine"]

SETTINGS_FILE = "run.json"
#: Settings files of earlier versions: a model of `tfgans reproduce` or a seed of `tfgans semisup`, an
#: experiment folder.
LEGACY_SETTINGS = ("settings.json", "reproduce.json")

#: What a run folder holds once it has trained: a folder among these that is not empty, or a file. Not
#: ``logs/``: TensorBoard writers create it as the callbacks are built, before anything has trained.
ARTIFACTS = ("checkpoints", "samples", "generator", "curve.csv", "epochs.csv", "steps.csv", "result.json")


class SettingsMismatchError(ValueError):
    """A run folder holds a run started with other settings."""


# --- files (atomic: tfgans.files) ---------------------------------------------------------------------------------

write_text = files.write_text
write_json = files.write_json
read_csv = files.read_csv


def read_json(path: str) -> Optional[Any]:
    """The JSON in ``path``, or None when there is no such file (a damaged file raises a ValueError naming it)."""
    return files.read_json(path)


def write_csv(path: str, rows: List[Dict[str, Any]]) -> str:
    """Writes ``rows`` (dicts; the columns in order of first appearance) to ``path`` atomically."""
    columns: List[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return files.write_text(path, buffer.getvalue())


# --- settings -------------------------------------------------------------------------------------------------------


def read_settings(folder: str) -> Tuple[Optional[Dict[str, Any]], Optional[str]]:
    """``(settings, file name)`` of ``folder``: its ``run.json``, else an earlier version's settings file,
    else ``(None, None)``.

    Raises:
        ValueError: the file is damaged or not a JSON object (the message names it).
    """
    for name in (SETTINGS_FILE, *LEGACY_SETTINGS):
        value = files.read_json(os.path.join(folder, name), expect=dict)
        if value is not None:
            return value, name
    return None, None


def check_settings(folder: str, settings: Dict[str, Any], record: Optional[str] = None,
                   hint: str = "Use a new --out folder, or repeat the original settings to resume.",
                   free: Tuple[str, ...] = (), legacy: Optional[Callable[[Dict, str], Dict]] = None,
                   write: bool = True) -> bool:
    """Checks ``settings`` against those recorded in ``folder`` (and records them, unless ``write`` is False).

    Settings named in ``free`` may change between runs (a training length or budget that a rerun extends); the
    record keeps their latest values. ``legacy(previous, file_name)`` translates an earlier version's settings
    file into this schema (settings it did not record are taken as the new ones).

    Returns:
        True when the folder already held a run with these settings (a resume), False for a new run.

    Raises:
        SettingsMismatchError: the folder holds a run started with other settings; the message names each
            changed setting (old -> new) and ``hint``.
    """
    import json

    del record  # one settings file name now (the argument of earlier versions is accepted and ignored)
    previous, name = read_settings(folder)
    if previous is None:
        if write:
            record_settings(folder, settings)
        return False
    current = name == SETTINGS_FILE and "format" in previous  # else an earlier version's file
    if not current and legacy is not None:
        previous = legacy(previous, name)
    settings = json.loads(json.dumps(settings, default=float))  # compare as stored (tuples -> lists)
    previous = json.loads(json.dumps(previous, default=float))
    changed = {k: (previous.get(k), v) for k, v in settings.items()
               if k not in free and k in previous and previous.get(k) != v}
    if current:  # keys only a file of this version can have dropped
        changed.update({k: (previous.get(k), v) for k, v in settings.items()
                        if k not in free and k not in previous and v not in (None, {}, False)})
        changed.update({k: (v, None) for k, v in previous.items() if k not in settings and k not in free
                        and v not in (None, {}, False)})
    if changed:
        detail = ", ".join(f"{k}: {old!r} -> {new!r}" for k, (old, new) in changed.items())
        raise SettingsMismatchError(f"{folder} holds a run started with other settings ({detail}); resuming "
                                    f"would mix them. {hint}")
    if write and (not current or any(previous.get(k) != settings.get(k) for k in settings)):
        record_settings(folder, {**previous, **settings})
    return True


def record_settings(folder: str, settings: Dict[str, Any]) -> str:
    """Writes ``settings`` to ``folder/run.json`` atomically and removes an earlier version's settings file."""
    path = files.write_json(os.path.join(folder, SETTINGS_FILE), settings)
    for name in LEGACY_SETTINGS:
        legacy = os.path.join(folder, name)
        if os.path.isfile(legacy):
            os.remove(legacy)
    return path


# --- lost runs and restarts ----------------------------------------------------------------------------------------


class LostRunError(ValueError):
    """A run folder shows a run that trained, but holds no checkpoint to resume it from."""


def trained_artifacts(folder: str):
    """The entries of :data:`ARTIFACTS` in ``folder`` that show a run trained there (non-empty folders, CSV
    files with rows, other files)."""
    found = []
    for name in ARTIFACTS:
        path = os.path.join(folder, name)
        if os.path.isdir(path):
            trained = any(not files.is_temp(entry.name) for entry in os.scandir(path))
        elif name.endswith(".csv"):
            trained = bool(read_csv(path))  # a header alone is written before the first epoch ends
        else:
            trained = os.path.isfile(path)
        if trained:
            found.append(name)
    return found


def refuse_lost_run(folder: str, restored: bool):
    """Refuses to start over in a folder that trained before but whose checkpoints are gone.

    Starting over there would overwrite the samples, logs and records of the lost run, and a user who
    deleted or damaged a checkpoint by mistake would never learn it.

    Raises:
        LostRunError: ``restored`` is False and ``folder`` holds :func:`trained_artifacts`.
    """
    found = [] if restored else trained_artifacts(folder)
    if found:
        raise LostRunError(
            f"{folder} holds a run that trained ({', '.join(found)}) but no readable checkpoint to resume it "
            "from. Restore checkpoints/ from a backup to resume, or rerun with --restart to start over (the old "
            "files are moved into a previous-<time>/ folder, nothing is deleted).")


def move_aside(folder: str) -> Optional[str]:
    """Moves everything in ``folder`` (but earlier ``previous-*`` folders and the lock) into
    ``folder/previous-<UTC time>/``; returns that folder, or None when there was nothing to move."""
    if not os.path.isdir(folder):
        return None
    entries = [name for name in os.listdir(folder) if not name.startswith("previous-") and name != files.LOCK_FILE]
    if not entries:
        return None
    target = os.path.join(folder, "previous-" + time.strftime("%Y%m%d-%H%M%S", time.gmtime()))
    suffix = 1
    while os.path.exists(target + (f"-{suffix}" if suffix > 1 else "")):
        suffix += 1
    target += f"-{suffix}" if suffix > 1 else ""
    os.makedirs(target)
    for name in entries:
        os.replace(os.path.join(folder, name), os.path.join(target, name))
    return target


def machine() -> str:
    """``"<CPU model>, <n> cores"`` (Linux) or the platform's processor name: what records name as the machine."""
    import platform

    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), model)
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores"


def precision(progress: Dict[str, Any], settings: Dict[str, Any]) -> str:
    """The dtype policies a run trained in, as its ``progress.json`` names them (``"float32"``,
    ``"mixed_bfloat16, then mixed_float16"``); records of earlier versions name only the ``mixed_precision`` flag
    of ``run.json``, and trained on CPUs, where the flag means ``mixed_bfloat16``."""
    if progress.get("policies"):
        return ", then ".join(progress["policies"])
    return "mixed_bfloat16" if settings.get("mixed_precision") else "float32"
