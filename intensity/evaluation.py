"""Change-point evaluation metrics of van den Burg & Williams (2020), TCPDBench.

* :func:`f_measure` — F1 with a margin (default 5 observations): index 0 is added to every
  annotation set and to the predictions; precision uses the union of the annotators,
  recall is averaged over the annotators.
* :func:`covering` — segmentation covering (Arbelaez et al. 2010) averaged over annotators.

Locations are 0-based positions of the first observation of each new segment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["f_measure", "covering", "precision_recall"]


def _true_positives(truth: set[int], pred: set[int], margin: int) -> set[int]:
    """Each true location matched to at most one prediction within the margin (closest
    first); each prediction used once."""
    left = set(pred)
    tp: set[int] = set()
    for tau in sorted(truth):
        close = sorted((abs(tau - x), x) for x in left if abs(tau - x) <= margin)
        if close:
            tp.add(tau)
            left.remove(close[0][1])
    return tp


def precision_recall(
    annotations: Mapping[object, Sequence[int]], predictions: Sequence[int], margin: int = 5
) -> tuple[float, float]:
    """Precision (against the union of annotations) and recall (mean over annotators).

    As in the Turing change-point benchmark (van den Burg & Williams 2020), the start of
    the series counts as a change point in every set, and a prediction within *margin*
    of an annotation is a hit.

    Examples
    --------
    >>> from intensity.evaluation import precision_recall
    >>> p, r = precision_recall({"annotator 1": [100, 300], "annotator 2": [102]}, [101, 200])
    >>> round(p, 3), round(r, 3)  # 0 and 101 hit: precision 2/3, recall (2/3 + 2/2) / 2
    (0.667, 0.833)
    """
    sets = {k: set(int(v) for v in vals) | {0} for k, vals in annotations.items()}
    pred = set(int(p) for p in predictions) | {0}
    union: set[int] = set().union(*sets.values()) if sets else {0}
    p = len(_true_positives(union, pred, margin)) / len(pred)
    r = sum(len(_true_positives(s, pred, margin)) / len(s) for s in sets.values()) / len(sets)
    return p, r


def f_measure(
    annotations: Mapping[object, Sequence[int]],
    predictions: Sequence[int],
    margin: int = 5,
    alpha: float = 0.5,
) -> float:
    """F-measure of *predictions* against several annotators.

    Examples
    --------
    >>> f_measure({1: [10, 20], 2: [11, 20], 3: [10], 4: [0, 5]}, [10, 20])
    1.0
    >>> round(f_measure({1: [], 2: [10], 3: [50]}, [10]), 5)
    0.90909
    """
    p, r = precision_recall(annotations, predictions, margin)
    if p == 0 and r == 0:
        return 0.0
    return p * r / (alpha * r + (1 - alpha) * p)


def _partition(locations: Sequence[int], n: int) -> list[set[int]]:
    cps = sorted(set(int(c) for c in locations if 0 < int(c) < n))
    bounds = [0, *cps, n]
    return [set(range(a, b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


def _cover_single(pred: list[set[int]], truth: list[set[int]]) -> float:
    total = sum(len(r) for r in truth)
    c = 0.0
    for r in truth:
        c += len(r) * max(len(r & q) / len(r | q) for q in pred)
    return c / total


def covering(
    annotations: Mapping[object, Sequence[int]], predictions: Sequence[int], n_obs: int
) -> float:
    """Segmentation covering of *predictions*, averaged over annotators.

    Examples
    --------
    >>> covering({1: [10, 20], 2: [10], 3: [0, 5]}, [10, 20], 45)
    0.7962962962962963
    """
    pred = _partition(predictions, n_obs)
    cs = [_cover_single(pred, _partition(a, n_obs)) for a in annotations.values()]
    return sum(cs) / len(cs)
