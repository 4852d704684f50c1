"""Several metrics at once: breaks common to a frame of daily counts, the lead and lag
between two series, and the ratio of two series."""

from __future__ import annotations

from ..breaks.joint import CommonBreaks, detect_common_breaks
from .leadlag import LeadLag, lead_lag, log_rate_residuals
from .ratio import Ratio, ratio

__all__ = [
    "CommonBreaks",
    "detect_common_breaks",
    "LeadLag",
    "lead_lag",
    "log_rate_residuals",
    "Ratio",
    "ratio",
]
