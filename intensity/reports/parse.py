"""One report from its text (:func:`parse_report`) and multipart posts joined
(:func:`merge_parts`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
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
    raw = text
    prepared = _prepared(text)
    if prepared is None:
        return None
    text, orig = prepared
    warnings: list[str] = []
    lang = _language(text[:240])
    script = "en" if lang == "en" else "uk"  # the direction phrases: Latin or Cyrillic
    header, pub, corrected = _header_and_time(text, published, warnings)
    ref = header or pub
    sentences, offsets = _split_sentences(text)
    flags = _direction_flags(sentences, _direction_stems_in(text))
    total = find_total(sentences, flags)
    if total is None and ref is not None and ref < _ENGAGEMENTS_FROM:
        total = repelled_total(sentences)
    if _not_a_report(total, header, text, sentences, flags, orig):
        return None
    if total is None:
        _no_total_warning(header, sentences, offsets, orig, warnings)
    got = _TotalParts.of(total)
    slot = _slot_of(header, text, ref, pub, published, warnings)
    window = _window(
        got.kind, got.sentence, slot, total is not None, warnings, _before(sentences, got.sentence)
    )
    time_known = header is not None or _published_time_known(published)
    covers, complete = _covered_day(window, ref, header, time_known, got.sentence, warnings)
    if header is None and pub is not None:
        warnings.append("no header: time taken from the publication time")
    on = covers or (ref.date() if ref else None)
    directions = _parse_directions(
        sentences, on, script, warnings, flags, orig=orig, offsets=offsets
    )
    _sanity(got.value, got.floor, directions, warnings)
    return Report(
        header_time=header,
        published=pub,
        slot=slot,
        covers=covers,
        complete=complete,
        window=window,
        total=got.value,
        total_floor=got.floor,
        measure=got.measure,
        change=None if got.sentence is None else stated_change(sentences, got.sentence),
        ongoing=_national_ongoing(text, sentences, flags, script),
        directions=directions,
        language=lang,
        part=_part(text),
        header_corrected=corrected,
        warnings=tuple(warnings),
        source=raw,
    )


def _prepared(text: Any) -> tuple[str, str] | None:
    """The text normalised and lower-cased, and the same text in its original case
    (``None``: empty, or no word of an operational report). Every pattern is written in
    lower case and matched on lower-cased text (re.I is slow on Cyrillic); names are
    taken, as written, from the same span of the original."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = normalise_text(text)
    low = text.lower()
    if not _REPORT_WORDS.search(low):
        return None
    orig, low = _digits(text, low)
    if len(low) != len(orig):  # a character whose lower case is longer: keep it simple
        orig = low
    return low, orig


def _header_and_time(text: str, published: Any, warnings: list[str]) -> tuple[Any, Any, bool]:
    """The header time (reconciled with the publication time), the publication time in
    Kyiv time, and whether the header's date was corrected."""
    header, header_text = _header(text)
    if header is None and header_text:
        warnings.append(f"header {header_text[:80]!r} has an impossible date; ignored")
    pub = _local(published)
    header, corrected = _reconcile_header(header, pub, warnings)
    return header, pub, corrected


def _part_warnings(parts: list[Report], has_total: bool) -> tuple[str, ...]:
    """Every part's warnings; a part without the total says so, which the merged report
    no longer needs to when another part has it."""
    out = []
    for p in parts:
        out += [w for w in p.warnings if not (has_total and w.startswith("total number"))]
    return tuple(out)


def _slot_of(
    header: datetime | None,
    text: str,
    ref: datetime | None,
    pub: datetime | None,
    published: Any,
    warnings: list[str],
) -> str | None:
    """The report slot (:func:`_report_slot`); a page without one published after 18:00 in
    the regime of the 18:00 24-hour report quotes that report."""
    slot = _report_slot(header, text, ref)
    if slot is None and header is None and _evening_of_2023(pub, published):
        slot = "18:00"
        warnings.append(
            "published after 18:00 before May 2024: taken as the 18:00 report (24 hours to 18:00)"
        )
    return slot


def _evening_of_2023(pub: datetime | None, published: Any) -> bool:
    """A page published (time known) between 18:00 and midnight in the regime of the 18:00
    24-hour report (June 2023 to April 2024): the count it quotes is that report's."""
    from .dates import _THREE_SLOTS_FROM

    return (
        pub is not None
        and _published_time_known(published)
        and _ENGAGEMENTS_FROM <= pub < _THREE_SLOTS_FROM
        and pub.hour >= 18
    )


def _before(sentences: list[str], sentence: str | None) -> str | None:
    """The sentence before *sentence* (its window words describe the next sentence's count
    when that one has none: "За минулу добу на Покровському напрямку відбулося найбільше
    бойових зіткнень – 27. Усього на фронті зафіксовано 94 бої.")."""
    if sentence is None or sentence not in sentences:
        return None
    i = sentences.index(sentence)
    return sentences[i - 1] if i > 0 else None


def _not_a_report(
    total: Any, header: Any, text: str, sentences: list[str], flags: list[bool], orig: str
) -> bool:
    """A zone's or a group's own update (no header, its figure stated for the zone: a
    :class:`~intensity.exceptions.ReportSkippedWarning` quotes it), or a text with neither
    a header nor a sentence about engagements. A whole report that also names a zone's
    "area of responsibility" (every morning report from October 2023 to early 2024) is
    kept: its total's sentence does not name the zone."""
    if header is None and _ZONE_UPDATE.search(text):
        where = text if total is None else total.sentence
        if _ZONE_UPDATE.search(where):
            import warnings

            from ..exceptions import ReportSkippedWarning

            warnings.warn(
                "not taken as the daily report: an operational zone's or a group's own "
                f"update (its figure is the zone's, not the whole front's): {orig[:120]!r}",
                ReportSkippedWarning,
                stacklevel=3,
            )
            return True
    if total is not None or header is not None or any(flags):
        return False
    return not any(_ENG_ANY.search(s) for s in sentences)


def _no_total_warning(
    header: Any, sentences: list[str], offsets: list[int], orig: str, warnings: list[str]
) -> None:
    """Say that the total could not be read, quoting the first sentence about
    engagements."""
    cands = [
        orig[o : o + len(s)] for s, o in zip(sentences, offsets, strict=True) if _ENG_ANY.search(s)
    ]
    if header is None and not cands:
        return
    where = f" from the sentence: {cands[0][:160]!r}" if cands else " (no total sentence)"
    warnings.append("total number of engagements could not be read" + where)


@dataclass(frozen=True)
class _TotalParts:
    """What the report takes from the total found (or its absence)."""

    value: int | None = None
    floor: bool = False
    measure: str = "engagements"
    kind: Any = None
    sentence: Any = None

    @classmethod
    def of(cls, total: Any) -> _TotalParts:
        if total is None:
            return cls()
        return cls(total.value, total.floor, total.measure, total.kind, total.sentence)


def _part(text: str) -> tuple[int, int] | None:
    """The multipart marker "(1/2)" near the start or the end of a post."""
    pm = _PART.search(text[:200]) or _PART.search(text[-40:])
    if pm and 1 <= int(pm.group(1)) <= int(pm.group(2)) <= 9:
        return int(pm.group(1)), int(pm.group(2))
    return None


def merge_parts(reports: Iterable[Report]) -> list[Report]:
    """Join multipart posts "(1/2)", "(2/2)" of the same header time into one report:
    the totals of part 1 with the directions of all parts.

    Examples
    --------
    >>> from intensity.reports import merge_parts, parse_report
    >>> parts = [parse_report(
    ...     "Оперативна інформація станом на 08.00 15.12.2024 (1/2). Загалом протягом минулої "
    ...     "доби зафіксовано 251 бойове зіткнення."), parse_report(
    ...     "Оперативна інформація станом на 08.00 15.12.2024 (2/2). На Покровському "
    ...     "напрямку ворог 36 разів атакував наші позиції.")]
    >>> [(r.total, len(r.directions)) for r in merge_parts(parts)]
    [(251, 1)]
    """
    out: list[Report] = []
    groups: dict[tuple[Any, int], list[Report]] = {}
    for r in reports:
        if r.part is None or r.header_time is None:
            out.append(r)
            continue
        groups.setdefault((r.header_time, r.part[1]), []).append(r)
    out += [_merged(parts) for parts in groups.values()]
    return out


def _merged(parts: list[Report]) -> Report:
    """The parts of one post as one report: the first total found (and that part's
    header, window and change), every part's directions and warnings."""
    parts = sorted(parts, key=lambda r: r.part or (0, 0))
    first = parts[0]
    total = next((p.total for p in parts if p.total is not None), None)
    base = next((p for p in parts if p.total is not None), first)
    dirs = tuple(d for p in parts for d in p.directions)
    # a part without the total says so; the merged report has it
    warns = _part_warnings(parts, total is not None)
    ongoing = next((p.ongoing for p in [base, *parts] if p.ongoing is not None), None)
    return Report(
        header_time=base.header_time,
        published=min((p.published for p in parts if p.published), default=None),
        slot=base.slot,
        covers=base.covers,
        complete=base.complete,
        window=base.window,
        total=total,
        total_floor=base.total_floor,
        change=base.change,
        ongoing=ongoing,
        directions=dirs,
        language=base.language,
        part=None,
        header_corrected=any(p.header_corrected for p in parts),
        warnings=warns,
        source="\n".join(p.source for p in parts),
    )


# =========================================================================== many reports
