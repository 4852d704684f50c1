"""The winter-surge question: episodes against a named baseline that cannot absorb them,
and the per-season excess table, on the real series and on simulations that look like it
(annual cycle, trend, AR(1) log-rate)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import intensity
from intensity.baselines import sustained_shifts
from intensity.dependence import DependenceModel, simulate_latent_counts
from intensity.exceptions import InsufficientDataError, ParameterError

START = pd.Timestamp("2022-03-01")
N = 1461  # four years


def _dep(rho: float) -> DependenceModel:
    """Half of the overdispersion (relative variance 0.06) in the AR part, as in
    tests/test_dependence.py; rho = 0: independent NB counts."""
    if rho == 0:
        return DependenceModel(0.0, 0.0, 1 / 0.06, 0.0, 1.0)
    return DependenceModel(rho, float(np.log(1.03)), 1 / 0.03, 0.0, 1.0)


def _mean(raised: bool, annual: float = np.log(1.2)) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """About 1,000 a day, +20% in mid-winter against the yearly average, a trend of +20%
    over four years; *raised*: 2024-12-01 … 2025-01-29 a further +30%."""
    idx = pd.date_range(START, periods=N)
    doy = idx.day_of_year.to_numpy()
    log_mu = np.log(1000.0) + annual * np.cos(2 * np.pi * (doy - 15) / 365.25)
    log_mu += np.log(1.2) * np.arange(N) / N
    mu = np.exp(log_mu)
    if raised:
        win = (idx >= "2024-12-01") & (idx <= "2025-01-29")
        mu = np.where(win, mu * 1.3, mu)
    return idx, mu


def _series(rho: float, raised: bool, rng: np.random.Generator) -> pd.Series:
    idx, mu = _mean(raised)
    return pd.Series(simulate_latent_counts(mu, _dep(rho), rng)[0], index=idx, name="sim")


# ----------------------------------------------------------------------------- real data
def test_real_winter_2024_surge_over_the_level_only_under_the_ar1(personnel):
    # issue 22: the level scan called winter 2024/25 a +33% surge while seasonal_excess
    # puts it at +13% [-7, +36] over its level. With the AR(1) null alone it still does;
    # the default null adds the slow wandering of the residuals' 14-90-day means
    # (a slow AR(1), sd 0.07 on real personnel) and, as seasonal_excess, finds none
    def over(res):
        ep = res.episodes
        return ep[(ep["start"] <= "2024-12-31") & (ep["end"] >= "2024-11-15")]

    ar1 = intensity.detect_anomalies(personnel, baseline="level", n_sim=99, dependence="ar1")
    assert (over(ar1)["kind"] == "surge").any(), ar1.episodes
    res = intensity.detect_anomalies(personnel, baseline="level", n_sim=99)
    assert over(res).empty, res.episodes
    assert res.dependence.slow_sigma2 > 0
    assert res.baseline_kind == "level" and "level" in str(res)
    winter = intensity.seasonal_excess(personnel).table.loc["2024/25"]
    assert winter["excess_level_ci_lower"] < 0 < winter["excess_level_ci_upper"]


def test_real_seasonal_excess_of_the_winters(personnel):
    t = intensity.seasonal_excess(personnel, season=("11-01", "02-28"))
    r = t.table.loc["2024/25"]
    # +13% over the level around it; the log-rate drifts (a random walk of sd ~0.014 a
    # day in the winter's window), which the interval now allows for: with the AR(1)
    # alone it was [2, 25], too narrow for a level that wanders (28-40% of null winters
    # flagged on random walks, benchmarks/noise.py --seasonal)
    assert r["excess_level_pct"] > 0 and r["drift_sd"] > 0, r
    ar1 = intensity.seasonal_excess(personnel, dependence="ar1").table.loc["2024/25"]
    assert ar1["drift_sd"] == 0 and ar1["excess_level_pct"] == r["excess_level_pct"]
    assert r["excess_level_ci_lower"] < ar1["excess_level_ci_lower"], (r, ar1)
    assert r["excess_level_ci_upper"] > ar1["excess_level_ci_upper"], (r, ar1)
    assert list(t.table.index) == ["2022/23", "2023/24", "2024/25", "2025/26"]
    text = t.sentence("2024/25")
    assert text.startswith("winter 2024/25: +") and "over the other winters" in text
    fig = t.plot()
    assert fig.get_axes()[0].get_legend() is not None
    from intensity.plotting import plot_overview

    ov = plot_overview(personnel, winters=t)
    # the season strip above the plot (no label on the data)
    texts = [x.get_text() for ax in ov.get_axes() for x in ax.texts]
    # over the level of the 240 days either side (+34% when the level came from every
    # day), over the other winters (+31% against annual harmonics of every other year;
    # +18% until spring 2022's catch-up days were set aside from 2022/23's window; +15%
    # until 2026-12-05, when 2022-10-21's 100 among 320-530 was left out of the sustained
    # shifts' search and the 2022 shift moved from 10-24 to 10-18: since then +10%, as
    # from 2022-04, -06 and -10, see the next test)
    assert any(x.startswith("2024/25: +13% / +10%") for x in texts), texts


def test_real_over_other_winters_is_robust_to_one_winter_and_the_start(personnel):
    """Issue 22: 'over the other winters' read 2025/26 as -26% (p = .03) and -19% (p = .18)
    without 2024/25; winter 2024/25 as +31% on the whole series and +10% from 2023. Now
    the centre is the median of the other winters' excesses over their own level."""
    whole = intensity.seasonal_excess(personnel).table
    without = intensity.seasonal_excess(
        personnel.where(~((personnel.index >= "2024-11-01") & (personnel.index <= "2025-02-28")))
    ).table
    a, b = whole.loc["2025/26"], without.loc["2025/26"]
    half = (a["excess_seasonal_ci_upper"] - a["excess_seasonal_ci_lower"]) / 2
    assert abs(a["excess_seasonal_pct"] - b["excess_seasonal_pct"]) < half / 4, (a, b)
    assert (a["p_seasonal"] > 0.05) == (b["p_seasonal"] > 0.05)
    w = whole.loc["2024/25"]
    cut = intensity.seasonal_excess(personnel["2023-01-01":]).table.loc["2024/25"]
    half = (cut["excess_seasonal_ci_upper"] - cut["excess_seasonal_ci_lower"]) / 2
    # a year later start: the answer moves by less than its interval's half-width
    assert abs(w["excess_seasonal_pct"] - cut["excess_seasonal_pct"]) < half, (w, cut)
    assert (whole["other_seasons"] == 3).all()
    # from 2022-04 (and -06, -10) the same +10.4% as on the whole series since the gross
    # days left the sustained shifts' search (2026-12-05); +15.2% on the whole series before
    later = intensity.seasonal_excess(personnel["2022-04-01":]).table.loc["2024/25"]
    assert later["excess_seasonal_pct"] == pytest.approx(w["excess_seasonal_pct"], abs=0.05)


def test_real_winter_level_answer_does_not_move_with_the_start(personnel):
    # the issue: +34% on the whole series, +16% from 2023. Now the level around the
    # winter is its neighbours' (240 days either side)
    whole = intensity.seasonal_excess(personnel).table.loc["2024/25"]
    for start in ("2023-01-01", "2023-06-01"):
        cut = intensity.seasonal_excess(personnel[start:]).table.loc["2024/25"]
        assert abs(cut["excess_level_pct"] - whole["excess_level_pct"]) < 1.5, (start, cut)
        # issue 22: the move is less than the interval's half-width, from either start
        for r in (whole, cut):
            half = (r["excess_level_ci_upper"] - r["excess_level_ci_lower"]) / 2
            assert abs(cut["excess_level_pct"] - whole["excess_level_pct"]) < half / 4
    assert 8 < whole["excess_level_pct"] < 18, whole
    # the neighbours: the expected level is within 5% of the 60 days before the winter
    assert abs(whole["level_expected_mean"] / whole["pre_season_mean"] - 1) < 0.05, whole
    with pytest.raises(ParameterError, match="around_days must be a whole number >= 60"):
        intensity.seasonal_excess(personnel, around_days=30)


@pytest.mark.parametrize(
    "start", ["2022-04-01", "2022-06-01", "2022-09-01"], ids=["april", "june", "september"]
)
def test_real_winters_over_the_level_do_not_move_with_a_2022_start(personnel, start):
    """The sustained level shifts both baselines share were located in a rate the
    quasi-BIC's annual harmonics had been taken out of, though the series shows no annual
    cycle (p = 0.67): from 2022-04-01 one harmonic followed the 2024/25 hump, the shifts
    became 2022-10-24 and 2024-04-25 (2023-10-11 on the whole series), and winter
    2023/24 read +30% over its level against +2%. A cycle is now taken out only where
    the annual test finds one: each winter whose 240 days either side lie in both series
    gets the same answer: over starts from 2022-03 to 2023-01, 2023/24 reads +2.2%,
    2024/25 +12.8%, 2025/26 -8.9% (until 2026-12-05 +6.5%, +13.7% and -6.9% from some
    starts, whose sustained shifts held 2024-04-27 and 2025-04-19:
    test_real_sustained_shifts_after_2023_do_not_depend_on_2022)."""
    from intensity.baselines import sustained_shifts
    from intensity.seasonal import cycle_fit

    cut = personnel[start:]
    assert not cycle_fit(cut)[1]
    shifts = [cut.index[p] for p in sustained_shifts(cut, 90)]
    assert any(abs((d - pd.Timestamp("2023-10-11")).days) <= 2 for d in shifts), shifts
    whole = intensity.seasonal_excess(personnel).table
    part = intensity.seasonal_excess(cut).table
    for season in ("2023/24", "2024/25", "2025/26"):
        a, b = whole.loc[season], part.loc[season]
        # identical since the shifts no longer depend on the start (2026-12-05; 4.4 points
        # before, 28 before that)
        assert abs(a["excess_level_pct"] - b["excess_level_pct"]) < 0.5, (season, a, b)


@pytest.mark.parametrize("start", ["2022-04-01", "2022-06-01", "2022-10-01", "2023-01-01"])
def test_real_sustained_shifts_after_2023_do_not_depend_on_2022(personnel, start):
    """The sustained shifts' penalty is scaled by the long-run variance factor of the
    segmentation's own residuals, a fixed point. From these starts that map has two: from
    below (the search's start) factor 17-21 with shifts at 2024-04-27 and 2025-04-19, from
    above (no breaks) 38-45 without them, as on the whole series (42.4, its only one).
    Until 2026-12-05 the lower one was taken (a strict xfail): now the breaks only it has
    must be found by the drift model too, which keeps 2023-10-11 alone after 2022."""
    from intensity.baselines import sustained_shifts

    def shifts(s):
        return [str(s.index[p].date()) for p in sustained_shifts(s, 90)]

    whole, cut = shifts(personnel), shifts(personnel[start:])
    assert [d for d in cut if d >= "2023-01-01"] == [d for d in whole if d >= "2023-01-01"]
    assert "2023-10-11" in cut, cut


def test_one_fixed_point_or_steps_the_drift_model_finds_keep_the_lower_reading():
    """The tie-break changes nothing where the fixed point is unique, and keeps the lower
    reading's steps where the drift model finds them: the demo's three simulated steps
    (from above the last alone)."""
    from intensity.baselines import sustained_shifts
    from intensity.report import demo_series

    demo = demo_series().iloc[:, 0]
    got = [str(demo.index[p].date()) for p in sustained_shifts(demo, 90)]
    assert got == ["2022-10-27", "2023-11-01", "2024-08-18"]


@pytest.mark.parametrize("seed", [0, 1, 3, 5], ids=["seed0", "seed1", "seed3", "seed5"])
def test_sustained_shifts_keep_steps_under_an_annual_cycle(seed):
    """Steps x1.4 and x0.8 under simulate_counts' default cycle: two fixed points (from
    above no break, factor 17-19). With the cycle fitted without the steps the drift test
    rejected beside them, and the drift model kept one step or none in 7 of 12 series;
    refitted with them (``search._stepped_cycle``) no drift remains and both stand."""
    from intensity.baselines import sustained_shifts

    sim = intensity.simulate_counts(
        1600, seed=seed, level=1000.0, size=20.0, breaks=[(533, 1.4), (1066, 0.8)]
    )
    got = sustained_shifts(sim.counts, 90)
    assert len(got) == 2 and abs(got[0] - 533) <= 10 and abs(got[1] - 1066) <= 10, got


def test_the_baselines_take_out_an_annual_cycle_the_series_shows():
    # the same rule, cycle_fit, for the shifts and for the cycle before a season's drift
    from intensity.baselines import sustained_shifts
    from intensity.seasonal import cycle_fit

    with_cycle = intensity.simulate_counts(
        1461, seed=11, level=800.0, annual_amplitude=0.25, breaks=[(730, 1.5)]
    ).counts
    flat = intensity.simulate_counts(1461, seed=11, level=800.0, annual_amplitude=0.0).counts
    fit, shows = cycle_fit(with_cycle)
    assert shows and fit.tests.loc["annual", "p_value"] < 1e-6
    assert not cycle_fit(flat)[1]
    # the cycle (+-25%) is taken out: the one step is the one shift, not its winters
    (shift,) = sustained_shifts(with_cycle, 90)
    assert abs(shift - 730) <= 3, shift


@pytest.mark.parametrize("end", ["2025-06-30", "2025-09-30"], ids=["end-june", "end-september"])
def test_real_winter_level_answer_holds_when_the_series_ends_soon_after(personnel, end):
    """Winter 2024/25 over the level with the series cut 4-7 months after it: the drift
    variance of its window fits at 0 there, the likelihood putting the wander in an
    AR(1) of rho 0.97, and the moment AR(1) (rho 0.73) it fell back to read +24%
    [16, 32], p = 2e-11, beside +13% [-7, 36], p = 0.21 on the whole series. The fit's
    own AR(1) is used where it is the more persistent: the cut answer's interval holds
    the whole series' estimate, and the move is within the whole answer's half-width."""
    whole = intensity.seasonal_excess(personnel).table.loc["2024/25"]
    cut = intensity.seasonal_excess(personnel[:end]).table.loc["2024/25"]
    assert cut["excess_level_ci_lower"] < whole["excess_level_pct"] < cut["excess_level_ci_upper"]
    half = (whole["excess_level_ci_upper"] - whole["excess_level_ci_lower"]) / 2
    assert abs(cut["excess_level_pct"] - whole["excess_level_pct"]) < half, (end, cut)
    assert cut["p_level"] > 0.05, cut


# ----------------------------------------------------------------------------- the demo
def test_demo_shows_its_one_surge_and_no_episode_at_its_breaks():
    from intensity.report import demo_series

    s = demo_series()["simulated"]
    res = intensity.detect_anomalies(s, n_sim=99)
    ep = res.episodes
    # the demo's surge: 40 days from day 1,050 (report.demo_series)
    s0, s1 = s.index[1050], s.index[1089]
    hit = ep[(ep["start"] <= s1) & (ep["end"] >= s0)]
    assert len(hit) == 1 and hit["kind"].iloc[0] == "surge", ep
    assert len(ep) == 1, ep  # nothing at the simulated breaks


# ----------------------------------------------------------------------------- errors
def test_seasonal_excess_errors():
    idx, mu = _mean(False)
    s = pd.Series(np.random.default_rng(1).poisson(mu), index=idx)
    with pytest.raises(ParameterError, match="MM-DD"):
        intensity.seasonal_excess(s, season=("November", "02-28"))
    with pytest.raises(InsufficientDataError, match="two years"):
        intensity.seasonal_excess(s.iloc[:500])
    with pytest.raises(ParameterError, match="baseline must be"):
        intensity.detect_anomalies(s, baseline="winter")
    with pytest.raises(InsufficientDataError, match="two years"):
        intensity.detect_anomalies(s.iloc[:500], baseline="seasonal")


# ----------------------------------------------------------------------------- calibration
RHOS = [0.0, 0.3, 0.6]


@pytest.mark.slow
@pytest.mark.parametrize("rho", RHOS, ids=[f"rho={r}" for r in RHOS])
def test_null_series_show_few_false_episodes(rho):
    """No anomaly, an AR(1) log-rate: the default (seasonal) baseline flags an episode in
    at most 5% of 40 two-year series (before the dependence-aware null: 6 / 24 / 85%)."""
    rng = np.random.default_rng(300 + int(10 * rho))
    idx = pd.date_range(START, periods=730)
    mu = np.full(730, 1000.0)
    false = 0
    R = 40
    for _ in range(R):
        s = pd.Series(simulate_latent_counts(mu, _dep(rho), rng)[0], index=idx)
        res = intensity.detect_anomalies(s, n_sim=99, seed=int(rng.integers(1 << 30)))
        false += len(res.episodes) > 0
    assert false / R <= 0.05 + 1e-9 * R, (rho, false / R)


@pytest.mark.slow
@pytest.mark.parametrize("rho", RHOS, ids=[f"rho={r}" for r in RHOS])
def test_unusual_winter_is_found_against_the_other_winters(rho):
    """An annual cycle (+20% in winter), a trend and AR(1) noise: without anomaly the third
    winter (Dec 1 … Jan 29) is called unusual (p < 0.05) in at most 5% of series against
    the other winters; raised by a further +30% it is found in at least 80%, and its 95%
    interval covers the true +30% in at least 90% (50 series each)."""
    rng = np.random.default_rng(400 + int(10 * rho))
    R = 100
    null_flag = found = covered = 0
    for i in range(R):
        # the raised winter in every other series; the series have no level shift (the
        # automatic search is tested on the real series and the demo)
        raised = i % 2 == 1
        t = intensity.seasonal_excess(
            _series(rho, raised, rng), season=("12-01", "01-29"), shifts=()
        )
        r = t.table.loc["2024/25"]
        if raised:
            found += r["p_seasonal"] < 0.05 and r["excess_seasonal_pct"] > 0
            covered += r["excess_seasonal_ci_lower"] <= 30 <= r["excess_seasonal_ci_upper"]
        else:
            null_flag += r["p_seasonal"] < 0.05
    half = R // 2
    # a true 5% rate gives 6 or more of 50 with probability 0.038: at most 5 of 50 is the
    # bound this many series can hold a 5% test to (measured: 4 of 50 at rho = 0, where
    # 40 series gave 4 of 40; 0.3 and 0.6 within 5%)
    assert null_flag <= 5, (rho, null_flag / half)
    assert found / half >= 0.80, (rho, found / half)
    assert covered / half >= 0.90, (rho, covered / half)


@pytest.mark.slow
def test_seasonal_baseline_episodes_on_series_with_an_annual_cycle():
    """detect_anomalies(baseline='seasonal') on four-year series with a +20% winter cycle,
    a trend and AR(1) noise (rho = 0.3): without anomaly at most 2 of 16 series show an
    episode; with the third winter raised a further +30% for 60 days, a surge overlapping
    it is found in at least 80% (measured with 20 series each: 19/20 found at rho = 0.3
    and 15/20 at rho = 0.6; 1/20 null series with an episode at rho = 0, 0/20 at 0.6)."""
    rng = np.random.default_rng(900)
    R = 16
    null_any = found = 0
    for raised in (False, True):
        for _ in range(R):
            res = intensity.detect_anomalies(
                _series(0.3, raised, rng),
                baseline="seasonal",
                n_sim=99,
                seed=int(rng.integers(1 << 30)),
            )
            ep = res.episodes
            assert (ep["baseline"] == "seasonal").all()
            if raised:
                hit = ep[(ep["start"] <= "2025-01-29") & (ep["end"] >= "2024-12-01")]
                found += bool((hit["kind"] == "surge").any())
            else:
                null_any += len(ep) > 0
    assert null_any <= 2, null_any
    assert found / R >= 0.80, found


@pytest.mark.slow
@pytest.mark.parametrize("rho", RHOS, ids=[f"rho={r}" for r in RHOS])
def test_null_spike_days_hold_alpha_under_dependence(rho):
    """Single days keep their marginal NB tails under AR(1) noise: on 30 two-year null
    series per rho the share of days flagged stays within alpha = 0.01 (measured: 0 at
    each rho; BH holds under the positive dependence of neighbouring days)."""
    rng = np.random.default_rng(77 + int(10 * rho))
    idx = pd.date_range(START, periods=730)
    mu = np.full(730, 1000.0)
    flagged = tested = 0
    for _ in range(30):
        s = pd.Series(simulate_latent_counts(mu, _dep(rho), rng)[0], index=idx)
        res = intensity.detect_anomalies(s, n_sim=49)
        flagged += len(res.spikes)
        tested += len(res.days)
    assert flagged / tested <= 0.01, (rho, flagged / tested)


def test_long_series_winter_answer_does_not_depend_on_days_years_away():
    # a 12-year series: each winter's baselines are fitted on three years either side
    # of it (a fixed amount of work per season, so the cost is linear in the span); the
    # answer for a winter in the middle is the same when the series starts 4 years later
    sim = intensity.simulate_counts(12 * 365, start="2010-03-01", seed=12, level=800.0)
    s = sim.counts
    late = s["2014-03-01":]
    full = intensity.seasonal_excess(s, shifts=())
    cut = intensity.seasonal_excess(late, shifts=())
    for label in ("2017/18", "2018/19"):
        a, b = full.table.loc[label], cut.table.loc[label]
        for col in ("excess_level_pct", "excess_seasonal_pct", "excess_level_ci_lower"):
            assert a[col] == pytest.approx(b[col], rel=1e-6, abs=1e-6), (label, col)
    assert any("those within 1096 days" in n for n in full.notes)
    # the anomaly baseline is local in the same way
    ano = intensity.detect_anomalies(s, shifts=(), n_sim=19)
    ano_cut = intensity.detect_anomalies(late, shifts=(), n_sim=19)
    mid = slice("2017-12-01", "2018-02-28")
    np.testing.assert_allclose(
        ano.baseline["expected"][mid], ano_cut.baseline["expected"][mid], rtol=1e-6
    )


def test_long_series_fits_the_annual_cycle_once_per_seven_calendar_years(monkeypatch):
    # issue 23: each season fitted the annual cycle on its own seven years (51 fits and
    # 4.0 of 5.4 s at 20,000 days); the seasons of a calendar block of seven years now
    # share one fit, kept at seven years where an end of the series cuts the block
    import intensity.seasonal as seasonal_module
    from intensity.seasons import _cycle_reaches

    sim = intensity.simulate_counts(22 * 365, start="2001-03-01", seed=5, level=600.0)
    calls: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    real_fit = seasonal_module.fit_seasonal

    def counting(part, *a, **k):
        calls.append((part.index[0], part.index[-1]))
        return real_fit(part, *a, **k)

    monkeypatch.setattr(seasonal_module, "fit_seasonal", counting)
    res = intensity.seasonal_excess(sim.counts, shifts=())
    assert len(res.table) == 22  # 2001/02 … 2022/23
    # blocks from Nov 1995, 2002, 2009, 2016: four fits, each seven years long
    assert len(calls) == 4
    assert [a.year for a, _ in calls] == [2001, 2002, 2009, 2016]
    for a, b in calls:
        assert (b - a).days + 1 == 2557
    # the season's year picks its block: 2002/03-2008/09 share the one from Nov 2002
    reach = _cycle_reaches(pd.DatetimeIndex(sim.counts.index), ("11-01", "02-28"))
    assert reach[2002] == reach[2008] != reach[2009]
    # a block cut by the end is shifted inward: it ends with the series
    assert reach[2020].stop == len(sim.counts)


LEVEL_DESIGNS = ["ar1-0.6", "random-walk-0.01"]
# measured (30 series per design; size over 120 winters / power / coverage of +30%):
#   level from every day:          AR(1) 4.2% / 100% / 80%;  random walk 23% / 93% / 60%
#   level from 240 days either side: AR(1) 5.0% / 97% / 87%;  random walk 17% / 100% / 80%
LEVEL_PARAMS = [
    pytest.param("ar1-0.6", id="ar1-0.6"),
    # a strict xfail until issue 22's drift model: the latent AR(1) alone flagged 17% of
    # null winters at p < 0.05 on this random walk
    pytest.param("random-walk-0.01", id="random-walk-0.01"),
]


def _level_null_series(design: str, rng: np.random.Generator, raised: bool) -> pd.Series:
    """Four years at about 1,000 a day with no annual cycle: latent AR(1) (rho 0.6), or a
    log-level random walk (daily sd 0.01) under AR(1) noise (rho 0.5); *raised*: winter
    2024/25 (Nov-Feb) +30% over the level."""
    idx = pd.date_range(START, periods=N)
    log_mu = np.full(N, np.log(1000.0))
    if design.startswith("random-walk"):
        log_mu = log_mu + np.cumsum(rng.normal(0, 0.01, N))
        dep = DependenceModel(0.5, float(np.log(1.03)), 1 / 0.03, 0.0, 1.0)
    else:
        dep = _dep(0.6)
    mu = np.exp(log_mu)
    if raised:
        mu = np.where((idx >= "2024-11-01") & (idx <= "2025-02-28"), mu * 1.3, mu)
    return pd.Series(simulate_latent_counts(mu, dep, rng)[0], index=idx, name="sim")


@pytest.mark.slow
@pytest.mark.parametrize("design", LEVEL_PARAMS)
def test_level_excess_holds_its_size_and_finds_a_raised_winter(design):
    """The excess over the level around a winter (around_days either side of it):
    with no excess, p < 0.05 in at most 10% of winters; a +30% winter is found (p < 0.05)
    in at least 80% of series and its interval covers +30% in at least 85% (under the
    random walk, with the drift model that ``dependence='auto'`` takes there)."""
    rng = np.random.default_rng(2026 + len(design))
    R = 30
    flagged = tested = found = covered = 0
    for _ in range(R):
        t = intensity.seasonal_excess(_level_null_series(design, rng, False)).table
        tested += len(t)
        flagged += int((t["p_level"] < 0.05).sum())
        r = intensity.seasonal_excess(_level_null_series(design, rng, True)).table.loc["2024/25"]
        found += r["p_level"] < 0.05 and r["excess_level_pct"] > 0
        covered += r["excess_level_ci_lower"] <= 30 <= r["excess_level_ci_upper"]
    # 30 series x 4 winters: a true size of 5% exceeds 10% with probability ~1%
    assert flagged / tested <= 0.10, (design, flagged / tested)
    assert found / R >= 0.80, (design, found / R)
    assert covered / R >= 0.85, (design, covered / R)


# issue 22: the seasonal answers on null series whose log-rate drifts (tests/designs.py, as
# benchmarks/noise.py --seasonal; before the drift model 28-40% of winters were flagged
# over their level and the annual test rejected 40-80%)
DRIFT_DESIGNS = [0, 1, 4]  # random walk sd 0.01 and 0.02 at 1,000 a day, sd 0.01 at 30


@pytest.mark.slow
@pytest.mark.parametrize("i", DRIFT_DESIGNS, ids=["rw-0.01", "rw-0.02", "rw-0.01-mean-30"])
def test_seasonal_answers_hold_their_size_under_drift(i):
    """40 four-year null series (no annual cycle, no excess): winters flagged over their
    level and over the other winters at p < 0.05 at most 10% each (measured with 60
    series: 4-7% and 3-6%), the annual test at most 6 of 40 (measured 0-5%)."""
    from designs import designs  # tests/designs.py

    design = designs(None)[i]
    rng = np.random.default_rng(2200 + i)
    level = seasonal = winters = annual = drifting = 0
    R = 40
    for _ in range(R):
        s = design.draw(rng, 1460, 1.0)
        t = intensity.seasonal_excess(s).table
        level += int((t["p_level"] < 0.05).sum())
        seasonal += int((t["p_seasonal"] < 0.05).sum())
        winters += int(t["p_level"].notna().sum())
        drifting += int((t["drift_sd"] > 0).sum())
        annual += bool(intensity.fit_seasonal(s).tests.loc["annual", "p_value"] < 0.05)
    # 40 series x 3 winters: a true 5% exceeds 10% with probability ~1%
    assert level / winters <= 0.10, (design.name, level / winters)
    assert seasonal / winters <= 0.10, (design.name, seasonal / winters)
    assert annual <= 6, (design.name, annual / R)
    assert drifting / winters > 0.5, (design.name, drifting / winters)  # what holds it


@pytest.mark.slow
def test_over_other_winters_holds_its_size_under_long_memory():
    """80 four-year null series with long memory (ARFIMA d = 0.3): a winter against the
    median of the other winters is flagged at p < 0.05 in at most 10%. Each season's
    excess varies beyond its own interval there, and the other seasons' spread now
    says so (measured: 15 of 240 winters; 27 of 240 before, 11%)."""
    from designs import designs  # tests/designs.py

    design = designs(None)[3]
    flagged = winters = 0
    for seed in (2203, 2303):
        rng = np.random.default_rng(seed)
        for _ in range(40):
            t = intensity.seasonal_excess(design.draw(rng, 1460, 1.0)).table
            flagged += int((t["p_seasonal"] < 0.05).sum())
            winters += int(t["p_seasonal"].notna().sum())
    assert flagged / winters <= 0.10, (flagged, winters)


def test_a_season_whose_baseline_expects_no_count_is_not_estimable():
    """Zeros for 600 days, then about 50 a day: the first winter and the level around it
    are zero, the excess 0/0. It read -100% [-100, -100] with p = 0 (and, with a day of a
    million, +2.8e18% [-100, inf]); it is NaN now, and the later winters are unchanged
    answers against the others that are estimable."""
    rng = np.random.default_rng(3)
    y = np.r_[np.zeros(600), rng.poisson(50, 900)].astype(float)
    s = pd.Series(y, index=pd.date_range("2022-01-01", periods=1500, freq="D"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        res = intensity.seasonal_excess(s)
    t = res.summary()
    assert t.loc["2022/23", ["excess_level_pct", "p_level", "excess_seasonal_pct"]].isna().all()
    later = t.loc[["2024/25", "2025/26"]]
    assert later["excess_level_pct"].abs().lt(15).all() and later["p_level"].gt(0.05).all()
    # it read "2022/23: – over the level ...; – over the other winters"
    said = res.sentence("2022/23")
    assert said == "winter 2022/23: no excess estimable (under one count expected in it)"


def test_real_weekly_sums_answer_the_winter_as_the_days_do(personnel):
    """Personnel summed by week with pandas' default: a week with NaN days sums its
    other days (the first week, 1,700; two in March 2022, 1,000 and 2,700, against
    5,000-7,000). The AR(1) search's moment estimate read them as dependence (rho 0.95,
    long-run variance factor 737 against 64 with those weeks NaN), its penalty rose from
    1,049 to 12,057, no sustained shift was kept, and winter 2023/24 read +25% over its
    level against +2% from the days. Periods beyond 5 robust sd of the log residual are
    now set aside from that estimate."""
    daily = intensity.seasonal_excess(personnel).table
    weekly = intensity.seasonal_excess(personnel.resample("W-SUN").sum()).table
    for season in ("2023/24", "2024/25"):
        assert (
            abs(weekly.loc[season, "excess_level_pct"] - daily.loc[season, "excess_level_pct"]) < 10
        )


def test_a_gross_outlier_in_a_window_does_not_move_the_winters():
    """One day of 1,000,000 in July 2023 among ~1,000 a day (a data-entry error, a
    cumulative correction) sat in the level windows of winters 2022/23 and 2023/24:
    their level read 2,600-3,000 a day and the winters -56% and -62%, against +21% and
    +17% without it. Such days are set aside (two-sided NB tail p < 1e-6) from each
    window's fit. Until 2026-12-05 the sustained-shift search still saw the day and lost
    the shift of 2024-05 (the segment means held the day, their residuals read as an
    AR(1) of rho 0.95 and the penalty rose 17-fold), which moved the winters by up to
    0.6 points; gross days are now left out of that search
    (:func:`intensity._negbin.gross_days`) and of the segment means its dependence is
    read from."""
    s = intensity.simulate_counts(1600, seed=3, level=1000.0, breaks=[(800, 1.3)]).counts
    dirty = s.copy()
    dirty.iloc[500] = 1e6
    assert sustained_shifts(dirty, 90) == sustained_shifts(s, 90) == (800,)
    clean_t = intensity.seasonal_excess(s).table
    dirty_t = intensity.seasonal_excess(dirty).table
    for col in ("excess_level_pct", "excess_seasonal_pct"):
        # one of ~480 window days left out: within a tenth of a point (0.6 before)
        assert np.allclose(dirty_t[col], clean_t[col], atol=0.1), (col, dirty_t[col])
