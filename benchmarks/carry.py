"""Carries the claims' unfinished long runs from one machine to the next through the repository.

The run folders of ``benchmarks/long_runs.sh`` live outside the repository (``../runs``) and are lost when a
session starts on a new machine, which has happened three times. A run longer than a session (daw seed 1's 300
epochs, about 5.6 hours) then never finishes. ``save`` copies what resumes each unfinished run into
``benchmarks/carry/<key>/<folder>/``, to be committed; ``long_runs.sh`` calls ``restore`` before each job, which
copies a carried folder back where no run folder of that name exists, so the job resumes where the carry left it:

    python benchmarks/carry.py save [--runs ../runs] [KEY/FOLDER ...]   # default: every unfinished run folder
    python benchmarks/carry.py restore [--runs ../runs] KEY

A carried folder is its run folder without the lock and temporary files, with only the newest checkpoint
(``tfgans.checkpoint.Checkpoint`` restores the newest readable one; one file is 33 MB for daw, 40 MB for Sun's
WGAN, so carrying one, not two, halves what each carry adds to ``.git``). ``save`` drops the carried folders
of runs that have finished: their records are committed in ``notebooks/results`` instead. ``restore`` never
writes over a run folder that exists. Standard library only: the lanes run it before the package is imported.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CARRY = os.path.join(REPO, "benchmarks", "carry")
_CKPT = re.compile(r"ckpt-(\d+)\.(index|data-\d+-of-\d+)")
#: Not carried: the lock, temporary files (``tfgans.files``), checkpoints moved aside as damaged, an export.
_SKIP = re.compile(r"\.lock|\..+\.tmp-\d+|ckpt-\d+_temp|damaged|export")


def _unfinished(folder: str) -> bool:
    """A run folder that trained and has not finished: checkpoints, and ``progress.json`` not done."""
    ckpts = os.path.join(folder, "checkpoints")
    if not (os.path.isdir(ckpts) and any(_CKPT.fullmatch(n) for n in os.listdir(ckpts))):
        return False
    try:
        with open(os.path.join(folder, "progress.json")) as f:
            return not json.load(f).get("done", False)
    except (OSError, ValueError):
        return True


def run_folders(runs: str):
    """``key/folder`` of every unfinished run folder under ``<runs>/claims``."""
    claims = os.path.join(runs, "claims")
    found = []
    for key in sorted(os.listdir(claims)) if os.path.isdir(claims) else []:
        for name in sorted(os.listdir(os.path.join(claims, key))):
            if os.path.isdir(os.path.join(claims, key, name)) and _unfinished(os.path.join(claims, key, name)):
                found.append(f"{key}/{name}")
    return found


def _newest(ckpts: str):
    numbers = [int(m.group(1)) for m in map(_CKPT.fullmatch, os.listdir(ckpts)) if m]
    return max(numbers) if numbers else None


def _copy_tree(src: str, dst: str, newest=None):
    os.makedirs(dst, exist_ok=True)
    for name in sorted(os.listdir(src)):
        path = os.path.join(src, name)
        if _SKIP.fullmatch(name):
            continue
        if os.path.isdir(path):
            _copy_tree(path, os.path.join(dst, name), _newest(path) if name == "checkpoints" else None)
            continue
        match = _CKPT.fullmatch(name)
        if newest is not None and match and int(match.group(1)) != newest:
            continue
        if name == "checkpoint" and newest is not None:
            # The CheckpointManager's state file, naming only the checkpoint carried.
            with open(os.path.join(dst, name), "w") as f:
                f.write(f'model_checkpoint_path: "ckpt-{newest}"\nall_model_checkpoint_paths: "ckpt-{newest}"\n')
            continue
        shutil.copy2(path, os.path.join(dst, name))


def save(runs: str, folders=None, carry: str = CARRY):
    """Replaces the carry by the resume state of ``folders`` (default: every unfinished run folder)."""
    folders = run_folders(runs) if folders is None else list(folders)
    claims = os.path.join(runs, "claims")
    for folder in folders:
        src = os.path.join(claims, folder)
        if not _unfinished(src):
            raise SystemExit(f"carry: {src} is not an unfinished run folder (no checkpoint, or progress.json says "
                             "done); commit its record with tfgans.experiment.copy_record instead.")
    if os.path.isdir(carry):
        shutil.rmtree(carry)
    for folder in folders:
        key = folder.split("/")[0]
        for name in os.listdir(os.path.join(claims, key)):  # the experiment's settings beside its folders
            if os.path.isfile(os.path.join(claims, key, name)) and not _SKIP.fullmatch(name):
                os.makedirs(os.path.join(carry, key), exist_ok=True)
                shutil.copy2(os.path.join(claims, key, name), os.path.join(carry, key, name))
        _copy_tree(os.path.join(claims, folder), os.path.join(carry, folder))
        print(f"carry: {folder} -> {os.path.relpath(os.path.join(carry, folder), REPO)}")
    return folders


def restore(runs: str, key: str, carry: str = CARRY):
    """Copies the carried folders of ``key`` into ``<runs>/claims/<key>`` where no folder of their name is."""
    src = os.path.join(carry, key)
    if not os.path.isdir(src):
        return []
    dst = os.path.join(runs, "claims", key)
    os.makedirs(dst, exist_ok=True)
    restored = []
    for name in sorted(os.listdir(src)):
        if os.path.exists(os.path.join(dst, name)):
            continue
        if os.path.isdir(os.path.join(src, name)):
            shutil.copytree(os.path.join(src, name), os.path.join(dst, name))
            restored.append(f"{key}/{name}")
        else:
            shutil.copy2(os.path.join(src, name), os.path.join(dst, name))
    for folder in restored:
        print(f"carry: restored {folder} into {dst}")
    return restored


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("save", "restore"))
    parser.add_argument("names", nargs="*", help="save: KEY/FOLDER run folders (default: every unfinished one); "
                                                 "restore: the experiment KEY")
    parser.add_argument("--runs", default=os.path.join(os.path.dirname(REPO), "runs"))
    args = parser.parse_args(argv)
    if args.action == "save":
        save(args.runs, args.names or None)
    else:
        if len(args.names) != 1:
            parser.error("restore takes one experiment KEY")
        restore(args.runs, args.names[0])


if __name__ == "__main__":
    sys.exit(main())
