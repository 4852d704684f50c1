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
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from .directions import normalise_name, resolve

__all__ = [
    "Report",
    "DirectionCount",
    "parse_report",
    "parse_number",
    "normalise_text",
    "merge_parts",
    "engagements_daily",
    "direction_counts",
    "read_telegram_export",
]

KYIV = "Europe/Kyiv"

# --------------------------------------------------------------------------- numbers
_UNITS_UK = {
    "нуль": 0,
    "один": 1,
    "одна": 1,
    "одне": 1,
    "одного": 1,
    "одну": 1,
    "два": 2,
    "дві": 2,
    "двох": 2,
    "три": 3,
    "трьох": 3,
    "чотири": 4,
    "чотирьох": 4,
    "п'ять": 5,
    "п'яти": 5,
    "шість": 6,
    "шести": 6,
    "сім": 7,
    "семи": 7,
    "вісім": 8,
    "восьми": 8,
    "дев'ять": 9,
    "дев'яти": 9,
    "десять": 10,
    "десяти": 10,
    "одинадцять": 11,
    "дванадцять": 12,
    "тринадцять": 13,
    "чотирнадцять": 14,
    "п'ятнадцять": 15,
    "шістнадцять": 16,
    "сімнадцять": 17,
    "вісімнадцять": 18,
    "дев'ятнадцять": 19,
}
_TENS_UK = {
    "двадцять": 20,
    "тридцять": 30,
    "сорок": 40,
    "п'ятдесят": 50,
    "шістдесят": 60,
    "сімдесят": 70,
    "вісімдесят": 80,
    "дев'яносто": 90,
}
_HUNDREDS_UK = {
    "сто": 100,
    "двісті": 200,
    "триста": 300,
    "чотириста": 400,
    "п'ятсот": 500,
    "шістсот": 600,
    "сімсот": 700,
    "вісімсот": 800,
    "дев'ятсот": 900,
}
_ADVERBS_UK = {"один раз": 1, "одного разу": 1, "двічі": 2, "тричі": 3, "чотирикратно": 4}
_UNITS_EN = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS_EN = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_ADVERBS_EN = {"once": 1, "twice": 2, "thrice": 3}

_WORDS = sorted(
    list(_UNITS_UK)
    + list(_TENS_UK)
    + list(_HUNDREDS_UK)
    + list(_UNITS_EN)
    + list(_TENS_EN)
    + ["hundred", "a hundred", "one hundred"],
    key=len,
    reverse=True,
)
_ADVERB_RE = re.compile(r"(?<![\w'])(двічі|тричі|twice|thrice|once)(?![\w'])", re.IGNORECASE)
_ADVERB_TO = {
    "двічі": "2 рази",
    "тричі": "3 рази",
    "twice": "2 times",
    "thrice": "3 times",
    "once": "1 time",
}
#: one number (after number words were turned into digits by :func:`_digits`)
NUM = r"[0-9]+"  # ASCII digits only: the General Staff writes no other


def parse_number(token: str) -> int | None:
    """A number written with digits or words, in Ukrainian or English.

    Examples
    --------
    >>> [parse_number(t) for t in ["274", "сто", "двадцять п'ять", "one hundred and four", "twice"]]
    [274, 100, 25, 104, 2]
    """
    if token.isascii() and token.isdigit():
        return int(token)  # the usual case, without the name normalisation
    t = normalise_name(token)
    if t.isascii() and t.isdigit():
        return int(t)
    if t in _ADVERBS_UK:
        return _ADVERBS_UK[t]
    if t in _ADVERBS_EN:
        return _ADVERBS_EN[t]
    total = 0
    current = 0
    seen = False
    for w in re.split(r"[\s-]+", t):
        if w in ("and", "a", ""):
            continue
        if w in _UNITS_UK:
            current += _UNITS_UK[w]
        elif w in _TENS_UK:
            current += _TENS_UK[w]
        elif w in _HUNDREDS_UK:
            current += _HUNDREDS_UK[w]
        elif w in _UNITS_EN:
            current += _UNITS_EN[w]
        elif w in _TENS_EN:
            current += _TENS_EN[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        else:
            return None
        seen = True
    return total + current if seen else None


# --------------------------------------------------------------------------- text
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:[ ,][0-9]{3})+(?![0-9])")


def _join_thousands(m: re.Match[str]) -> str:
    """'1 040' → '1040', unless the match is the tail of a longer number."""
    start = m.start()
    if start and m.string[start - 1] in "0123456789.,":
        return m.group(0)
    return m.group(0).replace(" ", "").replace(",", "")


_PART = re.compile(r"\(([0-9])\s*/\s*([0-9])\)")


def _digits(text: str, low: str) -> tuple[str, str]:
    """Number words and adverbs ("сто двадцять", "двічі", "one hundred and four", "twice")
    written as digits, so that every pattern needs to know only digits: ``text`` and its
    lower case ``low`` (both returned as they are when nothing changes, the usual case:
    wrap-ups write their numbers with digits)."""

    def word(m: re.Match[str]) -> str:
        v = parse_number(m.group(0))
        return m.group(0) if v is None else str(v)

    present = _number_words_in(low)
    if not present:
        return text, low
    if present & _ADVERB_WORDS:
        text = _ADVERB_RE.sub(lambda m: _ADVERB_TO[m.group(1).lower()], text)
    present -= _ADVERB_WORDS
    if present:
        text = _wordnum_for(frozenset(present)).sub(word, text)
    return text, text.lower()


_PUNCT = '.,;:!?()«»"*/-'  # also splits "twenty-five" for the word check
_PUNCT_TO_SPACE = bytes.maketrans(b'.,;:!?()"*/-', b" " * 12)
#: whitespace that str.split() knows and bytes.split() does not
_WIDE_SPACES = (  # every c with c.isspace() outside " \t\n\r\x0b\x0c" (checked by a test)
    "\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _number_words_in(low: str) -> set[str]:
    """The number words that occur as words in a lower-cased text (punctuation splits
    words). The split runs on the UTF-8 bytes, twice as fast as on the str, unless the
    text has whitespace that only str.split() would split on."""
    if any(c in low for c in _WIDE_SPACES):
        words = low
        for c in _PUNCT:
            if c in words:
                words = words.replace(c, " ")
        return set(_NUMBER_WORDS.intersection(words.split()))
    if "«" in low or "»" in low:
        low = low.replace("«", " ").replace("»", " ")
    raw = low.encode("utf-8", "surrogatepass").translate(_PUNCT_TO_SPACE).split()
    return {w.decode() for w in _NUMBER_WORDS_UTF8.intersection(raw)}


_ADVERB_WORDS = frozenset(_ADVERB_TO)
_NUMBER_WORDS = frozenset([w for w in _WORDS if " " not in w] + list(_ADVERB_TO))
_NUMBER_WORDS_UTF8 = frozenset(w.encode() for w in _NUMBER_WORDS)


@lru_cache(maxsize=512)
def _wordnum_for(words: frozenset[str]) -> re.Pattern[str]:
    """The number-word pattern restricted to the words present (much faster to scan): a
    run of number words ("двадцять п'ять", "one hundred and four"); "and" joins only after
    "hundred", so "seven and four … respectively" stays two numbers."""
    alt = "|".join(re.escape(w) for w in sorted(words | {"hundred"}, key=len, reverse=True))
    return re.compile(
        rf"(?<![\w'])(?:{alt})(?:(?:[ -]+|(?<=hundred)\s+and\s+)(?:{alt}))*(?![\w'])", re.IGNORECASE
    )


_REPLACEMENTS = (
    ("ʼ", "'"),
    ("’", "'"),
    ("`", "'"),
    ("´", "'"),
    ("–", "-"),
    ("—", "-"),
    ("‒", "-"),
    ("\u00a0", " "),
    ("\u202f", " "),
    ("\u2009", " "),
    ("\u2007", " "),
    ("\u200a", " "),
    ("\t", " "),
    ("p.m.", "pm"),  # "6 p.m., 41 clashes" is one sentence
    ("a.m.", "am"),
    ("P.M.", "pm"),
    ("A.M.", "am"),
)
_MULTISPACE = re.compile(r" {2,}")


def _join_all_thousands(s: str) -> str:
    """``_THOUSANDS.sub(_join_thousands, s)``, but fast: candidates "d dddd" are found
    with bytes.find on the UTF-8 text with every digit mapped to '0' (several times
    faster than a regex scan), and the full pattern is tried only at the few starts that
    can hold the number around a candidate (at most two digits before it)."""
    b = s.encode("utf-8", "surrogatepass")
    zb = b.translate(_DIGITS_TO_ZERO)
    found = [i for sep in (b"0 000", b"0,000") for i in _find_all(zb, sep)]
    if not found:
        return s
    found.sort()
    ascii_only = len(b) == len(s)
    out: list[str] = []
    done = 0  # s[:done] is settled
    prev_b = prev_c = 0
    for i in found:  # byte offsets → character offsets, incrementally
        j = i if ascii_only else prev_c + len(b[prev_b:i].decode("utf-8", "surrogatepass"))
        prev_b, prev_c = i, j
        if j < done:
            continue
        t = None
        for k in range(max(done, j - 2), j + 1):
            t = _THOUSANDS.match(s, k)
            if t is not None:
                break
        if t is None:
            continue
        out.append(s[done : t.start()])
        out.append(_join_thousands(t))
        done = t.end()
    if not out:
        return s
    out.append(s[done:])
    return "".join(out)


_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")


def _find_all(data: bytes, sub: bytes) -> list[int]:
    out = []
    i = data.find(sub)
    while i >= 0:
        out.append(i)
        i = data.find(sub, i + 1)
    return out


def normalise_text(text: str) -> str:
    """Markup and typography removed: bold markers, apostrophe variants, dashes, special
    spaces, thousands separators ("1 040" → "1040")."""
    s = text.replace("**", "").replace("__", "")
    for a, b in _REPLACEMENTS:
        if a in s:
            s = s.replace(a, b)
    s = _join_all_thousands(s)
    if len(s) > _MAX_DIGITS:  # no count has 16 digits; int() of 4,300 would raise
        s = _TOO_LONG.sub(" ", s)
    if "  " in s:
        s = _MULTISPACE.sub(" ", s)
    return s.strip()


_MAX_DIGITS = 15
_TOO_LONG = re.compile(f"[0-9]{{{_MAX_DIGITS + 1},}}")


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class DirectionCount:
    """Engagements reported for one direction (or a group of paired directions)."""

    name: str  # as written
    direction: str | None  # canonical id (None: unknown name, kept verbatim in ``name``)
    attacks: int | None
    ongoing: int | None = None
    group: tuple[str, ...] = ()  # names sharing one total ("На X і Y напрямках ... 15")
    shared: bool = False  # True when ``attacks`` is the group's shared total


@dataclass(frozen=True)
class Report:
    """One parsed operational report."""

    header_time: datetime | None
    published: datetime | None
    slot: str | None
    covers: date | None
    complete: bool
    window: str  # 'day' (whole day), 'partial' (day so far), '24h', 'night', 'unknown'
    total: int | None
    total_floor: bool = False
    #: what ``total`` counts: 'engagements', or 'attacks_repelled' for the headline
    #: "repelled N attacks" the General Staff gave before it counted engagements (May 2023)
    measure: str = "engagements"
    change: int | None = None
    ongoing: int | None = None
    directions: tuple[DirectionCount, ...] = ()
    language: str = "uk"
    part: tuple[int, int] | None = None
    header_corrected: bool = False
    warnings: tuple[str, ...] = ()
    source: str = field(default="", compare=False, repr=False)

    def to_record(self) -> dict[str, Any]:
        """Flat record (for a DataFrame row)."""
        return {
            "header_time": self.header_time,
            "published": self.published,
            "slot": self.slot,
            "covers": self.covers,
            "complete": self.complete,
            "window": self.window,
            "total": self.total,
            "total_floor": self.total_floor,
            "measure": self.measure,
            "change": self.change,
            "ongoing": self.ongoing,
            "n_directions": len(self.directions),
            "language": self.language,
            "part": None if self.part is None else f"{self.part[0]}/{self.part[1]}",
            "header_corrected": self.header_corrected,
            "warnings": "; ".join(self.warnings),
        }


# --------------------------------------------------------------------------- patterns
_UK_MONTHS = {
    "січня": 1,
    "лютого": 2,
    "березня": 3,
    "квітня": 4,
    "травня": 5,
    "червня": 6,
    "липня": 7,
    "серпня": 8,
    "вересня": 9,
    "жовтня": 10,
    "листопада": 11,
    "грудня": 12,
}
_EN_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_MONTH_RE = "|".join(list(_UK_MONTHS) + list(_EN_MONTHS))

_HEADER = re.compile(
    r"(?:оперативна\s+інформація|operational\s+information|operational\s+update)\s+"
    r"(?:станом\s+на|as\s+of|as\s+at)\s+([0-9]{1,2})[:.]([0-9]{2})\.?\s*(am|pm)?\s*(?:on\s+)?"
    rf"(?:([0-9]{{1,2}})\s*[./]\s*([0-9]{{1,2}})\s*[./]\s*([0-9]{{4}})|([0-9]{{1,2}})\s+({_MONTH_RE}),?\s+([0-9]{{4}})|"
    rf"({_MONTH_RE})\s+([0-9]{{1,2}}),?\s+([0-9]{{4}}))",
)
_ENG_UK = r"(?:бойов\w*\s+зіткн\w*|боєзіткн\w*|бойов\w*\s+зіткнен\w*)"
_ENG_EN = (
    r"(?:(?:combat|military)\s+(?:engagements?|clashes?)|clashes|battles|engagements"
    r"|firefights|skirmishes)"
)
_FLOOR = r"(?P<floor>понад|більше\s+ніж|близько|майже|over|more\s+than|about|nearly|almost)?\s*"  # noqa: E501
_N = rf"(?P<n>{NUM})"

# national-total sentences, most specific first; each yields (number, kind)
_TOTALS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            rf"загалом\s+(?:протягом|за)\s+минул\w+\s+доб\w+\s+(?:\w+\s+){{0,2}}?{_FLOOR}{_N}\s+{_ENG_UK}"
        ),
        "day",
    ),
    (
        re.compile(
            rf"(?:протягом|за)\s+минул\w+\s+доб\w+\s+(?:на\s+фронті\s+)?(?:\w+\s+){{0,2}}?{_FLOOR}{_N}\s+{_ENG_UK}"
        ),
        "day",
    ),
    (re.compile(rf"вчора\s+(?:\w+\s+){{0,2}}?{_FLOOR}{_N}\s+{_ENG_UK}"), "day"),
    (
        re.compile(
            rf"від\s+початку\s+(?:цієї\s+|поточної\s+)?доби\s+(?:на\s+фронті\s+)?(?:\w+\s+){{0,3}}?{_FLOOR}{_N}\s+{_ENG_UK}"
        ),
        "partial",
    ),
    (re.compile(rf"протягом\s+доби\s+(?:\w+\s+){{0,2}}?{_FLOOR}{_N}\s+{_ENG_UK}"), "24h"),
    (
        re.compile(
            rf"кількість\s+(?:атак\s+[\w']+|бойов\w+\s+ді\w+\s+[\w']+|{_ENG_UK})\s+(?:[\w']+\s+){{0,6}}?"
            r"(?:вже\s+)?(?:становить|становила|складає|складала|зросла\s+до|збільшил\w+\s+до"
            rf"|досягла|сягнула)\s*[,-]?\s*{_FLOOR}{_N}"
        ),
        "any",
    ),
    (  # "кількість бойових дій ворога від початку доби - 96"
        re.compile(rf"кількість\s+(?:[\w']+\s+){{1,8}}?-\s*{_FLOOR}{_N}"),
        "any",
    ),
    (  # "за сьогодні ворожих атак - 47"
        re.compile(
            rf"(?:за\s+сьогодні|від\s+початку\s+доби|з\s+початку\s+доби)\s+(?:[\w']+\s+){{0,3}}?атак\w*\s*-\s*{_FLOOR}{_N}"
        ),
        "partial",
    ),
    (re.compile(rf"станом\s+на\s+зараз\s+(?:[\w']+\s+){{0,3}}?(?:-\s*)?{_FLOOR}{_N}"), "partial"),
    (
        re.compile(
            rf"(?:агресор|ворог|противник|окупанти)\s+(?:вже\s+)?{_FLOOR}{_N}\s+(?:раз\w*\s+)?атакува\w+"
        ),
        "any",
    ),
    (  # "загарбники атакували позиції наших військ 63 рази", "штурмували … 71 раз"
        re.compile(rf"(?:атакува|штурмува)\w+\s+(?:[\w']+\s+){{0,4}}?{_FLOOR}{_N}\s+раз"),
        "any",
    ),
    (  # "противник провів 73 атаки", "окупанти здійснили 58 спроб прорвати оборону"
        re.compile(
            rf"(?:провів|провели|здійснив|здійснили|здійснено|проведено)\s+{_FLOOR}{_N}\s+"
            r"(?:атак|спроб|штурм|наступальн)"
        ),
        "any",
    ),
    (
        re.compile(
            rf"(?:відбул\w+|відбув\w*|пройшл\w*|зафіксовано|сталося|сталось)\s+{_FLOOR}{_N}\s+"
            rf"(?:{_ENG_UK}|бій\b|бо[їі]\w*)"
        ),
        "any",
    ),
    (  # number first: "165 бойових зіткнень було зафіксовано протягом минулої доби"
        re.compile(
            rf"^{_FLOOR}{_N}\s+{_ENG_UK}\s+(?:було\s+)?(?:зафіксовано|відбул\w+|стал\w+|пройшл\w+)"
        ),
        "any",
    ),
    # English
    (
        re.compile(
            rf"over\s+the\s+(?:past|last)\s+(?:day|24\s+hours),?\s+(?:there\s+(?:were|have\s+been)\s+)?{_FLOOR}{_N}\s+{_ENG_EN}"
        ),
        "day",
    ),
    (
        re.compile(
            rf"{_FLOOR}{_N}\s+{_ENG_EN}\s+(?:were\s+recorded|took\s+place|occurred|were\s+registered)\s+(?:on\s+the\s+front(?:line)?\s+)?(?:over|during|in)\s+the\s+(?:past|last)\s+(?:day|24\s+hours)"
        ),
        "day",
    ),
    (re.compile(rf"yesterday,?\s+(?:there\s+were\s+)?{_FLOOR}{_N}\s+{_ENG_EN}"), "day"),
    (
        re.compile(
            rf"{_FLOOR}{_N}\s+{_ENG_EN}\s+(?:on\s+(?:the\s+)?front(?:\s*line)?\s+)?(?:over|during|in)\s+(?:the\s+)?(?:past|last)\s+(?:day|24\s+hours)"
        ),
        "day",
    ),
    (
        re.compile(
            rf"since\s+the\s+(?:beginning|start)\s+of\s+(?:the|this)\s+day,?\s+(?:there\s+(?:have\s+been|were)\s+|the\s+(?:enemy|aggressor|invaders)\s+(?:has\s+)?attacked\s+)?{_FLOOR}{_N}\s*(?:{_ENG_EN}|times)?"
        ),
        "partial",
    ),
    (re.compile(rf"a\s+total\s+of\s+{_FLOOR}{_N}\s+{_ENG_EN}"), "any"),
    (re.compile(rf"in\s+total,?\s+{_FLOOR}{_N}\s+{_ENG_EN}"), "any"),
    (
        re.compile(
            rf"{_FLOOR}{_N}\s+{_ENG_EN}\s+(?:were\s+recorded|took\s+place|occurred|have\s+taken\s+place|were\s+registered)"
        ),
        "any",
    ),
    (re.compile(rf"there\s+(?:were|have\s+been)\s+{_FLOOR}{_N}\s+{_ENG_EN}"), "any"),
    (
        re.compile(
            rf"number\s+of\s+(?:{_ENG_EN}|attacks)\s+(?:[\w']+\s+){{0,4}}?(?:has\s+)?"
            rf"(?:reached|rose\s+to|increased\s+to|stands\s+at|stood\s+at|is|was)\s+{_FLOOR}{_N}"
        ),
        "any",
    ),
    (re.compile(rf"attacked\s+(?:[\w']+\s+){{0,3}}?{_FLOOR}{_N}\s+times"), "any"),
    # headline style ("war update: 311 combat clashes on frontline over past day"): the
    # count right before 'combat clashes/engagements' when nothing more specific matched
    (
        re.compile(
            rf"{_FLOOR}{_N}\s+(?:(?:combat|military)\s+(?:engagements?|clashes?)|clashes|battles|skirmishes)\b"
            r"(?!\s+(?:are|were|is)\s+(?:still\s+)?ongoing|\s+(?:are|were)\s+still)"
        ),
        "any",
    ),
    # headline list: "Генштаб: 173 бойових зіткнення, бої на … напрямках" (the count right
    # before the noun when nothing more specific matched; not an ongoing count)
    (
        re.compile(rf"{_FLOOR}{_N}\s+{_ENG_UK}(?!\s+(?:ще\s+)?трива|\s+досі)"),
        "any",
    ),
]
#: literal words one of which each total pattern needs (a cheap test before the regex)
_TOTAL_KEYS: list[tuple[str, ...]] = [
    ("загалом",),
    ("минул",),
    ("вчора",),
    ("від початку",),
    ("протягом доби",),
    ("кількість",),
    ("кількість",),
    ("сьогодні", "початку"),
    ("станом на зараз",),
    ("атакува",),
    ("атакува", "штурмува"),
    ("провів", "провели", "здійсн", "проведено"),
    ("відбул", "відбув", "пройшл", "зафіксов", "сталос", "сталося"),
    ("зіткн", "боєзіткн"),
    ("past", "last"),
    ("past", "last"),
    ("yesterday",),
    ("past", "last"),
    ("since the",),
    ("a total of",),
    ("in total",),
    ("recorded", "took place", "occurred", "taken place", "registered"),
    ("there were", "there have been"),
    ("number of",),
    ("attacked",),
    ("combat", "clashes", "battles", "military", "skirmishes"),
    ("зіткн", "боєзіткн"),
]
assert len(_TOTAL_KEYS) == len(_TOTALS)
_ANY_TOTAL_KEY = re.compile("|".join(sorted({re.escape(k) for ks in _TOTAL_KEYS for k in ks})))
_CHANGE = [
    re.compile(rf"на\s+(?P<n>{NUM})\s+(?P<dir>більше|менше)"),
    re.compile(
        rf"(?P<n>{NUM})\s+(?P<dir>more|fewer|less)\s+than\s+(?:the\s+day\s+before|yesterday|the\s+previous\s+(?:day|evening|report))"
    ),
]
_DIR_UK = re.compile(
    r"\b(?:на|у|в)\s+(?P<names>[\w'\- ,]{3,80}?)\s+(?:напрямк\w*|операційн\w+\s+зон\w*)"
    r"|\b(?:у|в)\s+(?P<obl>[\w'\-]+)\s+(?:області|районі)\b"
)
_DIR_EN = re.compile(
    r"\b(?:in|on)\s+the\s+(?P<names>[\w'\- ,]{3,80}?)\s+"
    r"(?:directions?|sectors?|areas?|regions?|axis|axes|operational\s+zone)\b"
)
_SPLIT_NAMES = re.compile(r"\s*(?:,|\s+і\s+|\s+та\s+|\s+й\s+|\s+and\s+)\s*")
_REPORT_WORDS = re.compile(
    rf"{_ENG_UK}|{_ENG_EN}|оперативна\s+інформація|operational\s+information|general\s+staff|генштаб"
)


_DIRECTION_WORDS = re.compile(  # matched on lower-cased text (faster than re.I on Cyrillic)
    r"напрямк|операційн\w+\s+зон|області\b|районі\b|direction|sector|\bregion\b|\barea\b|\baxis\b"
)
_WHOLE_FRONT = re.compile(r"загалом|in\s+total|a\s+total|total\s+of|на\s+фронті|front")
_ENG_ANY = re.compile(rf"{_ENG_UK}|{_ENG_EN}")
_ALL_FRONT = re.compile(
    r"загалом\s+на\s+фронті|на\s+всіх\s+напрямках|across\s+the\s+front|on\s+all\s+directions"
)
_ALL_FRONT_KEYS = ("фронті", "напрямках", "front", "directions")
_EVENING = re.compile(r"evening\s+(?:situation\s+)?(?:report|update)|вечірн\w+\s+зведен")
_MORNING = re.compile(r"morning\s+(?:situation\s+)?report|ранков\w+\s+зведен")
_DAY_WORDS = re.compile(
    r"минул\w+\s+доб|вчора|past\s+day|last\s+day|past\s+24|yesterday"
    r"|останн\w+\s+доб|попередн\w+\s+доб"
)
_PARTIAL_WORDS = re.compile(
    r"від\s+початку|з\s+початку|since\s+the\s+(?:beginning|start)|since\s+(?:morning|dawn|midnight)"
    r"|станом\s+на\s+(?:зараз|вечір)|на\s+момент\s+зведення|кількість|\btoday\b|сьогодні"
)
#: the General Staff counted engagements from May 2023; before, "repelled N attacks"
_ENGAGEMENTS_FROM = datetime(2023, 6, 1)
_REPELLED = re.compile(
    rf"(?:відбили|відбито|відбивши|repelled|repulsed)\s+(?:[\w']+\s+){{0,2}}?{_FLOOR}{_N}\s+"
    r"(?:[\w']+\s+)?(?:атак|штурм|attacks|assaults)"
)
_ZONE_UPDATE = re.compile(r"зон\w*\s+відповідальності|\bосув\b|area\s+of\s+responsibility")
_GAP_LOCAL = re.compile(r"\s*(?:in|near|at|on|around|у|в|на|під)\s")
_DIGITS = re.compile(r"[0-9][0-9]*")  # faster in re than \d+ or [0-9]+


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

    from .exceptions import ParameterError

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
_CYR_BYTES = frozenset(range(0xE0, 0x100)) | {0xB3, 0xBF, 0xBA, 0xB4}
_NOT_CYR = bytes(b for b in range(256) if b not in _CYR_BYTES)
_NOT_LATIN = bytes(b for b in range(256) if not 0x61 <= b <= 0x7A)


def _language(head: str) -> str:
    """'uk' when a (lower-cased) text has more Ukrainian than Latin letters, else 'en'."""
    b = head.encode("cp1251", "ignore")
    return "uk" if len(b.translate(None, _NOT_CYR)) > len(b.translate(None, _NOT_LATIN)) else "en"


_DIRECTION_STEMS = (
    "напрямк",
    "операційн",
    "області",
    "районі",
    "direction",
    "sector",
    "region",
    "area",
    "axis",
)
#: stems that make a sentence a direction sentence on their own (the regex adds nothing)
_PLAIN_DIRECTION_STEMS = ("напрямк", "direction", "sector")


def _direction_stems_in(text: str) -> tuple[str, ...]:
    """The direction stems that occur anywhere in a (lower-cased) text: sentences need to
    be tested only for these."""
    return tuple(k for k in _DIRECTION_STEMS if k in text)


def _is_direction_sentence(s: str, stems: tuple[str, ...] = _DIRECTION_STEMS) -> bool:
    """Whether a (lower-cased) sentence speaks of a direction, area or region (substring
    tests first: the regex runs only on the few sentences that may qualify)."""
    found = False
    for k in stems:
        if k in s:
            if k in _PLAIN_DIRECTION_STEMS:
                return True
            found = True
    return found and bool(_DIRECTION_WORDS.search(s))


def _direction_flags(sentences: list[str], stems: tuple[str, ...]) -> list[bool]:
    """:func:`_is_direction_sentence` of each sentence, given the stems in the text."""
    if not stems:
        return [False] * len(sentences)
    if len(stems) == 1 and stems[0] in _PLAIN_DIRECTION_STEMS:
        k = stems[0]  # the usual case: only "напрямк" (or "direction")
        return [k in s for s in sentences]
    return [_is_direction_sentence(s, stems) for s in sentences]


def _split_sentences(text: str) -> tuple[list[str], list[int]]:
    """Sentences (stripped) and the offset of each in ``text``. Sentences end at a
    newline or at '.', '!', '?', ';' followed by a space."""
    for p in (". ", "! ", "? ", "; "):
        if p in text:
            text = text.replace(p, p[0] + "\n")  # same length: offsets stay valid
    out: list[str] = []
    offsets: list[int] = []
    pos = 0
    for piece in text.split("\n"):
        s = piece.strip()
        if s:
            out.append(s)
            # strip() returns the piece itself when there is nothing to strip
            offsets.append(pos if s is piece else pos + len(piece) - len(piece.lstrip()))
        pos += len(piece) + 1
    return out, offsets


#: what may follow an attack count ("12 атак", "5 разів атакував", "7 assaults")
_AFTER_ATTACK = {
    "uk": r"\s+(?:раз\w*\s+)?(?:ворож\w+\s+|російськ\w+\s+)?"
    r"(?:атак|штурм|спроб|бойов\w*\s+зіткн|боєзіткн|наступальн\w+\s+ді)"
    r"|\s+раз\w*\s+(?:[\w']+\s+){0,3}?(?:атакува|штурмува|намага)",
    "en": r"\s+(?:[\w']+\s+)?(?:attacks?|assaults?|clashes|battles|advances|attempts"
    r"|offensive\s+actions|combat\s+engagements|times?)\b",
}
_RAZ = r"\s+раз"  # "5 разів": an attack count when 'атакува…' comes before it
#: what may follow a 'still ongoing' count ("3 з них досі тривають", "2 are still ongoing")
_AFTER_ONGOING = {
    "uk": r"\s+(?:з\s+них\s+|бойов\w*\s+зіткн\w*\s+|боєзіткн\w*\s+|атак\w*\s+)?"
    r"(?:ще\s+|досі\s+|наразі\s+)?(?:залиша\w+\s+)?(?:трива|не\s*завершен)",
    "en": r"\s+(?:[\w']+\s+){0,4}?(?:(?:are|were|is|remain)\s+)?still\s+"
    r"(?:ongoing|continuing|under\s+way)|\s+(?:[\w']+\s+){0,3}?(?:are|were)\s+ongoing",
}
_AFTER = {
    lang: {k: re.compile(v[lang]) for k, v in (("a", _AFTER_ATTACK), ("o", _AFTER_ONGOING))}
    for lang in ("uk", "en")
}
#: every number with its role read from what follows it, in one scan: group 'o' (still
#: ongoing), 'a' (attacks) or 'r' ("N раз", an attack count when 'атакува…' comes before);
#: the empty alternative keeps every digit run whole
_ROLES = {
    "uk": [
        rf"(?=(?P<o>{_AFTER_ONGOING['uk']}))",
        rf"(?=(?P<a>{_AFTER_ATTACK['uk']}))",
        rf"(?=(?P<r>{_RAZ}))",
    ],
    "en": [rf"(?=(?P<o>{_AFTER_ONGOING['en']}))", rf"(?=(?P<a>{_AFTER_ATTACK['en']}))"],
}
_ROLE = {lang: re.compile(rf"[0-9][0-9]*(?:{'|'.join(r)})?") for lang, r in _ROLES.items()}
#: the same without 'still ongoing' (for text without an ongoing word), and with it alone
_ROLE_NO_ONGOING = {
    lang: re.compile(rf"[0-9][0-9]*(?:{'|'.join(r[1:])})?") for lang, r in _ROLES.items()
}
_ROLE_ONGOING = {lang: re.compile(rf"[0-9][0-9]*(?:{r[0]})?") for lang, r in _ROLES.items()}
_AFTER_RAZ = re.compile(_RAZ)
#: the usual direction sentence, "На X напрямку ворог 9 разів атакував …", in one match:
#: the direction (atomic, so it ends where a search for it alone ends), then the first
#: number after it with the role read from what follows (no 'still ongoing' branch: used
#: only on sentences without an ongoing word)
_DIR_FIRST = {
    lang: re.compile(
        rf"(?>(?P<dir>{rx.pattern}))[^0-9]*(?P<num>[0-9][0-9]*)(?:{'|'.join(_ROLES[lang][1:])})?"
    )
    for lang, rx in (("uk", _DIR_UK), ("en", _DIR_EN))
}
_BEFORE_ATTACK = re.compile(r"атакува\w+\s+(?:[\w']+\s+){0,4}$")  # "атакував … 5 разів"
_BEFORE_ONGOING = re.compile(r"(?:ще|досі|наразі)\s+трива\w+\s+$")  # "ще тривають 3"
#: literal words one of which every 'still ongoing' phrase contains (a cheap test first)
_ONGOING_KEYS = {"uk": ("трива", "завершен"), "en": ("ongoing", "still")}
_BEFORE_WINDOW = 60  # characters before a number that may describe it
_AFTER_WINDOW = 80  # and after it


def _may_be_ongoing(text: str, lang: str) -> bool:
    a, b = _ONGOING_KEYS[lang]
    return a in text or b in text


def _role_windowed(text: str, end: int, lang: str) -> str | None:
    """The role read from what follows a number, within the window (the slow, exact path
    for the rare match that runs past the window)."""
    endpos = end + _AFTER_WINDOW
    if _AFTER[lang]["o"].match(text, end, endpos):
        return "o"
    if _AFTER[lang]["a"].match(text, end, endpos):
        return "a"
    if lang == "uk" and _AFTER_RAZ.match(text, end, endpos):
        return "r"
    return None


_ROLE_GROUPS = frozenset({"o", "a", "r"})


def _role(m: re.Match[str], text: str, lang: str, start: int, lo: int = 0) -> str | None:
    """The role of the number at ``start`` that a role pattern matched (the match ends
    with the number; its last group is 'o', 'a' or 'r'), read within the windows around
    it: 'o' (still ongoing), 'a' (an attack count, also "5 разів" with 'атакува…' before
    it, not reaching back past ``lo``) or None."""
    role = m.lastgroup
    if role not in _ROLE_GROUPS:
        return None
    end = m.end()
    if m.end(role) > end + _AFTER_WINDOW:
        role = _role_windowed(text, end, lang)
    if role == "r":
        hit = _BEFORE_ATTACK.search(text, max(lo, start - _BEFORE_WINDOW), start)
        return "a" if hit else None
    return role


def _classify_numbers(
    text: str, lang: str, first_ongoing: bool = False
) -> tuple[list[int], int | None]:
    """Attack counts (in order) and the first 'still ongoing' count of a piece of text:
    each number is judged by the words right around it (within 60 characters before and
    80 after). With ``first_ongoing``, stop at the first 'still ongoing' count."""
    attacks: list[int] = []
    ongoing: int | None = None
    may_be_ongoing = _may_be_ongoing(text, lang)
    # 'ще тривають 3': only Ukrainian puts the words before, and only after "трива"
    tr = text.find("трива") if lang == "uk" and may_be_ongoing else -1
    if first_ongoing:
        rx = _ROLE_ONGOING[lang]
    elif may_be_ongoing:
        rx = _ROLE[lang]
    else:
        rx = _ROLE_NO_ONGOING[lang]
    for m in rx.finditer(text):
        start = m.start()
        role = _role(m, text, lang, start)
        if role == "o" or (
            0 <= tr < start and _BEFORE_ONGOING.search(text, max(0, start - _BEFORE_WINDOW), start)
        ):
            if ongoing is None:
                ongoing = int(m.group(0))
                if first_ongoing:
                    break
            continue
        if role == "a":
            attacks.append(int(m.group(0)))
    return attacks, ongoing


def _first_counts(text: str, lang: str) -> tuple[int | None, int | None]:
    """The first attack count and the first 'still ongoing' count of a piece of text
    (as :func:`_classify_numbers`); without an ongoing word, the scan stops at the first
    attack count."""
    if _may_be_ongoing(text, lang):
        attacks, ongoing = _classify_numbers(text, lang)
        return (attacks[0] if attacks else None), ongoing
    for m in _ROLE_NO_ONGOING[lang].finditer(text):
        if _role(m, text, lang, m.start()) == "a":
            return int(m.group(0)), None
    return None, None


def _ongoing_in(text: str, lang: str) -> int | None:
    """The first 'still ongoing' count of a piece of text, at once when it is the first
    number ("2 бойових зіткнення ще тривають")."""
    if not _may_be_ongoing(text, lang):
        return None
    m = _ROLE_ONGOING[lang].search(text)
    if m is None:
        return None
    if _role(m, text, lang, m.start()) == "o":
        return int(m.group(0))
    return _classify_numbers(text, lang, first_ongoing=True)[1]


def _split_names(raw: str) -> list[str]:
    if "," in raw or " і " in raw or " та " in raw or " й " in raw or " and " in raw:
        return [n for n in _SPLIT_NAMES.split(raw) if n]
    return [raw] if raw else []


#: "на цьому / даному напрямку": the direction of the sentence before
_THIS_DIRECTION = frozenset({"цьому", "даному", "тому", "this", "that"})


def _parse_directions(
    sentences: list[str],
    on: date | None,
    lang: str,
    warnings: list[str],
    flags: list[bool] | None = None,
    orig: str | None = None,
    offsets: list[int] | None = None,
) -> tuple[DirectionCount, ...]:
    """Direction counts of the (lower-cased) sentences. Names are taken as written from
    ``orig`` (the text in its original case) at ``offsets`` (where each sentence starts)."""
    # rows: [name, id, attacks, ongoing, group, shared]; DirectionCount objects are made
    # once at the end (a follow-up sentence can still set 'ongoing')
    rows: list[list[Any]] = []
    last: list[list[Any]] = []  # the rows of the previous direction sentence
    if flags is None:
        flags = _direction_flags(sentences, _direction_stems_in("\n".join(sentences)))
    rx = _DIR_UK if lang == "uk" else _DIR_EN
    fast = _DIR_FIRST[lang]
    key1, key2 = _ONGOING_KEYS[lang]
    for i, s in enumerate(sentences):
        if not flags[i]:
            # "Одне боєзіткнення досі триває." right after a direction sentence belongs to it
            if last:
                og = _ongoing_in(s, lang)
                if og is not None and not _is_total_sentence(s):
                    for row in last:
                        if row[3] is None:
                            row[3] = og
                    continue
            last = []
            continue
        first: int | None = None
        m = None if (key1 in s or key2 in s) else fast.match(s)
        # opens with its direction: is the first number after it an attack count?
        if m is not None and _role(m, s, lang, m.start("num"), m.end("dir")) == "a":
            first = int(m.group("num"))
        else:
            m = None  # the general path reads the other numbers
        if m is not None:
            d0, d1 = 0, m.end("dir")
        else:
            m = rx.search(s)
            if not m:
                last = []
                continue
            d0, d1 = m.span()
        a, b = m.span("names")
        if a < 0:
            a, b = m.span("obl")
        if a == b:
            raw = ""
        elif orig is not None and offsets is not None:
            raw = orig[offsets[i] + a : offsets[i] + b].strip()
        else:
            raw = s[a:b].strip()
        if raw.startswith("the") and raw[3:4].isspace():
            raw = raw[3:].lstrip()
        names = _split_names(raw)
        if names and names[0].lower() in _THIS_DIRECTION:
            # "на цьому напрямку ще 5 боєзіткнень тривають": the direction just named
            f2, o2 = _first_counts(s[:d0] + " " + s[d1:], lang)
            for row in last:
                row[2] = row[2] if row[2] is not None else f2
                row[3] = row[3] if row[3] is not None else o2
            continue
        if orig is not None and names and names[0][:1].islower():
            names = []  # "на окремих напрямках", "на північному напрямку": not a name
        if not names:
            last = []
            continue
        # only the first attack count is used: "ворог 9 разів атакував … та 3 рази …"
        if first is None:
            first, ongoing = _first_counts(s[:d0] + " " + s[d1:], lang)
        else:
            ongoing = None
        ids = []
        for n in names:
            did, warn = resolve(n, on)
            ids.append(did)
            if warn:
                warnings.append(warn)
            if did is None:
                warnings.append(f"unknown direction name kept verbatim: {n!r}")
        if len(names) == 1:
            seen = next((r for r in rows if ids[0] is not None and r[1] == ids[0]), None)
            if seen is not None:
                # named in a pair before and now alone: one row, its missing counts filled
                seen[2] = seen[2] if seen[2] is not None else first
                seen[3] = seen[3] if seen[3] is not None else ongoing
                last = [seen]
                continue
            last = [[names[0], ids[0], first, ongoing, (), False]]
            rows.extend(last)
            continue
        group = tuple(names)
        if "відповідно" in s or "respectively" in s:
            seq = [int(x.group(0)) for x in _DIGITS.finditer(s, d1)]
            if len(seq) >= len(names):
                last = [
                    [n, d, v, None, group, False] for n, d, v in zip(names, ids, seq, strict=False)
                ]
                rows.extend(last)
                continue
            warnings.append(f"'respectively' without one number per direction: {s[:120]!r}")
        last = [[n, d, first, ongoing, group, True] for n, d in zip(names, ids, strict=True)]
        rows.extend(last)
    return tuple(DirectionCount(*r) for r in rows)


def _is_total_sentence(s: str) -> bool:
    """Whether a (lower-cased) sentence states a national total."""
    if not _DIGITS.search(s):
        return False  # every total pattern needs a number
    if not _ANY_TOTAL_KEY.search(s):
        return False
    return any(  # the last, generic headline pattern is not specific enough here
        rx.search(s)
        for (rx, _), keys in zip(_TOTALS[:-1], _TOTAL_KEYS[:-1], strict=True)
        if any(key in s for key in keys)
    )


#: 2024 on: three posts a day (08:00, 16:00, 22:00); before, 06:00 and 18:00
_THREE_SLOTS_FROM = 2024
#: a report time named in a header-less text ("станом на 16:00", "as of 6 pm"): minutes or
#: am/pm are required, so "станом на 18 листопада" is not a time
_TEXT_TIME = re.compile(
    r"(?:станом\s+на|as\s+of)\s+([0-9]{1,2})(?:[:.]([0-9]{2}))?\s*(am|pm)?(?![0-9])"
)


def _text_slot(text: str) -> str | None:
    """The report slot a header-less text names, if it is one of the General Staff's."""
    for m in _TEXT_TIME.finditer(text):
        hh, mm, ap = int(m.group(1)), m.group(2), m.group(3)
        if mm is None and ap is None:
            continue
        if ap == "pm" and hh < 12:
            hh += 12
        if hh in (6, 8, 16, 18, 22) and (mm is None or mm == "00"):
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


def _refines(rounded: int, exact: int) -> bool:
    """Whether *exact* can be the precise figure behind "more than / about *rounded*"."""
    return rounded * 0.9 <= exact <= rounded * 1.1 + 1


def _slot(t: datetime | None) -> str | None:
    if t is None:
        return None
    return f"{t.hour:02d}:{t.minute:02d}"


def parse_report(text: str, published: Any = None) -> Report | None:
    """Parse one operational report.

    Parameters
    ----------
    text
        The report (Ukrainian or English; markup, typographic apostrophes, special spaces
        and multipart markers "(1/2)" are handled).
    published
        Publication time (a datetime or string; timezone-aware times are converted to Kyiv
        time). Used to correct header date typos and when the text has no header.

    Raises
    ------
    ParameterError
        *published* is not a date and time (``"garbage"``, ``""``, ``"NaT"``, a number) or
        lies outside 2000–2100.

    Returns
    -------
    Report or None
        ``None`` when the text is not an operational report.

    Examples
    --------
    >>> r = parse_report("Оперативна інформація станом на 08.00 15.12.2024 щодо "
    ...                  "російського вторгнення. Загалом протягом минулої доби "
    ...                  "зафіксовано 251 бойове зіткнення.")
    >>> r.total, r.covers.isoformat(), r.complete, r.slot
    (251, '2024-12-14', True, '08:00')
    """
    if not isinstance(text, str) or not text.strip():
        return None
    raw = text
    text = normalise_text(text)
    low = text.lower()
    if not _REPORT_WORDS.search(low):
        return None
    text, low = _digits(text, low)
    # every pattern is written in lower case and matched on lower-cased text (re.I is slow
    # on Cyrillic); names are taken, as written, from the same span of the original
    orig = text
    text = low
    if len(text) != len(orig):  # a character whose lower case is longer: keep it simple
        orig = text
    warnings: list[str] = []
    part = None
    pm = _PART.search(text[:200]) or _PART.search(text[-40:])
    if pm and 1 <= int(pm.group(1)) <= int(pm.group(2)) <= 9:
        part = (int(pm.group(1)), int(pm.group(2)))
    lang = _language(text[:240])
    header, header_text = _header(text)
    if header is None and header_text:
        warnings.append(f"header {header_text[:80]!r} has an impossible date; ignored")
    pub = _local(published)
    corrected = False
    if header is not None and pub is not None and abs(header - pub) > timedelta(hours=12):
        cands = [
            datetime.combine(pub.date() + timedelta(days=k), header.time()) for k in (-1, 0, 1)
        ]
        best = min(cands, key=lambda c: abs(c - pub))
        warnings.append(
            f"header date {header:%d.%m.%Y %H:%M} is {abs(header - pub)} from the "
            f"publication time {pub:%d.%m.%Y %H:%M}; corrected to {best:%d.%m.%Y %H:%M}"
        )
        header, corrected = best, True
    ref = header or pub
    sentences, offsets = _split_sentences(text)
    flags = _direction_flags(sentences, _direction_stems_in(text))
    total = None
    floor = False
    kind = None
    total_sentence = None
    rounded: tuple[int, str | None, str | None] | None = None
    for s, is_dir in zip(sentences, flags, strict=True):
        dir_at = -1
        if is_dir and not _WHOLE_FRONT.search(s):
            # a headline can name the busiest sectors after the national count ("56 combat
            # clashes since morning; Pokrovsk and Kostiantynivka directions most active"),
            # but "55 clashes in the Kursk region" is a direction's count
            dm = _DIRECTION_WORDS.search(s)
            dir_at = dm.start() if dm else -1
        low = s
        if not _ANY_TOTAL_KEY.search(low):
            continue
        for (rx, k), keys in zip(_TOTALS, _TOTAL_KEYS, strict=True):
            if not any(key in low for key in keys):
                continue
            m = rx.search(s)
            if m and dir_at >= 0:
                gap = s[m.end() : dir_at]
                if m.end() > dir_at or len(gap.split()) < 3 or _GAP_LOCAL.match(gap):
                    m = None
            if m:
                v = parse_number(m.group("n"))
                if v is None:
                    continue
                is_floor = bool(m.groupdict().get("floor"))
                if rounded is not None and (is_floor or not _refines(rounded[0], v)):
                    break  # not an exact figure of the rounded one: keep looking
                total, kind, total_sentence = v, k, s
                floor = is_floor
                break
        if total is not None and not floor:
            break
        if total is not None and floor and rounded is None:
            # "more than 190" in a headline: an exact figure in the body wins
            rounded = (total, kind, total_sentence)
    measure = "engagements"
    if total is None and ref is not None and ref < _ENGAGEMENTS_FROM:
        # before the engagement count, the headline figure was the attacks repelled: its
        # own measure, never read as engagements
        for s in sentences:
            m = _REPELLED.search(s)
            if m:
                v = parse_number(m.group("n"))
                if v is not None:
                    total, kind, total_sentence, measure = v, "any", s, "attacks_repelled"
                    floor = bool(m.group("floor"))
                    break
    if header is None and _ZONE_UPDATE.search(text):
        return None  # an operational zone's or a group's own update, not the daily report
    if (
        total is None
        and header is None
        and not any(_ENG_ANY.search(s) and not f for s, f in zip(sentences, flags, strict=True))
    ):
        # neither a header nor a national sentence about engagements: not a report
        if not any(flags):
            return None
    if total is None:
        cand = next(
            (
                orig[o : o + len(s)]
                for s, o in zip(sentences, offsets, strict=True)
                if _ENG_ANY.search(s)
            ),
            None,
        )
        if cand is not None or header is not None:
            warnings.append(
                "total number of engagements could not be read"
                + (f" from the sentence: {cand[:160]!r}" if cand else " (no total sentence)")
            )
    change = None
    if total_sentence is not None:
        region = (
            total_sentence
            + " "
            + " ".join(
                sentences[sentences.index(total_sentence) + 1 : sentences.index(total_sentence) + 2]
            )
        )
        for rx in _CHANGE:
            m = rx.search(region)
            if m:
                v = parse_number(m.group("n"))
                if v is not None:
                    change = v if m.group("dir").lower() in ("більше", "more") else -v
                break
    # national 'still ongoing': in the sentences before the first direction sentence, or
    # in one that speaks of the whole front
    ongoing = None
    if _may_be_ongoing(text, lang):
        for s, is_dir in zip(sentences, flags, strict=True):
            if is_dir:
                break
            ongoing = _ongoing_in(s, lang)
            if ongoing is not None:
                break
    if ongoing is None and any(k in text for k in _ALL_FRONT_KEYS):
        for s in sentences:
            if any(k in s for k in _ALL_FRONT_KEYS) and _ALL_FRONT.search(s):
                ongoing = _ongoing_in(s, lang)
                if ongoing is not None:
                    break
    # slot, covered day, completeness
    slot = _slot(header)
    if slot is None:
        slot = _text_slot(text)
    if slot is None:
        if _EVENING.search(text) and ref is not None and ref.year < _THREE_SLOTS_FROM:
            slot = "18:00"  # 2022-23: the evening report was the 18:00 24-hour one
        elif _EVENING.search(text):
            slot = "22:00"
        elif _MORNING.search(text):
            slot = "08:00"
    covers: date | None = None
    complete = False
    window = "partial"
    tlow = (total_sentence or "").lower()
    day_words = _DAY_WORDS.search(tlow)
    partial_words = _PARTIAL_WORDS.search(tlow)
    if kind == "day" or (kind == "any" and day_words):
        window = "day"
    elif kind == "24h" or (kind == "any" and _DAY_24H.search(tlow)):
        window = "24h"
    elif kind == "partial" or partial_words:
        window = "partial"
    elif slot in ("08:00", "07:00", "09:00"):
        window = "day"
    elif slot == "18:00":
        window = "24h"
    elif slot == "06:00":
        window = "night"
    elif slot is None and total is not None:
        window = "unknown"
        warnings.append("the text does not say which part of the day its total covers")
    if slot == "18:00" and window in ("day", "unknown"):
        window = "24h"  # the 18:00 report's "past day" is the 24 hours to 18:00
    time_known = header is not None or _published_time_known(published)
    if ref is not None:
        if window == "day":
            before = header is None or ref.hour < 12
            covers = (ref - timedelta(days=1)).date() if before else ref.date()
            complete = True
        elif window == "24h":
            covers, complete = ref.date(), True
        elif window == "night":
            covers = (ref - timedelta(days=1)).date()
        elif window == "unknown":
            covers = ref.date()
        else:
            covers = ref.date()
            if header is None and time_known and ref.hour < 4:
                covers = (ref - timedelta(days=1)).date()
                warnings.append(
                    "no header, published after midnight: taken to cover the day before"
                )
    if header is None and total_sentence is not None:
        named = _named_day(total_sentence, ref)
        if named is not None:
            # a day named beside the figure ("since the start of the day on January 13",
            # "протягом минулої доби, 18 листопада") wins over the publication date
            if covers is not None and named != covers:
                warnings.append(
                    f"the text names {named:%Y-%m-%d}; taken as the day covered "
                    f"(the publication date gave {covers:%Y-%m-%d})"
                )
            covers = named
            complete = window in ("day", "24h")
    if header is None and pub is not None:
        warnings.append("no header: time taken from the publication time")
    on = covers or (ref.date() if ref else None)
    directions = _parse_directions(sentences, on, lang, warnings, flags, orig=orig, offsets=offsets)
    if total is not None and directions:
        mx = max(
            (d.attacks for d in directions if d.attacks is not None and not d.shared), default=None
        )
        if mx is not None and mx > total and not floor:
            warnings.append(
                f"sanity: national total {total} is below the largest direction count {mx}"
            )
    return Report(
        header_time=header,
        published=pub,
        slot=slot,
        covers=covers,
        complete=complete,
        window=window,
        total=total,
        total_floor=floor,
        measure=measure,
        change=change,
        ongoing=ongoing,
        directions=directions,
        language=lang,
        part=part,
        header_corrected=corrected,
        warnings=tuple(warnings),
        source=raw,
    )


def merge_parts(reports: Iterable[Report]) -> list[Report]:
    """Join multipart posts "(1/2)", "(2/2)" of the same header time into one report:
    the totals of part 1 with the directions of all parts."""
    out: list[Report] = []
    groups: dict[tuple[Any, int], list[Report]] = {}
    for r in reports:
        if r.part is None or r.header_time is None:
            out.append(r)
            continue
        groups.setdefault((r.header_time, r.part[1]), []).append(r)
    for (_, _), parts in groups.items():
        parts = sorted(parts, key=lambda r: r.part or (0, 0))
        first = parts[0]
        total = next((p.total for p in parts if p.total is not None), None)
        base = next((p for p in parts if p.total is not None), first)
        dirs = tuple(d for p in parts for d in p.directions)
        warns = tuple(
            w
            for p in parts
            for w in p.warnings
            if not (w.startswith("total number") and total is not None)
        )
        out.append(
            Report(
                header_time=base.header_time,
                published=min((p.published for p in parts if p.published), default=None),
                slot=base.slot,
                covers=base.covers,
                complete=base.complete,
                window=base.window,
                total=total,
                total_floor=base.total_floor,
                change=base.change,
                ongoing=base.ongoing
                if base.ongoing is not None
                else next((p.ongoing for p in parts if p.ongoing is not None), None),
                directions=dirs,
                language=base.language,
                part=None,
                header_corrected=any(p.header_corrected for p in parts),
                warnings=warns,
                source="\n".join(p.source for p in parts),
            )
        )
    return out


# =========================================================================== many reports
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
    import numpy as np
    import pandas as pd

    from ._dates import parse_date_column
    from .exceptions import DataFormatError, ParameterError

    if measure not in ("engagements", "attacks_repelled"):
        raise ParameterError(
            f"measure must be 'engagements' or 'attacks_repelled', got {measure!r}"
        )
    if not isinstance(table, pd.DataFrame):
        where = str(table)
        table = pd.read_csv(table, dtype=str, keep_default_na=False)
    missing = [c for c in ("day", "window", "total") if c not in table.columns]
    if missing:
        raise DataFormatError(
            f"{where}: a table of figures needs the columns day, window and total "
            f"(optional: hour, floor), missing {missing}"
        )
    days = parse_date_column(table["day"].astype(str), where=where, column="day")
    windows = table["window"].astype(str).str.strip().str.lower()
    bad = sorted(set(windows) - set(_TABLE_WINDOWS))
    if bad:
        raise DataFormatError(
            f"{where}: window must be one of {list(_TABLE_WINDOWS)}, got {bad[:3]}"
        )
    totals = pd.to_numeric(table["total"].replace("", None), errors="coerce")
    wrong = table["total"].astype(str).str.strip().ne("") & totals.isna()
    if wrong.any() or (totals.dropna() < 0).any() or (totals.dropna() % 1 != 0).any():
        raise DataFormatError(f"{where}: total must be a whole number >= 0 or empty")
    hours = (
        pd.to_numeric(table["hour"].replace("", None), errors="coerce")
        if "hour" in table.columns
        else pd.Series(np.nan, index=table.index)
    )
    floors = (
        pd.to_numeric(table["floor"].replace("", None), errors="coerce").fillna(0).astype(bool)
        if "floor" in table.columns
        else pd.Series(False, index=table.index)
    )
    out = []
    for day, w, tot, hour, fl in zip(days, windows, totals, hours, floors, strict=True):
        if pd.isna(tot) or pd.isna(day):
            continue
        d = pd.Timestamp(day).date()
        h = None if pd.isna(hour) else int(hour)
        slot = None if h is None else f"{h:02d}:00"
        if w == "24h":
            slot = "18:00"
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


def _as_reports(reports: Any) -> list[Report]:
    import pandas as pd

    if isinstance(reports, pd.DataFrame) and "report" not in reports.columns:
        if {"day", "window", "total"} <= set(reports.columns):
            return reports_from_table(reports)
    if isinstance(reports, pd.DataFrame):
        if "report" not in reports.columns:
            from .exceptions import SeriesValidationError

            raise SeriesValidationError(
                "a DataFrame of reports needs a 'report' column (see read_telegram_export)"
            )
        reports = reports["report"].tolist()
    out = [r for r in reports if isinstance(r, Report)]
    return merge_parts(out)


def _plausible_days() -> tuple[date, date]:
    """Covered days a report can have: from 2014 (the war's start) to tomorrow."""
    return date(2014, 1, 1), date.today() + timedelta(days=1)


def engagements_daily(reports: Any) -> Any:
    """Daily engagement series from many parsed reports.

    Parameters
    ----------
    reports
        Iterable of :class:`Report`, the DataFrame of :func:`read_telegram_export`, or a
        table of hand-collected figures (see :func:`reports_from_table`).

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
    """
    import numpy as np
    import pandas as pd

    from .io import _quality_frame, _quality_records

    reps = sorted(_as_reports(reports), key=lambda r: r.header_time or r.published or datetime.min)
    reps = [r for r in reps if r.covers is not None]
    events: list[dict[str, object]] = []
    lo, hi = _plausible_days()
    plausible = []
    for r in reps:
        assert r.covers is not None
        if lo <= r.covers <= hi:
            plausible.append(r)
            continue
        events.append(
            {
                "date": pd.Timestamp(min(max(r.covers, lo), hi)),
                "metric": "engagements",
                "kind": "implausible_date",
                "detail": f"a report said to cover {r.covers:%Y-%m-%d}, outside "
                f"{lo:%Y-%m-%d} … {hi:%Y-%m-%d}; left out",
                "value": np.nan,
            }
        )
    reps = plausible
    if not reps:
        from .exceptions import InsufficientDataError

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
    for r in reps:
        if r.covers is None:
            continue
        day = r.covers
        row = rec[day]
        ts = pd.Timestamp(day)
        row["n_reports"] += 1
        for w in r.warnings:
            events.append(
                {
                    "date": ts,
                    "metric": "engagements",
                    "kind": "parser_warning",
                    "detail": w,
                    "value": np.nan,
                }
            )
        if r.total is None:
            continue
        if r.measure != "engagements":
            row["attacks_repelled"] = r.total  # its own measure: never an engagement count
            continue
        if r.complete:
            # the 08:00 wrap-up is canonical; otherwise the later report wins
            if row["total_slot"] is None or r.slot == "08:00" or row["total_slot"] != "08:00":
                row["engagements"] = r.total
                row["total_slot"] = r.slot or r.window
                row["total_floor"] = r.total_floor
        elif r.window != "partial":
            continue  # 'unknown' or 'night': kept out of every column (see the warnings)
        elif r.slot == "16:00":
            row["partial_16"] = r.total
        elif r.slot in ("22:00", "21:00", "23:00"):
            row["partial_22"] = r.total
        else:
            row["partial_other"] = r.total
        key = r.slot or r.window
        if r.change is not None:
            row["stated_change"] = r.change
            prev = last_by_slot.get(key)
            if prev is not None and (day - prev[0]).days == 1:
                ok = (r.total - prev[1]) == r.change
                row["change_consistent"] = ok
                if not ok:
                    events.append(
                        {
                            "date": ts,
                            "metric": "engagements",
                            "kind": "change_mismatch",
                            "detail": f"stated {r.change:+d} against the previous {key} report, "
                            f"figures give {r.total - prev[1]:+d}",
                            "value": r.change,
                        }
                    )
        last_by_slot[key] = (day, r.total)
    df = pd.DataFrame.from_dict(rec, orient="index")
    df.index = days
    for day, row in rec.items():
        ts = pd.Timestamp(day)
        if np.isnan(row["engagements"]) and not (
            np.isnan(row["partial_16"])
            and np.isnan(row["partial_22"])
            and np.isnan(row["partial_other"])
        ):
            events.append(
                {
                    "date": ts,
                    "metric": "engagements",
                    "kind": "partial_day",
                    "detail": "only a partial-day figure was reported",
                    "value": np.nan,
                }
            )
        if row["partial_22"] > row["engagements"]:
            events.append(
                {
                    "date": ts,
                    "metric": "engagements",
                    "kind": "partial_exceeds_total",
                    "detail": "the 22:00 figure is above the day's wrap-up total",
                    "value": row["partial_22"],
                }
            )
    df.attrs["quality"] = _quality_records(_quality_frame(events))
    ratios = nowcast_ratios(df)
    df = _add_nowcast(df, ratios)
    df.attrs["nowcast"] = ratios
    return df


#: the fewest days with both a whole-day and a partial figure a ratio is estimated from
MIN_NOWCAST_PAIRS = 3
_PARTIAL_COLUMNS = {"22:00": "partial_22", "16:00": "partial_16", "other": "partial_other"}


def nowcast_ratios(daily: Any, level: float = 0.95) -> Any:
    """The ratio of the whole-day count to each partial figure, from the days with both.

    For each partial column (22:00, 16:00, other) of :func:`engagements_daily`: the number
    of days with both figures (exact whole-day totals only), the geometric-mean ratio
    whole / partial and the prediction factors for one new day,
    ``exp(mean ± t(n-1) · sd · sqrt(1 + 1/n))`` of the log-ratios. With fewer than
    ``MIN_NOWCAST_PAIRS`` days, or no spread among them, the row is NaN: no estimate is
    better than one with a zero-width interval.

    Returns
    -------
    pd.DataFrame
        Index ``slot``; columns ``n_pairs``, ``ratio``, ``ratio_lower``, ``ratio_upper``,
        ``sd_log``.
    """
    import numpy as np
    import pandas as pd
    from scipy import stats

    rows = []
    whole = daily["engagements"].where(~daily["total_floor"].astype(bool))
    for slot, col in _PARTIAL_COLUMNS.items():
        part = daily[col]
        ok = whole.notna() & part.notna() & (part > 0) & (whole > 0)
        lr = np.log(whole[ok].to_numpy(float) / part[ok].to_numpy(float))
        n = len(lr)
        row = {
            "slot": slot,
            "n_pairs": n,
            "ratio": np.nan,
            "ratio_lower": np.nan,
            "ratio_upper": np.nan,
            "sd_log": np.nan,
        }
        if n >= MIN_NOWCAST_PAIRS:
            m, sd = float(lr.mean()), float(lr.std(ddof=1))
            if sd > 0:
                h = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd * np.sqrt(1 + 1 / n)
                row.update(
                    ratio=np.exp(m), ratio_lower=np.exp(m - h), ratio_upper=np.exp(m + h), sd_log=sd
                )
        rows.append(row)
    return pd.DataFrame(rows).set_index("slot")


def _add_nowcast(daily: Any, ratios: Any) -> Any:
    """``engagements_estimated`` (the whole-day total, or where only partial figures exist
    the latest partial one times its ratio), its prediction interval and ``estimated``."""
    import numpy as np

    out = daily.copy()
    est = out["engagements"].astype(float).copy()
    lo = est.copy()
    hi = est.copy()
    flag = np.zeros(len(out), dtype=bool)
    missing = est.isna().to_numpy()
    # the day so far is a floor of the whole day: no estimate or bound below it
    floor = out[list(_PARTIAL_COLUMNS.values())].max(axis=1, skipna=True).to_numpy(float)
    usable = ratios[np.isfinite(ratios["ratio"])]
    width = np.log(usable["ratio_upper"] / usable["ratio_lower"])
    for slot in width.sort_values().index:  # the partial figure with the narrowest interval
        r = usable.loc[slot]
        part = out[_PARTIAL_COLUMNS[slot]].to_numpy(float)
        use = missing & ~flag & np.isfinite(part)
        est[use] = np.maximum(part[use] * r["ratio"], floor[use])
        lo[use] = np.maximum(part[use] * r["ratio_lower"], floor[use])
        hi[use] = np.maximum(part[use] * r["ratio_upper"], floor[use])
        flag |= use
    out["engagements_estimated"] = est
    out["estimate_lower"] = lo
    out["estimate_upper"] = hi
    out["estimated"] = flag
    return out


def direction_counts(reports: Any) -> Any:
    """Per-direction counts as a long table: date (covered day), slot, complete, direction
    (canonical id, or None), name (as written), attacks, ongoing, shared, group."""
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
    return pd.DataFrame(rows, columns=cols)


# =========================================================================== Telegram
def _telegram_text(text: Any) -> str:
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        parts = []
        for t in text:
            if isinstance(t, str):
                parts.append(t)
            elif isinstance(t, dict):
                parts.append(str(t.get("text", "")))
        return "".join(parts)
    return ""


def parse_with_date(text: str, published: Any, label: str) -> Report | None:
    """:func:`parse_report`, but a *published* that is no usable time (a broken export)
    is dropped with a warning on the report instead of raising."""
    from .exceptions import ParameterError

    try:
        _local(published)
    except ParameterError as exc:
        r = parse_report(text, published=None)
        if r is None:
            return None
        return replace(r, warnings=(*r.warnings, f"{label}: {exc}; publication time ignored"))
    return parse_report(text, published=published)


def read_telegram_export(path: Any) -> Any:
    """Reports from a Telegram Desktop JSON export of the channel (``result.json``).

    One row per report (multipart posts joined), latest edit winning when a message
    appears more than once; posts that are not operational reports are skipped.
    Columns: ``message_id``, ``published``, ``edited`` and the fields of
    :meth:`Report.to_record`, plus ``report`` (the :class:`Report`).

    Raises
    ------
    DataFormatError
        When the file is not a Telegram export (or not JSON, or nested too deeply).

    Messages whose ``id`` is not a number or text are skipped (their count is in
    ``attrs['skipped_messages']``); a message with a ``date`` that is not a time is parsed
    without it, with a warning on its report.
    """
    import json
    from pathlib import Path

    import pandas as pd

    from .exceptions import DataFormatError
    from .io import _read_text

    p = Path(path)
    try:
        obj = json.loads(_read_text(p))
    except json.JSONDecodeError as exc:
        raise DataFormatError(f"{p}: not JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise DataFormatError(f"{p}: JSON nested too deeply for a Telegram export") from None
    msgs = obj.get("messages") if isinstance(obj, dict) else None
    if not isinstance(msgs, list):
        raise DataFormatError(f"{p}: not a Telegram export (no 'messages' list)")
    latest: dict[Any, dict[str, Any]] = {}
    skipped = 0
    for m in msgs:
        if not isinstance(m, dict) or m.get("type", "message") != "message":
            continue
        mid = m.get("id")
        if isinstance(mid, bool) or not isinstance(mid, (int, str)):
            skipped += 1  # a message id is a number (or its text)
            continue
        prev = latest.get(mid)
        if prev is None or str(m.get("edited") or m.get("date") or "") >= str(
            prev.get("edited") or prev.get("date") or ""
        ):
            latest[mid] = m
    rows = []
    groups: dict[tuple[Any, int], list[tuple[Any, dict[str, Any], Report]]] = {}
    for mid, m in latest.items():
        r = parse_with_date(_telegram_text(m.get("text", "")), m.get("date"), f"message {mid}")
        if r is None:
            continue
        if r.part is not None and r.header_time is not None:
            groups.setdefault((r.header_time, r.part[1]), []).append((mid, m, r))
        else:
            rows.append(
                {
                    "message_id": mid,
                    "published": r.published,
                    "edited": m.get("edited"),
                    **r.to_record(),
                    "report": r,
                }
            )
    for parts in groups.values():
        parts.sort(key=lambda x: x[2].part or (0, 0))
        merged = merge_parts([r for _, _, r in parts])[0]
        mid, m, _ = parts[0]
        rows.append(
            {
                "message_id": mid,
                "published": merged.published,
                "edited": m.get("edited"),
                **merged.to_record(),
                "report": merged,
            }
        )
    df = pd.DataFrame(rows)
    if len(df):
        df = df.sort_values(
            ["header_time", "published"], kind="stable", na_position="last"
        ).reset_index(drop=True)
    df.attrs["skipped_messages"] = skipped
    return df
