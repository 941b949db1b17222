"""Each report module's title, authors and affiliations are as printed on its report (../shared/seeds)."""

import glob
import importlib
import os

import pytest

from tfgans import reports

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(REPO_ROOT, "..", "shared", "seeds")


def printed(report) -> str:
    """The text of the report's seed file (``seed 004`` -> ``004_*.txt``), its whitespace collapsed."""
    if not os.path.isdir(SEEDS):
        pytest.skip(f"the reports' text copies are not here ({os.path.normpath(SEEDS)}): they live beside the "
                    "repository, in ../shared/seeds")
    paths = glob.glob(os.path.join(SEEDS, f"{report.source.split()[-1]}_*.txt"))
    assert len(paths) == 1, f"{report.key}: no single seed file for {report.source!r}: {paths}"
    with open(paths[0], encoding="utf-8") as f:
        return " ".join(f.read().split())


@pytest.mark.parametrize("key", [r.key for r in reports.all_reports()])
def test_title_authors_and_affiliations_are_as_printed_on_the_report(key):
    module = importlib.import_module(f"tfgans.reports.{key}")
    report, text = module.REPORT, printed(module.REPORT)
    assert report.title in text
    assert module.AUTHORS and module.AUTHORS[0].split()[-1].lower() == key  # the key is the first author's surname
    for name in module.AUTHORS:
        assert name in text, f"{key}: author {name!r} is not on the report"
    for affiliation in module.AFFILIATIONS:
        assert affiliation in text, f"{key}: affiliation {affiliation!r} is not on the report"
    # The byline holds nothing else: a report that prints no affiliation gets none.
    byline = ", ".join(module.AUTHORS) + (f" ({', '.join(module.AFFILIATIONS)})" if module.AFFILIATIONS else "")
    assert report.authors == byline
