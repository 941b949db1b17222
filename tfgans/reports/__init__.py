"""The five reports tfgans reproduces, one module each, found by the registry.

    tfgans reproduce --list
    tfgans reproduce sun --out runs/sun --data-dir ../shared/tfds --budget-minutes 30
    tfgans reproduce chakkarwar --out runs/chakkarwar --quick

Each module ``tfgans/reports/<key>.py`` (the report's first author) defines ``REPORT``, a :class:`Report`: the report's metadata and claims, its experiment, and optionally a
legacy subcommand of its own (``tfgans compare``, ``tfgans semisup``). Adding a report is adding a file: the
registry imports every module of this package (this package holds nothing else). The experiment engine
is :mod:`tfgans.experiment`, the figures and ``report.md`` :mod:`tfgans.figures`. Report modules
import TensorFlow only when their experiment runs, so ``tfgans --help`` stays fast; an ImportError inside one
is a bug and is raised, never hidden.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

__all__ = ["Claim", "Entry", "Report", "Verdict", "ModelResult", "HOLDS", "DOES_NOT_HOLD", "CANNOT_TELL",
           "all_reports", "get", "keys", "reproduce"]

HOLDS = "holds"
DOES_NOT_HOLD = "does not hold"
CANNOT_TELL = "cannot tell at this budget"


@dataclass(frozen=True)
class Verdict:
    """A claim's verdict (:data:`HOLDS`, :data:`DOES_NOT_HOLD` or :data:`CANNOT_TELL`) and the numbers behind it."""

    status: str
    evidence: str

    def __post_init__(self):
        if self.status not in (HOLDS, DOES_NOT_HOLD, CANNOT_TELL):
            raise ValueError(f"A verdict is {HOLDS!r}, {DOES_NOT_HOLD!r} or {CANNOT_TELL!r}; got {self.status!r}.")


@dataclass
class ModelResult:
    """One trained model of an experiment, as read back from its run folder.

    Attributes:
        entry: the :class:`Entry` it was trained for.
        epochs: one dict per (possibly partial, the last) epoch: ``epoch``, ``step``, ``epochs`` (fractional),
            ``train_minutes``, ``cpu_minutes``, the epoch means of the flavor's metrics (``d_loss``,
            ``g_loss``, ...) and, where evaluated, ``fid``, ``kid``, ``is``.
        steps: per-step values of each metric, ``{"d_loss": [...], ...}``.
        progress: ``done``, ``stopped_by`` (``budget``, ``epochs`` or ``nan``), ``first_step_seconds``.
    """

    entry: "Entry"
    epochs: List[Dict[str, float]]
    steps: Dict[str, List[float]]
    progress: Dict[str, Any]

    def evaluations(self, metric: str = "fid") -> List[Dict[str, float]]:
        """The epoch rows that carry ``metric``."""
        return [row for row in self.epochs if row.get(metric) is not None]

    def final(self, metric: str = "fid") -> Optional[float]:
        """The last evaluated value of ``metric`` (None if never evaluated)."""
        rows = self.evaluations(metric)
        return rows[-1][metric] if rows else None

    @property
    def epochs_done(self) -> float:
        return self.epochs[-1]["epochs"] if self.epochs else 0.0

    @property
    def train_minutes(self) -> float:
        return self.epochs[-1]["train_minutes"] if self.epochs else 0.0


@dataclass(frozen=True)
class Entry:
    """One model of a report's experiment.

    Attributes:
        key: short name, used for its run folder and files (``dcgan``).
        preset: the ``tfgans.presets`` name it trains.
        label: for plots and tables.
        loss_figures: the report's figures of its losses (``"Fig. 1"``).
        grid_figures: the report's figures of its samples.
        steps_per_epoch: train in "epochs" of this many steps over the repeated data, so that a model whose
            pass over the data takes long (a CFG-GAN stage moves 960 images 15 times) is scored, checkpointed
            and drawn every few minutes; None for passes over the data.
        quick_kwargs: flavor arguments that ``--quick`` overrides, to make a slow model's step small (CFG-GAN:
            fewer copies and targets).
    """

    key: str
    preset: str
    label: str
    loss_figures: str = ""
    grid_figures: str = ""
    steps_per_epoch: Optional[int] = None
    quick_kwargs: Dict[str, Any] = field(default_factory=dict)
    eval_epochs: Tuple[int, ...] = ()


@dataclass(frozen=True)
class Claim:
    """A claim of a report and the function that judges it from the experiment's results.

    Attributes:
        key: short name.
        text: the claim, quoted or paraphrased with its section.
        judge: ``{entry key: ModelResult} -> Verdict``; must answer :data:`CANNOT_TELL` rather than guess
            when the budget was too small to decide.
        criterion: how the judge decides, in one sentence (printed in ``report.md``).
    """

    key: str
    text: str
    judge: Callable[[Mapping[str, ModelResult]], Verdict]
    criterion: str = ""


@dataclass(frozen=True)
class Report:
    """A report of ``../shared/seeds`` as tfgans reproduces it.

    Attributes:
        key: the first author's surname, also the module name (``sun``).
        title, authors: as printed on the report.
        source: the seed file.
        reproduces: what tfgans reproduces of it, one sentence.
        datasets: the datasets its experiment uses (those it can use here first).
        entries: the models its experiment trains, each for ``budget_minutes``.
        claims: what the report claims, each with its judge.
        budget_minutes: the default training budget per model.
        aliases: other keys that name it (``salimans`` for ``daw``).
        runner: a function ``(report, **options) -> report.md path`` for an experiment that is not a set of
            budgeted trainings (``daw``); None for :func:`tfgans.reports.experiment.reproduce`.
        add_parser: optional hook adding a legacy subcommand (``tfgans compare``) to the CLI's subparsers.
        published: numbers the report publishes, for the table in ``report.md``.
        notes: anything the reader of ``report.md`` should know (deviations, budget caveats).
        budget_text: the default budget in words, for a report that does not run by minutes.
    """

    key: str
    title: str
    authors: str
    source: str
    reproduces: str
    datasets: Tuple[str, ...]
    entries: Tuple[Entry, ...] = ()
    claims: Tuple[Claim, ...] = ()
    budget_minutes: float = 30.0
    aliases: Tuple[str, ...] = ()
    runner: Optional[Callable[..., str]] = None
    add_parser: Optional[Callable[[Any], Any]] = None
    published: Dict[str, Any] = field(default_factory=dict)
    notes: Sequence[str] = ()
    budget_text: str = ""

    def describe(self) -> str:
        """Several lines for ``tfgans reproduce --list``."""
        lines = [f"{self.key}{' (alias ' + ', '.join(self.aliases) + ')' if self.aliases else ''}: "
                 f'"{self.title}", {self.authors} [{self.source}]',
                 f"  reproduces: {self.reproduces}",
                 f"  datasets: {', '.join(self.datasets)}; default budget "
                 f"{self.budget_text or f'{self.budget_minutes:g} min per model'}"]
        if self.entries:
            lines.append("  models: " + ", ".join(f"{e.label} ({e.preset})" for e in self.entries))
        for claim in self.claims:
            lines.append(f"  claim [{claim.key}]: {claim.text}")
        return "\n".join(lines)


# --- the registry ------------------------------------------------------------------------------------------
_REGISTRY: Dict[str, Report] = {}


def _load() -> Dict[str, Report]:
    if not _REGISTRY:
        for info in pkgutil.iter_modules(__path__):
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


def reproduce(report, out: str, **options) -> str:
    """Runs (or resumes) a report's experiment in ``out`` and writes its ``report.md``; returns its path.

    ``report`` is a :class:`Report` or its key. ``options`` are those of
    :func:`tfgans.experiment.reproduce` (``data_dir``, ``budget_minutes``, ``quick``, ``clock``, ``seed``,
    ``eval_samples``, ``models``, ``download``, ``verbose``); a report with its own ``runner`` takes the same.
    """
    report = get(report) if isinstance(report, str) else report
    if report.runner is not None:
        return report.runner(report, out, **options)
    from tfgans.experiment import reproduce as run_experiment

    return run_experiment(report, out, **options)
