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
    """Base class of all errors raised by :mod:`intensity`.

    Examples
    --------
    >>> import pandas as pd, intensity
    >>> two_days = pd.Series([1.0, 2.0], index=pd.date_range("2024-01-01", periods=2))
    >>> try:
    ...     intensity.detect_breaks(two_days)
    ... except intensity.IntensityError as err:
    ...     print(type(err).__name__)
    InsufficientDataError
    """


class DataFormatError(IntensityError, ValueError):
    """A file could not be read as daily counts (names the file and the rule broken).

    Examples
    --------
    >>> import pathlib, tempfile, intensity
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_text("day,events\\n2024-01-01,3\\n")
    >>> try:
    ...     intensity.read_counts(p)
    ... except intensity.DataFormatError as err:
    ...     print(str(err).split(": ", 1)[1][:22])
    no 'date' column (colu
    """


class SeriesValidationError(IntensityError, ValueError):
    """A Series/DataFrame does not satisfy the daily-count contract.

    Examples
    --------
    >>> import pandas as pd, intensity
    >>> s = pd.Series([3.0, -1.0] * 40, index=pd.date_range("2024-01-01", periods=80))
    >>> try:
    ...     intensity.fit_seasonal(s)
    ... except intensity.SeriesValidationError as err:
    ...     print(str(err)[:58])
    series must hold non-negative counts, got -1 on 2024-01-02
    """


class InsufficientDataError(IntensityError, ValueError):
    """The series is too short (or has too few observed days) for the requested analysis.

    Examples
    --------
    >>> import pandas as pd, intensity
    >>> s = pd.Series([5.0] * 20, index=pd.date_range("2024-01-01", periods=20))
    >>> try:
    ...     intensity.fit_seasonal(s)
    ... except intensity.InsufficientDataError as err:
    ...     print(isinstance(err, ValueError))
    True
    """


class ParameterError(IntensityError, ValueError):
    """An option has a value outside its allowed set or range.

    Examples
    --------
    >>> import intensity
    >>> s = intensity.simulate_counts(100, seed=0).counts
    >>> try:
    ...     intensity.detect_breaks(s, ci=1.5)
    ... except intensity.ParameterError as err:
    ...     print(err)
    ci must be in (0.0, 1.0), got 1.5
    """


class FetchError(IntensityError, OSError):
    """A download failed (offline, HTTP error, checksum mismatch).

    Examples
    --------
    >>> from intensity import FetchError
    >>> issubclass(FetchError, OSError)
    True
    """


class IntensityWarning(UserWarning):
    """Base class of the warnings :mod:`intensity` issues.

    Examples
    --------
    >>> import warnings, intensity
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", intensity.IntensityWarning)  # each one an error
    ...     issubclass(intensity.ReportSkippedWarning, intensity.IntensityWarning)
    True
    """


class ReportSkippedWarning(IntensityWarning):
    """A text was not taken as an operational report (the warning names the rule and
    quotes the text), so that no text is dropped silently.

    Examples
    --------
    >>> import warnings, intensity
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     report = intensity.parse_report(
    ...         "У зоні відповідальності ОСУВ «Хортиця» протягом доби відбулося 45 бойових "
    ...         "зіткнень."  # one zone's own update, not the whole front's
    ...     )
    >>> report is None, [type(w.message).__name__ for w in caught]
    (True, ['ReportSkippedWarning'])
    """
