"""The drift model of the log-rate (``intensity._levelshift``): the Kalman filter and
disturbance smoother against statsmodels, the shift scan's size and power, and
``detect_breaks``' choice between the drift and the AR(1) readings (issue 22)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from designs import _ar1, _counts, _rw, _series  # tests/designs.py

from intensity import _levelshift as ls
from intensity import detect_breaks


def _log_walk(rng: np.random.Generator, n: int, q: float, step_at: int | None = None):
    x = math.log(1000) + _rw(rng, n, math.sqrt(q)) + _ar1(rng, n, 0.5, 0.1)
    if step_at is not None:
        x = x + np.where(np.arange(n) >= step_at, math.log(1.6), 0.0)
    return _counts(rng, x)


@pytest.mark.parametrize("missing", [False, True], ids=["complete", "gaps"])
def test_shift_statistic_is_statsmodels_standardised_level_disturbance(missing):
    """``r_t / sqrt(N_t)`` is the smoothed level disturbance over its standard deviation
    (de Jong & Penzer 1998), and the likelihood is the Kalman likelihood; both checked
    against statsmodels' UnobservedComponents (local level + AR(1) + irregular) with the
    same variances, away from the diffuse start. Tolerance 1e-5 on the statistic: the
    diffuse start is a variance of 1e6 here and exact in statsmodels, which moves the
    statistic by up to 1e-6."""
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    rng = np.random.default_rng(2)
    n = 400
    z = np.cumsum(rng.normal(0, 0.01, n)) + _ar1(rng, n, 0.6, 0.1) + rng.normal(0, 0.15, n)
    if missing:
        z[100:120] = np.nan
        z[250] = np.nan
    h, q, s, phi = 0.15**2, 1e-4, 0.01 * (1 - 0.36), 0.6
    free = np.zeros(n, dtype=np.bool_)
    ll, u, _, info = ls._kalman(z, h, q, s, phi, free, True)
    res = UnobservedComponents(z, level="llevel", autoregressive=1).smooth([h, q, s, phi])
    eta = np.asarray(res.smoothed_state_disturbance[0])
    var = q - np.asarray(res.smoothed_state_disturbance_cov[0, 0])
    inner = slice(20, n - 1)  # the last disturbance moves nothing observed: variance 0
    assert np.allclose(u[inner], eta[inner] / np.sqrt(var[inner]), atol=1e-5)
    assert np.allclose(info[inner] * q * q, var[inner], rtol=1e-5)
    # the likelihood without the diffuse first period
    assert ll == pytest.approx(float(res.llf_obs[1:].sum()), abs=1e-4)
    assert ll == pytest.approx(ls._loglik(z, h, q, s, phi, free), rel=1e-12)


@pytest.mark.parametrize("missing", [False, True], ids=["complete", "gaps"])
@pytest.mark.parametrize("phi", [0.1, 0.6, 0.97], ids=["phi0.1", "phi0.6", "phi0.97"])
def test_level_only_likelihood_is_the_exact_diffuse_one(missing, phi):
    """Without drift and free jumps the fits use the one-state filter of
    ``_loglik_level``: the exact diffuse likelihood of a constant level + AR(1) + noise,
    checked against the dense GLS formula (de Jong 1991: the level profiled out, with
    ``-1/2 log(1' V^-1 1)``) to 1e-9, and against the two-state filter, whose diffuse
    start is a variance of 1e6, to 1e-6 (its approximation)."""
    rng = np.random.default_rng(4)
    n = 300
    z = 0.3 + _ar1(rng, n, phi, 0.1) + rng.normal(0, 0.15, n)
    if missing:
        z[100:120] = np.nan
        z[250] = np.nan
    h, s = 0.15**2, 0.01 * (1 - phi * phi)
    obs = np.isfinite(z)
    lag = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))[np.ix_(obs, obs)]
    V = s / (1 - phi * phi) * phi**lag + h * np.eye(int(obs.sum()))
    zo, one = z[obs], np.ones(int(obs.sum()))
    Vz, V1 = np.linalg.solve(V, zo), np.linalg.solve(V, one)
    dense = -0.5 * (
        (len(zo) - 1) * math.log(2 * math.pi)
        + np.linalg.slogdet(V)[1]
        + zo @ Vz
        - (one @ Vz) ** 2 / (one @ V1)
        + math.log(one @ V1)
    )
    fast = ls._loglik_level(z, h, s, phi)
    assert fast == pytest.approx(dense, abs=1e-9)
    free = np.zeros(n, dtype=np.bool_)
    assert fast == pytest.approx(ls._loglik(z, h, 0.0, s, phi, free), abs=1e-6)
    assert ls._loglik_level(np.full(5, np.nan), h, s, phi) == 0.0


def _null_rows(rows: int, missing: bool) -> tuple[np.ndarray, np.ndarray]:
    """Rows of a drift model's null draws (as the selection simulates them) with the
    same missing days, and free jumps at two days."""
    model = ls.ShiftModel(h=0.015, q=1.2e-3, s=0.011, phi=0.66, loglik=0.0)
    obs = np.ones(600, dtype=bool)
    if missing:
        obs[[40, 41, 300]] = False
        obs[450:470] = False
    Z = ls._simulate(np.random.default_rng(8), model, obs, rows)
    free = np.zeros(600, dtype=np.bool_)
    free[[150, 151]] = True
    return Z, free


@pytest.mark.parametrize("missing", [False, True], ids=["complete", "gaps"])
def test_rows_side_by_side_give_the_numbers_of_a_row_at_a_time(missing):
    """The null draws' kernels run many rows at once (the gains once, the filters side by
    side): every number equals, to the last bit, that of the one-row filter and smoother
    (``_kalman``, ``_loglik``) and of the golden-section search written out a row at a
    time: the Monte Carlo p-values do not depend on how the rows are batched."""
    Z, free = _null_rows(23, missing)
    h, q, s, phi = 0.015, 1.2e-3, 0.011, 0.66
    U = ls._statistics(Z, h, q, s, phi, free)
    for b in range(len(Z)):
        assert np.array_equal(U[b], ls._kalman(Z[b], h, q, s, phi, free, True)[1])
    rng = np.random.default_rng(9)
    qs = q * np.exp(rng.uniform(-6, 1, len(Z)))
    frees = np.repeat(free[None], len(Z), axis=0)
    frees[np.arange(len(Z)), rng.integers(20, 580, len(Z))] = True
    got = ls._loglik_rows(Z, h, qs, s, phi, frees)
    want = [ls._loglik(Z[b], h, qs[b], s, phi, frees[b]) for b in range(len(Z))]
    assert np.array_equal(got, want)

    def golden(z: np.ndarray, fr: np.ndarray, lo: float, hi: float) -> float:
        g = 0.6180339887498949
        x1, x2 = hi - g * (hi - lo), lo + g * (hi - lo)
        f1 = -ls._loglik(z, h, math.exp(x1), s, phi, fr)
        f2 = -ls._loglik(z, h, math.exp(x2), s, phi, fr)
        for _ in range(8):
            if f1 < f2:
                hi, x2, f2 = x2, x1, f1
                x1 = hi - g * (hi - lo)
                f1 = -ls._loglik(z, h, math.exp(x1), s, phi, fr)
            else:
                lo, x1, f1 = x1, x2, f2
                x2 = lo + g * (hi - lo)
                f2 = -ls._loglik(z, h, math.exp(x2), s, phi, fr)
        return math.exp(0.5 * (lo + hi))

    lo, hi = math.log(q) - 12.0, math.log(q) + 0.5
    qa = ls._golden_q(Z, h, s, phi, frees, lo, hi)
    assert np.array_equal(qa, [golden(Z[b], frees[b], lo, hi) for b in range(len(Z))])
    ok = ls._scan_positions(600, free, 14)
    stat, at, qa = ls._alt_stats(Z, h, q, s, phi, free, ok, 14)
    for b in range(len(Z)):
        one = ls._alt_stats(Z[b : b + 1], h, q, s, phi, free, ok, 14)
        assert (stat[b], at[b], qa[b]) == (one[0][0], one[1][0], one[2][0])
        trial = ls._free_best(U[b], ok, free, 14)
        assert qa[b] == golden(Z[b], trial, lo, hi)
        u = ls._kalman(Z[b], h, qa[b], s, phi, free, True)[1]
        assert (stat[b], at[b]) == ls._largest(u, ok)
    best, where = ls._row_maxima(Z, h, q, s, phi, free, ok)
    for b in range(len(Z)):
        assert (best[b], where[b]) == ls._largest(U[b], ok)


@pytest.mark.parametrize(
    "reads",
    [[(0, 45)], [(0, 7), (7, 19), (19, 45)], [(30, 45), (0, 30)]],
    ids=["one", "steps", "backwards"],
)
def test_null_rows_depend_on_their_number_only(reads):
    """A null row is the same series however the selection's steps read the draws
    (blocks of ``NULL_CHUNK`` rows kept as drawn): one read, reads of 7, 12 and 26 rows
    across the blocks' ends, or the later rows first; and it equals the model's formula
    on that row's three normals."""
    model = ls.ShiftModel(h=0.02, q=1e-3, s=0.01, phi=0.6, loglik=0.0)
    obs = np.ones(300, dtype=bool)
    obs[[5, 100, 101]] = False
    draws = ls._NullDraws(np.random.default_rng(3), obs)
    got = np.full((45, 300), -1.0)
    for lo, hi in reads:
        got[lo:hi] = draws.series(model, lo, hi)
    rng = np.random.default_rng(3)
    blocks = [rng.standard_normal((3, ls.NULL_CHUNK, 300)) for _ in range(3)]
    normals = np.concatenate(blocks, axis=1)[:, :45]
    noise, walk, ar = normals
    x = np.zeros((45, 300))
    x[:, 0] = ar[:, 0] * math.sqrt(model.s) * math.sqrt(1 / (1 - model.phi**2))
    for t in range(1, 300):
        x[:, t] = ar[:, t] * math.sqrt(model.s) + model.phi * x[:, t - 1]
    want = noise * math.sqrt(model.h) + np.cumsum(walk * math.sqrt(model.q), axis=1) + x
    want[:, ~obs] = np.nan
    assert np.allclose(got, want, rtol=1e-12, atol=1e-12, equal_nan=True)
    assert np.array_equal(got, draws.series(model, 0, 45), equal_nan=True)


def test_fit_recovers_the_variances_of_a_long_series():
    rng = np.random.default_rng(5)
    n = 4000
    z = np.cumsum(rng.normal(0, 0.02, n)) + rng.normal(0, 0.2, n)
    model, _ = ls.fit_shift_model(z - np.median(z), np.zeros(n, dtype=np.bool_))
    # truth: drift sd 0.02, white 0.2 (the AR(1) part may take some of the white noise)
    assert 0.014 <= math.sqrt(model.q) <= 0.028, model
    assert 0.15 <= math.sqrt(model.h + model.ar_variance) <= 0.25, model


def test_scan_keeps_its_size_on_a_drift_and_finds_a_sharp_step():
    """20 null series of 400 days (a random walk of sd 0.015 a day + AR(1) + counts):
    at most 2 with a shift at the 5% level; a x1.6 step in the same noise found within
    a week in >= 8 of 10, its 95% date interval covering the true date."""
    false = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        z = np.log(_log_walk(rng, 400, 0.015**2) + 0.5)
        false += len(ls.select_shifts(z, 14, 0.05, 49, rng).positions) > 0
    assert false <= 2, false
    found = covered = 0
    for seed in range(10):
        rng = np.random.default_rng(100 + seed)
        z = np.log(_log_walk(rng, 400, 0.01**2, step_at=200) + 0.5)
        sel = ls.select_shifts(z, 14, 0.05, 99, rng)
        near = [i for i, p in enumerate(sel.positions) if abs(p - 200) <= 7]
        if near:
            found += 1
            i = near[0]
            covered += sel.date_lower[i] <= 200 <= sel.date_upper[i]
            assert 1.3 < math.exp(sel.log_jumps[i]) < 2.0  # truth 1.6
    assert found >= 8 and covered >= found - 1, (found, covered)


def test_auto_keeps_the_ar1_reading_for_steps_in_stationary_noise():
    """Two steps in AR(1) counts: the drift test without breaks reads the steps as
    drift, the comparison of readings does not, and the AR(1) search's breaks stand."""
    rng = np.random.default_rng(8)
    n = 700
    level = np.where(np.arange(n) < 250, 0.0, math.log(1.5)) + np.where(
        np.arange(n) < 480, 0.0, math.log(0.7)
    )
    s = _series(_counts(rng, math.log(800) + level + _ar1(rng, n, 0.5, 0.1)))
    b = detect_breaks(s, n_boot=99)
    dep = b.dependence
    assert dep is not None and not dep.long_range and dep.drift == 0
    assert math.isfinite(dep.drift_lr)
    pos = np.asarray(b.positions)
    assert len(pos) == 2 and np.all(np.abs(pos - [250, 480]) <= 5), b.dates
    assert "AR(1) model used" in str(b)


def test_personnel_one_answer_whatever_the_start(personnel):
    """Real personnel: the drift model is taken; the abrupt change of October 2023 is
    found from the whole series and from 2023 with overlapping date intervals and the
    same size within its interval; from 2024 no abrupt change stands out of the drift."""
    whole = detect_breaks(personnel)
    since = detect_breaks(personnel["2023-01-01":])
    later = detect_breaks(personnel["2024-01-01":])
    for b in (whole, since, later):
        assert b.dependence is not None and b.dependence.drift > 0
        assert b.drift is not None and b.drift.index.equals(b.series.index)
    oct23 = pd.Timestamp("2023-10-11")
    a = whole.breaks.loc[whole.breaks.index == oct23].iloc[0]
    c = since.breaks.loc[since.breaks.index == oct23].iloc[0]
    assert len(since.breaks) == 1
    assert a["ci_lower"] <= c["ci_upper"] and c["ci_lower"] <= a["ci_upper"]
    assert abs(a["ratio"] - c["ratio"]) < (c["ratio_ci_upper"] - c["ratio_ci_lower"]) / 2
    assert c["ratio_ci_lower"] > 1.2 and c["p_value"] <= 0.01 and c["p_bound"]
    assert len(later.breaks) == 0


def test_compiled_nelder_mead_is_scipys():
    """The compiled simplex search runs scipy's Nelder-Mead (same moves, first simplex
    and stopping rule): the same optimum, to rounding, from the same start."""
    from scipy.optimize import minimize

    rng = np.random.default_rng(11)
    z = np.log(_log_walk(rng, 600, 1e-4) + 0.5)
    z = z - np.median(z)
    free = np.zeros(len(z), dtype=np.bool_)
    x0 = np.array([math.log(0.01), math.log(1e-4), math.log(0.005), 0.5])
    ref = minimize(
        lambda t: float(ls._nll(t, z, free, True, 1.0)),
        x0,
        method="Nelder-Mead",
        options={"xatol": 1e-3, "fatol": 1e-4, "maxiter": 1500},
    )
    x, f = ls._nelder_mead(x0, z, free, True, 1.0, 1e-3, 1e-4, 1500)
    assert f == pytest.approx(ref.fun, rel=1e-12)
    np.testing.assert_allclose(x, ref.x, rtol=1e-9, atol=1e-9)


def test_drift_quadratic_is_the_walk_covariance():
    """``q A' min(s, t) A`` by reverse cumulative sums equals the dense product."""
    from intensity.dependence import drift_quadratic

    rng = np.random.default_rng(3)
    A = rng.normal(size=(60, 3))
    idx = np.arange(60)
    M = np.minimum.outer(idx, idx).astype(float)
    np.testing.assert_allclose(drift_quadratic(A, 2.5e-4), 2.5e-4 * A.T @ M @ A, rtol=1e-12)
    a = A[:, 0] - A[:, 0].mean()  # a contrast: the walk's origin does not matter
    shifted = np.minimum.outer(idx + 7, idx + 7).astype(float)
    assert drift_quadratic(a, 1.0) == pytest.approx(float(a @ shifted @ a), rel=1e-10)


def test_drift_noise_takes_the_drift_model_only_where_the_log_rate_drifts():
    """The noise model of the seasonal analyses: the drift model on a random walk (with
    the df of its drift variance), the AR(1) it was given on stationary AR(1) noise."""
    from intensity.dependence import DependenceModel

    rng = np.random.default_rng(8)
    n = 1200
    base = DependenceModel(0.5, 0.01, 40.0, 0.3, 2.0)
    ones, obs = np.ones(n), np.ones(n, dtype=bool)
    walk = _counts(rng, math.log(1000) + _rw(rng, n, 0.02) + _ar1(rng, n, 0.5, 0.1))
    dep = ls.drift_noise(walk, ones, obs, base)
    assert dep.drift > 0 and dep.drift_p < 0.05 and 1 < dep.drift_dof < 1e6
    assert 0.01 < math.sqrt(dep.drift) < 0.04, dep  # the walk's sd is 0.02
    assert not dep.independent and "drift model used" in dep.describe()
    steady = _counts(rng, math.log(1000) + _ar1(rng, n, 0.5, 0.1))
    kept = ls.drift_noise(steady, ones, obs, base)
    assert kept.drift == 0 and kept.rho == base.rho and np.isfinite(kept.drift_p)


@pytest.mark.parametrize(
    ("far", "unsettled"),
    [(0, False), (3, False), (15, True)],
    ids=["cluster", "far-1pct", "far-5pct"],
)
def test_date_interval_on_a_cliff_is_unsettled(far, unsettled):
    """The shortest run holding 95% of 299 re-estimated dates: a tight cluster, or one
    with 1% of far dates, is settled; with 5% far (where the run's end jumps between the
    cluster and a far date with the draws' noise) it is unsettled."""
    rng = np.random.default_rng(3)
    near = np.round(rng.laplace(500.0, 2.0, 299 - far)).astype(np.int64)
    found = np.sort(np.r_[near, rng.integers(0, 1600, far)])
    lo, hi, flag = ls._shortest_run(found, 0.95)
    assert lo <= 500 <= hi
    assert flag is unsettled
    if not unsettled:
        assert hi - lo < 30


@pytest.mark.parametrize("seed", range(6), ids=[f"seed{i}" for i in range(6)])
def test_a_drift_lr_below_the_fits_precision_reads_zero(seed):
    """Independent counts: the drift test's LR is either a real one (above
    :data:`~intensity._levelshift.LR_ZERO`, p below one half) or 0 with p = 1; before,
    LRs of 1e-7 (the two models' filters differ by that much at q = 0) printed
    "LR 0.0, p = 0.499" in real MRL's report."""
    rng = np.random.default_rng(seed)
    y = _counts(rng, np.full(600, math.log(50.0)))
    z = np.log(y + 0.5)
    test = ls.drift_test(ls.clean_rate(z))
    assert (test.lr == 0.0 and test.p_value == 1.0) or (
        test.lr > ls.LR_ZERO and test.p_value < 0.5
    ), (test.lr, test.p_value)
