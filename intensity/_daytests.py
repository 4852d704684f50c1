"""Single-day tests against the local level: is a day far from the days around it?

A spike or a dip is one day far outside what its own neighbourhood predicts. Tested
against the baseline alone, with one dispersion for the whole series, the answer moved
with the start of the series: real personnel's 2,710 of 2025-02-28 (its neighbours at
1,050-1,300) was a spike from 2024 on and not on the whole series, whose dispersion is
set by 2022's volatile months (day-to-day scatter of the log counts 0.32 in 2022, 0.10 in
2025); a day inside an unpredicted hump was surprising against the baseline although
ordinary among its neighbours; and a series whose scatter is wild in places (cruise
missiles, mass strikes of 45-75 among days of 0-2) had its dispersion set by them, so
that none of the twelve mass strikes of October 2022 - March 2023 was a spike. Two
scales, each estimated where the day is:

* the **local level** of the day: its neighbours' counts over their baseline means, the
  day itself left out (``(sum y + 1/2) / (sum mu + 1/2)`` over :data:`LEVEL_DAYS` either
  side, widened until the neighbours expect :data:`LEVEL_COUNTS` counts, so sparse
  series get a level too), times the day's baseline mean (its weekday, its season);
* the **local dispersion** of the day's prediction: the relative variance of its level's
  count noise, ``1 / (sum y + 1/2)``, which is known, plus the NB2 moment estimate
  ``sum((y - m)^2 - m - m^2 / (sum y + 1/2)) / sum(m^2)`` (at least 0) of the
  neighbours' own leave-one-out residuals over :data:`DISPERSION_DAYS` either side: the
  count noise beyond Poisson, and the level's error beyond its count noise. Estimating
  the whole of it by moments was anti-conservative where the counts are near Poisson:
  the estimate's own noise (±0.0007 at 100 a day) is as large as the level's share
  (1/1,400), and 3 of 5 series of 400 Poisson(100) days had a false spike; now 0.7-2%
  of null series of 400 days have one (BH's bound with known means is 1%).

Each day's two-sided NB tail probability gets a Benjamini-Hochberg q-value across the
days. Gross outliers under the baseline (:func:`~intensity._negbin.outlying` with its
dispersion), and days far beyond the days around them whatever the baseline
(:func:`~intensity._negbin.gross_days`: with 2022 in the series the baseline's global
dispersion let personnel's 2,710 of 2025-02-28 into the dispersion of the half-year
around it, whose band then doubled and hid the Easter-truce dip of 2025-04-21), are out
of every neighbourhood from the start (one catch-up day of 1,000,000
would otherwise raise the level of the week around it and the dispersion of half a
year); the days flagged are left out of their neighbours' level and the tests repeated
until the flags repeat (at most :data:`ROUNDS`), but they stay in the dispersion:
leaving them out of it too narrowed it round by round (cruise missiles 26 -> 47 spike
days, drone 6 -> 8). The dispersion's half-window is a quarter of a year: with half a
year the scatter of drone losses in the winter of 2025/26 (57 to 1,031 a day) was read
at the narrower one of the busier months after it and 24 days were flagged (3 + 3 with
a quarter); personnel keeps its one clear spike from every start.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _negbin
from .baselines import periods

__all__ = ["DayTests", "bh_qvalues", "day_tests"]

LEVEL_DAYS = 7
"""Neighbours either side of a day that set its local level (a week: every weekday twice)."""

LEVEL_COUNTS = 20.0
"""The fewest counts the neighbours must expect under the baseline before their level
is used; the window doubles until they do (sparse series)."""

DISPERSION_DAYS = 91
"""Days either side over which the local dispersion is estimated (half a year in all)."""

MIN_DISPERSION_PERIODS = 26
"""The fewest periods either side for the dispersion of weekly or monthly counts."""

ROUNDS = 4
"""The most rounds of tests, each leaving the days flagged by the last out of the others'
level and dispersion."""


@dataclass(frozen=True)
class DayTests:
    """The single-day tests of a series (arrays of its length; NaN on days not tested)."""

    expected: np.ndarray
    """The day's expected count given its neighbours: baseline mean times local level."""
    dispersion: np.ndarray
    """The local NB2 dispersion of the day's prediction."""
    lower: np.ndarray
    upper: np.ndarray
    """Central prediction interval of the day's count at the tests' level."""
    p_upper: np.ndarray
    p_lower: np.ndarray
    """``P(Y >= y)`` and ``P(Y <= y)`` of the day's count."""
    q: np.ndarray
    """Benjamini-Hochberg q-values of the two-sided tail probabilities."""
    flagged: np.ndarray
    """Days with ``q <= alpha``."""


def _around(x: np.ndarray, k: int) -> np.ndarray:
    """The sum of *x* over ``[t - k, t + k]`` without ``x[t]``, for every ``t``."""
    n = len(x)
    c = np.concatenate([[0.0], np.cumsum(x)])
    i = np.arange(n)
    return c[np.minimum(i + k + 1, n)] - c[np.maximum(i - k, 0)] - x


def _local_level(
    y: np.ndarray, mu: np.ndarray, keep: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each day's neighbours' counts over their baseline means (:func:`day_tests`), the
    window doubled from *k* either side until they expect :data:`LEVEL_COUNTS`, and those
    counts (plus 1/2): the level's relative variance is at least their inverse."""
    yk, mk = np.where(keep, y, 0.0), np.where(keep, mu, 0.0)
    n = len(y)
    sy, sm = np.zeros(n), np.zeros(n)
    todo = np.ones(n, dtype=bool)
    while todo.any():
        a, b = _around(yk, k), _around(mk, k)
        now = todo & ((b >= LEVEL_COUNTS) | (k >= n))
        sy[now], sm[now] = a[now], b[now]
        todo &= ~now
        k *= 2
    return (sy + 0.5) / (sm + 0.5), sy + 0.5


def day_tests(
    y: np.ndarray,
    mu: np.ndarray,
    test: np.ndarray,
    per_year: float,
    alpha: float,
    level: float,
    dispersion: float,
) -> DayTests:
    """Test each day *test* of the counts *y* against its neighbours (module docstring),
    *mu* the baseline's mean of every day, *per_year* periods a year (the windows are set
    in days); q-values at or below *alpha* flag a day, the intervals hold *level*; the
    baseline's own *dispersion* screens the gross outliers.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(3)
    >>> y = rng.poisson(100.0, 400).astype(float)
    >>> y[200] = 180.0
    >>> t = day_tests(y, np.full(400, 100.0), np.ones(400, bool), 365.25, 0.01, 0.99, 0.0)
    >>> np.flatnonzero(t.flagged).tolist()
    [200]
    """
    y = np.where(test, y, 0.0)
    k = max(periods(LEVEL_DAYS, per_year), 3)
    w = max(periods(DISPERSION_DAYS, per_year), MIN_DISPERSION_PERIODS)
    # gross outliers under the baseline, and days far beyond the days around them, are
    # out of every neighbourhood from the start
    screened = (
        test
        & ~_negbin.outlying(y, mu, test, dispersion)
        & ~_negbin.gross_days(np.where(test, y, np.nan))
    )
    keep = screened
    seen: list[bytes] = []
    for _ in range(ROUNDS):
        local, counts = _local_level(y, mu, keep, k)
        m = mu * local
        # the count noise of the neighbours' sum, known, apart; the rest estimated
        known = 1.0 / counts
        e = np.where(screened, (y - m) ** 2 - m - m * m * known, 0.0)
        mm = np.where(screened, m * m, 0.0)
        a = np.maximum(_around(e, w) / np.maximum(_around(mm, w), 1e-300), 0.0) + known
        p_up, p_lo = _negbin.tails(y, m, a)
        p = np.where(test, np.minimum(1.0, 2.0 * np.minimum(p_up, p_lo)), np.nan)
        q = bh_qvalues(p)
        flagged = test & (q <= alpha)
        key = flagged.tobytes()
        if key in seen:
            break
        seen.append(key)
        keep = screened & ~flagged
    lo, hi = _negbin.interval(m, a, level)
    nan = np.where(test, 1.0, np.nan)
    return DayTests(m, a, lo, hi, p_up * nan, p_lo * nan, q, flagged)


def bh_qvalues(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values); NaN stays NaN.

    Examples
    --------
    >>> bh_qvalues(np.array([0.01, 0.04, 0.03, 0.5])).round(3).tolist()
    [0.04, 0.053, 0.053, 0.5]
    """
    p = np.asarray(p, dtype=float)
    q = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return q
    pv = p[ok]
    order = np.argsort(pv)
    ranked = pv[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(ranked, 1.0)
    q[ok] = out
    return q
