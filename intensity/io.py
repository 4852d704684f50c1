"""Loading and validation of daily count data.

The canonical object is a *daily count series*: a ``pd.Series`` named after its metric with
a ``DatetimeIndex`` of ``freq='D'``, one value per calendar day, missing days as NaN (never
silently 0) and non-negative values. Several metrics form a DataFrame on the same index.

Readers attach what they learned about the data's quality to ``DataFrame.attrs['quality']``
(a list of records with keys ``date, metric, kind, detail, value``; plain Python objects,
because pandas compares ``attrs`` when it combines frames); :func:`quality_events` turns it
into a DataFrame and :func:`validate` merges it into its report.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._dates import parse_date_column
from ._typing import AbsentDays, Corrections, Thousands
from ._validation import check_choice, grid_unit
from .exceptions import DataFormatError, ParameterError, SeriesValidationError

__all__ = [
    "read_counts",
    "read_losses",
    "validate",
    "quality_events",
    "QUALITY_COLUMNS",
    "LOSS_MERGES",
]

QUALITY_COLUMNS = ["date", "metric", "kind", "detail", "value"]

#: Columns of the loss tables that were merged upstream: the new column's cumulative value
#: before it existed is the sum of the old ones (checked to be continuous on the real data).
LOSS_MERGES: dict[str, tuple[str, ...]] = {
    "vehicles and fuel tanks": ("military auto", "fuel tank"),
}
#: Columns that replaced another with a different definition (no continuity: a new series).
LOSS_REDEFINITIONS: dict[str, str] = {"cruise missiles": "mobile SRBM system"}
#: Text / bookkeeping columns of the loss tables that are not cumulative counts.
_LOSS_NON_METRICS = {"day", "personnel*", "greatest losses direction"}
_LOSS_FILE_STEMS = ("russia_losses_personnel", "russia_losses_equipment")
#: Side tables of the same dataset that are not daily series (the author's corrections, and
#: Oryx's photo-verified losses by model); ``intensity build`` skips them.
LOSS_SIDE_FILES = ("russia_losses_equipment_correction", "russia_losses_equipment_oryx")

# A metric is "high-rate" on a day when the centred 29-day median of its increments is at
# least this: a zero increment on such a day is a stalled table, not a day without losses.
_STALL_MIN_MEDIAN = 10.0
# "Impossible" outlier: more than this many times the centred 29-day median (median >= 5).
_IMPOSSIBLE_RATIO = 8.0
#: the largest file a reader opens, and the most cells (rows × columns) of the table in it,
#: counted before the table is built. With :data:`MAX_CELLS` these keep any input a
#: reader accepts under 1 GB of memory (measured: 7.6 million cells of CSV in 29 MiB,
#: 0.49 GB peak; 4.6 million cells of JSON records in 31 MiB, 0.31 GB).
_MAX_BYTES = 32 * 1024 * 1024
MAX_RAW_CELLS = 8_000_000
#: The longest daily frame a reader builds (about 200 years) and the most cells (days x
#: metrics, 160 MB as float64): a stray date must not make a frame of millions of rows.
MAX_DAYS = 73_050
MAX_CELLS = 8_000_000


def _quality_frame(rows: Iterable[dict[str, object]]) -> pd.DataFrame:
    df = pd.DataFrame(list(rows), columns=QUALITY_COLUMNS)
    if len(df):
        df["date"] = pd.to_datetime(df["date"])
        df = df.sort_values(["date", "metric", "kind"], kind="stable").reset_index(drop=True)
    else:
        df["date"] = pd.to_datetime(df["date"])
    df["value"] = pd.to_numeric(df["value"], errors="coerce").astype(float)
    return df


def _quality_records(df: pd.DataFrame) -> list[dict[str, object]]:
    """DataFrame of findings → list of plain records for ``attrs`` (dates as ISO strings)."""
    values = df["value"].to_numpy(dtype=float)
    return [
        {
            "date": d,
            "metric": m,
            "kind": k,
            "detail": t,
            "value": None if np.isnan(v) else float(v),
        }
        for d, m, k, t, v in zip(
            df["date"].dt.strftime("%Y-%m-%d"),
            df["metric"].astype(str),
            df["kind"].astype(str),
            df["detail"].astype(str),
            values,
            strict=True,
        )
    ]


def quality_events(obj: pd.Series | pd.DataFrame) -> pd.DataFrame:
    """The quality findings a reader attached to *obj* (empty when there are none).

    Examples
    --------
    >>> import pandas as pd, intensity
    >>> intensity.quality_events(pd.Series(dtype=float)).columns.tolist()
    ['date', 'metric', 'kind', 'detail', 'value']
    """
    recs = obj.attrs.get("quality", []) if hasattr(obj, "attrs") else []
    return _quality_frame(recs if isinstance(recs, list) else [])


def dated_within(dates: Iterable[Any], first: pd.Timestamp, last: pd.Timestamp) -> np.ndarray:
    """Which findings (by their dates) belong to the days ``first`` … ``last``: those dated
    inside, and those without a readable date (a finding of the whole table). The one rule
    for a report window and for a series sliced from a longer one, whose ``attrs`` keep
    the whole table's findings."""
    d = pd.to_datetime(pd.Series(list(dates), dtype=object), errors="coerce")
    return np.asarray(d.isna() | ((d >= first) & (d <= last)), dtype=bool)


# --------------------------------------------------------------------------- raw tables
def _regular_file_size(path: Path) -> int:
    """The size of *path*, refusing what is not a regular file (a folder, a FIFO that
    would block forever, a device) before anything is opened."""
    import stat

    try:
        st = path.stat()
    except OSError as exc:
        raise DataFormatError(f"{path}: cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise DataFormatError(
            f"{path}: is a folder, not a file (a folder of loss tables is read by read_losses; "
            "a folder of processed files by 'intensity report --input')"
        )
    if not stat.S_ISREG(st.st_mode):
        raise DataFormatError(f"{path}: not a regular file (a pipe, socket or device)")
    return int(st.st_size)


def _read_text(path: Path) -> str:
    size = _regular_file_size(path)
    if size == 0:
        raise DataFormatError(f"{path}: file is empty")
    if size > _MAX_BYTES:
        raise DataFormatError(f"{path}: file is {size:,} bytes; at most {_MAX_BYTES:,} can be read")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFormatError(f"{path}: cannot be read ({exc.strerror})") from None
    if b"\x00" in raw:
        raise DataFormatError(f"{path}: binary content (NUL bytes); expected CSV or JSON text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFormatError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8"
        ) from None


def _first_line(text: str) -> str:
    """The first physical line, whatever the line ending (LF, CRLF or CR alone)."""
    return re.split(r"[\r\n]", text, maxsplit=1)[0]


def _header_names(text: str, sep: str) -> list[str]:
    """The header cells of a CSV as written (pandas renames repeated names to ``x.1``): the
    first *record*, so a quoted name with a line break in it, and CR line endings, are read
    as the CSV reader reads them."""
    import csv
    from io import StringIO

    try:
        return next(csv.reader(StringIO(text, newline=""), delimiter=sep))
    except (csv.Error, StopIteration):
        return []


def _check_columns(names: list[object], path: Path) -> list[str]:
    """Column names stripped of surrounding spaces; two that become one name are an error."""
    stripped = [str(c).strip() for c in names]
    seen: dict[str, object] = {}
    for raw, name in zip(names, stripped, strict=True):
        if name in seen and seen[name] == raw:
            raise DataFormatError(f"{path}: column name {name!r} appears twice")
        if name in seen:
            raise DataFormatError(
                f"{path}: columns {seen[name]!r} and {raw!r} have the same name {name!r} "
                "(after removing surrounding spaces); each column needs its own name"
            )
        seen[name] = raw
    return stripped


def check_counts_options(date_column: Any, absent: Any) -> None:
    """Refuse a *date_column* that is not a column name and an *absent* that is not
    ``'missing'`` or ``'zero'`` (:func:`read_counts`' options, which ``build`` passes
    on)."""
    if not isinstance(date_column, str) or not date_column:
        raise ParameterError(f"date_column must be a column name, got {date_column!r}")
    check_choice("absent", absent, ("missing", "zero"))


def _file_path(path: Any) -> Path:
    """*path* as a Path: a str or os.PathLike, not a number or None (pathlib's TypeError
    'expected str, bytes or os.PathLike object, not int' otherwise)."""
    if not isinstance(path, (str, os.PathLike)):
        raise ParameterError(f"path must be a file path (str or os.PathLike), got {path!r}")
    return Path(path)


def _raw_table(
    path: Path,
    *,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    date_column: str = "date",
) -> pd.DataFrame:
    """Read a CSV or JSON file into a DataFrame with a parsed ``date`` column (not
    deduplicated); *date_column* names the file's date column when it is not ``date``."""
    text = _read_text(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json", ".txt"):
        raise DataFormatError(f"{path}: unsupported file type {suffix!r}; expected .csv or .json")
    try:
        df = _json_table(text, path) if suffix == ".json" else _csv_table(text, path)
    except DataFormatError:
        raise
    except RecursionError:
        raise DataFormatError(f"{path}: {suffix[1:].upper()} nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes our error
        raise DataFormatError(f"{path}: cannot be parsed as {suffix[1:].upper()} ({exc})") from None
    df.columns = _check_columns(list(df.columns), path)
    if df.empty:
        raise DataFormatError(f"{path}: no rows")
    df = _named_date_column(df, date_column, path)
    dates = parse_date_column(
        df["date"], where=str(path), column=date_column, dayfirst=dayfirst, date_format=date_format
    )
    df = df.copy()
    df["date"] = dates
    return df


def _named_date_column(df: pd.DataFrame, date_column: str, path: Path) -> pd.DataFrame:
    """*df* with its date column *date_column* named ``date`` (a missing one, or a second
    ``date`` column beside it, is an error naming the columns found)."""
    found = list(df.columns)[:8]
    if date_column not in df.columns:
        hint = (
            ""
            if date_column != "date"
            else "; name it with date_column= (--date-column on the command line)"
        )
        if {"period_start", "period_end", "value"} <= set(df.columns):
            # gs_engagement_aggregates' layout: figures of periods, not of days
            hint = (
                "; it holds period figures (period_start, period_end), which check daily "
                "engagement figures: intensity report --input FIGURES.csv --periods FILE"
            )
        raise DataFormatError(f"{path}: no {date_column!r} column (columns found: {found}){hint}")
    if date_column != "date":
        if "date" in df.columns:
            raise DataFormatError(
                f"{path}: date_column={date_column!r} but the file also has a 'date' column"
            )
        df = df.rename(columns={date_column: "date"})
    return df


def _json_table(text: str, path: Path) -> pd.DataFrame:
    """A JSON list of records, a dict of equal-length columns, or either under a
    ``records``/``data``/``rows`` key."""
    obj = json.loads(text)
    if isinstance(obj, dict):
        # {"records": [...]} or {"data": [...]} or a column-oriented dict
        for key in ("records", "data", "rows"):
            if isinstance(obj.get(key), list):
                obj = obj[key]
                break
    if isinstance(obj, list):
        if not all(isinstance(r, dict) for r in obj):
            raise DataFormatError(f"{path}: JSON must be a list of objects (records)")
        keys: dict[str, None] = {}
        for r in obj:
            keys.update(dict.fromkeys(r))
        _check_columns(list(keys), path)
        return pd.DataFrame.from_records(obj)
    if isinstance(obj, dict) and all(isinstance(v, list) for v in obj.values()):
        lengths = {len(v) for v in obj.values()}
        if len(lengths) > 1:
            raise DataFormatError(f"{path}: JSON columns have different lengths")
        _check_columns(list(obj), path)
        return pd.DataFrame(obj)
    raise DataFormatError(f"{path}: JSON must be a list of records or a dict of columns")


def _csv_table(text: str, path: Path) -> pd.DataFrame:
    """A CSV (separator ``,``, ``;`` or tab, from the header), at most MAX_RAW_CELLS cells."""
    from io import StringIO

    header = _first_line(text)
    sep = max((",", ";", "\t"), key=lambda c: (header.count(c), c == ","))
    names = _header_names(text, sep)
    _check_columns([n for n in names if n.strip()], path)
    rows = text.count("\n") or text.count("\r")
    if rows * max(len(names), 1) > MAX_RAW_CELLS:
        raise DataFormatError(
            f"{path}: about {rows:,} rows × {len(names)} columns; at most "
            f"{MAX_RAW_CELLS:,} cells can be read"
        )
    df = read_csv_strict(StringIO(text), path, sep=sep, skip_blank_lines=True)
    return _drop_unnamed(df, names, path)


def read_csv_strict(buf: Any, path: object, **kw: Any) -> pd.DataFrame:
    """``pd.read_csv`` of text cells where a row with more cells than the header is an
    error (pandas would drop the extra cells with a warning, or shift every column by one
    when all rows have one more)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            return pd.read_csv(buf, dtype=str, index_col=False, **kw)
        except pd.errors.ParserWarning:
            raise DataFormatError(
                f"{path}: a row has more cells than the header names; every row needs one "
                "cell per column (a stray separator?)"
            ) from None


def _drop_unnamed(df: pd.DataFrame, names: list[str], path: Path) -> pd.DataFrame:
    """Columns whose header cell is empty: a trailing separator (every cell empty) is
    dropped; an unnamed column that holds values is an error, never a metric called
    ``Unnamed: 2``."""
    if len(names) != df.shape[1]:
        return df
    keep = []
    for i, (name, col) in enumerate(zip(names, df.columns, strict=True)):
        if name.strip():
            keep.append(col)
            continue
        if df[col].notna().any() and (df[col].astype(str).str.strip() != "").any():
            raise DataFormatError(
                f"{path}: column {i + 1} has no name in the header but holds values; "
                "name it or remove it"
            )
    return df[keep]


def _check_span(dates: pd.Series | pd.Index, n_columns: int, path: Path) -> None:
    """Refuse, before building it, a daily frame longer than :data:`MAX_DAYS` days or larger
    than :data:`MAX_CELLS` cells (a stray date such as 2200-12-31 would otherwise make a
    frame of millions of rows)."""
    if len(dates) == 0:
        return
    first, last = pd.Timestamp(dates.min()), pd.Timestamp(dates.max())
    days = (last.date() - first.date()).days + 1
    if days > MAX_DAYS:
        raise DataFormatError(
            f"{path}: dates span {days} days ({first:%Y-%m-%d} … {last:%Y-%m-%d}); at most "
            f"{MAX_DAYS} days can be read (check for a mistyped date)"
        )
    if days * max(n_columns, 1) > MAX_CELLS:
        raise DataFormatError(
            f"{path}: {n_columns} columns over {days} days make {days * n_columns:,} cells; at "
            f"most {MAX_CELLS:,} can be read"
        )


_SPACES = ("\u202f", "\u00a0", "\u2009")
_NA_TOKENS = ("", "nan", "NaN", "None", "<NA>", "null", "NA", "N/A")
#: a whole number written with dots between groups of three digits: 1.040, 12.173, 1.234.567
_THOUSANDS_DOT = r"^[+-]?[1-9]\d{0,2}(?:\.\d{3})+$"
_PLAIN_INT = r"^[+-]?\d+$"


def _dots_are_thousands(
    texts: pd.Series, column: str, path: Path, thousands: str, whole: bool = False
) -> bool:
    """Decide, for one whole column, whether a dot in its numbers separates thousands
    (``1.040`` = 1040, as Ukrainian and German exports write) or is a decimal point.

    Dots are thousands separators when every dotted value is a whole number in groups of
    three (``1.040``, ``12.173``) and either some value has two or more dots
    (``1.234.567``) or the undotted values are all below 1,000 (the layout of a column
    written with separators: dots exactly on the values from 1,000 on). A dotted value
    that is no such group (``3.5``, ``0.125``, ``1.0400``) makes them decimal points.
    Anything else (every value dotted with one group, or ``1500`` beside ``2.000``) can
    be read both ways and is a :class:`DataFormatError`; ``thousands='.'`` or
    ``thousands='none'`` decides it. With *whole* (cumulative loss tables, whose values
    are counts by definition) groups of three are always thousands: read as decimals
    they would not be whole numbers.
    """
    if thousands == ".":
        return True
    if thousands == "none":
        return False
    dotted = texts[texts.str.contains(".", regex=False)]
    if dotted.empty:
        return False
    if not dotted.str.fullmatch(_THOUSANDS_DOT).all():
        return False
    if whole:
        return True
    plain = texts[texts.str.fullmatch(_PLAIN_INT)]
    big_plain = plain[plain.str.lstrip("+-").str.len() >= 4]
    several = bool((dotted.str.count(r"\.") >= 2).any())
    if big_plain.empty and (several or len(plain) > 0):
        return True
    example = dotted.iloc[0]
    also = f" beside {big_plain.iloc[0]!r}" if len(big_plain) else ""
    raise DataFormatError(
        f"{path}: column {column!r}: the dot in {example!r}{also} may separate thousands "
        f"({example.replace('.', '')}) or be a decimal point; write the numbers without "
        "thousands separators, or pass thousands='.' (dots separate thousands) or "
        "thousands='none' (dots are decimal points)"
    )


_THOUSANDS_COMMA = r"^[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$"


def _without_thousands_commas(texts: np.ndarray) -> np.ndarray:
    """*texts* with the commas of one column removed when they plainly separate thousands
    (``"1,500"``, ``"12,173.5"``, as English-locale spreadsheets quote them): every
    value with a comma is whole groups of three, and some value has two commas or the
    values without one are all below 1,000 (the layout of a column written with
    separators). Otherwise unchanged: a decimal comma (``"3,5"``) or a column that could
    be read both ways stays an error naming the value."""
    s = pd.Series(texts, dtype=object)
    comma = s.str.contains(",", regex=False)
    if not comma.any() or not s[comma].str.fullmatch(_THOUSANDS_COMMA).all():
        return texts
    plain = s[~comma & s.str.fullmatch(_PLAIN_INT)]
    several = bool((s[comma].str.count(",") >= 2).any())
    if not (several or (plain.str.lstrip("+-").str.len() < 4).all()):
        return texts
    return np.asarray(np.strings.replace(texts.astype(str), ",", ""))


def _cell_number(v: object) -> float | None:
    """One JSON cell that is not text as a float; None when it is not a number (bools,
    lists, dicts)."""
    if v is None:
        return np.nan
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        return None
    try:
        return float(v)
    except (ValueError, OverflowError):
        return None


_NUMBER = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|Infinity|infinity|INF)"
_PLAIN_CHARS = frozenset("0123456789.+-eE\n")


def _text_numbers(
    texts: np.ndarray, column: str, path: Path, thousands: str, whole: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(numbers, bad) of an array of cell texts. Whole-array steps only (numpy string
    functions and one C-level parse): a 40 MB file costs seconds, not a Python call per
    cell; the per-cell pattern runs only on cells with characters other than digits,
    dots, signs and exponents."""
    joined = "\n".join(texts.tolist())
    if any(sp in joined for sp in _SPACES):
        texts = np.array([t.translate({ord(sp): None for sp in _SPACES}) for t in texts], object)
        joined = "\n".join(texts.tolist())
    u = np.strings.strip(texts.astype(str))
    num = np.full(len(u), np.nan)
    bad = np.zeros(len(u), bool)
    real = ~np.isin(u, _NA_TOKENS)
    r = u[real]
    if "," in joined and len(r) and thousands != "none":
        r = _without_thousands_commas(r)
    if "." in joined and len(r):
        dotted = np.strings.find(r, ".") >= 0
        series = pd.Series(r, dtype=object)
        if _dots_are_thousands(series, column, path, thousands, whole):
            r = np.where(dotted, np.strings.replace(r, ".", ""), r)
    conv = pd.to_numeric(pd.Series(r, dtype=object), errors="coerce").to_numpy(float)
    odd = np.isnan(conv)
    if not set(joined) <= _PLAIN_CHARS:  # letters etc.: what to_numeric reads by rules of its own
        pattern = re.compile(_NUMBER)
        odd |= np.array([pattern.fullmatch(t) is None for t in r.tolist()], bool)
    num[real] = conv
    bad[real] = odd
    return num, bad


def _column_numbers(
    col: pd.Series, column: str, path: Path, thousands: str, whole: bool = False
) -> tuple[pd.Series, pd.Series]:
    """(numbers, bad): a column's values as floats, and where a cell is not a number.

    Text cells are converted together (:func:`_text_numbers`); JSON numbers, ``null`` and
    junk (bools, lists) cell by cell."""
    vals = col.to_numpy(dtype=object)
    is_text = np.fromiter((isinstance(v, str) for v in vals), bool, len(vals))
    num = np.full(len(vals), np.nan)
    bad = np.zeros(len(vals), bool)
    if is_text.any():
        num[is_text], bad[is_text] = _text_numbers(vals[is_text], column, path, thousands, whole)
    other = ~is_text
    if other.any():
        conv = [_cell_number(v) for v in vals[other].tolist()]
        num[other] = [np.nan if v is None else v for v in conv]
        bad[other] = [v is None for v in conv]
    return pd.Series(num, index=col.index), pd.Series(bad, index=col.index)


def _to_numeric(
    df: pd.DataFrame, cols: list[str], path: Path, thousands: str = "auto", whole: bool = False
) -> pd.DataFrame:
    """Numeric columns (thousands spaces U+202F, U+00A0 and U+2009 removed; dots decided
    per column by :func:`_dots_are_thousands`). A cell that is not a number, or not finite
    (``inf``, ``1e400``, JSON ``Infinity``), is a :class:`DataFormatError` naming the file,
    the column and the date: a count cannot be infinite, and reading it as missing would
    hide a broken export."""
    check_choice("thousands", thousands, ("auto", ".", "none"))
    out = {}
    for c in cols:
        col = df[c]
        if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
            num = col.astype(float)
            bad = pd.Series(False, index=col.index)
        else:
            num, bad = _column_numbers(col, str(c), path, thousands, whole)
        if bad.any():
            first = col[bad].iloc[0]
            hint = (
                " (commas are read as thousands separators only when the whole column is "
                "written so: every comma between groups of three and the numbers without "
                "one below 1,000)"
                if isinstance(first, str) and "," in first
                else ""
            )
            raise DataFormatError(
                f"{path}: column {c!r} must be numeric, got {first!r} "
                f"on {df.loc[bad, 'date'].iloc[0]:%Y-%m-%d}{hint}"
            )
        inf = np.isinf(num.to_numpy())
        if inf.any():
            i = int(np.flatnonzero(inf)[0])
            raise DataFormatError(
                f"{path}: column {c!r} must hold finite numbers, got {str(col.iloc[i])!r} "
                f"on {df['date'].iloc[i]:%Y-%m-%d}"
            )
        out[c] = num
    res = pd.DataFrame(out, index=df.index)
    res.insert(0, "date", df["date"])
    return res


def _daily_index(dates: pd.Series) -> pd.DatetimeIndex:
    return pd.date_range(dates.min(), dates.max(), freq="D", name="date")


#: dates a file needs before its grid may be read as weekly, monthly or quarterly
MIN_COARSE_DATES = 8


def _count_index(dates: pd.Series) -> pd.DatetimeIndex:
    """The complete index of a counts file: daily, unless every date lies on one coarser
    regular grid (weeks on one weekday, month, quarter or year starts or ends) that the file
    fills at least half of, with :data:`MIN_COARSE_DATES` dates or more; then that grid
    (``freq`` set: the analyses read weekly and monthly counts as such). Spread on a
    daily grid, 200 monthly counts were 6,057 days with 200 observed, and the report
    tested weekday effects of the first days of the months."""
    from ._validation import coarsest_grid, period_unit

    uniq = pd.DatetimeIndex(dates.dropna().unique()).sort_values()
    if len(uniq) >= MIN_COARSE_DATES and (uniq == uniq.normalize()).all():
        # the analyses' own rule (None: irregular, a daily file with gaps)
        freq = coarsest_grid(uniq)
        if freq is not None and period_unit(freq) != "day":
            grid = pd.date_range(uniq[0], uniq[-1], freq=freq, name="date")
            if len(uniq) >= len(grid) / 2:
                return grid
    return _daily_index(dates)


def _resolve_duplicates(df: pd.DataFrame, keys: list[str], path: Path) -> pd.DataFrame:
    dup = df.duplicated(keys, keep=False)
    if not dup.any():
        return df
    d = df[dup]
    conflicting = d.drop_duplicates().duplicated(keys, keep=False)
    if conflicting.any():
        first = d.drop_duplicates()[conflicting].iloc[0]
        raise DataFormatError(
            f"{path}: conflicting duplicate rows for {', '.join(f'{k}={first[k]}' for k in keys)}"
            " (one value per day and metric is required)"
        )
    return df.drop_duplicates(keys)


def _dropped_duplicates(df: pd.DataFrame, before: int) -> dict[str, object]:
    n = before - len(df)
    return _event(df["date"].min(), "*", "duplicate", f"{n} exact duplicate rows dropped", n)


def _check_long_columns(df: pd.DataFrame, col: pd.Series, path: Path) -> None:
    """Two (metric, direction) pairs that make one column name (metric ``a`` with direction
    ``b`` beside metric ``a/b``) would mix two series: an error naming both."""
    pairs = pd.DataFrame({"column": col, "metric": df["metric"], "direction": df["direction"]})
    kinds = pairs.drop_duplicates(["metric", "direction"])
    clash = kinds[kinds.duplicated("column", keep=False)]
    if len(clash):
        name = clash["column"].iloc[0]
        who = [
            f"metric {m!r}" + (f" with direction {d!r}" if d else "")
            for m, d in clash.loc[clash["column"] == name, ["metric", "direction"]].itertuples(
                index=False
            )
        ]
        raise DataFormatError(
            f"{path}: {' and '.join(who)} both make the column {name!r}; rename one"
        )


def read_counts(
    path: str | os.PathLike[str],
    *,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    thousands: Thousands = "auto",
    date_column: str = "date",
    absent: AbsentDays = "missing",
) -> pd.DataFrame:
    """Read a tidy file of daily counts (or weekly, monthly or quarterly ones).

    Two layouts are accepted (CSV or JSON records):

    * **wide**: a ``date`` column and one numeric column per metric;
    * **long**: columns ``date, metric, value`` and optionally ``direction``. Rows with a
      direction become columns named ``"metric/direction"``. A long table keyed by a
      text column of another name (VIINA's ``day, source, events``: dates repeat, one
      column holds names, not numbers, and its names repeat) is read the same way, each
      numeric column a metric and the key its direction: ``events/unian``, ...

    Parameters
    ----------
    path
        The file to read.
    dayfirst, date_format
        How the ``date`` column is read. By default one layout is detected for the whole
        column: ``YYYY-MM-DD`` (ISO), or ``DD.MM.YYYY`` / ``DD/MM/YYYY`` / ``DD-MM-YYYY``,
        which are always **day-first** as Ukrainian sources write them. ``dayfirst=False``
        reads the latter month-first; ``date_format`` (a ``strptime`` format) overrides the
        detection. See :mod:`intensity._dates`.
    thousands
        How a dot in a number is read. ``'auto'`` (default) decides per column: dots are
        thousands separators when every dotted value is a whole number in groups of three
        (``1.040``) and the undotted values are below 1,000 (or a value has two dots);
        decimal points when a dotted value is anything else (``3.5``); a column that can
        be read both ways is an error. ``'.'``: dots separate thousands; ``'none'``: dots
        are decimal points. Commas (quoted ``"1,500"``, as English-locale spreadsheets
        export) separate thousands by the same rule, except with ``'none'``; a decimal
        comma (``"3,5"``) is an error.
    date_column
        The name of the file's date column (default ``date``), e.g. ``"day"`` for the
        VIINA and UCDP daily tables (``read_counts(path, date_column="day")``).
    absent
        What a day absent from the file is (between its first and last date):
        ``'missing'`` (default; NaN, not reported) or ``'zero'``, a day without events,
        for files that list only the days with some (UCDP's daily table: "only days with
        >= 1 event are listed"; read as missing, its 2014-2021 counts were never below 1).
        Also a metric without a row on a day of the long layout. A cell given empty stays
        NaN. The days filled are reported (``absent_zero``); :func:`validate` says when a
        file looks like such a list (``absent_days``).

    Returns
    -------
    pd.DataFrame
        One column per metric on a complete daily ``DatetimeIndex`` (``freq='D'``) named
        ``date``; days absent from the file are NaN. When every date lies on one coarser
        grid (weeks ending on one weekday, month, quarter or year starts or ends), the
        file has
        :data:`MIN_COARSE_DATES` dates or more and fills at least half of that grid, the
        index is that grid instead (``freq`` ``'W-SUN'``, ``'MS'``, ``'QE-DEC'``, ...),
        as the analyses take weekly and monthly counts. Exact duplicate rows are dropped
        (and reported in ``attrs['quality']``); conflicting duplicates raise.

    Raises
    ------
    DataFormatError
        Empty file, no ``date`` column, binary content; a date column that mixes layouts
        or whose layout cannot be decided (naming two example values); values that are not
        finite numbers; two columns whose names differ only by surrounding spaces; dates
        outside 1800-01-01 … 2200-12-31, or spanning more than :data:`MAX_DAYS` days or
        :data:`MAX_CELLS` cells (days × metrics).

    Examples
    --------
    >>> import intensity, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_text("date,engagements\\n2024-12-13,190\\n2024-12-15,201\\n")
    >>> intensity.read_counts(p)["engagements"].tolist()
    [190.0, nan, 201.0]
    """
    p = _file_path(path)
    check_counts_options(date_column, absent)
    df = _raw_table(p, dayfirst=dayfirst, date_format=date_format, date_column=date_column)
    quality: list[dict[str, object]] = []
    if not {"metric", "value"} <= set(df.columns):
        df = _keyed_long(df, p, thousands)
    if {"metric", "value"} <= set(df.columns):
        if "direction" not in df.columns:
            df["direction"] = ""
        df["direction"] = df["direction"].fillna("").astype(str).str.strip()
        df.loc[df["direction"].isin(["nan", "None"]), "direction"] = ""
        df["metric"] = df["metric"].astype(str).str.strip()
        if (df["metric"] == "").any():
            raise DataFormatError(f"{p}: empty metric name in long layout")
        num = _to_numeric(df, ["value"], p, thousands)
        df = df.assign(value=num["value"])
        before = len(df)
        df = _resolve_duplicates(df, ["date", "metric", "direction"], p)
        if len(df) < before:
            quality.append(_dropped_duplicates(df, before))
        col = df["metric"].where(df["direction"] == "", df["metric"] + "/" + df["direction"])
        _check_long_columns(df, col, p)
        _check_span(df["date"], int(col.nunique()), p)
        wide = df.assign(column=col).pivot(index="date", columns="column", values="value")
        wide.columns.name = None
        given = df.assign(column=col, one=True).pivot(index="date", columns="column", values="one")
    else:
        metrics = [c for c in df.columns if c != "date"]
        if not metrics:
            raise DataFormatError(f"{p}: no metric columns besides 'date'")
        _check_span(df["date"], len(metrics), p)
        num = _to_numeric(df, metrics, p, thousands)
        before = len(num)
        num = _resolve_duplicates(num, ["date"], p)
        if len(num) < before:
            quality.append(_dropped_duplicates(num, before))
        wide = num.set_index("date")
        given = pd.DataFrame(True, index=wide.index, columns=wide.columns)
    days = _count_index(wide.index.to_series())
    wide = wide.sort_index().reindex(days)
    wide.index = days
    if absent == "zero":
        wide, filled = _absent_as_zero(wide, given)
        quality += filled
    for j, name in enumerate(wide.columns):  # what the counts show of how they were reported
        quality += _quality_records(count_findings(wide.iloc[:, j], str(name)))
    wide.attrs["quality"] = _quality_records(_quality_frame(quality))
    wide.attrs["source"] = [p.name]
    return wide


def _keyed_long(df: pd.DataFrame, path: Path, thousands: str) -> pd.DataFrame:
    """A long table keyed by a text column of another name than ``metric`` (VIINA's
    ``day, source, events``: one row per day and outlet; :func:`_long_key`) in the long
    layout's columns (``date, metric, direction, value``: each numeric column a metric,
    the key its direction, so the columns read ``events/unian``; with one numeric column
    named ``value``, or a key named ``metric``, the key names the metrics); *df* itself
    when it is not one. Read as wide, such a table was refused ("column 'source' must be
    numeric"); summed, the outlets would be lost."""
    key = _long_key(df, path, thousands)
    if key is None:
        return df
    text = df[key].astype(str).str.strip().to_numpy()
    dates = df["date"].to_numpy()
    values = [c for c in df.columns if c not in ("date", key)]
    if len(values) == 1 and (key == "metric" or values[0] == "value"):
        # 'date, metric, count' or 'date, source, value': the key names the metrics
        return pd.DataFrame(
            {"date": dates, "metric": text, "direction": "", "value": df[values[0]].to_numpy()}
        )
    # built column by column: a value column may itself be named 'value' or 'metric'
    parts = [
        pd.DataFrame(
            {"date": dates, "metric": str(c), "direction": text, "value": df[c].to_numpy()}
        )
        for c in values
    ]
    return pd.concat(parts, ignore_index=True)


def _long_key(df: pd.DataFrame, path: Path, thousands: str) -> str | None:
    """The key column of a long table: dates repeat, exactly one column besides the
    date holds no number at all (:func:`_all_text`), and its values repeat (at most one
    distinct value per two rows: a column of free-text notes is not a key); ``None``
    when there is none. A key missing on a row is an error."""
    others = [c for c in df.columns if c != "date"]
    if len(others) < 2 or not df["date"].duplicated().any():
        return None
    keys = [c for c in others if _all_text(df[c], str(c), path, thousands)]
    if len(keys) != 1:
        return None
    key = df[keys[0]]
    text = key.astype(str).str.strip()
    empty = key.isna() | (text == "")
    if empty.any():
        raise DataFormatError(
            f"{path}: a long table keyed by column {keys[0]!r} needs a key on every row, "
            f"got an empty one on {df.loc[empty, 'date'].iloc[0]:%Y-%m-%d}"
        )
    return None if text.nunique() > len(df) / 2 else str(keys[0])


def _all_text(col: pd.Series, name: str, path: Path, thousands: str) -> bool:
    """Whether every filled cell of *col* is something other than a number (a key such
    as an outlet's or a direction's name), read as the value columns are read."""
    if pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
        return False
    filled = col[col.notna() & (col.astype(str).str.strip() != "")]
    if filled.empty:
        return False
    try:
        _, bad = _column_numbers(filled, name, path, thousands)
    except DataFormatError:  # dots that could be read two ways: numbers, not names
        return False
    return bool(bad.all())


def _absent_as_zero(
    wide: pd.DataFrame, given: pd.DataFrame
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """*wide* with the cells no row of the file gave (*given*: True where one did) set
    to 0, and an ``absent_zero`` finding per column that had any."""
    have = given.reindex(index=wide.index, columns=wide.columns)
    absent = have.isna().to_numpy()
    out = wide.mask(absent, 0.0)
    unit = grid_unit(wide.index)
    rows = []
    for j, name in enumerate(wide.columns):
        k = int(absent[:, j].sum())
        if k:
            first = wide.index[int(np.argmax(absent[:, j]))]
            detail = f"{k} {unit}(s) absent from the file read as 0 (absent='zero')"
            rows.append(_event(first, str(name), "absent_zero", detail, k))
    return out, rows


# --------------------------------------------------------------------------- losses
def _loss_files(path: Path) -> list[Path]:
    if path.is_dir():
        files: list[Path] = []
        for stem in _LOSS_FILE_STEMS:
            for ext in (".json", ".csv"):
                f = path / f"{stem}{ext}"
                if f.exists():
                    files.append(f)
                    break
        if not files:
            expected = ", ".join(s + ".json" for s in _LOSS_FILE_STEMS)
            raise DataFormatError(
                f"{path}: no loss tables found; expected {expected}"
                " (or .csv) as in the 2022-Ukraine-Russia-War-Dataset"
            )
        return files
    if not path.exists():
        raise DataFormatError(f"{path}: no such file or folder")
    return [path]


def _cumulative_table(
    files: list[Path],
    *,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    thousands: Thousands = "auto",
) -> pd.DataFrame:
    frames = []
    owner: dict[str, Path] = {}
    for f in files:
        df = _raw_table(f, dayfirst=dayfirst, date_format=date_format)
        metrics = [c for c in df.columns if c != "date" and c not in _LOSS_NON_METRICS]
        if not metrics:
            raise DataFormatError(f"{f}: no cumulative count columns besides 'date'")
        for m in metrics:
            if m in owner:
                raise DataFormatError(
                    f"{f}: metric {m!r} is also in {owner[m]}; each metric may appear in one "
                    "loss file only"
                )
            owner[m] = f
        num = _to_numeric(df, metrics, f, thousands, whole=True)
        num = _resolve_duplicates(num, ["date"], f)
        num = num.set_index("date").sort_index()
        frames.append(num)
    # the span of all files together, before read_losses builds the daily frame
    where = files[0] if len(files) == 1 else files[0].parent
    _check_span(
        pd.Index([d for fr in frames for d in (fr.index.min(), fr.index.max())]), len(owner), where
    )
    return pd.concat(frames, axis=1, join="outer", sort=True)


def _event(date: Any, metric: str, kind: str, detail: str, value: Any) -> dict[str, object]:
    return {"date": date, "metric": metric, "kind": kind, "detail": detail, "value": value}


#: observed values a column needs before it can be read as running totals
RUNNING_TOTAL_MIN = 60


def running_total_words(s: pd.Series) -> str:
    """Why the counts *s* look like running totals (``''`` when they do not): at least
    :data:`RUNNING_TOTAL_MIN` observed values that never decrease and rise on at least
    half of the steps. Daily counts go down about as often as up; a cumulative table
    (the General Staff's loss totals, say, saved as counts) never does, and analysed as
    counts it gave a 'complete' report of one break and 59 spike days.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.date_range("2024-01-01", periods=90)
    >>> running_total_words(pd.Series(range(1000, 1090), index=idx))[:41]
    'never decreases over its 90 observed days'
    >>> running_total_words(pd.Series([3, 5, 4] * 30, index=idx))
    ''
    """
    v = pd.to_numeric(s, errors="coerce").dropna().to_numpy(dtype=float)
    if len(v) < RUNNING_TOTAL_MIN:
        return ""
    step = np.diff(v)
    if (step < 0).any() or (step > 0).mean() < 0.5:
        return ""
    return (
        f"never decreases over its {len(v)} observed days ({v[0]:,.0f} to {v[-1]:,.0f}): "
        "running totals, not counts; the counts are their increments (e.g. "
        "frame.diff(); read_losses reads the General Staff's loss tables so)"
    )


def _rolling_median(x: pd.Series) -> pd.Series:
    return x.rolling(29, center=True, min_periods=7).median()


def _rounding_events(daily: pd.Series, metric: str) -> list[dict[str, object]]:
    """Days in stretches where the table was published in coarse round numbers (e.g. the
    personnel total in hundreds in spring 2022): at least 80% of the increments in the
    centred 29-day window are multiples of a step that is at least a fifth of the local
    median. Day-to-day variation is not resolved there, so such days are reporting
    artefacts, not anomalies."""
    x = daily.dropna()
    x = x[x > 0]
    if len(x) < 29:
        return []
    med = x.rolling(29, center=True, min_periods=15).median().reindex(daily.index)
    flagged = pd.Series(0.0, index=daily.index)
    for step in (1000.0, 500.0, 100.0, 50.0):
        div = (daily % step == 0).astype(float).where(daily.notna() & (daily > 0))
        share = div.rolling(29, center=True, min_periods=15).mean()
        coarse = (share >= 0.8) & (step >= 0.2 * med) & daily.notna() & (flagged == 0)
        flagged[coarse] = step
    return [
        _event(
            d,
            metric,
            "rounded",
            f"published in round numbers (multiples of {step:g}); daily variation not resolved",
            step,
        )
        for d, step in flagged[flagged > 0].items()
    ]


#: A count on the first day after missing days is a possible catch-up from this many
#: times the centred 29-day median of the counts on.
CATCH_UP_RATIO = 1.5


def _possible_catch_ups(daily: pd.Series, metric: str) -> list[dict[str, object]]:
    """First observed days after missing days whose count is at least
    :data:`CATCH_UP_RATIO` times the centred 29-day median ``m`` (and ``m + 3 sqrt(m)``,
    beyond the count noise of a small median): a count that may cover the
    missing days too (value: the days it may cover). A table of cumulative totals says
    so for certain (:func:`read_losses`' ``catch_up``); a file of counts cannot, so these
    are flagged as possible ones."""
    v = daily.to_numpy(dtype=float)
    obs = ~np.isnan(v)
    if obs.sum() < 29:
        return []
    med = _rolling_median(daily).to_numpy(dtype=float)
    seen = np.cumsum(obs)  # observed days up to and including each day
    after_gap = obs.copy()
    after_gap[0] = False
    after_gap[1:] &= ~obs[:-1]
    rows = []
    for t in np.flatnonzero(after_gap & (seen > 1)):
        m = med[t]
        # and beyond the count noise of a small median (4 a day: 10, not 6)
        if not (m > 0 and v[t] >= max(CATCH_UP_RATIO * m, m + 3.0 * np.sqrt(m))):
            continue
        gap = int(t - np.flatnonzero(obs[:t])[-1] - 1)
        detail = (
            f"possible: {v[t]:g} on the first day after {gap} missing day(s) is "
            f"{v[t] / m:.1f} times the 29-day median; it may cover them"
        )
        rows.append(_event(daily.index[int(t)], metric, "catch_up", detail, gap + 1))
    return rows


#: The last observed count is a possible partial day below this share of the median of
#: the 28 observed days before it.
PARTIAL_SHARE = 0.25


def _possible_partial_day(daily: pd.Series, metric: str) -> list[dict[str, object]]:
    """The last observed day when its count is below :data:`PARTIAL_SHARE` of the median
    ``m`` of the 28 observed days before it (and below ``m - 3 sqrt(m)``, beyond the count
    noise of a small median): a day still running when the data were taken (VIINA's
    export of 2026-05-04 ran that morning: 5 reports against a median of 120)."""
    x = daily.dropna()
    if len(x) < 29:
        return []
    m = float(x.iloc[-29:-1].median())
    last = float(x.iloc[-1])
    if not (m > 0 and last < min(PARTIAL_SHARE * m, m - 3.0 * np.sqrt(m))):
        return []
    detail = (
        f"possible: the last day's {last:g} is {last / m:.2f} of the median of the 28 days "
        "before it; taken before the day ended?"
    )
    return [_event(x.index[-1], metric, "partial_day", detail, last / m)]


#: The first days of the months carry stacked dates from this many times the median of
#: the other days (with :data:`STACKED_MIN_MONTHS` first days observed).
STACKED_RATIO = 3.0
STACKED_MIN_MONTHS = 12


def _possible_stacked_dates(daily: pd.Series, metric: str) -> list[dict[str, object]]:
    """The first days of the months when their median count is at least
    :data:`STACKED_RATIO` times that of the other days: events known only to the month
    are dated to its first day (UCDP's fatalities: median 1,518 on the 1sts of 2022-2024
    against 97 on other days, 38 of the report's 96 spike days)."""
    x = daily.dropna()
    first = np.asarray(pd.DatetimeIndex(x.index).day == 1)
    if first.sum() < STACKED_MIN_MONTHS or (~first).sum() < 60:
        return []
    on, off = float(x[first].median()), float(x[~first].median())
    if not (on > 0 and on >= STACKED_RATIO * max(off, 1.0)):
        return []
    detail = (
        f"possible: a first day of the month, whose median count is {on:g} against {off:g} "
        "on the other days: events dated only to their month stacked on its first day?"
    )
    return [_event(d, metric, "stacked_date", detail, v) for d, v in x[first].items()]


def count_findings(series: pd.Series, metric: str | None = None) -> pd.DataFrame:
    """What the counts themselves show of how they were reported, whatever route they
    came by: stretches published in round numbers (``rounded``), possible catch-ups
    after missing days (``catch_up``), a possible partial last day (``partial_day``)
    and first days of the month that carry events dated only to their month
    (``stacked_date``), for a daily series (empty for a coarser grid).
    :func:`read_counts` attaches them, :func:`validate` lists them and
    :func:`~intensity.detect_anomalies` keeps their days apart, so a counts file, a
    Series built by hand and the loss tables give the same artefacts (measured
    2026-12-05: the report of real personnel from a counts file listed 38 spike and dip
    days against 23 from the loss tables, every difference a rounded 2022 day or a
    catch-up the loss reader had found).

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.date_range("2024-01-01", periods=42)
    >>> s = pd.Series([190.0, 212.0] * 10 + [None, 610.0] + [205.0, 187.0] * 10, days, name="x")
    >>> count_findings(s)[["date", "kind", "value"]].values.tolist()
    [[Timestamp('2024-01-22 00:00:00'), 'catch_up', 2.0]]
    >>> count_findings(s.round(-2))["kind"].value_counts().to_dict()  # in hundreds
    {'rounded': 41, 'catch_up': 1}
    """
    name = str(series.name if metric is None else metric)
    idx = series.index
    if not isinstance(idx, pd.DatetimeIndex) or grid_unit(idx) != "day":
        return _quality_frame([])
    daily = pd.to_numeric(series, errors="coerce").astype(float)
    return _quality_frame(
        _rounding_events(daily, name)
        + _possible_catch_ups(daily, name)
        + _possible_partial_day(daily, name)
        + _possible_stacked_dates(daily, name)
    )


def new_count_findings(known: pd.DataFrame, series: pd.Series, metric: str) -> pd.DataFrame:
    """:func:`count_findings` of *series* that the findings *known* (a reader's) do not
    already hold (the same date, metric and kind). A reader of cumulative totals (its
    ``series_start`` finding) knew every catch-up and what each row covers from the
    totals, so neither a catch-up nor a partial day is guessed for its series (the day
    after a masked correction is no catch-up)."""
    extra = count_findings(series, metric)
    mine = known[known["metric"] == metric] if len(known) else known
    if len(mine) and (mine["kind"] == "series_start").any():
        guessed = extra["kind"].isin(["catch_up", "partial_day"])
        extra = extra[~guessed].reset_index(drop=True)
    if len(known) and len(extra):
        have = set(zip(pd.to_datetime(known["date"]), known["metric"], known["kind"], strict=True))
        keep = [
            (d, m, k) not in have
            for d, m, k in zip(extra["date"], extra["metric"], extra["kind"], strict=True)
        ]
        extra = extra[np.asarray(keep, dtype=bool)].reset_index(drop=True)
    return extra


def read_losses(
    path: str | os.PathLike[str],
    *,
    corrections: Corrections = "mask",
    dayfirst: bool | None = None,
    date_format: str | None = None,
    thousands: Thousands = "auto",
) -> pd.DataFrame:
    """Read the General Staff's cumulative loss tables and return **daily increments**.

    The input is the format of the public *2022-Ukraine-Russia-War-Dataset*
    (``russia_losses_personnel.json`` and ``russia_losses_equipment.json``, or CSV): a
    folder holding them, or one such file.

    What the real tables contain, and what is done with it:

    * **first row / new columns**: the first value of a metric is cumulative since
      2022-02-24, so its increment is unknown: NaN, reported as ``series_start``;
    * **merged columns** (:data:`LOSS_MERGES`, e.g. ``military auto`` + ``fuel tank`` →
      ``vehicles and fuel tanks`` on 2022-05-01): the new column is extended backwards with
      the sum of the old ones, so the series is continuous; reported as ``definition_change``;
    * **stalls**: days on which the cumulative total did not move although the metric
      normally moves every day (its centred 29-day median increment is at least 10), or on
      which the whole table did not move, are a missing report, not a day of zero losses:
      NaN, reported as ``stall``;
    * **catch-ups**: the first reported day after a stall or gap **keeps the whole amount**
      on its own date and is reported as ``catch_up`` with the number of days it covers
      (``value``). Nothing is lost: the non-missing increments of each metric sum to its
      last cumulative value minus its first (minus masked corrections, see below);
    * **coarse rounding**: stretches published in round numbers that are large against the
      daily level (personnel in hundreds in spring 2022) are reported as ``rounded``;
    * **negative increments** (corrections of earlier over-counts): reported as
      ``correction`` with the amount; with ``corrections='mask'`` (default) the day becomes
      NaN, so the series stays a non-negative count; with ``'keep'`` the negative value stays.

    Parameters
    ----------
    path
        A folder with the loss tables, or one table (JSON records or CSV with ``date``).
    corrections
        ``'mask'`` or ``'keep'``: what to do with negative increments.
    dayfirst, date_format
        How the ``date`` column is read, as in :func:`read_counts` (dotted and slashed dates
        are day-first; a column that mixes layouts raises).
    thousands
        How a dot in a number is read, decided per column as in :func:`read_counts`,
        except that a cumulative count is a whole number, so ``1.796`` is 1,796 even when
        every value of the column has a dot.

    Returns
    -------
    pd.DataFrame
        Daily increments, one column per metric, complete daily index (``freq='D'``) from
        the first to the last date. ``attrs['quality']`` lists every event above;
        ``attrs['source']`` the files read.

    Examples
    --------
    >>> import intensity, tempfile, pathlib, json
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> rows = [{"date": f"2022-03-0{i}", "personnel": v} for i, v in
    ...         enumerate([5000, 6000, 6000, 8100, 9000], start=1)]
    >>> _ = (d / "russia_losses_personnel.json").write_text(json.dumps(rows))
    >>> intensity.read_losses(d)["personnel"].tolist()
    [nan, 1000.0, nan, 2100.0, 900.0]
    """
    check_choice("corrections", corrections, ("mask", "keep"))
    p = _file_path(path)
    files = _loss_files(p)
    cum = _cumulative_table(files, dayfirst=dayfirst, date_format=date_format, thousands=thousands)
    index = _daily_index(cum.index.to_series())
    cum = cum.reindex(index)
    cum, events = _merged_definitions(cum)
    # whole-table stalls: every metric present on both days unchanged
    d_all = cum.diff()
    both = cum.notna() & cum.shift(1).notna()
    moved = (d_all.abs() > 0) & both
    table_stall = both.any(axis=1) & ~moved.any(axis=1)
    table_stall.iloc[0] = False
    out: dict[str, pd.Series] = {}
    for metric in cum.columns:
        c = cum[metric]
        if c.notna().sum() == 0:
            continue
        out[metric], found = _daily_increments(c.dropna(), metric, index, table_stall, corrections)
        events += found
    result = pd.DataFrame(out, index=index)
    result.attrs["quality"] = _quality_records(_quality_frame(events))
    result.attrs["source"] = [f.name for f in files]
    return result


def _merged_definitions(cum: pd.DataFrame) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """The cumulative table with merged metrics joined (before the switch, the sum of
    the old ones) and redefined metrics reported as new series."""
    events: list[dict[str, object]] = []
    for new, olds in LOSS_MERGES.items():
        if new in cum.columns and all(o in cum.columns for o in olds):
            before = cum[new].isna() & cum[list(olds)].notna().all(axis=1)
            if before.any():
                cum.loc[before, new] = cum.loc[before, list(olds)].sum(axis=1)
                switch = cum.index[before][-1] + pd.Timedelta(days=1)
                detail = f"before {switch:%Y-%m-%d} the sum of {' + '.join(olds)}"
                events.append(_event(switch, new, "definition_change", detail, np.nan))
            cum = cum.drop(columns=list(olds))
    for new, old in LOSS_REDEFINITIONS.items():
        if new in cum.columns and old in cum.columns:
            start = cum[new].first_valid_index()
            detail = f"replaces {old!r} (not continuous with it: a new series)"
            events.append(_event(start, new, "definition_change", detail, np.nan))
    return cum, events


def _daily_increments(
    obs: pd.Series, metric: str, index: pd.DatetimeIndex, table_stall: pd.Series, corrections: str
) -> tuple[pd.Series, list[dict[str, object]]]:
    """One metric's daily increments from its observed cumulative totals, with the
    findings: stalls (missing, not zero), the series start, catch-ups, corrections
    (masked or kept) and rounding."""
    events: list[dict[str, object]] = []
    raw_inc = obs.diff()
    med = _rolling_median(raw_inc.reindex(index)).reindex(obs.index)
    stall = ((raw_inc == 0) & (med >= _STALL_MIN_MEDIAN)) | (
        table_stall.reindex(obs.index) & (raw_inc == 0)
    )
    stall.iloc[0] = False
    for day in obs.index[stall.to_numpy()]:
        events.append(_event(day, metric, "stall", "cumulative total did not move", 0.0))
    kept = obs[~stall.to_numpy()]
    inc = kept.diff()
    start = f"first value {kept.iloc[0]:g} is cumulative since the start of the table"
    events.append(_event(kept.index[0], metric, "series_start", start, kept.iloc[0]))
    days_covered = pd.Series(kept.index, index=kept.index).diff().dt.days
    for day in kept.index[(days_covered > 1).to_numpy()]:
        n = int(days_covered[day])
        detail = f"increment {inc[day]:g} covers {n} days ({n - 1} without a report)"
        events.append(_event(day, metric, "catch_up", detail, n))
    neg = inc < 0
    how = "; masked" if corrections == "mask" else "; kept"
    for day in inc.index[neg.to_numpy()]:
        detail = f"negative increment {inc[day]:g} (correction of earlier counts)" + how
        events.append(_event(day, metric, "correction", detail, inc[day]))
    if corrections == "mask":
        inc = inc.mask(neg)
    daily = inc.reindex(index)
    events.extend(_rounding_events(daily, metric))
    return daily, events


# --------------------------------------------------------------------------- validation
def _as_frame(obj: object) -> pd.DataFrame:
    if isinstance(obj, (str, os.PathLike)):
        p = Path(obj)
        if p.is_dir() or p.stem in _LOSS_FILE_STEMS:
            return read_losses(p)
        return read_counts(p)
    if isinstance(obj, pd.Series):
        return obj.to_frame(name=obj.name if obj.name is not None else "value")
    if isinstance(obj, pd.DataFrame):
        return obj
    raise SeriesValidationError(
        f"validate() takes a path, a pd.Series or a pd.DataFrame, got {type(obj).__name__}"
    )


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Start and end (inclusive) positions of runs of True."""
    if not mask.any():
        return []
    m = np.concatenate([[False], mask, [False]]).astype(int)
    d = np.diff(m)
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1) - 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def validate(obj: object) -> pd.DataFrame:
    """Data-quality report of daily counts (or weekly, monthly, quarterly or yearly ones).

    Parameters
    ----------
    obj
        A path (read with :func:`read_losses` for loss tables, :func:`read_counts`
        otherwise), a ``pd.Series`` or a ``pd.DataFrame`` with a ``DatetimeIndex``.

    Returns
    -------
    pd.DataFrame
        Columns ``date, metric, kind, detail, value``; one row per finding, sorted by date.
        Kinds: ``duplicate`` (repeated dates), ``gap`` (a run of missing days; value = its
        length), ``stall``, ``catch_up``, ``correction``, ``series_start``,
        ``definition_change`` (from the reader), ``negative``, ``non_integer``,
        ``impossible`` (more than 8× the centred 29-day median, median ≥ 5),
        ``running_total`` (a column that never decreases: :func:`running_total_words`),
        what the counts show of daily series whatever the reader
        (:func:`count_findings`: ``rounded``, a possible ``catch_up`` after missing
        days, a possible ``partial_day`` at the end, ``stacked_date``), ``absent_zero``
        (days absent from a counts file read as 0) and ``absent_days`` (a counts file
        that looks like a list of the days with events only: no 0 anywhere, counts down
        to 1 or 2, a fifth of its days absent).

    Raises
    ------
    DataFormatError
        Unreadable file.
    SeriesValidationError
        Not a DatetimeIndex, or an index that is neither daily nor on a weekly, monthly,
        quarterly or yearly grid (its ``freq``; e.g. irregular dates).

    Examples
    --------
    >>> import pandas as pd, intensity
    >>> s = pd.Series([3.0, None, None, 5.0, -1.0],
    ...               index=pd.date_range("2024-01-01", periods=5), name="x")
    >>> intensity.validate(s)[["metric", "kind", "value"]].values.tolist()
    [['x', 'gap', 2.0], ['x', 'negative', -1.0]]
    """
    df = _as_frame(obj)
    if not isinstance(df.index, pd.DatetimeIndex):
        raise SeriesValidationError(f"index must be a DatetimeIndex, got {type(df.index).__name__}")
    df, rows = _daily_frame(df)
    unit = grid_unit(pd.DatetimeIndex(df.index))
    reader_events = quality_events(obj if isinstance(obj, (pd.Series, pd.DataFrame)) else df)
    known_missing: set[tuple[pd.Timestamp, str]] = set()
    for r in reader_events.itertuples(index=False):
        rows.append(_event(r.date, str(r.metric), str(r.kind), str(r.detail), r.value))
        masked = r.kind == "correction" and "masked" in str(r.detail)
        if r.kind in ("stall", "series_start") or masked:
            known_missing.add((pd.Timestamp(str(r.date)), str(r.metric)))
    corrected = {
        (pd.Timestamp(str(r["date"])), r["metric"]) for r in rows if r["kind"] == "correction"
    }
    filled = set(reader_events.loc[reader_events["kind"] == "absent_zero", "metric"])
    for col in df.columns:
        s = pd.to_numeric(df[col], errors="coerce")
        rows += _quality_records(new_count_findings(reader_events, s, str(col)))
        if str(col) not in filled:
            rows += _absent_days_hint(s, str(col), unit)
        rows += _gaps(s, str(col), known_missing, unit)
        rows += _bad_values(s, str(col), corrected, unit)
        total = running_total_words(s)
        if total:
            rows.append(_event(s.first_valid_index(), str(col), "running_total", total, None))
    return _quality_frame(rows)


def _daily_frame(df: pd.DataFrame) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """*df* without duplicated dates (the last kept, each reported), sorted, on a daily
    grid, or on its own weekly, monthly, quarterly or yearly one (its ``freq``, as
    :func:`read_counts` sets it); an irregular grid is refused."""
    idx = pd.DatetimeIndex(df.index)
    if grid_unit(idx) != "day":
        return df.reindex(pd.date_range(idx.min(), idx.max(), freq=idx.freq)), []
    rows: list[dict[str, object]] = []
    if idx.has_duplicates:
        for d in idx[idx.duplicated()].unique():
            rows.append(
                _event(d, "*", "duplicate", "date appears more than once", float((idx == d).sum()))
            )
        df = df[~idx.duplicated(keep="last")]
    df = df.sort_index()
    idx = pd.DatetimeIndex(df.index)
    if len(idx) < 2:
        return df, rows
    steps: np.ndarray = np.diff(idx.normalize().values.astype("datetime64[ns]").astype(np.int64))
    day = int(pd.Timedelta(days=1).value)
    if np.median(steps) > day or (steps % day != 0).any():
        from ._validation import _describe_freq

        raise SeriesValidationError(f"freq must be daily, got {_describe_freq(idx)!r}")
    return df.reindex(pd.date_range(idx[0], idx[-1], freq="D")), rows


def _absent_days_hint(s: pd.Series, name: str, unit: str = "day") -> list[dict[str, object]]:
    """A finding when *s* looks like a list of the days with events only: 60 or more
    counts, none of them 0 and some of 1 or 2, with a fifth or more of the days between
    its first and last absent (UCDP's daily table: 1,537 of 3,997 days absent, every
    listed count at least 1). Absent days are read as missing; they may be zeros."""
    v = s.to_numpy(dtype=float)
    obs = ~np.isnan(v)
    if obs.sum() < 60:
        return []
    x = v[obs]
    inside = np.flatnonzero(obs)
    span = inside[-1] - inside[0] + 1
    absent = span - len(x)
    if (x == 0).any() or x.min() > 2 or absent < 0.2 * span:
        return []
    detail = (
        f"no count of 0 in {len(x)} {unit}s, counts down to {x.min():g}, and {absent} of the "
        f"{span} {unit}s between the first and last absent: a list of the {unit}s with events "
        "only? Their absent days would be zeros: read_counts(..., absent='zero') "
        "(--absent-days zero)"
    )
    return [_event(s.index[inside[0]], name, "absent_days", detail, absent)]


def _gaps(
    s: pd.Series, name: str, known_missing: set[tuple[pd.Timestamp, str]], unit: str = "day"
) -> list[dict[str, object]]:
    """Runs of missing days (or periods: *unit*) inside the observed span that no reader
    finding explains."""
    arr = s.to_numpy(dtype=float)
    missing = np.isnan(arr)
    if not (~missing).any():
        return []
    explained = np.zeros(len(arr), bool)
    if known_missing:
        explained = np.array([(d, name) in known_missing for d in s.index])
    first_valid = np.argmax(~missing)
    last_valid = len(arr) - 1 - np.argmax(~missing[::-1])
    inner = missing & ~explained
    inner[:first_valid] = False
    inner[last_valid + 1 :] = False
    rows = []
    for a, b in _runs(inner):
        detail = f"{b - a + 1} missing {unit}(s) {s.index[a]:%Y-%m-%d} … {s.index[b]:%Y-%m-%d}"
        rows.append(_event(s.index[a], name, "gap", detail, float(b - a + 1)))
    return rows


def _bad_values(
    s: pd.Series, name: str, corrected: set[tuple[pd.Timestamp, Any]], unit: str = "day"
) -> list[dict[str, object]]:
    """Negative counts (other than the reader's corrections), counts that are not whole
    numbers, and impossible jumps (above _IMPOSSIBLE_RATIO × the 29-day median)."""
    arr = s.to_numpy(dtype=float)
    obs = ~np.isnan(arr)
    rows = []
    for d in s.index[obs & (arr < 0)]:
        if (d, name) not in corrected:
            rows.append(_event(d, name, "negative", "negative count", float(s[d])))
    nonint = obs & (np.abs(arr - np.round(arr)) > 1e-9)
    for d in s.index[nonint]:
        rows.append(_event(d, name, "non_integer", "count is not a whole number", float(s[d])))
    med = _rolling_median(s)
    ratio = s / med
    imp = obs & (med.to_numpy() >= 5) & (ratio.to_numpy() > _IMPOSSIBLE_RATIO)
    for d in s.index[imp]:
        detail = f"{s[d]:g} is {ratio[d]:.1f}× the 29-{unit} median {med[d]:g}"
        rows.append(_event(d, name, "impossible", detail, float(s[d])))
    return rows
