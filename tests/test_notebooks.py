"""The notebooks: their code uses existing tfgans names, and each runs top to bottom in quick mode (nbclient).

Quick mode (TFGANS_QUICK=1) makes every run small; TFGANS_RUNS points the runs at a temporary folder.
"""

import ast
import json

import pytest

import tfgans
from conftest import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))


def _code(path):
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


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


# --- execution: every notebook, top to bottom, in quick mode (twice where the second run tests a resume) -----

#: Run twice: a rerun resumes `tfgans train`'s run (quickstart). The report notebooks resume through
#: `tfgans.experiment.reproduce`, whose rerun tests/test_reports.py tests, so their second run would test it again.
RUN_TWICE = ("quickstart.ipynb",)

#: What each notebook must show (PNG outputs) and leave in its runs folder, in quick mode.
EXPECTED = {
    "quickstart.ipynb": (2, ["quickstart_quick/generator/saved_model.pb", "quickstart_quick/samples"]),
    "sun.ipynb": (7, ["sun_quick/report.md", "sun_quick/fid.png", "sun_quick/samples.png"]),
    "chakkarwar.ipynb": (7, ["chakkarwar_quick/report.md", "chakkarwar_quick/gan_loss.png"]),
    "kapoor.ipynb": (11, ["kapoor_quick/report.md", "kapoor_quick/lstm_loss.png"]),
    "daw_salimans.ipynb": (2, ["daw_quick/report.md", "daw_quick/errors.png",
                               "daw_quick/mnist_100labels_seed1/curve.csv"]),
    "zhu.ipynb": (5, ["zhu_quick/report.md", "zhu_quick/fid.png", "zhu_quick/cfggan/samples"]),
}


def test_every_notebook_has_an_execution_check():
    assert sorted(EXPECTED) == sorted(p.name for p in NOTEBOOKS)


def _execute(path, runs):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(str(path), as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()  # raises on a cell error
    return sum("image/png" in output.get("data", {}) for cell in nb.cells if cell.cell_type == "code"
               for output in cell.get("outputs", []))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom_in_quick_mode(path, tfds_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TFGANS_QUICK", "1")
    monkeypatch.setenv("TFGANS_RUNS", str(tmp_path))
    monkeypatch.setenv("TFDS_DATA_DIR", tfds_dir)
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    figures, files = EXPECTED[path.name]
    assert _execute(path, tmp_path) >= figures
    for name in files:
        assert (tmp_path / name).exists(), name
    if path.name in RUN_TWICE:
        assert _execute(path, tmp_path) >= figures  # a second run resumes (or reuses) the first one's runs


def test_report_notebooks_point_at_their_committed_record():
    for path in NOTEBOOKS:
        if path.name != "quickstart.ipynb":
            code = _code(path)
            assert "RECORD = \"results/" in code and "colab.research.google.com" in path.read_text()


@pytest.mark.parametrize("key", ["sun", "chakkarwar", "zhu"])
def test_committed_report_records_have_verdicts_and_their_figures(key):
    folder = REPO_ROOT / "notebooks" / "results" / key
    text = (folder / "report.md").read_text()
    verdicts = json.loads((folder / "verdicts.json").read_text())
    claims = {c.key for c in tfgans.reports.get(key).claims}
    assert set(verdicts) == claims
    for claim in verdicts.values():
        assert claim["verdict"] in ("holds", "does not hold", "cannot tell at this budget")
        assert f"**{claim['verdict']}**" in text
    links = [line.split("](")[1].rstrip(")") for line in text.splitlines() if line.startswith("![")]
    assert links and all((folder / name).is_file() for name in links)
    assert "Command: `tfgans reproduce " + key in text
