"""Noise designs like the real data, for calibration studies of the break search.

Each design draws a daily count series of ``n`` days with no abrupt change (``step=1``)
or a ``step`` at the middle, on a latent log-rate that is *not* the AR(1) the package
assumed until issue 22: a random walk plus AR(1), long memory (ARFIMA), the real
personnel residuals resampled in blocks, a smooth version of the real trend, low means and
missing blocks. The real-data designs read ``personnel`` (the shared series) and copy
nothing of it into the project.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.signal import fftconvolve, lfilter

START = "2022-01-01"


@dataclass(frozen=True)
class Design:
    """A named noise design: ``draw(rng, n, step) -> pd.Series``."""

    name: str
    draw: Callable[[np.random.Generator, int, float], pd.Series]
    real: bool = False


def _counts(rng: np.random.Generator, log_mean: np.ndarray, size: float = 40.0) -> np.ndarray:
    mu = np.exp(log_mean)
    return rng.negative_binomial(size, size / (size + mu)).astype(float)


def _series(y: np.ndarray, name: str = "counts") -> pd.Series:
    return pd.Series(y, index=pd.date_range(START, periods=len(y), freq="D"), name=name)


def _step(n: int, step: float) -> np.ndarray:
    return np.where(np.arange(n) >= n // 2, np.log(step), 0.0)


def _ar1(rng: np.random.Generator, n: int, rho: float, sd: float) -> np.ndarray:
    e = rng.standard_normal(n) * sd * np.sqrt(1 - rho * rho)
    e[0] = rng.standard_normal() * sd
    return lfilter([1.0], [1.0, -rho], e)


def _rw(rng: np.random.Generator, n: int, sd: float) -> np.ndarray:
    w = np.cumsum(rng.standard_normal(n) * sd)
    return w - w.mean()


def _arfima(rng: np.random.Generator, n: int, d: float, sd: float, burn: int = 3000) -> np.ndarray:
    """Fractionally integrated noise (ARFIMA(0, d, 0)) by its truncated MA(inf) filter,
    scaled to standard deviation *sd*."""
    j = np.arange(1, n + burn)
    psi = np.r_[1.0, np.cumprod((j - 1 + d) / j)]
    x = fftconvolve(rng.standard_normal(n + burn), psi)[burn : burn + n]
    return (x - x.mean()) / x.std() * sd


def rw_ar1(sd: float, mean: float = 1000.0, missing: float = 0.0) -> Design:
    def draw(rng: np.random.Generator, n: int, step: float) -> pd.Series:
        x = np.log(mean) + _rw(rng, n, sd) + _ar1(rng, n, 0.5, 0.1) + _step(n, step)
        y = _counts(rng, x)
        if missing > 0:  # blocks of 10-40 days until the share is reached
            gone = np.zeros(n, bool)
            while gone.mean() < missing:
                a = int(rng.integers(0, n - 10))
                gone[a : a + int(rng.integers(10, 41))] = True
            y[gone] = np.nan
        return _series(y)

    label = f"random walk sd {sd} + AR(1) 0.5, mean {mean:g}"
    return Design(label + (f", {missing:.0%} missing in blocks" if missing else ""), draw)


def arfima(d: float = 0.3, sd: float = 0.15) -> Design:
    def draw(rng: np.random.Generator, n: int, step: float) -> pd.Series:
        return _series(_counts(rng, np.log(1000.0) + _arfima(rng, n, d, sd) + _step(n, step)))

    return Design(f"ARFIMA d = {d}, sd {sd}", draw)


SHIFT_ALPHA = 0.5
"""Level of the scan that marks the real series' candidate shifts (liberal: anything that
may be an abrupt change), around which the residual ratios are taken."""


def _shift_candidates(personnel: pd.Series) -> pd.DatetimeIndex:
    """The real series' candidate level shifts: ``detect_breaks`` at :data:`SHIFT_ALPHA`
    (ten on real personnel: eight in 2022, 2023-06-06 and 2023-10-11)."""
    from intensity import detect_breaks

    return detect_breaks(personnel, alpha=SHIFT_ALPHA).dates


def _real_ratios(
    personnel: pd.Series, since: str | None = None
) -> tuple[np.ndarray, np.ndarray, pd.DatetimeIndex]:
    """The real series' residual ratios and its smooth trend (the 60-day centred mean of
    its log, as issue 22 defines it), on days both exist.

    The ratios are taken around the same 60-day mean of the log computed *within* the
    stretches between the real series' candidate shifts (:func:`_shift_candidates`), so
    they are residuals of the series' level, not of a mean that smooths its abrupt
    changes: around one continuous 60-day mean every abrupt change stays in the ratios
    as a jump of its own size (x1.66 at 2023-10-11, x1.58 at 2023-06-06 in 10-day means),
    and the blocks carried those jumps into the "null" series (measured 2026-12-04, 40
    two-year series on the smooth trend: ratios from 2023 on gave a break in 19; without
    the 61 days around those two dates, in 1; without two random 61-day stretches
    instead, in 20, 23 and 11).

    The mean of the log, not the log of the mean: a 60-day mean of the counts jumps
    whenever a large day enters or leaves its window (the 3,160 of 2022-03-03 made a
    daily step of 0.177 in its log, 19%), so the "smooth" trend had abrupt changes of its
    own; the mean of the log moves at most 0.044 a day (over the real breaks' 60-day
    ramps).

    Returns the ratios, the trend and the real day of each ratio. *since*: the ratios of
    the days from that date only (the trend is the whole series'); see
    :func:`resampled_real`."""
    y = personnel.astype(float)
    logy = np.log(y.where(y > 0))
    smooth = logy.rolling(60, center=True, min_periods=30).mean()
    segment = np.searchsorted(_shift_candidates(personnel).values, y.index.values, "right")
    level = logy.groupby(segment).transform(
        lambda g: g.rolling(60, center=True, min_periods=min(30, int(g.notna().sum()))).mean()
    )
    ratio = (y / np.exp(level)).to_numpy()
    ok = np.isfinite(ratio) & (ratio > 0) & np.isfinite(smooth.to_numpy())
    pool = ok if since is None else ok & (y.index >= pd.Timestamp(since))
    return ratio[pool], smooth.to_numpy()[ok], pd.DatetimeIndex(y.index[pool])


def _block_resample(rng: np.random.Generator, n_values: int, n: int, block: int = 30) -> np.ndarray:
    """Positions of *n* values drawn in blocks of *block* consecutive ones."""
    starts = rng.integers(0, n_values - block, size=n // block + 1)
    return np.concatenate([np.arange(s, s + block) for s in starts])[:n]


def resampled_real(personnel: pd.Series, trend: bool, since: str | None = None) -> Design:
    """The real residual ratios in 30-day blocks on a flat level of 1,000 (``trend=False``)
    or on the smooth real trend (its 60-day mean; ``trend=True``); with *since*, the
    ratios of the days from that date only.

    The ratios of 2022 hold abrupt changes of their own that no candidate shift marks.
    On the smooth trend 33 of the 36 breaks found in 100 null series sit on ratios of
    2022, where the real ratios' 7-day mean jumps by a median 0.58 in the log (the
    largest 1% of such jumps is above 0.42), each about that size
    (``benchmarks/noise.py --sources``; each series' ``attrs['ratio_day']`` names the
    real day of each day's ratio); with ratios from 2023 on, 9% of 120 null series got
    a break (measured 2026-12-06). ``since='2023-01-01'`` gives that
    design on either level (:func:`designs`); on the flat level the anomaly scan's
    episodes in four-year null series fall from 25% to 10% with it (the 2022 ratios hold
    the real surge of 2022-08-26 to 09-09)."""
    ratio, log_trend, days = _real_ratios(personnel, since)

    def draw(rng: np.random.Generator, n: int, step: float) -> pd.Series:
        at = _block_resample(rng, len(ratio), n)
        base = log_trend[:n] if trend else np.full(n, np.log(1000.0))
        if len(base) < n:
            raise ValueError(f"the real trend has {len(base)} days, asked for {n}")
        mean = np.exp(base + _step(n, step)) * ratio[at]
        s = _series(rng.poisson(mean).astype(float))
        s.attrs["ratio_day"] = days[at]  # the real day each day's ratio was taken from
        return s

    what = "smooth real trend" if trend else "flat level"
    source = "real residual ratios" + (f" from {since[:4]}" if since else "")
    return Design(f"{source} in 30-day blocks, {what}", draw, real=True)


def designs(personnel: pd.Series | None) -> list[Design]:
    """Every design of the study (the real-data ones only with *personnel*)."""
    out = [
        rw_ar1(0.01),
        rw_ar1(0.02),
        rw_ar1(0.03),
        arfima(0.3),
        rw_ar1(0.01, mean=30.0),
        rw_ar1(0.01, mean=3.0),
        rw_ar1(0.01, missing=0.2),
    ]
    if personnel is not None:
        out += [
            resampled_real(personnel, False),
            resampled_real(personnel, True),
            resampled_real(personnel, True, since="2023-01-01"),
            resampled_real(personnel, False, since="2023-01-01"),
        ]
    return out


def study(
    design: Design,
    detect: Callable[[pd.Series], object],
    reps: int,
    seed: int,
    n: int = 730,
    step: float = 1.25,
) -> dict[str, float]:
    """False-break rate (share of null series with at least one break), power (a break
    within 60 days of a ``step`` at the middle) and date-interval coverage (of the true
    date, among the breaks found near it)."""
    rng = np.random.default_rng(seed)
    false = found = cover = 0
    mid = n // 2
    for _ in range(reps):
        b0 = detect(design.draw(rng, n, 1.0))
        false += len(b0.positions) > 0  # type: ignore[attr-defined]
        s1 = design.draw(rng, n, step)
        b1 = detect(s1)
        pos = np.asarray(b1.positions)  # type: ignore[attr-defined]
        if len(pos) and np.min(np.abs(pos - mid)) <= 60:
            found += 1
            row = b1.breaks.iloc[int(np.argmin(np.abs(pos - mid)))]  # type: ignore[attr-defined]
            cover += bool(row["ci_lower"] <= s1.index[mid] <= row["ci_upper"])
    return {"false": false / reps, "power": found / reps, "cover": cover / max(found, 1)}
