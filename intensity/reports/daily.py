"""The daily table from many reports (:func:`engagements_daily`), tables of hand-collected
figures (:func:`reports_from_table`), the whole-day nowcast from partial figures and the
long table of direction counts.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from .model import Report
from .parse import merge_parts

#: the layout of a table of hand-collected figures (one row per statement)
TABLE_COLUMNS = ("day", "window", "hour", "total", "floor")
_TABLE_WINDOWS = ("day", "partial", "24h", "unknown")


def reports_from_table(
    table: Any, *, where: str = "table", measure: str = "engagements"
) -> list[Report]:
    """Reports from a table of figures collected by hand, one row per statement.

    Parameters
    ----------
    table
        A DataFrame (or a CSV path) with the columns ``day`` (the calendar day the figure
        refers to; dotted dates are day-first), ``window`` (``day``: a whole past day;
        ``partial``: the day so far; ``24h``: the 2022–23 18:00 report; ``unknown``),
        ``total``, and optionally ``hour`` (the report time: 16 and 22 name the 16:00
        and 22:00 figures) and ``floor`` (1: "more than N").
    where
        The source named in error messages.
    measure
        What the totals count: ``'engagements'``, or ``'attacks_repelled'`` for the
        General Staff's headline figure before May 2023 ("repelled N attacks"), which
        :func:`engagements_daily` keeps in its own column.

    Returns
    -------
    list of Report
        One per row with a total, for :func:`engagements_daily`.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"day": ["2025-12-01", "2025-12-01"], "window": ["partial", "day"],
    ...                   "hour": [22, 8], "total": [118, 124]})
    >>> d = engagements_daily(reports_from_table(t))
    >>> int(d.loc["2025-12-01", "engagements"]), int(d.loc["2025-12-01", "partial_22"])
    (124, 118)
    """
    import pandas as pd

    from ..exceptions import ParameterError

    if measure not in ("engagements", "attacks_repelled"):
        raise ParameterError(
            f"measure must be 'engagements' or 'attacks_repelled', got {measure!r}"
        )
    if not isinstance(table, pd.DataFrame):
        where = str(table)
        table = _read_figures_csv(table, where)
    days, windows, totals, hours, floors = _table_columns(table, where)
    out = []
    for day, w, tot, hour, fl in zip(days, windows, totals, hours, floors, strict=True):
        if pd.isna(tot) or pd.isna(day):
            continue
        d = pd.Timestamp(day).date()
        slot = "18:00" if w == "24h" else (None if pd.isna(hour) else f"{int(hour):02d}:00")
        out.append(
            Report(
                header_time=None,
                published=None,
                slot=slot,
                covers=d,
                complete=w in ("day", "24h"),
                window=w,
                total=int(tot),
                total_floor=bool(fl),
                measure=measure,
            )
        )
    return out


def _table_columns(table: Any, where: str) -> tuple[Any, Any, Any, Any, Any]:
    """The checked columns of a table of figures: days, windows, totals, hours (NaN when
    absent) and floors (False when absent)."""
    import numpy as np
    import pandas as pd

    from .._dates import parse_date_column
    from ..exceptions import DataFormatError

    table = table.rename(columns=lambda c: str(c).strip().lstrip("\ufeff").strip().lower())
    missing = [c for c in ("day", "window", "total") if c not in table.columns]
    if missing:
        raise DataFormatError(
            f"{where}: a table of figures needs the columns day, window and total "
            f"(optional: hour, floor), missing {missing}"
        )
    if table.empty:
        raise DataFormatError(f"{where}: the table of figures has no rows")
    table = table.astype(object).where(table.notna(), "")
    days = parse_date_column(table["day"].astype(str), where=where, column="day")
    windows = table["window"].astype(str).str.strip().str.lower()
    bad = sorted(set(windows) - set(_TABLE_WINDOWS))
    if bad:
        raise DataFormatError(
            f"{where}: window must be one of {list(_TABLE_WINDOWS)}, got {bad[:3]}"
        )
    totals = _table_totals(table["total"], where)
    hours = pd.Series(np.nan, index=table.index)
    if "hour" in table.columns:
        hours = _table_hours(table["hour"], where)
    floors = pd.Series(False, index=table.index)
    if "floor" in table.columns:
        floors = _table_floors(table["floor"], where)
    return days, windows, totals, hours, floors


#: the largest total a table may give (the analyses take counts up to 10⁹ a day)
_MAX_TOTAL = 10**9
_TRUE = ("1", "true", "yes", "y", "t", "x", "так", "да")
_FALSE = ("", "0", "false", "no", "n", "f", "ні", "нет")


def _read_figures_csv(path: Any, where: str) -> Any:
    """A figures table from a CSV file, through the package's own checks (regular file,
    size, UTF-8 with or without a byte-order mark, a header and rows)."""
    from io import StringIO
    from pathlib import Path

    from ..exceptions import DataFormatError
    from ..io import _read_text, read_csv_strict

    text = _read_text(Path(path))
    try:
        table = read_csv_strict(StringIO(text), where, keep_default_na=False)
    except DataFormatError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes our error
        raise DataFormatError(f"{where}: cannot be parsed as CSV ({exc})") from None
    return table


def _table_totals(col: Any, where: str) -> Any:
    """The ``total`` column: whole numbers from 0 to 10⁹, or empty."""
    import pandas as pd

    from ..exceptions import DataFormatError

    text = col.astype(str).str.strip()
    totals = pd.to_numeric(text.where(text != "", None), errors="coerce").astype(float)
    wrong = (text != "") & ~text.str.fullmatch(r"\+?\d+(\.0+)?")
    if wrong.any():
        raise DataFormatError(
            f"{where}: total must be a whole number >= 0 or empty, got {text[wrong].iloc[0]!r}"
        )
    if (totals.dropna() > _MAX_TOTAL).any():
        raise DataFormatError(
            f"{where}: total must be at most {_MAX_TOTAL:,}, got {totals.max():.0f}"
        )
    return totals


def _table_hours(col: Any, where: str) -> Any:
    """The ``hour`` column: ``22``, ``22:00``, ``22.00``, ``22h`` or ``7:30`` (the hour is
    kept), or empty; 0 to 23."""
    import numpy as np
    import pandas as pd

    from ..exceptions import DataFormatError

    text = col.astype(str).str.strip().str.lower()
    m = text.str.extract(r"^(\d{1,2})(?:(?:[:.h]\d{2})|h)?$")[0]
    wrong = (text != "") & m.isna()
    hours = pd.to_numeric(m, errors="coerce").astype(float)
    wrong |= hours > 23
    if wrong.any():
        raise DataFormatError(
            f"{where}: hour must be a time of day such as 22 or 22:00, or empty, "
            f"got {text[wrong].iloc[0]!r}"
        )
    return hours.where(text != "", np.nan)


def _table_floors(col: Any, where: str) -> Any:
    """The ``floor`` column ("more than N"): 1/true/yes/так as true, 0/false/no/empty as
    false; anything else is an error, never silently false."""
    from ..exceptions import DataFormatError

    text = col.astype(str).str.strip().str.lower()
    wrong = ~text.isin(_TRUE + _FALSE)
    if wrong.any():
        raise DataFormatError(
            f"{where}: floor must be 1/true/yes or 0/false/no/empty, got {text[wrong].iloc[0]!r}"
        )
    return text.isin(_TRUE)


def _as_reports(reports: Any) -> list[Report]:
    import pandas as pd

    if isinstance(reports, pd.DataFrame) and "report" not in reports.columns:
        if {"day", "window", "total"} <= set(reports.columns):
            return reports_from_table(reports)
    if isinstance(reports, pd.DataFrame):
        if "report" not in reports.columns:
            from ..exceptions import SeriesValidationError

            raise SeriesValidationError(
                "a DataFrame of reports needs a 'report' column (see read_telegram_export)"
            )
        reports = reports["report"].tolist()
    from ..exceptions import ParameterError

    if isinstance(reports, (str, bytes)) or not hasattr(reports, "__iter__"):
        raise ParameterError(
            "reports must be parsed reports (a list of parse_report results or a table of "
            f"them), got {type(reports).__name__}"
        )
    items = list(reports)
    # None is parse_report's answer for a text that is no report: skipped, as before
    odd = [r for r in items if r is not None and not isinstance(r, Report)]
    if odd:
        hint = " (parse the texts first: [parse_report(t) for t in texts])"
        raise ParameterError(
            f"reports must be Report objects or None, got {type(odd[0]).__name__}"
            + (hint if isinstance(odd[0], str) else "")
        )
    return merge_parts([r for r in items if r is not None])


def _plausible_days() -> tuple[date, date]:
    """Covered days a report can have: from 2014 (the war's start) to tomorrow."""
    return date(2014, 1, 1), date.today() + timedelta(days=1)


def engagements_daily(reports: Any, *, nowcast_by: str | None = None, periods: Any = None) -> Any:
    """Daily engagement series from many parsed reports.

    Parameters
    ----------
    reports
        Iterable of :class:`Report`, the DataFrame of :func:`read_telegram_export`, or a
        table of hand-collected figures (see :func:`reports_from_table`).
    nowcast_by
        ``None`` (default): one whole-day ratio per partial slot; ``'year'`` or
        ``'quarter'``: a ratio per period where it has enough days, the pooled one
        elsewhere (see :func:`nowcast_ratios`).
    periods
        Period figures of the same count (monthly totals, means per day, single days: a
        table as :func:`~intensity.reports.periods.read_period_figures` reads, or its
        path) to check the whole-day series against
        (:func:`~intensity.reports.periods.check_period_figures`): the checks are in
        ``attrs['period_checks']``, each contradicted figure a
        ``period_figure_mismatch`` finding.

    Returns
    -------
    pd.DataFrame
        Daily ``DatetimeIndex`` (``freq='D'``) from the first to the last covered day:

        * ``engagements`` — the complete-day total (from the wrap-up covering the day, or
          the 24-hour count of the 2022–2023 regime); NaN where no complete figure exists;
        * ``total_slot`` — the slot that supplied it, ``total_floor`` — it was "over N";
        * ``partial_16``, ``partial_22``, ``partial_other`` — same-day figures of the 16:00
          and 22:00 reports and of texts without a slot ("since morning"), never mixed
          into ``engagements``; totals whose window the text does not give are left out
          (with a warning);
        * ``stated_change`` — the change the 22:00/08:00 text states against the previous
          report of its slot, and ``change_consistent`` — whether the figures agree;
        * ``attacks_repelled`` — the headline figure "repelled N attacks" of the reports
          before May 2023, a different measure kept apart;
        * ``n_reports``;
        * ``engagements_estimated`` with ``estimate_lower``/``estimate_upper`` and
          ``estimated``: the whole-day total, or on days with only partial figures the
          one whose ratio is best known times its whole-day ratio, with a 95% prediction
          interval (see :func:`nowcast_ratios`; never below the day's largest partial
          figure; NaN where too few days have both figures).

        ``attrs['nowcast']`` holds the ratios (:func:`nowcast_ratios`).

        ``attrs['quality']`` lists days with only partial figures (``partial_day``),
        inconsistent stated changes, parser warnings, and reports whose covered day lies
        before 2014 or after tomorrow (``implausible_date``: a typo, left out of the rows).
        Days without any report are NaN rows.

    Examples
    --------
    >>> from intensity import engagements_daily, parse_report
    >>> texts = [
    ...     "Станом на 22.00 14.12.2024 відбулося 190 бойових зіткнень.",
    ...     "Оперативна інформація станом на 08.00 15.12.2024. Загалом протягом минулої "
    ...     "доби зафіксовано 251 бойове зіткнення.",
    ... ]
    >>> daily = engagements_daily([parse_report(t) for t in texts])
    >>> daily.loc["2024-12-14", ["engagements", "partial_22"]].tolist()
    [251, 190]
    """
    import numpy as np
    import pandas as pd

    from ..io import _quality_frame, _quality_records

    reps = sorted(_as_reports(reports), key=lambda r: r.header_time or r.published or datetime.min)
    reps = [r for r in reps if r.covers is not None]
    plausible, events = _plausible(reps)
    reps = plausible
    if not reps:
        from ..exceptions import InsufficientDataError

        raise InsufficientDataError(
            "no report with a plausible covered day to build a series from"
            + (f" ({len(events)} outside the plausible range)" if events else "")
        )
    covered = [r.covers for r in reps if r.covers is not None]
    days = pd.date_range(min(covered), max(covered), freq="D", name="date")
    rec: dict[date, dict[str, Any]] = {
        d.date(): {
            "engagements": np.nan,
            "partial_16": np.nan,
            "partial_22": np.nan,
            "partial_other": np.nan,
            "stated_change": np.nan,
            "attacks_repelled": np.nan,
            "total_slot": None,
            "total_floor": False,
            "change_consistent": None,
            "n_reports": 0,
        }
        for d in days
    }
    last_by_slot: dict[str, tuple[date, int]] = {}
    whole: dict[date, list[Report]] = {}
    for r in reps:
        if r.covers is not None:
            events += _enter_report(rec[r.covers], r, last_by_slot, whole)
    for day, cands in whole.items():
        events.extend(_choose_whole_day(rec[day], cands, pd.Timestamp(day)))
    df = pd.DataFrame.from_dict(rec, orient="index")
    df.index = days
    for day, row in rec.items():
        events += _day_checks(row, pd.Timestamp(day))
    if periods is not None:
        events += _period_checks(df, periods)
    df.attrs["quality"] = _quality_records(_quality_frame(events))
    ratios = nowcast_ratios(df, by=nowcast_by)
    df = _add_nowcast(df, ratios)
    df.attrs["nowcast"] = ratios
    return df


def _period_checks(df: Any, periods: Any) -> list[dict[str, Any]]:
    """Check *df*'s whole-day series against the period figures (a table or its path):
    the checks go to ``attrs['period_checks']``, the contradicted figures are returned as
    findings."""
    import pandas as pd

    from .periods import check_period_figures, period_findings, read_period_figures

    table = periods if isinstance(periods, pd.DataFrame) else read_period_figures(periods)
    checks = check_period_figures(df["engagements"].astype(float), table)
    df.attrs["period_checks"] = checks
    return period_findings(checks)


def _plausible(reps: list[Report]) -> tuple[list[Report], list[dict[str, Any]]]:
    """The reports whose covered day lies in the plausible range, and a finding for each
    one left out."""
    import numpy as np
    import pandas as pd

    lo, hi = _plausible_days()
    plausible, events = [], []
    for r in reps:
        assert r.covers is not None
        if lo <= r.covers <= hi:
            plausible.append(r)
            continue
        detail = (
            f"a report said to cover {r.covers:%Y-%m-%d}, outside "
            f"{lo:%Y-%m-%d} … {hi:%Y-%m-%d}; left out"
        )
        ts = pd.Timestamp(min(max(r.covers, lo), hi))
        events.append(_event(ts, "implausible_date", detail, np.nan))
    return plausible, events


def _event(ts: Any, kind: str, detail: str, value: float) -> dict[str, Any]:
    """A quality finding of the engagement series."""
    return {"date": ts, "metric": "engagements", "kind": kind, "detail": detail, "value": value}


def _enter_report(
    row: dict[str, Any],
    r: Report,
    last_by_slot: dict[str, tuple[date, int]],
    whole: dict[date, list[Report]],
) -> list[dict[str, Any]]:
    """Enter one report into its covered day's *row*: a whole-day figure as a candidate
    (in *whole*, chosen later), a partial one in its slot's column, the stated change
    checked against the same slot's figure the day before. Returns its findings."""
    import numpy as np
    import pandas as pd

    assert r.covers is not None
    day, ts = r.covers, pd.Timestamp(r.covers)
    row["n_reports"] += 1
    events = [_event(ts, "parser_warning", w, np.nan) for w in r.warnings]
    if r.total is None:
        return events
    if r.measure != "engagements":
        row["attacks_repelled"] = r.total  # its own measure: never an engagement count
        return events
    if r.complete:
        whole.setdefault(day, []).append(r)  # chosen below, whatever the order
    elif r.window != "partial":
        return events  # 'unknown' or 'night': kept out of every column (see the warnings)
    else:
        col = _PARTIAL_SLOT_COLUMNS.get(r.slot or "", "partial_other")
        # the day so far only grows: of two figures for one slot the larger is the later
        row[col] = r.total if np.isnan(row[col]) else max(row[col], r.total)
    key = r.slot or r.window
    if r.change is not None:
        row["stated_change"] = r.change
        prev = last_by_slot.get(key)
        if prev is not None and (day - prev[0]).days == 1:
            ok = (r.total - prev[1]) == r.change
            row["change_consistent"] = ok
            if not ok:
                detail = (
                    f"stated {r.change:+d} against the previous {key} report, "
                    f"figures give {r.total - prev[1]:+d}"
                )
                events.append(_event(ts, "change_mismatch", detail, r.change))
    last_by_slot[key] = (day, r.total)
    return events


def _day_checks(row: dict[str, Any], ts: Any) -> list[dict[str, Any]]:
    """A day's findings: only a partial figure, or a partial figure above the whole day."""
    import numpy as np

    events = []
    partials = ("partial_16", "partial_22", "partial_other")
    if np.isnan(row["engagements"]) and not all(np.isnan(row[c]) for c in partials):
        events.append(_event(ts, "partial_day", "only a partial-day figure was reported", np.nan))
    for col, what in (
        ("partial_22", "the 22:00 figure"),
        ("partial_16", "the 16:00 figure"),
        ("partial_other", "a day-so-far figure"),
    ):
        if row[col] > row["engagements"]:  # the day so far cannot exceed the whole day
            detail = f"{what} is above the day's whole-day total"
            events.append(_event(ts, "partial_exceeds_total", detail, row[col]))
    return events


def _whole_day_rank(r: Report) -> tuple[Any, ...]:
    """Which of a day's whole-day figures is the day's count, independent of the order in
    which they come: the calendar-day wrap-up (08:00, or window ``day``) before the
    2022–23 24-hour report; an exact figure before an "over N"; then the later report;
    then the larger figure."""
    wrap_up = r.slot == "08:00" or r.window == "day"
    when = r.header_time or r.published or datetime.min
    if when.tzinfo is not None:
        when = when.replace(tzinfo=None)
    return (wrap_up, not r.total_floor, when, r.slot or "", r.total or 0)


def _choose_whole_day(row: dict[str, Any], cands: list[Report], ts: Any) -> list[dict[str, Any]]:
    """Set *row*'s whole-day count from *cands*; a finding when they disagree."""
    best = max(cands, key=_whole_day_rank)
    row["engagements"] = best.total
    row["total_slot"] = best.slot or best.window
    row["total_floor"] = best.total_floor
    values = sorted({(c.total, c.slot or c.window) for c in cands if c.total is not None})
    if len({v for v, _ in values}) < 2:
        return []
    said = ", ".join(f"{v} ({w})" for v, w in values)
    return [
        {
            "date": ts,
            "metric": "engagements",
            "kind": "conflicting_totals",
            "detail": f"whole-day figures disagree: {said}; kept {best.total} "
            f"({best.slot or best.window})",
            "value": float(best.total or 0),
        }
    ]


#: the column of a day-so-far figure by its report's slot (the rest: ``partial_other``)
_PARTIAL_SLOT_COLUMNS = {
    "16:00": "partial_16",
    "21:00": "partial_22",
    "22:00": "partial_22",
    "23:00": "partial_22",
}


#: the fewest days with both a whole-day and a partial figure a ratio is estimated from
MIN_NOWCAST_PAIRS = 3
_PARTIAL_COLUMNS = {"22:00": "partial_22", "16:00": "partial_16", "other": "partial_other"}


def _ratio_row(lr: Any, level: float) -> dict[str, float]:
    """Geometric-mean ratio and one-day prediction factors from log-ratios *lr*."""
    import numpy as np
    from scipy import stats

    n = len(lr)
    row = {
        "n_pairs": n,
        "ratio": np.nan,
        "ratio_lower": np.nan,
        "ratio_upper": np.nan,
        "sd_log": np.nan,
    }
    if n >= MIN_NOWCAST_PAIRS:
        m, sd = float(np.mean(lr)), float(np.std(lr, ddof=1))
        if sd > 0:
            h = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd * np.sqrt(1 + 1 / n)
            row.update(
                ratio=np.exp(m), ratio_lower=np.exp(m - h), ratio_upper=np.exp(m + h), sd_log=sd
            )
    return row


def nowcast_ratios(daily: Any, level: float = 0.95, by: str | None = None) -> Any:
    """The ratio of the whole-day count to each partial figure, from the days with both.

    For each partial column (22:00, 16:00, other) of :func:`engagements_daily`: the number
    of days with both figures (exact whole-day totals only), the geometric-mean ratio
    whole / partial and the prediction factors for one new day,
    ``exp(mean ± t(n-1) · sd · sqrt(1 + 1/n))`` of the log-ratios. With fewer than
    ``MIN_NOWCAST_PAIRS`` days, or no spread among them, the row is NaN: no estimate is
    better than one with a zero-width interval.

    Parameters
    ----------
    daily
        The table of :func:`engagements_daily`.
    level
        Prediction level.
    by
        ``None``: one ratio per slot over all days; ``'year'`` or ``'quarter'``: also one
        per period (the share of the day reported by 16:00 or 22:00 drifts as the
        fighting changes), each with its own spread.

    Returns
    -------
    pd.DataFrame
        Index ``slot`` (with *by*: ``slot`` and ``period``, ``'all'`` for the pooled row);
        columns ``n_pairs``, ``ratio``, ``ratio_lower``, ``ratio_upper``, ``sd_log``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from intensity.reports import nowcast_ratios
    >>> days = pd.date_range("2025-01-01", periods=40, name="date")
    >>> late = np.arange(40) % 7 * 5 + 150
    >>> daily = pd.DataFrame({"engagements": late + 40, "partial_22": late,
    ...                       "partial_16": np.nan, "partial_other": np.nan,
    ...                       "total_floor": False}, index=days)
    >>> t = nowcast_ratios(daily)
    >>> t.loc["22:00", ["n_pairs", "ratio"]].round(2).tolist()
    [40.0, 1.24]
    """
    import numpy as np
    import pandas as pd

    from .._validation import check_choice

    check_choice("by", by, (None, "year", "quarter"))
    rows = []
    whole = daily["engagements"].where(~daily["total_floor"].astype(bool))
    periods = _periods(daily.index, by) if by else None
    for slot, col in _PARTIAL_COLUMNS.items():
        part = daily[col]
        ok = (whole.notna() & part.notna() & (part > 0) & (whole > 0)).to_numpy()
        lr = np.log(whole.to_numpy(float)[ok] / part.to_numpy(float)[ok])
        rows.append({"slot": slot, "period": "all", **_ratio_row(lr, level)})
        if periods is not None:
            per = periods[ok]
            for p in sorted(set(periods)):
                rows.append({"slot": slot, "period": p, **_ratio_row(lr[per == p], level)})
    out = pd.DataFrame(rows)
    out = out.set_index(["slot", "period"]) if by else out.drop(columns="period").set_index("slot")
    out.attrs["by"] = by
    return out


def _periods(index: Any, by: str) -> Any:
    """Period labels of a daily index ('2025', '2025Q4')."""
    import numpy as np

    if by == "year":
        return np.array([str(y) for y in index.year])
    return np.array([f"{y}Q{q}" for y, q in zip(index.year, index.quarter, strict=True)])


def _add_nowcast(daily: Any, ratios: Any) -> Any:
    """``engagements_estimated`` (the whole-day total, or where only partial figures exist
    the partial one whose ratio is best known times that ratio), its prediction interval
    and ``estimated``. Ratios by period (a (slot, period) index) are used where the
    day's period has one, the pooled ratio elsewhere."""
    import numpy as np

    out = daily.copy()
    n = len(out)
    by_period = ratios.index.nlevels == 2
    # the day so far is a floor of the whole day: no estimate or bound below it
    floor = out[list(_PARTIAL_COLUMNS.values())].max(axis=1, skipna=True).to_numpy(float)
    cands = []
    for slot, col in _PARTIAL_COLUMNS.items():
        cols = {}
        pooled = ratios.loc[(slot, "all")] if by_period else ratios.loc[slot]
        for c in ("ratio", "ratio_lower", "ratio_upper"):
            cols[c] = np.full(n, float(pooled[c]))
        if by_period:
            per = _periods(out.index, ratios.attrs["by"])
            for (s, p), r in ratios.iterrows():
                if s == slot and p != "all" and np.isfinite(r["ratio"]):
                    for c in cols:
                        cols[c][per == p] = r[c]
        part = out[col].to_numpy(float)
        width = np.log(cols["ratio_upper"] / cols["ratio_lower"])
        width[~np.isfinite(part) | ~np.isfinite(width)] = np.inf
        cands.append((width, part, cols))
    widths = np.vstack([c[0] for c in cands])
    best = np.argmin(widths, axis=0)  # the partial figure with the narrowest interval
    est = out["engagements"].to_numpy(float).copy()
    lo, hi = est.copy(), est.copy()
    flag = np.isnan(est) & np.isfinite(widths.min(axis=0))
    for k, (_, part, cols) in enumerate(cands):
        use = flag & (best == k)
        est[use] = np.maximum(part[use] * cols["ratio"][use], floor[use])
        lo[use] = np.maximum(part[use] * cols["ratio_lower"][use], floor[use])
        hi[use] = np.maximum(part[use] * cols["ratio_upper"][use], floor[use])
    out["engagements_estimated"] = est
    out["estimate_lower"] = lo
    out["estimate_upper"] = hi
    out["estimated"] = flag
    return out


def direction_counts(reports: Any) -> Any:
    """Per-direction counts as a long table: date (covered day), slot, complete, direction
    (canonical id, or None), name (as written), attacks, ongoing, shared, group.

    Examples
    --------
    >>> from intensity import direction_counts, parse_report
    >>> r = parse_report("Станом на 22.00 14.12.2024 відбулося 190 бойових зіткнень. "
    ...                  "На Покровському напрямку ворог 36 разів атакував наші позиції.")
    >>> direction_counts([r])[["direction", "attacks"]].values.tolist()
    [['pokrovsk', 36]]
    """
    import pandas as pd

    rows = []
    for r in _as_reports(reports):
        for dc in r.directions:
            rows.append(
                {
                    "date": pd.Timestamp(r.covers) if r.covers else pd.NaT,
                    "slot": r.slot,
                    "complete": r.complete,
                    "direction": dc.direction,
                    "name": dc.name,
                    "attacks": dc.attacks,
                    "ongoing": dc.ongoing,
                    "shared": dc.shared,
                    "group": " + ".join(dc.group),
                }
            )
    cols = [
        "date",
        "slot",
        "complete",
        "direction",
        "name",
        "attacks",
        "ongoing",
        "shared",
        "group",
    ]
    out = pd.DataFrame(rows, columns=cols)
    # the same column types without a single direction count (an export of headlines
    # only): object columns made `intensity import-telegram` fail on them, an internal
    # error ("KeyError: 'direction'", then "Can only use .dt accessor")
    return out.astype({"date": "datetime64[ns]", "complete": bool})


# =========================================================================== Telegram
