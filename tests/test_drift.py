"""The long-range noise model of issue 22 (``detect_breaks(dependence='local')``): a local
level (random walk) + AR(1) of the log-rate from the robust variogram, breaks tested
against it, the drift path; its calibration on noise designs like the real data
(``tests/designs.py``, ``benchmarks/noise.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from designs import _ar1, _counts, _rw, _series, designs, rw_ar1, study  # tests/designs.py

from intensity import detect_breaks
from intensity.dependence import NO_DEPENDENCE, estimate_drift


def _drift_of(y: np.ndarray):
    n = len(y)
    return estimate_drift(y, np.ones(n), np.isfinite(y), np.array([0, n]), NO_DEPENDENCE)


@pytest.mark.parametrize("seed", [1, 2, 3], ids=["seed1", "seed2", "seed3"])
def test_variogram_finds_a_random_walk_and_not_an_ar1(seed):
    rng = np.random.default_rng(seed)
    n = 3000
    walk = _counts(rng, np.log(1000) + _rw(rng, n, 0.02) + _ar1(rng, n, 0.5, 0.1))
    m = _drift_of(walk)
    assert m is not None and m.long_range
    assert 0.01 <= np.sqrt(m.drift) <= 0.035, np.sqrt(m.drift)  # truth 0.02
    ar = _counts(rng, np.log(1000) + _ar1(rng, n, 0.5, 0.15))
    m0 = _drift_of(ar)
    # no drift in a stationary AR(1); its rho from the variogram is rough (0.24 for a
    # true 0.5 on seed 3: the white-noise and AR parts trade off at short lags)
    assert m0 is not None and m0.drift == 0 and 0.1 <= m0.rho <= 0.8, m0


def _hump(n: int = 730) -> np.ndarray:
    t = np.arange(n)
    return np.log(1000) + 0.4 * np.exp(-0.5 * ((t - n / 2) / 60) ** 2)


def test_a_hump_is_drift_not_steps_and_a_sharp_step_stays():
    """A smooth +50% hump over four months: the AR(1) search cuts it into steps; the
    long-range noise keeps none of them and draws the hump as drift. A sharp x2 step
    stays a break with its date."""
    rng = np.random.default_rng(11)
    n = 730
    x = _hump(n) + _rw(rng, n, 0.005) + _ar1(rng, n, 0.5, 0.1)
    s = _series(_counts(rng, x))
    ar = detect_breaks(s, dependence="ar1")
    loc = detect_breaks(s, dependence="local")
    assert len(ar.positions) >= 2, ar.dates
    assert len(loc.positions) < len(ar.positions) and len(loc.dropped) >= 1
    d = loc.drift
    assert d is not None and d.index.equals(s.index)
    assert (d["lower"] <= d["path"]).all() and (d["path"] <= d["upper"]).all()
    mean28 = s.rolling(28, center=True).mean()
    assert (d["path"] / mean28 - 1).abs().median() < 0.05
    assert d["path"].iloc[n // 2] > 1.3 * d["path"].iloc[60]  # the hump is drawn
    assert "local level + AR(1)" in str(loc) or "variogram" in str(loc)
    step = x + np.where(np.arange(n) >= 500, np.log(2.0), 0.0)
    b = detect_breaks(_series(_counts(rng, step)), dependence="local")
    assert any(abs(p - 500) <= 3 for p in b.positions), b.dates
    fig = loc.plot()
    assert any("drift" in t.get_text() for t in fig.axes[0].get_legend().get_texts())


def test_local_noise_is_reproducible_and_the_default_takes_it_on_a_drift():
    rng = np.random.default_rng(4)
    s = rw_ar1(0.02).draw(rng, 500, 1.0)
    a = detect_breaks(s, dependence="local", seed=3)
    b = detect_breaks(s, dependence="local", seed=3)
    assert a.positions == b.positions and a.summary().equals(b.summary())
    # 'auto': the log-rate drifts (LR test without breaks) and the drift reading fits
    # better than the AR(1) search's steps (BIC): the drift model, said so
    default = detect_breaks(s, seed=3)
    dep = default.dependence
    assert dep is not None and dep.long_range and dep.drift > 0 and dep.drift_gain > 0
    assert default.positions == a.positions and default.drift is not None
    assert "drift model used" in str(default)
    ar = detect_breaks(s, dependence="ar1", seed=3)
    assert ar.drift is None and not ar.dependence.long_range
    assert len(ar.positions) > len(default.positions)  # the AR(1) search cuts it into steps
    # without draws nothing can be tested: the AR(1) search stands (documented)
    assert (
        detect_breaks(s, n_boot=0).positions
        == detect_breaks(s, dependence="ar1", n_boot=0).positions
    )
    with pytest.raises(ValueError, match="alpha"):
        detect_breaks(s, dependence="local", alpha=1.5)


def test_local_noise_lowers_false_breaks_on_a_random_walk():
    """Null series whose log-rate drifts (random walk sd 0.02 a day + AR(1)): the AR(1)
    search finds breaks in most, the long-range noise in fewer (a fast version of the
    study; the targets are in the slow test below)."""
    design = rw_ar1(0.02)
    ar = study(design, lambda s: detect_breaks(s, dependence="ar1", n_boot=99), 8, seed=7)
    loc = study(design, lambda s: detect_breaks(s, dependence="local", n_boot=99), 8, seed=7)
    assert ar["false"] >= 0.6, ar
    assert loc["false"] < ar["false"], (ar, loc)  # 30 reps: 97% -> 70%


def test_a_random_walk_at_30_a_day_is_not_read_as_steps():
    """Null series whose log-rate drifts at 30 counts a day: the AR(1) reading (a step
    where the random walk moved most) won the comparison of readings in 7 of these 20
    (4 seeds: 15 of 80), though the log-rate still drifted with its steps taken out; it
    is now taken only when its steps account for the drift (2 of 20; 4 seeds: 7 of 80)."""
    design = rw_ar1(0.01, mean=30.0)
    rng = np.random.default_rng(1004)
    found = []
    for _ in range(20):
        s = design.draw(rng, 730, 1.0)
        design.draw(rng, 730, 1.25)  # the benchmark's sequence: a step series between
        found.append(len(detect_breaks(s).positions) > 0)
    assert sum(found) <= 3, found


def test_real_personnel_names_the_candidate_that_ended_the_selection(personnel):
    """The number of breaks is a forward selection's: the step that ended it had p near
    the level (2022-05-19 at p = 0.05-0.14 over seeds 0-29, 0.050 at seed 28, and seed
    14 kept it with two more: a p-value must be below the level), and the result and its
    notes say so rather than hide it (within twice the level)."""
    b = detect_breaks(personnel)
    assert b.next_shift is not None
    day, p = b.next_shift
    assert day == pd.Timestamp("2022-05-19") and 0.05 <= p < 0.1, b.next_shift
    assert "2022-05-19" not in {str(d.date()) for d in b.breaks.index}
    assert "another seed may keep it" in str(b)
    edge = detect_breaks(personnel, seed=28).next_shift
    assert edge is not None and edge[0] == day and edge[1] <= 0.06, edge  # at the edge


@pytest.mark.parametrize("seed", [4, 5], ids=["seed4", "seed5"])
def test_real_personnel_october_2023_date_interval_holds_across_seeds(personnel, seed):
    """At seeds 4 and 5 the 299 draws put the end of 2023-10-11's date interval at a
    drift burst elsewhere ([10-02, 12-02], [07-17, 10-18]); an unsettled interval is
    now taken again from 999 draws, and over seeds 0-19 it lies within [10-03, 10-23]."""
    b = detect_breaks(personnel, seed=seed).breaks
    row = b.loc[pd.Timestamp("2023-10-11")]
    assert pd.Timestamp("2023-10-01") <= row["ci_lower"] <= pd.Timestamp("2023-10-11")
    assert pd.Timestamp("2023-10-11") <= row["ci_upper"] <= pd.Timestamp("2023-10-25")


def test_date_refound_says_why_a_date_interval_is_years_long(losses):
    """Real drone losses: the drift model keeps 2022-03-19 (x4.9, p <= 0.01), and its 95%
    date interval runs into late 2024 because about a tenth of the series simulated with
    that shift put the date at a drift burst elsewhere; ``date_refound`` gives that share
    and the notes explain it, where the interval alone read as a date unknown for three
    years. Personnel's shifts are re-found in 95% or more and get no such note."""
    b = detect_breaks(losses["drone"])
    row = b.breaks.loc[pd.Timestamp("2022-03-19")]
    assert row["ci_upper"] - row["ci_lower"] > pd.Timedelta(days=365)
    assert 0.8 < row["date_refound"] < 0.95
    assert any("date_refound" in n for n in b._notes())
    assert "date_refound" in b.summary().columns
    p = detect_breaks(losses["personnel"])
    assert (p.breaks["date_refound"] >= 0.95).all()
    assert not any("date_refound" in n for n in p._notes())


def test_a_shift_kept_near_the_level_is_flagged(losses):
    """Real vehicle losses: 2022-08-29 is kept at p = 0.020-0.027 with seeds 3-7 (not at
    seeds 0-2, p = 0.06-0.09; 2022-11-17 is kept at 3 of those 5, p = 0.04-0.05): the
    notes say it is near the level (above half of it) and another seed may drop it, as
    they say of a candidate not kept near it."""
    b = detect_breaks(losses["vehicles and fuel tanks"], seed=5)
    assert pd.Timestamp("2022-08-29") in b.breaks.index
    note = " ".join(b._notes())
    assert "kept near 0.05: 2022-08-29 (p = 0.027), " in note
    assert "another seed may drop it" in note
    assert not any("kept near" in n for n in detect_breaks(losses["personnel"])._notes())


def test_real_personnel_drift(personnel):
    b = detect_breaks(personnel, dependence="local")
    assert not b.seasonal_adjusted  # no annual cycle shows (cycle_fit: p = 0.24)
    assert b.dependence is not None and b.dependence.drift > 0
    assert 1 <= len(b.positions) < 6 and len(b.dropped) >= 1
    assert pd.Timestamp("2025-04-19") in b.dropped  # the half-year-wide "break" is drift
    d = b.drift
    assert d is not None and d.index.equals(personnel.index)
    mean28 = personnel.rolling(28, center=True, min_periods=20).mean()
    assert ((d["path"] / mean28 - 1).abs() < 0.2).mean() >= 0.9
    assert personnel.isna().sum() > 0  # input untouched


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="issue 22 targets not met: with dependence='local' a +25% step is found in 17% "
    "and 12% of series (random walk sd 0.01, 0.02) and 28% (ARFIMA) at <= 8% false breaks "
    "(120 series, 2026-12-06); the best scan test with the true variances finds it in "
    "33-40% and 6-9% (benchmarks/noise.py --oracle): 80% is beyond any test on those walks",
)
@pytest.mark.parametrize("i", [0, 1, 3], ids=["rw0.01", "rw0.02", "arfima0.3"])
def test_local_noise_meets_the_issue_targets(i):
    res = study(designs(None)[i], lambda s: detect_breaks(s, dependence="local"), 20, seed=50 + i)
    assert res["false"] <= 0.10 and res["power"] >= 0.80 and res["cover"] >= 0.90, res


@pytest.mark.slow
def test_real_residuals_on_a_flat_level_meet_the_issue_targets(personnel):
    """Real residual ratios (taken between the real series' candidate shifts,
    ``tests/designs.py``) in 30-day blocks on a flat level: the default finds no break in
    null series and the +25% step with its date: the README's row (``benchmarks/noise.py
    --reps 40``, the same 40 series: 2% / 100% / 100%; 20 other series gave 0% / 95% /
    89%, 17 of 19 dates covered). With the ratios around one continuous 60-day mean they
    carried the real series' own jumps, and the false-break rate read 8%, the anomaly
    scan's 48-60%."""
    design = designs(personnel)[7]
    assert "flat level" in design.name
    res = study(design, detect_breaks, 40, seed=1007)
    assert res["false"] <= 0.10 and res["power"] >= 0.80 and res["cover"] >= 0.90, res


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="issue 22 targets not met on the smooth real trend (2022-24): 22-35% false "
    "breaks, nearly all at the 2022 ratios' own jumps (tests/designs.py: resampled_real); "
    "a +25% step is found in 2-5%: told its date, its statistic is a median 1.3 under the "
    "drift model refitted with the jump free (benchmarks/noise.py --oracle)",
)
def test_real_residuals_on_the_smooth_real_trend_meet_the_issue_targets(personnel):
    design = designs(personnel)[8]
    assert "smooth real trend" in design.name
    res = study(design, detect_breaks, 40, seed=1008)
    assert res["false"] <= 0.10 and res["power"] >= 0.80 and res["cover"] >= 0.90, res


@pytest.mark.slow
def test_the_smooth_trend_false_breaks_are_the_2022_ratios_own_jumps(personnel):
    """The smooth-trend design's null series are not free of abrupt changes: 33 of the 36
    breaks found in 100 of them sit on ratios of 2022, where the real ratios' 7-day mean
    jumps by a median 0.58 in the log (the top 1% of such jumps is above 0.42), each
    break about that size, and a step fits 35 of them better than a ramp
    (``benchmarks/noise.py --sources``).
    With the ratios from 2023 on, on the same trend, the default finds a break in at
    most 10% of null series (``benchmarks/noise.py --only 'from 2023' --reps 120``: 9%,
    the AR(1) search 100%), the target of issue 22; the +25% step stays out of reach
    (0% found) for the reason the xfail above gives."""
    design = designs(personnel)[9]
    assert "from 2023" in design.name and "smooth real trend" in design.name
    res = study(design, detect_breaks, 120, seed=1009)
    assert res["false"] <= 0.10, res


@pytest.mark.slow
def test_real_residuals_from_2023_on_a_flat_level_meet_every_issue_target(personnel):
    """The real residual ratios of 2023 on, in 30-day blocks on a flat level: every
    target of issue 22 at once (``benchmarks/noise.py --only 'from 2023 in 30-day blocks,
    flat' --reps 120``: no break in any null series, the +25% step found in 98%, its
    date in the interval in 92% of those; 40 series: 0% / 98% / 90%)."""
    design = designs(personnel)[10]
    assert "from 2023" in design.name and "flat level" in design.name
    res = study(design, detect_breaks, 120, seed=1010)
    assert res["false"] <= 0.10 and res["power"] >= 0.80 and res["cover"] >= 0.90, res


def _padded(s: pd.Series, before: int, after: int) -> pd.Series:
    idx = pd.date_range(s.index[0] - pd.Timedelta(days=before), periods=len(s) + before + after)
    return s.reindex(idx)


@pytest.mark.parametrize("dependence", ["ar1", "local"], ids=["ar1", "local"])
def test_unobserved_days_at_the_ends_do_not_change_the_breaks(dependence):
    """The same counts with unobserved days before and after (``read_losses``' personnel
    starts with a NaN increment, the processed series a day later) give the same breaks,
    date intervals and p-values: the null draws cover the observed span only (before,
    one NaN day more gave six deseasonalised breaks on real personnel instead of four,
    and other date intervals)."""
    rng = np.random.default_rng(21)
    n = 500
    x = np.log(100) + _rw(rng, n, 0.004) + _ar1(rng, n, 0.5, 0.05)
    x = x + np.where(np.arange(n) >= 250, 0.6, 0.0)
    s = _series(_counts(rng, x, size=20.0))
    cols = ["ci_lower", "ci_upper", "ratio", "p_value"]
    base = detect_breaks(s, dependence=dependence, n_boot=99).breaks[cols]
    assert len(base) >= 1
    for before, after in [(1, 0), (3, 2)]:
        got = detect_breaks(_padded(s, before, after), dependence=dependence, n_boot=99)
        pd.testing.assert_frame_equal(got.breaks[cols], base, rtol=1e-6)
        assert got.series.index.equals(_padded(s, before, after).index)  # input's index


@pytest.mark.parametrize("quiet", [0.0, 0.02, 0.3], ids=["silent", "0.02", "0.3"])
def test_a_quiet_stretch_keeps_the_ar1_reading(quiet):
    """A direction quiet for 700 days (0 to 0.3 a day) and then at ~50 a day: the drift
    test reads the opening as drift, and the drift model, whose count noise is one
    variance on the log scale, found eight "shifts" of 1-14% in the active stretch at
    p = 0.01 each (0.02 a day). The drift model is declined where a segment of the AR(1)
    search averages under one count a day beside one of ten or more; the opening alone
    is the break, and the notes say why."""
    rng = np.random.default_rng(0)
    y = np.r_[rng.poisson(quiet, 700), rng.poisson(50, 200)].astype(float)
    s = pd.Series(y, index=pd.date_range("2020-01-01", periods=900, freq="D"))
    b = detect_breaks(s)
    assert list(b.positions) == [700] or abs(b.positions[0] - 700) <= 3, b.dates
    assert len(b.breaks) == 1 and not b.dependence.long_range
    if b.dependence.drift_p < 0.05:
        assert "AR(1) model used: a segment averages" in str(b)
    # sparse throughout (0.02 to 3 a day): the choice is made as before
    low = pd.Series(np.r_[rng.poisson(quiet, 700), rng.poisson(3, 200)].astype(float), s.index)
    assert "AR(1) model used: a segment averages" not in str(detect_breaks(low))


def test_the_notes_name_the_model_the_choice_took():
    """When the step reading fits better by BIC but drift remains beyond its steps, the
    drift model is used; the notes said "AR(1) model used" there."""
    from intensity.dependence import DependenceModel

    common = dict(rho=0.1, sigma2=0.01, size=20.0, acf1=0.1, lrv_factor=1.2, n=700)
    taken = DependenceModel(**common, long_range=True, drift_lr=50.0, drift_p=1e-6, drift_gain=-5.0)
    assert "fits worse than the step reading by BIC 5.0, but drift remains" in taken.describe()
    assert "(drift model used)" in taken.describe()
    kept = DependenceModel(**common, drift_lr=50.0, drift_p=1e-6, drift_gain=-5.0)
    assert kept.describe().endswith("by BIC 5.0 (AR(1) model used)")
    better = DependenceModel(**common, long_range=True, drift_lr=50.0, drift_p=1e-6, drift_gain=3.0)
    assert better.describe().endswith("by BIC 3.0 (drift model used)")
