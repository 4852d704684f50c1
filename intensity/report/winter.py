"""The winter question: each winter's level against the level around it and against the
other winters (:func:`intensity.seasonal_excess`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .base import Fact, MetricContext, Section, method_lines


def scan_agreement(row: pd.Series, ano: Any) -> str:
    """One sentence on whether the anomaly scan agrees with the winter's excess, and why
    they can differ (issue 22: the scan found no episode in winter 2024/25 while the
    winter reads +13% over the level around it): they ask different questions."""
    start, end = pd.Timestamp(row["start"]), pd.Timestamp(row["end"])
    ep = ano.episodes
    inside = ep[(ep["start"] <= end) & (ep["end"] >= start)] if len(ep) else ep
    if len(inside):
        found = ", ".join(
            f"{e['kind']} {e['start']:%Y-%m-%d} … {e['end']:%Y-%m-%d} "
            f"({e['mean_excess_pct']:+.0f}%)"
            for _, e in inside.iterrows()
        )
        return f"anomaly scan: {found}"
    if not any(pd.notna(row.get(f"excess_{b}_ci_lower")) for b in ("level", "seasonal")):
        # neither excess could be estimated (helicopter's 2023/24: one loss in 120 days):
        # "not significant" would claim a test that was not made
        return f"anomaly scan: no episode (baseline {ano.baseline_kind}); no excess to compare"
    level = _clear(row, "excess_level")
    seasonal = _clear(row, "excess_seasonal")
    if str(ano.baseline_kind).startswith("seasonal") and not seasonal:
        why = (
            "not significant (over the level around it, it is)"
            if level
            else "not significant, as over the level around it"
        )
        return (
            "anomaly scan: no episode; its baseline is the other years' season, over which "
            f"this winter's excess is {why}"
        )
    if level or seasonal:
        return (
            f"anomaly scan: no episode (baseline {ano.baseline_kind}): it tests windows of "
            "two weeks to three months at a 5% level over the whole series, a stricter "
            "question than this season's average excess"
        )
    return f"anomaly scan: no episode (baseline {ano.baseline_kind}), as the excesses say"


def _clear(row: pd.Series, prefix: str) -> bool:
    """Whether the interval of an excess leaves out zero."""
    lo, hi = row[f"{prefix}_ci_lower"], row[f"{prefix}_ci_upper"]
    return bool(pd.notna(lo) and pd.notna(hi) and (lo > 0 or hi < 0))


class WinterSection(Section):
    name = "the winter question"
    page = "the winter question"

    def analyse(self, ctx: MetricContext) -> None:
        from ..seasons import seasonal_excess

        # under two years seasonal_excess says why (it needs other winters to compare
        # with), and the report lists that under "Not done" instead of dropping the
        # section silently
        ctx.results["winters"] = ctx.run(
            "winter question", seasonal_excess, ctx.series, shifts=ctx.shifts()
        )

    def figures(self, ctx: MetricContext) -> list[tuple[str, Any]]:
        return ctx.plots("winters")

    def captions(self, ctx: MetricContext) -> dict[str, str]:
        return {
            "winters": "Each winter's 7-day mean by date (solid) with its two baselines in "
            "the same colour: the level of the fighting around it (dashed) and that level "
            "times the other winters' typical excess over theirs (dotted).",
        }

    def methods(self, ctx: MetricContext) -> list[Fact]:
        return method_lines(
            ctx.get("winters"),
            "The winter question",
            "each season against two baselines fitted without it (negative-binomial "
            "regressions): the level of the days around it, and the same season of the "
            "other years (its excess over its own level against the median of the other "
            "winters' excesses over theirs); intervals for serially dependent days",
        )

    def facts(self, ctx: MetricContext) -> list[Fact]:
        win = ctx.get("winters")
        if win is None:
            if ctx.get("reconstructed_winters") is None:
                return []
            return [
                ("# The winter question (Nov 1 … Feb 28)", ""),
                (
                    "reported days",
                    "too few for the question; answered on the reconstructed daily series "
                    "(its own page), with the reconstruction's uncertainty carried",
                ),
            ]
        facts: list[Fact] = [("# The winter question (Nov 1 … Feb 28)", "")]
        ano = ctx.get("anomalies")
        for label in win.table.index:
            head, _, rest = win.sentence(str(label)).partition(": ")
            level_part, _, seas_part = rest.partition("; ")
            facts.append((f"  {head}", level_part))
            facts.append(("", seas_part))
            if ano is not None:
                facts.append(("", scan_agreement(win.table.loc[label], ano)))
        return facts

    def tables(self, ctx: MetricContext) -> dict[str, pd.DataFrame | None]:
        win = ctx.get("winters")
        return {"winters": None if win is None else win.table}
