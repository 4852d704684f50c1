"""The parsed report: :class:`Report` and its per-direction :class:`DirectionCount`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class DirectionCount:
    """Engagements reported for one direction (or a group of paired directions).

    Examples
    --------
    >>> from intensity import parse_report
    >>> r = parse_report("Станом на 22.00 14.12.2024 відбулося 190 бойових зіткнень. "
    ...                  "На Покровському напрямку ворог 36 разів атакував наші позиції.")
    >>> [(d.direction, d.attacks) for d in r.directions]
    [('pokrovsk', 36)]
    """

    name: str  # as written
    direction: str | None  # canonical id (None: unknown name, kept verbatim in ``name``)
    attacks: int | None
    ongoing: int | None = None
    group: tuple[str, ...] = ()  # names sharing one total ("На X і Y напрямках ... 15")
    shared: bool = False  # True when ``attacks`` is the group's shared total


@dataclass(frozen=True)
class Report:
    """One parsed operational report.

    Examples
    --------
    >>> from intensity import parse_report
    >>> r = parse_report("Оперативна інформація станом на 08.00 15.12.2024 щодо "
    ...                  "російського вторгнення. Загалом протягом минулої доби "
    ...                  "зафіксовано 251 бойове зіткнення.")
    >>> type(r).__name__, r.total, r.covers.isoformat(), r.window
    ('Report', 251, '2024-12-14', 'day')
    """

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
