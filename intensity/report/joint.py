"""Several metrics at once: the breaks common to them (which metrics moved at each, and
by how much) and the lead and lag of each metric on the first; its own page set
(``joint_report.pdf``, ``joint_*.csv``, ``joint_*`` figures)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .base import Fact, Options, Steps
from .files import Rows, _fmt_date

#: the metrics the joint page takes when none are named, in this order (those present)
MAIN_METRICS = ("personnel", "engagements", "field artillery", "APC", "drone", "tank")
#: the most metrics on the joint page when none are named
MAX_JOINT = 4


def joint_metrics(frame: pd.DataFrame, cols: Sequence[str], named: bool) -> list[str]:
    """The metrics of the joint page: the ones named (when several), else the main ones
    present with a year of data (at most four)."""
    if named:
        return list(cols) if len(cols) >= 2 else []
    main = [m for m in MAIN_METRICS if m in cols and frame[m].notna().sum() >= 365]
    return main[:MAX_JOINT]


@dataclass
class JointContext:
    """The joint page in the making: the days every metric covers, the options, the
    step runner and the results."""

    frame: pd.DataFrame
    options: Options
    run: Steps
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [str(c) for c in self.frame.columns]


class JointSection:
    """The breaks common to the metrics and their lead and lag (the page set of a frame,
    not of one metric)."""

    def context(self, frame: pd.DataFrame, options: Options, run: Steps) -> JointContext:
        first = frame.apply(lambda c: c.first_valid_index()).max()
        last = frame.apply(lambda c: c.last_valid_index()).min()
        return JointContext(frame.loc[first:last], options, run)

    def analyse(self, ctx: JointContext) -> None:
        from ..multi import detect_common_breaks, lead_lag

        opt, names, sub = ctx.options, ctx.names, ctx.frame
        ctx.results["common"] = ctx.run(
            "common breaks",
            detect_common_breaks,
            sub,
            penalty=opt.penalty,
            n_boot=opt.n_boot,
            seed=opt.seed,
        )
        lls = []
        for other in names[1:]:
            ll = ctx.run(f"lead and lag of {other}", lead_lag, sub[names[0]], sub[other])
            if ll is not None:
                lls.append(ll)
        ctx.results["lead_lag"] = lls

    def facts(self, ctx: JointContext) -> list[Fact]:
        sub, names = ctx.frame, ctx.names
        facts: list[Fact] = [
            ("# Several metrics at once", ""),
            ("metrics", ", ".join(names)),
            ("period", f"{sub.index[0]:%Y-%m-%d} … {sub.index[-1]:%Y-%m-%d} ({len(sub)} days)"),
        ]
        res = ctx.results.get("common")
        if res is not None:
            facts += _common_facts(res, names, ctx.results.get("alone") or {})
        lls = ctx.results.get("lead_lag") or []
        if lls:
            facts.append((f"# Lead and lag on {names[0]} (positive: follows)", ""))
            for ll in lls:
                verdict = "significant" if ll.significant else "not significant"
                facts.append(
                    (ll.b_name, f"lag {ll.best_lag:+d} d, r = {ll.best_ccf:.2f}, " + verdict)
                )
        return facts + ctx.run.not_done()

    def figures(self, ctx: JointContext) -> list[tuple[str, Any]]:
        from matplotlib.figure import Figure

        from .. import plotting as pl

        out: list[tuple[str, Any]] = []
        res = ctx.results.get("common")
        if res is not None:
            out.append(("common_breaks", pl.plot_common_breaks(res)))
        lls = ctx.results.get("lead_lag") or []
        if lls:
            # one panel per pair, one above the other on one correlation scale: a grid of
            # two columns left an empty panel for an odd number of pairs, and each panel's
            # own scale made a weak correlation look as tall as a strong one (issue 26)
            with pl.house_style():
                fig = Figure(figsize=(7.2, 2.1 * len(lls) + 0.5))
                axes = fig.subplots(len(lls), 1, sharey=True, squeeze=False)[:, 0]
                for ax, ll in zip(axes, lls, strict=True):
                    pl.plot_lead_lag(ll, ax=ax)
                pl._finish(fig, True, pl.source_note())
            out.append(("lead_lag", fig))
        return out

    def tables(self, ctx: JointContext) -> dict[str, Any]:
        res = ctx.results.get("common")
        lls = ctx.results.get("lead_lag") or []
        out: dict[str, Any] = {}
        if res is not None:
            out["breaks"] = res.breaks.drop(columns=["position"])
            out["metrics"] = Rows(res.metrics.reset_index())
        if lls:
            table = pd.concat({ll.b_name: ll.table for ll in lls}, names=["metric", "lag"])
            out["lead_lag"] = Rows(table.reset_index())
        return out

    def summary(self, ctx: JointContext) -> dict[str, Any]:
        res, sub, problems = ctx.results.get("common"), ctx.frame, ctx.run.problems
        return {
            "metric": "joint: " + ", ".join(ctx.names),
            "first": sub.index[0],
            "last": sub.index[-1],
            "days": len(sub),
            "breaks": len(res.breaks) if res is not None else pd.NA,
            "status": "complete" if not problems else "partial",
            "not_done": "; ".join(f"{k}: {v}" for k, v in problems.items()),
            "model": "negbin (joint)",
        }


def _common_facts(res: Any, names: list[str], alone: dict[str, int]) -> list[Fact]:
    """The common breaks: how many, the penalty, each metric's breaks in its own report
    beside the breaks it moved at (*alone*; the two readings differ, and the page says
    why), each break's ratio per metric (``*`` moved) and the metrics that moved with
    their own best date elsewhere."""
    b, m = res.breaks, res.metrics
    facts: list[Fact] = [
        ("breaks found", f"{len(b)}; common (>= {res.min_share:.0%} moved): {len(res.common)}"),
        (
            "penalty",
            f"{res.penalty_name} {res.penalty:.1f}; {res.effective_params:.2f} effective "
            f"of {len(names)} parameters",
        ),
    ]
    if alone and len(b):
        moved = m["affected"].astype(bool).groupby(level=1).sum()
        facts.append(
            (
                "moved here / breaks alone",
                " · ".join(f"{n} {int(moved.get(n, 0))} / {alone[n]}" for n in names if n in alone)
                + " (alone: each metric's own report, where the default keeps only changes "
                "beyond the drift when the level drifts; here each metric's noise is a "
                "latent AR(1) and a metric moved where its level differs either side "
                "beyond it)",
            )
        )
    facts += [
        ("# Ratio after / before at each break (* moved; intervals in joint_metrics.csv)", ""),
        ("break [interval] moved", " · ".join(n[:10] for n in names)),
    ]
    for date, row in b.iterrows():
        d = pd.Timestamp(date)
        cells = []
        for n in names:
            r = m.loc[(d, n)]
            cells.append(f"{r['ratio']:.2f}{'*' if r['affected'] else ' '}")
        iv = f"{_fmt_date(row['ci_lower'])[5:]}…{_fmt_date(row['ci_upper'])[5:]}"
        facts.append(
            (f"{d:%Y-%m-%d} [{iv}] {int(row['n_affected'])}/{len(names)}", "  ".join(cells))
        )
    elsewhere = m[m["affected"].astype(bool) & ~m["own_in_interval"].astype(bool)]
    if len(elsewhere):
        facts.append(("# Moved, but its own best date is outside the common interval", ""))
        for (d, nm), row in elsewhere.iterrows():
            facts.append((f"  {pd.Timestamp(d):%Y-%m-%d} {nm}", _fmt_date(row["own_date"])))
    return facts
