"""Compiled kernel of the episode scan (:func:`intensity.detect_anomalies`): the largest
window statistic of each simulated null series, fused so that no array of all windows is
ever built (the numpy version made four temporaries of replicates × days per window
length, three quarters of the scan's time), and a window is dismissed without a logarithm
when a bound on its statistic is below the best so far."""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def scan_max(
    cy: np.ndarray, cm: np.ndarray, cv: np.ndarray, lmin: int, lmax: int
) -> np.ndarray:  # pragma: no cover - compiled
    """Largest quasi-likelihood ratio over all windows of lengths *lmin* … *lmax* of each
    row of *cy* (running sums of counts with a leading 0, rows = replicates), with running
    sums *cm*, *cv* of the means and variances. The statistic is that of
    ``anomalies._qlr``: ``2 (S log(S/M) - (S - M)) M / V``, 0 where ``M`` or ``V`` is 0."""
    r, n1 = cy.shape
    n = n1 - 1
    best = np.zeros(r)
    top = min(lmax, n)
    for i in range(r):
        b = 0.0
        for L in range(lmin, top + 1):
            for s in range(0, n - L + 1):
                M = cm[s + L] - cm[s]
                V = cv[s + L] - cv[s]
                if M > 0.0 and V > 0.0:
                    S = cy[i, s + L] - cy[i, s]
                    # log x <= x - 1 bounds the statistic by 2 (S - M)^2 / V without a
                    # logarithm: most windows are dismissed by that bound alone
                    if 2.0 * (S - M) * (S - M) <= b * V:
                        continue
                    if S > 0.0:
                        dev = 2.0 * (S * math.log(S / M) - (S - M))
                    else:
                        dev = 2.0 * M
                    v = dev * M / V
                    if v > b:
                        b = v
        best[i] = b
    return best


@njit(cache=True)
def _profiled(s: float, n: float, size: float, poisson: bool) -> float:  # pragma: no cover
    # the cost of :func:`intensity._negbin.profiled_cost`, one segment
    if s <= 0.0 or n <= 0.0:
        return 0.0
    if poisson:
        return -2.0 * (s * math.log(s / n) - s)
    mu = s / n
    return -2.0 * (
        s * math.log(mu) - (s + size * n) * math.log(size + mu) + size * n * math.log(size)
    )


@njit(cache=True)
def best_splits(
    cy: np.ndarray, cn: np.ndarray, m: int, size: float
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """For each row of window prefix sums *cy* (exposure prefix sums *cn*, one row), the
    split position in ``[m, L - m]`` with the largest cost reduction against no split
    (the first of equal ones, as ``np.argmax``) and that reduction; ``size = inf`` is the
    Poisson cost. The same numbers as ``CountCost.split_reductions`` + ``argmax``,
    without its rows × positions temporaries."""
    r, L1 = cy.shape
    L = L1 - 1
    poisson = not math.isfinite(size)
    pos = np.empty(r, dtype=np.int64)
    red = np.empty(r)
    nL = cn[0, L]
    for i in range(r):
        sL = cy[i, L]
        full = _profiled(sL, nL, size, poisson)
        best = -np.inf
        arg = m
        for t in range(m, L - m + 1):
            sl = cy[i, t]
            nl = cn[0, t]
            v = full - (
                _profiled(sl, nl, size, poisson) + _profiled(sL - sl, nL - nl, size, poisson)
            )
            if v > best:
                best = v
                arg = t
        pos[i] = arg
        red[i] = best
    return pos, red
