"""Segment costs of the break search, one class per model (as ruptures' ``costs/``).

=====================  ======================================================================
``'poisson'``          :class:`PoissonCost`: Poisson counts (seasonality as exposure)
``'negbin'``           :class:`NegBinCost`: NB2 counts, size estimated from neighbours
``'normal'``           :class:`NormalCost`: change in mean, robust or given noise sd
``'normal_meanvar'``   :class:`NormalMeanVarCost`: change in mean and variance
``'linear_trend'``     :class:`LinearTrendCost`: continuous piecewise-linear log1p trend
=====================  ======================================================================

Each class knows its kernel code, its number of parameters per break, whether it needs
counts, and how to report a segment's level, a ratio of levels and a break's uncertainty;
:func:`~intensity.detect_breaks` asks the cost and never tests the model's name.
"""

from __future__ import annotations

from .base import BreakContext, BreakUncertainty, SegmentCost, SegmentLevel
from .counts import CountCost, NegBinCost, PoissonCost
from .gaussian import NormalCost, NormalMeanVarCost, bai_interval, robust_sigma
from .trend import LinearTrendCost

__all__ = [
    "COSTS",
    "BreakContext",
    "BreakUncertainty",
    "CountCost",
    "LinearTrendCost",
    "NegBinCost",
    "NormalCost",
    "NormalMeanVarCost",
    "PoissonCost",
    "SegmentCost",
    "SegmentLevel",
    "bai_interval",
    "robust_sigma",
]

#: the cost class of each model name
COSTS: dict[str, type[SegmentCost]] = {
    cls.name: cls
    for cls in (PoissonCost, NegBinCost, NormalCost, NormalMeanVarCost, LinearTrendCost)
}
