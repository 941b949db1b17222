"""The five reports tfgans reproduces, one module each, found by the registry; their claims and verdicts.

    tfgans reproduce --list                        # every claim: where, at which length, how it is judged
    tfgans reproduce sun --out runs/sun --data-dir ../shared/tfds        # each model to the report's length
    tfgans reproduce chakkarwar --out runs/chakkarwar --quick

Each module ``tfgans/reports/<key>.py`` (the report's first author) defines ``REPORT``, a :class:`Report`: the
report's metadata, the models its experiment trains (:class:`Entry`) and its claims (:class:`Claim`), each with
where the report makes it, the training length it is made at and a judge. Adding a report is adding a file: the
registry imports every module of this package but :mod:`tfgans.reports.judges`, the judging helpers they share.
Verdicts come only from :func:`decide`, which answers "cannot tell" until every model a claim compares reached
its length. The experiment engine is :mod:`tfgans.experiment`, the figures and ``report.md``
:mod:`tfgans.figures`. Report modules import no TensorFlow, so ``tfgans --help`` and ``tfgans reproduce --list``
stay fast; an ImportError inside one is a bug and is raised, never hidden.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

__all__ = ["Claim", "Entry", "Report", "Verdict", "ModelResult", "HOLDS", "DOES_NOT_HOLD", "CANNOT_TELL",
           "all_reports", "get", "keys", "decide"]

HOLDS = "holds"
DOES_NOT_HOLD = "does not hold"
CANNOT_TELL = "cannot tell"
#: The epochs whose CPU time gives a run's rate in :meth:`ModelResult.cpu_hours_for`.
RECENT_EPOCHS = 10
#: A run's record counts epochs to 4 decimals; a model within this of a claim's length has reached it.
_LENGTH_TOLERANCE = 1e-3


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
        progress: ``done``, ``stopped_by`` (``budget``, ``epochs`` or ``nan``), ``first_step_seconds``,
            ``machines``, ``policies``.
        settings: the run's ``run.json`` (preset, batch size, ``mixed_precision``, ...); empty for records that
            have none.
    """

    entry: "Entry"
    epochs: List[Dict[str, float]]
    steps: Dict[str, List[float]]
    progress: Dict[str, Any]
    settings: Dict[str, Any] = field(default_factory=dict)

    @property
    def precision(self) -> str:
        """The dtype policies the run trained in (``tfgans.runs.precision``)."""
        from tfgans import runs

        return runs.precision(self.progress, self.settings)

    @property
    def where(self) -> str:
        """The precision and the machines the run trained on, as its record names them."""
        machines = "; ".join(self.progress.get("machines", [])) or "a machine not recorded"
        return f"{self.precision} on {machines}"

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

    def until(self, epochs: float) -> List[Dict[str, float]]:
        """The epoch rows up to ``epochs`` passes over the data (what the run had recorded by then)."""
        return [row for row in self.epochs if row["epochs"] <= epochs + _LENGTH_TOLERANCE]

    def reached(self, epochs: float) -> bool:
        """Whether the run has trained ``epochs`` passes over the data (within the record's rounding)."""
        return self.epochs_done + _LENGTH_TOLERANCE >= epochs

    @property
    def cpu_minutes(self) -> Optional[float]:
        """The CPU-minutes the record counts (since :attr:`cpu_clock_from`); None if it has no CPU clock yet."""
        clocked = [row["cpu_minutes"] for row in self.epochs if row.get("cpu_minutes") is not None]
        return clocked[-1] if clocked else None

    def cpu_hours_for(self, epochs: float) -> Optional[float]:
        """CPU-hours that ``epochs`` passes take at this run's recent rate (its last :data:`RECENT_EPOCHS` epochs,
        or all of them; None before its first epoch). Recent, because a run resumed under other settings (threads,
        code) or whose early record has no CPU clock (wall time stands in) costs what it costs now."""
        rows = [row for row in self.epochs if row.get("cpu_minutes") is not None]
        if not rows or rows[-1]["epochs"] <= self.cpu_clock_from:
            return None
        first, last = rows[max(0, len(rows) - 1 - RECENT_EPOCHS)], rows[-1]
        if len(rows) > 1 and last["epochs"] > first["epochs"]:
            per_epoch = (last["cpu_minutes"] - first["cpu_minutes"]) / (last["epochs"] - first["epochs"])
        else:
            per_epoch = last["cpu_minutes"] / (last["epochs"] - self.cpu_clock_from)
        return per_epoch * epochs / 60.0

    @property
    def cpu_clock_from(self) -> float:
        """The epochs before the record's CPU clock started: 0, or for a run of an earlier version that recorded
        no CPU time (the migrated semi-supervised curve), the epochs it had trained when it was resumed."""
        unclocked = [row["epochs"] for row in self.epochs if row.get("cpu_minutes") is None]
        return max(unclocked) if unclocked else 0.0

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
        eval_epochs: epochs after which the model is always evaluated (those the report's claims name).
        seed: the seed of this model's run, where a report trains one preset several times (the seeds of the
            semi-supervised table); None for the experiment's seed.
        folder: its run folder's name in the experiment folder (default ``key``).
        options, quick_options: more arguments of ``tfgans.training.train`` for this model, always and with
            ``--quick`` (a semi-supervised seed's ``num_labeled``; a quick run's ``steps_per_epoch``).
    """

    key: str
    preset: str
    label: str
    loss_figures: str = ""
    grid_figures: str = ""
    steps_per_epoch: Optional[int] = None
    quick_kwargs: Dict[str, Any] = field(default_factory=dict)
    eval_epochs: Tuple[int, ...] = ()
    seed: Optional[int] = None
    folder: Optional[str] = None
    options: Dict[str, Any] = field(default_factory=dict)
    quick_options: Dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Claim:
    """A claim of a report, where the report makes it, at which training length, and how it is judged.

    A claim is decided only by :func:`decide`, which calls the judge only once every model in ``at`` has
    trained to its length; below it the verdict is :data:`CANNOT_TELL` with how far the run got, what the
    rest would cost, and the judge's reading of the record so far as the trend.

    Attributes:
        key: short name.
        text: the claim, quoted or paraphrased.
        where: where the report makes it (``"sec. 4.1, Fig. 5"``).
        judge: ``{entry key: ModelResult} -> Verdict``; it may read beyond the claim's length (a run trains on),
            so a claim about epoch 10 reads the rows ``result.until(10)``.
        criterion: how the judge decides, in one sentence (printed in ``report.md``).
        at: ``{entry key: epochs}``: the models the claim compares and the training length, in passes over
            the data, at which the report makes it.
        length: where that length comes from (``"sec. 2.1.3: 100 epochs"``, or the reference code's length
            where the report states none).
        needs: for a claim that cannot be tested here (another dataset, nets tfgans does not train): what it
            needs and the command that tests it where that is; empty for claims tested on MNIST here.
    """

    key: str
    text: str
    judge: Optional[Callable[[Mapping[str, ModelResult]], Verdict]] = None
    criterion: str = ""
    where: str = ""
    at: Mapping[str, float] = field(default_factory=dict)
    length: str = ""
    needs: str = ""

    def __post_init__(self):
        if self.judge is None and not self.needs:
            raise ValueError(f"Claim {self.key!r}: a claim tested here needs a judge; one that cannot be tested "
                             "here says what it needs.")
        if self.judge is not None and not self.at and not self.needs:
            raise ValueError(f"Claim {self.key!r}: name the models it compares and their lengths (at=...).")


def decide(claim: Claim, results: Mapping[str, ModelResult]) -> Verdict:
    """The verdict on ``claim``: the judge's, only when every model of ``claim.at`` reached its length.

    Below the length, or without a record, the verdict is :data:`CANNOT_TELL` naming how far each model
    got, and the judge's reading so far (if it has one) as the trend. A judge cannot bypass this. A model whose
    run stopped on a NaN loss never reaches its length: the judge decides on what it recorded.
    """
    if claim.needs:
        return Verdict(CANNOT_TELL, f"not tested here: {claim.needs}")
    short = []
    for key, epochs in claim.at.items():
        result = results.get(key)
        if result is None or not result.epochs:
            short.append(f"{key} not trained yet ({epochs:g} epochs needed)")
            continue
        done = result.epochs_done
        if result.progress.get("stopped_by") == "nan":
            continue  # it diverged: it never reaches the length, and the judge reads that from its record
        if not result.reached(epochs):
            hours = result.cpu_hours_for(epochs)
            cost = ""
            if hours:
                cost = (f"; {epochs:g} epochs take about {hours:.1f} CPU-hours" if hours >= 1
                        else f"; {epochs:g} epochs take about {60 * hours:.0f} CPU-minutes") + " at its recent rate"
            short.append(f"{result.entry.label} trained {done:.4g} of {epochs:g} epochs ({100 * done / epochs:.0f} %)"
                         + cost)
    if not short:
        return claim.judge(results)
    trend = ""
    if all(k in results and results[k].epochs for k in claim.at):
        try:
            trend = f"; so far: {claim.judge(results).evidence}"
        except (KeyError, IndexError, ValueError, ZeroDivisionError):
            trend = ""
    return Verdict(CANNOT_TELL, "; ".join(short) + trend)


@dataclass(frozen=True)
class Report:
    """A report of ``../shared/seeds`` as tfgans reproduces it.

    Attributes:
        key: the first author's surname, also the module name (``sun``).
        title, authors: as printed on the report.
        source: the seed file.
        reproduces: what tfgans reproduces of it, one sentence.
        datasets: the datasets its experiment uses (those it can use here first).
        entries: the models its experiment trains, each to the report's length.
        claims: what the report claims, each with its judge.
        aliases: other keys that name it (``salimans`` for ``daw``).
        published: numbers the report publishes, for the table in ``report.md``.
        notes: anything the reader of ``report.md`` should know (deviations, budget caveats).
        budget_text: the default training length in words.
        scores: the per-epoch scores its figures plot (``fid`` and ``is`` of generated images; a classifier's
            test ``errors``).
        evaluates: whether its models' samples are scored (FID, KID, classifier score) as they train.
        summary: ``{entry key: ModelResult} -> [markdown lines]`` added to ``report.md`` (a table of the
            report's figures beside tfgans'), or None.
    """

    key: str
    title: str
    authors: str
    source: str
    reproduces: str
    datasets: Tuple[str, ...]
    entries: Tuple[Entry, ...] = ()
    claims: Tuple[Claim, ...] = ()
    aliases: Tuple[str, ...] = ()
    published: Dict[str, Any] = field(default_factory=dict)
    notes: Sequence[str] = ()
    budget_text: str = ""
    scores: Tuple[str, ...] = ("fid", "is")
    evaluates: bool = True
    summary: Optional[Callable[[Mapping[str, "ModelResult"]], List[str]]] = None

    def entry_options(self, entry: Entry, quick: bool) -> Dict[str, Any]:
        """``tfgans.training.train`` arguments of ``entry`` beyond the experiment's."""
        return {**entry.options, **(entry.quick_options if quick else {})}

    def describe(self) -> str:
        """Several lines for ``tfgans reproduce --list``."""
        lines = [f"{self.key}{' (alias ' + ', '.join(self.aliases) + ')' if self.aliases else ''}: "
                 f'"{self.title}", {self.authors} [{self.source}]',
                 f"  reproduces: {self.reproduces}",
                 f"  datasets: {', '.join(self.datasets)}; trains "
                 f"{self.budget_text or 'each model to the report' + chr(39) + 's length (--budget-minutes caps it)'}"]
        if self.entries:
            lines.append("  models: " + ", ".join(f"{e.label} ({e.preset})" for e in self.entries))
        for claim in self.claims:
            at = ", ".join(f"{k} {v:g} epochs" for k, v in claim.at.items())
            lines.append(f"  claim [{claim.key}] ({claim.where}{'; at ' + at if at else ''}): {claim.text}"
                         + (f"\n      not tested here: {claim.needs}" if claim.needs else ""))
        return "\n".join(lines)


# --- the registry ------------------------------------------------------------------------------------------
_REGISTRY: Dict[str, Report] = {}
#: Modules of this package that are not reports: the judging helpers the reports share.
_HELPERS = ("judges",)


def _load() -> Dict[str, Report]:
    if not _REGISTRY:
        for info in pkgutil.iter_modules(__path__):
            if info.name in _HELPERS:
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
