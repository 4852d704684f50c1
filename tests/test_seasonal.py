"""Seasonality: decompose, fit_seasonal, seasonal_profile."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.seasonal import MSTL, STL

import intensity
from intensity.exceptions import InsufficientDataError, ParameterError, SeriesValidationError
from intensity.simulate import simulate_counts

REF = Path(__file__).parent / "reference"


# ----------------------------------------------------------------------------- decompose
@pytest.mark.parametrize("periods", [(7,), (7, 365)], ids=["stl-7", "mstl-7-365"])
def test_decompose_reproduces_statsmodels_exactly(periods):
    sim = simulate_counts(900, seed=11)
    # every day evaluated (no interpolation jumps): statsmodels' STL / MSTL to the bit
    exact = {"trend_jump": 1, "low_pass_jump": 1}
    res = intensity.decompose(sim.counts, periods=periods, robust=True, **exact)
    z = np.log1p(sim.counts.to_numpy())
    if len(periods) == 1:
        ref = STL(z, period=7, robust=True).fit()
        np.testing.assert_array_equal(res.seasonal["seasonal_7"].to_numpy(), ref.seasonal)
    else:
        ref = MSTL(z, periods=periods, stl_kwargs={"robust": True}).fit()
        np.testing.assert_array_equal(res.seasonal.to_numpy(), ref.seasonal)
    np.testing.assert_array_equal(res.trend.to_numpy(), ref.trend)
    np.testing.assert_array_equal(res.remainder.to_numpy(), ref.resid)
    assert res.trend.index.equals(sim.counts.index)


@pytest.mark.parametrize("robust", [False, True], ids=["plain", "robust"])
def test_decompose_jumps_stay_close_to_every_day(robust):
    """R's default jumps (trend and low-pass smoothers every tenth of their window) against
    statsmodels' every-day evaluation on a 1,600-day series: the trend within 0.02 and the
    seasonal components within 0.1 of the remainder's sd on average (log scale). Robust
    fitting re-weights days from each fit's residuals, so small differences are passed on
    (measured on this series: trend rms 0.0004 plain, 0.0016 robust; seasonal rms 0.003
    plain, 0.009 and 0.021 robust, against a remainder sd of 0.24 and 0.31)."""
    sim = simulate_counts(1600, seed=5, size=8.0)
    fast = intensity.decompose(sim.counts, robust=robust)
    exact = intensity.decompose(sim.counts, robust=robust, trend_jump=1, low_pass_jump=1)
    noise = float(exact.remainder.std())
    rms = lambda a, b: float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))  # noqa: E731
    assert rms(fast.trend, exact.trend) < 0.02
    for col in exact.seasonal.columns:
        assert rms(fast.seasonal[col], exact.seasonal[col]) < 0.1 * noise, col
    assert abs(float(fast.remainder.std()) - noise) < 0.02 * noise


def test_decompose_against_r_forecast_mstl():
    """R's forecast::mstl (tests/reference/make_mstl_reference.R, R 4.2.2, forecast 8.20).

    The two implementations are not the same algorithm in detail: R's stl uses a low-pass
    window equal to the period (statsmodels requires a longer one), 2 inner iterations
    (statsmodels 5) and interpolation jumps of a tenth of each window (statsmodels 1). The
    tolerances below are what those differences leave on this 800-day series (log scale),
    measured, not wished for; the weekly-only fit agrees closely, the annual component of
    the 7+365 fit (barely two cycles of data) only loosely.
    """
    y = pd.read_csv(REF / "mstl_input.csv", parse_dates=["date"], index_col="date")["y"]
    y = y.asfreq("D")
    r7 = pd.read_csv(REF / "mstl7_forecast.csv", parse_dates=["date"], index_col="date")
    d7 = intensity.decompose(y, periods=(7,), robust=False)
    assert np.corrcoef(d7.trend, r7["trend"])[0, 1] > 0.99
    assert np.corrcoef(d7.seasonal["seasonal_7"], r7["seasonal_7"])[0, 1] > 0.85
    assert np.sqrt(np.mean((d7.trend - r7["trend"]) ** 2)) < 0.05  # log scale
    r = pd.read_csv(REF / "mstl_forecast.csv", parse_dates=["date"], index_col="date")
    d = intensity.decompose(y, periods=(7, 365), robust=False)
    np.testing.assert_allclose(np.log1p(y.to_numpy()), r["data"], rtol=1e-12)
    assert np.corrcoef(d.seasonal["seasonal_7"], r["seasonal_7"])[0, 1] > 0.9
    assert np.corrcoef(d.seasonal["seasonal_365"], r["seasonal_365"])[0, 1] > 0.75
    assert np.abs(d.trend - r["trend"]).max() < 0.05


def test_decompose_missing_days_are_reported_not_returned():
    sim = simulate_counts(400, seed=3, missing=0.05)
    s = sim.counts
    res = intensity.decompose(s, periods=(7,))
    assert len(res.filled_days) == s.isna().sum() > 0
    assert res.remainder[s.isna()].isna().all()
    assert res.trend.notna().all()
    assert s.isna().sum() == len(res.filled_days)  # input untouched
    assert "filled by interpolation" in str(res)


@pytest.mark.parametrize("n", [500, 730], ids=["500-days", "exactly-two-years"])
def test_decompose_refuses_to_drop_annual_silently(n):
    # statsmodels' MSTL drops a period p when n <= 2p (with a warning only): exactly two
    # years was let through and lost its annual component in the report's joint test
    s = simulate_counts(n, seed=1).counts
    with pytest.raises(InsufficientDataError, match="period 365 needs at least 731 days"):
        intensity.decompose(s)


def test_decompose_counts_the_observed_span_only():
    """Two and a half years of which only the last 100 days are observed: the periods
    are checked against the observed span (missing edge days were once filled with the
    first count and decomposed as data), and the error says so."""
    s = simulate_counts(900, seed=1).counts
    s.iloc[:800] = np.nan
    with pytest.raises(InsufficientDataError, match="got 100 from the first observed day"):
        intensity.decompose(s)
    d = intensity.decompose(s, periods=(7,))
    assert d.trend.iloc[:800].isna().all() and d.trend.iloc[800:].notna().all()


def test_decompose_one_year_and_a_day_more_keeps_both_periods():
    s = simulate_counts(731, seed=1).counts
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no MSTL warning about a dropped period
        res = intensity.decompose(s)
    assert list(res.seasonal.columns) == ["seasonal_7", "seasonal_365"]


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        ({"transform": "log"}, ParameterError, "transform must be one of"),
        ({"periods": (1,)}, ParameterError, "periods must be distinct integers >= 2"),
        ({"periods": ("x",)}, ParameterError, "whole numbers"),
    ],
    ids=["transform", "period-1", "period-str"],
)
def test_decompose_parameter_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        intensity.decompose(simulate_counts(100, seed=0).counts, **kwargs)


def test_decompose_weekly_input_needs_two_cycles():
    s = pd.Series(np.arange(30.0), index=pd.date_range("2024-01-07", periods=30, freq="W-SUN"))
    with pytest.raises(InsufficientDataError, match="period 52 needs at least 104 weeks"):
        intensity.decompose(s)


@pytest.mark.parametrize("transform", ["log1p", "sqrt", "none"])
def test_decompose_count_scale_components(transform):
    s = simulate_counts(200, seed=4).counts
    res = intensity.decompose(s, periods=(7,), transform=transform)
    rebuilt = res.trend + res.seasonal.sum(axis=1) + res.remainder
    if transform == "log1p":
        np.testing.assert_allclose(np.expm1(rebuilt), s, rtol=1e-9)
    assert (res.trend_counts > 0).all()
    assert res.summary().loc["seasonal_7", "share_of_total"] > 0


# ----------------------------------------------------------------------------- fit_seasonal
def test_fit_seasonal_recovers_known_effects():
    sim = simulate_counts(1460, seed=7, weekday=(1.1, 1.05, 1.0, 1.0, 0.97, 0.93, 0.95))
    fit = intensity.fit_seasonal(sim.counts)
    truth = sim.weekday_ratio
    inside = (fit.weekday["ci_lower"] <= truth) & (truth <= fit.weekday["ci_upper"])
    assert inside.sum() >= 6
    assert fit.harmonics >= 1
    assert fit.tests.loc["weekly", "p_value"] < 1e-6
    # the annual test takes its dependence from the model without the annual terms (so it
    # keeps its size under dependence), where the cycle itself looks like slow dependence:
    # p = 5e-4 here, where the likelihood-ratio test on independent days gave < 1e-6; with
    # the test's harmonics fixed at 2 (not the 1 chosen: a test after selection over-
    # rejected under drift) p = 2e-3
    assert fit.tests.loc["annual", "p_value"] < 0.01
    assert 0.5 / sim.size < fit.dispersion < 2 / sim.size
    text = fit.describe_weekday("Monday")
    assert text.startswith("Mondays are 1.") and "95% CI" in text


@pytest.mark.slow
def test_rate_ratio_intervals_cover_truth_in_93_to_97_percent():
    """200 replications × 7 weekdays; annual effect present, linear trend."""
    rng = np.random.default_rng(20261128)
    hits = []
    for _ in range(200):
        sim = simulate_counts(730, seed=rng, annual_amplitude=0.15, size=20)
        fit = intensity.fit_seasonal(sim.counts, annual=1, trend="linear")
        w = fit.weekday
        hits.append(
            ((w["ci_lower"] <= sim.weekday_ratio) & (sim.weekday_ratio <= w["ci_upper"])).to_numpy()
        )
    cover = np.mean(hits)
    assert 0.93 <= cover <= 0.97, cover


@pytest.mark.slow
def test_weekly_test_holds_its_size():
    """No weekly effect: the 5% test (Wald with the dependence model's covariance, the
    default) rejects in 3.5–7% of 1,000 replications of independent counts. Loosened
    from the likelihood-ratio test's 4–6%: the Wald test rejects 6.6% here (a Wald test
    with 6 df on 365 days; 7% is the bound the dependence issue sets)."""
    rng = np.random.default_rng(5)
    p = []
    for _ in range(1000):
        sim = simulate_counts(365, seed=rng, weekday=None, annual_amplitude=0.0, size=15)
        fit = intensity.fit_seasonal(sim.counts, annual=False, trend="linear")
        p.append(fit.tests.loc["weekly", "p_value"])
    rate = np.mean(np.asarray(p) < 0.05)
    assert 0.035 <= rate <= 0.07, rate


def test_fit_seasonal_missing_days_and_structure(personnel):
    fit = intensity.fit_seasonal(personnel)
    assert fit.fitted.index.equals(personnel.index)
    assert fit.fitted.notna().all() and fit.lower.notna().all() and fit.upper.notna().all()
    assert (fit.lower <= fit.fitted).all() and (fit.fitted <= fit.upper).all()
    assert (fit.weekday["ci_lower"] < fit.weekday["rate_ratio"]).all()
    assert (fit.weekday["rate_ratio"] < fit.weekday["ci_upper"]).all()
    assert np.isclose(np.prod(fit.weekday["rate_ratio"]), 1.0)
    assert set(fit.tests.index) <= {"weekly", "annual"} and "weekly" in fit.tests.index
    assert fit.tests["p_value"].between(0, 1).all()
    s = fit.summary()
    assert any(t.startswith("test weekly (Wald") for t in s.index)
    assert "dispersion alpha" in s.index
    assert "<table" in fit._repr_html_() and "weekday Monday" in str(fit)
    assert personnel.isna().sum() > 0  # the input still has its missing days


def test_fit_seasonal_errors():
    s = simulate_counts(100, seed=0).counts
    with pytest.raises(ParameterError, match="trend must be"):
        intensity.fit_seasonal(s, trend="wiggly")
    with pytest.raises(
        InsufficientDataError, match=r"annual harmonics need at least a year \(365.25 days\)"
    ):
        intensity.fit_seasonal(s, annual=2)
    with pytest.raises(SeriesValidationError, match="non-negative"):
        intensity.fit_seasonal(-s)
    with pytest.raises(ParameterError, match="whole-number"):
        intensity.fit_seasonal(s + 0.5)
    with pytest.raises(InsufficientDataError, match="at least 30 observed days"):
        intensity.fit_seasonal(s.iloc[:20])


# ----------------------------------------------------------------------------- profiles
@pytest.mark.parametrize("by,n", [("weekday", 7), ("month", 12)], ids=["weekday", "month"])
def test_seasonal_profile(by, n):
    sim = simulate_counts(800, seed=9, annual_amplitude=0.2, annual_peak_day=15)
    prof = intensity.seasonal_profile(sim.counts, by=by)
    t = prof.table
    assert len(t) == n and (t["ci_lower"] < t["ci_upper"]).all()
    if by == "month":  # peak in January, trough in July
        assert t["rate_ratio"].idxmax() in ("Jan", "Dec", "Feb")
        assert t["rate_ratio"].idxmin() in ("Jun", "Jul", "Aug")
    assert list(prof.summary().columns) == ["rate_ratio", "ci_lower", "ci_upper", "p_value"]


def test_seasonal_profile_month_needs_a_year():
    with pytest.raises(InsufficientDataError, match="365 days"):
        intensity.seasonal_profile(simulate_counts(200, seed=0).counts, by="month")


def test_real_personnel_decomposition_end_to_end(personnel):
    d = intensity.decompose(personnel)
    assert d.trend.index.equals(personnel.index)
    assert list(d.seasonal.columns) == ["seasonal_7", "seasonal_365"]
    # interior gaps are filled for the fit; the leading missing increment is outside the
    # decomposed span (NaN in every component) and does not move it: the processed
    # series, a day shorter, gives the same decomposition (the weekly share was 2.1% with
    # the day filled by its neighbour and 3.0% without)
    assert len(d.filled_days) == personnel.isna().sum() - 1
    assert np.isnan(d.trend.iloc[0]) and d.seasonal.iloc[0].isna().all()
    short = intensity.decompose(personnel.iloc[1:])
    pd.testing.assert_frame_equal(short.summary(), d.summary(), rtol=1e-9)


def test_fit_seasonal_tests_of_the_components_asked_for():
    """``tests=["annual"]``: the annual row alone, the same as in the full table (the
    winter question's check for an annual cycle needs no weekly test)."""
    sim = simulate_counts(800, seed=8)
    full = intensity.fit_seasonal(sim.counts)
    only = intensity.fit_seasonal(sim.counts, tests=["annual"])
    assert list(full.tests.index) == ["weekly", "annual"]
    assert list(only.tests.index) == ["annual"]
    pd.testing.assert_series_equal(only.tests.loc["annual"], full.tests.loc["annual"])
    np.testing.assert_allclose(only.fitted, full.fitted)
    for bad in (["monthly"], None, 1, [None], ["annual", 2]):
        with pytest.raises(ParameterError, match="tests must be True, False or component"):
            intensity.fit_seasonal(sim.counts, tests=bad)
    assert list(intensity.fit_seasonal(sim.counts, tests="annual").tests.index) == ["annual"]


def test_fit_seasonal_tests_flag_and_exclude():
    sim = simulate_counts(400, seed=8, spikes=[(100, 5.0)])
    full = intensity.fit_seasonal(sim.counts, annual=False)
    assert list(full.tests.index) == ["weekly"]
    quick = intensity.fit_seasonal(sim.counts, annual=False, tests=False)
    assert quick.tests.empty
    np.testing.assert_allclose(quick.fitted, full.fitted)
    ex = pd.Series(False, index=sim.counts.index)
    ex.iloc[100] = True
    robust = intensity.fit_seasonal(sim.counts, annual=False, exclude=ex)
    assert robust.fitted.notna().all()
    assert robust.dispersion < full.dispersion  # the spike no longer inflates the dispersion


def test_f_tests_state_both_degrees_of_freedom(personnel):
    # issue 22: "9.9 on 4 df, p = 0.102" was printed for an F test without its
    # denominator df
    from intensity.report.seasonality import describe_test as _test_text

    fit = intensity.fit_seasonal(personnel)
    t = fit.tests
    assert list(t.columns) == ["statistic", "df", "df_denominator", "p_value", "method"]
    row = t.loc["annual"]
    assert np.isfinite(row["df_denominator"]) and row["df_denominator"] > 1
    text = _test_text(t, "annual")
    # the real log-rate drifts: the tests use the local level + AR(1) model, with the
    # denominator df of its drift variance
    assert row["method"] == "Wald (local level + AR(1) dependence)"
    assert text.startswith(f"{row['method']}: F(4, {row['df_denominator']:.0f}) = ")
    assert f"p = {row['p_value']:.3g}" in text
    assert (
        fit.summary().loc[f"test annual ({row['method']})", "df_denominator"]
        == (row["df_denominator"])
    )
    ar1 = intensity.fit_seasonal(personnel, dependence="ar1").tests
    assert _test_text(ar1, "annual").startswith(
        f"Wald (AR(1) dependence): F(4, {ar1.loc['annual', 'df_denominator']:.0f}) = "
    )
    # without dependence: likelihood-ratio, chi-squared, no denominator
    lr = intensity.fit_seasonal(personnel, dependence="none").tests
    assert lr["df_denominator"].isna().all()
    assert _test_text(lr, "annual").startswith("likelihood ratio: ") and " df, p = " in (
        _test_text(lr, "annual")
    )


def test_profiles_are_one_number_and_dependence_aware(personnel):
    # issue 22: Monday 0.971 [0.948, 0.996] in the report text but 0.968 [0.933, 1.006]
    # in the figure; December 1.199 (1.143-1.258), p ~ 1e-13, beside an annual p of 0.10
    fit = intensity.fit_seasonal(personnel)
    wk = intensity.seasonal_profile(personnel, "weekday").table
    pd.testing.assert_frame_equal(
        wk.drop(columns="n_days"), fit.weekday[wk.columns.drop("n_days")], check_exact=True
    )
    reuse = intensity.seasonal_profile(personnel, "weekday", fit=fit).table
    pd.testing.assert_frame_equal(reuse, wk)
    dep = intensity.seasonal_profile(personnel, "month").table
    ind = intensity.seasonal_profile(personnel, "month", dependence="none").table
    # the dependence widens every month's interval (the residuals are positively correlated)
    assert ((dep["ci_upper"] / dep["ci_lower"]) > (ind["ci_upper"] / ind["ci_lower"])).all()
    assert dep["p_value"].min() > ind["p_value"].min()
    with pytest.raises(ParameterError, match="fit must be a SeasonalFit of the same series"):
        intensity.seasonal_profile(personnel.iloc[:800], "weekday", fit=fit)


# ------------------------------------------------- edges: one number for the API and report
def test_missing_edge_days_change_nothing():
    """Missing days before the first and after the last observation carry no information:
    the fit, its tests and both profiles are those of the observed span (issue 22: one
    leading missing day moved the real weekly p from 0.259 to 0.272 and its F test's
    denominator df from 14.6 to 12.1), and the results keep the input's index."""
    s = simulate_counts(800, seed=3, size=15.0).counts
    days = pd.date_range(s.index[0] - pd.Timedelta(days=3), s.index[-1] + pd.Timedelta(days=2))
    padded = s.reindex(days.rename(s.index.name))
    a, b = intensity.fit_seasonal(padded), intensity.fit_seasonal(s)
    pd.testing.assert_frame_equal(a.tests, b.tests)
    pd.testing.assert_series_equal(a.params, b.params)
    assert a.fitted.index.equals(padded.index) and a.fitted.notna().all()
    pd.testing.assert_series_equal(a.fitted.loc[s.index], b.fitted)
    pd.testing.assert_series_equal(a.annual.loc[s.index], b.annual)
    # beyond the observed span: the trend held at its edge value, the weekday and annual
    # effects of those dates
    np.testing.assert_allclose(a.trend.iloc[:4], b.trend.iloc[0], rtol=1e-12)
    np.testing.assert_allclose(a.trend.iloc[-3:], b.trend.iloc[-1], rtol=1e-12)
    for by in ("weekday", "month"):
        pd.testing.assert_frame_equal(
            intensity.seasonal_profile(padded, by=by).table,
            intensity.seasonal_profile(s, by=by).table,
        )


def test_real_report_and_api_give_one_seasonal_test(personnel):
    """The loss table's personnel column starts with a missing day (the first cumulative
    figure has no increment); the report analyses it from its first observed day. Both
    routes give the same weekly and annual tests."""
    assert pd.isna(personnel.iloc[0])
    api = intensity.fit_seasonal(personnel).tests
    report_route = intensity.fit_seasonal(personnel.loc[personnel.first_valid_index() :]).tests
    pd.testing.assert_frame_equal(api, report_route)


def test_sparse_counts_with_months_of_zeros_do_not_reach_statsmodels(monkeypatch):
    # real naval-ship losses (33 ships in 1,625 days): the trends of 10-16 df run off to
    # a mean of 0 over months without a ship, so no finite maximum exists; three such
    # candidates went to statsmodels' Newton (200 iterations) and BFGS, 4.5 s of the fit,
    # only to end at the unconverged Poisson limit. They now end there at once, and an
    # unconverged candidate is never chosen.
    import intensity.seasonal as seasonal_module

    rng = np.random.default_rng(11)
    n = 1600
    days = np.arange(n)
    # (months without a ship, each stretch under a year: a silent year would leave the
    # annual cycle out, test_a_silent_year_does_not_count_towards_an_annual_cycle)
    rate = np.where((days < 300) | (days > 1080) | ((days > 660) & (days < 720)), 0.08, 0.0)
    y = rng.negative_binomial(0.3, 0.3 / (0.3 + rate)).astype(float)
    s = pd.Series(y, index=pd.date_range("2022-02-25", periods=n))
    routed: list[int] = []
    real = seasonal_module._fit_nb_statsmodels

    def counting(y, X):
        routed.append(X.shape[1])
        return real(y, X)

    monkeypatch.setattr(seasonal_module, "_fit_nb_statsmodels", counting)
    fit = intensity.fit_seasonal(s, tests=False)
    assert routed == []
    assert fit.converged
    # the flexible trends were separated: fitted as the unconverged Poisson limit
    models = seasonal_module._Candidates(s.index, y, np.ones(n, bool), True, 365.25)
    separated = [d for d in (8, 10, 12, 16) if not models.fitted(4, d)[1].converged]
    assert separated and all(models.fitted(4, d)[1].poisson_limit for d in separated)
    assert all(models.crit(4, d, 1.0) == np.inf for d in separated)
    assert fit.trend_df not in separated


def test_separated_fit_only_for_means_running_to_zero():
    from intensity._negbin import separated_fit

    rng = np.random.default_rng(3)
    X = np.column_stack([np.ones(300), rng.normal(size=300)])
    y = rng.poisson(np.exp(0.5 + 0.3 * X[:, 1])).astype(float)
    assert separated_fit(y, X) is None  # a finite maximum: not separated
    X2 = np.column_stack([np.ones(300), (np.arange(300) >= 150).astype(float)])
    y2 = np.where(np.arange(300) < 150, rng.poisson(2.0, 300), 0).astype(float)
    f = separated_fit(y2, X2)
    assert f is not None and not f.converged and f.poisson_limit and f.alpha == 0.0
    assert np.exp(X2[-1] @ f.params) < 1e-8  # the second half's mean runs off to 0
    # stopped near the floor, not at 1e-300: the noise model's inverse means stay finite
    # (1 submarine in 1,059 days overflowed there)
    assert np.exp(X2 @ f.params).min() > 1e-12


def test_a_silent_year_does_not_count_towards_an_annual_cycle():
    # VIINA's nv outlet reported in 2022, was silent from 2023-01-01 to 2026-04-16 and
    # reported again: 4.2 years long, one of them heard. Two annual harmonics fitted to
    # that one year deseasonalised it into break segments of 330 million a day
    rng = np.random.default_rng(9)
    y = np.r_[rng.poisson(150, 311), np.zeros(1202), rng.poisson(30, 18)].astype(float)
    s = pd.Series(y, index=pd.date_range("2022-02-24", periods=len(y)), name="outlet")
    fit = intensity.fit_seasonal(s)
    assert "annual" not in fit.tests.index and fit.harmonics == 0
    res = intensity.detect_breaks(s, seasonal=fit, n_boot=0)
    assert float(res.segments["level"].max()) < 2 * float(s.max())
    # two heard years either side of a silent one still learn the cycle
    both = np.r_[rng.poisson(150, 730), np.zeros(400), rng.poisson(150, 730)].astype(float)
    fit2 = intensity.fit_seasonal(pd.Series(both, index=pd.date_range("2022-01-01", periods=1860)))
    assert "annual" in fit2.tests.index


def test_a_day_of_a_million_does_not_send_the_fit_to_statsmodels(monkeypatch):
    """Around a Poisson fit that bends to one day of a million among counts of 50, the
    moment start of the dispersion was 3e20: the vectorised Newton failed at its first
    step, and each of the candidate fits fell back to statsmodels (8.6 s for one
    fit_seasonal, found by the analyses' fuzzer, seed 23). The start is now capped."""
    from intensity import seasonal

    def refuse(y, X):
        raise AssertionError("fell back to statsmodels")

    monkeypatch.setattr(seasonal, "_fit_nb_statsmodels", refuse)
    rng = np.random.default_rng(23)
    idx = pd.date_range("2022-01-01", periods=1251)
    y = rng.negative_binomial(5, 5 / 55, len(idx)).astype(float) + 31
    y[600] = 1e6
    y[rng.choice(len(idx), 69, replace=False)] = np.nan
    fit = intensity.fit_seasonal(pd.Series(y, index=idx))
    assert np.isfinite(fit.tests["p_value"]).all()


@pytest.mark.parametrize(
    "bad, kind",
    [(1_000_000.0, "huge"), (0.0, "zero"), (30_000.0, "thirty-fold")],
    ids=["million", "zero", "thirty-fold"],
)
def test_fit_seasonal_sets_a_gross_outlier_aside(bad, kind):
    """One day far beyond anything the counts' scatter gives (a data-entry error, a
    cumulative correction) does not move the weekday profile: it made its weekday x4.2
    and every other weekday 0.75-0.84 (one day of 1,000,000 among ~1,000). It is set
    aside (two-sided NB tail p < 1e-6 under a first fit), listed and named in the text;
    a clean series sets nothing aside."""
    s = simulate_counts(1600, seed=3, level=1000.0).counts
    clean = intensity.fit_seasonal(s)
    assert clean.set_aside == ()
    dirty = s.copy()
    dirty.iloc[800] = bad
    fit = intensity.fit_seasonal(dirty)
    assert fit.set_aside == (s.index[800],), kind
    # the profile of the clean series, to well within its intervals (a 1e-3 tolerance:
    # one of 1,600 days left out)
    assert np.allclose(fit.weekday["rate_ratio"], clean.weekday["rate_ratio"], atol=1e-3)
    assert fit.harmonics == clean.harmonics and fit.trend_df == clean.trend_df
    words = "set aside as gross outliers (beyond NB tail probability 1e-6 under a first fit)"
    assert f"{words}: {s.index[800]:%Y-%m-%d}" in str(fit)
    assert np.isfinite(fit.fitted.iloc[800])  # still given a fitted value


def test_month_profile_sets_a_gross_outlier_aside():
    """One day of 1,000,000 among ~1,000 a day made its month (July) x2.9 and every other
    month 0.78-1.06; it is set aside (two-sided NB tail p < 1e-6 under a first fit) and
    named, as ``fit_seasonal`` does."""
    s = simulate_counts(1600, seed=3, level=1000.0, breaks=[(800, 1.3)]).counts
    dirty = s.copy()
    dirty.iloc[500] = 1e6
    clean = intensity.seasonal_profile(s, by="month")
    prof = intensity.seasonal_profile(dirty, by="month")
    assert clean.set_aside == () and prof.set_aside == (s.index[500],)
    # one of ~130 July days left out: within half a percent
    assert np.allclose(prof.table["rate_ratio"], clean.table["rate_ratio"], atol=5e-3)
    assert f"{s.index[500]:%Y-%m-%d}" in str(prof)
