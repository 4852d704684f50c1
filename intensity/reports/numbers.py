"""Numbers as the reports write them: digits and Ukrainian and English number words
("сто сорок два", "forty-two", "двічі"), read by :func:`parse_number`.
"""

from __future__ import annotations

import re

from ..directions import normalise_name

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


#: the value of each number word (units, tens and hundreds in both languages)
_WORD_VALUES = {**_UNITS_UK, **_TENS_UK, **_HUNDREDS_UK, **_UNITS_EN, **_TENS_EN}


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
    current = 0
    seen = False
    for w in re.split(r"[\s-]+", t):
        if w in ("and", "a", ""):
            continue
        if w == "hundred":
            current = max(current, 1) * 100
        elif w in _WORD_VALUES:
            current += _WORD_VALUES[w]
        else:
            return None
        seen = True
    return current if seen else None
