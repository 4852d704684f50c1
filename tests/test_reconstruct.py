"""The reconstructed daily series (issue 25): simulations with a known truth, the real
engagement figures with their period figures, and the analyses on draws."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from layout import layout_problems

from intensity.exceptions import DataFormatError, InsufficientDataError, ParameterError
from intensity.reconstruct import (
    MAX_DAYS,
    breaks_on_draws,
    coverage_table,
    excess_on_draws,
    reconstruct_daily,
    rubin,
    validate_reconstruction,
)
from intensity.reports.periods import check_period_figures, read_period_figures


# --------------------------------------------------------------------------- a known truth
def _truth(n: int = 730, seed: int = 0, start: str = "2024-01-01") -> tuple[pd.Series, pd.Series]:
    """Daily counts around a slowly moving level (a random walk on the log scale, sd 0.03
    a day) with overdispersed day noise, and a covariate that shares the level and half
    the day noise."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, periods=n, freq="D")
    level = np.log(150) + np.cumsum(rng.normal(0, 0.03, n))
    level -= level.mean() - np.log(150)
    day = rng.normal(0, 0.25, n)
    counts = rng.poisson(np.exp(level + day)).astype(float)
    cov = np.exp(np.log(1000) + (level - np.log(150)) + 0.5 * day + rng.normal(0, 0.1, n))
    return pd.Series(counts, index=days, name="engagements"), pd.Series(cov, index=days)


def _sparse(truth: pd.Series, every: int = 7, seed: int = 1) -> pd.Series:
    """The truth on a random tenth-ish of the days (one in *every* on average)."""
    rng = np.random.default_rng(seed)
    keep = rng.random(len(truth)) < 1 / every
    return truth.where(keep)


def _monthly_totals(truth: pd.Series, months: list[str]) -> pd.DataFrame:
    rows = ["period_start,period_end,stat,value"]
    for m in months:
        part = truth.loc[m]
        rows.append(f"{part.index[0]:%Y-%m-%d},{part.index[-1]:%Y-%m-%d},total,{int(part.sum())}")
    return read_period_figures(io.StringIO("\n".join(rows) + "\n"))


@pytest.fixture(scope="module")
def sim():
    truth, cov = _truth()
    figures = _sparse(truth)
    periods = _monthly_totals(truth, ["2024-03", "2024-07", "2024-11", "2025-02", "2025-06"])
    r = reconstruct_daily(figures, periods, start=truth.index[0], end=truth.index[-1])
    return truth, cov, figures, periods, r


def test_reported_days_keep_their_figure_and_are_marked(sim):
    truth, _, figures, _, r = sim
    d = r.days
    reported = figures.notna()
    assert d["reported"].to_numpy().tolist() == reported.to_numpy().tolist()
    np.testing.assert_array_equal(d.loc[reported, "estimate"], figures[reported])
    assert set(d.loc[~reported, "source"]) == {"model"}
    # an estimated day is never labelled as a reported one
    assert d.loc[~reported, "reported_value"].isna().all()


def test_monthly_sums_meet_the_stated_totals(sim):
    truth, _, _, periods, r = sim
    checks = check_period_figures(r.estimate, periods)
    assert (checks["status"] == "consistent").all(), checks[["period_start", "detail"]]
    m = r.monthly()
    for month in ("2024-03", "2024-07", "2024-11"):
        stated = truth.loc[month].sum()
        assert abs(m.loc[month, "total"] - stated) <= max(1.0, 0.005 * stated)
        # a stated month's interval is its rounding, not the model's spread
        assert m.loc[month, "upper"] / m.loc[month, "lower"] < 1.02


def test_intervals_cover_the_days_not_reported(sim):
    truth, _, figures, _, r = sim
    d = r.days[figures.isna()]
    t = truth[figures.isna()]
    covered = ((t >= np.floor(d["lower"])) & (t <= np.ceil(d["upper"]))).mean()
    # 95% intervals; Poisson rounding on top of the log-normal day noise
    assert 0.9 <= covered <= 0.995, covered
    # and they are informative: the median interval is narrower than a factor of 4
    assert float(np.median(d["upper"] / d["lower"])) < 4


def test_unstated_month_totals_are_covered(sim):
    truth, _, _, _, r = sim
    m = r.monthly()
    stated = {"2024-03", "2024-07", "2024-11", "2025-02", "2025-06"}
    hits = [
        m.loc[mm, "lower"] <= truth.loc[mm].sum() <= m.loc[mm, "upper"]
        for mm in m.index
        if mm not in stated and m.loc[mm, "days"] >= 28
    ]
    assert np.mean(hits) >= 0.85, hits


def test_draws_meet_totals_bounds_and_reported_days(sim):
    truth, _, figures, periods, r = sim
    draws = r.draws(8, seed=3)
    assert draws.shape == (len(truth), 8)
    reported = figures.notna()
    for col in draws:
        np.testing.assert_array_equal(draws.loc[reported, col], figures[reported])
        checks = check_period_figures(draws[col], periods)
        assert (checks["status"] == "consistent").all(), checks["detail"].tolist()
    # the draws differ where nothing was reported
    assert draws.loc[~reported].std(axis=1).median() > 0
    # same seed, same draws
    pd.testing.assert_frame_equal(draws, r.draws(8, seed=3))


def test_leave_one_out_coverage_on_a_simulation(sim):
    truth, _, figures, periods, _ = sim
    loo = validate_reconstruction(figures, periods, start=truth.index[0], end=truth.index[-1])
    table = coverage_table(loo)
    assert table.loc["day", "n"] == int(figures.notna().sum())
    assert table.loc["day", "coverage"] >= 0.9
    assert table.loc["period", "n"] == 5
    assert table.loc["period", "coverage"] >= 0.8  # 5 figures: one miss is 20%


def test_covariate_adds_on_a_simulation():
    truth, cov = _truth(seed=5)
    figures = _sparse(truth, every=10, seed=6)
    plain = coverage_table(validate_reconstruction(figures))
    with_cov = coverage_table(validate_reconstruction(figures, covariate=cov.rename("personnel")))
    # the covariate shares the level and half the day noise: days are predicted better
    assert with_cov.loc["day", "rmse_log"] < 0.95 * plain.loc["day", "rmse_log"]
    assert with_cov.loc["day", "coverage"] >= 0.85
    r = reconstruct_daily(figures, covariate=cov.rename("personnel"))
    assert r.params["covariate"] == "personnel" and r.params["beta"] > 0


def test_lower_bounds_and_percent_changes_are_met():
    truth, _ = _truth(n=400, seed=2)
    figures = _sparse(truth, every=8, seed=2).to_frame("engagements")
    figures["total_floor"] = False
    # a "more than 400" day and a partial 16:00 figure of 380 on days far above the level
    figures.loc["2024-03-10", ["engagements", "total_floor"]] = [400.0, True]
    figures["partial_16"] = np.nan
    figures.loc["2024-06-05", "partial_16"] = 380.0
    figures.loc["2024-06-05", "engagements"] = np.nan
    periods = read_period_figures(
        io.StringIO(
            "period_start,period_end,stat,value\n"
            "2024-04-01,2024-04-30,total,4500\n"
            "2024-05-01,2024-05-31,pct_change_vs_prev_month,20\n"
        )
    )
    before = figures.copy()
    r = reconstruct_daily(figures, periods)
    pd.testing.assert_frame_equal(figures, before)  # the input is not changed
    d = r.days
    assert d.loc["2024-03-10", "estimate"] >= 400 and d.loc["2024-03-10", "source"] == "floor"
    assert d.loc["2024-06-05", "estimate"] >= 380 and d.loc["2024-06-05", "source"] == "partial"
    may, april = (
        r.period_total("2024-05-01", "2024-05-31"),
        r.period_total("2024-04-01", "2024-04-30"),
    )
    assert april[0] == pytest.approx(4500, abs=23)
    assert may[0] / april[0] == pytest.approx(1.20, abs=0.001)
    for col, s in r.draws(4, seed=1).items():
        assert s["2024-06-05"] >= 380 - 1e-6, col
        assert s["2024-03-10"] >= 400 - 1e-6, col


# --------------------------------------------------------------------------- the real figures
@pytest.fixture(scope="module")
def real(shared_dir: Path):
    import warnings

    from intensity.reports import engagements_daily, reports_from_table

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        daily = engagements_daily(
            reports_from_table(shared_dir / "news_engagements" / "engagements.csv")
        )
    periods = read_period_figures(shared_dir / "gs_engagement_aggregates" / "aggregates.csv")
    return daily, periods


def test_real_reconstruction_meets_every_period_figure(real):
    daily, periods = real
    r = reconstruct_daily(daily, periods)
    checks = check_period_figures(r.estimate, periods)
    assert not (checks["status"] == "contradicts").any(), checks.loc[
        checks["status"] == "contradicts", "detail"
    ].tolist()
    m = r.monthly()
    # the winter the seed speaks of: the stated monthly figures, kept
    assert m.loc["2024-08", "mean_per_day"] == pytest.approx(145, abs=0.5)
    assert m.loc["2024-11", "mean_per_day"] == pytest.approx(5205 / 30, abs=0.2)
    assert m.loc["2024-12", "mean_per_day"] == pytest.approx(6247 / 31, abs=0.2)
    # every reported day shows its figure; the rest say they are estimated
    whole = daily["engagements"].dropna()
    exact = ~daily.loc[whole.index, "total_floor"].astype(bool)
    np.testing.assert_array_equal(r.days.loc[whole.index[exact], "estimate"], whole[exact])
    # "more than N": at least N
    assert (r.days.loc[whole.index[~exact], "estimate"] >= whole[~exact]).all()
    assert r.days["reported"].sum() < 0.1 * len(r.days)


def test_real_leave_one_out_coverage(real):
    daily, periods = real
    table = coverage_table(validate_reconstruction(daily, periods))
    assert table.loc["day", "n"] >= 70
    assert table.loc["day", "coverage"] >= 0.9
    # 19 period figures: one miss is 5%
    assert table.loc["period", "n"] >= 15
    assert table.loc["period", "coverage"] >= 0.85


def test_real_winter_and_breaks_on_draws(real):
    daily, periods = real
    r = reconstruct_daily(daily, periods)
    ex = excess_on_draws(r, n_draws=6, seed=1)
    w = ex.loc["2024/25"]
    assert w["excess_level_ci_lower"] < w["excess_level_pct"] < w["excess_level_ci_upper"]
    assert 0 < w["between_level"] < 1  # part of the uncertainty is the reconstruction's
    br = breaks_on_draws(r, n_draws=6, seed=1)
    supported = br[br["supported"]]
    # the autumn-2023 rise (~30 → ~70 a day) is in every draw
    assert ((supported["date"] > "2023-08-01") & (supported["date"] < "2023-12-01")).any()
    assert (br["date_lower"] <= br["date"]).all() and (br["date"] <= br["date_upper"]).all()


# --------------------------------------------------------------------------- analyses on draws
def test_rubin_matches_the_hand_formula():
    est = np.array([0.10, 0.14, 0.06, 0.12])
    var = np.array([0.02, 0.025, 0.018, 0.022]) ** 2
    r = rubin(est, var)
    w, b, m = var.mean(), est.var(ddof=1), 4
    t = w + (1 + 1 / m) * b
    assert r["estimate"] == pytest.approx(0.105)
    assert r["se"] == pytest.approx(np.sqrt(t))
    assert r["df"] == pytest.approx((m - 1) * (1 + w / ((1 + 1 / m) * b)) ** 2)
    assert r["share_between"] == pytest.approx((1 + 1 / m) * b / t)


def test_excess_on_draws_finds_a_simulated_winter_surge():
    truth, _ = _truth(n=1100, seed=11, start="2022-06-01")
    surge = (truth.index >= "2023-11-01") & (truth.index <= "2024-02-28")
    rng = np.random.default_rng(12)
    truth = truth.copy()
    truth[surge] = rng.poisson(truth[surge] * 1.6).astype(float)
    figures = _sparse(truth, every=4, seed=13)
    ex = excess_on_draws(reconstruct_daily(figures), n_draws=5, seed=2)
    w = ex.loc["2023/24"]
    # found, but attenuated: on the full truth the winter reads +54% [33, 78]; the
    # smoother blurs the surge's edges into the months around it (+25% [8, 45] here)
    assert w["excess_level_ci_lower"] > 0 and w["excess_level_pct"] > 15, w
    assert w["reported_days"] == int(figures.loc["2023-11-01":"2024-02-28"].notna().sum())


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("figures", "error", "match"),
    [
        pytest.param(
            pd.DataFrame({"x": [1.0]}), DataFormatError, "column 'engagements'", id="no-column"
        ),
        pytest.param([1, 2, 3], DataFormatError, "got list", id="list"),
        pytest.param(
            pd.Series([1.0, 2.0], index=pd.Index([1, 2])),
            DataFormatError,
            "DatetimeIndex",
            id="no-dates",
        ),
        pytest.param(
            pd.Series([100.0] * 5, index=pd.date_range("2025-01-01", periods=5)),
            InsufficientDataError,
            "at least 10 days",
            id="too-few",
        ),
    ],
)
def test_bad_figures_are_refused(figures, error, match):
    with pytest.raises(error, match=match):
        reconstruct_daily(figures)


def test_a_span_too_long_and_a_short_covariate_are_refused(sim):
    truth, cov, figures, _, r = sim
    long = pd.Series(np.nan, index=pd.date_range("2010-01-01", periods=MAX_DAYS + 5))
    long.iloc[::20] = 100.0
    with pytest.raises(ParameterError, match=f"at most {MAX_DAYS} days"):
        reconstruct_daily(long)
    with pytest.raises(DataFormatError, match="covariate must cover"):
        reconstruct_daily(figures, covariate=cov.iloc[:100])
    with pytest.raises(ParameterError, match="inside the reconstructed days"):
        r.period_total("2023-01-01", "2024-01-31")


def test_result_forms_and_figure(sim):
    *_, r = sim
    assert "reconstructed" in str(r) and "days reported" in repr(r)
    assert "<table" in r._repr_html_()
    s = r.summary()
    assert {"total", "lower", "upper", "reported", "stated_total"} <= set(s.columns)
    fig = r.plot()
    assert layout_problems(fig) == []
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("reported whole day" in t for t in texts)
    assert any("period figure" in t for t in texts)
