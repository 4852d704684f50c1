"""Parsing the General Staff's operational reports into engagement counts.

:func:`parse_report` reads one report — Ukrainian original, official English, or the usual
English press rendering — and returns a frozen :class:`Report`: its time stamp and slot,
the day it covers and whether that day is complete, the national total of combat
engagements (exact or a floor), the stated change against the previous report, and the
per-direction counts (attacks, still ongoing, paired directions). Text that is not an
operational report gives ``None``; a report whose total cannot be read keeps the total
missing with a warning naming the sentence — a number is never guessed.

Slots (Kyiv time): 08:00 wrap-up covers the whole previous day; 16:00 and 22:00 the same
day so far; in 2022–2023 the 18:00 post gave a 24-hour count not aligned to the calendar
day (``window='24h'``), the 06:00 post the night. Header dates more than 12 hours away from
the publication time are typos: corrected to the nearest plausible date and flagged.

The subpackage is organised by concern, each piece testable on its own:
:mod:`~intensity.reports.numbers` (numbers and number words),
:mod:`~intensity.reports.text` (normalisation, language, sentences),
:mod:`~intensity.reports.patterns` (the vocabulary as regular expressions),
:mod:`~intensity.reports.dates` (header, publication time, named days, slots),
:mod:`~intensity.reports.totals` (the national total),
:mod:`~intensity.reports.directions` (per-direction counts),
:mod:`~intensity.reports.parse` (one report), :mod:`~intensity.reports.daily` (the daily
table, hand-collected figures, the nowcast), :mod:`~intensity.reports.periods` (monthly
totals, means and peak days as checks) and :mod:`~intensity.reports.telegram`.
"""

from __future__ import annotations

from .daily import (
    MIN_NOWCAST_PAIRS,
    TABLE_COLUMNS,
    direction_counts,
    engagements_daily,
    nowcast_ratios,
    reports_from_table,
)
from .dates import KYIV
from .model import DirectionCount, Report
from .numbers import parse_number
from .parse import merge_parts, parse_report
from .periods import check_period_figures, read_period_figures
from .telegram import parse_with_date, read_telegram_export
from .text import normalise_text

__all__ = [
    "KYIV",
    "MIN_NOWCAST_PAIRS",
    "TABLE_COLUMNS",
    "Report",
    "DirectionCount",
    "parse_report",
    "parse_number",
    "normalise_text",
    "merge_parts",
    "engagements_daily",
    "nowcast_ratios",
    "reports_from_table",
    "direction_counts",
    "parse_with_date",
    "read_telegram_export",
    "read_period_figures",
    "check_period_figures",
]
