"""Reading a column of calendar dates with one format for the whole column.

Ukrainian sources write dates day-first (``01.12.2024`` is the first of December). A
reader that guesses a format value by value (pandas' ``format="mixed"``) reads
``01.12.2024`` as January 12th and ``13.12.2024`` as December 13th in the same column,
without a word. Here every value of a column must have the same layout, and the layout
decides the reading:

===================  =====================================  ============================
layout               example                                read as
===================  =====================================  ============================
ISO date             ``2024-12-01``                         year-month-day
ISO date and time    ``2024-12-01T00:00:00``, ``…+02:00``   its wall-clock calendar day
year first, slashes  ``2024/12/01``                         year/month/day
dotted               ``01.12.2024``                         day.month.year, always
slashes              ``01/12/2024``                         day/month/year
dashes, year last    ``01-12-2024``                         day-month-year
===================  =====================================  ============================

``dayfirst=False`` reads the last three month-first; ``date_format=`` (a ``strptime``
format) overrides the detection altogether. A column that mixes layouts, holds a layout
that is not listed, or a value that is not a date in its column's layout (``13/25/2024``)
raises :class:`~intensity.exceptions.DataFormatError` naming the file, the column and
example values: a file is never read half one way and half another.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .exceptions import DataFormatError, ParameterError

__all__ = ["parse_date_column", "DATE_LAYOUTS", "MIN_DATE", "MAX_DATE"]

_TZ = r"(?:Z|[+-]\d{2}(?::?\d{2})?)"
#: layout name → (pattern of a whole value, strptime format of the part kept)
DATE_LAYOUTS: dict[str, tuple[re.Pattern[str], str]] = {
    "ISO date": (re.compile(r"\d{4}-\d{2}-\d{2}"), "%Y-%m-%d"),
    "ISO date and time": (
        re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"),
        "ISO8601",
    ),
    "ISO date and time with offset": (
        re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?\s?" + _TZ),
        "ISO8601",
    ),
    "year/month/day": (re.compile(r"\d{4}/\d{1,2}/\d{1,2}"), "%Y/%m/%d"),
    "dotted day.month.year": (re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}"), "%d.%m.%Y"),
    "day/month/year": (re.compile(r"\d{1,2}/\d{1,2}/\d{4}"), "%d/%m/%Y"),
    "day-month-year": (re.compile(r"\d{1,2}-\d{1,2}-\d{4}"), "%d-%m-%Y"),
}
_MONTH_FIRST = {
    "dotted day.month.year": "%m.%d.%Y",
    "day/month/year": "%m/%d/%Y",
    "day-month-year": "%m-%d-%Y",
}
_TZ_TAIL = re.compile(r"\s?" + _TZ + r"$")
#: Dates outside this range are refused (a mistyped year, not a day of counts).
MIN_DATE = pd.Timestamp("1800-01-01")
MAX_DATE = pd.Timestamp("2200-12-31")


def _layout(value: str) -> str | None:
    for name, (pattern, _fmt) in DATE_LAYOUTS.items():
        if pattern.fullmatch(value):
            return name
    return None


def _fail(where: str, column: str, rule: str, examples: list[str]) -> DataFormatError:
    shown = ", ".join(repr(e) for e in examples[:2])
    return DataFormatError(f"{where}: column {column!r}: {rule} (e.g. {shown})")


def parse_date_column(
    values: pd.Series,
    *,
    where: str,
    column: str = "date",
    dayfirst: bool | None = None,
    date_format: str | None = None,
) -> pd.Series:
    """Parse *values* as calendar dates with one layout for the whole column.

    Parameters
    ----------
    values
        The raw cells (strings, or anything whose ``str`` is the date as written).
    where
        The file (or other source) named in error messages.
    column
        The column named in error messages.
    dayfirst
        ``None`` (default): dotted, slashed and dashed dates with the year last are
        day-first, as Ukrainian sources write them. ``False`` reads them month-first;
        ``True`` is the default made explicit.
    date_format
        A ``strptime`` format for every value; overrides the detection.

    Returns
    -------
    pd.Series
        ``datetime64[ns]`` values, timezone-naive (a value with a UTC offset keeps its
        wall-clock day), on the index of *values*.

    Raises
    ------
    DataFormatError
        Empty values, a layout not listed in the module docstring, several layouts in one
        column, or a value that is no date in its layout.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(["01.12.2024", "02.12.2024", "13.12.2024"])
    >>> parse_date_column(s, where="x.csv").dt.strftime("%Y-%m-%d").tolist()
    ['2024-12-01', '2024-12-02', '2024-12-13']
    """
    if dayfirst not in (None, True, False):
        raise ParameterError(f"dayfirst must be True, False or None, got {dayfirst!r}")
    if date_format is not None and not isinstance(date_format, str):
        raise ParameterError(f"date_format must be a strptime string, got {date_format!r}")
    text = values.map(lambda v: "" if v is None else str(v).strip())
    empty = (text == "") | text.isin(["nan", "NaN", "NaT", "None", "null"])
    if empty.any():
        row = int(np.flatnonzero(empty.to_numpy())[0])
        raise DataFormatError(
            f"{where}: column {column!r}: every row needs a date, row {row} has none "
            f"({values.iloc[row]!r})"
        )
    if date_format is not None:
        fmt, kept = date_format, text
        rule = f"values that do not match date_format {date_format!r}"
    else:
        fmt, kept, rule = _detect_format(text, where, column, dayfirst)
    try:
        parsed = pd.to_datetime(kept, format=fmt, errors="coerce")
    except (ValueError, TypeError, OverflowError) as exc:  # a date_format pandas rejects
        raise DataFormatError(
            f"{where}: column {column!r}: date_format {fmt!r} cannot be applied ({exc})"
        ) from None
    bad = parsed.isna()
    if bad.any():
        raise _fail(where, column, rule, text[bad].tolist())
    return _naive(parsed, where, column, text)


def _detect_format(
    text: pd.Series, where: str, column: str, dayfirst: bool | None
) -> tuple[str, pd.Series, str]:
    """The one layout of a column: its format, the text to parse with it and the rule a
    value that fails states. Raises when the column holds an unknown or several layouts."""
    uniques = pd.unique(text.to_numpy())
    layouts = {str(u): _layout(str(u)) for u in uniques}
    unknown = [u for u, lay in layouts.items() if lay is None]
    if unknown:
        raise _fail(
            where,
            column,
            "unrecognised date layout; expected YYYY-MM-DD or DD.MM.YYYY (or pass date_format=)",
            unknown,
        )
    seen: dict[str, str] = {}
    for u, lay in layouts.items():
        assert lay is not None
        seen.setdefault(lay, u)
    if len(seen) > 1:
        names = list(seen)
        raise _fail(
            where,
            column,
            f"dates in more than one layout ({names[0]} and {names[1]}); one column must "
            "use one layout (pass date_format= to choose)",
            [seen[names[0]], seen[names[1]]],
        )
    (layout,) = seen
    fmt = DATE_LAYOUTS[layout][1]
    if dayfirst is False and layout in _MONTH_FIRST:
        fmt = _MONTH_FIRST[layout]
    kept = text
    if layout == "ISO date and time with offset":
        kept = text.str.replace(_TZ_TAIL, "", regex=True)  # the wall-clock day as written
    hint = ""
    if layout in _MONTH_FIRST and dayfirst is None:
        hint = (
            f"; {layout} dates are read day-first (pass dayfirst=False for month-first "
            "dates, or date_format=)"
        )
    return fmt, kept, f"values that are no {layout} date{hint}"


def _naive(parsed: pd.Series, where: str, column: str, text: pd.Series) -> pd.Series:
    if not pd.api.types.is_datetime64_any_dtype(parsed.dtype):
        raise _fail(where, column, "dates with different time zones", text.tolist())
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    outside = (parsed < MIN_DATE) | (parsed > MAX_DATE)
    if outside.any():
        raise _fail(
            where,
            column,
            f"dates must lie between {MIN_DATE:%Y-%m-%d} and {MAX_DATE:%Y-%m-%d}",
            text[outside].tolist(),
        )
    timed = parsed != parsed.dt.normalize()
    if timed.any():
        raise _fail(
            where,
            column,
            "dates must be calendar days, got a time of day other than midnight",
            text[timed].tolist(),
        )
    return parsed.astype("datetime64[ns]")
