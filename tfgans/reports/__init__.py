"""The five reports tfgans reproduces, one module each, found by the registry.

    tfgans reproduce --list
    tfgans reproduce sun --out runs/sun --data-dir ../shared/tfds --budget-minutes 30
    tfgans reproduce chakkarwar --out runs/chakkarwar --quick

Each module ``tfgans/reports/<key>.py`` (the report's first author) defines ``REPORT``, a
:class:`tfgans.reports.base.Report`: the report's metadata and claims, its experiment, and optionally a
legacy subcommand of its own (``tfgans compare``, ``tfgans semisup``). Adding a report is adding a file: the
registry imports every module of this package whose name does not start with an underscore. Report modules
import TensorFlow only when their experiment runs, so ``tfgans --help`` stays fast; an ImportError inside one
is a bug and is raised, never hidden.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Dict, List

from tfgans.reports.base import Claim, Entry, Report, Verdict

__all__ = ["Claim", "Entry", "Report", "Verdict", "all_reports", "get", "keys"]

_NOT_REPORTS = {"base", "experiment", "writer"}
_REGISTRY: Dict[str, Report] = {}


def _load() -> Dict[str, Report]:
    if not _REGISTRY:
        for info in pkgutil.iter_modules(__path__):
            if info.name.startswith("_") or info.name in _NOT_REPORTS:
                continue
            module = importlib.import_module(f"{__name__}.{info.name}")
            report = getattr(module, "REPORT", None)
            if not isinstance(report, Report):
                raise TypeError(f"tfgans.reports.{info.name} defines no REPORT (a tfgans.reports.Report).")
            if report.key != info.name:
                raise ValueError(f"tfgans.reports.{info.name}.REPORT has key {report.key!r}; it must be the "
                                 "module's name.")
            _REGISTRY[report.key] = report
    return _REGISTRY


def all_reports() -> List[Report]:
    """Every registered report, by key."""
    return [report for _, report in sorted(_load().items())]


def keys() -> List[str]:
    """The report keys and their aliases."""
    return sorted(k for r in all_reports() for k in (r.key, *r.aliases))


def get(key: str) -> Report:
    """The report of ``key`` (or of an alias, e.g. ``salimans`` for ``daw``).

    Raises:
        ValueError: no report has that key; the message lists them.
    """
    for report in all_reports():
        if key == report.key or key in report.aliases:
            return report
    raise ValueError(f"Unknown report {key!r}; known reports: {', '.join(keys())} "
                     "(list them with `tfgans reproduce --list`).")
