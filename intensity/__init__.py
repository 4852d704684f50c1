"""intensity: daily combat-intensity counts from the Ukrainian General Staff.

Load the counts into pandas, model their weekly and annual seasonality, find trend breaks
and anomalies, and draw publication figures. The figures are claims by one party to the
war and are not independently verified.
"""

from __future__ import annotations

from .anomalies import Anomalies, DayChange, day_change, detect_anomalies
from .breaks import Breaks, PenaltyPath, detect_breaks, penalty_path
from .exceptions import (
    DataFormatError,
    FetchError,
    InsufficientDataError,
    IntensityError,
    ParameterError,
    SeriesValidationError,
)
from .io import quality_events, read_counts, read_losses, validate
from .multi import CommonBreaks, LeadLag, Ratio, lead_lag, ratio
from .reports import (
    DirectionCount,
    Report,
    direction_counts,
    engagements_daily,
    parse_report,
    read_telegram_export,
)
from .seasonal import (
    Decomposition,
    SeasonalFit,
    SeasonalProfile,
    decompose,
    fit_seasonal,
    seasonal_profile,
)
from .seasons import SeasonalExcess, seasonal_excess
from .simulate import Simulation, simulate_counts

__version__ = "0.1.0"

__all__ = [
    "seasonal_excess",
    "SeasonalExcess",
    "__version__",
    "read_counts",
    "read_losses",
    "validate",
    "quality_events",
    "decompose",
    "Decomposition",
    "fit_seasonal",
    "SeasonalFit",
    "seasonal_profile",
    "SeasonalProfile",
    "simulate_counts",
    "detect_breaks",
    "CommonBreaks",
    "lead_lag",
    "LeadLag",
    "ratio",
    "Ratio",
    "detect_anomalies",
    "parse_report",
    "Report",
    "DirectionCount",
    "engagements_daily",
    "direction_counts",
    "read_telegram_export",
    "Anomalies",
    "day_change",
    "DayChange",
    "Breaks",
    "penalty_path",
    "PenaltyPath",
    "Simulation",
    "IntensityError",
    "DataFormatError",
    "SeriesValidationError",
    "InsufficientDataError",
    "ParameterError",
    "FetchError",
]
