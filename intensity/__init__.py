"""intensity: daily combat-intensity counts from the Ukrainian General Staff.

Load the counts into pandas, model their weekly and annual seasonality, find trend breaks
and anomalies, and draw publication figures. The figures are claims by one party to the
war and are not independently verified.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .exceptions import (
    DataFormatError,
    FetchError,
    InsufficientDataError,
    IntensityError,
    IntensityWarning,
    ParameterError,
    ReportSkippedWarning,
    SeriesValidationError,
)

#: where each public name lives; imported on first use (PEP 562), so ``import intensity``
#: and the command line start without loading pandas, statsmodels or numba
_LAZY = {
    "Anomalies": "anomalies",
    "DayChange": "anomalies",
    "day_change": "anomalies",
    "detect_anomalies": "anomalies",
    "Breaks": "breaks",
    "PenaltyPath": "breaks",
    "detect_breaks": "breaks",
    "penalty_path": "breaks",
    "quality_events": "io",
    "read_counts": "io",
    "read_losses": "io",
    "validate": "io",
    "CommonBreaks": "multi",
    "LeadLag": "multi",
    "Ratio": "multi",
    "lead_lag": "multi",
    "ratio": "multi",
    "DirectionCount": "reports",
    "Report": "reports",
    "direction_counts": "reports",
    "engagements_daily": "reports",
    "parse_report": "reports",
    "read_telegram_export": "reports",
    "Decomposition": "seasonal",
    "SeasonalFit": "seasonal",
    "SeasonalProfile": "seasonal",
    "decompose": "seasonal",
    "fit_seasonal": "seasonal",
    "seasonal_profile": "seasonal",
    "SeasonalExcess": "seasons",
    "seasonal_excess": "seasons",
    "EventEffect": "events",
    "event_effect": "events",
    "Simulation": "simulate",
    "simulate_counts": "simulate",
    "Reconstruction": "reconstruct",
    "reconstruct_daily": "reconstruct",
}

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from .anomalies import Anomalies, DayChange, day_change, detect_anomalies
    from .breaks import Breaks, PenaltyPath, detect_breaks, penalty_path
    from .events import EventEffect, event_effect
    from .io import quality_events, read_counts, read_losses, validate
    from .multi import CommonBreaks, LeadLag, Ratio, lead_lag, ratio  # type: ignore[no-redef]
    from .reconstruct import Reconstruction, reconstruct_daily
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


def __getattr__(name: str) -> Any:
    import importlib

    mod = _LAZY.get(name)
    if mod is None:
        if name.isidentifier() and not name.startswith("__"):
            try:  # a submodule: intensity.fetch, intensity.pipeline, ...
                return importlib.import_module(f".{name}", __name__)
            except ModuleNotFoundError as exc:
                if exc.name != f"{__name__}.{name}":
                    raise
        raise AttributeError(f"module 'intensity' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{mod}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"

__all__ = [
    "seasonal_excess",
    "SeasonalExcess",
    "event_effect",
    "EventEffect",
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
    "reconstruct_daily",
    "Reconstruction",
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
    "IntensityWarning",
    "ReportSkippedWarning",
]
