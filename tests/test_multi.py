"""Several metrics at once: common breaks (intensity.breaks.joint), lead and lag
(intensity.multi.leadlag) and ratios (intensity.multi.ratio).

The simulations look like the real loss categories: negative-binomial counts around
personnel-, artillery- and APC-sized levels (1,000, 35, 14 a day) with a latent AR(1)
log-rate (sd 0.13 / 0.37 / 0.5, as measured against a 29-day mean on the real series
since 2023) that is correlated across metrics (0.3). Break sizes are those of the real
common breaks (×1.6 and ×0.625; the real ones are ×1.3–2.6).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import intensity as it
from intensity import _pelt
from intensity.breaks.joint import _frame_costs, _Joint
from intensity.dependence import _ar1
from intensity.exceptions import InsufficientDataError, ParameterError, SeriesValidationError
from intensity.multi import detect_common_breaks, lead_lag, ratio
from intensity.simulate import simulate_metrics

LEVELS = {"personnel": 1000.0, "artillery": 35.0, "apc": 14.0}
SDS = {"personnel": 0.13, "artillery": 0.37, "apc": 0.5}
SHARED = [(500, 1.6), (1100, 0.625)]
SINGLE = 800  # a break in artillery only


def _three(seed: int, rho: float = 0.4) -> pd.DataFrame:
    brk = {k: list(SHARED) for k in LEVELS}
    brk["artillery"] = sorted([*SHARED, (SINGLE, 1.6)])
    return simulate_metrics(1600, LEVELS, breaks=brk, rho=rho, sd=SDS, corr=0.3, size=20, seed=seed)


# --------------------------------------------------------------------------- kernel
def _brute_force(joint: _Joint, pen: float, m: int, scale: np.ndarray) -> float:
    """Optimal partitioning without pruning, the reference of the pruned search."""
    n = joint.n
    F = np.full(n + 1, np.inf)
    F[0] = -pen
    for t in range(m, n + 1):
        s = np.arange(0, t - m + 1)
        s = s[(s == 0) | (s >= m)]
        c = joint.costs_of(s, np.full(len(s), t), scale)
        F[t] = np.min(F[s] + pen + c)
    return float(F[n])


@pytest.mark.parametrize("pen", [5.0, 20.0, 80.0], ids=["low", "mid", "high"])
def test_joint_search_is_exact(pen: float) -> None:
    f = _three(3).iloc[:240]
    _, costs, _ = _frame_costs(f, "negbin", None, None, 5)
    joint = _Joint(costs)
    scale = np.array([0.5, 1.0, 0.8])
    F, last, _ = _pelt.pelt_joint(joint.codes, joint.n, 5, pen, *joint._args(scale))
    assert F[-1] == pytest.approx(_brute_force(joint, pen, 5, scale), rel=1e-12)


def test_joint_of_one_column_is_the_single_search() -> None:
    f = _three(4)
    _, costs, _ = _frame_costs(f[["personnel", "apc"]], "negbin", None, None, 14)
    one = _Joint(costs[:1])
    assert one.run(40.0, 14, np.ones(1)) == costs[0].run(40.0, 14)[0]


# --------------------------------------------------------------------------- simulation
def test_shared_breaks_found_and_single_not_common() -> None:
    """100 replications: both shared breaks found as common within 7 days in >= 90, the
    artillery-only break not called common in >= 90 (measured: 97 and 92 at rho 0.4)."""
    found = single_common = 0
    for seed in range(100):
        res = detect_common_breaks(_three(seed), n_boot=0)
        pos = np.asarray(res.positions)
        common = res.breaks["common"].to_numpy()
        found += all(np.any((np.abs(pos - b) <= 7) & common) for b, _ in SHARED)
        single_common += bool(np.any((np.abs(pos - SINGLE) <= 60) & common))
    assert found >= 90
    assert single_common <= 10


def test_joint_null_has_no_breaks() -> None:
    """Four correlated, serially dependent metrics without breaks (rho 0.6): no break in
    20 series (measured: 0/40 at each of rho 0, 0.3, 0.6, 0.8 with cross-correlation 0.3
    and 0.7; 20 here to keep the suite's time)."""
    levels = {**LEVELS, "drone": 300.0}
    sds = {**SDS, "drone": 0.5}
    n_false = 0
    for seed in range(20):
        f = simulate_metrics(1600, levels, rho=0.6, sd=sds, corr=0.5, size=20, seed=1000 + seed)
        n_false += len(detect_common_breaks(f, n_boot=0).positions) > 0
    assert n_false <= 1


def test_joint_intervals_narrower_than_single() -> None:
    """The joint date interval of a shared break is narrower than the single-series ones
    (median over 10 replications and both shared breaks)."""
    joint_w, single_w = [], {c: [] for c in LEVELS}
    for seed in range(10):
        f = _three(seed)
        res = detect_common_breaks(f, n_boot=199)
        b = res.breaks
        pos = np.asarray(res.positions)
        for tb, _ in SHARED:
            i = int(np.argmin(np.abs(pos - tb)))
            joint_w.append((b["ci_upper"].iloc[i] - b["ci_lower"].iloc[i]).days + 1)
        for c in LEVELS:
            sb = it.detect_breaks(f[c], n_boot=199)
            sp = np.asarray(sb.positions)
            for tb, _ in SHARED:
                i = int(np.argmin(np.abs(sp - tb))) if len(sp) else -1
                if i < 0 or abs(sp[i] - tb) > 30:
                    single_w[c].append(np.inf)  # a missed break: no interval
                    continue
                w = (sb.breaks["ci_upper"].iloc[i] - sb.breaks["ci_lower"].iloc[i]).days + 1
                single_w[c].append(w)
    jm = float(np.median(joint_w))
    for c, w in single_w.items():
        assert jm < float(np.median(w)), (c, jm, np.median(w))


# --------------------------------------------------------------------------- result
@pytest.fixture(scope="module")
def three_result():
    f = _three(11)
    return f, detect_common_breaks(f, n_boot=99)


def test_result_tables(three_result) -> None:
    f, res = three_result
    assert list(res.level.columns) == list(LEVELS)
    assert res.level.index.equals(f.index)
    assert set(res.metrics.index.get_level_values("metric")) == set(LEVELS)
    assert len(res.metrics) == len(res.breaks) * 3
    assert (res.breaks["ci_lower"] <= res.breaks.index).all()
    assert (res.breaks["ci_upper"] >= res.breaks.index).all()
    own = res.metrics.xs(
        res.breaks.index[int(np.argmin(np.abs(np.asarray(res.positions) - 500)))], level="date"
    )
    # each metric's own best date at the shared break is near it (all moved there)
    assert (np.abs((pd.DatetimeIndex(own["own_date"]) - f.index[500]).days) <= 30).all()
    r = res.ratios()
    i = int(np.argmin(np.abs(np.asarray(res.positions) - 500)))
    assert r.iloc[i].between(1.4, 1.8).all()  # true ratio 1.6 in every metric
    text = str(res)
    assert "common" in text and "personnel ratio [CI]" in text
    # the notes say why a metric can move at more common breaks than it has alone
    assert any("no drift model" in n and "breaks of its own" in n for n in res._notes())
    assert "<table" in res._repr_html_()
    assert res.summary().shape[0] == len(res.breaks)


def test_input_not_modified() -> None:
    f = _three(5)
    before = f.copy()
    detect_common_breaks(f, n_boot=0)
    pd.testing.assert_frame_equal(f, before)


def test_detect_breaks_dispatches_on_frame(three_result) -> None:
    f, res = three_result
    again = it.detect_breaks(f, n_boot=99)
    assert isinstance(again, it.CommonBreaks)
    assert again.positions == res.positions


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"n_breaks": 2}, "n_breaks does not apply"),
        ({"max_breaks": 2}, "max_breaks does not apply"),
        ({"model": "normal"}, "count models"),
        ({"min_share": 1.5}, "min_share"),
    ],
    ids=["n_breaks", "max_breaks", "model", "min_share"],
)
def test_frame_errors(kw, message) -> None:
    f = _three(1).iloc[:200]
    with pytest.raises(ParameterError, match=message):
        it.detect_breaks(f, **kw)


def test_frame_shape_errors() -> None:
    f = _three(1).iloc[:200]
    with pytest.raises(ParameterError, match="at least 2 columns"):
        detect_common_breaks(f[["apc"]])
    dup = pd.concat([f["apc"], f["apc"]], axis=1)
    with pytest.raises(ParameterError, match="unique"):
        detect_common_breaks(dup)
    weekly = f.resample("W").sum()
    with pytest.raises(SeriesValidationError, match="daily"):
        detect_common_breaks(weekly)


def test_missing_days_per_column() -> None:
    f = _three(6).copy()
    f.iloc[100:160, 1] = np.nan  # artillery missing for two months
    f.iloc[::7, 2] = np.nan  # apc missing one day a week
    res = detect_common_breaks(f, n_boot=0)
    pos = np.asarray(res.positions)
    assert all(np.min(np.abs(pos - b)) <= 7 for b, _ in SHARED)


@pytest.mark.parametrize("before,after", [(1, 0), (3, 2)], ids=["1-0", "3-2"])
def test_unobserved_days_at_the_ends_do_not_change_the_common_breaks(before, after) -> None:
    """Days no column observes before the first observed day and after the last leave
    the common breaks, their date intervals, p-values and each metric's row as they were
    (the single series' rule): ``read_losses``' table starts with such a day, the
    processed one a day later, and the report's joint intervals differed from the API's
    at every break after the first (2023-10-11: [10-04, 10-19] against [09-30, 10-21])."""
    f = _three(3).iloc[:900]
    idx = pd.date_range(f.index[0] - pd.Timedelta(days=before), periods=len(f) + before + after)
    padded = f.reindex(idx)
    base = detect_common_breaks(f, n_boot=99)
    got = detect_common_breaks(padded, n_boot=99)
    assert len(base.breaks) >= 1
    assert [p - before for p in got.positions] == list(base.positions)
    pd.testing.assert_frame_equal(
        got.breaks.drop(columns="position"), base.breaks.drop(columns="position")
    )
    keep = [c for c in base.metrics.columns if "position" not in c]
    pd.testing.assert_frame_equal(got.metrics[keep], base.metrics[keep])


def test_plot_common_breaks(three_result) -> None:
    from matplotlib.figure import Figure

    fig = three_result[1].plot()
    assert isinstance(fig, Figure)
    assert fig.axes[0].get_yscale() == "log"


# --------------------------------------------------------------------------- lead and lag
def _pair(rng: np.random.Generator, n: int, lag: int, common_sd: float, rho: float = 0.6):
    """b follows a by *lag* days through a shared latent AR(1) factor; each also has its
    own AR(1) latent noise (rho) and NB noise."""
    L = n + lag

    def ar(sd: float) -> np.ndarray:
        e = rng.standard_normal(L) * sd * np.sqrt(1 - rho**2)
        e[0] = rng.standard_normal() * sd
        return _ar1(e, rho)

    x = ar(common_sd) if common_sd > 0 else np.zeros(L)
    u, v = ar(0.2 if common_sd > 0 else 0.25), ar(0.2 if common_sd > 0 else 0.25)
    idx = pd.date_range("2023-01-01", periods=n, freq="D")
    ma = 1000 * np.exp(x[lag:] + u[lag:])
    mb = 30 * np.exp(x[:n] + v[:n])
    a = rng.negative_binomial(20, 20 / (20 + ma)).astype(float)
    b = rng.negative_binomial(20, 20 / (20 + mb)).astype(float)
    return pd.Series(a, idx, name="a"), pd.Series(b, idx, name="b")


def test_lead_lag_recovers_three_days() -> None:
    """100 pairs of 1,000 days where b follows a by 3 days: lag 3 found and significant
    in >= 90 (measured: 100)."""
    rng = np.random.default_rng(1)
    hits = 0
    for _ in range(100):
        a, b = _pair(rng, 1000, 3, 0.2)
        res = lead_lag(a, b)
        hits += res.best_lag == 3 and res.significant
    assert hits >= 90


def test_lead_lag_null_rate() -> None:
    """Independent pairs with AR(1) noise (rho 0.6): a significant lag in at most 5% of
    pairs. Measured 5.2% on 1,000 pairs (Monte Carlo se 0.7%); on 400 pairs the bound is
    allowed two Monte Carlo standard errors (0.05 + 2 * 0.011); without prewhitening the
    rate is several times that."""
    rng = np.random.default_rng(7)
    n_sig = sum(lead_lag(*_pair(rng, 1000, 0, 0.0)).significant for _ in range(400))
    assert n_sig / 400 <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / 400)


def test_lead_lag_result_and_errors() -> None:
    from matplotlib.figure import Figure

    rng = np.random.default_rng(2)
    a, b = _pair(rng, 400, 2, 0.2)
    res = lead_lag(a, b, max_lag=7)
    assert list(res.table.index) == list(range(-7, 8))
    assert (res.table["ci_lower"] < res.table["ccf"]).all()
    assert "lag" in str(res)
    assert isinstance(res.plot(), Figure)
    with pytest.raises(ParameterError, match="max_lag"):
        lead_lag(a, b, max_lag=0)
    with pytest.raises(InsufficientDataError, match="at least"):
        lead_lag(a.iloc[:50], b.iloc[:50])


# --------------------------------------------------------------------------- ratio
def test_ratio_null_and_power() -> None:
    """Ratio of two correlated, dependent metrics: no break in 30 series without one
    (measured 0/40 at rho 0.3 and 0.6); a +30% step in the numerator found within 30
    days in most (measured 34/40 at rho 0.3)."""
    sd = {"a": 0.13, "b": 0.37}
    false = found = 0
    for seed in range(30):
        f = simulate_metrics(1000, {"a": 1000, "b": 35}, rho=0.3, sd=sd, seed=seed)
        false += len(ratio(f["a"], f["b"], n_boot=0).breaks.breaks) > 0
        f = simulate_metrics(
            1000, {"a": 1000, "b": 35}, breaks={"a": [(500, 1.3)]}, rho=0.3, sd=sd, seed=100 + seed
        )
        pos = np.asarray(ratio(f["a"], f["b"], n_boot=0).breaks.positions)
        found += bool(len(pos) and np.min(np.abs(pos - 500)) <= 30)
    assert false <= 1
    assert found >= 22


def test_ratio_levels_and_zero_denominator() -> None:
    rng = np.random.default_rng(0)
    idx = pd.date_range("2024-01-01", periods=500, freq="D")
    b = pd.Series(rng.poisson(150, 500).astype(float), index=idx, name="engagements")
    b.iloc[10] = 0.0
    r_true = np.where(np.arange(500) < 250, 6.0, 8.0)
    a = pd.Series(rng.poisson(r_true * b).astype(float), index=idx, name="personnel")
    res = ratio(a, b, n_boot=0)
    assert np.isnan(res.series.iloc[10])  # a zero denominator has no ratio
    assert res.segments["sum_ratio"].round(1).tolist() == [6.0, 8.0]
    # the geometric mean is below the ratio of sums by about half the log variance
    np.testing.assert_allclose(res.segments["ratio"], [6.0, 8.0], rtol=0.02)
    assert res.name == "personnel per engagements"
    assert "weekday" in str(res)


def test_a_gross_day_in_one_column_is_set_aside() -> None:
    """One day at 100 times the level of one column (a data-entry error) made a common
    break of its own: a 14-day segment around it, 2022-12-25 ... 2023-01-08, beside the
    shared step. Such days are set aside (``_negbin.gross_days``) and named."""
    a = it.simulate_counts(1200, seed=1, breaks=[(600, 1.5)]).counts.astype(float)
    b = it.simulate_counts(1200, seed=2, level=200.0, breaks=[(600, 1.3)]).counts.astype(float)
    clean = it.detect_breaks(pd.DataFrame({"a": a, "b": b}), n_boot=0)
    a.iloc[300] *= 100
    dirty = it.detect_breaks(pd.DataFrame({"a": a, "b": b}), n_boot=0)
    assert dirty.positions == clean.positions and len(dirty.positions) == 1
    assert dirty.set_aside == {"a": (a.index[300],)} and clean.set_aside == {}
    assert any("a: 1 day(s) far beyond the days around them set aside" in n for n in dirty._notes())


# --------------------------------------------------------------------------- real data
REAL = ["personnel", "field artillery", "APC", "drone"]


@pytest.fixture(scope="module")
def real_joint(losses):
    return detect_common_breaks(losses[REAL])


def test_real_common_breaks(real_joint, personnel) -> None:
    """On the real series the joint breaks contain personnel's own: each single-series
    break of personnel has a joint break within 30 days, and the autumn 2023 break is
    common with its date interval inside October 2023."""
    single = it.detect_breaks(personnel)
    joint_dates = pd.DatetimeIndex(real_joint.breaks.index)
    for d in single.dates:
        assert np.min(np.abs((joint_dates - d).days)) <= 30, d
    autumn = real_joint.breaks.loc["2023-09-15":"2023-11-15"]
    assert len(autumn) == 1 and bool(autumn["common"].iloc[0])
    assert autumn["ci_lower"].iloc[0] >= pd.Timestamp("2023-09-01")
    assert autumn["ci_upper"].iloc[0] <= pd.Timestamp("2023-11-01")


def test_real_lead_lag_and_ratio(losses) -> None:
    ll = lead_lag(losses["field artillery"], losses["personnel"])
    assert ll.best_lag == 0 and ll.significant
    r = ratio(losses["personnel"], losses["field artillery"], n_boot=0)
    # the per-segment ratio stays within the range a reader sees in the 28-day ratio
    assert r.segments["sum_ratio"].between(10, 150).all()


def test_ratio_breaks_on_the_ratio_scale_and_sparse_denominator() -> None:
    """result.breaks reads on the ratio scale (the change at a break, with its interval);
    with the denominator observed one day in six (hand-collected figures) the break's date
    interval spans weeks, not the few days a daily series would give."""
    rng = np.random.default_rng(3)
    idx = pd.date_range("2024-01-01", periods=900, freq="D")
    b = pd.Series(rng.poisson(150, 900).astype(float), index=idx, name="engagements")
    a = pd.Series(
        rng.poisson(np.where(np.arange(900) < 450, 10.0, 6.0) * b).astype(float),
        index=idx,
        name="personnel",
    )
    res = ratio(a, b.where(np.arange(900) % 6 == 0), n_boot=0)
    row = res.breaks.breaks.iloc[0]
    assert 0.55 < row["ratio"] < 0.65 and row["ratio_ci_lower"] < 0.6 < row["ratio_ci_upper"]
    assert (row["ci_upper"] - row["ci_lower"]).days >= 12


def test_seasonal_adjustment_per_column() -> None:
    """Each column takes its own SeasonalFit; a mapping naming no column, or one fit for
    the whole frame, is refused with the rule."""
    f = simulate_metrics(
        800, {"a": 500, "b": 40}, breaks={"a": [(400, 1.5)], "b": [(400, 1.5)]}, rho=0.3, seed=2
    )
    fits = {c: it.fit_seasonal(f[c], annual=False) for c in f.columns}
    res = it.detect_breaks(f, seasonal=fits, n_boot=0)
    assert res.seasonal_adjusted
    assert np.min(np.abs(np.asarray(res.positions) - 400)) <= 7
    with pytest.raises(ParameterError, match="not in the frame"):
        it.detect_breaks(f, seasonal={"zz": fits["a"]})
    with pytest.raises(ParameterError, match="mapping of column to SeasonalFit"):
        it.detect_breaks(f, seasonal=fits["a"])


@pytest.mark.parametrize("seed", [1, 2], ids=["seed1", "seed2"])
def test_frame_default_takes_each_columns_annual_cycle_out(seed) -> None:
    """Two daily columns with simulate_counts' default annual cycle (±15%) and a shared
    +30% step at day 800 of 1,600. With seasonal=None (the frame default before
    2026-12-05) the joint search put eight breaks at the cycle's turns and none at the
    step; the default now deseasonalises each column that shows its cycle, as
    detect_breaks does for one series, and finds the step alone."""
    a = it.simulate_counts(1600, breaks=[(800, 1.3)], seed=seed).counts
    b = it.simulate_counts(1600, breaks=[(800, 1.3)], seed=seed + 50, level=300.0).counts
    f = pd.DataFrame({"a": a, "b": b})
    res = it.detect_breaks(f)
    assert res.seasonal_adjusted
    assert len(res.positions) == 1 and abs(res.positions[0] - 800) <= 7
    plain = it.detect_breaks(f, seasonal=None)
    assert not plain.seasonal_adjusted and len(plain.positions) >= 4
    assert detect_common_breaks(f, seasonal="auto").positions == res.positions
    with pytest.raises(ParameterError, match="seasonal must be None, 'auto' or a mapping"):
        detect_common_breaks(f, seasonal="yes")
