"""The reconstructed daily series of hand-collected engagement figures (issue 25): every
day estimated from the whole-day, partial and period figures (:mod:`intensity.reconstruct`),
checked by leaving each figure out, and the winter question and the breaks answered on
draws of it, so that the reconstruction's uncertainty is carried into the answers.

The other sections of the report use the reported whole days only; this one says what all
the evidence together supports."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .base import Fact, MetricContext, Section, method_lines
from .inputs import _frame_from_plain

#: draws of the reconstructed series the winter question and the breaks are repeated on
N_DRAWS = 20


def _inputs(ctx: MetricContext) -> tuple[pd.DataFrame, pd.DataFrame | None] | None:
    figures = ctx.frame.attrs.get("figures")
    if figures is None:
        return None
    periods = ctx.frame.attrs.get("periods")
    return _frame_from_plain(figures), None if periods is None else _frame_from_plain(periods)


class ReconstructionSection(Section):
    name = "reconstructed series"
    page = "reconstructed daily series"

    def applies(self, ctx: MetricContext) -> bool:
        return _inputs(ctx) is not None

    def analyse(self, ctx: MetricContext) -> None:
        from ..reconstruct import (
            breaks_on_draws,
            excess_on_draws,
            reconstruct_daily,
            validate_reconstruction,
        )

        found = _inputs(ctx)
        if found is None:
            return
        figures, periods = found
        window = {"start": ctx.frame.index[0], "end": ctx.frame.index[-1]}
        recon = ctx.run("reconstruction", reconstruct_daily, figures, periods, **window)
        ctx.results["reconstruction"] = recon
        if recon is None:
            return
        ctx.results["reconstruction_loo"] = ctx.run(
            "reconstruction check", validate_reconstruction, recon
        )
        seed = ctx.options.seed
        ctx.results["reconstructed_winters"] = ctx.run(
            "winter question on the reconstruction",
            excess_on_draws,
            recon,
            n_draws=N_DRAWS,
            seed=seed,
        )
        ctx.results["reconstructed_breaks"] = ctx.run(
            "breaks on the reconstruction", breaks_on_draws, recon, n_draws=N_DRAWS, seed=seed
        )

    def figures(self, ctx: MetricContext) -> list[tuple[str, Any]]:
        return ctx.plots("reconstruction")

    def captions(self, ctx: MetricContext) -> dict[str, str]:
        return {
            "reconstruction": "The reconstructed daily count (log scale): the smooth level "
            "(line) with the 95% interval of a day without a figure of its own (band); "
            "reported whole days (dots), days known from partial or 'more than' figures "
            "(circles) and period figures drawn as their mean per day over their days "
            "(bars). Model: log count = a slowly varying level + day-to-day noise, with "
            "the period figures as constraints on sums of days.",
        }

    def methods(self, ctx: MetricContext) -> list[Fact]:
        return method_lines(
            ctx.get("reconstruction"),
            "Reconstructed daily series",
            "temporal disaggregation (Chow & Lin 1971) as a Gaussian state-space model of "
            "the log count with the period figures as cumulator observations; posterior "
            "mode by Gauss-Newton, intervals from its Laplace covariance; each figure left "
            "out in turn to check the intervals; the winter question and the breaks "
            f"repeated on {N_DRAWS} randomise-then-optimise draws (Bardsley et al. 2014) "
            "and combined by Rubin's rules (Rubin 1987)",
        )

    def facts(self, ctx: MetricContext) -> list[Fact]:
        recon = ctx.get("reconstruction")
        if recon is None:
            return []
        facts: list[Fact] = [("# Reconstructed daily series (all the evidence)", "")]
        facts += _evidence_lines(recon)
        loo = ctx.get("reconstruction_loo")
        if loo is not None:
            facts += _check_lines(loo)
        facts += _stated_lines(recon)
        win = ctx.get("reconstructed_winters")
        if win is not None:
            facts += _supported_lines(win, recon)
            facts += _winter_lines(win, recon)
        br = ctx.get("reconstructed_breaks")
        if br is not None:
            facts += _break_lines(br)
        facts.append(
            (
                "other pages",
                "use the reported whole days only; no estimated day is shown as reported",
            )
        )
        return facts

    def tables(self, ctx: MetricContext) -> dict[str, pd.DataFrame | None]:
        recon = ctx.get("reconstruction")
        if recon is None:
            return {}
        return {
            "reconstructed": recon.days.rename_axis("date"),
            "reconstructed_monthly": recon.monthly(),
            "reconstruction_check": ctx.get("reconstruction_loo"),
            "reconstructed_winters": ctx.get("reconstructed_winters"),
            "reconstructed_breaks": ctx.get("reconstructed_breaks"),
        }

    def summary(self, ctx: MetricContext) -> dict[str, Any]:
        recon, loo = ctx.get("reconstruction"), ctx.get("reconstruction_loo")
        if recon is None:
            return {}
        out: dict[str, Any] = {"reconstructed_days": len(recon.days)}
        if loo is not None:
            days = loo[loo["kind"] == "day"]
            out["loo_day_coverage"] = float(days["covered"].mean()) if len(days) else pd.NA
        return out


def _evidence_lines(recon: Any) -> list[Fact]:
    d = recon.days
    counts = d["source"].value_counts()
    ev = recon.evidence
    periods = int((ev["kind"] == "period").sum())
    skipped = len(ev.attrs.get("skipped") or [])
    p = recon.params
    return [
        (
            "days",
            f"{len(d):,} ({d.index[0]:%Y-%m-%d} … {d.index[-1]:%Y-%m-%d}): "
            f"{int(counts.get('reported', 0))} reported whole days, "
            f"{int(counts.get('floor', 0))} 'more than N', "
            f"{int(counts.get('partial', 0))} partial figures only, "
            f"{int(counts.get('model', 0)):,} estimated",
        ),
        (
            "period figures",
            f"{periods} used as constraints"
            + (f"; {skipped} not (another direction or statistic)" if skipped else ""),
        ),
        (
            "model (log scale)",
            f"level sd {p['sigma_level']:.2f}, correlation length {p['length_days']:,.0f} "
            f"days; day-to-day sd {p['sigma_day']:.2f}",
        ),
    ]


def _check_lines(loo: pd.DataFrame) -> list[Fact]:
    out: list[Fact] = []
    for kind, label in (("day", "reported days"), ("period", "period figures")):
        part = loo[loo["kind"] == kind]
        if not len(part):
            continue
        width = float(np.exp(part["log_width"].median()))
        out.append(
            (
                f"left out: {label}",
                f"{int(part['covered'].sum())} of {len(part)} inside their 95% interval "
                f"({part['covered'].mean():.0%}); median interval ×{width:.2f} wide",
            )
        )
    return out


def _stated_lines(recon: Any) -> list[Fact]:
    """The whole-month figures the evidence states, as means per day."""
    m = recon.monthly()
    stated = m[m["stated_total"].notna()]
    if not len(stated):
        return []
    parts = [f"{k} {r['stated_total'] / r['days']:.0f}" for k, r in stated.iterrows()]
    return [("stated months (per day)", ", ".join(parts))]


def _winter_lines(win: pd.DataFrame, recon: Any) -> list[Fact]:
    from .._results import excess_text

    out: list[Fact] = [("# The winter question on the reconstruction (Nov 1 … Feb 28)", "")]
    for season, r in win.iterrows():
        if not np.isfinite(r.get("excess_level_pct", np.nan)):
            continue
        clear = r["excess_level_ci_lower"] > 0 or r["excess_level_ci_upper"] < 0
        out.append(
            (
                f"  {season}",
                f"{excess_text(r, 'level')} over the level around it "
                f"(p {r['p_level']:.2g}): {_verdict(r)}",
            )
        )
        out.append(
            (
                "",
                f"{int(r['reported_days'])} of {int(r['days'])} days reported; "
                f"{r['between_level']:.0%} of the variance is the reconstruction's"
                + ("" if clear else f"; over the other winters {excess_text(r, 'seasonal')}"),
            )
        )
    return out


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _verdict(r: pd.Series) -> str:
    if r["excess_level_ci_lower"] > 0:
        return "a winter-long excess"
    if r["excess_level_ci_upper"] < 0:
        return "a winter-long shortfall"
    return "no winter-long excess the evidence can tell from the level around it"


def _supported_lines(win: pd.DataFrame, recon: Any) -> list[Fact]:
    """One sentence of what the evidence supports: the highest stated month, and the
    reconstructed answer for the winter it falls in."""
    from .._results import excess_text

    m = recon.monthly()
    stated = m[m["stated_total"].notna()]
    if not len(stated):
        return []
    per_day = stated["stated_total"] / stated["days"]
    top = str(per_day.idxmax())
    month = pd.Period(top, "M")
    text = f"the highest stated month is {month.strftime('%B %Y')} ({per_day[top]:.0f} a day)"
    prev = str(month - 1)
    if prev in per_day.index:
        text += f", {per_day[top] / per_day[prev] - 1:+.0%} on {(month - 1).strftime('%B')}"
    for season, r in win.iterrows():
        if pd.Timestamp(r["start"]) <= month.start_time <= pd.Timestamp(r["end"]):
            if np.isfinite(r.get("excess_level_pct", np.nan)):
                text += (
                    f"; over the whole winter {season} the reconstruction finds "
                    f"{_verdict(r)} ({excess_text(r, 'level')})"
                )
    return [("what the evidence supports", text)]


def _break_lines(br: pd.DataFrame) -> list[Fact]:
    out: list[Fact] = [("# Breaks on the reconstruction", "")]
    sup = br[br["supported"]]
    for _, r in sup.iterrows():
        out.append(
            (
                f"  {r['date']:%Y-%m-%d}",
                f"[{r['date_lower']:%Y-%m-%d} … {r['date_upper']:%Y-%m-%d}] ×{r['ratio']:.2f}, "
                f"in {r['share']:.0%} of draws; {_days(int(r['reported_days_near']))} reported "
                "within 30 days",
            )
        )
    rest = len(br) - len(sup)
    if rest:
        out.append(("", f"{rest} more found in fewer than half the draws (not shown)"))
    if not len(sup):
        out.append(("", "no break in at least half the draws"))
    return out
