"""The ratio of two daily count series (personnel losses per engagement, artillery per
tank), with its breaks and weekday pattern.

A ratio of counts is not a count. Its noise comes from both series, a day with a small
denominator gives a wild value, and a zero denominator none at all. Treating the
numerator as counts with the denominator as a known exposure (a Poisson or NB model
with an offset) is wrong as soon as the denominator is itself noisy: on personnel per
field artillery (artillery about 30 a day, latent sd about 0.4) that model's variance
factor came out at 39,000 and found no break at all. So the ratio is modelled on the
log scale, where the two series' noises add: the daily log ratio
``log((a + 0.5) / (b + 0.5))`` (the half keeps zeros finite) is segmented as a change in
mean, with the noise sd set to the **long-run** sd of the segmentation's residuals (their
sd times ``sqrt((1 + rho) / (1 - rho))`` for lag-1 autocorrelation rho, re-estimated until
the breaks no longer change, as the count search does with its dependence model), so
serial dependence is not read as breaks; Bai's date intervals use the same long-run
variance. A segment's level is reported as the geometric-mean ratio
``exp(mean log ratio)`` with its interval, beside the ratio of sums
``sum(a) / sum(b)``. Days where either series is missing are missing days of the ratio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._results import ResultMixin
from .._typing import PenaltyName
from .._validation import as_daily_series, as_regular_series, check_fraction, check_whole
from ..breaks.results import Breaks, _build_breaks
from ..breaks.search import _check_observed, _penalty, _snap_to_observed, fixed_point
from ..costs import NormalCost
from ..costs.base import SegmentLevels
from ..costs.gaussian import robust_sigma
from ..exceptions import InsufficientDataError
from ..seasonal import SeasonalProfile

__all__ = ["Ratio", "ratio"]

#: the fewest days with both series observed
MIN_DAYS = 60
#: the largest lag-1 autocorrelation the long-run sd uses
_MAX_RHO = 0.95


class _LongRunNormalCost(NormalCost):
    """A change in mean whose noise sd is the long-run sd: Bai's intervals then use it
    too (the segment's own variance would make them too narrow under dependence)."""

    def segment_levels(
        self, starts: np.ndarray, ends: np.ndarray, z: float, inflate: float = 1.0
    ) -> SegmentLevels:
        lv = super().segment_levels(starts, ends, z, inflate)
        return SegmentLevels(
            lv.level, lv.ci_lower, lv.ci_upper, lv.log, lv.se, np.full(len(lv), self.sigma**2)
        )


def _long_run_sd(y: np.ndarray, ok: np.ndarray, cps: list[int]) -> tuple[float, float]:
    """Long-run sd and lag-1 autocorrelation of the residuals of the segmentation *cps*
    (AR(1): ``sd * sqrt((1 + rho) / (1 - rho))``)."""
    n = len(y)
    r = np.full(n, np.nan)
    bounds = [0, *cps, n]
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        seg = ok[a:b]
        if seg.any():
            r[a:b] = np.where(seg, y[a:b] - y[a:b][seg].mean(), np.nan)
    x, x1 = r[:-1], r[1:]
    both = np.isfinite(x) & np.isfinite(x1)
    sd = float(np.nanstd(r))
    rho = float(np.sum(x[both] * x1[both]) / np.nansum(r * r)) if both.sum() > 10 else 0.0
    rho = min(max(rho, 0.0), _MAX_RHO)
    return sd * math.sqrt((1 + rho) / (1 - rho)), rho


@dataclass(frozen=True, repr=False)  # the readable repr of ResultMixin
class Ratio(ResultMixin):
    """Result of :func:`ratio`.

    Attributes
    ----------
    series : pd.Series
        The daily ratio ``a / b`` (NaN where either is missing or ``b`` is 0); for
        looking at, not for averaging.
    smooth : pd.Series
        The 28-day ratio of sums (centred), the honest running average of a ratio.
    breaks : Breaks
        Breaks in the daily log ratio (``model='normal'`` with the long-run noise sd),
        reported on the ratio scale: levels are geometric-mean ratios, ``ratio`` the
        change at a break, with intervals.
    segments : pd.DataFrame
        Per segment: the geometric-mean ratio with its interval, the ratio of sums and the
        change from the previous segment.
    weekday : SeasonalProfile
        Weekday ratios of the ratio (relative to its weekly average) with intervals
        robust to serial dependence.
    weekly_p : float
        Wald test (HAC covariance) that the ratio has no weekday pattern.
    rho : float
        Lag-1 autocorrelation of the log ratio's residuals.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from intensity import ratio
    >>> rng = np.random.default_rng(0)
    >>> idx = pd.date_range("2024-01-01", periods=500, freq="D")
    >>> b = pd.Series(rng.poisson(150, 500), index=idx, name="engagements")
    >>> a = pd.Series(rng.poisson(6.0 * b), index=idx, name="personnel")
    >>> res = ratio(a, b, n_boot=0)
    >>> round(float(res.segments["sum_ratio"].iloc[0]), 1)
    6.0
    """

    series: pd.Series
    smooth: pd.Series
    breaks: Breaks
    segments: pd.DataFrame
    weekday: SeasonalProfile
    weekly_p: float
    rho: float
    a_name: str
    b_name: str

    @property
    def name(self) -> str:
        return f"{self.a_name} per {self.b_name}"

    def summary(self) -> pd.DataFrame:
        out = self.segments.copy()
        for c in ("start", "end"):
            out[c] = pd.to_datetime(out[c]).dt.strftime("%Y-%m-%d")
        return out

    def _title(self) -> str:
        idx = self.series.index
        return (
            f"{self.name}: {len(self.breaks.breaks)} break(s), "
            f"{idx[0]:%Y-%m-%d} … {idx[-1]:%Y-%m-%d}"
        )

    def _notes(self) -> list[str]:
        rr = self.weekday.table["rate_ratio"]
        lo, hi = str(rr.idxmin()), str(rr.idxmax())
        return [
            "ratio: geometric mean of the daily ratio per segment (breaks in the daily log "
            f"ratio); sum_ratio = sum({self.a_name}) / sum({self.b_name})",
            f"noise: long-run sd {self.breaks.sigma:.3f} of the log ratio (lag-1 "
            f"autocorrelation {self.rho:.2f}); penalty {self.breaks.penalty_name} = "
            f"{self.breaks.penalty:.1f}; min_size {self.breaks.min_size} days",
            f"weekday pattern: p = {self.weekly_p:.3g}; lowest {lo} "
            f"{rr.min():.3f}, highest {hi} {rr.max():.3f}",
        ]

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        from ..plotting import plot_ratio

        return plot_ratio(self, ax=ax, **kw)


def _weekday(
    y: np.ndarray, ok: np.ndarray, idx: pd.DatetimeIndex, level: float, name: str
) -> tuple[SeasonalProfile, float]:
    """Weekday effects on the log ratio (with a smooth trend), least squares with
    Newey-West (HAC) covariance; reported as ratios to the weekly average."""
    import statsmodels.api as sm

    from ..seasonal import (
        WEEKDAYS,
        _default_trend_df,
        _design,
        _level_counts,
        _NBFit,
        _rate_ratios,
    )

    d = _design(idx, weekly=True, K=0, months=False, trend_df=_default_trend_df(len(idx)))
    res = sm.OLS(y[ok], d.X[ok]).fit(cov_type="HAC", cov_kwds={"maxlags": 14})
    params = np.asarray(res.params, dtype=float)
    cov = np.asarray(res.cov_params(), dtype=float)
    fit = _NBFit(params, cov, 0.0, 0.0, float(res.llf), True, True)
    cols = d.groups["weekly"]
    table = _rate_ratios(fit, cols, WEEKDAYS, level)
    table = table.assign(n_days=[int(v) for v in _level_counts(idx[ok], "weekday")])
    beta = params[cols]
    try:
        wald = float(beta @ np.linalg.solve(cov[np.ix_(cols, cols)], beta))
        p = float(stats.chi2.sf(wald, len(cols)))
    except np.linalg.LinAlgError:
        p = math.nan
    prof = SeasonalProfile(
        table=table,
        by="weekday",
        name=name,
        level=level,
        period=f"{idx[0]:%Y-%m-%d} – {idx[-1]:%Y-%m-%d}",
    )
    return prof, p


def _search(
    y: np.ndarray, ok: np.ndarray, pen: float, m: int, first: _LongRunNormalCost
) -> tuple[list[int], float, float, _LongRunNormalCost]:
    """Segment with the long-run sd of the segmentation's own residuals, repeated until
    the breaks no longer change (at most 8 rounds; on a cycle the largest sd), starting
    from *first* (the robust sd of the differences)."""

    def segment(state: tuple[float, float]) -> tuple[list[int], _LongRunNormalCost]:
        cost = _LongRunNormalCost(y, ok, sigma=state[0])
        return cost.run(pen, m)[0], cost

    cps, cost, (sd, rho) = fixed_point(
        first.run(pen, m)[0],
        lambda c: _long_run_sd(y, ok, c),
        segment,
        lambda _c, state: state[0],
    )
    return cps, sd, rho, cost


def _on_ratio_scale(brk: Breaks, ci: float) -> Breaks:
    """The breaks of the log ratio with levels, changes and their intervals on the ratio
    scale (``exp``), so ``result.breaks`` reads as the ratio does."""
    import dataclasses

    from scipy.special import ndtri

    z = float(ndtri(0.5 + ci / 2))
    seg = brk.segments.copy()
    lev = seg["level"].to_numpy(dtype=float)
    se = (seg["ci_upper"].to_numpy(dtype=float) - lev) / z
    d = np.diff(lev)
    dse = np.sqrt(se[:-1] ** 2 + se[1:] ** 2)
    change = np.exp(np.r_[np.nan, d])
    seg["level"] = np.exp(lev)
    seg["ci_lower"] = np.exp(seg["ci_lower"].to_numpy(dtype=float))
    seg["ci_upper"] = np.exp(seg["ci_upper"].to_numpy(dtype=float))
    seg["ratio_to_previous"] = change
    seg["ratio_ci_lower"] = np.exp(np.r_[np.nan, d - z * dse])
    seg["ratio_ci_upper"] = np.exp(np.r_[np.nan, d + z * dse])
    tab = brk.breaks.copy()
    if len(tab):
        tab["level_before"] = np.exp(lev[:-1])
        tab["level_after"] = np.exp(lev[1:])
        tab["ratio"] = np.exp(d)
        tab["ratio_ci_lower"] = np.exp(d - z * dse)
        tab["ratio_ci_upper"] = np.exp(d + z * dse)
    level = np.exp(brk.level).rename("segment ratio (geometric mean)")
    return dataclasses.replace(brk, _breaks=tab, _segments=seg, _level=level)


def ratio(
    a: pd.Series,
    b: pd.Series,
    *,
    penalty: PenaltyName | float = "mbic",
    min_size: int = 28,
    ci: float = 0.95,
    n_boot: int = 299,
    seed: int = 0,
) -> Ratio:
    """The ratio of two daily count series (*a* per *b*) with its breaks and weekday
    pattern (see the module docstring for how a ratio of counts is modelled).

    Parameters
    ----------
    a, b
        Daily counts: numerator and denominator (e.g. personnel losses and combat
        engagements); compared on the days both cover.
    penalty, min_size, ci, n_boot, seed
        As :func:`~intensity.detect_breaks` (``min_size`` 28 days by default: a ratio is
        noisier than either count).

    Returns
    -------
    Ratio

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from intensity import ratio
    >>> rng = np.random.default_rng(0)
    >>> idx = pd.date_range("2024-01-01", periods=500, freq="D")
    >>> b = pd.Series(rng.poisson(150, 500), index=idx, name="engagements")
    >>> r_true = np.where(np.arange(500) < 250, 6.0, 8.0)
    >>> a = pd.Series(rng.poisson(r_true * b), index=idx, name="personnel")
    >>> res = ratio(a, b, n_boot=0)
    >>> [round(v, 1) for v in res.segments["sum_ratio"]]
    [6.0, 8.0]
    """
    ci = check_fraction("ci", ci)
    check_whole("min_size", min_size, 1)
    check_whole("seed", seed, 0)
    check_whole("n_boot", n_boot, 0)
    da = as_daily_series(a, name="a", counts=True, min_observed=2)
    db = as_daily_series(b, name="b", counts=True, min_observed=2)
    start = max(da.series.index[0], db.series.index[0])
    end = min(da.series.index[-1], db.series.index[-1])
    if start > end:
        raise InsufficientDataError("a and b share no days")
    idx = pd.date_range(start, end, freq="D", name="date")
    av = da.series.reindex(idx).to_numpy(dtype=float)
    bv = db.series.reindex(idx).to_numpy(dtype=float)
    both = np.isfinite(av) & np.isfinite(bv)
    if both.sum() < MIN_DAYS:
        raise InsufficientDataError(
            f"ratio needs at least {MIN_DAYS} days with both series observed, got {int(both.sum())}"
        )
    a_name, b_name = str(a.name or "a"), str(b.name or "b")
    rname = f"{a_name} per {b_name}"
    pos = both & (bv > 0)
    r = pd.Series(np.where(pos, av / np.where(pos, bv, 1.0), np.nan), index=idx, name=rname)
    a0 = pd.Series(np.where(both, av, 0.0), index=idx)
    b0 = pd.Series(np.where(both, bv, 0.0), index=idx)
    num = a0.rolling(28, center=True, min_periods=14).sum()
    den = b0.rolling(28, center=True, min_periods=14).sum()
    smooth = (num / den.where(den > 0)).rename(f"{rname}, 28-day ratio of sums")

    y = np.where(both, np.log((av + 0.5) / (bv + 0.5)), np.nan)
    m = int(min_size)
    if len(idx) < 2 * m:
        raise InsufficientDataError(f"a break needs two segments of min_size={m} days")
    first = _LongRunNormalCost(y, both, sigma=robust_sigma(np.where(both, y, np.nan)))
    _check_observed(first, m, True)
    pen = _penalty(penalty, NormalCost, int(both.sum()))
    cps, sd, rho, cost = _search(y, both, pen, m, first)
    cps = _snap_to_observed(cps, both)
    ds = as_regular_series(pd.Series(y, index=idx, name=f"log {rname}"), counts=False)
    brk = _build_breaks(ds, cost, cps, pen, penalty, m, ci, False, n_boot, seed, float("nan"))
    brk = _on_ratio_scale(brk, ci)
    seg = brk.segments
    bounds = np.array([0, *cps, len(idx)])
    sums = np.array(
        [
            a0.iloc[s:e].sum() / max(b0.iloc[s:e].sum(), 1e-12)
            for s, e in zip(bounds[:-1], bounds[1:], strict=True)
        ]
    )
    segments = pd.DataFrame(
        {
            "start": seg["start"].to_numpy(),
            "end": seg["end"].to_numpy(),
            "days": seg["days"].to_numpy(),
            "ratio": seg["level"].to_numpy(),
            "ci_lower": seg["ci_lower"].to_numpy(),
            "ci_upper": seg["ci_upper"].to_numpy(),
            "sum_ratio": sums,
            "change": seg["ratio_to_previous"].to_numpy(),
            "change_ci_lower": seg["ratio_ci_lower"].to_numpy(),
            "change_ci_upper": seg["ratio_ci_upper"].to_numpy(),
        },
        index=pd.RangeIndex(len(seg), name="segment"),
    )
    prof, p = _weekday(y, both, idx, ci, rname)
    return Ratio(
        series=r,
        smooth=smooth,
        breaks=brk,
        segments=segments,
        weekday=prof,
        weekly_p=p,
        rho=rho,
        a_name=a_name,
        b_name=b_name,
    )
