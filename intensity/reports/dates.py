"""Dates and times: the header's time stamp (with a.m./p.m. and odd spacing), the
publication time (day-first strings; a date without a time means the time is unknown),
a report time or a calendar day named in the text, and the report slot.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from .patterns import (
    _DAY_WORDS,
    _EN_MONTHS,
    _EVENING,
    _HEADER,
    _MONTH_RE,
    _MORNING,
    _PARTIAL_WORDS,
    _UK_MONTHS,
)

KYIV = "Europe/Kyiv"


def _header(text: str) -> tuple[datetime | None, str | None]:
    m = _HEADER.search(text)
    if not m:
        return None, None
    hh, mm = int(m.group(1)), int(m.group(2))
    if m.group(3) == "pm" and hh < 12:
        hh += 12
    elif m.group(3) == "am" and hh == 12:
        hh = 0
    try:
        if m.group(4):
            d = date(int(m.group(6)), int(m.group(5)), int(m.group(4)))
        elif m.group(7):
            d = date(int(m.group(9)), _month(m.group(8)), int(m.group(7)))
        else:
            d = date(int(m.group(12)), _month(m.group(10)), int(m.group(11)))
        return datetime.combine(d, time(hh % 24, mm)), m.group(0)
    except ValueError:
        return None, m.group(0)


def _month(name: str) -> int:
    n = name.lower()
    return _UK_MONTHS.get(n) or _EN_MONTHS[n]


#: Publication times outside this range are refused: the General Staff's channel started
#: in 2014, and a far-future time is a typo that would overflow date arithmetic.
_PUBLISHED_RANGE = (datetime(2000, 1, 1), datetime(2100, 1, 1))


#: a publication string without a time of day ("2025-11-20", "20.11.2025")
_HAS_TIME = re.compile(r"[0-9]:[0-9]|[0-9]\s*[ap]\.?m\b", re.IGNORECASE)
#: day-first layouts, as every date in this domain ("01.12.2024" is the 1st of December)
_DAY_FIRST = re.compile(r"\s*([0-9]{1,2})[./-]([0-9]{1,2})[./-]([0-9]{4})\b")


def _published_time_known(published: Any) -> bool:
    """False for a :class:`datetime.date` (not a datetime) and for a string without a
    time of day: the day is known, the time is not."""
    if isinstance(published, datetime):
        return True
    if isinstance(published, date):
        return False
    if isinstance(published, str):
        return bool(_HAS_TIME.search(published))
    return True


def _local(published: Any) -> datetime | None:
    """*published* as a naive Kyiv wall-clock time; :class:`ParameterError` when it is not
    a time (``"garbage"``, ``""``, ``NaT``) or lies outside 2000–2100. Strings such as
    ``"01.12.2024"`` or ``"01/12/2024 14:00"`` are read day-first."""
    if published is None:
        return None
    import pandas as pd

    from ..exceptions import ParameterError

    if isinstance(published, str):
        m = _DAY_FIRST.match(published)
        if m:
            d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
            try:
                day = date(y, mo, d)
            except ValueError:
                raise ParameterError(
                    f"published is read day-first (DD.MM.YYYY), got {published!r:.60}, "
                    "which is no such day"
                ) from None
            published = day.isoformat() + published[m.end() :]
    if isinstance(published, (bool, int, float, list, tuple, dict, set, bytes)):
        raise ParameterError(
            f"published must be a datetime, a date or an ISO string, got "
            f"{type(published).__name__} {published!r:.60}"
        )
    try:
        ts = pd.Timestamp(published)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ParameterError(
            f"published must be a date and time such as 2024-12-14T22:05:00+02:00, got "
            f"{published!r:.60} ({type(exc).__name__})"
        ) from None
    if ts is pd.NaT or pd.isna(ts):
        raise ParameterError(f"published must be a date and time, got {published!r:.60}")
    try:
        if ts.tzinfo is not None:
            ts = ts.tz_convert(KYIV).tz_localize(None)
        out = ts.to_pydatetime()
    except (ValueError, OverflowError) as exc:
        raise ParameterError(f"published {published!r:.60} cannot be used ({exc})") from None
    lo, hi = _PUBLISHED_RANGE
    if not lo <= out < hi:
        raise ParameterError(
            f"published must lie between {lo:%Y} and {hi:%Y}, got {published!r:.60}"
        )
    return out


#: cp1251 bytes of [а-яіїєґ] and of [a-z]: letters are counted after one fast encoding


#: three posts a day (08:00, 16:00, 22:00) from spring 2024; before, the evening post was
#: the 18:00 24-hour report, which the hand-read pages still quote in April 2024
_THREE_SLOTS_FROM = datetime(2024, 5, 1)
#: a report time named in a header-less text ("станом на 16:00", "as of 6 pm"): minutes or
#: am/pm are required, so "станом на 18 листопада" is not a time
_TEXT_TIME = re.compile(
    r"(?:станом\s+на|по\s+состоянию\s+на|as\s+of|\bна)\s+([0-9]{1,2})"
    r"(?:[:.]([0-9]{2})|\s+(годин\w*))?\s*(am|pm)?(?![0-9])"
)


def _text_slot(text: str) -> str | None:
    """The report slot a header-less text names, if it is one of the General Staff's."""
    for m in _TEXT_TIME.finditer(text):
        hh, mm, ap = int(m.group(1)), m.group(2) or ("00" if m.group(3) else None), m.group(4)
        if mm is None and ap is None:
            continue
        if ap == "pm" and hh < 12:
            hh += 12
        # 07:00: how some pages time the morning wrap-up (its window is the day before)
        if hh in (6, 7, 8, 16, 18, 22) and (mm is None or mm == "00"):
            return f"{hh:02d}:00"
    return None


_DAY_24H = re.compile(r"(?:протягом|упродовж|впродовж)\s+доби|over\s+the\s+past\s+24\s+hours")
_NAMED_DAY = re.compile(
    rf"\b([0-9]{{1,2}})\s+({_MONTH_RE})(?:,?\s+([0-9]{{4}}))?\b"
    rf"|\b({_MONTH_RE})\s+([0-9]{{1,2}})(?:,?\s+([0-9]{{4}}))?\b"
    r"|\b([0-9]{1,2})\s*\.\s*([0-9]{1,2})\s*\.\s*([0-9]{4})\b"
)


def _named_day(sentence: str, ref: datetime | None) -> date | None:
    """The calendar day named in *sentence* ("18 листопада", "January 13", "24.11.2023"),
    with the year from the text or else the latest such day not after the day after
    *ref*; ``None`` when none is named, it is impossible, or the year cannot be told."""
    m = _NAMED_DAY.search(sentence.lower())
    if m is None:
        return None
    g = m.groups()
    try:
        if g[0]:
            d, mo, y = int(g[0]), _month(g[1]), g[2]
        elif g[3]:
            d, mo, y = int(g[4]), _month(g[3]), g[5]
        else:
            d, mo, y = int(g[6]), int(g[7]), g[8]
        if y is not None:
            return date(int(y), mo, d)
        if ref is None:
            return None
        limit = ref.date() + timedelta(days=1)
        for year in (limit.year, limit.year - 1):
            try:
                c = date(year, mo, d)
            except ValueError:
                continue
            if c <= limit:
                return c
    except ValueError:
        return None
    return None


#: words that make a named date the date of a morning report, not of the day it covers
_REPORT_DATE = re.compile(
    r"(?:вранці|зранку|ранков\w+\s+зведенн\w+|утром|утренн\w+\s+сводк\w+"
    r"|morning(?:\s+report|\s+update)?(?:\s+of|\s+on)?)\s+(?:[\w']+\s+){0,2}?$"
)


def _names_report_date(sentence: str) -> bool:
    """Whether the day *sentence* names is introduced as a morning report's date
    ("вранці 24 листопада", "у ранковому зведенні 22 грудня")."""
    m = _NAMED_DAY.search(sentence.lower())
    return m is not None and _REPORT_DATE.search(sentence.lower()[: m.start()]) is not None


def _slot(t: datetime | None) -> str | None:
    if t is None:
        return None
    return f"{t.hour:02d}:{t.minute:02d}"


def _reconcile_header(
    header: datetime | None, pub: datetime | None, warnings: list[str]
) -> tuple[datetime | None, bool]:
    """A header date more than 12 hours from the publication time is a typo: the nearest
    plausible date with the header's time, flagged (and a warning)."""
    if header is None or pub is None or abs(header - pub) <= timedelta(hours=12):
        return header, False
    cands = [datetime.combine(pub.date() + timedelta(days=k), header.time()) for k in (-1, 0, 1)]
    best = min(cands, key=lambda c: abs(c - pub))
    warnings.append(
        f"header date {header:%d.%m.%Y %H:%M} is {abs(header - pub)} from the "
        f"publication time {pub:%d.%m.%Y %H:%M}; corrected to {best:%d.%m.%Y %H:%M}"
    )
    return best, True


def _report_slot(header: datetime | None, text: str, ref: datetime | None) -> str | None:
    """The report slot: the header's time, a report time named in the text, or the words
    'evening' / 'morning' report (the evening one was 18:00 before 2024)."""
    slot = _slot(header)
    if slot is None:
        slot = _text_slot(text)
    if slot is None:
        if _EVENING.search(text) and ref is not None and ref < _THREE_SLOTS_FROM:
            slot = "18:00"  # 2022-23: the evening report was the 18:00 24-hour one
        elif _EVENING.search(text):
            slot = "22:00"
        elif _MORNING.search(text):
            slot = "08:00"
    return slot


def _window(
    kind: str | None,
    total_sentence: str | None,
    slot: str | None,
    has_total: bool,
    warnings: list[str],
    before: str | None = None,
) -> str:
    """Which part of the day the total covers: 'day' (a whole past day), 'partial' (the
    day so far), '24h' (the 2022-23 18:00 report), 'night' (06:00) or 'unknown'; from
    the pattern that found the total, the words of its sentence, the words of the
    sentence *before* it ("За останню добу відбулися численні бойові зіткнення. Загалом
    було зафіксовано 94 бої."), then the slot."""
    window = _window_of_words(kind, (total_sentence or "").lower())
    if window is None and before:
        window = _window_of_words("any", before.lower())
    if window is None and slot is None and has_total:
        window = "unknown"
        warnings.append("the text does not say which part of the day its total covers")
    elif window is None:
        window = _SLOT_WINDOWS.get(slot or "", "partial")
    if slot == "18:00" and window in ("day", "unknown"):
        window = "24h"  # the 18:00 report's "past day" is the 24 hours to 18:00
    elif window == "24h" and _SLOT_WINDOWS.get(slot or "") == "day":
        window = "day"  # "протягом доби" in a morning report: the day before, in full
    return window


#: the window of a report slot whose total's words do not say it
_SLOT_WINDOWS = {"08:00": "day", "07:00": "day", "09:00": "day", "18:00": "24h", "06:00": "night"}


def _window_of_words(kind: str | None, tlow: str) -> str | None:
    """The window the total's pattern or its sentence's words give (``None``: they do
    not say)."""
    if kind == "day" or (kind == "any" and _DAY_WORDS.search(tlow)):
        return "day"
    if kind == "24h" or (kind == "any" and _DAY_24H.search(tlow)):
        return "24h"
    if kind == "partial" or _PARTIAL_WORDS.search(tlow):
        return "partial"
    return None


def _day_of_window(
    window: str, ref: datetime, header: datetime | None, time_known: bool, warnings: list[str]
) -> tuple[date, bool]:
    """The day a window covers, from the report's time *ref*, and whether it is complete."""
    day_before = (ref - timedelta(days=1)).date()
    if window == "day":
        before = header is None or ref.hour < 12
        return (day_before if before else ref.date()), True
    if window == "24h":
        return ref.date(), True
    if window == "night":
        return day_before, False
    if window != "unknown" and header is None and time_known and ref.hour < 4:
        warnings.append("no header, published after midnight: taken to cover the day before")
        return day_before, False
    return ref.date(), False


def _covered_day(
    window: str,
    ref: datetime | None,
    header: datetime | None,
    time_known: bool,
    total_sentence: str | None,
    warnings: list[str],
) -> tuple[date | None, bool]:
    """The calendar day the total covers and whether that day is complete. A whole past
    day is the day before the report (or before the publication when there is no
    header); the day so far, the 24-hour report and an unknown window the report's own
    day. Without a header a day named beside the figure wins over the publication date,
    and a publication before 04:00 with a known time covers the day before."""
    covers: date | None = None
    complete = False
    if ref is not None:
        covers, complete = _day_of_window(window, ref, header, time_known, warnings)
    if header is None and total_sentence is not None:
        named = _named_day(total_sentence, ref)
        if named is not None:
            # "since the start of the day on January 13", "протягом минулої доби,
            # 18 листопада": the text's day wins over the publication date
            if covers is not None and named != covers:
                warnings.append(
                    f"the text names {named:%Y-%m-%d}; taken as the day covered "
                    f"(the publication date gave {covers:%Y-%m-%d})"
                )
            if window == "day" and _names_report_date(total_sentence):
                # "повідомив вранці 24 листопада: за минулу добу …": the date is the
                # morning report's, which covers the day before
                named = named - timedelta(days=1)
            covers = named
            complete = window in ("day", "24h")
    return covers, complete
