"""The national total: which sentence states it, how a rounded figure relates to an exact
one, the headline measure before May 2023, and the change a report states.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .numbers import parse_number
from .patterns import (
    _ANY_TOTAL_KEY,
    _CHANGE,
    _CLAUSE_BREAK,
    _DIGITS,
    _DIRECTION_WORDS,
    _ELLIPTIC_DIRECTION,
    _GAP_LOCAL,
    _HABITUAL,
    _LOCATIVE,
    _PARTITIVE,
    _REPELLED,
    _TOTAL_KEYS,
    _TOTALS,
    _WHOLE_FRONT,
)

#: the last patterns of _TOTALS are generic headline forms ("N combat clashes", "N бойових
#: зіткнень"): used to find a total when nothing more specific matched, but too loose to
#: call a sentence a total sentence
_GENERIC_PATTERNS = 3


#: a count right before a direction word (the text's number words are digits by now)
_COUNTED = re.compile(r"[0-9]+\s+(?:[\w']+\s+)?$")


@dataclass(frozen=True)
class Total:
    """The national figure of a report: its value, whether it is a floor ("more than N"),
    which pattern family found it ('day', 'partial', '24h' or 'any'), the sentence and
    what it counts."""

    value: int
    floor: bool
    kind: str
    sentence: str
    measure: str = "engagements"
    #: the sentence names a direction, region or operation as the count's own scope ("31
    #: engagements took place in the Kursk region"): never a whole-front total
    scoped: bool = False


def _is_total_sentence(s: str) -> bool:
    """Whether a (lower-cased) sentence states a national total."""
    if not _DIGITS.search(s):
        return False  # every total pattern needs a number
    if not _ANY_TOTAL_KEY.search(s):
        return False
    k = len(_TOTALS) - _GENERIC_PATTERNS
    return any(
        rx.search(s)
        for (rx, _), keys in zip(_TOTALS[:k], _TOTAL_KEYS[:k], strict=True)
        if any(key in s for key in keys)
    )


def _refines(rounded: int, exact: int) -> bool:
    """Whether *exact* can be the precise figure behind "more than / about *rounded*"."""
    return rounded * 0.9 <= exact <= rounded * 1.1 + 1


def _direction_at(s: str) -> int:
    """Where a direction sentence's direction is named (-1: a whole-front sentence). A
    headline can name the busiest sectors after the national count ("56 combat clashes
    since morning; Pokrovsk and Kostiantynivka directions most active"), but "55 clashes
    in the Kursk region" is a direction's count."""
    if _WHOLE_FRONT.search(s):
        return -1
    for dm in _DIRECTION_WORDS.finditer(s):
        # "on 5 directions", "in eight axes": how many directions, not one of them
        if not _COUNTED.search(s, max(0, dm.start() - 24), dm.start()):
            return dm.start()
    return -1


def _clear_of_direction(m: Any, s: str, dir_at: int) -> bool:
    """The count matched by *m* stands well before the direction named at *dir_at*."""
    if dir_at < 0:
        return True
    gap = s[m.end() : dir_at]
    return not (m.end() > dir_at or len(gap.split()) < 3 or _GAP_LOCAL.match(gap))


def _scoped(s: str, end: int, dir_at: int) -> bool:
    """Whether the direction named at *dir_at* is the scope of the count ending at *end*:
    in the same clause, with a place preposition among the last words before it ("31
    engagements took place in the Kursk region"); not a headline that names the busiest
    sectors after the count ("95 engagements since morning, Pokrovsk most active") or a
    part of it ("200 engagements today, most of them in the Pokrovsk sector")."""
    if dir_at < 0:
        return False
    gap = s[end:dir_at]
    if _CLAUSE_BREAK.search(gap) or _PARTITIVE.search(gap) or _DIGITS.search(gap):
        return False  # another clause, a part of the count, or another count's direction
    return bool(_LOCATIVE.search(" ".join(gap.split()[-4:])))


def _sentence_total(s: str, is_dir: bool, rounded: Total | None) -> Total | None:
    """The first total pattern matching the (lower-cased) sentence *s*; in a direction
    sentence only a count well before the direction's name. With *rounded* (a floor
    already found) only an exact figure that can be its precise value."""
    dir_at = _direction_at(s) if is_dir else -1
    for (rx, kind), keys in zip(_TOTALS, _TOTAL_KEYS, strict=True):
        if not any(key in s for key in keys):
            continue
        m = rx.search(s)
        if not m or not _clear_of_direction(m, s, dir_at):
            continue
        if _ELLIPTIC_DIRECTION.search(s, max(0, m.start() - 40), m.start()):
            continue  # "на Сіверському – 4 боєзіткнення": a direction's count
        v = parse_number(m.group("n"))
        if v is None:
            continue
        floor = bool(m.groupdict().get("floor"))
        if rounded is not None and (floor or not _refines(rounded.value, v)):
            return None  # not an exact figure of the rounded one: keep looking
        return Total(v, floor, kind, s, scoped=_scoped(s, m.end(), dir_at))
    return None


def find_total(sentences: list[str], flags: list[bool]) -> Total | None:
    """The national total of a report from its (lower-cased) sentences and their
    direction flags: the first sentence that states one; a rounded figure ("more than
    190" in a headline) gives way to an exact one in the body that can be its value, and
    a count in a sentence that names a direction to a whole-front one."""
    rounded: Total | None = None
    regional: Total | None = None
    for s, is_dir in zip(sentences, flags, strict=True):
        if not _ANY_TOTAL_KEY.search(s) or _HABITUAL.search(s):
            continue  # no total word, or a rate ("50 clashes occur daily")
        t = _sentence_total(s, is_dir, rounded)
        if t is None:
            continue
        if is_dir and not _WHOLE_FRONT.search(s):
            # "33 combat engagements took place on the Tavriiskyi Axis": a count in a
            # sentence that names a direction gives way to a whole-front one later; where
            # the direction is the count's own scope (no clause between them: "in the
            # Kursk region") it is never the whole front's, even when nothing else is
            # found; a headline naming the busiest sector after a comma is
            if not t.scoped:
                regional = regional or t
            continue
        if not t.floor:
            return t
        if rounded is None:
            rounded = t
    return rounded or regional


def repelled_total(sentences: list[str]) -> Total | None:
    """The headline figure before May 2023, "repelled N attacks": its own measure, never
    read as engagements."""
    for s in sentences:
        m = _REPELLED.search(s)
        if m:
            v = parse_number(m.group("n"))
            if v is not None:
                return Total(v, bool(m.group("floor")), "any", s, "attacks_repelled")
    return None


def stated_change(sentences: list[str], total_sentence: str) -> int | None:
    """The change on the previous report stated in the total's sentence or the next one
    ("на 84 більше", "84 more than the day before")."""
    i = sentences.index(total_sentence)
    region = total_sentence + " " + " ".join(sentences[i + 1 : i + 2])
    for rx in _CHANGE:
        m = rx.search(region)
        if m:
            v = parse_number(m.group("n"))
            if v is None:
                return None
            return v if m.group("dir").lower() in ("більше", "more") else -v
    return None
