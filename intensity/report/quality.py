"""The data and their quality: period, observed days, the reader's findings; the overview
figure (with what the other sections found) and the other metrics beside this one."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .base import Fact, MetricContext, Section


class QualitySection(Section):
    name = "data quality"
    page = "data and data quality"

    def analyse(self, ctx: MetricContext) -> None:
        from ..io import validate

        s = ctx.series
        data = s.to_frame(ctx.metric) if not s.attrs.get("quality") else s
        ctx.results["quality"] = ctx.run("data quality", validate, data)

    def figures(self, ctx: MetricContext) -> list[tuple[str, Any]]:
        from .. import plotting as pl

        s = ctx.series
        out: list[tuple[str, Any]] = []
        if s.notna().any():
            fit = ctx.get("seasonal_fit")
            out += ctx.figure(
                "overview",
                pl.plot_overview,
                s,
                breaks=ctx.get("breaks"),
                anomalies=ctx.get("anomalies"),
                trend=None if fit is None else fit.trend,
                winters=ctx.get("winters"),
            )
        # the other metrics asked for (never ones the user did not name)
        frame = ctx.frame
        others = [c for c in ctx.columns if c != ctx.metric and frame[c].notna().sum() >= 365][:3]
        if others:
            out += ctx.figure("metrics", pl.plot_metrics, frame, [ctx.metric, *others])
        return out

    def captions(self, ctx: MetricContext) -> dict[str, str]:
        s = ctx.series
        period = f"{s.index[0]:%Y-%m-%d} … {s.index[-1]:%Y-%m-%d}" if len(s) else ""
        return {
            "overview": f"Daily {ctx.metric} ({period}; grey), its 7- and 28-day means and "
            "the seasonal model's trend, with what the other sections found: the breaks and "
            "the 95% intervals of their dates, spikes, dips, surges and the reporting "
            "artefacts (stalls, catch-ups, rounded figures), and each winter's excess.",
            "metrics": f"{ctx.metric} beside the other metrics analysed, each 28-day mean "
            "over its own median 28-day mean (log scale).",
        }

    def methods(self, ctx: MetricContext) -> list[Fact]:
        s = ctx.series
        obs = int(s.notna().sum())
        return [
            ("# Data", ""),
            ("series", f"{ctx.metric}: {len(s)} days, {obs} observed"),
            (
                "quality",
                "the reader's findings (stalls, catch-ups, rounded figures, corrections) are "
                "listed with the data and their days set apart from the tests of single days",
            ),
        ]

    def facts(self, ctx: MetricContext) -> list[Fact]:
        s, n = ctx.series, len(ctx.series)
        quality = ctx.get("quality")
        if quality is None:
            findings = "not done"
        else:
            counts = quality["kind"].value_counts().sort_index().items()
            findings = ", ".join(f"{k} {v}" for k, v in counts) or "none"
        period = (
            ("period", f"{s.index[0]:%Y-%m-%d} … {s.index[-1]:%Y-%m-%d} ({n} days)")
            if n
            else ("period", "no observed day")
        )
        return [
            ("# Data", ""),
            ("package", f"intensity {ctx.version}"),
            *[(f"input {name}", f"SHA-256 {digest[:16]}…") for name, digest in ctx.hashes],
            period,
            ("observed days", f"{int(s.notna().sum())} (missing {int(s.isna().sum())})"),
            ("mean / median per day", f"{s.mean():.1f} / {s.median():.0f}"),
            ("quality findings", findings),
        ]

    def tables(self, ctx: MetricContext) -> dict[str, pd.DataFrame | None]:
        quality = ctx.get("quality")
        return {"quality": None if quality is None else quality.set_index("date")}
