"""The notebooks: their code uses existing tfgans names, each runs top to bottom in quick mode (nbclient), and the
outputs committed with them are those of the committed records (``python notebooks/render.py`` writes them).

Quick mode (TFGANS_QUICK=1) turns the optional training on and makes every run small; TFGANS_RUNS points the
runs at a temporary folder.
"""

import ast
import base64
import json
import os
import re

import pytest

import tfgans
from conftest import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
RESULTS = REPO_ROOT / "notebooks" / "results"
RENDER = "python notebooks/render.py"
#: The cells every report notebook shares (the report's key apart): finding, reading and showing a record.
SHARED_CELLS = ("setup", "record", "helpers", "header", "verdicts", "progress", "figures", "train", "train-results")


def _code(path):
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def _cells(path):
    """{cell id: cell} of a notebook."""
    return {cell.get("id"): cell for cell in json.loads(path.read_text())["cells"]}


def _key(path):
    """The report a report notebook shows (its setup cell's KEY), None for the tutorial."""
    setup = "".join(_cells(path).get("setup", {}).get("source", []))
    match = re.search(r'^KEY = "([\w-]+)"', setup, flags=re.M)
    return match.group(1) if match else None


REPORT_NOTEBOOKS = [p for p in NOTEBOOKS if _key(p)]
COMMITTED = [r.key for r in tfgans.reports.all_reports()
             if any((RESULTS / r.key / name).is_file() for name in ("verdicts.json", "report.md"))]


def _text(cell):
    """What a cell's outputs say: its printed text and markdown."""
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append("".join(output["text"]))
        parts.append("".join(output.get("data", {}).get("text/markdown", "")))
    return "\n".join(parts)


def _images(cell):
    return [base64.b64decode("".join(output["data"]["image/png"])) for output in cell.get("outputs", [])
            if "image/png" in output.get("data", {})]


def _figure_links(folder):
    """The figure files a record's report.md links, in its order."""
    path = folder / "report.md"
    return re.findall(r"^!\[.*\]\((.+)\)$", path.read_text(), flags=re.M) if path.is_file() else []


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id] + parts[::-1]
    return None


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 3
    assert len(REPORT_NOTEBOOKS) == len(NOTEBOOKS) - 1  # every one but the quickstart shows a report


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_code_compiles_and_uses_existing_tfgans_names(path):
    tree = ast.parse(_code(path))  # a SyntaxError fails the test
    aliases = {"tfgans": tfgans}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tfgans"):
            module = __import__(node.module, fromlist=["_"])
            for alias in node.names:
                assert hasattr(module, alias.name), f"{path.name}: {node.module}.{alias.name} does not exist"
                aliases[alias.asname or alias.name] = getattr(module, alias.name)
    used = 0
    for node in ast.walk(tree):
        chain = _dotted(node) if isinstance(node, ast.Attribute) else None
        if chain and chain[0] in aliases:
            obj = aliases[chain[0]]
            for name in chain[1:]:
                if not hasattr(obj, name) and not isinstance(obj, dict):
                    pytest.fail(f"{path.name}: {'.'.join(chain)} does not exist ({name!r} missing)")
                obj = getattr(obj, name, None)
                if obj is None or not hasattr(obj, "__dict__"):
                    break
            used += 1
    assert used > 0
    for node in ast.walk(tree):  # presets the notebook looks up exist
        if isinstance(node, ast.Call) and (_dotted(node.func) or [])[-2:] == ["presets", "get"]:
            for arg in node.args:
                if isinstance(arg, ast.Constant):
                    tfgans.presets.get(arg.value)


def test_report_notebooks_point_at_their_committed_record():
    for path in REPORT_NOTEBOOKS:
        key = _key(path)
        assert tfgans.reports.get(key).key == key, path.name
        assert f'RECORD = "results/{key}"' in _code(path) and "colab.research.google.com" in path.read_text()
        assert "## Optional: train or resume the runs yourself" in "".join(_cells(path)["train-intro"]["source"])


def test_report_notebooks_share_their_record_code():
    """The report notebooks' shared cells are one code (a fix to one is made to all), the report's key apart."""
    first = REPORT_NOTEBOOKS[0]
    for path in REPORT_NOTEBOOKS[1:]:
        for cell_id in SHARED_CELLS:
            sources = ["".join(_cells(p)[cell_id]["source"]).replace(f'"{_key(p)}"', '"KEY"')
                       .replace(f"results/{_key(p)}", "results/KEY") for p in (first, path)]
            assert sources[0] == sources[1], f"cell {cell_id!r} of {path.name} differs from {first.name}'s"


# --- the committed records and the outputs committed with the notebooks ---------------------------------------


@pytest.mark.parametrize("key", COMMITTED)
def test_committed_record_judges_every_claim_and_links_its_figures(key):
    from tfgans.reports import CANNOT_TELL, DOES_NOT_HOLD, HOLDS

    folder = RESULTS / key
    hint = (f"notebooks/results/{key} is not a record of this tfgans: regenerate it (notebooks/results/README.md: "
            f"`tfgans reproduce {key} --out runs/{key} ...`, `copy_record`, then `{RENDER}`)")
    assert (folder / "verdicts.json").is_file() and (folder / "report.md").is_file(), hint
    verdicts = json.loads((folder / "verdicts.json").read_text())
    assert set(verdicts) == {c.key for c in tfgans.reports.get(key).claims}, hint
    text = (folder / "report.md").read_text()
    for claim in verdicts.values():
        assert claim["verdict"] in (HOLDS, DOES_NOT_HOLD, CANNOT_TELL), hint
        assert {"claim", "where", "verdict", "evidence", "at", "reached"} <= set(claim), hint
        assert f"**{claim['verdict']}**" in text
    links = _figure_links(folder)
    assert links and all((folder / name).is_file() for name in links), f"{key}: report.md links missing figures"
    assert "Command: `tfgans reproduce " + key in text


@pytest.mark.parametrize("path", REPORT_NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_shows_its_committed_record(path):
    """The outputs committed with the notebook are its record's: every claim with its verdict, every figure as
    the record has it. A record regenerated without rendering the notebook again fails here."""
    key, cells = _key(path), _cells(path)
    stale = f"{path.name}'s outputs do not show notebooks/results/{key}: run `{RENDER} {path.stem}`"
    for cell_id in ("record", "header", "verdicts", "progress", "figures", "train"):
        assert cells[cell_id].get("outputs"), f"{path.name}: cell {cell_id!r} has no outputs; {stale}"
    for cell in cells.values():  # as render.py writes them: no timestamps, no logs
        assert "execution" not in cell.get("metadata", {}), stale
        assert not any(o.get("name") == "stderr" for o in cell.get("outputs", [])), stale
    shown = _text(cells["verdicts"])
    folder = RESULTS / key
    if key in COMMITTED:
        verdicts = json.loads((folder / "verdicts.json").read_text()) if (folder / "verdicts.json").is_file() else {}
        for claim, verdict in verdicts.items():
            assert f"`{claim}`" in shown and f"**{verdict['verdict']}**" in shown, f"{claim}: {stale}"
        expected = [(folder / name).read_bytes() for name in _figure_links(folder) if (folder / name).is_file()]
        assert _images(cells["figures"]) == expected, stale
    else:
        assert "No committed record" in shown and not _images(cells["figures"]), stale
    assert f"tfgans reproduce {key} --out runs/{key} --data-dir ../shared/tfds" in _text(cells["train"])
    assert not cells["train-results"].get("outputs"), f"{path.name} was rendered with training on; {stale}"


def test_committed_quickstart_shows_the_shipped_generator():
    cells = _cells(REPO_ROOT / "notebooks" / "quickstart.ipynb")
    stale = f"quickstart.ipynb's outputs are not the shipped generator's: run `{RENDER} quickstart`"
    for cell_id in ("shipped", "sample", "evaluate", "serve", "train"):
        assert cells[cell_id].get("outputs"), f"cell {cell_id!r}: {stale}"
    card = json.loads((REPO_ROOT / "saved_models" / "dcgan_fast" / "card.json").read_text())
    assert f"FID {card['fid']:.2f}" in _text(cells["shipped"]), stale
    assert len(_images(cells["sample"])) == 1 and "10000 samples" in _text(cells["evaluate"])
    assert "tfgans train --preset dcgan-fast" in _text(cells["train"]) and not cells["train-results"].get("outputs")


def _run_cells(path, ids):
    """Runs some code cells of a notebook in this process; returns their namespace."""
    cells, namespace = _cells(path), {}
    for cell_id in ids:
        exec(compile("".join(cells[cell_id]["source"]), f"{path.name}:{cell_id}", "exec"), namespace)
    return namespace


@pytest.mark.skipif(not COMMITTED, reason="no committed record to download")
def test_record_cell_downloads_a_missing_record_or_says_why(tmp_path, monkeypatch, capsys):
    """Where results/<key> is missing (Colab), the record's files come from the repository by URL (here the
    clone itself, as file:// URLs); offline, the cell says so and the notebook goes on."""
    import tempfile

    key = COMMITTED[0]
    path = next(p for p in REPORT_NOTEBOOKS if _key(p) == key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("TFGANS_RECORD_URL", REPO_ROOT.as_uri())
    record = _run_cells(path, ["setup", "record"])["RECORD"]
    assert record and os.path.isdir(record) and os.path.dirname(record) == str(tmp_path)
    source = RESULTS / key
    names = ["verdicts.json", "report.md", *_figure_links(source)]
    for entry in tfgans.reports.get(key).entries:
        model = entry.folder or entry.key
        names += [f"{model}/{name}" for name in tfgans.experiment.RECORD_FILES if (source / model / name).is_file()]
    for name in names:
        assert (source / name).read_bytes() == open(os.path.join(record, name), "rb").read(), name

    monkeypatch.setenv("TFGANS_RECORD_URL", "http://127.0.0.1:9")  # nothing listens there: as offline
    assert _run_cells(path, ["setup", "record"])["RECORD"] is None
    assert "Could not download the record" in capsys.readouterr().out


def test_quickstart_downloads_the_shipped_generator_where_it_is_missing(tmp_path, monkeypatch, capsys):
    """A pip-installed tfgans (Colab) has no saved_models/: the quickstart fetches dcgan-fast by URL (here the
    clone's files) into a zoo of its own, and loads it by its preset's name."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("TFGANS_ZOO", str(tmp_path / "empty"))  # no shipped generators
    monkeypatch.setenv("TFGANS_RECORD_URL", REPO_ROOT.as_uri())
    namespace = _run_cells(REPO_ROOT / "notebooks" / "quickstart.ipynb", ["setup", "shipped"])
    assert namespace["GENERATOR"].startswith(str(tmp_path)) and os.environ["TFGANS_ZOO"] != str(tmp_path / "empty")
    assert tfgans.export.sample_images(namespace["generator"], 2).shape == (2, 28, 28, 1)
    assert "dcgan-fast: 25 epochs" in capsys.readouterr().out


# --- execution: every notebook, top to bottom, in quick mode (twice where the second run tests a resume) -----

#: Run twice: a rerun resumes `tfgans.training.train`'s run (quickstart). The report notebooks resume through
#: `tfgans.experiment.reproduce`, whose rerun tests/test_reports.py tests, so their second run would test it again.
RUN_TWICE = ("quickstart.ipynb",)

#: What each notebook's quick run must show (PNG outputs, beyond the committed record's figures) and leave in
#: its runs folder.
EXPECTED = {
    "quickstart.ipynb": (3, ["quickstart_quick/generator/saved_model.pb", "quickstart_quick/samples"]),
    "sun.ipynb": (7, ["sun_quick/report.md", "sun_quick/verdicts.json", "sun_quick/fid.png",
                      "sun_quick/samples.png", "sun_quick/dcgan/epochs.csv"]),
    "chakkarwar.ipynb": (7, ["chakkarwar_quick/report.md", "chakkarwar_quick/verdicts.json",
                             "chakkarwar_quick/gan_loss.png"]),
    "kapoor.ipynb": (11, ["kapoor_quick/report.md", "kapoor_quick/verdicts.json", "kapoor_quick/lstm_loss.png"]),
    "daw_salimans.ipynb": (2, ["daw_quick/report.md", "daw_quick/verdicts.json", "daw_quick/errors.png",
                               "daw_quick/mnist_100labels_seed1/epochs.csv",
                               "daw_quick/mnist_20labels_seed1/epochs.csv",
                               "daw_quick/mnist_100labels_softplus_seed1/epochs.csv"]),
    "zhu.ipynb": (5, ["zhu_quick/report.md", "zhu_quick/verdicts.json", "zhu_quick/fid.png",
                      "zhu_quick/cfggan/samples"]),
}


def test_every_notebook_has_an_execution_check():
    assert sorted(EXPECTED) == sorted(p.name for p in NOTEBOOKS)


def _execute(path, runs):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(str(path), as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()  # raises on a cell error
    return {cell.get("id"): cell for cell in nb.cells}


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom_in_quick_mode(path, tfds_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TFGANS_QUICK", "1")
    monkeypatch.setenv("TFGANS_RUNS", str(tmp_path))
    monkeypatch.setenv("TFDS_DATA_DIR", tfds_dir)
    monkeypatch.setenv("TFGANS_RECORD_URL", "")  # no downloads: a missing record says so
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    monkeypatch.delenv("TFGANS_TRAIN", raising=False)
    figures, files = EXPECTED[path.name]
    key = _key(path)
    record = [n for n in _figure_links(RESULTS / key) if (RESULTS / key / n).is_file()] if key else []
    for run in range(2 if path.name in RUN_TWICE else 1):  # a second run resumes (or reuses) the first one's
        cells = _execute(path, tmp_path)
        assert sum(len(_images(cell)) for cell in cells.values()) >= figures + len(record)
        if key:
            assert len(_images(cells["figures"])) == len(record)  # the committed record, as it is
            shown = _text(cells["train-results"])  # this run's report, shown as the record is
            for claim in json.loads((tmp_path / f"{key}_quick" / "verdicts.json").read_text()):
                assert f"`{claim}`" in shown
            assert len(_images(cells["train-results"])) == len(_figure_links(tmp_path / f"{key}_quick"))
    for name in files:
        assert (tmp_path / name).exists(), name
