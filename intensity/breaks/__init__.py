"""Trend breaks: exact optimal segmentation of count (or other) series, with uncertainty on
the dates.

Conventions, stated once and used everywhere:

* A **break date is the first period of the new regime**. Internally a break is the
  0-based position of that period. Other tools differ: strucchange reports the last
  observation of the old regime (1-based, so the *same integer*), ruptures the exclusive
  end of the old segment (again the same integer), TCPD annotations the 0-based first
  index of the new regime. :func:`from_strucchange`, :func:`to_ruptures` and
  :func:`from_ruptures` convert.
* Costs are twice the negative log-likelihood; segment parameters are profiled out. Each
  model is one class in :mod:`intensity.costs`; this module never tests a model's name
  beyond choosing the class. Missing periods contribute nothing; a break is always placed
  on an observed period.
* ``min_size`` counts periods of the series' frequency (days for daily counts; weekly,
  monthly, quarterly and yearly series are segmented the same way, see
  :func:`~intensity._validation.as_regular_series`).
* NB overdispersion is named as everywhere in the package (:mod:`intensity._negbin`):
  ``size`` is ``k`` (variance ``mu + mu**2/k``), ``dispersion`` is ``alpha = 1/k``.
"""

from __future__ import annotations

from ..costs import bai_interval
from .detect import detect_breaks, penalty_path
from .joint import CommonBreaks, detect_common_breaks
from .results import Breaks, PenaltyPath
from .search import (
    estimate_dispersion,
    estimate_size,
    from_ruptures,
    from_strucchange,
    to_ruptures,
)

__all__ = [
    "detect_breaks",
    "Breaks",
    "penalty_path",
    "PenaltyPath",
    "estimate_dispersion",
    "estimate_size",
    "to_ruptures",
    "from_ruptures",
    "from_strucchange",
    "bai_interval",
    "CommonBreaks",
    "detect_common_breaks",
]
