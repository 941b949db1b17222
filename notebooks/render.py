"""Executes the notebooks in record mode and writes them back with their outputs, for GitHub and Colab to show.

    python notebooks/render.py                 # all of notebooks/*.ipynb
    python notebooks/render.py sun kapoor      # some (name, file name or path)

Record mode: no training (TFGANS_TRAIN and TFGANS_QUICK unset) and no downloads (TFGANS_RECORD_URL empty), the
working folder notebooks/ and the data in TFDS_DATA_DIR or ../../shared/tfds from there: each report notebook
shows its committed record (notebooks/results/<key>/), quickstart.ipynb the shipped generator. So the outputs
committed with the notebooks are generated from the committed files, never typed; rerun this script after a record
changes (tests/test_notebooks.py fails until then). A notebook whose run fails is left as it was.

The outputs are kept small and stable: images as the files are (PNG), no execution timestamps, no stderr (logs),
consecutive prints merged into one output, so rerunning on unchanged records writes byte-identical notebooks.
Needs nbclient, nbformat and ipykernel (`pip install tfgans-reports[dev]`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
#: Environment variables that would turn training on or point at other runs: record mode clears them.
TRAINING_VARIABLES = ("TFGANS_TRAIN", "TFGANS_QUICK", "TFGANS_RUNS")


def notebooks(names):
    """The notebooks' paths: all of notebooks/*.ipynb, or those named (``sun``, ``sun.ipynb``, a path)."""
    if not names:
        return sorted(os.path.join(HERE, n) for n in os.listdir(HERE) if n.endswith(".ipynb"))
    paths = []
    for name in names:
        path = name if os.path.isfile(name) else os.path.join(HERE, os.path.basename(name))
        if not path.endswith(".ipynb"):
            path += ".ipynb"
        if not os.path.isfile(path):
            known = ", ".join(sorted(n[:-6] for n in os.listdir(HERE) if n.endswith(".ipynb")))
            raise SystemExit(f"render.py: no notebook {name!r} in {HERE} (known: {known})")
        paths.append(path)
    return paths


def record_mode():
    """The environment of record mode (set in this process: the kernels inherit it)."""
    for name in TRAINING_VARIABLES:
        os.environ.pop(name, None)
    os.environ["TFGANS_RECORD_URL"] = ""  # show the committed files, never the repository's online ones
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("PYTHONHASHSEED", "0")
    # The data: TFDS_DATA_DIR if set, else the notebooks' own default, ../../shared/tfds from notebooks/.


def clean(nb):
    """Drops what changes from run to run without the files changing: timestamps, stderr, split streams."""
    nb.metadata = {"kernelspec": nb.metadata.get("kernelspec", {"display_name": "Python 3", "language": "python",
                                                                 "name": "python3"}),
                   "language_info": {"name": "python"}}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.outputs:
            if output.output_type == "stream" and output.name == "stderr":
                continue
            output.pop("transient", None)
            if output.output_type == "stream" and outputs and outputs[-1].output_type == "stream" \
                    and outputs[-1].name == output.name:
                outputs[-1].text += output.text
                continue
            outputs.append(output)
        cell.outputs = outputs
    return nb


def render(path, timeout=900):
    """Executes the notebook at ``path`` in record mode and writes it back with its outputs; returns seconds."""
    import nbclient
    import nbformat

    start = time.perf_counter()
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": HERE}}).execute()
    clean(nb)
    nbformat.validate(nb)
    text = nbformat.writes(nb)
    text += "" if text.endswith("\n") else "\n"
    with open(path, encoding="utf-8") as f:
        unchanged = f.read() == text
    if not unchanged:
        tmp = path + ".rendering"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    return time.perf_counter() - start, unchanged


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="notebooks to render (default: all)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds a cell may take")
    args = parser.parse_args(argv)
    paths = notebooks(args.names)
    record_mode()
    failed = []
    for path in paths:
        name = os.path.basename(path)
        try:
            seconds, unchanged = render(path, args.timeout)
        except Exception as e:  # a cell's error: the notebook keeps its earlier outputs
            failed.append(name)
            print(f"render.py: {name} failed, left as it was:\n{e}", file=sys.stderr)
            continue
        print(f"render.py: {name}: {'unchanged' if unchanged else 'written'} ({seconds:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
