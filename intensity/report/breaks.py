"""Trend breaks: :func:`~intensity.detect_breaks` as its defaults give them (the rate
deseasonalised where the series shows an annual cycle, ``seasonal='auto'``) with their
date intervals and ratios, and the penalty path (which segmentations are optimal for
which penalty)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from .._results import reaches_far_dates
from ..breaks.results import kept_near_words, next_shift_words
from .base import Fact, MetricContext, Section, method_lines
from .files import _fmt_date

#: breaks listed on the summary page; the rest are counted and left to breaks.csv
MAX_LISTED = 12


class BreaksSection(Section):
    name = "trend breaks"
    page = "trend breaks"

    def analyse(self, ctx: MetricContext) -> None:
        from ..breaks import detect_breaks, penalty_path

        # the API's default route (seasonal='auto'), not the report's seasonal fit: that
        # fit removes an annual cycle whatever its test says, and until 2026-12-06 the
        # report's breaks were not the API's (real personnel: 2022-08-29 dated
        # [08-07, 2023-05-06] in the report, [08-26, 09-02] by detect_breaks(series);
        # special equipment: 7 breaks in the report, none from the API)
        s, opt = ctx.series, ctx.options
        brk = ctx.results["breaks"] = ctx.run(
            "trend breaks",
            detect_breaks,
            s,
            model=opt.model,
            penalty=opt.penalty,
            n_boot=opt.n_boot,
            seed=opt.seed,
        )
        # the path spans the penalty the breaks used (their dependence, not found again),
        # on the rate they were searched in (the same seasonal='auto')
        dep = brk.dependence if brk is not None and brk.dependence is not None else "auto"
        path = (
            ctx.run("penalty path", penalty_path, s, dependence=dep)
            if opt.model in ("auto", "negbin")
            else None  # the path is drawn for the default model only
        )
        if path is not None and brk is not None:  # its figure marks the penalty used
            path = replace(path, chosen_penalty=float(brk.penalty))
        ctx.results["penalty_path"] = path

    def figures(self, ctx: MetricContext) -> list[tuple[str, Any]]:
        return ctx.plots("breaks", "penalty_path")

    def captions(self, ctx: MetricContext) -> dict[str, str]:
        brk = ctx.get("breaks")
        how = "" if brk is None else f" ({brk.model} cost, {penalty_words(brk)})"
        text = (
            f"Daily {ctx.metric} with the segment levels of the optimal "
            f"segmentation{how}, the breaks and the 95% intervals of their dates."
        )
        if _drifts(brk):
            text = (
                f"Daily {ctx.metric} with the drift of its level (local level of the drift "
                "model, purple, with its 95% band), the mean level between the abrupt "
                "changes that stand out of that drift, the changes and the 95% intervals "
                "of their dates."
            )
        return {
            "breaks": text,
            "penalty_path": "Number of breaks against the penalty: every segmentation that "
            "is optimal for some penalty in the range (CROPS), with its penalty interval.",
        }

    def methods(self, ctx: MetricContext) -> list[Fact]:
        brk = ctx.get("breaks")
        if brk is None:
            return []
        mbic = (
            "; the penalty mBIC (Zhang & Siegmund 2007) times the noise's long-run variance factor"
            if brk.penalty_name == "mbic"
            else ""
        )
        return method_lines(
            brk,
            "Trend breaks",
            "exact optimal partitioning (PELT: Killick, Fearnhead & Eckley 2012, with "
            "functional pruning: Maidstone et al. 2017) of the rate, deseasonalised where "
            "the series shows an annual cycle (p < 0.05); "
            "date intervals and p-values by a parametric bootstrap of counts simulated "
            "from the fitted noise model in a window around each break, the p-values "
            "sequential (Besag & Clifford 1991); the penalty path by CROPS (Haynes, "
            "Eckley & Fearnhead 2017)" + mbic + _drift_method(brk),
        )

    def facts(self, ctx: MetricContext) -> list[Fact]:
        brk = ctx.get("breaks")
        if brk is None:
            return []
        adj = "deseasonalised, " if brk.seasonal_adjusted else "not deseasonalised, "
        facts: list[Fact] = [
            (f"# Trend breaks ({adj}{brk.model}, {penalty_words(brk)})", ""),
            ("number of breaks", f"{len(brk.breaks)} (penalty {brk.penalty:.1f})"),
        ]
        if _drifts(brk):
            facts[0] = (f"# Trend breaks ({adj}{brk.model}, drift model)", "")
            facts[1] = (
                "abrupt changes",
                f"{len(brk.breaks)} beyond the drift (drift sd "
                f"{brk.dependence.drift**0.5:.3f} a day; {len(brk.dropped)} break(s) of "
                "the AR(1) search read as drift; ×: the jump on the day"
                + kept_near_words(brk)
                + next_shift_words(brk)
                + ")",
            )
        findings = _reporting_findings(ctx.series)
        ano = ctx.get("anomalies")
        episodes = ano.episodes if ano is not None else None
        for d, row in brk.breaks.head(MAX_LISTED).iterrows():
            core = _refound_core(brk, d, row)
            facts.append(
                (
                    f"  {d:%Y-%m-%d}",
                    f"[{_fmt_date(row['ci_lower'])} … {_fmt_date(row['ci_upper'])}] "
                    + _change_words(brk, row)
                    + _refound_words(brk, row)
                    + _artefacts_near(findings, d, core)
                    + _episode_edge(episodes, d, core),
                )
            )
        if len(brk.breaks) > MAX_LISTED:
            more = len(brk.breaks) - MAX_LISTED
            facts.append(("", f"and {more} more, see {ctx.stem}_breaks.csv"))
        return facts

    def tables(self, ctx: MetricContext) -> dict[str, pd.DataFrame | None]:
        brk, path = ctx.get("breaks"), ctx.get("penalty_path")
        out: dict[str, pd.DataFrame | None] = {}
        if brk is not None and brk.model == "linear_trend":
            out["knots"] = brk.breaks.rename_axis("knot")
        out["breaks"] = None if brk is None else brk.breaks
        out["segments"] = None if brk is None else brk.segments
        out["penalty_path"] = None if path is None else path.table
        return out

    def summary(self, ctx: MetricContext) -> dict[str, Any]:
        brk = ctx.get("breaks")
        return {
            "breaks": pd.NA if brk is None else len(brk.breaks),
            "model": ctx.options.model if brk is None else brk.model,
        }


#: quality findings that mark a change in how the figures were reported, not in the war
REPORTING_KINDS = (
    "stall",
    "catch_up",
    "rounded",
    "correction",
    "partial_day",
    "stacked_date",
)
#: days either side of a break's date interval searched for them
ARTEFACT_REACH = 14


def _refound(brk: Any, row: Any) -> float | None:
    """The break's ``date_refound`` when it is below the interval's level (the date
    interval then reaches dates where a drift burst outdid the shift), else ``None``."""
    v = row.get("date_refound")
    return float(v) if reaches_far_dates(v, brk.ci) else None


def _refound_words(brk: Any, row: Any) -> str:
    """Why a drift-model break's date interval is long: drone's 2022-03-19 (x4.9) reads
    [2022-03-13 … 2024-12-24], its date re-found within 14 days in 87% of the series
    simulated with it, a drift burst elsewhere outdoing it in the rest."""
    v = _refound(brk, row)
    if v is None:
        return ""
    return (
        f"; date re-found within {brk.min_size} {brk.unit}s in {v:.0%} of series simulated "
        "with it (the interval reaches the dates where a drift burst elsewhere outdid it)"
    )


def _refound_core(brk: Any, day: Any, row: Any) -> Any:
    """*row*, or where its date interval reaches far dates (:func:`_refound`) a copy
    whose interval is the break's day +- ``min_size`` days: the artefacts and episode
    edges near a break are looked for there, not over the years such an interval can
    span."""
    if _refound(brk, row) is None or brk.unit != "day":
        return row
    core = row.copy()
    reach = pd.Timedelta(days=int(brk.min_size))
    core["ci_lower"], core["ci_upper"] = pd.Timestamp(day) - reach, pd.Timestamp(day) + reach
    return core


def _date_interval(day: Any, row: Any) -> tuple[pd.Timestamp, pd.Timestamp]:
    """A break's date interval, the break's own day where an end is missing."""
    lo, hi = row["ci_lower"], row["ci_upper"]
    return (
        pd.Timestamp(lo) if pd.notna(lo) else pd.Timestamp(day),
        pd.Timestamp(hi) if pd.notna(hi) else pd.Timestamp(day),
    )


def _reporting_findings(series: pd.Series) -> pd.DataFrame:
    """The series' reporting findings (date, kind) from its ``attrs['quality']``."""
    rows = [
        (pd.Timestamp(str(r.get("date"))), str(r.get("kind")))
        for r in series.attrs.get("quality") or []
        if str(r.get("kind")) in REPORTING_KINDS
    ]
    return pd.DataFrame(rows, columns=["date", "kind"])


def _artefacts_near(findings: pd.DataFrame, day: Any, row: Any) -> str:
    """A note when reporting findings lie within two weeks of a break's date interval:
    the spring-2022 break (x0.21 on 2022-03-16) is where a stall and catch-ups end and
    rounded figures begin, a change in the reporting as much as in the war (issue 26)."""
    if findings.empty:
        return ""
    lo, hi = _date_interval(day, row)
    reach = pd.Timedelta(days=ARTEFACT_REACH)
    near = findings[(findings["date"] >= lo - reach) & (findings["date"] <= hi + reach)]
    if near.empty:
        return ""
    counts = near["kind"].value_counts()
    what = ", ".join(f"{str(k).replace('_', '-')} {n}" for k, n in sorted(counts.items()))
    return (
        f"; reporting artefacts within {ARTEFACT_REACH} days ({what}): may be a change in reporting"
    )


#: days either side of a break's date interval within which an episode's edge is its
EDGE_REACH = 3


def _episode_edge(episodes: pd.DataFrame | None, day: Any, row: Any) -> str:
    """A note when a break falls on the first day of a surge or lull episode or the day
    after its last (the demo's surge of 40 days gave two of its six breaks, issue 26): a
    step segmentation draws a passing episode as two steps."""
    if episodes is None or not len(episodes):
        return ""
    lo, hi = _date_interval(day, row)
    reach = pd.Timedelta(days=EDGE_REACH)
    for _, e in episodes.iterrows():
        start, after = pd.Timestamp(e["start"]), pd.Timestamp(e["end"]) + pd.Timedelta(days=1)
        for edge, word in ((start, "start"), (after, "end")):
            if lo - reach <= edge <= hi + reach:
                return (
                    f"; the {word} of the {e['kind']} {start:%Y-%m-%d} … {e['end']:%Y-%m-%d}"
                    " (a passing episode drawn as a step)"
                )
    return ""


def _change_words(brk: Any, row: Any) -> str:
    """What changed at a break: the level ratio, or for a continuous trend (a knot) the
    slope before and after (log scale, per 30 days for daily data): a knot's ratio is a
    ratio of growth factors, not of levels (issue 26: "x10.06" read as a level jump)."""
    if brk.model != "linear_trend":
        return f"×{row['ratio']:.2f}"
    per = "30 days" if brk.unit == "day" else brk.unit
    return f"slope {row['level_before']:+.3f} → {row['level_after']:+.3f} per {per} (log scale)"


def _drifts(brk: Any) -> bool:
    """The breaks were found under the drift model (a drift path is drawn)."""
    dep = getattr(brk, "dependence", None)
    return dep is not None and dep.long_range and dep.drift > 0


def _drift_method(brk: Any) -> str:
    """The methods sentence of the drift model, when it was used."""
    if not _drifts(brk):
        return ""
    return (
        "; the noise model chosen by fit (likelihood-ratio test of a random-walk drift, "
        "then BIC of the drift reading against the step reading): a local level + AR(1) + "
        "noise model of the log-rate fitted by maximum likelihood with the Kalman filter, "
        "abrupt shifts selected one at a time by the auxiliary residuals of the "
        "disturbance smoother (de Jong & Penzer 1998) against series simulated from the "
        "fitted model, as DeCAFS (Romano et al. 2022) separates changes from drift"
    )


def penalty_words(brk: Any) -> str:
    """The penalty as it was used: its name, times the long-run variance factor when the
    dependence model scaled it."""
    dep = getattr(brk, "dependence", None)
    if dep is not None and dep.lrv_factor > 1.0 + 1e-9:
        return f"{brk.penalty_name} × {dep.lrv_factor:.1f} for serial dependence"
    return str(brk.penalty_name)
