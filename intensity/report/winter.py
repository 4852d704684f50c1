"""The winter question: each winter's level against the level around it and against the
other winters (:func:`intensity.seasonal_excess`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .base import Fact, MetricContext, Section, result_notes


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
            "the same colour: the level of the fighting around it (dashed) and what the "
            "other years' winters bring (dotted).",
        }

    def methods(self, ctx: MetricContext) -> list[Fact]:
        win = ctx.get("winters")
        if win is None:
            return []
        return [
            ("# The winter question", ""),
            (
                "method",
                "each season against two baselines fitted without it (negative-binomial "
                "regressions): the level of the days around it, and the same season of the "
                "other years; intervals for serially dependent days",
            ),
            *result_notes(win),
        ]

    def facts(self, ctx: MetricContext) -> list[Fact]:
        win = ctx.get("winters")
        if win is None:
            return []
        facts: list[Fact] = [("# The winter question (Nov 1 … Feb 28)", "")]
        for label in win.table.index:
            head, _, rest = win.sentence(str(label)).partition(": ")
            level_part, _, seas_part = rest.partition("; ")
            facts.append((f"  {head}", level_part))
            facts.append(("", seas_part))
        return facts

    def tables(self, ctx: MetricContext) -> dict[str, pd.DataFrame | None]:
        win = ctx.get("winters")
        return {"winters": None if win is None else win.table}
