"""The vectorised NB2 and Poisson fits of intensity._negbin against statsmodels."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from intensity import _negbin
from intensity.seasonal import _design, _fit_nb, _fit_nb_statsmodels


def _case(name: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(len(name))
    n = {"short": 120, "year": 400, "long": 3000}[name]
    idx = pd.date_range("2022-03-01", periods=n, freq="D")
    d = _design(idx, weekly=True, K=2 if n >= 730 else 0, months=False, trend_df=max(1, n // 240))
    beta = rng.normal(0, 0.2, d.X.shape[1])
    mu = np.exp(5.0 + d.X @ beta)
    y = rng.negative_binomial(8, 8 / (8 + mu)).astype(float)
    return y, d.X


@pytest.mark.parametrize("name", ["short", "year", "long"], ids=["120d", "400d", "3000d"])
def test_nb2_fit_matches_statsmodels(name):
    y, X = _case(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = _fit_nb_statsmodels(y, X)
    got = _fit_nb(y, X)
    assert not ref.poisson_limit and not got.poisson_limit
    # the same maximum: the log-likelihood to 1e-8 relative (ours is never lower by more)
    assert got.llf >= ref.llf - 1e-8 * abs(ref.llf)
    # estimates within a thousandth of their standard error; standard errors to 1e-4
    se = np.sqrt(np.diag(ref.cov))
    assert np.max(np.abs(got.params - ref.params) / se) < 1e-3
    assert np.allclose(np.sqrt(np.diag(got.cov)), se, rtol=1e-4)
    assert got.alpha == pytest.approx(ref.alpha, rel=1e-4)
    assert got.alpha_se == pytest.approx(ref.alpha_se, rel=1e-3)


def test_warm_start_reaches_the_same_fit():
    y, X = _case("year")
    cold = _fit_nb(y, X)
    keep = np.arange(len(y)) % 9 != 0
    other = _fit_nb(y[keep], X[keep])
    warm = _fit_nb(y, X, start=other)
    assert warm.llf == pytest.approx(cold.llf, rel=1e-12)
    assert np.allclose(warm.params, cold.params, atol=1e-6)


def test_underdispersed_counts_take_the_poisson_limit():
    rng = np.random.default_rng(3)
    X = np.column_stack([np.ones(500), rng.normal(size=500)])
    y = rng.binomial(40, 0.5, size=500).astype(float)  # variance below the mean
    fit = _fit_nb(y, X)
    # not overdispersed: the Poisson fit and its covariance, said in the result
    assert fit.poisson_limit and fit.alpha == 0.0 and fit.size == np.inf
    pois = _negbin.poisson_fit(y, X)
    assert np.allclose(fit.params, pois.params, atol=1e-6)


def test_singular_design_is_left_to_the_fallback():
    X = np.column_stack([np.ones(50), np.ones(50)])
    y = np.arange(50, dtype=float)
    assert _negbin.poisson_fit(y, X) is None


def test_nb2_fit_where_alpha_overflows_does_not_settle():
    """Newton's steps can carry alpha to where its square overflows (fuzzing found it in
    fit_seasonal on counts of 14 a day with one day of a million): the fit then does not
    settle (None, so the caller falls back) rather than raising OverflowError."""
    y = np.r_[np.full(50, 14.0), 1e6]
    X = np.ones((51, 1))
    assert _negbin.nb2_fit(y, X, np.array([np.log(y.mean())]), 1e160) is None
