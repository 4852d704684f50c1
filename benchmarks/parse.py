"""Report parsing speed (target: at least 2,000 reports per second on one core).

    python benchmarks/parse.py

Parses three batches repeatedly and prints reports per second with the ratio to the
target: the test corpus (tests/fixtures/report_corpus.py: short and full reports in both
languages, press wording, headlines), its full reports with per-direction paragraphs, and
3 KB wrap-ups of the length of the real 2025 08:00 posts (header, total, a shelling and
drone paragraph, 14 direction paragraphs each followed by a 'still ongoing' sentence),
the slowest real case.

Each figure is the median of 11 rounds of about 0.5 s, with the slowest and fastest
round in brackets. On a shared virtual machine the speed of one core drifts by up to 1.5x
from minute to minute, so compare medians of whole runs, not single rounds.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "fixtures"))


_DIRS = [
    "Харківському",
    "Куп'янському",
    "Лиманському",
    "Сіверському",
    "Краматорському",
    "Торецькому",
    "Покровському",
    "Новопавлівському",
    "Гуляйпільському",
    "Оріхівському",
    "Придніпровському",
    "Курському",
    "Північно-Слобожанському",
    "Південно-Слобожанському",
]


def _long_report(i: int) -> str:
    """A wrap-up of the length of the real 2025 posts: header, total, shelling and drone
    paragraph, and one paragraph per direction with settlements and a 'still ongoing'."""
    lines = [
        f"**Оперативна інформація станом на 08.00 {10 + i % 18:02d}.03.2025 "
        "щодо російського вторгнення**",
        f"Загалом протягом минулої доби зафіксовано {150 + i} бойових зіткнень.",
        "Вчора противник завдав 2 ракетних та 80 авіаційних ударів, застосувавши 3 ракети "
        "та скинувши 130 керованих авіабомб. Крім того, залучив для ураження 2 100 "
        "дронів-камікадзе та здійснив "
        "4 500 обстрілів населених пунктів і позицій наших військ.",
    ]
    for j, d in enumerate(_DIRS):
        lines.append(
            f"На {d} напрямку ворог {3 + (i + j) % 40} разів атакував позиції наших захисників "
            "в районах населених пунктів Вовчанськ, Вільча, Дігтярне та у бік Лозової. "
            f"{(i + j) % 3} бойових зіткнення ще тривають."
        )
    lines.append("Сили оборони вживають заходів для стримування противника. Слава Україні!")
    return "\n".join(lines)


def main() -> None:
    from report_corpus import CASES

    from intensity.reports import parse_report

    texts = [(c["text"], c["published"]) for c in CASES]
    full = [(t, p) for t, p in texts if t.count("\n") >= 3]
    long = [(_long_report(i), None) for i in range(20)]
    batches = (
        ("whole corpus", texts),
        ("full reports with directions", full),
        ("long 08:00 reports (~3 KB)", long),
    )
    target = 2000
    print("reports per second on one core: median of 11 rounds [slowest, fastest]")
    for label, batch in batches:
        rates = []
        for _ in range(11):
            n = 0
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < 0.5:
                for t, p in batch:
                    parse_report(t, published=p)
                n += len(batch)
            rates.append(n / (time.perf_counter() - t0))
        rates.sort()
        print(
            f"{label:30s} {rates[5]:8,.0f}  [{rates[0]:,.0f}, {rates[-1]:,.0f}]  "
            f"{rates[5] / target:5.2f}x target  ({len(batch)} distinct texts, "
            f"mean {sum(len(t) for t, _ in batch) / len(batch):,.0f} characters)"
        )


if __name__ == "__main__":
    main()
