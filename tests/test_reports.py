"""The report registry, `tfgans reproduce`, the budgeted experiment engine and the claims' judges."""

import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import keras

from tfgans import cli, experiment, presets, reports, runs
from tfgans.nets import kapoor
from tfgans.reports import CANNOT_TELL, DOES_NOT_HOLD, HOLDS, Entry, ModelResult
from tfgans.reports import judges


# --- the registry -----------------------------------------------------------------------------------------------


def test_registry_finds_every_report_module_and_the_salimans_alias():
    assert {"sun", "chakkarwar", "kapoor", "daw"} <= {r.key for r in reports.all_reports()}
    assert reports.get("salimans") is reports.get("daw")
    with pytest.raises(ValueError, match="Unknown report 'goodfellow'.*known reports: .*chakkarwar"):
        reports.get("goodfellow")


def test_every_report_names_existing_presets_and_judges_each_claim():
    for report in reports.all_reports():
        assert report.claims and report.title and report.source.startswith("seed 00")
        for entry in report.entries:
            presets.get(entry.preset)  # raises for an unknown name
        assert len({e.key for e in report.entries}) == len(report.entries)


def test_an_import_error_inside_a_report_module_is_raised_not_hidden(monkeypatch):
    import importlib

    real = importlib.import_module

    def broken(name, *args):
        if name == "tfgans.reports.sun":
            raise ImportError("No module named 'scipy.spatial' (a bug inside the report module)")
        return real(name, *args)

    monkeypatch.setattr(reports, "_REGISTRY", {})
    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(ImportError, match="a bug inside"):
        reports.all_reports()


def test_help_presets_and_the_report_list_answer_without_importing_tensorflow():
    code = ("import sys\nfrom tfgans import cli\n"
            "for argv in (['presets'], ['reproduce', '--list']):\n    assert cli.main(argv) == 0\n"
            "cli.build_parser().format_help()\n"
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'imported TensorFlow'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "dcgan-mnist-sun" in result.stdout and "claim [dcgan-wins]" in result.stdout


def test_reproduce_refuses_bad_input_before_writing_anything(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["reproduce", "sun", "--out", str(out), "--budget-minutes", "0"]) == 2
    assert "--budget-minutes must be positive" in capsys.readouterr().err
    assert cli.main(["reproduce", "sun"]) == 2
    assert "--out is required" in capsys.readouterr().err
    assert cli.main(["reproduce", "sun", "--out", str(out), "--models", "transformer"]) == 2
    assert "Unknown model(s) ['transformer']" in capsys.readouterr().err
    assert cli.main(["reproduce", "nobody", "--out", str(out)]) == 2
    assert not out.exists()


def test_compare_and_semisup_are_the_kapoor_and_daw_hooks(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(experiment, "reproduce", lambda report, out, **kw: calls.append((report.key, out, kw)))
    assert cli.main(["compare", "--study", "kapoor", "--budget-minutes", "3", "--out", str(tmp_path),
                     "--models", "linear,lstm"]) == 0
    key, out, options = calls[0]
    assert (key, out, options["budget_minutes"], options["models"]) == ("kapoor", str(tmp_path), 3.0,
                                                                         ["linear", "lstm"])
    assert cli.build_parser().parse_args(["semisup", "--table"]).func.target == "tfgans.semisup:run"


# --- the claims' judges, on hand-made records ------------------------------------------------------------------


def record(key, epochs, *, fid=None, score=None, steps=None, ms=10.0, stopped="epochs", **columns):
    """A ModelResult of ``epochs`` epochs of 10 steps for entry ``key``: ``fid`` and ``score`` ({epoch: value}) on
    the evaluated epochs, ``columns`` ({name: value or f(epoch)}) on every row, ``steps`` ({metric: [per step]}),
    ``ms`` CPU milliseconds a step."""
    rows = []
    for e in range(1, epochs + 1):
        minutes = ms * e / 6000
        row = {"epoch": e, "step": 10 * e, "epochs": float(e), "train_minutes": minutes, "cpu_minutes": minutes}
        row.update({name: value(e) if callable(value) else value for name, value in columns.items()})
        row.update({name: values[e] for name, values in (("fid", fid), ("is", score)) if values and e in values})
        rows.append(row)
    return ModelResult(Entry(key, "dcgan-mnist-sun", key.upper()), rows, steps or {},
                       {"done": True, "stopped_by": stopped, "machines": ["a test machine"]})


def claim(report, key):
    return next(c for c in reports.get(report).claims if c.key == key)


def wave(e):  # +0.1, -0.1, ...: epoch means that move every epoch
    return 0.1 * (-1) ** e


# Per-step profiles of 3,000 steps (Kapoor's Figs. 2-3).
FLAT_BY_200 = np.concatenate([np.linspace(3, 1, 250), np.ones(2750)])
FLAT_BY_100 = np.concatenate([np.linspace(2, 1, 100), np.ones(2900)])
SLOPE = np.linspace(3, 1, 3000)
PEAK_AT_40 = np.concatenate([np.linspace(1, 3, 40), np.linspace(3, 1, 2960)])
PEAK_AT_500 = np.concatenate([np.linspace(1, 3, 500), np.linspace(3, 1, 2500)])


def sun(dcgan=None, wgan=None):
    return {k: v for k, v in (("dcgan", dcgan), ("wgan", wgan)) if v is not None}


def confidences(level, digits):
    """Columns of each digit's mean classifier confidence: ``level``, or ``digits[c]``."""
    return {f"conf_{c}": digits.get(c, level) for c in range(10)}


def four(linear=None, dcgan=None, pool=None, lstm=None, ms=(5, 50, 60, 30)):
    """Kapoor's four models, 500 epochs each, with FIDs ({epoch: value}) and ms per step."""
    fids = dict(linear=linear, dcgan=dcgan, pool=pool, lstm=lstm)
    keys = dict(linear="linear", dcgan="dcgan", pool="dcgan-pool", lstm="lstm")
    return {keys[k]: record(keys[k], 500, fid=fids[k] or {1: 400.0, 10: 400.0, 50: 400.0, 250: 400.0, 500: 400.0},
                            ms=m) for k, m in zip(keys, ms)}


def at500(linear, dcgan, pool, lstm):
    return four({500: linear}, {500: dcgan}, {500: pool}, {500: lstm})


def seeds(column, epochs, *values, stopped=()):
    return {f"seed{i + 1}": record(f"seed{i + 1}", epochs, stopped="nan" if i + 1 in stopped else "epochs",
                                   **{column: v, "loss_gen": 1.0, "loss_lab": 0.1, "loss_unl": 0.3})
            for i, v in enumerate(values)}


def rows_at(epochs, raw_errors=None, errors=None, net="sigmoid"):
    """The daw report's label rows (seed 1 of 20, 50, 100 and 200 labels) of the paper's Sigmoid net or of the
    Softplus one Daw et al. ran, ``epochs`` long, with a column's values given per row (a tuple in that order, or
    {labels: value} for some rows)."""
    keys = ({20: "labels20", 50: "labels50", 100: "seed1", 200: "labels200"} if net == "sigmoid" else
            {20: "softplus20", 50: "softplus50", 100: "softplus", 200: "softplus200"})
    column, values = ("raw_errors", raw_errors) if raw_errors is not None else ("errors", errors)
    if not isinstance(values, dict):
        values = dict(zip(keys, values))
    return {keys[n]: record(keys[n], epochs, **{column: v, "loss_gen": 1.0}) for n, v in values.items()}


def softplus_beside(epochs, softplus, sigmoid):
    """daw's Softplus-output run beside seed 1 (the Sigmoid), ``epochs`` long, with their raw test errors."""
    return {key: record(key, epochs, raw_errors=v, loss_gen=1.0)
            for key, v in (("softplus", softplus), ("seed1", sigmoid))}


LINEAR = {1: 100.0, 10: 30.0, 50: 28.0, 250: 27.0, 500: 27.0}
SMOOTH = {1: 300.0, 250: 60.0, 500: 30.0}
LSTM_UP = {1: 400.0, 250: 200.0, 500: 500.0}  # 500 after 200: a blow-up

# (report, claim, a record where it holds, a record where it does not)
JUDGED = [
    ("sun", "satisfying-at-100", sun(record("dcgan", 100, fid={100: 15.0})),
     sun(record("dcgan", 100, fid={100: 30.0}))),
    ("sun", "no-improvement-after-50", sun(record("dcgan", 100, fid={50: 20.0, 100: 18.0})),
     sun(record("dcgan", 100, fid={50: 30.0, 100: 20.0}))),
    ("sun", "losses-same-magnitude", sun(record("dcgan", 100, d_loss=0.6, g_loss=2.0)),
     sun(record("dcgan", 100, d_loss=0.05, g_loss=3.0))),
    ("sun", "equal-lr-d-loss-smaller", {"dcgan-equal-lr": record("dcgan-equal-lr", 100, d_loss=0.05, g_loss=3.0)},
     {"dcgan-equal-lr": record("dcgan-equal-lr", 100, d_loss=0.6, g_loss=2.0)}),
    ("sun", "poor-2-5-8-at-10", sun(record("dcgan", 10, **confidences(0.9, {2: 0.8, 5: 0.85, 8: 0.7}))),
     sun(record("dcgan", 10, **confidences(0.9, {2: 0.8, 5: 0.95, 8: 0.7})))),
    ("sun", "ideal-digits-later", sun(record("dcgan", 30, **confidences(0.8, {c: 0.93 for c in (0, 1, 3, 5, 7, 9)}))),
     sun(record("dcgan", 30, **confidences(0.95, {7: 0.89})))),
    ("sun", "losses-fluctuate",
     sun(record("dcgan", 100, steps={"d_loss": [1.0, 1.5] * 500, "g_loss": [2.0, 3.0] * 500})),
     sun(record("dcgan", 100, steps={"d_loss": [1.0] * 1000, "g_loss": [2.0, 3.0] * 500}))),
    ("sun", "losses-move-oppositely",
     sun(record("dcgan", 100, d_loss=lambda e: 1 + wave(e), g_loss=lambda e: 1 - wave(e))),
     sun(record("dcgan", 100, d_loss=lambda e: 1 + wave(e), g_loss=lambda e: 2 + wave(e)))),
    ("sun", "loss-level-flat", sun(record("dcgan", 100, d_loss=lambda e: 0.6 + wave(e), g_loss=2.0)),
     sun(record("dcgan", 100, d_loss=0.6, g_loss=lambda e: 4 - 0.03 * e))),
    ("sun", "quality-improves", sun(record("dcgan", 100, fid={10: 100.0, 30: 40.0, 100: 20.0})),
     sun(record("dcgan", 100, fid={10: 40.0, 30: 38.0, 100: 35.0}))),
    ("sun", "good-after-30-epochs", sun(record("dcgan", 30, fid={10: 80.0, 30: 15.0})),
     sun(record("dcgan", 30, fid={10: 15.0, 30: 40.0}))),
    ("sun", "blurry-at-10", sun(record("dcgan", 10, fid={10: 80.0})), sun(record("dcgan", 10, fid={10: 15.0}))),
    ("sun", "wgan-g-loss-below-0", sun(wgan=record("wgan", 50, g_loss=lambda e: 0.3 if e < 3 else -0.25)),
     sun(wgan=record("wgan", 50, g_loss=lambda e: 0.5 if e <= 11 else -0.1))),
    ("sun", "wgan-stable", sun(wgan=record("wgan", 50, fid={1: 300.0, 10: 100.0, 30: 60.0, 50: 50.0})),
     sun(wgan=record("wgan", 50, fid={1: 300.0, 10: 50.0, 30: 150.0, 50: 60.0}))),
    ("sun", "no-quality-difference", sun(record("dcgan", 100, fid={100: 20.0}), record("wgan", 50, fid={50: 22.0})),
     sun(record("dcgan", 100, fid={100: 20.0}), record("wgan", 50, fid={50: 40.0}))),
    ("sun", "both-satisfying", sun(record("dcgan", 100, fid={100: 15.0}), record("wgan", 50, fid={50: 18.0})),
     sun(record("dcgan", 100, fid={100: 15.0}), record("wgan", 50, fid={50: 40.0}))),
    ("chakkarwar", "both-good-to-an-extent",
     {"gan": record("gan", 60, fid={60: 80.0}), "dcgan": record("dcgan", 60, fid={60: 50.0})},
     {"gan": record("gan", 60, fid={60: 120.0}), "dcgan": record("dcgan", 60, fid={60: 50.0})}),
    ("chakkarwar", "dcgan-better-images",
     {"gan": record("gan", 60, fid={50: 100.0}), "dcgan": record("dcgan", 60, fid={54: 60.0})},
     {"gan": record("gan", 60, fid={50: 100.0}), "dcgan": record("dcgan", 60, fid={54: 90.0})}),
    ("chakkarwar", "dcgan-wins",
     {"gan": record("gan", 60, fid={60: 100.0}), "dcgan": record("dcgan", 60, fid={60: 40.0})},
     {"gan": record("gan", 60, fid={60: 40.0}), "dcgan": record("dcgan", 60, fid={60: 100.0})}),
    ("chakkarwar", "dcgan-slower", {"gan": record("gan", 60, ms=20), "dcgan": record("dcgan", 60, ms=100)},
     {"gan": record("gan", 60, ms=20), "dcgan": record("dcgan", 60, ms=10)}),
    ("chakkarwar", "losses-settle",
     {k: record(k, 60, d_loss=lambda e: 0.6 + wave(e) / 5, g_loss=1.5) for k in ("gan", "dcgan")},
     {"gan": record("gan", 60, d_loss=0.6, g_loss=1.5),
      "dcgan": record("dcgan", 60, d_loss=0.6, g_loss=lambda e: 5 - 0.07 * e)}),
    ("chakkarwar", "settled-no-improvement", {k: record(k, 60, fid={40: 50.0, 60: 45.0}) for k in ("gan", "dcgan")},
     {"gan": record("gan", 60, fid={40: 100.0, 60: 60.0}), "dcgan": record("dcgan", 60, fid={40: 50.0, 60: 45.0})}),
    ("chakkarwar", "d-loss-rises-as-dcgan-improves",
     {"dcgan": record("dcgan", 60, fid={e: 300.0 / e for e in range(5, 61, 5)}, d_loss=lambda e: 0.5 + e / 100)},
     {"dcgan": record("dcgan", 60, fid={e: 300.0 / e for e in range(5, 61, 5)}, d_loss=lambda e: 1.5 - e / 100)}),
    ("chakkarwar", "losses-move-oppositely",
     {k: record(k, 60, d_loss=lambda e: 1 + wave(e), g_loss=lambda e: 1 - wave(e)) for k in ("gan", "dcgan")},
     {"gan": record("gan", 60, d_loss=lambda e: 1 + wave(e), g_loss=lambda e: 1 - wave(e)),
      "dcgan": record("dcgan", 60, d_loss=lambda e: 1 + wave(e), g_loss=lambda e: 1 + wave(e))}),
    ("kapoor", "linear-fastest", four(), four(ms=(40, 50, 60, 30))),
    ("kapoor", "dcgan-slower-per-step", four(), four(ms=(40, 50, 60, 30))),
    ("kapoor", "dcgan-more-steps",
     four(LINEAR, {1: 300.0, 10: 200.0, 50: 100.0, 250: 40.0, 500: 30.0}),
     four(LINEAR, {1: 300.0, 10: 35.0, 50: 33.0, 250: 31.0, 500: 30.0})),
    ("kapoor", "linear-saturates", four({50: 28.0, 500: 28.0}, {50: 100.0, 500: 30.0}, {50: 300.0, 500: 250.0},
                                        {50: 400.0, 500: 390.0}),
     four({50: 100.0, 500: 27.0}, {50: 100.0, 500: 30.0}, {50: 300.0, 500: 250.0}, {50: 400.0, 500: 390.0})),
    # LSTM gradients: a net whose norm decays a thousandfold over 3,000 steps, against two that only wobble.
    ("kapoor", "lstm-gradients-vanish",
     {"lstm": record("lstm", 13, steps={"g_norm": np.geomspace(2.0, 2e-3, 3000), "d_norm": np.ones(3000)})},
     {"lstm": record("lstm", 13, steps={"g_norm": 1 + 0.5 * np.sin(np.arange(3000.0)),
                                        "d_norm": np.full(3000, 0.5)})}),
    ("kapoor", "linear-g-loss-flat-by-300", {"linear": record("linear", 500, steps={"g_loss": FLAT_BY_200})},
     {"linear": record("linear", 500, steps={"g_loss": SLOPE})}),
    ("kapoor", "linear-d-loss-flat-earlier",
     {"linear": record("linear", 500, steps={"g_loss": FLAT_BY_200, "d_loss": FLAT_BY_100})},
     {"linear": record("linear", 500, steps={"g_loss": FLAT_BY_200, "d_loss": FLAT_BY_200})}),
    ("kapoor", "linear-improves-by-50", {"linear": record("linear", 500, steps={"g_loss": PEAK_AT_40})},
     {"linear": record("linear", 500, steps={"g_loss": PEAK_AT_500})}),
    ("kapoor", "dcgan-improves-after-200", {"dcgan": record("dcgan", 500, steps={"g_loss": PEAK_AT_500})},
     {"dcgan": record("dcgan", 500, steps={"g_loss": PEAK_AT_40})}),
    ("kapoor", "dcgan-keeps-improving", {"dcgan": record("dcgan", 50, fid={10: 200.0, 50: 80.0})},
     {"dcgan": record("dcgan", 50, fid={10: 100.0, 50: 95.0})}),
    ("kapoor", "dcgan-long-term-potential", four({250: 28.0, 500: 27.0}, {250: 60.0, 500: 30.0}),
     four({250: 28.0, 500: 27.0}, {250: 31.0, 500: 30.0})),
    ("kapoor", "dcgans-do-not-explode", {k: record(k, 500, d_loss=0.6, g_loss=1.0) for k in ("dcgan", "dcgan-pool")},
     {"dcgan": record("dcgan", 500, d_loss=0.6), "dcgan-pool": record("dcgan-pool", 500, stopped="nan")}),
    ("kapoor", "dcgan-most-stable",
     {**four({1: 100.0, 100: 20.0, 500: 60.0}, SMOOTH, None, LSTM_UP),
      "dcgan-pool": record("dcgan-pool", 500, stopped="nan")},
     four({1: 100.0, 100: 30.0, 500: 25.0}, SMOOTH, None, LSTM_UP)),
    ("kapoor", "lstm-no-improvement", {"lstm": record("lstm", 500, fid={1: 400.0, 500: 380.0})},
     {"lstm": record("lstm", 500, fid={1: 400.0, 500: 100.0})}),
    ("kapoor", "pool-no-lasting-improvement", {"dcgan-pool": record("dcgan-pool", 500, fid={10: 300.0, 500: 290.0})},
     {"dcgan-pool": record("dcgan-pool", 500, fid={10: 300.0, 500: 100.0})}),
    ("kapoor", "linear-best", at500(20.0, 40.0, 200.0, 400.0), at500(35.0, 40.0, 200.0, 400.0)),
    ("kapoor", "linear-legible", {"linear": record("linear", 500, fid={500: 15.0})},
     {"linear": record("linear", 500, fid={500: 30.0})}),
    ("kapoor", "ranking", at500(20.0, 40.0, 200.0, 400.0), at500(20.0, 300.0, 200.0, 400.0)),
    ("kapoor", "pooling-hurts", at500(20.0, 40.0, 200.0, 400.0), at500(20.0, 190.0, 200.0, 400.0)),
    ("kapoor", "poor-throughout", four(pool={1: 400.0, 250: 150.0, 500: 200.0}, lstm={1: 500.0, 500: 300.0}),
     four(pool={1: 400.0, 250: 60.0, 500: 200.0}, lstm={1: 500.0, 500: 300.0})),
    ("kapoor", "pool-slightly-better-than-lstm", at500(20.0, 40.0, 200.0, 300.0), at500(20.0, 40.0, 200.0, 500.0)),
    ("zhu", "cfg-beats-wgangp",
     {"cfggan": record("cfggan", 160, fid={160: 15.0}, score={160: 9.0}),
      "wgangp": record("wgangp", 160, fid={160: 30.0}, score={160: 8.0})},
     {"cfggan": record("cfggan", 160, fid={160: 28.0}, score={160: 9.0}),  # a higher score alone is not enough
      "wgangp": record("wgangp", 160, fid={160: 30.0}, score={160: 8.0})}),
    ("zhu", "both-perform-well",
     {"cfggan": record("cfggan", 160, fid={160: 15.0}), "wgangp": record("wgangp", 160, fid={160: 18.0})},
     {"cfggan": record("cfggan", 160, fid={160: 15.0}), "wgangp": record("wgangp", 160, fid={160: 40.0})}),
    ("zhu", "cfg-dcgan-no-breakdown", {"cfggan": record("cfggan", 160, score={10: 3.0, 50: 6.0, 100: 7.0, 160: 7.5})},
     {"cfggan": record("cfggan", 160, score={10: 3.0, 50: 6.0, 100: 3.0, 160: 3.1})}),
    ("daw", "paper-100-labels", seeds("errors", 300, 100.0, 95.0), seeds("errors", 300, 130.0, 95.0)),
    ("daw", "daw-100-labels", softplus_beside(10, 440.0, 1900.0), softplus_beside(10, 1300.0, 1900.0)),
    ("daw", "sigmoid-explodes", seeds("errors", 300, 100.0, 95.0, stopped=(2,)), seeds("errors", 300, 100.0, 95.0)),
    # x1.25 the Sigmoid net's errors is the line; 1.2x is not enough.
    ("daw", "softplus-explains-gap", softplus_beside(10, 500.0, 400.0), softplus_beside(10, 480.0, 400.0)),
    ("daw", "more-labels-fewer-errors", rows_at(10, raw_errors=(1900.0, 600.0, 440.0, 400.0), net="softplus"),
     rows_at(10, raw_errors=(1900.0, 600.0, 700.0, 400.0), net="softplus")),
    *[("daw", f"paper-{n}-labels", rows_at(300, **{"errors": {n: good}}), rows_at(300, **{"errors": {n: bad}}))
      for n, good, bad in ((20, 1700.0, 2700.0), (50, 300.0, 600.0), (200, 95.0, 120.0))],
    *[("daw", f"daw-{n}-labels", rows_at(10, raw_errors={n: good}, net="softplus"),
       rows_at(10, raw_errors={n: bad}, net="softplus"))
      for n, good, bad in ((20, 2000.0, 3000.0), (50, 570.0, 800.0), (200, 400.0, 100.0))],
]


@pytest.mark.parametrize("report, key, holds, fails", JUDGED, ids=[f"{r}:{k}" for r, k, _, _ in JUDGED])
def test_each_judge_holds_on_one_record_and_not_on_another(report, key, holds, fails):
    c = claim(report, key)
    verdict = c.judge(holds)
    assert verdict.status == HOLDS, verdict.evidence
    verdict = c.judge(fails)
    assert verdict.status == DOES_NOT_HOLD, verdict.evidence
    # Records as long as the claim's lengths: decide passes the judge's verdict on.
    if all(holds[k].epochs_done >= epochs for k, epochs in c.at.items()):
        assert reports.decide(c, holds).status == HOLDS


def test_per_digit_and_gradient_judges_read_their_columns_strictly():
    # 2, 5 and 8 below the others but all "ideal" (>= 0.9): not a poor representation.
    assert claim("sun", "poor-2-5-8-at-10").judge(
        sun(record("dcgan", 10, **confidences(0.97, {2: 0.93, 5: 0.94, 8: 0.92})))).status == DOES_NOT_HOLD
    # Steps skipped for a non-finite gradient (NaN in steps.csv) are left out of the 50-step means ...
    decay = np.geomspace(2.0, 2e-3, 3000)
    decay[::7] = np.nan
    lstm = {"lstm": record("lstm", 13, steps={"g_norm": decay, "d_norm": np.ones(3000)})}
    verdict = claim("kapoor", "lstm-gradients-vanish").judge(lstm)
    assert verdict.status == HOLDS and "dropped to 0: G's" in verdict.evidence
    # ... and a window with none left cannot be read.
    decay[100:150] = np.nan
    assert claim("kapoor", "lstm-gradients-vanish").judge(lstm).status == CANNOT_TELL
    # The loss judges read their windows the same way.
    g_loss = np.concatenate([np.linspace(5.0, 1.0, 200), np.ones(2800)])
    g_loss[::11] = np.nan
    linear = {"linear": record("linear", 13, steps={"g_loss": g_loss})}
    assert claim("kapoor", "linear-g-loss-flat-by-300").judge(linear).status == HOLDS


def test_cpu_times_are_compared_only_when_timed_on_one_machine_in_one_precision():
    gan, dcgan = record("gan", 60, ms=20), record("dcgan", 60, ms=100)
    judge_of = claim("chakkarwar", "dcgan-slower").judge
    assert judge_of({"gan": gan, "dcgan": dcgan}).status == HOLDS
    dcgan.settings["mixed_precision"] = True
    verdict = judge_of({"gan": gan, "dcgan": dcgan})
    assert verdict.status == CANNOT_TELL and verdict.evidence.endswith(
        "timed apart, so not compared: DCGAN mixed_bfloat16 on a test machine, GAN float32 on a test machine")
    gan.settings["mixed_precision"] = True
    gan.progress["machines"] = ["AMD EPYC, 2 cores"]
    assert judge_of({"gan": gan, "dcgan": dcgan}).status == CANNOT_TELL
    # Records that do not name their machine (earlier versions) cannot be said to share one.
    for result in (gan, dcgan):
        result.progress.pop("machines")
    assert judge_of({"gan": gan, "dcgan": dcgan}).status == CANNOT_TELL
    # The policy a run recorded names its precision (the flag alone would call a GPU's mixed_float16 bf16).
    gan.progress["policies"] = ["mixed_float16"]
    assert gan.precision == "mixed_float16" and dcgan.precision == "mixed_bfloat16"


def test_daw_evidence_says_when_the_discriminator_won_a_run():
    # Seed 1 of 20 labels with feature matching failed (generator loss 66 at epoch 10): its errors are a failed
    # run's, and the evidence says so beside the verdict.
    failed = rows_at(10, raw_errors=(5415.0, 600.0, 440.0, 400.0), net="softplus")
    failed["softplus20"] = record("softplus20", 10, raw_errors=5415.0, loss_gen=lambda e: 6.0 * e + 6)
    for key in ("daw-20-labels", "more-labels-fewer-errors"):
        verdict = claim("daw", key).judge(failed)
        assert "discriminator won (SOFTPLUS20: generator loss 66 at epoch 10" in verdict.evidence, verdict.evidence
    healthy = rows_at(10, raw_errors=(1900.0, 600.0, 440.0, 400.0), net="softplus")
    assert "discriminator won" not in claim("daw", "more-labels-fewer-errors").judge(healthy).evidence


def test_daws_own_figures_are_judged_on_the_softplus_rows_with_the_sigmoid_beside():
    record_ = softplus_beside(10, 440.0, 1900.0)
    verdict = claim("daw", "daw-100-labels").judge(record_)
    assert verdict.status == HOLDS and "(the paper's Sigmoid net: 1900)" in verdict.evidence, verdict.evidence
    assert claim("daw", "daw-100-labels").at == {"softplus": 10}
    # Softplus well below the Sigmoid, whose own errors are far above the paper's 93: the length, not the layer.
    gap = claim("daw", "softplus-explains-gap").judge(record_)
    assert gap.status == DOES_NOT_HOLD and "points to the length" in gap.evidence
    near = claim("daw", "softplus-explains-gap").judge(softplus_beside(10, 90.0, 100.0))
    assert near.status == DOES_NOT_HOLD and "points to the length" not in near.evidence


def test_a_record_that_starts_late_has_no_row_for_the_epochs_before_it():
    # A seed's record carried over from an earlier version starts at epoch 47: its first row is not epoch 10's.
    late = softplus_beside(80, 174.0, 174.0)
    late["softplus"].epochs[:] = late["softplus"].epochs[46:]
    verdict = claim("daw", "daw-100-labels").judge(late)
    assert verdict.status == CANNOT_TELL and "starts at epoch 47" in verdict.evidence, verdict.evidence
    assert claim("daw", "daw-100-labels").judge(softplus_beside(80, 174.0, 174.0)).status == DOES_NOT_HOLD


def test_every_judged_claim_has_a_test_above():
    judged = {(r.key, c.key) for r in reports.all_reports() for c in r.claims if c.judge is not None}
    assert judged == {(r, k) for r, k, _, _ in JUDGED}


def test_every_claim_says_where_and_at_which_length_the_report_makes_it():
    for report in reports.all_reports():
        entries = {e.key: e for e in report.entries}
        for c in report.claims:
            assert c.text and c.where and c.length, (report.key, c.key)
            if c.judge is None:
                assert c.needs and not c.at, (report.key, c.key)
                assert "`tfgans " in c.needs or "nothing in tfgans" in c.needs or "no tfgans command" in c.needs, \
                    (report.key, c.key, c.needs)
                continue
            assert c.criterion and c.at and not c.needs, (report.key, c.key)
            for key, epochs in c.at.items():
                # Within what `tfgans reproduce` trains: the preset's epochs.
                assert 0 < epochs <= presets.get(entries[key].preset).epochs, (report.key, c.key, key)


def test_decide_turns_a_short_runs_verdict_into_cannot_tell_naming_how_far_it_got():
    c = claim("sun", "losses-same-magnitude")
    short = {"dcgan": record("dcgan", 20, d_loss=0.05, g_loss=3.0)}
    assert c.judge(short).status == DOES_NOT_HOLD
    verdict = reports.decide(c, short)
    assert verdict.status == CANNOT_TELL
    assert "DCGAN trained 20 of 100 epochs (20 %)" in verdict.evidence
    assert "so far: median epoch means" in verdict.evidence
    assert reports.decide(c, {}).status == CANNOT_TELL  # not trained at all


def test_the_cost_of_a_length_is_taken_at_the_recent_rate():
    # 20 epochs at 10 CPU-minutes each (a slow early record, wall time standing in), then 20 at 2 minutes each.
    rows, minutes = [], 0.0
    for epoch in range(1, 41):
        minutes += 10.0 if epoch <= 20 else 2.0
        rows.append({"epoch": epoch, "step": epoch, "epochs": epoch, "train_minutes": minutes, "cpu_minutes": minutes})
    result = reports.ModelResult(reports.get("sun").entries[0], rows, {}, {})
    assert result.cpu_hours_for(300) == pytest.approx(2.0 * 300 / 60)  # not the 240 / 40 minutes of all epochs
    assert reports.ModelResult(result.entry, rows[:1], {}, {}).cpu_hours_for(60) == pytest.approx(10.0)
    assert reports.ModelResult(result.entry, [], {}, {}).cpu_hours_for(60) is None
    # A run of an earlier version without a CPU clock (its rows have none), resumed at epoch 20: one clocked epoch
    # of 2 CPU-minutes gives the rate; before it, the cost is unknown.
    unclocked = [{k: v for k, v in row.items() if k != "cpu_minutes"} for row in rows[:20]]
    resumed = unclocked + [{**rows[20], "cpu_minutes": 2.0}]
    assert reports.ModelResult(result.entry, resumed, {}, {}).cpu_hours_for(300) == pytest.approx(10.0)
    assert reports.ModelResult(result.entry, unclocked, {}, {}).cpu_hours_for(300) is None


def test_a_judge_cannot_tell_without_the_evaluation_it_needs():
    c = claim("sun", "good-after-30-epochs")
    verdict = c.judge({"dcgan": record("dcgan", 30, fid={10: 80.0})})
    assert verdict.status == CANNOT_TELL
    assert "no fid at epoch 30" in verdict.evidence and "last: 80 at epoch 10" in verdict.evidence
    assert claim("kapoor", "linear-g-loss-flat-by-300").judge({"linear": record("linear", 13)}).status == CANNOT_TELL


def test_a_run_in_chunks_is_read_at_the_chunk_that_completes_the_pass():
    # WGAN-GP in chunks of 100 steps, 187 steps a pass: chunks end at 159.893 and 160.428 passes.
    rows = [{"epoch": c, "step": 100 * c, "epochs": round(100 * c / 187, 4), "train_minutes": c, "cpu_minutes": c}
            for c in (298, 299, 300)]
    rows[-1].update(fid=25.0, **{"is": 8.0})
    chunked = ModelResult(Entry("wgangp", "wgangp-mnist-zhu", "WGAN-GP"), rows, {}, {"done": True})
    assert judges.value_at(chunked, 160) == 25.0
    assert judges.ms_per_step(chunked, 160) == pytest.approx(60000 * 300 / 30000)


def test_the_shared_fid_levels_are_ordered():
    assert judges.GOOD_FID < judges.FAIR_FID and judges.DIFFERENT < judges.BLOW_UP


# --- the budgeted, resumable engine ----------------------------------------------------------------------------


def read(path):
    with open(path) as f:
        return list(csv.DictReader(f))


@pytest.fixture
def tiny_presets(monkeypatch):
    """Chakkarwar's and Kapoor's presets with nets shrunk to a few units (structure kept)."""
    tiny = {
        "gan-mnist-chakkarwar": (lambda: kapoor.linear_generator(layer_one_size=8, layer_two_size=16),
                                 lambda: kapoor.linear_discriminator(layer_one_size=16, layer_two_size=8)),
        "dcgan-mnist-chakkarwar": (lambda: kapoor.dcgan_generator(stride=2, channels=2),
                                   lambda: kapoor.dcgan_discriminator(stride=2, channels=2)),
    }
    for name, (g, d) in tiny.items():
        monkeypatch.setitem(presets.PRESETS, name, presets.get(name).replace(generator=g, discriminator=d))


@pytest.mark.slow
def test_reproduce_quick_writes_figures_verdicts_and_resumes(tiny_presets, tfds_dir, tmp_path, capsys):
    out = tmp_path / "chakkarwar"
    argv = ["reproduce", "chakkarwar", "--quick", "--out", str(out), "--data-dir", tfds_dir, "--verbose", "0"]
    assert cli.main(argv) == 0
    for name in ("report.md", "samples.png", "fid.png", "gan_loss.png", "dcgan_loss.png", "dcgan_grids.png",
                 "verdicts.json", "gan/final.png", "dcgan/samples/epoch_0001.png", "dcgan/logs"):
        assert (out / name).exists(), name
    text = (out / "report.md").read_text()
    assert "winner in long run" in text and "MNIST" in text and "--quick" in text
    verdicts = json.loads((out / "verdicts.json").read_text())
    assert set(verdicts) == {c.key for c in reports.get("chakkarwar").claims}
    assert all(v["verdict"] in (HOLDS, DOES_NOT_HOLD, CANNOT_TELL) for v in verdicts.values())
    rows = read(out / "dcgan" / "epochs.csv")
    assert rows[-1]["fid"]  # the last epoch is always scored
    before = (out / "dcgan" / "epochs.csv").read_text()
    capsys.readouterr()
    assert cli.main(argv) == 0  # finished models are not trained again
    assert "tfgans: training " not in capsys.readouterr().out
    assert (out / "dcgan" / "epochs.csv").read_text() == before
    assert cli.main(argv + ["--seed", "1"]) == 2  # other settings: refused


@pytest.mark.slow
def test_models_of_one_experiment_may_train_in_either_precision_and_resume_only_in_their_own(
        tiny_presets, tfds_dir, tmp_path, capsys):
    out = tmp_path / "chakkarwar"
    argv = ["reproduce", "chakkarwar", "--quick", "--out", str(out), "--data-dir", tfds_dir, "--verbose", "0"]
    assert cli.main(argv + ["--models", "dcgan", "--mixed-precision", "--max-epochs", "1"]) == 0
    assert "mixed_bfloat16" in capsys.readouterr().out
    assert cli.main(argv + ["--models", "gan"]) == 0
    assert runs.read_settings(str(out / "dcgan"))[0]["mixed_precision"] is True
    assert runs.read_settings(str(out / "gan"))[0]["mixed_precision"] is False
    text = (out / "report.md").read_text()
    assert "precision GAN float32, DCGAN mixed_bfloat16" in text
    # One command per precision, each resuming its own models.
    assert "--models gan --data-dir ../shared/tfds --quick`" in text
    assert "--models dcgan --data-dir ../shared/tfds --mixed-precision --quick`" in text
    capsys.readouterr()
    assert cli.main(argv + ["--models", "dcgan"]) == 2  # float32 would mix the precisions of one run
    assert "mixed_precision: True -> False" in capsys.readouterr().err
    # A finished model is read back whatever precision the call asks for; the unfinished one trains on in its own.
    gan_record = (out / "gan" / "epochs.csv").read_text()
    assert cli.main(argv + ["--mixed-precision"]) == 0
    assert (out / "gan" / "epochs.csv").read_text() == gan_record
    assert experiment.read_result(reports.get("chakkarwar").entries[1], str(out / "dcgan")).epochs_done == 2


def test_report_md_gives_one_command_per_precision_and_the_models_not_started_join_float32():
    report = reports.get("sun")

    def result(key, bf16):
        entry = next(e for e in report.entries if e.key == key)
        return ModelResult(entry, [], {}, {}, {"mixed_precision": bf16})

    settings = {"seed": 0, "clock": "cpu"}
    plain = "tfgans reproduce sun --out runs/sun --data-dir ../shared/tfds --clock cpu"
    assert experiment._commands(report, {}, settings) == plain
    assert experiment._commands(report, {"dcgan": result("dcgan", False), "wgan": result("wgan", False)},
                                settings) == plain
    assert experiment._commands(report, {"dcgan": result("dcgan", True)}, settings) == (
        "tfgans reproduce sun --out runs/sun --data-dir ../shared/tfds --mixed-precision --clock cpu")
    assert experiment._commands(report, {"dcgan": result("dcgan", True), "wgan": result("wgan", False)},
                                settings) == (
        "tfgans reproduce sun --out runs/sun --models dcgan-equal-lr,wgan --data-dir ../shared/tfds --clock cpu`; "
        "`tfgans reproduce sun --out runs/sun --models dcgan --data-dir ../shared/tfds --mixed-precision --clock cpu")


@pytest.mark.slow
def test_a_larger_budget_trains_a_budget_stopped_model_on(tiny_presets, tfds_dir, tmp_path):
    entry = reports.get("chakkarwar").entries[0]
    options = dict(clock="wall", data_dir=tfds_dir, split="train[:6000]", epochs=1000, verbose=0)
    first = experiment.run_entry(entry, str(tmp_path), budget_minutes=1.0 / 60, **options)
    assert first.progress["stopped_by"] == "budget"
    again = experiment.run_entry(entry, str(tmp_path), budget_minutes=1.0 / 60, **options)
    assert again.epochs == first.epochs  # nothing more to do at the same budget
    more = experiment.run_entry(entry, str(tmp_path), budget_minutes=2.0 / 60, **options)
    # epochs.csv keeps minutes to 4 decimals: 2.001 s is recorded as 0.0333 < 2 / 60.
    assert more.progress["stopped_by"] == "budget" and more.train_minutes >= round(2.0 / 60, 4)
    assert more.epochs[-1]["step"] > first.epochs[-1]["step"]
    # The complete epochs' rows are kept; the epoch the budget cut is recorded again once it is complete.
    complete = [row["step"] for row in first.epochs if row["step"] % 60 == 0]
    assert [row["step"] for row in more.epochs[:len(complete)]] == complete


@pytest.mark.slow
def test_a_diverging_model_is_recorded_and_the_experiment_goes_on(tiny_presets, tfds_dir, tmp_path, monkeypatch):
    name = "gan-mnist-chakkarwar"
    monkeypatch.setitem(presets.PRESETS, name, presets.get(name).replace(g_lr=1e30, d_lr=1e30))
    path = experiment.reproduce(reports.get("chakkarwar"), str(tmp_path), data_dir=tfds_dir, quick=True,
                                eval_samples=50, verbose=0)
    assert runs.read_json(str(tmp_path / "gan" / "progress.json"))["stopped_by"] == "nan"
    assert runs.read_json(str(tmp_path / "dcgan" / "progress.json"))["stopped_by"] in ("budget", "epochs")
    assert "| nan |" in open(path).read()
    # Each evaluation records every digit's mean classifier confidence beside FID (sun's per-digit claims).
    scored = [row for row in experiment.read_result(reports.get("chakkarwar").entries[1],
                                                    str(tmp_path / "dcgan")).epochs if "fid" in row]
    assert scored and all(0.0 <= row[f"conf_{c}"] <= 1.0 for row in scored for c in range(10))


def test_run_folder_settings_are_checked_and_named(tmp_path):
    assert runs.check_settings(str(tmp_path), {"preset": "a", "batch_size": 4}) is False
    assert runs.check_settings(str(tmp_path), {"preset": "a", "batch_size": 4}) is True
    with pytest.raises(runs.SettingsMismatchError, match=r"batch_size: 4 -> 8"):
        runs.check_settings(str(tmp_path), {"preset": "a", "batch_size": 8})
    assert not [f for f in os.listdir(tmp_path) if ".tmp-" in f]


@pytest.mark.slow
def test_sun_on_mock_svhn_trains_the_svhn_presets_and_says_it_has_no_fid(tmp_path, monkeypatch):
    import tensorflow_datasets as tfds

    # Tiny 32x32x3 nets in place of the report's, so that the mock run takes seconds.
    for name in ("dcgan-svhn-sun", "wgan-svhn-sun"):
        monkeypatch.setitem(presets.PRESETS, name, presets.get(name).replace(
            generator=lambda: keras.Sequential([keras.Input((100,)),
                                                keras.layers.Dense(32 * 32 * 3, activation="tanh"),
                                                keras.layers.Reshape((32, 32, 3))]),
            discriminator=lambda: keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(),
                                                    keras.layers.Dense(1)])))
    monkeypatch.setattr(experiment, "QUICK", dict(experiment.QUICK, split="train[:2560]"))
    with tfds.testing.mock_data(num_examples=2600):
        path = experiment.reproduce("sun", str(tmp_path), quick=True, dataset="svhn", data_dir=str(tmp_path / "tfds"),
                                 verbose=0)
    text = open(path).read()
    assert "No scores: no feature extractor for svhn_cropped" in text
    assert sorted(p.name for p in tmp_path.iterdir() if (p / "progress.json").exists()) == ["dcgan-svhn", "wgan-svhn"]
    assert "--dataset svhn_cropped" in text
    verdicts = json.loads((tmp_path / "verdicts.json").read_text())
    assert all(v["verdict"] == CANNOT_TELL for v in verdicts.values())  # the claims are about the MNIST models


def test_the_readme_verdict_table_is_generated_from_the_committed_records():
    from conftest import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text()
    start = readme.index("<!-- verdicts-table: generated by tfgans reproduce --summary notebooks/results -->")
    block = readme[readme.index("\n", start) + 1: readme.index("<!-- /verdicts-table -->")].strip()
    assert block == experiment.summary_table(str(REPO_ROOT / "notebooks" / "results"), link_root="notebooks/results"), \
        "README's verdict table is stale: paste `tfgans reproduce --summary notebooks/results` between its markers"


def test_the_runs_table_says_done_in_progress_out_of_reach_only_over_ten_epochs_and_not_started(tmp_path):
    folder = tmp_path / "chakkarwar"
    (folder / "gan").mkdir(parents=True)
    (folder / "dcgan").mkdir()
    (folder / "verdicts.json").write_text("{}")
    header = "epoch,step,epochs,train_minutes,cpu_minutes,d_loss,g_loss,fid,kid,is\n"
    # GAN: 60 of 60 epochs in 120 CPU-minutes; DCGAN: 2 epochs in 30 CPU-minutes, so 60 take 15 CPU-hours.
    (folder / "gan" / "epochs.csv").write_text(header + "60,36000,60,130,120,1.1,1.1,24.5,2.5,7.9\n")
    (folder / "dcgan" / "epochs.csv").write_text(header + "1,468,1,20,15,0.6,1.8,,,\n2,936,2,40,30,0.6,1.8,77,7,5\n")
    table = experiment.runs_table(str(tmp_path)).splitlines()
    gan, dcgan = [row for row in table if "`chakkarwar`" in row]
    assert "| 60 of 60 (100 %) | 2.0 | 2.0 | done |" in gan
    assert "| 2 of 60 (3 %) | 0.5 | 15.0 | in progress (its cost is measured over 2 epochs only) |" in dcgan
    rows = "".join(f"{e},{468 * e},{e},{20 * e},{15 * e},0.6,1.8,,,\n" for e in range(1, 13))
    (folder / "dcgan" / "epochs.csv").write_text(header + rows)
    assert "| 12 of 60 (20 %) | 3.0 | 15.0 | out of reach here (over 12 CPU-hours) |" in \
        experiment.runs_table(str(tmp_path))
    (folder / "dcgan" / "epochs.csv").write_text(header + "2,936,2,4,3,0.6,1.8,77,7,5\n")
    assert "| 1.5 | in progress |" in experiment.runs_table(str(tmp_path))
    (folder / "dcgan" / "epochs.csv").unlink()
    assert "| DCGAN | 0 of 60 | 0 | - | not started |" in experiment.runs_table(str(tmp_path))
    assert experiment.runs_table(str(tmp_path)) in experiment.summary_table(str(tmp_path))
    (tmp_path / "sun").mkdir()
    (tmp_path / "sun" / "verdicts.json").write_text("{}")
    assert "| DCGAN (svhn_cropped) | - | - | - | not run here: its claims need svhn_cropped" in \
        experiment.runs_table(str(tmp_path))
    # A model not started yet is priced at the rate of a model of the same preset (sun's equal-rate DCGAN).
    (tmp_path / "sun" / "dcgan").mkdir()
    (tmp_path / "sun" / "dcgan" / "epochs.csv").write_text(header + "1,234,1,20,15,1.2,0.9,,,\n2,468,2,40,30,1.2,0.9,,,\n")
    assert ("| DCGAN, equal learning rates | 0 of 100 | 0 | 25.0 | not started (the cost at DCGAN's rate (the same "
            "preset; DCGAN timed in float32), measured over 2 epochs only) |") in experiment.runs_table(str(tmp_path))
    rows = "".join(f"{e},{234 * e},{e},{20 * e},{15 * e},1.2,0.9,,,\n" for e in range(1, 13))
    (tmp_path / "sun" / "dcgan" / "epochs.csv").write_text(header + rows)
    assert ("| DCGAN, equal learning rates | 0 of 100 | 0 | 25.0 | not started; out of reach here (over 12 CPU-hours "
            "at DCGAN's rate (the same preset; DCGAN timed in float32)) |") in experiment.runs_table(str(tmp_path))


def test_a_copied_record_keeps_its_few_grids_as_the_run_goes_on(tmp_path):
    run, dest = tmp_path / "run", tmp_path / "record"
    (run / "seed1" / "samples").mkdir(parents=True)
    (run / "seed1" / "epochs.csv").write_text("epoch,step,epochs\n1,10,1\n")
    (run / "report.md").write_text("# report\n")
    for epochs in (10, 20):
        for e in range(1, epochs + 1):
            (run / "seed1" / "samples" / f"epoch_{e:04d}.png").write_bytes(b"png")
        experiment.copy_record(str(run), str(dest), grids=3)
        kept = sorted(os.listdir(dest / "seed1" / "samples"))  # the first, the middle and the last grid
        assert len(kept) == 3 and kept[0] == "epoch_0001.png" and kept[-1] == f"epoch_{epochs:04d}.png"
    assert (dest / "report.md").read_text() == "# report\n" and (dest / "seed1" / "epochs.csv").is_file()


def test_the_long_runs_queue_names_reports_and_their_models():
    # benchmarks/long_runs.sh runs each line as `tfgans reproduce KEY --models MODELS [options]`: a typo would
    # surface hours later, as a lane's failed job.
    from conftest import REPO_ROOT

    parser = cli.build_parser()
    for line in (REPO_ROOT / "benchmarks" / "long_runs.queue").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, models, *options = line.split()
        entries = {e.key for e in reports.get(key).entries}
        assert set(models.split(",")) <= entries, line
        parser.parse_args(["reproduce", key, "--out", "x", "--models", models, *options])
