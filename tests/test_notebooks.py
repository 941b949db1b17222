"""The notebooks stay in step with the API: their code compiles and every tfgans name they use exists.

Running them trains for minutes, so they are not executed here; this catches a renamed function or preset.
"""

import ast
import json
import os

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


def test_semisupervised_notebook_reads_and_tabulates_the_shipped_record(monkeypatch, capsys):
    """The cells that plot ``notebooks/results`` run as shipped (no training) and print the table's rows."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = REPO_ROOT / "notebooks" / "salimans_semisupervised_mnist.ipynb"
    cells = ["".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    record_cells = [c for c in cells if "results/" in c]
    assert len(record_cells) == 2
    monkeypatch.chdir(path.parent)
    namespace = {"os": os, "plt": plt, "semisup": tfgans.semisup}
    try:
        for cell in record_cells:
            exec(cell, namespace)
    finally:
        plt.close("all")
    rows = {line.split("|")[1].strip(): line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")}
    assert {"20", "50", "100", "200"} <= set(rows)
    assert rows["100"].split("|")[2].strip() == "3"  # three seeds with 100 labels
    epoch = namespace["epoch"]
    assert epoch >= 3
    for n in ("20", "50", "200"):  # errors at the common epoch, as recorded
        assert 0 < float(rows[n].split("|")[3]) < 10000
