"""A daily series reconstructed from sparse day figures, partial-day figures and period
figures, with intervals (:mod:`.model`), and analyses on it that carry its uncertainty
(:mod:`.propagate`)."""

from .model import (
    DAY_SD,
    MAX_DAYS,
    Reconstruction,
    coverage_table,
    reconstruct_daily,
    validate_reconstruction,
)
from .propagate import breaks_on_draws, excess_on_draws, rubin

__all__ = [
    "reconstruct_daily",
    "validate_reconstruction",
    "coverage_table",
    "Reconstruction",
    "excess_on_draws",
    "breaks_on_draws",
    "rubin",
    "DAY_SD",
    "MAX_DAYS",
]
