"""The General Staff's front directions: canonical ids, aliases in both languages, and the
dates on which each name was in use.

Directions were renamed, merged and created over time (see ``GS_ENGAGEMENTS_NOTES.md``):

* 2025-01-10: Kurakhove dropped; Vremivka renamed Novopavlivka (with part of Kurakhove);
  the rest merged into Pokrovsk.
* 2025-06-16: North-Slobozhanskyi added; Kharkiv renamed South-Slobozhanskyi.
* 2025-10-08: corps reform: Siversk, Novopavlivka and Toretsk removed; Sloviansk,
  Oleksandrivka and Kostiantynivka added.

A per-direction series is therefore not stationary in definition: :func:`resolve`
returns the canonical id and says when a name is used outside its validity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

__all__ = ["Direction", "DIRECTIONS", "resolve", "direction_table", "normalise_name"]


@dataclass(frozen=True)
class Direction:
    """One canonical direction.

    Examples
    --------
    >>> from intensity.directions import DIRECTIONS
    >>> kharkiv = DIRECTIONS[0]
    >>> kharkiv.name_en, str(kharkiv.valid_to), kharkiv.successor
    ('Kharkiv', '2025-06-15', 'south_slobozhanskyi')
    """

    id: str
    name_en: str
    name_uk: str
    valid_from: date | None = None
    valid_to: date | None = None  # last day in use
    successor: str | None = None
    aliases: tuple[str, ...] = ()


_D = Direction
DIRECTIONS: tuple[Direction, ...] = (
    _D(
        "kharkiv",
        "Kharkiv",
        "Харківський",
        None,
        date(2025, 6, 15),
        "south_slobozhanskyi",
        ("харків", "kharkiv", "kharkov"),
    ),
    _D(
        "south_slobozhanskyi",
        "South-Slobozhanskyi",
        "Південно-Слобожанський",
        date(2025, 6, 16),
        None,
        None,
        ("південно-слобожан", "south-slobozhan", "south slobozhan", "pivdenno-slobozhan"),
    ),
    _D(
        "north_slobozhanskyi",
        "North-Slobozhanskyi",
        "Північно-Слобожанський",
        date(2025, 6, 16),
        None,
        None,
        ("північно-слобожан", "north-slobozhan", "north slobozhan", "pivnichno-slobozhan"),
    ),
    # the plain name, neither North nor South (the longer aliases above win for those)
    _D(
        "slobozhanskyi",
        "Slobozhanskyi",
        "Слобожанський",
        None,
        None,
        None,
        ("слобожан", "slobozhan"),
    ),
    _D(
        "kupiansk",
        "Kupiansk",
        "Куп'янський",
        None,
        None,
        None,
        ("куп'ян", "kupiansk", "kupyansk", "kupjansk", "kupiansk"),
    ),
    _D("lyman", "Lyman", "Лиманський", None, None, None, ("лиман", "lyman")),
    _D(
        "siversk",
        "Siversk",
        "Сіверський",
        None,
        date(2025, 10, 7),
        None,
        ("сіверськ", "сіверськ", "siversk", "siwersk", "sivers'k"),
    ),
    _D("kramatorsk", "Kramatorsk", "Краматорський", None, None, None, ("краматор", "kramatorsk")),
    _D("bakhmut", "Bakhmut", "Бахмутський", None, None, None, ("бахмут", "bakhmut")),
    _D(
        "toretsk",
        "Toretsk",
        "Торецький",
        None,
        date(2025, 10, 7),
        None,
        ("торецьк", "торецьк", "toretsk"),
    ),
    _D(
        "pokrovsk",
        "Pokrovsk",
        "Покровський",
        None,
        None,
        None,
        ("покровськ", "покровськ", "pokrovsk"),
    ),
    _D(
        "avdiivka", "Avdiivka", "Авдіївський", None, None, None, ("авдіїв", "avdiivka", "avdiyivka")
    ),
    _D("marinka", "Marinka", "Мар'їнський", None, None, None, ("мар'їн", "marinka", "mariinka")),
    _D(
        "kurakhove",
        "Kurakhove",
        "Курахівський",
        None,
        date(2025, 1, 9),
        "pokrovsk",
        ("курахів", "kurakhove", "kurakhivsk", "kurakhovo"),
    ),
    _D(
        "vremivka",
        "Vremivka",
        "Времівський",
        None,
        date(2025, 1, 9),
        "novopavlivka",
        ("времів", "vremivka", "vremivsk"),
    ),
    _D(
        "novopavlivka",
        "Novopavlivka",
        "Новопавлівський",
        date(2025, 1, 10),
        date(2025, 10, 7),
        None,
        ("новопавлів", "novopavlivka", "novopavlivsk"),
    ),
    _D("shakhtarsk", "Shakhtarsk", "Шахтарський", None, None, None, ("шахтар", "shakhtarsk")),
    _D(
        "huliaipole",
        "Huliaipole",
        "Гуляйпільський",
        None,
        None,
        None,
        ("гуляйпіл", "huliaipole", "gulyaipole", "hulyaipole"),
    ),
    _D("orikhiv", "Orikhiv", "Оріхівський", None, None, None, ("оріхів", "orikhiv", "orikhov")),
    _D(
        "zaporizhzhia",
        "Zaporizhzhia",
        "Запорізький",
        None,
        None,
        None,
        ("запорізьк", "zaporizhzhia"),
    ),
    _D(
        "prydniprovske",
        "Prydniprovske",
        "Придніпровський",
        None,
        None,
        None,
        ("придніпров", "prydniprovsk", "dnipro", "херсон", "kherson"),
    ),
    _D("kursk", "Kursk", "Курський", None, None, None, ("курськ", "курськ", "kursk")),
    _D(
        "sloviansk",
        "Sloviansk",
        "Слов'янський",
        date(2025, 10, 8),
        None,
        None,
        ("слов'ян", "sloviansk", "slovyansk"),
    ),
    _D(
        "oleksandrivka",
        "Oleksandrivka",
        "Олександрівський",
        date(2025, 10, 8),
        None,
        None,
        ("олександрів", "oleksandrivka"),
    ),
    _D(
        "kostiantynivka",
        "Kostiantynivka",
        "Костянтинівський",
        date(2025, 10, 8),
        None,
        None,
        ("костянтинів", "kostiantynivka", "kostyantynivka", "konstantinovka"),
    ),
    _D("volyn", "Volyn", "Волинський", None, None, None, ("волин", "volyn")),
    _D("polissia", "Polissia", "Поліський", None, None, None, ("поліськ", "поліськ", "polissia")),
    _D("chernihiv", "Chernihiv", "Чернігівський", None, None, None, ("чернігів", "chernihiv")),
    _D("sumy", "Sumy", "Сумський", None, None, None, ("сумськ", "сумськ", "sumy")),
)
_BY_ID = {d.id: d for d in DIRECTIONS}
_APOS = re.compile("[ʼ’'`´]")


def normalise_name(name: str) -> str:
    """Lower case, one apostrophe, no extra spaces or markup.

    Examples
    --------
    >>> from intensity.directions import normalise_name
    >>> normalise_name("  Куп’янському **")
    "куп'янському"
    """
    s = _APOS.sub("'", name).replace("*", "").replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", " ", s).strip().lower()


@lru_cache(maxsize=4096)
def _resolve_name(name: str) -> Direction | None:
    n = normalise_name(name)
    best: Direction | None = None
    best_len = 0
    for d in DIRECTIONS:
        for a in d.aliases:
            if a in n and len(a) > best_len:
                best, best_len = d, len(a)
    return best


@lru_cache(maxsize=8192)  # a report names the same few directions on the same day
def resolve(name: str, on: date | None = None) -> tuple[str | None, str | None]:
    """Canonical id of a direction name (any language or case form) and a warning when the
    name is used outside the dates it was valid. Unknown names give ``(None, None)``."""
    best = _resolve_name(name)
    if best is None:
        return None, None
    warn = None
    if on is not None:
        if best.valid_from and on < best.valid_from:
            warn = (
                f"direction {best.name_en!r} is used on {on} before it existed ({best.valid_from})"
            )
        elif best.valid_to and on > best.valid_to:
            nxt = f"; its successor is {_BY_ID[best.successor].name_en!r}" if best.successor else ""
            warn = (
                f"direction {best.name_en!r} is used on {on} after it ended ({best.valid_to}){nxt}"
            )
    return best.id, warn


def direction_table() -> list[dict[str, object]]:
    """The table as records (for a DataFrame).

    Examples
    --------
    >>> import pandas as pd
    >>> from intensity.directions import direction_table
    >>> table = pd.DataFrame(direction_table())
    >>> table.columns.tolist()[:3]
    ['id', 'name_en', 'name_uk']
    """
    return [
        {
            "id": d.id,
            "name_en": d.name_en,
            "name_uk": d.name_uk,
            "valid_from": d.valid_from,
            "valid_to": d.valid_to,
            "successor": d.successor,
            "aliases": ", ".join(d.aliases),
        }
        for d in DIRECTIONS
    ]
