"""Report parsing in the wordings of others (issue 14): news rewrites, the English press,
the General Staff's short 16:00 updates and posts that are not the daily report. The texts
are in ``fixtures/press_corpus.py``; the accuracy by family is printed by

    python tests/test_reports_press.py
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
sys.path.insert(0, str(Path(__file__).parent))
from press_corpus import CASES  # noqa: E402
from test_reports import _check  # noqa: E402


def test_press_corpus_size():
    assert len(CASES) >= 60
    assert len({c["id"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_press_corpus(case):
    _check(case)


def accuracy() -> dict[str, tuple[int, int]]:
    """Cases parsed right, by family: {family: (right, all)}."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for c in CASES:
        total[c["family"]] += 1
        try:
            _check(c)
        except AssertionError:
            continue
        right[c["family"]] += 1
    return {f: (right[f], total[f]) for f in total}


if __name__ == "__main__":
    for fam, (ok, n) in accuracy().items():
        print(f"{fam:10s} {ok:3d} / {n:3d}")
