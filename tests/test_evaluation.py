"""TCPDBench metrics reproduce the published examples of van den Burg & Williams (2020)."""

from __future__ import annotations

import pytest

from intensity.evaluation import covering, f_measure, precision_recall


@pytest.mark.parametrize(
    "annotations,pred,expected",
    [
        ({1: [10, 20], 2: [11, 20], 3: [10], 4: [0, 5]}, [10, 20], 1.0),
        ({1: [], 2: [10], 3: [50]}, [10], 0.9090909090909091),
        ({1: [], 2: [10], 3: [50]}, [], 0.8),
    ],
    ids=["four-annotators", "one-hit", "no-prediction"],
)
def test_f1_published_examples(annotations, pred, expected):
    assert f_measure(annotations, pred, margin=5) == pytest.approx(expected, abs=1e-12)


def test_covering_published_example():
    assert covering({1: [10, 20], 2: [10], 3: [0, 5]}, [10, 20], 45) == 0.7962962962962963


def test_margin_and_single_use_of_predictions():
    # one prediction cannot match two true locations
    p, r = precision_recall({1: [10, 12]}, [11], margin=5)
    assert p == 1.0 and r == pytest.approx(2 / 3)
    assert f_measure({1: [10]}, [16], margin=5) < f_measure({1: [10]}, [15], margin=5)


def test_covering_perfect_and_worst():
    assert covering({1: [30]}, [30], 60) == 1.0
    assert covering({1: []}, [], 60) == 1.0
    assert covering({1: []}, [30], 60) == pytest.approx(0.5)
