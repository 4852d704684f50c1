"""The vocabulary of the reports as regular expressions: month names, the header, the
engagement nouns in both languages, the national-total sentences (most specific first,
each with the literal words it needs), stated changes, direction phrases and the words
that say which part of the day a figure covers.
"""

from __future__ import annotations

import re
from datetime import datetime

from .numbers import NUM

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
    # Russian-language rewrites (genitive, as after a day number)
    "января": 1,
    "февраля": 2,
    "марта": 3,
    "апреля": 4,
    "мая": 5,
    "июня": 6,
    "июля": 7,
    "августа": 8,
    "сентября": 9,
    "октября": 10,
    "ноября": 11,
    "декабря": 12,
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
    r"(?:оперативна\s+інформація|оперативная\s+информация|operational\s+information"
    r"|operational\s+update)\s+(?:станом\s+на|по\s+состоянию\s+на|as\s+of|as\s+at)\s+([0-9]{1,2})[:.]([0-9]{2})\.?\s*(am|pm)?\s*(?:on\s+)?"
    rf"(?:([0-9]{{1,2}})\s*[./]\s*([0-9]{{1,2}})\s*[./]\s*([0-9]{{4}})|([0-9]{{1,2}})\s+({_MONTH_RE}),?\s+([0-9]{{4}})|"
    rf"({_MONTH_RE})\s+([0-9]{{1,2}}),?\s+([0-9]{{4}}))",
)
#: the engagement noun in Cyrillic: Ukrainian, and the Russian of Russian-language rewrites
#: ("боевых столкновений"); every Cyrillic pattern below accepts both
_ENG_UK = (
    r"(?:бойов\w*\s+зіткн\w*|боєзіткн\w*|бойов\w*\s+зіткнен\w*"
    r"|(?:інцидент\w*|випадк\w*)\s+(?:з\s+)?бойов\w*\s+зіткнен\w*"  # rewrites' wording
    r"|боев\w*\s+столкновени\w*|боестолкновени\w*)"
)
#: Russian: "за прошедшие сутки", "с начала суток", "за сутки"
_RU_DAY = r"(?:(?:всего\s+)?за\s+(?:прошедшие|минувшие|последние)\s+сутки|за\s+сутки)"
_RU_PARTIAL = r"(?:с\s+начала\s+(?:этих\s+|текущих\s+)?суток)"
_ENG_EN = (
    r"(?:(?:combat|military)\s+(?:engagements?|clashes?|encounters?)|clashes|battles"
    r"|engagements|firefights|skirmishes)"
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
    (  # "за добу на фронті відбулося 145", "загалом за добу зафіксовано 198"
        re.compile(rf"за\s+добу\s+(?:на\s+фронті\s+)?(?:\w+\s+){{0,3}}?{_FLOOR}{_N}\s+{_ENG_UK}"),
        "day",
    ),
    (  # Russian: "за прошедшие сутки произошло 203 боевых столкновения"
        re.compile(rf"{_RU_DAY}\s+(?:на\s+фронте\s+)?(?:\w+\s+){{0,2}}?{_FLOOR}{_N}\s+{_ENG_UK}"),
        "day",
    ),
    (  # "с начала суток на фронте произошло 112 боевых столкновений"
        re.compile(
            rf"{_RU_PARTIAL}\s+(?:на\s+фронте\s+)?(?:\w+\s+){{0,3}}?{_FLOOR}{_N}\s+{_ENG_UK}"
        ),
        "partial",
    ),
    (  # "количество боевых столкновений составляет 156"
        re.compile(
            r"количество\s+(?:[\w'-]+\s+){0,10}?(?:уже\s+)?(?:составляет|составило|составила"
            rf"|достигло|выросло\s+до|увеличилось\s+(?:уже\s+)?до)\s*[,-]?\s*{_FLOOR}{_N}"
        ),
        "any",
    ),
    (  # "на цей час відбулося 101 бойове зіткнення", "наразі ворог провів 40 атак"
        re.compile(
            r"(?:на\s+цей\s+час|на\s+даний\s+час|наразі)\s+(?:[\w']+\s+){0,3}?"
            rf"{_FLOOR}{_N}\s+{_ENG_UK}\b(?!\s+(?:ще\s+)?трива|\s+досі)"
        ),
        "partial",
    ),
    (  # French: "au cours des dernières 24 heures, 178 affrontements"
        re.compile(
            r"au\s+cours\s+des\s+derni[eè]res\s+(?:24|vingt-quatre)\s+heures\s*,?\s+"
            rf"{_FLOOR}{_N}\s+(?:affrontements|combats)\b"
        ),
        "day",
    ),
    (
        re.compile(
            r"кількість\s+(?:[\w'-]+\s+){0,12}?(?:вже\s+)?"
            r"(?:становить|становила|складає|складала|зросла\s+(?:ще\s+на\s+[\w']+,?\s+)?до"
            rf"|збільшил\w+\s+(?:вже\s+)?до|досягла|сягнула)\s*[,-]?\s*{_FLOOR}{_N}"
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
            rf"(?:провів|провели|здійснив|здійснили|здійснено|проведено|зафіксува\w+)\s+"
            rf"(?:вже\s+)?{_FLOOR}{_N}\s+(?:атак|спроб|штурм|наступальн|бо[їі]|бій\b)"
        ),
        "any",
    ),
    (
        re.compile(
            r"(?:відбул\w+|відбув\w*|пройшл\w*|зафіксовано|сталося|сталось"
            rf"|произош\w+|зафиксирован\w*|состоял\w+)\s+{_FLOOR}{_N}\s+"
            rf"(?:{_ENG_UK}|бій\b|бо[їі]\w*|(?:ворож\w+\s+|російськ\w+\s+)?атак)"
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
    (
        re.compile(
            r"(?:at\s+present|currently|so\s+far\s+today|as\s+of\s+now),?\s+"
            rf"(?:there\s+(?:have\s+been|were|are)\s+)?{_FLOOR}{_N}\s+{_ENG_EN}"
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
    (re.compile(rf"attacked\s+(?:[\w']+\s+){{0,12}}?{_FLOOR}{_N}\s+times"), "any"),
    # headline style ("war update: 311 combat clashes on frontline over past day"): the
    # count right before 'combat clashes/engagements' when nothing more specific matched
    (
        re.compile(
            rf"{_FLOOR}{_N}\s+(?:(?:combat|military)\s+(?:engagements?|clashes?|encounters?)|clashes|battles|skirmishes"
            r"|engagements)\b"
            r"(?!\s+(?:are|were|is)\s+(?:still\s+)?ongoing|\s+(?:are|were)\s+still|\s+continu)"
        ),
        "any",
    ),
    # headline list: "Генштаб: 173 бойових зіткнення, бої на … напрямках" (the count right
    # before the noun when nothing more specific matched; not an ongoing count)
    (
        # \b: the whole noun first, so "зіткне|нь ще тривають" cannot pass the test
        re.compile(rf"{_FLOOR}{_N}\s+{_ENG_UK}\b(?!\s+(?:ще\s+)?трива|\s+досі|\s+продолжа)"),
        "any",
    ),
    # French rewrite: "123 affrontements avec l'armée russe ont eu lieu samedi"
    (
        re.compile(rf"{_FLOOR}{_N}\s+affrontements\b(?!\s+(?:sont\s+)?(?:toujours\s+)?en\s+cours)"),
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
    ("за добу",),
    ("сутки",),
    ("суток",),
    ("количество",),
    ("на цей час", "на даний час", "наразі"),
    ("au cours",),
    ("кількість",),
    ("кількість",),
    ("сьогодні", "початку"),
    ("станом на зараз",),
    ("атакува",),
    ("атакува", "штурмува"),
    ("провів", "провели", "здійсн", "проведено", "зафіксува"),
    ("відбул", "відбув", "пройшл", "зафіксов", "сталос", "сталося")
    + ("произош", "зафиксир", "состоял"),
    ("зіткн", "боєзіткн"),
    ("past", "last"),
    ("past", "last"),
    ("yesterday",),
    ("past", "last"),
    ("since the",),
    ("at present", "currently", "so far", "as of now"),
    ("a total of",),
    ("in total",),
    ("recorded", "took place", "occurred", "taken place", "registered"),
    ("there were", "there have been"),
    ("number of",),
    ("attacked",),
    ("combat", "clashes", "battles", "military", "skirmishes", "engagements"),
    ("зіткн", "боєзіткн"),
    ("affrontements",),
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
    rf"{_ENG_UK}|{_ENG_EN}|оперативна\s+інформація|оперативная\s+информация"
    r"|operational\s+information|general\s+staff|генштаб|affrontements|état-major"
)


_DIRECTION_WORDS = re.compile(  # matched on lower-cased text (faster than re.I on Cyrillic)
    r"напрямк|операційн\w+\s+зон|області\b|районі\b|операції\b"
    r"|направлени|области\b|районе\b|операции\b"  # Russian
    r"|direction|sector|\bregion\b|\barea\b|\baxis\b"
)
#: a clause break between a count and a direction named after it ("173 clashes, heaviest
#: on the Pokrovsk direction"): the direction is not the count's scope
_CLAUSE_BREAK = re.compile(r"[,;:—–]|\s-\s")
#: a direction named by its adjective alone right before a count ("на Лиманському – 19
#: атак, на Сіверському – чотири боєзіткнення", "на Курском — 12"): that direction's count
_ELLIPTIC_DIRECTION = re.compile(
    r"(?:на|у|в)\s+[\w'’-]+(?:ському|цькому|зькому|ському|ском|цком|ой|ому)\s*[–—-]\s*$"
)
#: a place preposition: "in the Kursk region", "на Курському напрямку", "в районе"
_LOCATIVE = re.compile(r"\b(?:in|on|at|near|within|у|в|во|на|під|под)\b")
#: a part of the count, or its busiest sector, named after it ("most of them in the
#: Pokrovsk sector", "heaviest pressure in", "з них найбільше на Покровському"): the count
#: itself is the whole front's
_PARTITIVE = re.compile(
    r"\b(?:most|mostly|of\s+them|of\s+which|the\s+bulk|більшість|з\s+них|из\s+них"
    r"|больше\s+всего|большинство|heaviest|fiercest|hottest|toughest|hardest|highest"
    r"|largest|biggest|greatest|най\w+|наи\w+)\b"  # най-, наи-: a superlative
)
_WHOLE_FRONT = re.compile(r"загалом|in\s+total|a\s+total|total\s+of|на\s+фронті|front")
_ENG_ANY = re.compile(rf"{_ENG_UK}|{_ENG_EN}")
_ALL_FRONT = re.compile(
    r"загалом\s+на\s+фронті|на\s+всіх\s+напрямках|across\s+the\s+front|on\s+all\s+directions"
)
_ALL_FRONT_KEYS = ("фронті", "напрямках", "front", "directions")
_EVENING = re.compile(
    r"evening\s+(?:situation\s+)?(?:report|update)|вечірн\w+\s+зведен"
    r"|\b6\s*p\.?\s*m\.?\s+(?:report|update|summary)"
    r"|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s+evening"
)
_MORNING = re.compile(r"morning\s+(?:situation\s+)?report|ранков\w+\s+зведен")
_DAY_WORDS = re.compile(
    r"минул\w+\s+доб|вчора|past\s+day|last\s+day|past\s+24|yesterday|\bза\s+добу"
    r"|останн\w+\s+доб|попередн\w+\s+доб|загалом\s+за\s+добу"
    r"|(?:прошедш|минувш|последн)\w+\s+сутк|за\s+сутки|вчера|derni[eè]res\s+24"
)
_PARTIAL_WORDS = re.compile(
    r"від\s+початку|з\s+початку|since\s+the\s+(?:beginning|start)|since\s+(?:morning|dawn|midnight)"
    r"|станом\s+на\s+(?:зараз|вечір)|на\s+момент\s+зведення|кількість|\btoday\b|сьогодні"
    r"|поточн\w+\s+доб|на\s+цей\s+час|наразі|at\s+present|currently"
    r"|с\s+начала\s+суток|количество|сегодня|по\s+состоянию\s+на\s+(?:[0-9]|сейчас)"
    r"|(?:протягом|упродовж)\s+(?:цього\s+)?дня|від\s+самого\s+ранку|since\s+the\s+morning"
)
#: a rate, not one day's figure: "over 50 combat clashes occur daily", "в середньому 150
#: боїв на добу" (a statement about the fighting, not a report)
_HABITUAL = re.compile(
    r"\b(?:occur|occurs|take\s+place|takes\s+place|happen|happens)\s+(?:each\s+|every\s+)?da(?:il)?y"
    r"|\bevery\s+day\b|\bper\s+day\b|\bon\s+average\b|\baverag(?:e|ing)\b|щодня|щоденно\s+(?:відбува|трапля)"
    r"|в\s+середньому|ежедневно|каждый\s+день|в\s+среднем"
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
