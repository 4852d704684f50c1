"""Input checks shared by every analysis function.

All public analysis functions call :func:`as_daily_series` (daily only) or
:func:`as_regular_series` (daily, weekly, monthly, quarterly or yearly) first, so a bad
input gets one clear :class:`~intensity.exceptions.SeriesValidationError` naming the rule
and the value received, instead of a traceback from deep inside numpy or statsmodels.

The frequency of a series is its index's ``freq`` when set, else the coarsest of yearly,
quarterly, monthly, weekly and daily whose calendar grid (anchored at the first date)
holds every date; periods of that grid absent from the index are missing (NaN), never
zeros. An index on no such grid (every other day, mixed month days) is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import cast

import numpy as np
import pandas as pd

from .exceptions import InsufficientDataError, ParameterError, SeriesValidationError

__all__ = [
    "DailySeries",
    "RegularSeries",
    "as_daily_series",
    "as_regular_series",
    "period_unit",
    "check_choice",
    "check_fraction",
    "check_whole",
    "require_nonzero",
    "MAX_COUNT",
]

_DAY = pd.Timedelta(days=1)
#: The largest daily count the count models accept. Beyond it the negative-binomial
#: arithmetic loses precision (float64 has 53 bits) and no daily count of this domain comes
#: near it; larger values are a unit or parsing mistake.
MAX_COUNT = 1e9
#: Fixed frequencies that step by whole days but are not daily: business days leave the
#: weekend out, so a weekday effect cannot be estimated and gaps are not missing days.
_NOT_DAILY_FREQS = ("B", "C")


#: periods per year of each supported unit (a week: 365.25 / 7)
PERIODS_PER_YEAR = {"day": 365.25, "week": 365.25 / 7, "month": 12.0, "quarter": 4.0, "year": 1.0}


def period_unit(offset: object) -> str | None:
    """'day', 'week', 'month', 'quarter' or 'year' for a supported pandas offset (a single
    period, anchored as pandas anchors it), else ``None`` (``'2D'``, ``'h'``, business
    days)."""
    if not isinstance(offset, pd.offsets.BaseOffset) or getattr(offset, "n", 1) != 1:
        return None
    if isinstance(offset, pd.offsets.Day):
        return "day"
    if isinstance(offset, pd.offsets.Week):
        return "week" if getattr(offset, "weekday", None) is not None else None
    if isinstance(offset, (pd.offsets.MonthBegin, pd.offsets.MonthEnd)):
        return "month"
    if isinstance(offset, (pd.offsets.QuarterBegin, pd.offsets.QuarterEnd)):
        return "quarter"
    if isinstance(offset, (pd.offsets.YearBegin, pd.offsets.YearEnd)):
        return "year"
    return None


def grid_unit(index: pd.Index) -> str:
    """The period of a counts index: 'week', 'month', 'quarter' or 'year' when its
    ``freq`` is such a grid (as :func:`~intensity.read_counts` sets it), else 'day'."""
    freq = getattr(index, "freq", None)
    unit = period_unit(freq) if freq is not None else None
    return unit or "day"


def per_year(index: pd.Index) -> float:
    """Periods a year of a regular index (its ``freq``; days when it has none)."""
    return PERIODS_PER_YEAR[grid_unit(index)]


def observed_bounds(observed: np.ndarray) -> tuple[int, int]:
    """``(first, last + 1)`` of the observed periods (*observed*: a boolean mask), or
    ``(0, n)`` when none is: the span an analysis works on, so that unobserved periods at
    the ends of its input change nothing."""
    pos = np.flatnonzero(observed)
    if len(pos) == 0:
        return 0, len(observed)
    return int(pos[0]), int(pos[-1]) + 1


@dataclass(frozen=True)
class RegularSeries:
    """A validated regular series: the full index of its frequency and its float values
    (NaN = missing). ``freq`` is the pandas offset, ``unit`` its name ('day' … 'year')."""

    series: pd.Series
    values: np.ndarray
    observed: np.ndarray  # boolean mask of non-missing periods
    filled_dates: pd.DatetimeIndex  # periods that were absent from the input index
    freq: pd.offsets.BaseOffset = field(default_factory=lambda: pd.offsets.Day())

    @property
    def n_missing(self) -> int:
        return int((~self.observed).sum())

    @property
    def unit(self) -> str:
        return period_unit(self.freq) or "day"

    @property
    def periods_per_year(self) -> float:
        return PERIODS_PER_YEAR[self.unit]

    @property
    def is_daily(self) -> bool:
        return self.unit == "day"

    def observed_span(self) -> RegularSeries:
        """The series from its first to its last observed period: missing periods at the
        edges carry no information, but a fit over them moves its trend's knots (one
        leading missing day changed the personnel seasonal tests' p from 0.259 to 0.272)."""
        a, b = observed_bounds(self.observed)
        if (a, b) == (0, len(self.values)):
            return self
        idx = self.series.index
        kept = (self.filled_dates >= idx[a]) & (self.filled_dates <= idx[b - 1])
        return replace(
            self,
            series=self.series.iloc[a:b],
            values=self.values[a:b],
            observed=self.observed[a:b],
            filled_dates=self.filled_dates[kept],
        )


#: the daily case keeps its historical name
DailySeries = RegularSeries


def _candidate_offsets(first: pd.Timestamp) -> list[pd.offsets.BaseOffset]:
    """Grids through *first*, coarsest first: yearly, quarterly, monthly, weekly."""
    out: list[pd.offsets.BaseOffset] = []
    m = int(first.month)
    q = (m - 1) % 3 + 1
    if first.day == 1:
        out += [pd.offsets.YearBegin(month=m), pd.offsets.QuarterBegin(startingMonth=q)]
    if first.is_month_end:
        out += [pd.offsets.YearEnd(month=m), pd.offsets.QuarterEnd(startingMonth=q + 9)]
    if first.day == 1:
        out.append(pd.offsets.MonthBegin())
    if first.is_month_end:
        out.append(pd.offsets.MonthEnd())
    out.append(pd.offsets.Week(weekday=int(first.day_of_week)))
    return out


def _refuse_business_days(freq: pd.offsets.BaseOffset | None, name: str) -> None:
    """Business-day frequencies step by whole days but leave days out: refused."""
    if freq is not None and freq.freqstr.split("-")[0] in _NOT_DAILY_FREQS:
        raise SeriesValidationError(
            f"{name} freq must be daily, got {freq.freqstr!r} (business days); reindex to "
            "calendar days with NaN for the days without data"
        )


def _regular_freq(idx: pd.DatetimeIndex, name: str) -> pd.offsets.BaseOffset:
    """The frequency of a sorted, unique, midnight index (see the module docstring)."""
    if idx.freq is not None:
        off = idx.freq
        _refuse_business_days(off, name)
        if period_unit(off) is None:
            raise SeriesValidationError(
                f"{name} freq must be daily, weekly, monthly, quarterly or yearly, got "
                f"{idx.freqstr!r}"
            )
        return off
    grid = coarsest_grid(idx)
    if grid is None:
        raise SeriesValidationError(
            f"{name} must be on a regular daily, weekly, monthly, quarterly or yearly grid, "
            f"got steps such as {_describe_freq(idx)!r} that fit none of them"
        )
    return grid


def coarsest_grid(idx: pd.DatetimeIndex) -> pd.offsets.BaseOffset | None:
    """The coarsest of days, weeks, months, quarters and years whose grid through the
    first date holds every date of the sorted, unique, midnight *idx* (``None``: none
    does). The series' frequency when it has none set, and the grid a counts file is
    read on (:func:`~intensity.read_counts`)."""
    if len(idx) < 2:
        return pd.offsets.Day()
    steps: np.ndarray = np.diff(idx.values.astype("datetime64[ns]").astype(np.int64))
    day_ns = int(_DAY.value)
    if (steps % day_ns == 0).all():
        if steps.min() == day_ns:
            return pd.offsets.Day()
        for off in _candidate_offsets(idx[0]):
            grid = pd.date_range(idx[0], idx[-1], freq=off)
            if len(grid) and grid[0] == idx[0] and idx.isin(grid).all():
                return off
    return None


def _describe_freq(index: pd.DatetimeIndex) -> str:
    freq = index.freqstr if index.freq is not None else None
    if freq is None and len(index) >= 3:
        try:
            freq = pd.infer_freq(index)
        except (TypeError, ValueError):
            freq = None
    if freq is None:
        steps = pd.Series(index).diff().dropna()
        if len(steps):
            step = steps.mode().iloc[0]
            whole = step == step.floor("D")
            freq = f"{step.days} days" if whole else str(step)
        else:
            freq = "unknown"
    return str(freq)


def as_daily_series(
    series: object,
    *,
    name: str = "series",
    counts: bool = True,
    min_observed: int = 1,
) -> RegularSeries:
    """Check that *series* is a daily count series and return it on a full calendar index.

    Parameters
    ----------
    series
        A ``pd.Series`` with a ``DatetimeIndex`` of daily frequency. Calendar days absent
        from the index are inserted as missing (NaN); they are never treated as zeros.
    name
        How the argument is called in error messages.
    counts
        When true, values must be non-negative (counts).
    min_observed
        The smallest number of non-missing days accepted.

    Returns
    -------
    RegularSeries
        A copy; the input is never modified.
    """
    return _as_series(series, name=name, counts=counts, min_observed=min_observed, daily=True)


def as_regular_series(
    series: object,
    *,
    name: str = "series",
    counts: bool = True,
    min_observed: int = 1,
) -> RegularSeries:
    """As :func:`as_daily_series`, for a daily, weekly, monthly, quarterly or yearly index
    (its ``freq``, or the coarsest grid holding every date; missing periods become NaN).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([4, 5, 6], index=pd.to_datetime(["1851-01-01", "1852-01-01", "1854-01-01"]))
    >>> rs = as_regular_series(s)
    >>> rs.unit, len(rs.series), rs.n_missing
    ('year', 4, 1)
    """
    return _as_series(series, name=name, counts=counts, min_observed=min_observed, daily=False)


def _as_series(
    series: object, *, name: str, counts: bool, min_observed: int, daily: bool
) -> RegularSeries:
    series = _one_series(series, name)
    idx = cast(pd.DatetimeIndex, series.index)  # checked by _one_series
    _check_dates(idx, name)
    freq = _grid_freq(idx, name, daily)
    raw = _numeric_values(series, name)
    given = idx.freq
    if given is not None and given == freq:
        full = idx  # already the regular grid (indexes are immutable: sharing is safe)
    elif len(idx):
        full = pd.date_range(idx[0], idx[-1], freq=freq, name=idx.name)
    else:
        full = pd.DatetimeIndex([], freq=freq, name=idx.name)
    if len(full) == len(idx):
        arr = raw.copy()
        filled = full[:0]
    else:
        arr = np.full(len(full), np.nan)
        arr[full.get_indexer(idx)] = raw
        filled = full.difference(idx)
    values = pd.Series(arr, index=full, name=series.name)
    arr = arr.copy()  # the series and the array never share memory
    obs = ~np.isnan(arr)
    if counts:
        _check_counts(values, arr, obs, name)
    if int(obs.sum()) < min_observed:
        unit = grid_unit(full)
        raise InsufficientDataError(
            f"{name} needs at least {min_observed} observed {unit}s, got {int(obs.sum())}"
        )
    return RegularSeries(series=values, values=arr, observed=obs, filled_dates=filled, freq=freq)


def _one_series(series: object, name: str) -> pd.Series:
    """A Series with a DatetimeIndex (a one-column DataFrame gives its column)."""
    if isinstance(series, pd.DataFrame):
        if series.shape[1] != 1:
            raise SeriesValidationError(
                f"{name} must be a pd.Series (one metric), got a DataFrame with "
                f"{series.shape[1]} columns; pass one column, e.g. df['personnel']"
            )
        series = series.iloc[:, 0]
    if not isinstance(series, pd.Series):
        raise SeriesValidationError(
            f"{name} must be a pd.Series with a daily DatetimeIndex, got {type(series).__name__}"
        )
    if not isinstance(series.index, pd.DatetimeIndex):
        got = type(series.index).__name__
        raise SeriesValidationError(f"{name} must have a DatetimeIndex, got {got}")
    return series


def _check_dates(idx: pd.DatetimeIndex, name: str) -> None:
    """Timezone-naive, no NaT, one value per date, sorted."""
    if idx.tz is not None:
        raise SeriesValidationError(
            f"{name} index must be timezone-naive calendar days, got tz={idx.tz}"
        )
    if idx.hasnans:
        raise SeriesValidationError(f"{name} index contains NaT")
    if idx.has_duplicates:
        dup = idx[idx.duplicated()].unique()[:3]
        raise SeriesValidationError(
            f"{name} index must have one value per day, got duplicated dates "
            f"{[d.strftime('%Y-%m-%d') for d in dup]}"
        )
    if not idx.is_monotonic_increasing:
        raise SeriesValidationError(f"{name} index must be sorted in time (use sort_index())")


def _grid_freq(idx: pd.DatetimeIndex, name: str, daily: bool) -> pd.offsets.BaseOffset:
    """The calendar grid of the dates: days at midnight (``daily``), or the regular grid
    that holds them all."""
    # integer arithmetic in the index's own resolution (s, ms, us or ns): no conversion
    # that could overflow, and no per-element pandas work
    res = str(np.datetime_data(idx.values.dtype)[0])
    day = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}[res]
    i8 = idx.values.view("i8")
    given = idx.freq
    # on a whole-day grid the first date decides for all
    whole_days = given is not None and isinstance(given, pd.offsets.Day)
    off_midnight = (i8[:1] if whole_days else i8) % day != 0
    if off_midnight.any():
        raise SeriesValidationError(
            f"{name} index must be calendar days at midnight, got times such as "
            f"{idx[int(np.argmax(off_midnight))]}"
        )
    if not daily:
        return _regular_freq(idx, name)
    _refuse_business_days(given, name)
    if given is not None and period_unit(given) != "day":
        raise SeriesValidationError(f"{name} freq must be daily, got {given.freqstr!r}")
    if len(idx) >= 2:
        steps = np.diff(i8)
        if (steps % day != 0).any() or steps.min() != day:
            raise SeriesValidationError(f"{name} freq must be daily, got {_describe_freq(idx)!r}")
    return pd.offsets.Day()


def _numeric_values(series: pd.Series, name: str) -> np.ndarray:
    """The values as floats (NaN for missing); text that is not a number and infinite
    values are refused."""
    dtype = series.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        raw = series.to_numpy(dtype=float, na_value=np.nan)
    elif pd.api.types.is_object_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        try:
            raw = pd.to_numeric(series, errors="raise").to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise SeriesValidationError(f"{name} values must be numeric: {exc}") from None
    else:
        raise SeriesValidationError(f"{name} values must be numeric, got dtype {dtype}")
    if np.isinf(raw).any():
        raise SeriesValidationError(f"{name} contains infinite values")
    return raw


def _check_counts(values: pd.Series, arr: np.ndarray, obs: np.ndarray, name: str) -> None:
    """Counts are at most MAX_COUNT and never negative."""
    if (arr[obs] > MAX_COUNT).any():
        big = values[values > MAX_COUNT]
        raise SeriesValidationError(
            f"{name} counts must be at most {MAX_COUNT:g} per period, got {big.iloc[0]:g} on "
            f"{big.index[0]:%Y-%m-%d} (a unit or parsing mistake?)"
        )
    if (arr[obs] < 0).any():
        first = values[values < 0].index[0].strftime("%Y-%m-%d")
        raise SeriesValidationError(
            f"{name} must hold non-negative counts, got {values.min():g} on {first} "
            "(negative increments are corrections: mask them, see intensity.read_losses)"
        )


def require_within_year(ds: RegularSeries, what: str) -> None:
    """Refuse yearly counts in an analysis of the cycle within the year (*what*: its name
    for the message)."""
    if ds.unit == "year":
        raise ParameterError(
            f"{what} needs counts within the year (daily, weekly, monthly or quarterly), "
            "got yearly counts; use detect_breaks for their level"
        )


def require_nonzero(
    ds: DailySeries, *, name: str = "series", what: str = "this analysis", min_days: int = 1
) -> None:
    """Raise :class:`InsufficientDataError` when fewer than *min_days* observed days have a
    count above zero: there is no rate to model (all zero: a log-linear model has no finite
    estimate; one event in three years: no weekday effect can be told)."""
    nonzero = int(np.sum(ds.values[ds.observed] != 0))
    if ds.observed.any() and nonzero < min_days:
        raise InsufficientDataError(
            f"{what} needs at least {min_days} day(s) with a count above zero; {name} has "
            f"{nonzero} of {int(ds.observed.sum())} observed days"
        )


def check_choice(name: str, value: object, allowed: tuple[object, ...]) -> None:
    """Raise :class:`ParameterError` unless *value* is one of *allowed*."""
    if value not in allowed:
        raise ParameterError(f"{name} must be one of {list(allowed)}, got {value!r}")


def check_fraction(name: str, value: float, *, low: float = 0.0, high: float = 1.0) -> float:
    """Raise :class:`ParameterError` unless ``low < value < high``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number in ({low}, {high}), got {value!r}") from None
    if not low < v < high:
        raise ParameterError(f"{name} must be in ({low}, {high}), got {value!r}")
    return v


def check_date(name: str, value: object, what: str = "a date") -> pd.Timestamp:
    """*value* as a Timestamp (a date or its text), refusing what pandas cannot read and
    missing dates (``None``, NaN, NaT): ``'{name} must be {what}, got ...'``, not
    pandas' error or an AttributeError of NaT later on."""
    try:
        day = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(f"{name} must be {what}, got {value!r}") from None
    if pd.isna(day):
        raise ParameterError(f"{name} must be {what}, got {value!r}")
    return day


def check_whole(name: str, value: object, low: int) -> int:
    """*value* as an int, refusing anything that is not a whole number >= *low* (bools
    included: ``True`` is not a segment length)."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
        raise ParameterError(f"{name} must be a whole number >= {low}, got {value!r}")
    return int(value)
