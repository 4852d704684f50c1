"""Report parsing, round two (issue 25): the families of misses found on real pages, in
texts written for this project (``fixtures/press_corpus_round2.py``). The accuracy by
family is printed by

    python tests/test_reports_round2.py
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
sys.path.insert(0, str(Path(__file__).parent))
from press_corpus_round2 import CASES  # noqa: E402
from test_reports import _check  # noqa: E402
from test_reports_press import accuracy  # noqa: E402

from intensity.exceptions import ReportSkippedWarning  # noqa: E402
from intensity.reports import parse_report  # noqa: E402


def _run(case: dict) -> None:
    """The case's expectations, and for a text the parser drops, the warning it leaves."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        _check(case)
    dropped = [w for w in seen if issubclass(w.category, ReportSkippedWarning)]
    if case["expect"].get("dropped"):
        assert dropped, "dropped without a warning"
    else:
        assert not dropped, [str(w.message) for w in dropped]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_round2_corpus(case):
    _run(case)


def test_round2_corpus_covers_every_family():
    assert {c["family"] for c in CASES} >= {
        "zone",
        "ru",
        "fr",
        "verbs",
        "ongoing",
        "scope",
        "covered",
        "window",
        "operation",
        "pages3",
    }
    assert len({c["id"] for c in CASES}) == len(CASES)


def test_skipped_warning_names_the_text():
    text = "В зоні відповідальності ОСУВ «Хортиця» за минулу добу відбулося 31 бойове зіткнення."
    with pytest.warns(ReportSkippedWarning, match="Хортиця"):
        assert parse_report(text, published="2023-12-05 12:00") is None


if __name__ == "__main__":
    for fam, (ok, n) in accuracy(CASES, _run).items():
        print(f"{fam:10s} {ok:3d} / {n:3d}")
