"""One report from its text (:func:`parse_report`) and multipart posts joined
(:func:`merge_parts`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .dates import (
    _covered_day,
    _header,
    _local,
    _published_time_known,
    _reconcile_header,
    _report_slot,
    _window,
)
from .directions import (
    _direction_flags,
    _direction_stems_in,
    _national_ongoing,
    _parse_directions,
    _sanity,
)
from .model import Report
from .patterns import _ENG_ANY, _ENGAGEMENTS_FROM, _REPORT_WORDS, _ZONE_UPDATE
from .text import _PART, _digits, _language, _split_sentences, normalise_text
from .totals import find_total, repelled_total, stated_change


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
    part = _part(text)
    lang = _language(text[:240])
    header, header_text = _header(text)
    if header is None and header_text:
        warnings.append(f"header {header_text[:80]!r} has an impossible date; ignored")
    pub = _local(published)
    header, corrected = _reconcile_header(header, pub, warnings)
    ref = header or pub
    sentences, offsets = _split_sentences(text)
    flags = _direction_flags(sentences, _direction_stems_in(text))
    total = find_total(sentences, flags)
    if total is None and ref is not None and ref < _ENGAGEMENTS_FROM:
        total = repelled_total(sentences)
    if header is None and _ZONE_UPDATE.search(text):
        return None  # an operational zone's or a group's own update, not the daily report
    if (
        total is None
        and header is None
        and not any(_ENG_ANY.search(s) and not f for s, f in zip(sentences, flags, strict=True))
        and not any(flags)
    ):
        return None  # neither a header nor a sentence about engagements: not a report
    if total is None and (header is not None or any(_ENG_ANY.search(s) for s in sentences)):
        cand = next(
            (
                orig[o : o + len(s)]
                for s, o in zip(sentences, offsets, strict=True)
                if _ENG_ANY.search(s)
            ),
            None,
        )
        warnings.append(
            "total number of engagements could not be read"
            + (f" from the sentence: {cand[:160]!r}" if cand else " (no total sentence)")
        )
    sentence = total.sentence if total is not None else None
    slot = _report_slot(header, text, ref)
    window = _window(total.kind if total else None, sentence, slot, total is not None, warnings)
    time_known = header is not None or _published_time_known(published)
    covers, complete = _covered_day(window, ref, header, time_known, sentence, warnings)
    if header is None and pub is not None:
        warnings.append("no header: time taken from the publication time")
    on = covers or (ref.date() if ref else None)
    directions = _parse_directions(sentences, on, lang, warnings, flags, orig=orig, offsets=offsets)
    floor = total.floor if total is not None else False
    _sanity(total.value if total else None, floor, directions, warnings)
    return Report(
        header_time=header,
        published=pub,
        slot=slot,
        covers=covers,
        complete=complete,
        window=window,
        total=total.value if total else None,
        total_floor=floor,
        measure=total.measure if total else "engagements",
        change=stated_change(sentences, sentence) if sentence is not None else None,
        ongoing=_national_ongoing(text, sentences, flags, lang),
        directions=directions,
        language=lang,
        part=part,
        header_corrected=corrected,
        warnings=tuple(warnings),
        source=raw,
    )


def _part(text: str) -> tuple[int, int] | None:
    """The multipart marker "(1/2)" near the start or the end of a post."""
    pm = _PART.search(text[:200]) or _PART.search(text[-40:])
    if pm and 1 <= int(pm.group(1)) <= int(pm.group(2)) <= 9:
        return int(pm.group(1)), int(pm.group(2))
    return None


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
