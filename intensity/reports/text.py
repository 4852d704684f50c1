"""Text normalisation: markup, typography, thousands separators and number words made
uniform (:func:`normalise_text`), the language of a text and its split into sentences.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .numbers import _ADVERB_RE, _ADVERB_TO, _WORDS, parse_number

# --------------------------------------------------------------------------- text
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:[ ,][0-9]{3})+(?![0-9])")


def _join_thousands(m: re.Match[str]) -> str:
    """'1 040' → '1040', unless the match is the tail of a longer number."""
    start = m.start()
    if start and m.string[start - 1] in "0123456789.,":
        return m.group(0)
    return m.group(0).replace(" ", "").replace(",", "")


#: multipart markers "(1/2)", "[1/2]" and "(1\/2)" (a slash escaped for Markdown)
_PART = re.compile(r"[(\[]([0-9])\s*\\?[/\\]\s*([0-9])[)\]]")


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
    spaces, thousands separators ("1 040" → "1040").

    Examples
    --------
    >>> from intensity.reports import normalise_text
    >>> normalise_text("**Загалом** відбулося 1 040 бойових зіткнень — з них…")
    'Загалом відбулося 1040 бойових зіткнень - з них…'
    """
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


_CYR_BYTES = frozenset(range(0xE0, 0x100)) | {0xB3, 0xBF, 0xBA, 0xB4}
_NOT_CYR = bytes(b for b in range(256) if b not in _CYR_BYTES)
_NOT_LATIN = bytes(b for b in range(256) if not 0x61 <= b <= 0x7A)


def _language(head: str) -> str:
    """'uk' when a (lower-cased) text has more Cyrillic than Latin letters ('ru' when it
    has more of the letters only Russian uses, ы э ъ ё, than of those only Ukrainian uses,
    і ї є ґ, or none of the latter in 40 Cyrillic letters), else 'en'."""
    b = head.encode("cp1251", "ignore")
    cyrillic = len(b.translate(None, _NOT_CYR))
    if cyrillic <= len(b.translate(None, _NOT_LATIN)):
        return "en"
    russian = sum(head.count(c) for c in "ыэъё")
    ukrainian = sum(head.count(c) for c in "іїєґ")
    # forty Cyrillic letters of Ukrainian without one і are all but impossible
    return "ru" if russian > ukrainian or (ukrainian == 0 and cyrillic >= 40) else "uk"


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
