"""The compiled kernels of intensity._scan give the numbers of the numpy code they
replace (the formulas are written twice: once vectorised, once per element)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from intensity._scan import best_splits, scan_max
from intensity.anomalies import _cumulative, _qlr, _window_stats
from intensity.costs.counts import CountCost


def test_scan_max_equals_the_numpy_scan():
    rng = np.random.default_rng(11)
    n = 700
    mu = rng.uniform(200, 1500, n)
    mu[rng.random(n) < 0.1] = 0.0  # left-out days: M = V = 0 in some windows
    var = mu + 0.05 * mu**2
    y = rng.negative_binomial(20, 20 / (20 + mu), (30, n)).astype(float) * (mu > 0)
    cums = _cumulative(y, mu, var)
    ref = np.zeros(len(y))
    for L in range(7, 91):
        ref = np.maximum(ref, _qlr(*_window_stats(cums, L)).max(axis=1))
    got = scan_max(np.ascontiguousarray(cums[0]), cums[1], cums[2], 7, 90)
    np.testing.assert_allclose(got, ref, rtol=1e-12)


@pytest.mark.parametrize("size", [12.0, np.inf], ids=["negbin", "poisson"])
def test_best_splits_equal_split_reductions_and_argmax(size):
    rng = np.random.default_rng(5)
    L, m = 400, 14
    mean = np.r_[np.full(200, 900.0), np.full(200, 1100.0)]
    y = rng.negative_binomial(12, 12 / (12 + mean), (50, L)).astype(float)
    obs = rng.random(L) > 0.05
    cy = np.zeros((50, L + 1))
    np.cumsum(y * obs, axis=1, out=cy[:, 1:])
    cn = np.zeros((1, L + 1))
    cn[0, 1:] = np.cumsum(obs)
    # the numpy reference: the count costs' own split_reductions (it reads only the size)
    taus, red = CountCost.split_reductions(SimpleNamespace(k=size), cy, cn, m)
    j = np.argmax(red, axis=1)
    pos, got = best_splits(cy, cn, m, size)
    np.testing.assert_array_equal(pos, taus[j])
    np.testing.assert_allclose(got, red[np.arange(50), j], rtol=1e-12)
