"""Input checks shared by every analysis function.

All public analysis functions call :func:`as_daily_series` first, so a bad input gets
one clear :class:`~intensity.exceptions.SeriesValidationError` naming the rule and the
value received, instead of a traceback from deep inside numpy or statsmodels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .exceptions import InsufficientDataError, ParameterError, SeriesValidationError

__all__ = [
    "DailySeries",
    "as_daily_series",
    "check_choice",
    "check_fraction",
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


@dataclass(frozen=True)
class DailySeries:
    """A validated daily series: the full calendar index and its float values (NaN = missing)."""

    series: pd.Series
    values: np.ndarray
    observed: np.ndarray  # boolean mask of non-missing days
    filled_dates: pd.DatetimeIndex  # calendar days that were absent from the input index

    @property
    def n_missing(self) -> int:
        return int((~self.observed).sum())


def _describe_freq(index: pd.DatetimeIndex) -> str:
    freq = index.freqstr if index.freq is not None else None
    if freq is None and len(index) >= 3:
        try:
            freq = pd.infer_freq(index)
        except (TypeError, ValueError):
            freq = None
    if freq is None:
        steps = pd.Series(index).diff().dropna()
        freq = str(steps.mode().iloc[0]) if len(steps) else "unknown"
    return str(freq)


def as_daily_series(
    series: object,
    *,
    name: str = "series",
    counts: bool = True,
    min_observed: int = 1,
) -> DailySeries:
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
    DailySeries
        A copy; the input is never modified.
    """
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
    idx = series.index
    if not isinstance(idx, pd.DatetimeIndex):
        raise SeriesValidationError(f"{name} must have a DatetimeIndex, got {type(idx).__name__}")
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
    if len(idx) and (idx != idx.normalize()).any():
        raise SeriesValidationError(
            f"{name} index must be calendar days at midnight, got times such as "
            f"{idx[idx != idx.normalize()][0]}"
        )
    if idx.freq is not None and str(idx.freqstr).split("-")[0] in _NOT_DAILY_FREQS:
        raise SeriesValidationError(
            f"{name} freq must be daily, got {idx.freqstr!r} (business days); reindex to "
            "calendar days with NaN for the days without data"
        )
    if len(idx) >= 2:
        steps: np.ndarray = np.diff(idx.values.astype("datetime64[ns]").astype(np.int64))
        day_ns = int(_DAY.value)
        if (steps % day_ns != 0).any() or steps.min() != day_ns:
            raise SeriesValidationError(f"{name} freq must be daily, got {_describe_freq(idx)!r}")
    if not (pd.api.types.is_numeric_dtype(series.dtype) or series.dtype == object):
        raise SeriesValidationError(f"{name} values must be numeric, got dtype {series.dtype}")
    try:
        values = pd.to_numeric(series, errors="raise").astype("float64")
    except (TypeError, ValueError) as exc:
        raise SeriesValidationError(f"{name} values must be numeric: {exc}") from None
    if np.isinf(values.to_numpy()).any():
        raise SeriesValidationError(f"{name} contains infinite values")
    if len(idx):
        full = pd.date_range(idx[0], idx[-1], freq="D", name=idx.name)
        filled = full.difference(idx)
        values = values.reindex(full)
    else:
        full = pd.DatetimeIndex([], freq="D", name=idx.name)
        filled = full
        values = values.reindex(full)
    values.name = series.name
    arr = values.to_numpy(dtype=float, copy=True)
    obs = ~np.isnan(arr)
    if counts and (arr[obs] > MAX_COUNT).any():
        big = values[values > MAX_COUNT]
        raise SeriesValidationError(
            f"{name} counts must be at most {MAX_COUNT:g} per day, got {big.iloc[0]:g} on "
            f"{big.index[0]:%Y-%m-%d} (a unit or parsing mistake?)"
        )
    if counts and (arr[obs] < 0).any():
        first = values[values < 0].index[0].strftime("%Y-%m-%d")
        raise SeriesValidationError(
            f"{name} must hold non-negative counts, got {values.min():g} on {first} "
            "(negative increments are corrections: mask them, see intensity.read_losses)"
        )
    if int(obs.sum()) < min_observed:
        raise InsufficientDataError(
            f"{name} needs at least {min_observed} observed days, got {int(obs.sum())}"
        )
    return DailySeries(series=values, values=arr, observed=obs, filled_dates=filled)


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
