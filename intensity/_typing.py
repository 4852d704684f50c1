"""Shared ``Literal`` option types."""

from __future__ import annotations

from typing import Literal

Transform = Literal["log1p", "sqrt", "none"]
BreakModel = Literal["negbin", "poisson", "normal", "normal_meanvar", "linear_trend"]
PenaltyName = Literal["mbic", "bic", "aic"]
ProfileBy = Literal["weekday", "month"]
#: the noise model of the seasonal analyses: the drift model when the log-rate drifts, else
#: the latent AR(1) ("auto"); the AR(1) always; independent days
SeasonalNoise = Literal["auto", "ar1", "none"]
#: the null series of the episode scan: AR(1) + slow component, AR(1), independent
AnomalyNoise = Literal["auto", "ar1", "none"]
Corrections = Literal["mask", "keep"]
#: how dots in numbers are read: decided per column, thousands separators, decimal points
Thousands = Literal["auto", ".", "none"]
#: what a day absent from a counts file is: not reported (NaN), or a day without events (0)
AbsentDays = Literal["missing", "zero"]
QualityKind = Literal[
    "duplicate",
    "gap",
    "stall",
    "catch_up",
    "negative",
    "correction",
    "non_integer",
    "impossible",
    "series_start",
    "definition_change",
    "rounded",
    "partial_day",
    "absent_zero",
    "absent_days",
    "stacked_date",
]
