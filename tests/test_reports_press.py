"""Report parsing in the wordings of others (issue 14): news rewrites, the English press,
the General Staff's short 16:00 updates and posts that are not the daily report. The texts
are in ``fixtures/press_corpus.py``; the accuracy by family is printed by

    python tests/test_reports_press.py
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

import intensity

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
sys.path.insert(0, str(Path(__file__).parent))
from press_corpus import CASES  # noqa: E402
from test_reports import _check  # noqa: E402


def test_press_corpus_size():
    assert len(CASES) >= 60
    assert len({c["id"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_press_corpus(case):
    """Each text as expected; a text the parser drops leaves a ReportSkippedWarning, and
    only a text expected not to be a report may (issue 25: never silently)."""
    import warnings

    from intensity.exceptions import ReportSkippedWarning

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        _check(case)
    if any(issubclass(w.category, ReportSkippedWarning) for w in seen):
        assert case["expect"].get("none"), "dropped, though expected as a report"


def accuracy(cases: list[dict] = CASES, check=_check) -> dict[str, tuple[int, int]]:
    """Cases parsed right, by family: {family: (right, all)}."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for c in cases:
        total[c["family"]] += 1
        try:
            check(c)
        except AssertionError:
            continue
        right[c["family"]] += 1
    return {f: (right[f], total[f]) for f in total}


if __name__ == "__main__":
    for fam, (ok, n) in accuracy().items():
        print(f"{fam:10s} {ok:3d} / {n:3d}")


# ------------------------------------------------------- hand-collected figures, nowcast
def _news(shared_dir):
    import pandas as pd

    return pd.read_csv(
        shared_dir / "news_engagements" / "engagements.csv", dtype=str, keep_default_na=False
    )


def test_figure_table_gives_the_daily_columns(shared_dir):
    """The news figures (121 days, 2023-26) as a table: NaN rows for the gaps, whole-day and
    partial columns apart, the 24-hour 2023 reports as complete days."""
    import numpy as np
    import pandas as pd

    from intensity.reports import engagements_daily

    t = _news(shared_dir)
    d = engagements_daily(t)
    assert d.index.freqstr == "D" and len(d) > 1000
    assert d["engagements"].notna().sum() == 68
    assert d.loc["2023-05-23", "engagements"] == 16  # a 2023 18:00 24-hour report
    both = d["engagements"].notna() & d["partial_other"].notna()
    assert both.sum() >= 3
    # partial figures never leak into the whole-day column
    only = d["engagements"].isna() & d[["partial_16", "partial_22", "partial_other"]].notna().any(
        axis=1
    )
    assert only.sum() > 40 and d.loc[only, "engagements"].isna().all()
    est = d[d["estimated"]]
    assert len(est) > 0
    assert (est["estimate_upper"] > est["estimate_lower"]).all()  # never zero width
    floor = est[["partial_16", "partial_22", "partial_other"]].max(axis=1)
    assert (est["estimate_lower"] >= floor - 1e-9).all()
    assert np.isnan(d.attrs["nowcast"].loc["22:00", "ratio"])  # 2 days with both: too few
    # a day-so-far figure above its day's whole-day total is a quality finding
    q = pd.DataFrame(d.attrs["quality"])
    bad = q[q["kind"] == "partial_exceeds_total"]
    assert list(pd.to_datetime(bad["date"]).dt.strftime("%Y-%m-%d")) == ["2025-11-26"]


def test_nowcast_intervals_cover_held_back_days(shared_dir):
    """Leave one day with both figures out, estimate its whole-day count from its partial
    figure and the other days' ratio: the 95% prediction intervals cover the held-back
    whole-day count (measured: 9 of 10 days: the four 16:00 days, with intervals as wide as
    three days make them, and 5 of 6 days whose partial figure has no hour; the miss is a
    day whose stated whole-day count, 213, is below its evening figure, 216)."""
    import numpy as np

    from intensity.reports import engagements_daily

    d = engagements_daily(_news(shared_dir))
    cols = {"16:00": "partial_16", "other": "partial_other", "22:00": "partial_22"}
    hit = n = 0
    for slot, col in cols.items():
        pairs = d.index[d["engagements"].notna() & d[col].notna() & ~d["total_floor"]]
        for day in pairs:
            held = d.copy()
            held.loc[day, "engagements"] = np.nan
            r = intensity.reports.nowcast_ratios(held).loc[slot]
            if not np.isfinite(r["ratio"]):
                continue
            n += 1
            p = d.loc[day, col]
            hit += p * r["ratio_lower"] <= d.loc[day, "engagements"] <= p * r["ratio_upper"]
    assert n >= 8, n
    assert hit / n >= 0.8, (hit, n)


def test_figure_table_errors(tmp_path):
    import pandas as pd

    from intensity.exceptions import DataFormatError
    from intensity.reports import reports_from_table

    with pytest.raises(DataFormatError, match="needs the columns day, window and total"):
        reports_from_table(pd.DataFrame({"day": ["2025-01-01"], "total": [3]}))
    with pytest.raises(DataFormatError, match="window must be one of"):
        reports_from_table(pd.DataFrame({"day": ["2025-01-01"], "window": ["noon"], "total": [3]}))
    with pytest.raises(DataFormatError, match="whole number"):
        reports_from_table(pd.DataFrame({"day": ["2025-01-01"], "window": ["day"], "total": ["x"]}))
    # day-first dotted days, as the domain writes them
    r = reports_from_table(pd.DataFrame({"day": ["01.12.2024"], "window": ["day"], "total": [5]}))
    assert r[0].covers.isoformat() == "2024-12-01"


def test_report_on_hand_collected_figures(shared_dir, tmp_path):
    """intensity report --input engagements.csv --periods aggregates.csv (issue 25): the
    analyses of the reported days say what they could not do, and the reconstructed
    series answers the winter question for the engagement count with the stated months."""
    import pandas as pd
    from pypdf import PdfReader

    from intensity.cli import main

    out = tmp_path / "rep"
    figures = shared_dir / "news_engagements" / "engagements.csv"
    rc = main(
        [
            "report",
            "--input",
            str(figures),
            "--periods",
            str(shared_dir / "gs_engagement_aggregates" / "aggregates.csv"),
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    summary = pd.read_csv(out / "summary.csv")
    row = summary.iloc[0]
    assert row["metric"] == "engagements"
    assert row["status"] in ("complete", "partial")
    assert "365 observed days" in str(row["not_done"])  # on the reported days alone
    assert row["loo_day_coverage"] >= 0.9
    assert "aggregates.csv sha256:" in row["inputs"]
    days = pd.read_csv(out / "engagements_reconstructed.csv", parse_dates=["date"])
    # reported days keep their figure; the rest say they are estimated
    whole = pd.read_csv(figures)
    assert days["reported"].sum() < 100 and set(days["source"]) >= {"reported", "model"}
    assert (days.loc[~days["reported"], "source"] != "reported").all()
    assert whole["day"].min() == days["date"].min().strftime("%Y-%m-%d")
    monthly = pd.read_csv(out / "engagements_reconstructed_monthly.csv", index_col="month")
    assert monthly.loc["2024-12", "total"] == pytest.approx(6247, abs=31)
    winters = pd.read_csv(out / "engagements_reconstructed_winters.csv", index_col="season")
    w = winters.loc["2024/25"]
    assert w["excess_level_ci_lower"] < w["excess_level_pct"] < w["excess_level_ci_upper"]
    text = " ".join(p.extract_text() for p in PdfReader(out / "engagements_report.pdf").pages)
    text = " ".join(text.split())
    assert "what the evidence supports" in text
    assert "the highest stated month is December 2024 (202 a day)" in text
    assert "answered on the reconstructed daily series" in text
    assert (out / "engagements_reconstruction.pdf").exists()


def test_periods_need_a_figure_table(shared_dir, tmp_path):
    from intensity.exceptions import ParameterError
    from intensity.report import load_input

    with pytest.raises(ParameterError, match="--periods checks a table of hand-collected"):
        load_input(
            shared_dir / "petroivaniuk_losses",
            shared_dir / "gs_engagement_aggregates" / "aggregates.csv",
        )


def test_attacks_repelled_are_their_own_measure(shared_dir):
    """The 2023 headline figure "repelled N attacks" goes to its own column, never into
    the engagements."""
    import pandas as pd

    from intensity.reports import engagements_daily, reports_from_table

    path = shared_dir / "news_engagements" / "attacks_repelled_2023.csv"
    reps = reports_from_table(path, measure="attacks_repelled")
    news = reports_from_table(_news(shared_dir))
    d = engagements_daily(reps + news)
    rep = d["attacks_repelled"].dropna()
    assert len(rep) >= 5 and rep.index.max() < pd.Timestamp("2023-05-01")
    assert d.loc[rep.index, "engagements"].isna().all()
    assert d.loc["2023-02-26", "attacks_repelled"] == 81


def _evenings_and_days(n: int = 60) -> list:
    """Reports for n days up to 2024-12-14: 22:00 figures every day, whole-day totals for
    all but the last day; the last two evenings are the press example (190, then 274)."""
    import numpy as np
    import pandas as pd

    from intensity.reports import reports_from_table

    rng = np.random.default_rng(12)
    days = pd.date_range(end="2024-12-14", periods=n)
    evening = rng.poisson(200, n)
    evening[-2:] = [190, 274]
    whole = (evening * 1.08).round().astype(int)
    rows = [
        {"day": f"{d:%Y-%m-%d}", "window": "partial", "hour": 22, "total": e}
        for d, e in zip(days, evening, strict=True)
    ]
    rows += [
        {"day": f"{d:%Y-%m-%d}", "window": "day", "hour": 8, "total": w}
        for d, w in zip(days[:-1], whole[:-1], strict=True)
    ]
    return reports_from_table(pd.DataFrame(rows))


def test_day_change_compares_like_with_like():
    """'274 battles, 84 more than the day before' compares two 22:00 figures: with no
    whole-day total for the day, 'auto' compares the evenings and says so; asking for
    whole days then is an error, never an evening against a whole day."""
    from intensity.exceptions import ParameterError
    from intensity.reports import engagements_daily

    d = engagements_daily(_evenings_and_days())
    r = intensity.day_change(d, "2024-12-14")
    assert r.window == "22:00" and r.change == 84 and r.value == 274
    assert "22:00 figure against the day before's 22:00 figure" in r.sentence()
    assert r.summary()["window"].iloc[0] == "22:00"
    r2 = intensity.day_change(d, "2024-12-13")
    assert r2.window == "day"
    r3 = intensity.day_change(d, "2024-12-13", window="22:00")
    assert r3.window == "22:00" and r3.value == 190
    with pytest.raises(ParameterError, match="like with like"):
        intensity.day_change(d, "2024-12-14", window="day")


def test_nowcast_ratio_by_period(shared_dir):
    """With nowcast_by='year' a period with three days of both figures gets its own ratio
    and spread (the news data: evening figures without an hour, 1.05 in 2025 and 1.13 in
    2026 against 1.09 pooled); other days keep the pooled ratio."""
    import numpy as np

    from intensity.exceptions import ParameterError
    from intensity.reports import engagements_daily

    d = engagements_daily(_news(shared_dir), nowcast_by="year")
    r = d.attrs["nowcast"]
    assert r.index.names == ["slot", "period"]
    y25, y26, pooled = (r.loc[("other", p), "ratio"] for p in ("2025", "2026", "all"))
    assert np.isfinite(y25) and np.isfinite(y26) and y25 < pooled < y26
    day = d.index[
        (d.index.year == 2026)
        & d["estimated"]
        & d["partial_other"].notna()
        & d[["partial_16", "partial_22"]].isna().all(axis=1)
    ][0]
    p = d.loc[day, "partial_other"]
    expect = max(p * y26, p)
    assert d.loc[day, "engagements_estimated"] == pytest.approx(expect)
    with pytest.raises(ParameterError, match="by must be one of"):
        engagements_daily(_news(shared_dir), nowcast_by="month")
