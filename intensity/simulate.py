"""Seeded generator of realistic daily count series with known structure.

Used by the tests, the calibration studies and ``intensity demo``; users can run their own
power studies with it. Counts are negative binomial (NB2: variance ``mu + mu**2/size``)
around a mean built from a level, a log-linear trend, level breaks, weekday and annual
effects, and optional spikes and surges.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import _negbin
from ._validation import check_date, check_whole
from .exceptions import ParameterError
from .io import MAX_DAYS

__all__ = ["simulate_counts", "simulate_metrics", "Simulation", "DEFAULT_WEEKDAY"]

#: Weekday rate ratios Monday…Sunday (geometric mean 1) used by default.
DEFAULT_WEEKDAY: tuple[float, ...] = (1.06, 1.04, 1.02, 1.0, 0.98, 0.95, 0.95)


@dataclass(frozen=True)
class Simulation:
    """A simulated series and the truth behind it.

    Examples
    --------
    >>> from intensity import simulate_counts
    >>> sim = simulate_counts(400, seed=1, breaks=[(200, 1.5)])
    >>> len(sim.counts), [d.strftime("%Y-%m-%d") for d in sim.breaks]
    (400, ['2022-09-17'])
    """

    counts: pd.Series
    mean: pd.Series
    weekday_ratio: np.ndarray  # Monday…Sunday, geometric mean 1
    annual_amplitude: float
    size: float
    breaks: tuple[pd.Timestamp, ...] = ()
    spikes: tuple[pd.Timestamp, ...] = ()
    surges: tuple[tuple[pd.Timestamp, pd.Timestamp], ...] = field(default_factory=tuple)


def _check_numbers(**values: Any) -> None:
    """Each value a real number (``size`` may be ``inf``: Poisson), not NaN."""
    for name, v in values.items():
        real = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
        if not real or math.isnan(v) or (math.isinf(v) and name != "size"):
            raise ParameterError(f"{name} must be a finite number, got {v!r}")


def _check_events(n_days: int, **events: Any) -> None:
    """``breaks`` and ``spikes`` as ``(day, ratio)``, ``surges`` as ``(start, length,
    ratio)``: days within the series, lengths >= 1, ratios finite and > 0."""
    for name, items in events.items():
        width = 3 if name == "surges" else 2
        form = "(start, length, ratio)" if width == 3 else "(day, ratio)"
        try:
            rows = [tuple(item) for item in items]
        except TypeError:
            rows = [()]
        for row in rows:
            if not _event_ok(row, width, n_days):
                raise ParameterError(
                    f"{name} must be {form} tuples with days in 0 … {n_days - 1} and ratios "
                    f"> 0, got {items!r}"
                )


def _event_ok(row: tuple[Any, ...], width: int, n_days: int) -> bool:
    """Whether *row* is ``(day, ratio)`` (*width* 2) or ``(start, length, ratio)`` (3)
    with a day of the series, a length >= 1 and a finite ratio > 0."""
    whole = all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) for x in row[:-1])
    if len(row) != width or not whole or not 0 <= row[0] < n_days:
        return False
    if width == 3 and row[1] < 1:
        return False
    ratio = row[-1]
    real = isinstance(ratio, (int, float, np.integer, np.floating)) and not isinstance(ratio, bool)
    return bool(real and math.isfinite(ratio) and ratio > 0)


def _generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    """*seed* as a generator: a whole number >= 0, a Generator, or None (fresh entropy);
    anything else a ParameterError, not numpy's 'expected non-negative integer'."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None:
        check_whole("seed", seed, 0)
    return np.random.default_rng(seed)


def _normalise_weekday(weekday: Sequence[float] | None) -> np.ndarray:
    if weekday is None:
        return np.ones(7)
    w = np.asarray(weekday, dtype=float)
    if w.shape != (7,) or (w <= 0).any():
        raise ParameterError(f"weekday must be 7 positive ratios (Monday…Sunday), got {weekday!r}")
    return w / np.exp(np.log(w).mean())


def simulate_counts(
    n_days: int = 1600,
    *,
    start: str = "2022-03-01",
    level: float = 1000.0,
    size: float = 20.0,
    weekday: Sequence[float] | None = DEFAULT_WEEKDAY,
    annual_amplitude: float = 0.15,
    annual_peak_day: int = 15,
    trend: float = 0.0,
    breaks: Sequence[tuple[int, float]] = (),
    spikes: Sequence[tuple[int, float]] = (),
    surges: Sequence[tuple[int, int, float]] = (),
    missing: float = 0.0,
    seed: int | np.random.Generator | None = None,
    name: str = "simulated",
) -> Simulation:
    """Simulate a negative-binomial daily count series with known structure.

    Parameters
    ----------
    n_days, start
        Length and first day.
    level
        Mean count per day at the start (before weekday and annual effects).
    size
        NB2 size parameter (dispersion ``alpha = 1/size``); ``np.inf`` gives Poisson.
    weekday
        Seven rate ratios, Monday first (normalised to geometric mean 1), or ``None``.
    annual_amplitude, annual_peak_day
        Annual cycle ``exp(a * cos(2π (doy - peak)/365.25))`` on the mean.
    trend
        Log-linear trend per year (``0.1`` = about +10.5% a year).
    breaks
        ``(day_index, ratio)``: from that day on the level is multiplied by ``ratio``.
    spikes
        ``(day_index, ratio)``: a one-day multiplication of the mean.
    surges
        ``(start_index, length, ratio)``: a multiplication of the mean over ``length`` days.
    missing
        Share of days set to NaN at random.
    seed
        Seed or generator; the same seed gives the same series.

    Returns
    -------
    Simulation

    Examples
    --------
    >>> from intensity.simulate import simulate_counts
    >>> sim = simulate_counts(60, seed=1)
    >>> sim.counts.index.freqstr, int(sim.counts.isna().sum())
    ('D', 0)
    """
    n_days = check_whole("n_days", n_days, 1)
    if n_days > MAX_DAYS:  # as the readers: a 10**9-day request was 8 GB per array
        raise ParameterError(f"n_days must be at most {MAX_DAYS:,} (200 years), got {n_days:,}")
    _check_numbers(level=level, size=size, trend=trend, annual_amplitude=annual_amplitude)
    if level <= 0 or size <= 0:
        raise ParameterError(f"level and size must be positive, got {level!r}, {size!r}")
    if not 0 <= missing < 1:
        raise ParameterError(f"missing must be in [0, 1), got {missing!r}")
    _check_events(n_days, breaks=breaks, spikes=spikes, surges=surges)
    rng = _generator(seed)
    idx = pd.date_range(check_date("start", start), periods=n_days, freq="D", name="date")
    t = np.arange(n_days, dtype=float)
    w = _normalise_weekday(weekday)
    logmu = np.log(level) + trend * t / 365.25
    logmu += np.log(w[idx.day_of_week.to_numpy()])
    doy = idx.day_of_year.to_numpy()
    logmu += annual_amplitude * np.cos(2 * np.pi * (doy - annual_peak_day) / 365.25)
    for day, ratio in breaks:
        logmu[int(day) :] += np.log(ratio)
    for day, ratio in spikes:
        logmu[int(day)] += np.log(ratio)
    for s0, length, ratio in surges:
        logmu[int(s0) : int(s0) + int(length)] += np.log(ratio)
    with np.errstate(over="ignore"):
        mu = np.exp(logmu)
    if not (np.isfinite(mu).all() and mu.max() < 1e15):
        raise ParameterError(
            f"the mean reaches {float(mu.max()):.3g} a day: level, trend, annual_amplitude "
            "and the ratios must keep it below 1e15"
        )
    y = _negbin.draw(rng, mu, size)
    if missing > 0:
        y[rng.random(n_days) < missing] = np.nan
    counts = pd.Series(y, index=idx, name=name)
    return Simulation(
        counts=counts,
        mean=pd.Series(mu, index=idx, name="mean"),
        weekday_ratio=w,
        annual_amplitude=annual_amplitude,
        size=float(size),
        breaks=tuple(idx[int(d)] for d, _ in breaks),
        spikes=tuple(idx[int(d)] for d, _ in spikes),
        surges=tuple(
            (idx[int(s)], idx[min(int(s) + int(n) - 1, n_days - 1)]) for s, n, _ in surges
        ),
    )


def simulate_metrics(
    n_days: int,
    levels: Mapping[str, float],
    *,
    breaks: Mapping[str, Sequence[tuple[int, float]]] | None = None,
    size: float = 20.0,
    rho: float = 0.5,
    sd: float | Mapping[str, float] = 0.15,
    corr: float = 0.3,
    start: str = "2022-03-01",
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Simulate several daily count series that move together as the General Staff's
    loss categories do: each is negative binomial around its level (times its breaks)
    with a latent AR(1) log-rate (lag-1 correlation *rho*, sd *sd*), and the latent rates
    of different series have the same-day correlation *corr*
    (:func:`intensity.dependence.simulate_joint_latent_counts`).

    Parameters
    ----------
    n_days, start
        Length and first day.
    levels
        ``{name: mean count per day}``, one column each.
    breaks
        ``{name: [(day_index, ratio), ...]}``: from that day on the column's level is
        multiplied by ``ratio``.
    size, rho, sd, corr
        NB size given the latent rate, and the latent process (*sd* one number or
        ``{name: sd}``).
    seed
        Seed or generator.

    Returns
    -------
    pd.DataFrame
        One column per name, a daily index.

    Examples
    --------
    >>> from intensity.simulate import simulate_metrics
    >>> f = simulate_metrics(100, {"a": 500, "b": 30}, breaks={"a": [(50, 1.3)]}, seed=1)
    >>> f.shape, list(f.columns)
    ((100, 2), ['a', 'b'])
    """
    from .dependence import DependenceModel, simulate_joint_latent_counts

    names = list(levels)
    d = len(names)
    if d < 1 or int(n_days) < 2:
        raise ParameterError(f"need at least one level and 2 days, got {d} and {n_days!r}")
    sds = [float(sd[n]) if isinstance(sd, Mapping) else float(sd) for n in names]
    if not (0 <= rho < 1 and min(sds) >= 0 and -1 < corr < 1 and size > 0):
        raise ParameterError(
            f"need 0 <= rho < 1, sd >= 0, -1 < corr < 1, size > 0; got {rho}, {sd}, {corr}, {size}"
        )
    unknown = sorted(set(breaks or {}) - set(names))
    if unknown:
        raise ParameterError(f"breaks name series not in levels: {unknown}")
    rng = _generator(seed)
    mu = _stepped_means(names, levels, breaks or {}, int(n_days))
    models = [
        DependenceModel(rho=rho, sigma2=v * v, size=size, acf1=math.nan, lrv_factor=1.0)
        for v in sds
    ]
    c = np.full((d, d), float(corr))
    np.fill_diagonal(c, 1.0)
    y = simulate_joint_latent_counts(mu, models, np.full(d, size), c, rng, 1)[0]
    idx = pd.date_range(start, periods=int(n_days), freq="D", name="date")
    return pd.DataFrame(y.T, index=idx, columns=names)


def _stepped_means(
    names: list[Any], levels: Mapping[Any, float], breaks: Mapping[Any, Any], n_days: int
) -> np.ndarray:
    """Each series' daily mean: its level times the ratio of every break from its day."""
    mu = np.empty((len(names), n_days))
    for j, name in enumerate(names):
        mu[j] = float(levels[name])
        for day, ratio in breaks.get(name, ()):
            mu[j, int(day) :] *= float(ratio)
    return mu
