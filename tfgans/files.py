"""Atomic files and folders, and the one-writer lock of a run folder.

Every file tfgans writes (checkpoints' records, sample grids, figures, exports, caches, cards, CSV records)
is written under a temporary name and renamed into place, so a reader finds the old file or the new one,
never half of one. Temporary names start with a dot and end in ``.tmp-<pid>``
(``.epoch_0003.png.tmp-4121``): no reader's pattern (``epoch_*.png``, ``ckpt-*``, ``*.csv``) matches them,
and :func:`clean_leftovers` removes those of processes that are gone.

    with atomic_path("runs/x/samples/epoch_0003.png") as tmp:
        save_png(tmp)                       # renamed to epoch_0003.png when the block ends without error

    with RunLock("runs/x"):                 # one writer per run folder
        ...
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import re
import shutil
import socket
import sys
import time
from typing import Dict, Iterator, List, Optional

__all__ = ["temp_name", "atomic_path", "write_text", "write_bytes", "write_json", "read_json", "read_csv", "replace_dir",
           "clean_leftovers", "is_temp", "RunLock", "RunLockedError", "LOCK_FILE", "pid_alive"]

_TEMP = re.compile(r"^\.(?P<name>.+)\.tmp-(?P<pid>\d+)$")
#: TensorFlow's checkpoint writer stages a save in ``<prefix>_temp/`` (a kill can leave it behind).
_TF_TEMP = re.compile(r"^ckpt-\d+_temp$")
LOCK_FILE = ".lock"
_HELD = {}  # lock path -> how many RunLocks of this process hold it (a train() inside a reproduce())


def temp_name(path: str) -> str:
    """The temporary name of ``path`` for this process: ``<folder>/.<name>.tmp-<pid>``."""
    folder, name = os.path.split(os.path.normpath(path))
    return os.path.join(folder, f".{name}.tmp-{os.getpid()}")


def is_temp(name: str) -> bool:
    """Whether a file name is one of :func:`temp_name`'s (or TensorFlow's staging folder of a checkpoint)."""
    return bool(_TEMP.match(name) or _TF_TEMP.match(name))


def pid_alive(pid: int) -> bool:
    """Whether a process of this id exists on this machine."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def _remove(path: str):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yields a temporary path beside ``path``; when the block ends without error, renames it to ``path``
    (replacing a file there); on an error, removes it. For a folder use :func:`replace_dir`."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = temp_name(path)
    _remove(tmp)
    try:
        yield tmp
    except BaseException:
        _remove(tmp)
        raise
    os.replace(tmp, path)


def write_bytes(path: str, data: bytes) -> str:
    """Writes ``data`` to ``path`` atomically; returns ``path``."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    return path


def write_text(path: str, text: str) -> str:
    """Writes ``text`` to ``path`` atomically; returns ``path``."""
    return write_bytes(path, text.encode("utf-8"))


def write_json(path: str, obj) -> str:
    """Writes ``obj`` as indented JSON to ``path`` atomically."""
    return write_text(path, json.dumps(obj, indent=2, default=float) + "\n")


def read_json(path: str, expect: Optional[type] = None):
    """The JSON in ``path``, or None when there is no such file.

    Raises:
        ValueError: the file is not valid JSON, or not of the ``expect``-ed type (``dict``); the message names
            the file and the fix.
    """
    if not os.path.isfile(path):
        return None
    try:
        with open(path) as f:
            value = json.load(f)
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError(f"{path} is damaged ({type(e).__name__}: {e}); restore it from a backup, or move it "
                         "away to let tfgans write a new one.") from None
    if expect is not None and not isinstance(value, expect):
        raise ValueError(f"{path} holds a JSON {type(value).__name__}, not a JSON {expect.__name__} as tfgans "
                         "writes it; restore it from a backup, or move it away to let tfgans write a new one.")
    return value


def read_csv(path: str) -> List[Dict[str, str]]:
    """The complete rows of a CSV file as dicts (strings), or [] when there is no such file. Rows are appended to
    CSV records: an incomplete last line, a kill during an append, is skipped."""
    if not os.path.isfile(path):
        return []
    with open(path, newline="") as f:
        text = f.read()
    if text and not text.endswith("\n"):
        text = text[: text.rfind("\n") + 1]
    rows = list(csv.DictReader(io.StringIO(text)))
    return [row for row in rows if None not in row and None not in row.values()]


@contextlib.contextmanager
def replace_dir(path: str) -> Iterator[str]:
    """Yields a temporary folder beside ``path`` to fill; when the block ends without error it takes
    ``path``'s place (an existing folder there is moved aside first and removed after), so a kill leaves the
    old folder or the new one in place. On an error the temporary folder is removed."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = temp_name(path)
    _remove(tmp)
    try:
        yield tmp
    except BaseException:
        _remove(tmp)
        raise
    old = None
    if os.path.exists(path):
        old = temp_name(path + ".old")
        _remove(old)
        os.replace(path, old)
    os.replace(tmp, path)
    if old:
        _remove(old)


def clean_leftovers(folder: str, recursive: bool = True) -> List[str]:
    """Removes the temporary files and folders that processes now gone left in ``folder`` (a kill during a
    write); returns their paths. Those of live processes (another writer) are left alone."""
    removed = []
    if not os.path.isdir(folder):
        return removed
    for root, dirs, names in os.walk(folder):
        for name in list(dirs) + names:
            match = _TEMP.match(name)
            stale = (match and not pid_alive(int(match.group("pid")))) or _TF_TEMP.match(name)
            if stale:
                path = os.path.join(root, name)
                _remove(path)
                removed.append(path)
                if name in dirs:
                    dirs.remove(name)
        if not recursive:
            break
    return removed


class RunLockedError(RuntimeError):
    """Another process holds the run folder's lock."""


class RunLock:
    """One writer per run folder: ``<folder>/.lock`` holds the writer's host and pid.

    Taken with ``O_CREAT | O_EXCL`` before anything in the folder is read or written, and removed on release.
    A lock whose process is gone (same host, no such pid) is stale: it is taken over with a warning. A lock
    of another host (a multi-worker chief elsewhere writing to a shared folder) is never taken over.

    Raises:
        RunLockedError: another live process holds the lock; the message names it and the fix.
    """

    def __init__(self, folder: str):
        self.folder = folder
        self.path = os.path.join(folder, LOCK_FILE)
        self.held = False

    def holder(self) -> Optional[dict]:
        """The ``{"host", "pid", "since", "command"}`` of the lock's holder, or None when unlocked."""
        try:
            with open(self.path) as f:
                return json.load(f)
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {"host": "?", "pid": -1, "since": "?", "command": "?"}  # unreadable: a writer died mid-write

    def acquire(self) -> "RunLock":
        os.makedirs(self.folder, exist_ok=True)
        me = {"host": socket.gethostname(), "pid": os.getpid(),
              "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "command": " ".join(sys.argv)}
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self.holder()
                if holder is None:
                    continue  # released meanwhile
                if holder.get("host") == me["host"] and holder.get("pid") == me["pid"]:
                    _HELD[self.path] = _HELD.get(self.path, 0) + 1  # this process holds it already
                    self.held = True
                    return self
                same_host = holder.get("host") in (me["host"], "?")
                if same_host and not pid_alive(int(holder.get("pid", -1))):
                    print(f"tfgans: warning: {self.path} was left by process {holder.get('pid')} "
                          f"({holder.get('command')}), which is gone; taking the run over.", file=sys.stderr)
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(self.path)
                    continue
                raise RunLockedError(
                    f"{self.folder} is in use by process {holder.get('pid')} on {holder.get('host')} since "
                    f"{holder.get('since')} ({holder.get('command')}). Wait for it to finish or stop it, or "
                    f"use another --out folder; if that process is gone, delete {self.path}.")
            except OSError as e:
                if e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                    raise OSError(e.errno, f"cannot write in the run folder {self.folder} ({e.strerror})",
                                  self.folder) from None
                raise
            with os.fdopen(fd, "w") as f:
                json.dump(me, f)
            _HELD[self.path] = 1
            self.held = True
            return self
        raise RunLockedError(f"Could not take the lock {self.path}; try again.")

    def release(self):
        if not self.held:
            return
        self.held = False
        _HELD[self.path] = _HELD.get(self.path, 1) - 1
        if _HELD[self.path] > 0:
            return
        del _HELD[self.path]
        holder = self.holder()
        if holder and holder.get("pid") == os.getpid():
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.path)

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
