"""The winter-surge question, one row per season: was this season above the level of the
fighting around it, and above what that season brings in the other years?"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from ._results import ResultMixin, excess_text, exp_or_inf
from ._typing import SeasonalNoise
from ._validation import (
    as_regular_series,
    check_fraction,
    check_whole,
    require_nonzero,
    require_within_year,
)
from .baselines import (
    LOCAL_REACH,
    _design,
    has_weekdays,
    local_design,
    local_window,
    per_year,
    periods,
    resolve_shifts,
    season_blocks,
)
from .dependence import (
    NO_DEPENDENCE,
    DependenceModel,
    drift_quadratic,
    estimate_dependence,
    lagged_cross,
    latent_lag_weights,
)
from .exceptions import InsufficientDataError, ParameterError
from .seasonal import _dependent_cov, _fit_clean, cycle_fit

__all__ = ["seasonal_excess", "SeasonalExcess", "excess_text"]

#: the drift model is taken in a season's window whenever its drift variance fits above 0
#: (a test at 5% there missed too many drifts: 9-13% of null winters flagged)
SEASON_DRIFT_ALPHA = 1.0
#: calendar years of seasons that share one fit of the annual cycle (:func:`_cycle_reach`)
CYCLE_YEARS = 7


@dataclass(frozen=True, repr=False)  # the readable repr of ResultMixin
class SeasonalExcess(ResultMixin):
    """Result of :func:`seasonal_excess`.

    Attributes
    ----------
    table : pd.DataFrame
        One row per season (index: its label, e.g. ``'2024/25'``): first and last day,
        observed days, observed mean per day, the mean of the ``pre_days`` days before it,
        and for each baseline (``level``: the level of the fighting around it;
        ``seasonal``: what the season brings in the other years) the expected mean, the
        excess in percent with its interval and a two-sided p-value, and ``drift_sd``:
        the daily sd of the drift in the noise model of the season's window (0: AR(1)).
    curves : pd.DataFrame
        Day of season × (season, quantity) with the observed counts and both expected
        counts, for the seasonal plot.

    Examples
    --------
    >>> from intensity import seasonal_excess, simulate_counts
    >>> sim = simulate_counts(1100, seed=3, surges=[(620, 60, 1.3)])
    >>> res = seasonal_excess(sim.counts)
    >>> res.summary().index.tolist()
    ['2022/23', '2023/24', '2024/25']
    >>> print(res.sentence("2023/24"))  # doctest: +NORMALIZE_WHITESPACE
    winter 2023/24: +37% [28, 46] over the level of the 240 days around it;
    +11% [1, 21] over the other winters
    """

    table: pd.DataFrame
    curves: pd.DataFrame
    season: tuple[str, str]
    level: float
    name: str
    notes: tuple[str, ...] = ()
    around_days: int = 240
    unit: str = "day"
    """The period of the series ('day', 'week', 'month', 'quarter'): the curves are by
    period of the season."""

    def summary(self) -> pd.DataFrame:
        return self.table

    def sentence(self, label: str, what: str = "winter") -> str:
        """E.g. ``'winter 2024/25: +13% [2, 25] over the level of the 240 days around
        it; +31% [-2, 74] over the other winters'``."""
        r = self.table.loc[label]
        level, seasonal = excess_text(r, "level"), excess_text(r, "seasonal")
        if level == seasonal == "–":
            # a baseline expecting less than one count in the season: 0/0 (helicopter's
            # 2023/24 read "– over the level ...; – over the other winters")
            return f"{what} {label}: no excess estimable (under one count expected in it)"
        return (
            f"{what} {label}: {level} over the level of the {self.around_days} days "
            f"around it; {seasonal} over the other {what}s"
        )

    def _title(self) -> str:
        a, b = self.season
        return f"Season {a} … {b} of {self.name}: excess over the level and over other years"

    def _notes(self) -> list[str]:
        return list(self.notes)

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        from .plotting import plot_seasonal_excess

        return plot_seasonal_excess(self, ax=ax, **kw)


def _check_season(season: Any) -> tuple[str, str]:
    ok = isinstance(season, (tuple, list)) and len(season) == 2
    if ok:
        try:
            for part in season:
                if not (isinstance(part, str) and len(part) == 5):
                    raise ValueError(part)
                pd.Timestamp(f"2000-{part}")
        except (TypeError, ValueError):
            ok = False
    if not ok:
        raise ParameterError(
            f'season must be two "MM-DD" days, e.g. ("11-01", "02-28"), got {season!r}'
        )
    return str(season[0]), str(season[1])


def _sum_variance(mu: np.ndarray, dep: DependenceModel, alpha: float) -> float:
    """Variance of the sum of counts with means *mu* over consecutive days (NaN = missing)
    under the latent AR(1) model *dep* (independent NB with *alpha* when it has none)."""
    ok = ~np.isnan(mu)
    m = np.where(ok, mu, 0.0)
    if dep.independent:
        return float(np.sum(m + alpha * m**2))
    e = math.exp(dep.sigma2)
    inv_k = 1.0 / dep.size if math.isfinite(dep.size) else 0.0
    var = float(np.sum(m + m**2 * (e * (1.0 + inv_k) - 1.0)))
    # the lagged covariances, as the sandwich of the baseline sums them
    c = latent_lag_weights(dep.sigma2, dep.rho, len(m), floor=1e-9)
    return var + 2.0 * float(lagged_cross(m[:, None], c)[0, 0])


def _check_excess_options(around_days: Any, dependence: Any) -> None:
    """Check ``around_days`` (>= 60 days) and ``dependence``."""
    if (
        isinstance(around_days, bool)
        or not isinstance(around_days, (int, np.integer))
        or around_days < 60
    ):
        raise ParameterError(f"around_days must be a whole number >= 60, got {around_days!r}")
    if dependence not in ("auto", "ar1", "none"):
        raise ParameterError(
            f"dependence must be one of ['auto', 'ar1', 'none'], got {dependence!r}"
        )


def _season_year(first: pd.Timestamp, season: tuple[str, str]) -> int:
    """The year in which the season holding the day *first* starts."""
    return int(first.year if first.strftime("%m-%d") >= season[0] else first.year - 1)


def _season_label(first: pd.Timestamp, season: tuple[str, str]) -> tuple[str, int]:
    """The season's label ("2024/25" for one across the new year, else "2024") and its
    full length in days."""
    wraps = season[1] < season[0]
    start_year = _season_year(first, season)
    label = f"{start_year}/{(start_year + 1) % 100:02d}" if wraps else str(start_year)
    full_len = (
        pd.Timestamp(f"{start_year + (1 if wraps else 0)}-{season[1]}")
        - pd.Timestamp(f"{start_year}-{season[0]}")
    ).days + 1
    return label, full_len


def _excess_columns(name: str) -> tuple[str, ...]:
    """The summary columns of baseline *name*: expected mean, excess, its interval, p."""
    return (
        f"{name}_expected_mean",
        f"excess_{name}_pct",
        f"excess_{name}_ci_lower",
        f"excess_{name}_ci_upper",
        f"p_{name}",
    )


class _SeasonFit:
    """One season's excess over a baseline fitted on a window around it (the season's
    own days left out), with the interval from the serial dependence of the residuals."""

    def __init__(
        self,
        y: np.ndarray,
        obs: np.ndarray,
        blk: np.ndarray,
        days: np.ndarray,
        w: np.ndarray,
        idx: pd.DatetimeIndex,
        pos: Any,
        dependence: str,
        z: float,
        cycle: np.ndarray | None = None,
    ) -> None:
        self.y, self.obs, self.blk, self.idx, self.pos = y, obs, blk, idx, pos
        self.dependence, self.z = dependence, z  # 'auto', 'ar1' or 'none'
        self.cycle = np.ones(len(y)) if cycle is None else cycle  # annual multipliers
        self.days, self.w = days, w  # the season's positions, and those observed
        self.last_log_ratio, self.last_se = math.nan, math.nan

    def _drift(
        self,
        yw: np.ndarray,
        fit_days: np.ndarray,
        X: np.ndarray,
        params: np.ndarray,
        win: slice,
        base: DependenceModel,
    ) -> DependenceModel:
        """The window's noise model under ``'auto'``: the drift model of the log-rate of
        the days the baseline is fitted on (weekday effects and the reach's annual cycle
        removed) whenever its drift variance fits above 0 (:data:`SEASON_DRIFT_ALPHA`),
        else *base* (their AR(1)). Fitted per window, as the
        baseline: the answer for a season rests on its neighbourhood, not on how wild
        the series was years before (on real personnel the drift of the whole series
        is sd 0.05 a day, of the days from 2023 on 0.02). The annual cycle is left out
        of the drift (in a window of a few months either side of a winter, a cycle of
        +20% in winter read as drift and the unusual winter's power fell from 80% to
        44-66%); the level shifts are not given free jumps (on random walks the
        shifts found are drift, and jumps there hid it: the fitted drift sd was half
        the true one and 11-13% of null winters were flagged)."""
        from ._levelshift import drift_noise

        # the weekday columns of the level design (daily counts only)
        wk = slice(1, 7) if has_weekdays(self.idx) else slice(1, 1)
        mult = np.exp(X[:, wk] @ params[wk]) * self.cycle[win]
        return drift_noise(yw, mult, fit_days, base, alpha=SEASON_DRIFT_ALPHA)

    def _not_estimable(
        self, name: str, season: np.ndarray
    ) -> tuple[dict[str, float], pd.Series, Any]:
        """NaN columns for a season whose baseline expects less than one count in it (no
        count around it, or a level of ~0 there): the excess is 0/0, not estimable (fits
        there gave +2.8e18% [-100, inf] and -100% [-100, -100] with p = 0)."""
        self.last_log_ratio, self.last_se = math.nan, math.nan
        blank = dict.fromkeys(_excess_columns(name), math.nan)
        return blank, pd.Series(np.full(int(season.sum()), np.nan)), NO_DEPENDENCE

    def excess(
        self, name: str, X_all: np.ndarray, harm: int, win: slice
    ) -> tuple[dict[str, float], pd.Series, Any]:
        """The baseline *name*'s columns of the season's row, its expected counts over
        the season, and the dependence model used."""
        yw, bw, ww = self.y[win], self.blk[win], self.w[win]
        first_w = self.days[0] - win.start
        X = local_design(self.idx, self.pos, harm, win, X_all)
        fit_days = self.obs[win] & ~bw
        if not np.any(yw[fit_days] > 0):
            return self._not_estimable(name, bw)
        fit, fit_days = _fit_clean(yw, fit_days, X)
        mu = np.exp(X @ fit.params)
        tot = float(mu[ww].sum())
        if tot < 1.0:  # before the noise model, which it would not use
            return self._not_estimable(name, bw)
        var_drift = 0.0
        dep = NO_DEPENDENCE
        if self.dependence != "none":
            dep = estimate_dependence(yw, mu, fit_days, fit.size)
        if self.dependence == "auto":
            dep = self._drift(yw, fit_days, X, fit.params, win, dep)
        short = replace(dep, drift=0.0)  # the drift enters once, in var_drift
        cov = fit.cov if self.dependence == "none" else _dependent_cov(X, fit_days, fit, short)
        g = X[ww].T @ mu[ww] / tot
        if dep.drift > 0:
            var_drift = _drift_variance(X, mu, fit_days, ww, fit.alpha, g, tot, dep.drift)
        var_base = float(max(g @ cov @ g, 0.0))
        var_sum = _sum_variance(
            np.where(ww, mu, np.nan)[first_w : first_w + len(self.days)], short, fit.alpha
        )
        se = math.sqrt(var_sum / tot**2 + var_base + var_drift)
        ratio = float(yw[ww].sum()) / tot
        lr = math.log(ratio) if ratio > 0 else -math.inf
        self.last_log_ratio, self.last_se = lr, se
        z = self.z
        values = (
            tot / int(self.w.sum()),
            100 * (ratio - 1),
            100 * (math.exp(lr - z * se) - 1),
            100 * (exp_or_inf(lr + z * se) - 1),
            float(2 * ndtr(-abs(lr) / se)) if se > 0 else math.nan,
        )
        cols = dict(zip(_excess_columns(name), values, strict=True))
        return cols, pd.Series(mu[bw]), dep


def _cycle_reaches(idx: pd.DatetimeIndex, season: tuple[str, str]) -> dict[int, slice]:
    """The stretch the annual cycle of each season is fitted on, by the season's year:
    the calendar block of :data:`CYCLE_YEARS` years of seasons holding it (from the
    season's first month of a year divisible by :data:`CYCLE_YEARS`), shifted inward at
    an end of the series to keep that length (the whole series when it is shorter). A
    season's cycle rests on its block's seven years wherever the series starts or ends,
    unless an end cuts that block."""
    month = int(season[0][:2])
    length, n = periods(CYCLE_YEARS * 365.25, per_year(idx)), len(idx)
    out: dict[int, slice] = {}
    first, last = _season_year(idx[0], season), _season_year(idx[-1], season)
    for tile in range(first // CYCLE_YEARS * CYCLE_YEARS, last + 1, CYCLE_YEARS):
        lo = int(idx.searchsorted(pd.Timestamp(year=tile, month=month, day=1)))
        hi = int(idx.searchsorted(pd.Timestamp(year=tile + CYCLE_YEARS, month=month, day=1)))
        if (lo == 0 or hi == n) and hi - lo < length:  # cut by an end: kept at length
            lo, hi = (0, min(n, length)) if lo == 0 else (max(0, n - length), n)
        for year in range(tile, tile + CYCLE_YEARS):
            out[year] = slice(lo, hi)
    return out


def _annual_cycle(series: pd.Series, reach: slice, cache: dict[Any, Any]) -> np.ndarray:
    """The annual cycle around a season as a multiplier of each day of the series:
    :func:`fit_seasonal`'s, with two harmonics, fitted on the season's *reach*
    (:func:`_cycle_reaches`: seven years, so days decades away do not move it) when its
    annual test finds one (:func:`~intensity.seasonal.cycle_fit`), else ones; the
    harmonics carry it to every day of the year, so a season near an edge of its reach
    and its window beyond it get the reach's cycle. Taken out of the log-rate before
    its drift is measured.
    Only a cycle the series shows: on real personnel (annual p = 0.78) a fitted cycle
    followed the one 2024/25 hump, and taking it out moved the winter's drift with the
    start of the series. *cache* holds the fit of each reach: one per seven calendar
    years, where each season had its own seven-year reach until 2026-12-05 (51 fits
    and 4.0 of 5.4 s at 20,000 days; the same single fit on a series under seven
    years)."""
    return np.asarray(_reach_cycle(series, reach, cache)[0])


def _reach_cycle(
    series: pd.Series, reach: slice, cache: dict[Any, Any]
) -> tuple[np.ndarray, tuple[Any, bool] | None]:
    """The annual-cycle multiplier of each day of the series from the *reach* (ones
    when it shows no cycle or has under two years of observed days) and the reach's
    :func:`cycle_fit` (None when not made), made once per reach (*cache*)."""
    key = (reach.start, reach.stop)
    if key not in cache:
        idx = pd.DatetimeIndex(series.index)
        cycle, fitted = np.ones(len(series)), None
        part = series.iloc[reach]
        if int(part.notna().sum()) >= int(2 * per_year(idx)):
            # the baselines' stiff trend (one df per year): no search over trends, a
            # fixed amount of work per reach (0.15 s against 0.42 s on 2,700 days)
            fitted = cycle_fit(part)
            if fitted[1]:
                cycle = fitted[0].annual_at(idx)
        cache[key] = (cycle, fitted)
    out: tuple[np.ndarray, tuple[Any, bool] | None] = cache[key]
    return out


def _shared_cycle(
    series: pd.Series, reaches: dict[int, slice], dependence: str, cache: dict[Any, Any]
) -> tuple[Any, bool] | None:
    """A series under seven years has one reach, itself: the sustained shifts and the
    seasons' cycle (:func:`_annual_cycle`) then rest on one :func:`cycle_fit`, the
    reach's (:func:`_reach_cycle`; on real personnel the same fit was made twice, a
    quarter of the call). None otherwise."""
    n = len(series)
    if dependence != "auto" or {(r.start, r.stop) for r in reaches.values()} != {(0, n)}:
        return None
    try:
        return _reach_cycle(series, slice(0, n), cache)[1]
    except InsufficientDataError:
        return None


def _drift_variance(
    X: np.ndarray,
    mu: np.ndarray,
    fit_days: np.ndarray,
    season: np.ndarray,
    alpha: float,
    g: np.ndarray,
    tot: float,
    q: float,
) -> float:
    """Variance of the season's log excess from a random walk of the log-rate (daily
    variance *q*): a walk moves the season's sum and the baseline fitted around it
    together, so the two are one contrast of the walk over the window, ``a = season
    weights - the baseline's sensitivity``: ``d log(sum observed) = sum_season (mu / tot)
    d`` and ``d log(sum expected) = g' A⁻¹ X' diag(mu w) d`` (the NB fit's score, ``w = 1 /
    (1 + alpha mu)``). Its weights sum to zero (the intercept), so the walk's origin does
    not matter; its variance is ``q a' min(s, t) a`` (Brownian-bridge-like: the further
    the season from the days that pin the baseline, the larger)."""
    mw = np.where(fit_days, mu / (1.0 + alpha * mu), 0.0)
    Xo = X[fit_days]
    A = (Xo * mw[fit_days][:, None]).T @ Xo
    a = np.where(season, mu / tot, 0.0) - mw * (X @ np.linalg.pinv(A) @ g)
    return float(max(drift_quadratic(a, q), 0.0))


def _centre(values: np.ndarray, ses: np.ndarray) -> tuple[float, float]:
    """The median of the other seasons' log ratios and its variance: one season's own; two
    seasons' mean; for k >= 3 the median with ``pi / 2`` times the median variance over
    k (the median of the variances, as of the values: one season with a far wider
    interval, such as real 2022/23 in the drift of 2022, moves the median little, and
    its variance should not set the centre's)."""
    k = len(values)
    if k == 1:
        return float(values[0]), float(ses[0] ** 2)
    if k == 2:
        return float(values.mean()), float((ses**2).sum() / 4)
    return float(np.median(values)), float(math.pi / 2 * np.median(ses**2) / k)


def _between_seasons(values: np.ndarray, ses: np.ndarray) -> float:
    """The variance of the seasons' log ratios beyond their own (method of moments,
    DerSimonian & Laird): ``max(0, var(values) - mean(ses**2))``, 0 for fewer than two."""
    if len(values) < 2:
        return 0.0
    return float(max(np.var(values, ddof=1) - np.mean(ses**2), 0.0))


def _over_other_seasons(
    rows: list[dict[str, Any]], curves: dict[tuple[str, str], pd.Series], z: float
) -> None:
    """Each season's excess over the level around it against the median of the other
    seasons' (the ``seasonal`` columns and the ``expected_seasonal`` curve), in place.
    Where the other seasons' excesses spread further than their intervals allow, the
    excess of the season and of each other one is given that spread too
    (:func:`_between_seasons`): under long memory (ARFIMA d = 0.3) a season's excess
    varies beyond its own interval, and 11% of winters with no excess were flagged at
    p < 0.05 against the others (6% with it, `benchmarks/noise.py --seasonal`)."""
    lr = np.array([r.pop("_log_ratio") for r in rows])
    se = np.array([r.pop("_se") for r in rows])
    usable = np.isfinite(lr) & np.isfinite(se) & (se > 0)
    starts = pd.DatetimeIndex([r["start"] for r in rows])
    for i, row in enumerate(rows):
        # the other seasons within LOCAL_REACH days (three years) either side: the answer
        # for a season does not depend on years far away, nor on where a long series starts
        near = np.abs((starts - starts[i]).days.to_numpy()) <= LOCAL_REACH
        others = usable & near & (np.arange(len(rows)) != i)
        expected = curves[(row["season"], "expected_level")]
        row["other_seasons"] = int(others.sum())
        if not others.any() or not usable[i]:
            row.update(
                {
                    "seasonal_expected_mean": math.nan,
                    "excess_seasonal_pct": math.nan,
                    "excess_seasonal_ci_lower": math.nan,
                    "excess_seasonal_ci_upper": math.nan,
                    "p_seasonal": math.nan,
                }
            )
            curves[(row["season"], "expected_seasonal")] = expected * math.nan
            continue
        tau2 = _between_seasons(lr[others], se[others])
        centre, var_c = _centre(lr[others], np.sqrt(se[others] ** 2 + tau2))
        d = lr[i] - centre
        sd = math.sqrt(se[i] ** 2 + tau2 + var_c)
        row.update(
            {
                "seasonal_expected_mean": row["level_expected_mean"] * math.exp(centre),
                "excess_seasonal_pct": 100 * math.expm1(d),
                "excess_seasonal_ci_lower": 100 * math.expm1(d - z * sd),
                "excess_seasonal_ci_upper": 100 * (exp_or_inf(d + z * sd) - 1),
                "p_seasonal": float(2 * ndtr(-abs(d) / sd)),
            }
        )
        curves[(row["season"], "expected_seasonal")] = expected * math.exp(centre)


def _excess_notes(
    n_shifts: int,
    around_days: int,
    level: float,
    dependence: str,
    dep_notes: list[str],
    weekdays: bool = True,
) -> tuple[str, ...]:
    """The notes of a SeasonalExcess: the two baselines (*weekdays*: with weekday
    effects, daily counts) and how the excess is measured."""
    how = (
        f"excess = observed / expected - 1 over the season's observed days; {level:.0%} "
        "intervals and p-values with the serial dependence of the residuals"
        if dependence == "ar1"
        else f"excess = observed / expected - 1; {level:.0%} intervals, days independent"
    )
    return (
        f"level: {'weekday × ' if weekdays else ''}smooth trend (one spline df per year) × "
        "the level shifts "
        f"({n_shifts} in the series), fitted on the {around_days} days either side of "
        "the season (fewer at the ends of the series), not on the season; "
        "seasonal: the season's excess over its level against the median of the other "
        f"seasons' excesses over theirs, those within {LOCAL_REACH} days, with their "
        "spread beyond their intervals (robust to one unusual season)",
        how,
        *dep_notes,
    )


def _regular_counts(series: Any) -> Any:
    """The validated counts: daily, weekly, monthly or quarterly, with a year observed
    (yearly counts have no season)."""
    ds = as_regular_series(series, counts=True, min_observed=4)
    require_within_year(ds, "seasonal_excess")
    if int(ds.observed.sum()) < int(ds.periods_per_year):
        raise InsufficientDataError(
            f"seasonal_excess needs at least {int(ds.periods_per_year)} observed {ds.unit}s "
            f"(a year), got {int(ds.observed.sum())}"
        )
    return ds


def seasonal_excess(
    series: pd.Series,
    season: tuple[str, str] = ("11-01", "02-28"),
    *,
    level: float = 0.95,
    pre_days: int = 60,
    max_days: int = 90,
    around_days: int = 240,
    min_coverage: float = 0.8,
    dependence: SeasonalNoise = "auto",
    shifts: Literal["auto"] | Sequence[Any] = "auto",
) -> SeasonalExcess:
    """Each occurrence of a season (e.g. every winter) against two baselines.

    * **level** — *was the fighting heavier than around it?* A baseline of weekday × a
      stiff trend (one spline df per year) × the sustained level shifts of the series,
      fitted **without the season** on the ``around_days`` days either side of it
      (:mod:`intensity.baselines`) and predicted into it: the trend is interpolated across
      the season from the data around it. The excess is ``sum(observed) /
      sum(expected) - 1`` over the season's observed days. Its interval and p-value hold
      under serial dependence: the variance of the season's sum comes from the latent
      AR(1) model of the residuals outside the season (:mod:`intensity.dependence`), and
      the baseline's own uncertainty (the delta method on the sandwich covariance that
      model implies) is added; where the log-rate drifts, the drift's share as one
      contrast of the season and its baseline (see *dependence*).
    * **seasonal** — *was it heavier than that season usually is?* The season's excess over the
      level around it against the **median** of the excesses over theirs of the other seasons
      within three years (a difference of log ratios; with two other seasons their mean, with
      one that one). A median of the other seasons is robust to one unusual season, and the
      answer rests on the same local baselines, so it does not move with the start of the series
      beyond which seasons it holds (issue 22: a seasonal baseline of annual harmonics learnt
      from every other year read winter 2024/25 as +31% on the whole real series and +10% from
      2023 on, and 2025/26 as -26%, p = .03, which became -19%, p = .18, without 2024/25). Its
      variance is the season's own plus that of the centre (for a median of k >= 3, ``pi / 2``
      times the median of their variances over k, a normal approximation); seasons
      whose baselines share days are positively correlated, which makes the interval
      conservative.

    Parameters
    ----------
    series
        Daily counts, or weekly, monthly or quarterly ones (any regular index): a season
        is then the periods whose dates fall in it, the baselines have no weekday effect,
        ``pre_days``, ``max_days`` and ``around_days`` are rounded to whole periods, the
        coverage counts periods (``observed_days`` is the number of observed periods)
        and the curves are by period of the season.
    season
        First and last day, ``("MM-DD", "MM-DD")``; a season that wraps the new year
        (``("11-01", "02-28")``) is labelled by both years, ``'2024/25'``.
    level
        Confidence level of the intervals.
    pre_days
        Days before the season whose mean is reported as the pre-season level.
    max_days
        As in :func:`~intensity.detect_anomalies`: level shifts are those between
        segments of at least ``2 * max_days`` days.
    around_days
        The level baseline is fitted on this many days before and after the season (not
        on the season; fewer at an end of the series): "the level around it" is the level of its
        neighbours, and the answer does not move when the series starts earlier or later
        than ``around_days`` before the season. On the real personnel series, winter
        2024/25 was +34% over a level fitted on every day and +16% from 2023 on; with
        the default 240 days it is +13% (whole series, or from June 2023) or +14% (from
        2023, whose sustained level shifts differ).
    min_coverage
        Seasons with a smaller share of observed days (e.g. cut by the series' start or
        end) are left out.
    dependence
        ``'auto'`` (default): in each season's window the local level + AR(1) model of
        the log-rate (:mod:`intensity._levelshift`) when its drift variance fits above 0
        (the weekday effects and, where the series shows one, the annual cycle taken out
        first), else the AR(1); the walk moves the season's sum and the baseline fitted
        around it together, so its variance is that of one contrast (``drift_sd`` in the
        table: the fitted drift, 0 where the AR(1) was used). On four-year random walks
        of daily sd 0.01-0.03 the AR(1) alone flagged 28-40% of null winters at p <
        0.05, the drift model 4-7%. ``'ar1'``, or ``'none'`` (independent days).
    shifts
        Level shifts of both baselines: ``'auto'`` (the sustained shifts the series
        shows, see *max_days*) or the dates of the shifts to use (``()``: none), e.g.
        breaks you trust from :func:`~intensity.detect_breaks`.

    Returns
    -------
    SeasonalExcess

    Examples
    --------
    >>> from intensity.simulate import simulate_counts
    >>> from intensity import seasonal_excess
    >>> sim = simulate_counts(1100, seed=3, surges=[(620, 60, 1.3)])
    >>> t = seasonal_excess(sim.counts).table
    >>> list(t.index), bool(t.loc["2023/24", "excess_seasonal_pct"] > 5)
    (['2022/23', '2023/24', '2024/25'], True)
    """
    season = _check_season(season)
    level = check_fraction("level", level)
    min_coverage = check_fraction("min_coverage", min_coverage, low=0.0, high=1.0 + 1e-12)
    _check_excess_options(around_days, dependence)
    check_whole("pre_days", pre_days, 1)
    check_whole("max_days", max_days, 1)
    ds = _regular_counts(series)
    require_nonzero(ds, what="seasonal_excess", min_days=10)
    s = ds.series
    idx = pd.DatetimeIndex(s.index)
    n = len(idx)
    ppy = ds.periods_per_year
    if n < int(2 * ppy):
        raise InsufficientDataError(
            f"seasonal_excess needs two years of data to compare seasons, got {n} {ds.unit}s"
        )
    # the lengths given in days, in periods of the series (the identity for daily counts)
    pre, around, longest = (periods(d, ppy) for d in (pre_days, around_days, max_days))
    y = np.nan_to_num(ds.values)
    obs = ds.observed
    z = float(ndtri(0.5 + level / 2))
    reaches = _cycle_reaches(idx, season)
    cycles: dict[Any, Any] = {}
    shared = _shared_cycle(s, reaches, dependence, cycles)
    pos = resolve_shifts(s, shifts, longest, shared)
    X_level, _ = _design(idx, pos, 0)
    dep_notes: list[str] = []
    rows = []
    curves: dict[tuple[str, str], pd.Series] = {}
    for blk in season_blocks(idx, season):
        days = np.flatnonzero(blk)
        label, full_days = _season_label(idx[days[0]], season)
        w = blk & obs
        if w.sum() < min_coverage * periods(full_days, ppy):
            continue
        row: dict[str, Any] = {
            "season": label,
            "start": idx[days[0]],
            "end": idx[days[-1]],
            "observed_days": int(w.sum()),
            "observed_mean": float(y[w].mean()),
        }
        before = (np.arange(n) >= days[0] - pre) & (np.arange(n) < days[0]) & obs
        row["pre_season_mean"] = float(y[before].mean()) if before.any() else math.nan
        # the level baseline: around_days either side of the season, so "the level
        # around it" is its neighbours' and does not move with the start of the series
        # (a fixed amount of work per season); cut, not shifted, at the ends: a window
        # reaching further to one side extrapolated a more flexible trend (8.3% of null
        # winters at p < 0.05 against 5.0%, AR(1) design of tests/test_winter.py)
        cycle = None
        if dependence == "auto":
            reach = reaches[_season_year(row["start"], season)]
            cycle = _annual_cycle(s, reach, cycles)
        season_fit = _SeasonFit(y, obs, blk, days, w, idx, pos, dependence, z, cycle)
        win = local_window(n, blk, around, keep_length=False)
        cols, expected, dep = season_fit.excess("level", X_level, 0, win)
        row.update(cols)
        row["_log_ratio"], row["_se"] = season_fit.last_log_ratio, season_fit.last_se
        row["drift_sd"] = math.sqrt(dep.drift)  # of the window's noise model (0: AR(1))
        curves[(label, "expected_level")] = expected
        if dep.drift > 0 or not dep_notes:
            dep_notes.append(f"{label}, level baseline: " + dep.describe())
        curves[(label, "observed")] = pd.Series(np.where(obs[blk], y[blk], np.nan))
        rows.append(row)
    if not rows:
        raise InsufficientDataError(
            f"no season {season[0]} … {season[1]} has {min_coverage:.0%} of its days observed"
        )
    _over_other_seasons(rows, curves, z)
    table = pd.DataFrame(rows).set_index("season")
    curve_df = pd.DataFrame(curves)
    curve_df.index = pd.RangeIndex(1, len(curve_df) + 1, name=f"{ds.unit} of season")
    notes = _excess_notes(len(pos), around_days, level, dependence, dep_notes, has_weekdays(idx))
    return SeasonalExcess(
        table=table,
        curves=curve_df,
        season=season,
        level=level,
        name=str(s.name or "series"),
        notes=notes,
        around_days=int(around_days),
        unit=ds.unit,
    )
