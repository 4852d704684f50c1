"""Report parsing speed (target: at least 2,000 reports per second on one core).

    python benchmarks/parse.py

Parses the test corpus (tests/fixtures/report_corpus.py: short and full reports in both
languages) repeatedly and prints reports per second; also the same for the full reports
only (those with per-direction paragraphs), the slow case.
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
    print("reports per second on one core: median of 7 rounds of about 0.5 s [slowest, fastest]")
    for label, batch in batches:
        rates = []
        for _ in range(7):
            n = 0
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < 0.5:
                for t, p in batch:
                    parse_report(t, published=p)
                n += len(batch)
            rates.append(n / (time.perf_counter() - t0))
        rates.sort()
        print(
            f"{label:30s} {rates[3]:8,.0f}  [{rates[0]:,.0f}, {rates[-1]:,.0f}]  "
            f"({len(batch)} distinct texts, "
            f"mean {sum(len(t) for t, _ in batch) / len(batch):,.0f} characters)"
        )


if __name__ == "__main__":
    main()
