"""Hand-collected engagement figures: what the days hold (whole-day, partial, estimated)
and how well a partial figure predicts the whole day. The analyses of the other sections
use the whole-day figures only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import Fact, MetricContext, Section
from .inputs import _frame_from_plain


class EngagementsSection(Section):
    name = "hand-collected figures"
    page = "data and data quality"

    def facts(self, ctx: MetricContext) -> list[Fact]:
        figures_table = ctx.frame.attrs.get("figures")
        if figures_table is None:
            return []
        table = _frame_from_plain(figures_table)
        table.attrs["nowcast"] = ctx.frame.attrs.get("nowcast")
        return _figure_facts(table)


def _figure_facts(daily: pd.DataFrame) -> list[tuple[str, str]]:
    """Summary lines for hand-collected figures: what the days hold and what the partial
    figures let one estimate."""
    whole = int(daily["engagements"].notna().sum())
    est = int(daily["estimated"].sum())
    partial_only = int(
        (
            daily["engagements"].isna()
            & daily[["partial_16", "partial_22", "partial_other"]].notna().any(axis=1)
        ).sum()
    )
    lines = [
        ("# Hand-collected figures", ""),
        ("days with a whole-day figure", f"{whole} of {len(daily)} ({whole / len(daily):.1%})"),
        ("days with partial figures only", f"{partial_only}; whole day estimated on {est}"),
    ]
    nowcast = daily.attrs.get("nowcast")
    for slot, r in (pd.DataFrame() if nowcast is None else _frame_from_plain(nowcast)).iterrows():
        if np.isfinite(r["ratio"]):
            text = (
                f"whole day = {r['ratio']:.2f} × partial, 95% prediction "
                f"[{r['ratio_lower']:.2f}, {r['ratio_upper']:.2f}] ({int(r['n_pairs'])} days)"
            )
        else:
            text = f"not estimated: {int(r['n_pairs'])} day(s) with both figures, 3 needed"
        lines.append((f"ratio to the {slot} figure", text))
    lines.append(
        (
            "analyses below",
            "use the whole-day figures only; partial and estimated days are not mixed in",
        )
    )
    return lines
