"""Period figures of the engagement count as checks of a daily series (issue 25)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from intensity.exceptions import DataFormatError
from intensity.reports import engagements_daily, reports_from_table
from intensity.reports.periods import (
    check_period_figures,
    period_findings,
    read_period_figures,
)

TABLE = """period_start,period_end,direction,stat,value,floor,publisher
2025-11-01,2025-11-30,all,total,6000,0,MoD
2025-11-01,2025-11-30,all,mean_per_day,200,0,analyst
2025-11-01,2025-11-30,all,total,6500,0,wrong
2025-11-01,2025-11-30,all,total,5900,1,a floor
2025-11-15,2025-11-15,all,day,200,0,spokesman
2025-11-16,2025-11-16,all,day,250,0,typo
2025-11-01,2025-11-30,Pokrovsk,total,1500,0,group
2025-11-01,2025-11-30,all,pct_change_vs_prev_month,12,0,MoD release
"""


def _figures(text: str = TABLE) -> pd.DataFrame:
    return read_period_figures(io.StringIO(text))


def _november(values: float | np.ndarray = 200.0) -> pd.Series:
    return pd.Series(values, index=pd.date_range("2025-11-01", "2025-11-30"), dtype=float)


def test_full_month_sums_and_days_checked():
    c = check_period_figures(_november(), _figures()).set_index("publisher")
    assert c.loc["MoD", "status"] == "consistent"
    assert c.loc["analyst", "status"] == "consistent"
    assert c.loc["wrong", "status"] == "contradicts" and "-500" in c.loc["wrong", "detail"]
    assert c.loc["a floor", "status"] == "consistent"
    assert c.loc["spokesman", "status"] == "consistent"
    assert c.loc["typo", "status"] == "contradicts"
    assert c.loc["group", "status"] == "not checked"  # a direction's figure
    assert c.loc["MoD", "observed_days"] == 30


def test_sparse_days_can_only_contradict_by_excess():
    """Three observed days cannot confirm a monthly total; they contradict it only when
    they alone exceed it, and the check says what the other days must average."""
    s = _november(np.nan)
    s.iloc[[3, 10, 20]] = [210.0, 190.0, 230.0]
    c = check_period_figures(s, _figures()).set_index("publisher")
    assert c.loc["MoD", "status"] == "cannot tell"
    assert c.loc["MoD", "implied_missing_mean"] == pytest.approx((6000 - 630) / 27)
    s.iloc[[3, 10, 20]] = [3000.0, 2000.0, 1500.0]  # 6,500 > 6,000 on three days
    c = check_period_figures(s, _figures()).set_index("publisher")
    assert c.loc["MoD", "status"] == "contradicts"
    assert "observed day(s) alone sum to 6500" in c.loc["MoD", "detail"]


def test_findings_and_engagements_daily_take_the_figures(tmp_path):
    """engagements_daily(periods=...) checks its whole-day series and lists each
    contradicted figure as a quality finding."""
    days = pd.date_range("2025-11-01", "2025-11-30")
    rows = pd.DataFrame(
        {"day": days.strftime("%Y-%m-%d"), "window": "day", "hour": "", "total": 200, "floor": 0}
    )
    path = tmp_path / "figures.csv"
    rows.to_csv(path, index=False)
    agg = tmp_path / "aggregates.csv"
    agg.write_text(TABLE, encoding="utf-8")
    d = engagements_daily(reports_from_table(path), periods=agg)
    checks = d.attrs["period_checks"]
    assert (checks["status"] == "contradicts").sum() == 2
    kinds = [q for q in d.attrs["quality"] if q["kind"] == "period_figure_mismatch"]
    assert len(kinds) == 2 and all(
        q["date"] == "2025-11-30" or q["date"] == "2025-11-16" for q in kinds
    )
    assert period_findings(checks)[0]["metric"] == "engagements"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("start,end,stat,value\n", "needs the columns"),
        ("period_start,period_end,stat,value\n2025-13-01,2025-11-30,total,1\n", "row 2 needs"),
        ("period_start,period_end,stat,value\n2025-11-01,2025-11-30,total,many\n", "a number"),
        ("period_start,period_end,stat,value\n2025-11-30,2025-11-01,total,1\n", "ends before"),
    ],
    ids=["columns", "bad-date", "bad-value", "backwards"],
)
def test_period_table_errors(text, match):
    with pytest.raises(DataFormatError, match=match):
        _figures(text)


def test_real_aggregates_against_the_news_figures(shared_dir):
    """The 46 real period figures against the 168 hand-read news figures: no
    contradiction, the one peak day they share agrees (2025-11-28: 311), and every
    whole-front total the sparse series cannot confirm says what its other days must
    average."""
    figs = read_period_figures(shared_dir / "gs_engagement_aggregates" / "aggregates.csv")
    assert len(figs) == 46
    d = engagements_daily(
        reports_from_table(shared_dir / "news_engagements" / "engagements.csv"), periods=figs
    )
    c = d.attrs["period_checks"]
    assert not (c["status"] == "contradicts").any()
    peak = c[(c["stat"] == "day") & (c["period_start"] == pd.Timestamp("2025-11-28"))]
    assert peak["status"].tolist() == ["consistent"]
    open_totals = c[(c["status"] == "cannot tell") & (c["stat"] == "total")]
    assert len(open_totals) and open_totals["implied_missing_mean"].between(100, 400).all()
