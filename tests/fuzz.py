"""Reusable generators of mangled inputs for the readers and the report parser.

Each generator takes a seeded :class:`random.Random` and yields inputs: valid files in the
layouts the readers accept (ISO, dotted and slashed day-first dates, wide and long, loss
tables like the real dataset's), then mangled by one to three mutations drawn from what
real exports and hand edits do (dates in another layout or order, day and month swapped,
``inf``/``1e400``/``Infinity``, thousands separators, repeated or space-padded column
names, truncation, stray bytes, deep nesting, far dates, huge numbers, lists where
numbers belong). :func:`check` feeds one input to a function and returns a description of
the failure, or ``None`` when the function answered or raised an ``IntensityError``.

:func:`mutate_bytes` adds byte-level damage and re-encodings (UTF-16, cp1251, KOI8-U, a
byte-order mark); :func:`figures_table` makes tables of hand-collected figures.

Used by ``tests/test_fuzz.py`` (500 inputs per function in the default run, 6,000 with
``-m slow``). Run the long version with ``python -m pytest -m slow tests/test_fuzz.py``.
"""

from __future__ import annotations

import json
import random
import resource
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from intensity.exceptions import IntensityError

#: Limits every input must respect (seconds, and growth of the peak resident memory).
MAX_SECONDS = 5.0
MAX_MEMORY_BYTES = 1 << 30

_LAYOUTS = [
    lambda d: d.strftime("%Y-%m-%d"),
    lambda d: d.strftime("%d.%m.%Y"),
    lambda d: d.strftime("%d/%m/%Y"),
    lambda d: d.strftime("%Y-%m-%dT00:00:00"),
    lambda d: d.strftime("%Y-%m-%dT00:00:00+02:00"),
]
_ODD_DATES = [
    "9999-12-31",
    "1800-01-01",
    "0001-01-01",
    "2024-02-30",
    "31.02.2024",
    "13/25/2024",
    "2024-13-01",
    "yesterday",
    "",
    "NaT",
    "2024-01-02T00:00:00+02:00",
    "2024-01-01 13:30",
    "1e10",
    "01.12.24",
    "2200-12-31",
]
_ODD_NUMBERS = [
    "inf",
    "-inf",
    "Infinity",
    "1e400",
    "NaN",
    "nan",
    "-",
    "1 040",
    "1\u202f040",
    "1,040",
    "9" * 400,
    "-5",
    "3.5",
    "1e12",
    "",
    "≈100",
    "²",
    "0x10",
    "true",
]
_JSON_ODD = [float("inf"), float("nan"), True, None, [1, 2], {"a": 1}, "12", 10**30, -1, 2.5]
_NAMES = ["personnel", "tank", "APC", "drone", "engagements", "x", "field artillery"]


def _dates(rng: random.Random, n: int) -> list[date]:
    start = date(2022, 2, 24) + timedelta(days=rng.randrange(0, 1500))
    step = rng.choice([1, 1, 1, 2])
    return [start + timedelta(days=i * step) for i in range(n)]


def _mutate_text(rng: random.Random, text: str) -> str:
    ops = [
        lambda t: t[: rng.randrange(0, len(t) + 1)],
        lambda t: _splice(rng, t, rng.choice(["\x00", "\ufeff", "\u202f", "é", "\n", ";", '"'])),
        lambda t: _splice(rng, t, rng.choice(_ODD_NUMBERS)),
        lambda t: _splice(rng, t, rng.choice(_ODD_DATES)),
        lambda t: t.replace(",", rng.choice([";", "\t", ", "]), rng.randrange(1, 4)),
        lambda t: t + "\n" + rng.choice(_ODD_DATES) + "," + rng.choice(_ODD_NUMBERS) + "\n",
        lambda t: "\n".join(rng.sample(t.split("\n"), len(t.split("\n")))),
        lambda t: t.replace("\n", "\r\n"),
        lambda t: _drop(rng, t),
    ]
    for _ in range(rng.randint(1, 3)):
        text = rng.choice(ops)(text)
    return text


def _splice(rng: random.Random, t: str, piece: str) -> str:
    i = rng.randrange(0, len(t) + 1)
    j = min(len(t), i + rng.randrange(0, 6))
    return t[:i] + piece + t[j:]


def _drop(rng: random.Random, t: str) -> str:
    if not t:
        return t
    i = rng.randrange(len(t))
    return t[:i] + t[i + rng.randrange(1, 8) :]


def counts_file(rng: random.Random) -> tuple[str, bytes]:
    """A counts file (``.csv`` or ``.json``, wide or long), often mangled."""
    n = rng.randint(1, 40)
    days = _dates(rng, n)
    layout = rng.choice(_LAYOUTS)
    cols = rng.sample(_NAMES, rng.randint(1, 3))
    if rng.random() < 0.2:  # names that collide once stripped
        cols.append(cols[0] + rng.choice([" ", "", "  "]))
    as_json = rng.random() < 0.35
    long = rng.random() < 0.3
    if as_json:
        recs: list[dict[str, Any]] = []
        for d in days:
            row: dict[str, Any] = {"date": layout(d)}
            for c in cols:
                row[c] = rng.randint(0, 3000) if rng.random() > 0.1 else rng.choice(_JSON_ODD)
            recs.append(row)
        if rng.random() < 0.3:
            recs[rng.randrange(len(recs))]["date"] = rng.choice(_ODD_DATES + [None, 5, [1]])
        text = json.dumps(recs, allow_nan=True)
        if rng.random() < 0.1:
            depth = rng.choice([50, 5000, 100000])
            text = "[" * depth + "]" * depth
        if rng.random() < 0.3:
            text = _mutate_text(rng, text)
        return ".json", text.encode("utf-8", "surrogatepass")
    lines = _csv_lines(rng, days, layout, cols, long)
    text = "\n".join(lines) + "\n"
    if rng.random() < 0.8:
        text = _mutate_text(rng, text)
    if rng.random() < 0.1:  # the thousands-dot layout of Ukrainian and German exports
        text = text.replace("1", "1.0", 1)
    data = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.25:
        data = mutate_bytes(rng, data)
    return ".csv", data


def _csv_lines(
    rng: random.Random, days: list[date], layout: Callable[[date], str], cols: list[str], long: bool
) -> list[str]:
    """The lines of a counts CSV: wide, long, or long keyed by a text column of another
    name (VIINA's ``day, source, events``; keys that are empty or look like numbers)."""
    if long and rng.random() < 0.4:
        key = rng.choice(["source", "direction", "напрямок", "metric", "value"])
        lines = [f"date,{key}," + ",".join(cols)]
        for d in days:
            for k in rng.sample(["unian", "Покровський", "ria", "", "1.5"], rng.randint(1, 3)):
                values = ",".join(str(rng.randint(0, 500)) for _ in cols)
                lines.append(f"{layout(d)},{k},{values}")
        return lines
    if long:
        lines = ["date,metric,value" + (",direction" if rng.random() < 0.5 else "")]
        with_dir = lines[0].endswith("direction")
        for d in days:
            for c in cols:
                v = str(rng.randint(0, 500))
                lines.append(
                    f"{layout(d)},{c},{v}"
                    + (f",{rng.choice(['', 'Pokrovsk'])}" if with_dir else "")
                )
        return lines
    lines = ["date," + ",".join(cols)]
    for d in days:
        lines.append(layout(d) + "," + ",".join(str(rng.randint(0, 3000)) for _ in cols))
    return lines


def loss_tables(rng: random.Random, template: list[dict[str, Any]] | None) -> dict[str, bytes]:
    """A folder's worth of loss tables (personnel and often equipment), cumulative like the
    real dataset's, from *template* rows (e.g. a window of the real file) when given."""
    if template:
        start = rng.randrange(0, max(1, len(template) - 60))
        rows = [dict(r) for r in template[start : start + rng.randint(2, 60)]]
    else:
        total = rng.randint(0, 10**5)
        rows = []
        for d in _dates(rng, rng.randint(2, 60)):
            total += rng.randint(0, 1500)
            rows.append(
                {"date": d.isoformat(), "day": 1, "personnel": total, "personnel*": "about"}
            )
    for _ in range(rng.randint(0, 3)):
        r = rows[rng.randrange(len(rows))]
        what = rng.random()
        if what < 0.3:
            r["date"] = rng.choice(_ODD_DATES)
        elif what < 0.5:
            r["personnel"] = rng.choice(_JSON_ODD)
        elif what < 0.6:
            try:
                r["date"] = date.fromisoformat(str(r["date"])[:10]).strftime("%d.%m.%Y")
            except ValueError:
                pass
        elif what < 0.7:
            r["personnel "] = r.get("personnel")
        elif what < 0.8:
            rows.append(dict(r))
        else:
            r["personnel"] = -abs(
                int(r.get("personnel") or 0) if isinstance(r.get("personnel"), int) else 1
            )
    out = {"russia_losses_personnel.json": json.dumps(rows, allow_nan=True)}
    if rng.random() < 0.5:
        eq = [
            {
                "date": r.get("date"),
                "tank": rng.randint(0, 9000),
                "drone": rng.choice([rng.randint(0, 9000), "x", None]),
            }
            for r in rows
        ]
        if rng.random() < 0.2:
            eq[0]["personnel"] = 5  # a metric in both files
        out["russia_losses_equipment.json"] = json.dumps(eq, allow_nan=True)
    if rng.random() < 0.25:
        k = rng.choice(list(out))
        out[k] = _mutate_text(rng, out[k])
    raw = {k: v.encode("utf-8", "surrogatepass") for k, v in out.items()}
    if rng.random() < 0.2:
        k = rng.choice(list(raw))
        raw[k] = mutate_bytes(rng, raw[k])
    return raw


#: Sentences of operational reports and their press rewrites, written for these tests.
_REPORT_PARTS = [
    "Оперативна інформація станом на 08.00 {d} щодо російського вторгнення.",
    "Загалом протягом минулої доби зафіксовано {n} бойових зіткнень.",
    "Від початку доби відбулося {n} бойових зіткнень.",
    "На Покровському напрямку ворог {k} разів атакував позиції наших військ.",
    "Since the start of the day, {n} combat engagements have taken place.",
    "Over the past day, {n} combat clashes were recorded, {k} more than the day before.",
    "As of 22:00, there were {n} clashes along the front line; {k} are still ongoing.",
    "Ukrainian forces repelled {k} attacks in the Kursk direction.",
    "Загалом з початку доби кількість бойових зіткнень сягнула {n}.",
    "Generalstab: {n} Kämpfe. (1/2)",
]


def report_text(rng: random.Random) -> str:
    """A report-like text, often with mangled numbers and dates."""
    d = (date(2023, 1, 1) + timedelta(days=rng.randrange(1500))).strftime("%d.%m.%Y")
    parts = rng.sample(_REPORT_PARTS, rng.randint(1, 5))
    nums = [
        str(rng.randint(0, 400)),
        "двісті сорок",
        "one hundred and four",
        "9" * rng.choice([5, 20, 5000]),
        " ".join(["100"] * rng.randint(1, 2000)),
        "1 040",
        "²",
    ]
    text = " ".join(
        p.format(
            d=rng.choice([d, "31.02.2024", "01.13.2024", "06.00. 24.11. 2023", "99.99.9999"]),
            n=rng.choice(nums),
            k=rng.choice(nums[:3]),
        )
        for p in parts
    )
    if rng.random() < 0.4:
        text = _mutate_text(rng, text)
    return text


def published_value(rng: random.Random) -> Any:
    """A value for ``parse_report(published=...)``: valid times and every kind of junk."""
    base = datetime(2023, 1, 1) + timedelta(minutes=rng.randrange(0, 3 * 525600))
    return rng.choice(
        [
            None,
            base,
            base.isoformat(),
            base.replace(tzinfo=timezone(timedelta(hours=2))),
            base.date(),
            base.strftime("%Y-%m-%dT%H:%M:%S+02:00"),
            "garbage",
            "",
            "NaT",
            "9999-12-31T23:00:00",
            "0001-01-01",
            "1e10",
            12345,
            float("nan"),
            True,
            [base.isoformat()],
            {"date": 1},
            b"2024-12-14",
            "2024-12-14 25:61",
        ]
    )


def telegram_export(rng: random.Random) -> bytes:
    """A Telegram Desktop export (``result.json``) with odd messages."""
    msgs: list[Any] = []
    for i in range(rng.randint(0, 12)):
        m: dict[str, Any] = {
            "id": rng.choice([i, i, i, str(i), [i], {"i": i}, None, 1.5, True]),
            "type": rng.choice(["message", "message", "service", None]),
            "date": published_value(rng),
            "text": rng.choice(
                [
                    report_text(rng),
                    [report_text(rng), {"type": "bold", "text": "х"}],
                    None,
                    5,
                    [{"text": [1]}],
                ]
            ),
        }
        if rng.random() < 0.2:
            m["edited"] = rng.choice(["2024-12-15T10:00:00", None, 5, []])
        msgs.append(m if rng.random() > 0.05 else rng.choice([None, 5, "x", []]))
    obj: Any = {"name": "GS", "messages": msgs}
    if rng.random() < 0.1:
        obj = rng.choice([msgs, {"messages": "no"}, 5])
    text = json.dumps(obj, default=str, allow_nan=True)
    if rng.random() < 0.05:
        depth = rng.choice([1000, 100000])
        text = '{"messages": ' + "[" * depth + "]" * depth + "}"
    if rng.random() < 0.2:
        text = _mutate_text(rng, text)
    return text.encode("utf-8", "surrogatepass")


_ENCODINGS = ["utf-16", "utf-16-le", "cp1251", "latin-1", "utf-8-sig", "koi8-u", "utf-32"]


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """One to four byte-level mutations (bit flips, inserted, deleted or repeated bytes,
    a byte-order mark, a re-encoding of the whole text into another code page), as a
    broken download, a hand edit in another editor or a spreadsheet export does."""
    b = bytearray(data)

    def flip() -> None:
        if b:
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)

    def insert() -> None:
        i = rng.randrange(len(b) + 1)
        b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))

    def delete() -> None:
        if b:
            i = rng.randrange(len(b))
            del b[i : i + rng.randint(1, 8)]

    def repeat() -> None:
        if b:
            i = rng.randrange(len(b))
            j = min(len(b), i + rng.randint(1, 64))
            b[j:j] = b[i:j] * rng.randint(1, 50)

    def bom() -> None:
        b[0:0] = rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])

    def reencode() -> None:
        text = bytes(b).decode("utf-8", errors="replace")
        enc = rng.choice(_ENCODINGS)
        b[:] = text.encode(enc, errors="replace")

    ops = [flip, flip, insert, delete, repeat, bom, reencode]
    for _ in range(rng.randint(1, 4)):
        rng.choice(ops)()
    return bytes(b)


_FIGURE_WINDOWS = ["day", "partial", "24h", "unknown", "DAY", " day ", "whole", ""]
_FIGURE_HOURS = ["", "8", "16", "22", "22:00", "7:30", "18", "inf", "25", "-1", "22h", "nan"]
_FIGURE_FLOORS = ["", "0", "1", "TRUE", "yes", "no", "maybe", "2"]
_FIGURE_TOTALS = ["124", "0", "", "311", "1e20", "-3", "12.5", "9" * 30, "1 040", "≈90"]


def figures_table(rng: random.Random) -> bytes:
    """A table of hand-collected engagement figures (day, window, hour, total, floor,
    change, url), often with odd cells and byte-level damage."""
    cols = ["day", "window", "hour", "total", "floor", "change", "url"]
    if rng.random() < 0.2:
        cols = rng.sample(cols, rng.randint(2, len(cols)))
    lines = [",".join(cols)]
    for d in _dates(rng, rng.randint(0, 30)):
        cells = {
            "day": rng.choice(_LAYOUTS)(d) if rng.random() > 0.05 else rng.choice(_ODD_DATES),
            "window": rng.choice(_FIGURE_WINDOWS[:3])
            if rng.random() > 0.1
            else rng.choice(_FIGURE_WINDOWS),
            "hour": rng.choice(_FIGURE_HOURS[:4])
            if rng.random() > 0.1
            else rng.choice(_FIGURE_HOURS),
            "total": str(rng.randint(10, 400))
            if rng.random() > 0.1
            else rng.choice(_FIGURE_TOTALS),
            "floor": rng.choice(["0", ""]) if rng.random() > 0.1 else rng.choice(_FIGURE_FLOORS),
            "change": rng.choice(["", "+12", "-5"]),
            "url": "https://example.org/" + str(rng.randrange(10**6)),
        }
        lines.append(",".join(cells[c] for c in cols))
    text = "\n".join(lines) + "\n"
    if rng.random() < 0.3:
        text = _mutate_text(rng, text)
    data = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.3:
        data = mutate_bytes(rng, data)
    return data


def check(fn: Callable[[], Any], label: str, limit: float = MAX_SECONDS) -> str | None:
    """Run *fn*; the failure as text (foreign exception, over *limit* seconds), else
    ``None``."""
    t0 = time.perf_counter()
    try:
        fn()
    except IntensityError:
        pass
    except Exception as exc:  # noqa: BLE001 - this is what the fuzz test looks for
        return f"{label}: {type(exc).__name__}: {str(exc)[:200]}"
    took = time.perf_counter() - t0
    if took > limit:
        return f"{label}: took {took:.1f} s (limit {limit} s)"
    return None


def peak_memory_bytes() -> int:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def inputs(make: Callable[[random.Random], Any], n: int, seed: int) -> Iterator[tuple[int, Any]]:
    """*n* inputs of generator *make*, each from its own seed (so a failure can be replayed
    alone with ``make(random.Random(seed * 1_000_003 + i))``)."""
    for i in range(n):
        yield i, make(random.Random(seed * 1_000_003 + i))


def write(folder: Path, name: str, data: bytes) -> Path:
    p = folder / name
    p.write_bytes(data)
    return p


def count_series(rng: random.Random) -> Any:
    """A daily count series of 60-1,800 days an analysis might be handed: levels from 0.2
    to 2,000 a day, a drifting log-rate (daily sd 0, 0.01 or 0.05), and sometimes missing
    days, a first half of zeros, one constant value or one day of a million."""
    import numpy as np
    import pandas as pd

    g = np.random.default_rng(rng.getrandbits(63))
    n = int(g.integers(60, 1800))
    level = float(g.choice([0.2, 1.0, 5.0, 50.0, 2000.0]))
    walk = np.cumsum(g.normal(0.0, float(g.choice([0.0, 0.01, 0.05])), n))
    y = g.poisson(level * np.exp(walk)).astype(float)
    if g.random() < 0.3:
        y[g.random(n) < g.random()] = np.nan
    if g.random() < 0.2:
        y[: n // 2] = 0.0
    if g.random() < 0.1:
        y[:] = 7.0
    if g.random() < 0.1:
        y[int(g.integers(0, n))] = 1e6
    return pd.Series(y, index=pd.date_range("2022-01-01", periods=n, freq="D"))


#: inputs of the command line fuzzer (:func:`cli_inputs`): name -> file or folder
_CLI_VALUES: dict[str, list[Any]] = {
    "--metric": [["tanks"], ["tanks", "personnel"], ["nope"], [""], ["tanks", "tanks"], ["тanks"]],
    "--model": ["auto", "negbin", "poisson", "normal", "normal_meanvar", "linear_trend", "x"],
    "--penalty": ["mbic", "bic", "aic", "5", "-1", "nan", "inf", "x", "0", "1e308"],
    "--seed": ["0", "-1", "99999999999999999999", "x", "1.5"],
    "--start": ["2022-06-01", "2022-09-01", "2023-02-01", "2030-01-01", "1900-01-01"]
    + ["2022-13-01", "x", "", "01.06.2022"],
    "--end": ["2023-01-01", "2021-01-01", "2022-03-05", "x", "2099-12-31"],
    "--format": ["pdf", "png", "svg", "pdf,png", "jpg", "", ",", "PDF"],
    "--dpi": ["72", "0", "-5", "100000", "x", "nan"],
    "--source": ["", "GS via x", "ü" * 300, "a\nb"],
    "--date-column": ["date", "day", "nope", ""],
    "--absent-days": ["missing", "zero", "x"],
}


def cli_inputs(folder: Path) -> dict[str, Path]:
    """Small inputs of ``intensity report`` written to *folder*: 500 simulated days of two
    metrics, the same with a metric of zeros, with gaps, as weekly and monthly sums, its
    first 20 days, an empty file, a header alone, a date column named ``day``, a folder
    of them, a table of period figures."""
    import numpy as np
    import pandas as pd

    from intensity import simulate_counts

    sim = simulate_counts(500, seed=1).counts
    df = pd.DataFrame({"personnel": sim, "tanks": (sim / 50).round()})
    df.index.name = "date"
    zeros, gaps = df.copy(), df.copy()
    zeros["tanks"] = 0.0
    zeros.iloc[100:103, 1] = 4.0
    gaps.iloc[50:150] = np.nan
    gaps.iloc[300:310] = np.nan
    monthly = pd.DataFrame({"tanks": simulate_counts(1100, seed=2).counts}).resample("MS").sum()
    monthly.index.name = "date"
    texts = {
        "ok.csv": df.to_csv(),
        "zeros.csv": zeros.to_csv(),
        "gappy.csv": gaps.to_csv(),
        "weekly.csv": df.resample("W-SUN").sum().iloc[1:-1].to_csv(),
        "monthly.csv": monthly.iloc[1:-1].to_csv(),
        "short.csv": df.iloc[:20].to_csv(),
        "empty.csv": "",
        "header.csv": "date,personnel\n",
        "day.csv": df.rename_axis("day").to_csv(),
        "periods.csv": "period,value,kind\n2023-03,9000,monthly_total\n",
    }
    out = {}
    for name, text in texts.items():
        out[name] = folder / name
        out[name].write_text(text)
    (folder / "folder").mkdir(exist_ok=True)
    (folder / "folder" / "a.csv").write_text(df.iloc[:400].to_csv())
    out["folder"] = folder / "folder"
    out["missing.csv"] = folder / "missing.csv"
    return out


def report_argv(rng: random.Random, files: dict[str, Path], out: Path) -> list[str]:
    """Arguments of ``intensity report``: an input from *files* (:func:`cli_inputs`; most
    often one that analyses, with ``--metric tanks``) and zero to four options with
    values good and bad (:data:`_CLI_VALUES`)."""
    if rng.random() < 0.6:
        name = rng.choice(["ok.csv", "zeros.csv", "gappy.csv", "weekly.csv", "monthly.csv"])
        argv = ["report", "--input", str(files[name]), "--metric", "tanks"]
    else:
        argv = ["report", "--input", str(rng.choice([*files.values(), "", "-", "/dev/null"]))]
    argv += ["--out", str(out)]
    options = dict(_CLI_VALUES, **{"--periods": [files["periods.csv"], files["ok.csv"]]})
    for opt in rng.sample(sorted(options), rng.randint(0, 4)):
        value = rng.choice(options[opt])
        argv += [opt, *(str(v) for v in (value if isinstance(value, list) else [value]))]
    return argv


def run_cli(argv: list[str]) -> str | None:
    """Run the command line in this process; the failure as text (an exit status other
    than 0 or 2, an internal error, a traceback or a warning in what it printed, a NaN in
    what a run that succeeded printed, status 2 without an error line), else ``None``."""
    import contextlib
    import io

    from intensity.cli import main

    err, out = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code: Any = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    text = err.getvalue() + out.getvalue()
    label = " ".join(argv)
    if code not in (0, 2):
        return f"{label}: exit status {code}"
    # a NaN is a defect in what an analysis printed, not in an error echoing a value
    for bad in ("internal error", "Traceback", "Warning", *((" nan", "+nan") if code == 0 else ())):
        if bad in text:
            line = next(x for x in text.splitlines() if bad in x)
            return f"{label}: {bad!r} in the output: {line[:200]}"
    lines = err.getvalue().splitlines()
    if code == 2 and not any(x.startswith("intensity: error: ") or "error:" in x for x in lines):
        return f"{label}: status 2 without an error line: {lines[-1:]}"
    return None


def build_argv(rng: random.Random, folder: Path) -> list[str]:
    """Arguments of ``intensity build`` on a raw folder of one to three fuzzed counts
    files (:func:`counts_file`) written under *folder*, sometimes with
    ``--absent-days`` or ``--date-column``."""
    raw = folder / "raw"
    raw.mkdir()
    for j in range(rng.randint(1, 3)):
        suffix, data = counts_file(rng)
        write(raw, f"m{j}{suffix}", data)
    argv = ["build", "--raw", str(raw), "--processed", str(folder / "processed")]
    if rng.random() < 0.3:
        argv += ["--absent-days", rng.choice(["zero", "missing"])]
    if rng.random() < 0.2:
        argv += ["--date-column", rng.choice(["date", "day", "Date", ""])]
    return argv


#: valid options of each analysis, drawn by :func:`analysis_call`
ANALYSIS_OPTIONS: dict[str, dict[str, list[Any]]] = {
    "detect_breaks": {
        "model": ["auto", "negbin", "poisson", "normal", "normal_meanvar", "linear_trend"],
        "penalty": ["mbic", "bic", "aic", 10.0],
        "min_size": [1, 7, 30, 90],
        "max_breaks": [None, 0, 1, 5],
        "dependence": ["auto", "ar1", "local", "none"],
        "n_boot": [0, 99],
        "seasonal": ["auto", None],
        "n_breaks": [None, 0, 2],
    },
    "fit_seasonal": {
        "weekly": ["auto", True, False],
        "annual": ["auto", 0, 1, 3],
        "trend": ["auto", 0, 1, 5],
        "dependence": ["auto", "ar1", "none"],
        "tests": [True, False, ["annual"]],
        "max_harmonics": [1, 4],
    },
    "seasonal_excess": {
        "season": [("11-01", "02-28"), ("06-01", "08-31"), ("12-15", "01-15"), ("01-01", "12-31")],
        "around_days": [60, 240, 700],
        "dependence": ["auto", "ar1", "none"],
        "shifts": ["auto", ()],
        "min_coverage": [0.0, 0.5, 1.0],
        "pre_days": [1, 60],
        "max_days": [1, 90, 400],
    },
    "detect_anomalies": {
        "baseline": [None, "seasonal", "level"],
        "alpha": [0.01, 0.2],
        "min_days": [1, 14, 60],
        "max_days": [14, 90, 300],
        "n_sim": [19, 199],
        "dependence": ["auto", "ar1", "none"],
        "harmonics": [0, 1, 3],
        "shifts": ["auto", ()],
    },
    "decompose": {"transform": ["log1p", "sqrt", "none"], "robust": [True, False]},
    "event_effect": {"window": [7, 30, 90, 400], "trend": [True, False], "level": [0.5, 0.95]},
    "seasonal_profile": {"by": ["weekday", "month"], "dependence": ["auto", "ar1", "none"]},
}


def analysis_call(rng: random.Random, series: Any) -> tuple[str, Callable[[], Any]]:
    """One analysis of *series* (a quarter of the time summed to weekly or monthly counts)
    with up to four of its options drawn from :data:`ANALYSIS_OPTIONS`: a label and a
    call that runs it, its summary and its text."""
    import intensity

    name = rng.choice(sorted(ANALYSIS_OPTIONS))
    options = ANALYSIS_OPTIONS[name]
    chosen = rng.sample(sorted(options), rng.randint(0, min(4, len(options))))
    kw = {k: rng.choice(options[k]) for k in chosen}
    if rng.random() < 0.25:
        series = series.resample(rng.choice(["W-SUN", "MS"])).sum(min_count=1)
    args = (series, series.index[len(series) // 2]) if name == "event_effect" else (series,)
    fn = getattr(intensity, name)

    def call() -> None:
        result = fn(*args, **kw)
        result.summary()
        text = str(result)
        for bad in ("nan%", "+inf%"):
            if bad in text:
                raise AssertionError(f"{bad!r} in the text of the result")

    return f"{name}({series.index.freqstr}, {len(series)} periods, {kw})", call
