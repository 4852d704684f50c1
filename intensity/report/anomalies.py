"""Anomalies: spike and dip days, surge and lull episodes against the baseline, and the
reporting artefacts kept apart."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .base import Fact, MetricContext, Section, method_lines


class AnomaliesSection(Section):
    name = "anomalies"
    page = "anomalies"

    def analyse(self, ctx: MetricContext) -> None:
        from ..anomalies import detect_anomalies

        opt = ctx.options
        ctx.results["anomalies"] = ctx.run(
            "anomalies",
            detect_anomalies,
            ctx.series,
            n_sim=opt.n_sim,
            seed=opt.seed,
            shifts=ctx.shifts(),
        )

    def figures(self, ctx: MetricContext) -> list[tuple[str, Any]]:
        return ctx.plots("anomalies")

    def captions(self, ctx: MetricContext) -> dict[str, str]:
        ano = ctx.get("anomalies")
        kind = "" if ano is None else f" ({ano.baseline_kind})"
        return {
            "anomalies": f"Daily {ctx.metric} against its baseline{kind} (line) with the 99% "
            "band of the single-day tests around each day's local level; spike and dip days "
            "(Benjamini–Hochberg q ≤ 0.01) and surge or lull episodes (shaded).",
        }

    def methods(self, ctx: MetricContext) -> list[Fact]:
        return method_lines(
            ctx.get("anomalies"),
            "Anomalies",
            "single days by their negative-binomial tails against the local level of "
            "the week around them with the dispersion of the quarter-year either side, the false "
            "discovery rate controlled (Benjamini & Hochberg 1995); episodes by a "
            "penalised scan of window quasi-likelihood ratios, the penalty the 95% "
            "quantile of its maximum on simulated series",
        )

    def facts(self, ctx: MetricContext) -> list[Fact]:
        ano = ctx.get("anomalies")
        if ano is None:
            return []
        facts: list[Fact] = [
            (f"# Anomalies (baseline: {ano.baseline_kind})", ""),
            ("spike/dip days (BH q ≤ 0.01)", str(len(ano.spikes))),
            ("surge/lull episodes", str(len(ano.episodes))),
        ]
        top = ano.episodes.sort_values("statistic", ascending=False).head(8)
        for _, e in top.iterrows():
            facts.append(
                (
                    f"  {e['kind']} {e['start']:%Y-%m-%d} … {e['end']:%Y-%m-%d}",
                    f"{e['mean_excess_pct']:+.0f}%  p={e['p_value']:.3f}",
                )
            )
        facts.append(("reporting artefacts (apart)", str(len(ano.artefacts))))
        return facts

    def tables(self, ctx: MetricContext) -> dict[str, pd.DataFrame | None]:
        ano = ctx.get("anomalies")
        if ano is None:
            return {}
        return {"spikes": ano.spikes, "episodes": ano.episodes, "artefacts": ano.artefacts}

    def summary(self, ctx: MetricContext) -> dict[str, Any]:
        ano = ctx.get("anomalies")
        return {
            "spike_days": pd.NA if ano is None else len(ano.spikes),
            "episodes": pd.NA if ano is None else len(ano.episodes),
        }
