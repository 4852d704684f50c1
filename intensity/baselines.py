"""Baselines that an episode is measured against, built so that they cannot absorb it.

A researcher asks two questions of a period of heavy (or light) fighting, and each has
its baseline:

* **'level'** — *is this period above the level of the fighting around it?* The expected
  count is weekday effects × a stiff smooth trend (a natural spline with one degree of
  freedom per year of data, at most 24) × level shifts at the *sustained* breaks of the
  series: those :func:`~intensity.detect_breaks` finds with segments of at least ``2 * max_days``
  (half a year by default). A shift that lasts longer than that is a change of level and
  moves the baseline; anything shorter cannot become a segment, so it stays an episode
  against the level around it (a surge is a departure that returns). No annual terms: a
  winter surge is a surge.
* **'seasonal'** — *is this period above what that season usually brings?* Weekday effects
  × annual harmonics × the same trend and shifts, with the annual effect of each season
  **learnt leaving that season out** (one fit per season-year; its annual coefficients
  replace those of the fit on all days there), so a surge cannot raise its own season's
  expectation, and the trend at a season comes from the data around it.

Both are fitted without the days already found to be anomalous (artefacts, spikes and
the episodes of the previous round), and refitted until the episodes no longer change,
so the trend is interpolated across an episode from the data around it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from . import _negbin
from ._validation import per_year
from .exceptions import InsufficientDataError, ParameterError
from .seasonal import _design as seasonal_design
from .seasonal import _fit, cycle_fit, fit_seasonal, trend_columns
from .seasonal import stiff_trend_df as _trend_df

__all__ = ["BaselineKind", "Baseline", "level_baseline", "seasonal_baseline", "season_blocks"]

BaselineKind = Literal["level", "seasonal"]

_YEAR = 365.25


@dataclass(frozen=True)
class Baseline:
    """Expected counts of every day and the NB2 dispersion around them.

    ``fitted`` keeps the series' index (duck-compatible with
    :class:`~intensity.SeasonalFit` where the anomaly code needs ``fitted`` and
    ``dispersion``); ``kind`` names the question it answers and ``description`` says how
    it was built, for every result and figure.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from intensity import simulate_counts
    >>> s = simulate_counts(800, seed=2).counts  # 2022-03-01 ... 2024-05-09
    >>> from intensity.baselines import level_baseline
    >>> base = level_baseline(s, np.zeros(800, dtype=bool), ())
    >>> type(base).__name__, base.kind, base.fitted.index.equals(s.index)
    ('Baseline', 'level', True)
    """

    fitted: pd.Series
    dispersion: float
    kind: str
    description: str
    shifts: tuple[pd.Timestamp, ...] = ()
    left_out: tuple[tuple[int, int], ...] = ()
    """The seasons (``(start, stop)`` positions) whose expectation was predicted from a
    fit without them: the anomaly scan's null gives each its own offset
    (:func:`~intensity.dependence.season_offsets`)."""


def has_weekdays(index: pd.DatetimeIndex) -> bool:
    """Whether the baselines of a series on *index* carry weekday effects: daily counts."""
    return per_year(index) == _YEAR


def periods(days: float, per_year_: float) -> int:
    """*days* as a whole number of periods (at least 1) of a series with *per_year_*
    periods a year: the baselines' and the scan's lengths are set in days and hold for
    weekly and monthly counts too."""
    return max(1, int(round(days * per_year_ / _YEAR)))


def sustained_shifts(
    series: pd.Series, max_days: int, cycle: tuple[Any, bool] | None = None
) -> tuple[int, ...]:
    """Positions of the level shifts between segments of at least ``2 * max_days``
    periods (:func:`~intensity.detect_breaks`' AR(1) reading with its defaults otherwise,
    and a tie-break where its dependence fixed point is not unique:
    :func:`~intensity.breaks.detect.sustained_breaks`; in the deseasonalised rate when
    there are two years of data); none when the series is too
    short for two such segments. *max_days* is the longest episode in periods of the
    series (days for daily counts): the analyses convert theirs, given in days, with
    :func:`periods`.

    The rate is deseasonalised by its weekday effects, and by its annual cycle only
    where the series shows one (:func:`cycle_fit`). Until 2026-12-05 the annual harmonics
    of the quasi-BIC were taken out whatever the annual test said: on real personnel
    (no annual cycle: p = 0.67 in fit_seasonal's summary, 0.24 under the stiff trend) the
    BIC took one or two harmonics from some start dates
    and none from others, a harmonic followed the 2024/25 hump, and the shifts moved
    with the start of the series (2023-10-11 on the whole series, 2024-04-25 instead
    from 2022-04-01), and with them winter 2023/24 over its level (+2% or +30%).
    *cycle*: :func:`cycle_fit` of *series*, when the caller has it already.

    Gross days (:func:`~intensity._negbin.gross_days`: far beyond the days around them)
    are left out of the search: one day cannot make a shift that lasts, but one at 100
    times the level put a segment of ``2 * max_days`` around itself at +55% over the
    rest. Real personnel has three (2022-10-21: 100 among 320-530; 2025-02-28: 2,710
    among 1,050-1,350; 2025-04-21: the Easter truce's 670 among 950-1,530)."""
    from .breaks.detect import sustained_breaks

    m = 2 * int(max_days)
    series = _negbin.without_gross_days(series)[0]
    if int(series.notna().sum()) < 2 * m:
        return ()
    ppy = per_year(pd.DatetimeIndex(series.index))
    try:
        # located in the deseasonalised rate, so neither the weekday rhythm nor an
        # annual cycle the series shows moves them
        fit = None
        if len(series) >= int(2 * ppy):
            fit, shows_cycle = cycle if cycle is not None else cycle_fit(series)
            if not shows_cycle and not has_weekdays(pd.DatetimeIndex(series.index)):
                fit = None  # weekly or monthly counts: nothing else to take out
            elif not shows_cycle:  # the weekday effects alone
                trend = _trend_df(len(series), ppy)
                fit = fit_seasonal(series, annual=0, tests=False, trend=trend, dependence="ar1")
        positions = sustained_breaks(series, m, fit)
    except InsufficientDataError:
        return ()
    return tuple(int(p) for p in positions)


def resolve_shifts(
    series: pd.Series,
    shifts: str | Sequence[Any],
    max_days: int,
    cycle: tuple[Any, bool] | None = None,
) -> tuple[int, ...]:
    """Positions of the level shifts: ``'auto'`` finds the sustained ones
    (:func:`sustained_shifts`, with *cycle* if given), a list of dates (``()``: none) is
    checked and used."""
    idx = pd.DatetimeIndex(series.index)
    if isinstance(shifts, str):
        if shifts != "auto":
            raise ParameterError(f"shifts must be 'auto' or a list of dates, got {shifts!r}")
        return sustained_shifts(series, max_days, cycle)
    try:
        at = pd.DatetimeIndex([pd.Timestamp(d) for d in shifts])
    except (TypeError, ValueError):
        raise ParameterError(f"shifts must be 'auto' or a list of dates, got {shifts!r}") from None
    if len(at) and not ((at > idx[0]) & (at <= idx[-1])).all():
        raise ParameterError(
            f"shift dates must lie after {idx[0]:%Y-%m-%d} and by {idx[-1]:%Y-%m-%d}, "
            f"got {[f'{d:%Y-%m-%d}' for d in at]}"
        )
    return tuple(int(p) for p in idx.searchsorted(at))


def _design(
    index: pd.DatetimeIndex, shifts: tuple[int, ...], harmonics: int
) -> tuple[np.ndarray, list[int]]:
    """Weekday (daily counts) + annual harmonics + spline trend + shift steps; returns
    the matrix and the columns of the annual terms."""
    ppy = per_year(index)
    d = seasonal_design(
        index,
        weekly=has_weekdays(index),
        K=harmonics,
        months=False,
        trend_df=_trend_df(len(index), ppy),
        periods_per_year=ppy,
    )
    pos = np.arange(len(index))
    steps = [(pos >= p).astype(float) for p in shifts]
    X = np.column_stack([d.X, *steps]) if steps else d.X
    return X, d.groups.get("annual", [])


def _dispersion(
    y: np.ndarray, eta: np.ndarray, alpha: float, use: np.ndarray, precise: np.ndarray
) -> float:
    """The fit's NB2 dispersion *alpha*, or, where some of the days it was fitted on
    (*use*) are not *precise* (published in round numbers), the dispersion of the
    precise ones around it: a count rounded to a step of 100 at 200 a day is right over
    a month but not on its day, and those days' spread (spring 2022 for personnel)
    raised the dispersion of every day and hid a 2.3-fold day of 2025 (q 0.002 -> 0.02)."""
    if not (use & ~precise).any() or int(precise.sum()) < 30:
        return float(alpha)
    return _negbin.dispersion_given_means(np.nan_to_num(y[precise]), np.exp(eta[precise]))


def level_baseline(
    series: pd.Series,
    exclude: np.ndarray,
    shifts: tuple[int, ...],
    precise: np.ndarray | None = None,
) -> Baseline:
    """The 'level' baseline (see the module docstring) of a validated daily series with
    NaN for missing days, fitted without the days in *exclude*; its dispersion from the
    *precise* days (default: all) as :func:`_dispersion` says.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from intensity import simulate_counts
    >>> s = simulate_counts(800, seed=2).counts  # 2022-03-01 ... 2024-05-09
    >>> from intensity.baselines import level_baseline
    >>> base = level_baseline(s, np.zeros(800, dtype=bool), ())
    >>> round(base.dispersion, 3)
    0.054
    """
    idx = pd.DatetimeIndex(series.index)
    y = series.to_numpy(dtype=float)
    use = ~np.isnan(y) & ~exclude
    X, _ = _design(idx, shifts, 0)
    fit = _fit(np.nan_to_num(y), use, X)
    mu = np.exp(X @ fit.params)
    ppy = per_year(idx)
    good = use if precise is None else use & precise
    return Baseline(
        fitted=pd.Series(mu, index=idx, name="expected"),
        dispersion=_dispersion(y, X @ fit.params, fit.alpha, use, good),
        kind="level",
        description=(
            f"level: {'weekday × ' if has_weekdays(idx) else ''}smooth trend (natural spline, "
            f"{_trend_df(len(idx), ppy)} df) × {len(shifts)} sustained level shift(s); "
            "no annual terms; fitted without the episodes"
        ),
        shifts=tuple(idx[p] for p in shifts),
    )


def season_blocks(index: pd.DatetimeIndex, season: tuple[str, str]) -> list[np.ndarray]:
    """Boolean masks of each occurrence of *season* (``("MM-DD", "MM-DD")``, wrapping the
    new year when the end comes before the start) within *index*.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from intensity import simulate_counts
    >>> s = simulate_counts(800, seed=2).counts  # 2022-03-01 ... 2024-05-09
    >>> from intensity.baselines import season_blocks
    >>> blocks = season_blocks(pd.DatetimeIndex(s.index), ("11-01", "02-28"))
    >>> [int(b.sum()) for b in blocks]  # the two winters, 120 days each
    [120, 120]
    """
    (m0, d0), (m1, d1) = (tuple(int(x) for x in s.split("-")) for s in season)
    key = index.month * 100 + index.day
    start, end = m0 * 100 + d0, m1 * 100 + d1
    wraps = end < start
    inside = (key >= start) | (key <= end) if wraps else (key >= start) & (key <= end)
    # the season-year: the year in which the season starts
    year = index.year - ((key <= end) & wraps).astype(int) if wraps else index.year
    out = []
    for yr in np.unique(np.asarray(year)[np.asarray(inside)]):
        out.append(np.asarray(inside & (year == yr)))
    return out


#: a season block within this many days of either end keeps the all-days trend
_EDGE_DAYS = 30

#: the fit that leaves a season out uses a window of the season and this many days on
#: each side (shifted inward at the ends of the series, so every window has the same
#: length): the whole of any series up to about six years (so the answer there is the
#: all-days fit's), and a fixed amount of work per season beyond that, so the baselines
#: cost time linear in the length of the series
LOCAL_REACH = 1096


def local_window(
    n: int, block: np.ndarray, reach: int = LOCAL_REACH, keep_length: bool = True
) -> slice:
    """The season *block* (a boolean mask of length n) and *reach* days on each side; at
    an end of the series the window is shifted inward to keep its length (the whole
    series when it is shorter), or with ``keep_length=False`` only cut there."""
    days = np.flatnonzero(block)
    lo, hi = int(days[0]) - reach, int(days[-1]) + 1 + reach
    if not keep_length:
        return slice(max(0, lo), min(n, hi))
    if lo < 0:
        lo, hi = 0, hi - lo
    if hi > n:
        lo, hi = max(0, lo - (hi - n)), n
    return slice(lo, hi)


def local_design(
    index: pd.DatetimeIndex,
    shifts: tuple[int, ...],
    harmonics: int,
    window: slice,
    full: np.ndarray,
) -> np.ndarray:
    """The baseline design of the days in *window*: the rows of *full* (the design of
    every day) when the window is the whole series, else the design :func:`_design`
    builds on the window alone (its own trend, the shifts inside it). Its intercept,
    weekday and annual columns are functions of the date, so they are *full*'s rows;
    the trend is built for the window's length and the steps for its shifts (building
    the calendar columns again from the window's dates was 0.75 ms a window, 4% of
    ``detect_anomalies`` at 20,000 days)."""
    if window.start == 0 and window.stop == len(index):
        return full
    inside = [p - window.start for p in shifts if window.start < p < window.stop]
    ppy = per_year(index)
    n = window.stop - window.start
    calendar = 1 + (6 if has_weekdays(index) else 0) + 2 * max(harmonics, 0)
    pos = np.arange(n)
    return np.column_stack(
        [
            full[window, :calendar],
            trend_columns(n, _trend_df(n, ppy), ppy),
            *[(pos >= p).astype(float) for p in inside],
        ]
    )


#: the fewest usable days a level segment needs outside a season it shares with a shift
#: for the fit without the season to bridge that season
MIN_SEGMENT_DAYS = 120


def _thin_segment(
    blk: np.ndarray, use: np.ndarray, shifts: tuple[int, ...], least: int = MIN_SEGMENT_DAYS
) -> bool:
    """Whether a sustained shift falls in the season *blk* and one of the two level
    segments it separates has fewer than *least* usable periods (:data:`MIN_SEGMENT_DAYS`
    days) outside the season."""
    n = len(blk)
    bounds = [0, *sorted(p for p in shifts if 0 < p < n), n]
    for k in range(1, len(bounds) - 1):
        p = bounds[k]
        if not blk[p]:
            continue
        for a, b in ((bounds[k - 1], p), (p, bounds[k + 1])):
            if int((use[a:b] & ~blk[a:b]).sum()) < least:
                return True
    return False


#: the fewest counts on the other years' days of a season, and around it in its level
#: segment, inside the window of the fit that leaves the season out, for that fit to
#: learn the season's annual effect and bridge its level
MIN_OTHER_YEARS_COUNTS = 10.0


def _month_blocks(blocks: list[np.ndarray], months: np.ndarray) -> dict[int, np.ndarray]:
    """For each calendar month, the days of the *blocks* that hold it (the occurrences of
    a season in every year; blocks are disjoint), built once for every block's check."""
    out: dict[int, np.ndarray] = {}
    for blk in blocks:
        for m in np.unique(months[blk]).tolist():
            out[m] = out[m] | blk if m in out else blk.copy()
    return out


def _learnt_elsewhere(
    blk: np.ndarray,
    by_month: dict[int, np.ndarray],
    months: np.ndarray,
    win: slice,
    heard: np.ndarray,
) -> bool:
    """Whether the other years' occurrences of the season *blk* (the blocks sharing one
    of its calendar *months*: :func:`_month_blocks`) inside *win* hold at least
    :data:`MIN_OTHER_YEARS_COUNTS` counts (*heard*: the counts of usable days, 0
    elsewhere): where they do not (the season's other years lie where the level is 0),
    the fit without the season cannot learn its annual effect and extrapolates its
    harmonics. VIINA's NTV outlet reported from March 2022 to 1 January 2023 and never
    again: its spring 2022 was expected at 1,076,869 reports a day, and 256 of its 300
    days were spikes or dips."""
    other = np.zeros(win.stop - win.start, dtype=bool)
    for m in np.unique(months[blk]).tolist():
        other |= by_month[m][win]
    other &= ~blk[win]
    return float(heard[win][other].sum()) >= MIN_OTHER_YEARS_COUNTS


#: how far (as a factor of its mean) the fit without a season may put the season from
#: the fit on every day before it is read as an extrapolation, not a prediction
MAX_LEFT_OUT_FACTOR = 10.0


def _log_mean(eta: np.ndarray) -> float:
    """The log of the mean of ``exp(eta)`` (stable for large *eta*)."""
    top = float(np.max(eta)) if len(eta) else 0.0
    return top + math.log(float(np.mean(np.exp(eta - top)))) if len(eta) else 0.0


def _span(blk: np.ndarray) -> tuple[int, int]:
    """The ``(start, stop)`` positions of the contiguous block *blk* (a boolean mask)."""
    on = np.flatnonzero(blk)
    return (int(on[0]), int(on[-1]) + 1) if len(on) else (0, 0)


def seasonal_baseline(
    series: pd.Series,
    exclude: np.ndarray,
    shifts: tuple[int, ...],
    harmonics: int,
    blocks: list[np.ndarray],
    cache: dict[int, Any] | None = None,
    precise: np.ndarray | None = None,
) -> Baseline:
    """The 'seasonal' baseline: outside *blocks* the fit on all (non-excluded) days; on
    each block, the fit that leaves that block out (its annual effect learnt from the
    other years). *cache* (a dict kept by the caller across refits with the same index,
    shifts, harmonics and blocks) keeps each block's design and last fit, which starts
    the next refit.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from intensity import simulate_counts
    >>> s = simulate_counts(800, seed=2).counts  # 2022-03-01 ... 2024-05-09
    >>> from intensity.baselines import season_blocks, seasonal_baseline
    >>> blocks = season_blocks(pd.DatetimeIndex(s.index), ("11-01", "02-28"))
    >>> base = seasonal_baseline(s, np.zeros(800, dtype=bool), (), 2, blocks)
    >>> base.kind, base.left_out  # each winter's expectation from a fit without it
    ('seasonal', ((245, 365), (610, 730)))
    """
    idx = pd.DatetimeIndex(series.index)
    y = np.nan_to_num(series.to_numpy(dtype=float))
    obs = ~np.isnan(series.to_numpy(dtype=float))
    X, ann = _design(idx, shifts, harmonics)
    base = _fit(y, obs & ~exclude, X)
    eta = X @ base.params
    ppy = per_year(idx)
    edge = np.zeros(len(idx), dtype=bool)
    edge[: periods(_EDGE_DAYS, ppy)] = edge[-periods(_EDGE_DAYS, ppy) :] = True
    reach, least = periods(LOCAL_REACH, ppy), periods(MIN_SEGMENT_DAYS, ppy)
    use = obs & ~exclude
    precise = use if precise is None else use & precise
    cache = {} if cache is None else cache
    months = idx.month.to_numpy()
    by_month, heard = _month_blocks(blocks, months), np.where(use, y, 0.0)
    for i, blk in enumerate(blocks):
        win = local_window(len(idx), blk, reach)
        if i in cache:
            Xw, start = cache[i]
        else:
            Xw = local_design(idx, shifts, harmonics, win, X)
            start = None
        if Xw.shape[0] == X.shape[0]:
            Xw, start = X, base
        b = blk[win]
        if not _learnt_elsewhere(blk, by_month, months, win, heard):
            continue  # its expectation from the fit on every day, the season's own included
        fit = _fit(y[win], use[win] & ~b, Xw, start=start)
        cache[i] = (Xw, fit)
        if (blk & edge).any() or _thin_segment(blk, precise, shifts, least):
            # a season at either end of the series, or one split by a sustained level
            # shift whose segment has too few days of its own outside the season to
            # bridge it: its annual effect from the fit without it, the trend, weekday and
            # shifts from the fit on every (non-anomalous) day, so the season is not an
            # extrapolation of a trend fitted without it (issue 26: the autumn of 2022,
            # split by the shift on 2022-10-24 after a spring and summer of reporting
            # artefacts, was read as 180 a day before the shift against about 350
            # observed, and 840 after it against 530-690)
            delta = fit.params[ann] - base.params[ann]
            left_out = eta[blk] + X[blk][:, ann] @ delta
        else:
            # inside the series: the whole expectation from the fit without the season,
            # whose trend bridges it from both sides. With the trend from every day, a
            # raised winter bent the trend up into itself (a +30% winter was seen as
            # +15%) and the scan missed it before the first exclusion could happen
            left_out = Xw[b] @ fit.params
        if abs(_log_mean(left_out) - _log_mean(eta[blk])) <= math.log(MAX_LEFT_OUT_FACTOR):
            eta[blk] = left_out
    mu = np.exp(eta)

    return Baseline(
        fitted=pd.Series(mu, index=idx, name="expected"),
        dispersion=_dispersion(y, X @ base.params, base.alpha, use, precise),
        kind="seasonal",
        description=(
            f"seasonal: {'weekday × ' if has_weekdays(idx) else ''}{harmonics} annual "
            "harmonic(s) × smooth trend × "
            f"{len(shifts)} sustained level shift(s); "
            + (
                "each season's expectation from a fit that leaves that season out, on "
                "the season and three years either side (shifted inward at the ends; at "
                "the ends of the series: its annual effect only; a season with under 10 "
                "counts in its other years, or that fit ten times above or below the fit "
                "on every day: the latter)"
                if blocks
                else "annual effect from all days but the episodes (under three years: "
                "too few other years to leave a season out)"
            )
        ),
        shifts=tuple(idx[p] for p in shifts),
        left_out=tuple(_span(blk) for blk in blocks),
    )
