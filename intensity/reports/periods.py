"""Period figures of the engagement count (monthly totals, means per day, single days) as
checks of a daily series (issue 25).

The General Staff's count also reaches the public as aggregates: "5,990 combat engagements
in November", "on average 201 a day in December", "the highest day of the month, 311".
:func:`read_period_figures` reads a table of them (the layout of
``gs_engagement_aggregates``); :func:`check_period_figures` tests a daily series against
each whole-front figure: a fully observed period must sum to its total, the observed days
of a partly observed one must not already exceed it, and a stated day must equal the
series on that day. What contradicts a figure becomes a ``period_figure_mismatch``
quality finding; :func:`~intensity.reports.engagements_daily` takes the figures
(``periods=``) and adds its findings.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataFormatError

#: the columns a table of period figures needs (the others are kept as they are)
PERIOD_COLUMNS = ("period_start", "period_end", "stat", "value")
#: the statistics a daily series can be checked against
CHECKED_STATS = ("total", "mean_per_day", "day")
#: the slack of a stated total or mean: published monthly sums of the daily reports are
#: exact, but a rewrite can round ("almost 6,000"): 0.5% of the total, at least 1
TOTAL_SLACK = 0.005


def read_period_figures(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A table of period figures: one row per figure with ``period_start``,
    ``period_end`` (inclusive days), ``stat`` (``total``, ``mean_per_day``, ``day``, or
    another that is kept but not checked), ``value``, and optionally ``direction``
    (``all`` = the whole front), ``floor`` (1: "at least / about") and ``publisher``.

    Raises
    ------
    DataFormatError
        A needed column is missing, a date or value is not one, or a period ends before
        it starts (the row is named).

    Examples
    --------
    >>> import io
    >>> t = read_period_figures(io.StringIO(
    ...     "period_start,period_end,stat,value\\n2025-11-01,2025-11-30,total,5990\\n"))
    >>> int(t.loc[0, "days"])
    30
    """
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"{path}: not a table of period figures ({exc})") from None
    missing = [c for c in PERIOD_COLUMNS if c not in raw.columns]
    if missing:
        raise DataFormatError(
            f"{path}: a table of period figures needs the columns {list(PERIOD_COLUMNS)}; "
            f"missing {missing}, found {list(raw.columns)[:10]}"
        )
    out = raw.copy()
    for col in ("period_start", "period_end"):
        out[col] = pd.to_datetime(raw[col].str.strip(), format="%Y-%m-%d", errors="coerce")
    out["value"] = pd.to_numeric(raw["value"].str.replace(",", "").str.strip(), errors="coerce")
    bad = out[out[["period_start", "period_end", "value"]].isna().any(axis=1)]
    if len(bad):
        row = bad.index[0]
        raise DataFormatError(
            f"{path}: row {row + 2} needs dates (YYYY-MM-DD) and a number, got "
            f"{raw.loc[row, 'period_start']!r}, {raw.loc[row, 'period_end']!r}, "
            f"{raw.loc[row, 'value']!r}"
        )
    backwards = out[out["period_end"] < out["period_start"]]
    if len(backwards):
        row = backwards.index[0]
        raise DataFormatError(f"{path}: row {row + 2} ends before it starts")
    out["stat"] = out["stat"].str.strip().str.lower()
    out["direction"] = (
        out["direction"].str.strip().replace("", "all") if "direction" in out else "all"
    )
    floor = out["floor"] if "floor" in out else pd.Series("0", index=out.index)
    out["floor"] = floor.str.strip().str.lower().isin(("1", "true", "yes"))
    out["days"] = (out["period_end"] - out["period_start"]).dt.days + 1
    return out


def check_period_figures(daily: pd.Series, figures: pd.DataFrame) -> pd.DataFrame:
    """Check a daily whole-day series against period figures.

    Parameters
    ----------
    daily
        Whole-day counts on a daily index (NaN: no figure that day), e.g.
        ``engagements_daily(...)["engagements"]``.
    figures
        :func:`read_period_figures`' table.

    Returns
    -------
    pd.DataFrame
        One row per figure: the figure's columns, ``observed_days`` and ``observed_sum``
        of the series in the period, ``implied_missing_mean`` (what the days without a
        figure must average for the total to hold), ``status`` (``consistent``,
        ``contradicts``, ``cannot tell`` or ``not checked``) and ``detail``.
        A total: a fully observed period must sum to it (within 0.5%; a floor: at least
        it), a partly observed one must not already exceed it. A mean per day is a
        total of mean x days with the rounding of a whole mean. A day must equal the
        series on that day. Figures for one direction, and other statistics, are not
        checked (the series is the whole front's).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(200.0, index=pd.date_range("2025-11-01", "2025-11-30"))
    >>> f = pd.DataFrame({"period_start": [pd.Timestamp("2025-11-01")],
    ...                   "period_end": [pd.Timestamp("2025-11-30")], "stat": ["total"],
    ...                   "value": [6500.0], "direction": ["all"], "floor": [False],
    ...                   "days": [30]})
    >>> check_period_figures(s, f).loc[0, "status"]
    'contradicts'
    """
    s = pd.Series(daily, dtype=float)
    rows = [
        _check_one(s, {str(k): v for k, v in fig.items()}) for fig in figures.to_dict("records")
    ]
    extra = ["observed_days", "observed_sum", "implied_missing_mean", "status", "detail"]
    return pd.concat([figures.reset_index(drop=True), pd.DataFrame(rows, columns=extra)], axis=1)


def _check_one(s: pd.Series, fig: dict[str, Any]) -> dict[str, Any]:
    start, end, stat = fig["period_start"], fig["period_end"], fig["stat"]
    value, floor = float(fig["value"]), bool(fig.get("floor", False))
    part = s.loc[start:end]
    n_obs = int(part.notna().sum())
    total = float(part.sum()) if n_obs else 0.0
    days = int(fig.get("days") or (end - start).days + 1)
    out = {"observed_days": n_obs, "observed_sum": total if n_obs else np.nan}
    out["implied_missing_mean"] = np.nan
    if str(fig.get("direction", "all")).lower() != "all" or stat not in CHECKED_STATS:
        what = "a direction's figure" if stat in CHECKED_STATS else f"stat {stat!r}"
        return {**out, "status": "not checked", "detail": f"{what}: not a whole-front count"}
    if stat == "day":
        return {**out, **_check_day(part, value, floor)}
    stated = value * days if stat == "mean_per_day" else value
    # a mean is stated as a whole number (or to one decimal): its total is known to half
    # a unit per day
    slack = 0.5 * days if stat == "mean_per_day" else max(1.0, TOTAL_SLACK * value)
    if n_obs < days:
        out["implied_missing_mean"] = (stated - total) / (days - n_obs)
    return {**out, **_check_total(total, n_obs, days, stated, slack, floor)}


def _check_day(part: pd.Series, value: float, floor: bool) -> dict[str, str]:
    if part.notna().sum() == 0:
        return {"status": "cannot tell", "detail": "the series has no figure for that day"}
    got = float(part.dropna().iloc[0])
    ok = got >= value if floor else abs(got - value) < 0.5
    rel = "at least " if floor else ""
    if ok:
        return {"status": "consistent", "detail": f"the series has {got:g} ({rel}{value:g})"}
    return {
        "status": "contradicts",
        "detail": f"the series has {got:g} on the day stated as {rel}{value:g}",
    }


def _check_total(
    total: float, n_obs: int, days: int, stated: float, slack: float, floor: bool
) -> dict[str, str]:
    if n_obs == days:
        ok = total >= stated - slack if floor else abs(total - stated) <= slack
        if ok:
            return {"status": "consistent", "detail": f"every day observed: sum {total:g}"}
        return {
            "status": "contradicts",
            "detail": f"every day observed, sum {total:g} against {stated:g} stated "
            f"({total - stated:+g})",
        }
    if not floor and total > stated + slack:
        return {
            "status": "contradicts",
            "detail": f"the {n_obs} observed day(s) alone sum to {total:g}, more than the "
            f"{stated:g} stated for {days} days",
        }
    mean = (stated - total) / (days - n_obs)
    return {
        "status": "cannot tell",
        "detail": f"{n_obs} of {days} days observed (sum {total:g}); the other days must "
        f"average {mean:.1f} for the figure to hold",
    }


def period_findings(checks: pd.DataFrame, metric: str = "engagements") -> list[dict[str, Any]]:
    """The contradicted figures as quality findings (kind ``period_figure_mismatch``,
    dated at the period's end)."""
    out = []
    for rec in checks[checks["status"] == "contradicts"].to_dict("records"):
        r = {str(k): v for k, v in rec.items()}
        who = f" ({r['publisher']})" if r.get("publisher") else ""
        out.append(
            {
                "date": pd.Timestamp(r["period_end"]),
                "metric": metric,
                "kind": "period_figure_mismatch",
                "detail": f"{r['stat']} {r['value']:g} for {r['period_start']:%Y-%m-%d} … "
                f"{r['period_end']:%Y-%m-%d}{who}: {r['detail']}",
                "value": float(r["value"]),
            }
        )
    return out
