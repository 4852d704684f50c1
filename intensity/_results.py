"""Shared behaviour of result objects: text and HTML forms built from ``summary()``."""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

__all__ = ["ResultMixin", "excess_text", "exp_or_inf", "reaches_far_dates"]


def exp_or_inf(x: float) -> float:
    """``exp(x)``, and ``inf`` beyond the largest float (an interval bound on a degenerate
    fit: a size estimate near 0 gives a log-scale se in the hundreds), where ``math.exp``
    raises OverflowError."""
    return math.exp(x) if x < 709.78 else math.inf


def reaches_far_dates(refound: Any, ci: float) -> bool:
    """Whether a drift-model break's date interval reaches far dates: its
    ``date_refound`` (the share of the series simulated with it that re-find its date)
    is below the interval's level *ci*, so the shortest run holding *ci* of the dates
    runs to where a drift burst outdid the shift. False without a ``date_refound``."""
    return refound is not None and bool(pd.notna(refound)) and float(refound) < ci


class ResultMixin:
    """Mixin for frozen result dataclasses.

    Subclasses implement :meth:`summary` (a DataFrame), :meth:`_title` and
    :meth:`_notes`; text and HTML forms are built from them.
    """

    def summary(self) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def _title(self) -> str:  # pragma: no cover - abstract
        return type(self).__name__

    def _notes(self) -> list[str]:
        return []

    def __str__(self) -> str:
        table = self.summary()
        with pd.option_context(
            "display.width", 120, "display.max_columns", 30, "display.max_rows", 60
        ):
            body = table.to_string() if len(table) else "(empty)"
        lines = [self._title(), "=" * len(self._title()), body]
        lines += [f"- {n}" for n in self._notes()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self._title()}>"

    def _repr_html_(self) -> str:
        table = self.summary()
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self._notes())
        return (
            f"<div><strong>{html.escape(self._title())}</strong>"
            f"{table.to_html(float_format=lambda v: f'{v:.4g}')}"
            + (f"<ul>{notes}</ul>" if notes else "")
            + "</div>"
        )

    def plot(self, ax: Any = None, **kw: Any) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError


def set_aside_words(days: Any, fit: str = "under a first fit") -> str:
    """``'2 period(s) set aside as gross outliers (beyond NB tail probability 1e-6 under
    a first fit): 2022-03-03, 2022-03-15'``: the note of a fit that left *days* out
    (at most five named); *fit* says which fit they were beyond."""
    named = ", ".join(f"{d:%Y-%m-%d}" for d in days[:5])
    more = f" and {len(days) - 5} more" if len(days) > 5 else ""
    return (
        f"{len(days)} period(s) set aside as gross outliers (beyond NB tail probability "
        f"1e-6 {fit}): {named}{more}"
    )


def excess_text(row: Any, baseline: str) -> str:
    """``'+13% [2, 25]'``: a season's excess over *baseline* (``'level'`` or
    ``'seasonal'``) with its interval, from a row of :func:`seasonal_excess`'s table (or
    of a table with the same columns, e.g. the reconstruction's ``excess_on_draws``);
    ``'–'`` when it was not computed. Every page, figure and sentence that shows an excess
    writes it with this.

    Examples
    --------
    >>> excess_text({"excess_level_pct": 12.8, "excess_level_ci_lower": 2.2,
    ...              "excess_level_ci_upper": 24.6}, "level")
    '+13% [2, 25]'
    """
    short = excess_short(row, baseline)
    if short == "–":
        return short
    lo, hi = row[f"excess_{baseline}_ci_lower"], row[f"excess_{baseline}_ci_upper"]
    return f"{short} [{lo:.0f}, {hi:.0f}]"


def excess_short(row: Any, baseline: str) -> str:
    """``'+13%'``: the estimate alone of :func:`excess_text` (the figures' season bars),
    ``'–'`` when it was not computed or cannot be (a season without any count against
    an expectation of none read "+nan%").

    Examples
    --------
    >>> excess_short({"excess_level_pct": 12.8}, "level"), excess_short({}, "seasonal")
    ('+13%', '–')
    """
    v = row.get(f"excess_{baseline}_pct", math.nan)
    if not isinstance(v, (int, float)) or not math.isfinite(v):
        return "–"
    return f"{v:+.0f}%"
