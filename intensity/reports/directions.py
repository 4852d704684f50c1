"""Per-direction counts: which sentences speak of directions, the role of each number
in them (attacks, still ongoing, "N разів" after an attack verb) and the table of
directions with paired and follow-up sentences.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ..directions import resolve
from .model import DirectionCount
from .patterns import (
    _ALL_FRONT,
    _ALL_FRONT_KEYS,
    _DIGITS,
    _DIR_EN,
    _DIR_UK,
    _DIRECTION_WORDS,
    _SPLIT_NAMES,
)
from .totals import _is_total_sentence

_DIRECTION_STEMS = (
    "напрямк",
    "операційн",
    "області",
    "районі",
    "операції",
    "направлени",
    "области",
    "районе",
    "операции",
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
#: a follow-up that gives a direction's whole count after a part of it ("зупинили п'ять
#: атак. Загалом ворог десять разів намагався ...": 10, not the 5 repelled)
_IN_TOTAL = re.compile(r"(?:загалом|всього|усього|in\s+total|overall|altogether)\b")


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
    if flags is None:
        flags = _direction_flags(sentences, _direction_stems_in("\n".join(sentences)))
    reader = _DirectionReader(lang, on, warnings, cased=orig is not None)
    for i, s in enumerate(sentences):
        if not flags[i]:
            reader.other_sentence(s)
            continue
        if orig is not None and offsets is not None:
            start = offsets[i]
            reader.direction_sentence(s, lambda a, b, k=start: orig[k + a : k + b].strip())
        else:
            reader.direction_sentence(s, lambda a, b, t=s: t[a:b].strip())
    return tuple(DirectionCount(*r) for r in reader.rows)


class _DirectionReader:
    """Reads direction sentences one after another. Rows are
    ``[name, id, attacks, ongoing, group, shared]``; DirectionCount objects are made once
    at the end (a follow-up sentence can still set 'ongoing'). ``last`` holds the rows of
    the previous direction sentence."""

    def __init__(self, lang: str, on: date | None, warnings: list[str], cased: bool) -> None:
        self.lang, self.on, self.warnings, self.cased = lang, on, warnings, cased
        self.rx = _DIR_UK if lang == "uk" else _DIR_EN
        self.fast = _DIR_FIRST[lang]
        self.keys = _ONGOING_KEYS[lang]
        self.rows: list[list[Any]] = []
        self.last: list[list[Any]] = []

    def other_sentence(self, s: str) -> None:
        """A sentence without a direction: "Одне боєзіткнення досі триває." right after
        a direction sentence belongs to it, and so does "Загалом ворог десять разів
        намагався …" (the direction's whole count, after a part of it: the larger wins);
        anything else ends the direction's context."""
        if self.last and _IN_TOTAL.match(s) and not _is_total_sentence(s):
            f, _ = _first_counts(s, self.lang)
            if f is not None:
                for row in self.last:
                    row[2] = _whole_count(row[2], f)
                return
        if self.last:
            og = _ongoing_in(s, self.lang)
            if og is not None and not _is_total_sentence(s):
                for row in self.last:
                    if row[3] is None:
                        row[3] = og
                return
        self.last = []

    def _match(self, s: str) -> tuple[Any, int | None, int, int]:
        """The direction match, the attack count when the sentence opens with its
        direction and the first number after it is one, and the span of the direction
        phrase (``None`` match: no direction phrase)."""
        key1, key2 = self.keys
        m = None if (key1 in s or key2 in s) else self.fast.match(s)
        # opens with its direction: is the first number after it an attack count?
        if m is not None and _role(m, s, self.lang, m.start("num"), m.end("dir")) == "a":
            return m, int(m.group("num")), 0, m.end("dir")
        m = self.rx.search(s)  # the general path reads the other numbers
        if not m:
            return None, None, 0, 0
        return m, None, m.start(), m.end()

    def direction_sentence(self, s: str, raw_of: Any) -> None:
        """A sentence that names directions: new rows, or counts for the previous ones."""
        m, first, d0, d1 = self._match(s)
        if m is None:
            self.last = []
            return
        names = _split_names(_names_text(m, raw_of))
        rest = s[:d0] + " " + s[d1:]
        if names and names[0].lower() in _THIS_DIRECTION:
            # "на цьому напрямку ще 5 боєзіткнень тривають": the direction just named
            f2, o2 = _first_counts(rest, self.lang)
            whole = _IN_TOTAL.match(s) is not None
            for row in self.last:
                row[2] = (
                    _whole_count(row[2], f2) if whole else (row[2] if row[2] is not None else f2)
                )
                row[3] = row[3] if row[3] is not None else o2
            return
        if self.cased and names and names[0][:1].islower():
            names = []  # "на окремих напрямках", "на північному напрямку": not a name
        if not names:
            self.last = []
            return
        # only the first attack count is used: "ворог 9 разів атакував … та 3 рази …"
        ongoing = None
        if first is None:
            first, ongoing = _first_counts(rest, self.lang)
        ids = [self._resolve(n) for n in names]
        if len(names) == 1:
            self._single(names[0], ids[0], first, ongoing)
        else:
            self._group(s, d1, names, ids, first, ongoing)

    def _resolve(self, name: str) -> str | None:
        did, warn = resolve(name, self.on)
        if warn:
            self.warnings.append(warn)
        if did is None:
            self.warnings.append(f"unknown direction name kept verbatim: {name!r}")
        return did

    def _single(self, name: str, did: str | None, first: Any, ongoing: Any) -> None:
        seen = next((r for r in self.rows if did is not None and r[1] == did), None)
        if seen is not None:
            # named in a pair before and now alone: one row, its missing counts filled
            seen[2] = seen[2] if seen[2] is not None else first
            seen[3] = seen[3] if seen[3] is not None else ongoing
            self.last = [seen]
            return
        self.last = [[name, did, first, ongoing, (), False]]
        self.rows.extend(self.last)

    def _group(
        self, s: str, d1: int, names: list[str], ids: list[Any], first: Any, ongoing: Any
    ) -> None:
        group = tuple(names)
        if "відповідно" in s or "respectively" in s:
            seq = [int(x.group(0)) for x in _DIGITS.finditer(s, d1)]
            if len(seq) >= len(names):
                self.last = [
                    [n, d, v, None, group, False] for n, d, v in zip(names, ids, seq, strict=False)
                ]
                self.rows.extend(self.last)
                return
            self.warnings.append(f"'respectively' without one number per direction: {s[:120]!r}")
        self.last = [[n, d, first, ongoing, group, True] for n, d in zip(names, ids, strict=True)]
        self.rows.extend(self.last)


def _whole_count(before: int | None, whole: int | None) -> int | None:
    """A direction's count once an "in total" figure follows: the total, unless it is
    smaller than the count already read (then it is not the whole of it)."""
    if whole is None:
        return before
    return whole if before is None or whole >= before else before


def _names_text(m: Any, raw_of: Any) -> str:
    """The direction names of match *m* as written (``raw_of(a, b)``), without a
    leading "the"."""
    a, b = m.span("names")
    if a < 0:
        a, b = m.span("obl")
    raw = "" if a == b else raw_of(a, b)
    if raw.startswith("the") and raw[3:4].isspace():
        raw = raw[3:].lstrip()
    return str(raw)


def _national_ongoing(text: str, sentences: list[str], flags: list[bool], lang: str) -> int | None:
    """The national 'still ongoing' count: in the sentences before the first direction
    sentence, or in one that speaks of the whole front."""
    if _may_be_ongoing(text, lang):
        for s, is_dir in zip(sentences, flags, strict=True):
            if is_dir:
                break
            og = _ongoing_in(s, lang)
            if og is not None:
                return og
    if any(k in text for k in _ALL_FRONT_KEYS):
        for s in sentences:
            if any(k in s for k in _ALL_FRONT_KEYS) and _ALL_FRONT.search(s):
                og = _ongoing_in(s, lang)
                if og is not None:
                    return og
    return None


def _sanity(
    total: int | None, floor: bool, directions: tuple[DirectionCount, ...], warnings: list[str]
) -> None:
    """Warn when the national total is below the largest single direction's count."""
    if total is None or not directions or floor:
        return
    mx = max(
        (d.attacks for d in directions if d.attacks is not None and not d.shared), default=None
    )
    if mx is not None and mx > total:
        warnings.append(f"sanity: national total {total} is below the largest direction count {mx}")
