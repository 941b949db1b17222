"""Carries the claims' unfinished long runs from one machine to the next through the repository.

The run folders of ``benchmarks/long_runs.sh`` live outside the repository (``../runs``) and are lost when a
session starts on a new machine, which has happened three times. A run longer than a session (daw seed 1's 300
epochs) then never finishes. ``save`` copies what resumes each unfinished run into
``benchmarks/carry/<key>/<folder>/``, to be committed; ``long_runs.sh`` calls ``restore`` before each job, which
copies a carried folder back where no run folder of that name exists, so the job resumes where the carry left it:

    kill -TERM <each job's pid>                                         # stop the lanes first: a job checkpoints
    python benchmarks/carry.py save [--runs ../runs] [KEY/FOLDER ...]   # default: every unfinished run folder
    python benchmarks/carry.py restore [--runs ../runs] KEY

Unfinished: a run folder with a checkpoint, short of its length (``run.json``'s ``epochs``; a run stopped by
``--max-epochs`` or a budget is short of it) and not stopped by a NaN. A carried folder is its run folder without
the lock, temporary files, checkpoints moved aside as damaged, the exported generator and the folders
``--restart`` moved aside, and with only the newest complete checkpoint (``tfgans.checkpoint.Checkpoint``
restores the newest readable one; one is 33 MB for daw, 40 MB for a Sun net, 5 MB for a Kapoor net, so carrying
one, not two, halves what a carry adds to ``.git``). ``save`` replaces the carried folders it saves, drops those
whose run has finished here (their records are committed in ``notebooks/results`` instead) and keeps the others
(runs not restored on this machine). It refuses a run folder that is training: a checkpoint being written is not
whole. ``restore`` never writes over a run folder that exists. Both write through a temporary folder, so an
interrupted call leaves nothing half copied. Standard library only: the lanes run it before the package is imported.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import socket
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CARRY = os.path.join(REPO, "benchmarks", "carry")
_CKPT = re.compile(r"ckpt-(\d+)\.(index|data-(\d+)-of-(\d+))")
#: Not carried: the lock, temporary files (``tfgans.files``), checkpoints moved aside as damaged, the exported
#: generator (written again when the run ends) and run folders ``--restart`` moved aside (``previous-*``).
_SKIP = re.compile(r"\.lock|\..+\.tmp-\d+|ckpt-\d+_temp|damaged|generator|previous-.*")


def _read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _epochs_done(folder: str) -> float:
    try:
        with open(os.path.join(folder, "epochs.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
        return float(rows[-1]["epochs"]) if rows else 0.0
    except (OSError, KeyError, ValueError):
        return 0.0


def _newest(ckpts: str):
    """The number of the newest checkpoint whose index and every data shard are on disk (None if none is)."""
    parts = {}
    for match in map(_CKPT.fullmatch, os.listdir(ckpts) if os.path.isdir(ckpts) else []):
        if match:
            entry = parts.setdefault(int(match.group(1)), {"index": False, "shards": set(), "of": None})
            if match.group(2) == "index":
                entry["index"] = True
            else:
                entry["shards"].add(int(match.group(3)))
                entry["of"] = int(match.group(4))
    whole = [n for n, e in parts.items() if e["index"] and e["of"] and e["shards"] == set(range(e["of"]))]
    return max(whole) if whole else None


def unfinished(folder: str) -> bool:
    """Whether ``folder`` is a run folder that trained (a whole checkpoint) and is short of its length."""
    if _newest(os.path.join(folder, "checkpoints")) is None:
        return False
    progress = _read_json(os.path.join(folder, "progress.json")) or {}
    if progress.get("stopped_by") == "nan":
        return False
    length = (_read_json(os.path.join(folder, "run.json")) or {}).get("epochs")
    if not length:  # a run.json of an earlier version: trust progress.json
        return not progress.get("done", False)
    return _epochs_done(folder) + 1e-6 < float(length)


def _training(folder: str):
    """The pid of a live process on this host holding ``folder``'s lock (``tfgans.files.RunLock``), else None."""
    holder = _read_json(os.path.join(folder, ".lock")) or {}
    if holder.get("host") != socket.gethostname():
        return None
    try:
        os.kill(int(holder.get("pid", -1)), 0)
    except (OSError, ValueError):
        return None
    return int(holder["pid"])


def run_folders(runs: str):
    """``key/folder`` of every unfinished run folder under ``<runs>/claims``."""
    claims = os.path.join(runs, "claims")
    found = []
    for key in sorted(os.listdir(claims)) if os.path.isdir(claims) else []:
        if not os.path.isdir(os.path.join(claims, key)):
            continue
        for name in sorted(os.listdir(os.path.join(claims, key))):
            if os.path.isdir(os.path.join(claims, key, name)) and unfinished(os.path.join(claims, key, name)):
                found.append(f"{key}/{name}")
    return found


def _state_file(src: str, dst: str, newest: int):
    """The CheckpointManager's state file naming only the checkpoint carried, with its timestamp (so that the
    manager deletes it in its turn, as it would have)."""
    paths, stamps, preserved = [], [], None
    try:
        with open(src) as f:
            for line in f:
                name, _, value = line.partition(":")
                if name == "all_model_checkpoint_paths":
                    paths.append(value.strip().strip('"'))
                elif name == "all_model_checkpoint_timestamps":
                    stamps.append(value.strip())
                elif name == "last_preserved_timestamp":
                    preserved = value.strip()
    except OSError:
        return
    lines = [f'model_checkpoint_path: "ckpt-{newest}"', f'all_model_checkpoint_paths: "ckpt-{newest}"']
    if len(stamps) == len(paths) and f"ckpt-{newest}" in paths:
        lines.append(f"all_model_checkpoint_timestamps: {stamps[paths.index(f'ckpt-{newest}')]}")
    if preserved:
        lines.append(f"last_preserved_timestamp: {preserved}")
    with open(dst, "w") as f:
        f.write("\n".join(lines) + "\n")


def _copy_run(src: str, dst: str):
    os.makedirs(dst, exist_ok=True)
    for name in sorted(os.listdir(src)):
        path = os.path.join(src, name)
        if _SKIP.fullmatch(name):
            continue
        if name == "checkpoints" and os.path.isdir(path):
            os.makedirs(os.path.join(dst, name))
            newest = _newest(path)
            for file in os.listdir(path):  # the newest checkpoint's files only (no TensorFlow temporaries)
                match = _CKPT.fullmatch(file)
                if match and int(match.group(1)) == newest:
                    shutil.copy2(os.path.join(path, file), os.path.join(dst, name, file))
            _state_file(os.path.join(path, "checkpoint"), os.path.join(dst, name, "checkpoint"), newest)
        elif os.path.isdir(path):
            _copy_run(path, os.path.join(dst, name))
        else:
            shutil.copy2(path, os.path.join(dst, name))


def _swap(tmp: str, dst: str):
    if os.path.isdir(dst):
        shutil.rmtree(dst)
    os.replace(tmp, dst)


def save(runs: str, folders=None, carry: str = CARRY):
    """Carries ``folders`` (default: every unfinished run folder), drops the carried folders whose run finished
    here and keeps the rest; returns the folders carried."""
    claims = os.path.join(runs, "claims")
    folders = run_folders(runs) if folders is None else list(folders)
    for folder in folders:
        src = os.path.join(claims, folder)
        if not unfinished(src):
            raise SystemExit(f"carry: {src} is not an unfinished run folder (no whole checkpoint, stopped by a NaN, "
                             "or trained to its length); commit its record with tfgans.experiment.copy_record.")
        for locked in (src, os.path.dirname(src)):
            pid = _training(locked)
            if pid is not None:
                raise SystemExit(f"carry: {locked} is training (process {pid}): stop its lane first (kill -TERM "
                                 f"{pid} checkpoints it and stops it), then save.")
    for key in os.listdir(carry) if os.path.isdir(carry) else []:  # leftovers of an interrupted save
        for name in os.listdir(os.path.join(carry, key)):
            if re.fullmatch(r"\..+\.tmp-\d+", name):
                shutil.rmtree(os.path.join(carry, key, name), ignore_errors=True)
    for folder in folders:
        key = folder.split("/")[0]
        os.makedirs(os.path.join(carry, key), exist_ok=True)
        for name in os.listdir(os.path.join(claims, key)):  # the experiment's settings beside its folders
            if os.path.isfile(os.path.join(claims, key, name)) and not _SKIP.fullmatch(name):
                shutil.copy2(os.path.join(claims, key, name), os.path.join(carry, key, name))
        tmp = os.path.join(carry, key, f".{folder.split('/')[1]}.tmp-{os.getpid()}")
        _copy_run(os.path.join(claims, folder), tmp)
        _swap(tmp, os.path.join(carry, folder))
        print(f"carry: {folder} -> {os.path.relpath(os.path.join(carry, folder), REPO)}")
    for key in sorted(os.listdir(carry)) if os.path.isdir(carry) else []:
        for name in sorted(os.listdir(os.path.join(carry, key))):
            here = os.path.join(claims, key, name)
            if os.path.isdir(os.path.join(carry, key, name)) and os.path.isdir(here) and not unfinished(here):
                shutil.rmtree(os.path.join(carry, key, name))
                print(f"carry: dropped {key}/{name} (finished here: commit its record)")
        if not any(os.path.isdir(os.path.join(carry, key, n)) for n in os.listdir(os.path.join(carry, key))):
            shutil.rmtree(os.path.join(carry, key))
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
        if _SKIP.fullmatch(name):
            continue
        if os.path.exists(os.path.join(dst, name)):
            if os.path.isdir(os.path.join(src, name)):
                print(f"carry: kept {os.path.join(dst, name)}, which exists (the carried {key}/{name} not restored)")
            continue
        if os.path.isdir(os.path.join(src, name)):
            tmp = os.path.join(dst, f".{name}.tmp-{os.getpid()}")
            shutil.copytree(os.path.join(src, name), tmp)
            os.replace(tmp, os.path.join(dst, name))
            restored.append(f"{key}/{name}")
            print(f"carry: restored {key}/{name} into {dst}")
        else:
            shutil.copy2(os.path.join(src, name), os.path.join(dst, name))
    return restored


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("save", "restore"))
    parser.add_argument("names", nargs="*", help="save: KEY/FOLDER run folders (default: every unfinished one); "
                                                 "restore: the experiment KEY")
    parser.add_argument("--runs", default=os.path.join(os.path.dirname(REPO), "runs"))
    args = parser.parse_intermixed_args(argv)  # `restore --runs DIR KEY`, as long_runs.sh calls it
    if args.action == "save":
        save(args.runs, args.names or None, carry=CARRY)
    else:
        if len(args.names) != 1:
            parser.error("restore takes one experiment KEY")
        restore(args.runs, args.names[0], carry=CARRY)


if __name__ == "__main__":
    sys.exit(main())
