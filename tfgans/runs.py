"""Run folders: the settings a run was started with, recorded once and checked on every resume.

``tfgans train``, ``tfgans reproduce`` and ``tfgans semisup`` keep each run in a folder that a rerun of the same
command resumes. :func:`check_settings` is their one guard against mixing runs: it records the settings on
the first call and refuses a later call with other settings, naming what changed. Files are written aside and
renamed into place (:func:`write_json`, :func:`write_text`), so a kill leaves the old or the new file, never
half of one.
"""

from __future__ import annotations

import csv
import json
import os
import time
from typing import Any, Dict, List, Optional, Tuple

__all__ = ["SettingsMismatchError", "LostRunError", "check_settings", "read_json", "write_json", "write_text",
           "read_csv", "write_csv",
           "trained_artifacts", "refuse_lost_run", "move_aside"]

#: What a run folder holds once it has trained: a folder among these that is not empty, or a file. Not
#: ``logs/``: TensorBoard writers create it as the callbacks are built, before anything has trained.
ARTIFACTS = ("checkpoints", "samples", "generator", "curve.csv", "epochs.csv", "steps.csv", "result.json")


class SettingsMismatchError(ValueError):
    """A run folder holds a run started with other settings."""


def write_text(path: str, text: str) -> str:
    """Writes ``text`` to ``path`` atomically (a temporary file beside it, then a rename)."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
    return path


def write_json(path: str, obj: Any) -> str:
    """Writes ``obj`` as indented JSON to ``path`` atomically."""
    return write_text(path, json.dumps(obj, indent=2, default=float) + "\n")


def read_csv(path: str) -> List[Dict[str, str]]:
    """The rows of a CSV file as dicts (strings), or [] when there is no such file."""
    if not os.path.isfile(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path: str, rows: List[Dict[str, Any]]) -> str:
    """Writes ``rows`` (dicts; the columns in order of first appearance) to ``path`` atomically."""
    columns: List[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)
    return path


def read_json(path: str) -> Optional[Any]:
    """The JSON in ``path``, or None when there is no such file."""
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def check_settings(folder: str, settings: Dict[str, Any], record: str = "run.json",
                   hint: str = "Use a new --out folder, or repeat the original settings to resume.",
                   free: Tuple[str, ...] = ()) -> bool:
    """Records ``settings`` in ``folder/record``, or checks them against the recorded ones.

    Settings named in ``free`` may change between runs (a training budget that a rerun extends); the record
    keeps their latest values.

    Returns:
        True when the folder already held a run with these settings (a resume), False for a new run.

    Raises:
        SettingsMismatchError: the folder holds a run started with other settings; the message names each
            changed setting (old -> new) and ``hint``.
    """
    path = os.path.join(folder, record)
    previous = read_json(path)
    if previous is None:
        write_json(path, settings)
        return False
    settings = json.loads(json.dumps(settings, default=float))  # compare as they were stored (tuples -> lists)
    changed = {k: (previous.get(k), v) for k, v in settings.items() if previous.get(k) != v and k not in free}
    changed.update({k: (v, None) for k, v in previous.items() if k not in settings and k not in free})
    if changed:
        detail = ", ".join(f"{k}: {old!r} -> {new!r}" for k, (old, new) in changed.items())
        raise SettingsMismatchError(f"{folder} holds a run started with other settings ({detail}); resuming "
                                    f"would mix them. {hint}")
    if any(previous.get(k) != settings.get(k) for k in free if k in settings):
        write_json(path, {**previous, **{k: settings[k] for k in free if k in settings}})
    return True


class LostRunError(ValueError):
    """A run folder shows a run that trained, but holds no checkpoint to resume it from."""


def trained_artifacts(folder: str):
    """The entries of :data:`ARTIFACTS` in ``folder`` that show a run trained there (non-empty folders, CSV
    files with rows, other files)."""
    found = []
    for name in ARTIFACTS:
        path = os.path.join(folder, name)
        if os.path.isdir(path):
            trained = any(os.scandir(path))
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


def move_aside(folder: str) -> str:
    """Moves everything in ``folder`` (but earlier ``previous-*`` folders) into ``folder/previous-<UTC time>/``;
    returns that folder, or None when there was nothing to move."""
    if not os.path.isdir(folder):
        return None
    entries = [name for name in os.listdir(folder) if not name.startswith("previous-")]
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
