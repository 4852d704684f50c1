"""Exceptions raised by :mod:`intensity`.

Every error the package raises on bad input is one of these, so callers can catch
``intensity.IntensityError`` (or the standard base class, e.g. ``ValueError``).
"""

from __future__ import annotations

__all__ = [
    "IntensityError",
    "DataFormatError",
    "SeriesValidationError",
    "InsufficientDataError",
    "ParameterError",
    "FetchError",
    "IntensityWarning",
    "ReportSkippedWarning",
]


class IntensityError(Exception):
    """Base class of all errors raised by :mod:`intensity`."""


class DataFormatError(IntensityError, ValueError):
    """A file could not be read as daily counts (names the file and the rule broken)."""


class SeriesValidationError(IntensityError, ValueError):
    """A Series/DataFrame does not satisfy the daily-count contract."""


class InsufficientDataError(IntensityError, ValueError):
    """The series is too short (or has too few observed days) for the requested analysis."""


class ParameterError(IntensityError, ValueError):
    """An option has a value outside its allowed set or range."""


class FetchError(IntensityError, OSError):
    """A download failed (offline, HTTP error, checksum mismatch)."""


class IntensityWarning(UserWarning):
    """Base class of the warnings :mod:`intensity` issues."""


class ReportSkippedWarning(IntensityWarning):
    """A text was not taken as an operational report (the warning names the rule and
    quotes the text), so that no text is dropped silently."""
