"""The effect of a known date: did the rate change after it?

:func:`event_effect` answers "did the daily count change after the Kursk incursion
(2024-08-06)?" with the rate ratio after / before the date, adjusted for the weekday
pattern and a linear trend through the window, an interval and a p-value that hold under
the noise the series really has (drift, long memory), and a check for a change before the
date (anticipation, or a trend the line does not describe).

The estimate is a Poisson quasi-likelihood regression on the days around the date
(consistent for the mean whatever the overdispersion). Its uncertainty is taken from two
sources, and the wider one is reported:

* the model: a heteroskedasticity- and autocorrelation-consistent (Newey–West, Bartlett
  kernel) standard error of the log ratio, with the variance a random-walk drift of the
  log-rate adds to it when the log-rate drifts (the analyses' local level + AR(1) model,
  :func:`~intensity._levelshift.drift_noise`, fitted over :data:`DRIFT_REACH` days either
  side of the date with a free jump at it);
* the series itself (in-time placebos): the same estimate at every other date of the
  series whose window holds no named date. Under drift and long memory a step of some size
  appears at an ordinary date; the event's ratio is only remarkable when it is larger than
  those. Their spread is measured robustly (1.4826 × the median absolute placebo log
  ratio, so the series' few real regime changes do not dominate it) and used as a
  standard error for the interval and the p-value.

Placebo dates overlap, so they are not independent: ``n_independent`` (the placebo span
over the window's width) says how many independent windows stand behind the quantile; with
fewer than :data:`MIN_INDEPENDENT` the placebo part is not used and a note says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._results import ResultMixin, set_aside_words
from ._validation import (
    as_daily_series,
    check_date,
    check_fraction,
    check_whole,
    observed_bounds,
)
from .dependence import drift_quadratic
from .exceptions import InsufficientDataError, ParameterError

__all__ = ["event_effect", "EventEffect", "MIN_INDEPENDENT"]

#: the fewest independent placebo windows for the placebo quantile to be used
MIN_INDEPENDENT = 5
#: the share of a window's days that must be observed on each side of a date
_MIN_SIDE_SHARE = 0.5


# --------------------------------------------------------------------------- estimation
def _design(n: int, split: int, weekdays: np.ndarray | None, trend: bool) -> np.ndarray:
    """Intercept, step (1 from *split* on), linear trend in years (0 at the split) and
    effect-coded weekdays."""
    t = (np.arange(n) - split) / 365.25
    cols = [np.ones(n), (np.arange(n) >= split).astype(float)]
    if trend:
        cols.append(t)
    if weekdays is not None:
        for k in range(6):
            cols.append((weekdays == k).astype(float) - (weekdays == 6).astype(float))
    return np.column_stack(cols)


def _poisson_fit(y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Poisson quasi-likelihood by iteratively reweighted least squares: (coefficients,
    fitted means); None when the design is singular or the fit does not settle."""
    z = np.log(y + 0.5)
    try:
        beta = np.linalg.lstsq(X, z, rcond=None)[0]
        for _ in range(25):
            eta = np.clip(X @ beta, -50, 50)
            mu = np.exp(eta)
            w = mu
            work = eta + (y - mu) / mu
            xtw = X.T * w
            new = np.linalg.solve(xtw @ X, xtw @ work)
            if np.max(np.abs(new - beta)) < 1e-9:
                beta = new
                break
            beta = new
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(beta)):
        return None
    return beta, np.exp(np.clip(X @ beta, -50, 50))


def _gross_outliers(y: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Counts beyond two-sided NB tail probability 1e-6 (:func:`~intensity._negbin.outlying`)
    around a fit that such a day cannot capture: least squares on ``log(y + 0.5)``
    (:func:`_outlying_around`). The Poisson fit itself followed one day of 1,000,000
    among ~1,000 a day: the mean before the date read 12,000 and the ratio after / before
    0.0 [0.0, 0.004]."""
    try:
        beta = np.linalg.lstsq(X, np.log(y + 0.5), rcond=None)[0]
    except np.linalg.LinAlgError:
        return np.zeros(len(y), dtype=bool)
    mu = np.exp(np.clip(X @ beta, -50, 50))
    return _outlying_around(y, mu, np.ones(len(y), dtype=bool))


def _outlying_around(y: np.ndarray, mu: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """The observed counts (*obs*) beyond two-sided NB tail probability 1e-6 around the
    log-scale least-squares means *mu*, with the dispersion from the median absolute
    deviation of the log ratios (``var log y ~ 1/mu + alpha``); along the last axis, so
    a stack of windows (rows) is screened at once, each with its own dispersion. The
    exact tails are taken only where a count could be that far out: more than 4 sd
    (Pearson) above its mean, 2 below, or below 5% of it (a gross outlier at 1e-6 is
    beyond these bounds for any dispersion: below its mean, NB counts reach p = 1e-6
    within 2 sd only when they are a few % of it)."""
    from . import _negbin

    r = np.where(obs, np.log((y + 0.5) / (mu + 0.5)), np.nan)
    med = _median(r, obs)
    spread = (1.4826 * _median(np.abs(r - med), obs)) ** 2
    inv = np.where(obs, 1.0 / np.maximum(mu, 1e-9), 0.0)
    mean_inv = inv.sum(axis=-1, keepdims=True) / np.maximum(obs.sum(axis=-1, keepdims=True), 1)
    alpha = np.maximum(spread - mean_inv, 1e-6)
    a = np.broadcast_to(alpha, y.shape)
    pearson = (y - mu) / np.sqrt(mu + a * mu * mu)
    # above the mean NB tails are heavier than the normal's, whose 1e-6 is 4.9 sd
    cand = obs & ((pearson > 4.0) | (pearson < -2.0) | (y <= 0.05 * mu))
    out = np.zeros(y.shape, dtype=bool)
    if cand.any():
        out[cand] = _negbin.outlying(y[cand], mu[cand], np.ones(int(cand.sum()), bool), a[cand])
    return out


def _median(values: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """The median of the observed *values* along the last axis (kept as an axis of 1):
    ``np.median`` where a row is all observed, ``np.nanmedian`` (five times slower) only
    for the rows with gaps."""
    full = obs.all(axis=-1)
    if full.all():
        return np.median(values, axis=-1, keepdims=True)
    out = np.nanmedian(np.where(obs, values, np.nan), axis=-1, keepdims=True)
    if full.any() and values.ndim > 1:
        out[full] = np.median(values[full], axis=-1, keepdims=True)
    return out


def _hac_se(y: np.ndarray, X: np.ndarray, mu: np.ndarray, pos: np.ndarray, col: int) -> float:
    """Newey–West standard error of coefficient *col* of a Poisson quasi-likelihood fit;
    lags are calendar days (*pos*: the days' positions, gaps kept), Bartlett weights,
    bandwidth ``floor(4 (n/100)^(2/9))`` at least 7 (a week of dependence)."""
    n = len(y)
    bread = np.linalg.inv((X.T * mu) @ X)
    scores = X * (y - mu)[:, None]
    lag_max = max(7, int(4 * (n / 100) ** (2 / 9)))
    full = np.zeros((int(pos[-1] - pos[0]) + 1, X.shape[1]))
    full[pos - pos[0]] = scores
    meat = full.T @ full
    for h in range(1, lag_max + 1):
        g = full[h:].T @ full[:-h]
        meat += (1 - h / (lag_max + 1)) * (g + g.T)
    cov = bread @ meat @ bread
    return float(np.sqrt(max(cov[col, col], 0.0)))


@dataclass(frozen=True)
class _Window:
    lo: int  # first position (inclusive)
    split: int  # the date's position
    hi: int  # last position (exclusive)


def _estimate(
    values: np.ndarray,
    weekdays: np.ndarray | None,
    win: _Window,
    trend: bool,
    drift: float = 0.0,
) -> tuple[float, float, np.ndarray, np.ndarray] | None:
    """(log ratio, its se, positions used, fitted means) for one window, or None when a
    side has too few observed days or the fit fails. The se is the HAC one and, with a
    *drift* variance (daily, of a random walk of the log-rate), the walk's: the step's
    estimate is a contrast ``a`` of the window's log-rate (its row of ``(X'WX)^-1 X'W``),
    and a walk moves it by ``q a' min(s, t) a`` (what the trend line does not absorb)."""
    seg = values[win.lo : win.hi]
    obs = np.isfinite(seg)
    split = win.split - win.lo
    need_before = _MIN_SIDE_SHARE * split
    need_after = _MIN_SIDE_SHARE * (len(seg) - split)
    if obs[:split].sum() < max(need_before, 7) or obs[split:].sum() < max(need_after, 7):
        return None
    if _zero_side(seg, split):
        return None  # no count on a side: the log ratio is infinite, not estimable
    wd = None if weekdays is None else weekdays[win.lo : win.hi]
    X = _design(len(seg), split, wd, trend)[obs]
    y = seg[obs]
    far = _gross_outliers(y, X)
    if far.any():  # set aside: one day of 1,000,000 before a date read as a fall to 0
        obs = obs.copy()
        obs[np.flatnonzero(obs)[far]] = False
        X, y = X[~far], y[~far]
    fit = _poisson_fit(y, X)
    if fit is None:
        return None
    beta, mu = fit
    pos = np.flatnonzero(obs)
    try:
        se = _hac_se(y, X, mu, pos, 1)
        if drift > 0:
            a = np.zeros(len(seg))
            a[pos] = np.linalg.solve((X.T * mu) @ X, X.T * mu)[1]
            se = float(np.sqrt(se * se + float(drift_quadratic(a, drift))))
    except np.linalg.LinAlgError:
        return None
    return float(beta[1]), se, pos + win.lo, mu


def _zero_side(seg: np.ndarray, split: int) -> bool:
    """Whether a side (before *split*, or from it on) has observed counts, all zero."""
    for side in (seg[:split], seg[split:]):
        seen = side[np.isfinite(side)]
        if len(seen) and not seen.any():
            return True
    return False


#: days either side of a date over which the drift of the log-rate is fitted
DRIFT_REACH = 365


def _local_drift(
    values: np.ndarray, weekdays: np.ndarray | None, p0: int, named: list[int]
) -> float:
    """The daily variance of the random-walk drift of the log-rate over
    :data:`DRIFT_REACH` days either side of the date at *p0* (the analyses' drift model,
    :func:`~intensity._levelshift.drift_noise`, with free jumps at the *named* dates, so a
    change there is not read as drift; weekday effects removed): 0 when the log-rate does
    not drift. Fitted around the date, as the winter question's baseline: the answer rests
    on the date's neighbourhood, not on how wild the series was years before (from
    2024-01-01 the Kursk date's model interval was a third as wide as on the whole series,
    which holds 2022)."""
    from ._levelshift import drift_noise
    from .dependence import NO_DEPENDENCE

    lo, hi = max(0, p0 - DRIFT_REACH), min(len(values), p0 + DRIFT_REACH)
    seg = values[lo:hi]
    obs = np.isfinite(seg)
    if int(obs.sum()) < 120:
        return 0.0
    mult = np.ones(len(seg))
    if weekdays is not None:
        mult = _weekday_multipliers(seg, weekdays[lo:hi])
    free = np.zeros(len(seg), dtype=np.bool_)
    for p in named:
        if lo < p < hi:
            free[p - lo - 1] = True
    return float(drift_noise(np.nan_to_num(seg), mult, obs, NO_DEPENDENCE, free=free).drift)


def _weekday_multipliers(seg: np.ndarray, weekdays: np.ndarray) -> np.ndarray:
    """Each day's weekday multiplier: the geometric mean of the counts of that weekday
    over their centred 7-day geometric mean (1 where not estimable)."""
    z = pd.Series(np.log(seg + 0.5))
    dev = (z - z.rolling(7, center=True, min_periods=7).mean()).to_numpy()
    eff = np.zeros(7)
    for k in range(7):
        d = dev[(weekdays == k) & np.isfinite(dev)]
        eff[k] = float(d.mean()) if len(d) else 0.0
    return np.exp(eff - eff.mean())[weekdays]


def _placebos(
    values: np.ndarray,
    weekdays: np.ndarray | None,
    w: int,
    trend: bool,
    excluded: list[int],
) -> np.ndarray:
    """The log ratio at every date whose ±*w* window lies inside the observed span (first
    to last observed day) and away from the *excluded* positions (the named dates): the
    same model as :func:`_estimate`, fitted to all those windows at once (batched IRLS, in
    chunks). Unobserved days at an end of the series would add placebo windows that hold
    them (the API's personnel, whose first day is a NaN increment, and the processed
    series, a day shorter, gave other intervals)."""
    a, b = observed_bounds(np.isfinite(values))
    centers = np.array(
        [c for c in range(a + w, b - w + 1) if all(abs(c - e) >= w for e in excluded)], int
    )
    out = [
        _batch_steps(values, weekdays, w, trend, chunk)
        for chunk in np.array_split(centers, max(1, len(centers) // 256))
        if len(chunk)
    ]
    return np.concatenate(out) if out else np.zeros(0)


def _batch_steps(
    values: np.ndarray, weekdays: np.ndarray | None, w: int, trend: bool, centers: np.ndarray
) -> np.ndarray:
    """Step coefficients of the windows centred at *centers* (windows with too few
    observed days on a side, or whose fit does not settle, are left out)."""
    offs = np.arange(-w, w)
    pos = centers[:, None] + offs
    y = values[pos]
    obs = np.isfinite(y)
    need = max(_MIN_SIDE_SHARE * w, 7)
    ok = (obs[:, :w].sum(1) >= need) & (obs[:, w:].sum(1) >= need)
    y, obs, pos = y[ok], obs[ok], pos[ok]
    if not len(y):
        return np.zeros(0)
    base = _design(2 * w, w, None, trend)  # intercept, step, trend: the same in every window
    X = np.broadcast_to(base, (len(y), *base.shape))
    if weekdays is not None:
        wd = weekdays[pos]
        eff = np.stack(
            [(wd == k).astype(float) - (wd == 6).astype(float) for k in range(6)], axis=2
        )
        X = np.concatenate([X, eff], axis=2)
    y = np.where(obs, y, 0.0)
    m = obs.astype(float)
    k = X.shape[2]
    ridge = 1e-10 * np.eye(k)

    Xt = np.ascontiguousarray(np.swapaxes(X, 1, 2))

    def wls(weights: np.ndarray, target: np.ndarray) -> np.ndarray:
        # stacked matrix products (einsum over three operands was 10x slower)
        A = np.matmul(Xt * weights[:, None, :], X) + ridge
        rhs = np.matmul(Xt, (weights * target)[..., None])
        try:
            return np.linalg.solve(A, rhs)[..., 0]
        except np.linalg.LinAlgError:
            # a window whose fit degenerates (all zeros on a side: its weights vanish) is
            # left out (NaN), the others solved one by one
            out = np.full(rhs.shape[:2], np.nan)
            for i in range(len(A)):
                try:
                    out[i] = np.linalg.solve(A[i], rhs[i])[:, 0]
                except np.linalg.LinAlgError:
                    pass
            return out

    beta = wls(m, np.log(y + 0.5))
    # gross outliers set aside as in :func:`_estimate` (a day of 1,000,000 far from the
    # date widened the placebo half-width on a simulated series from 0.137 to 0.170)
    mu0 = np.exp(np.clip(np.matmul(X, beta[..., None])[..., 0], -50, 50))
    far = _outlying_around(y, mu0, obs)
    if far.any():
        m = m * ~far
        beta = wls(m, np.log(y + 0.5))
    for _ in range(25):
        eta = np.clip(np.matmul(X, beta[..., None])[..., 0], -50, 50)
        mu = np.exp(eta)
        new = wls(mu * m, eta + (y - mu) / mu)
        done = np.max(np.abs(new - beta)) < 1e-9
        beta = new
        if done:
            break
    steps = beta[:, 1]
    return steps[np.isfinite(steps)]


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, repr=False)
class EventEffect(ResultMixin):
    """The rate ratio after / before each named date (see :func:`event_effect`).

    ``table`` has one row per date: ``before`` and ``after`` (mean daily counts observed
    in the window), ``ratio`` with ``lower``/``upper`` (the interval), ``p``, the model's
    own ``p_model`` and ``se_model`` (log scale, the drift included), ``drift_sd`` (the
    daily sd of the drift around the date, 0 without), the placebo half-width ``placebo_half``
    (log scale, NaN when not used), ``n_placebo`` and ``n_independent``, ``pre_ratio`` with
    ``pre_lower``/``pre_upper``/``pre_p`` (the same question half a window before the
    date, within the days before it), ``window_start``/``window_end`` and ``uncertainty``
    (which source set the interval: ``placebo`` or ``model``). ``fitted`` holds the
    expected counts of each window's fit on the input's index.

    Examples
    --------
    >>> import intensity
    >>> sim = intensity.simulate_counts(700, level=200, breaks=[(400, 1.3)], seed=1)
    >>> eff = intensity.event_effect(sim.counts, sim.counts.index[400], window=60)
    >>> bool(eff.summary()["lower"].iloc[0] > 1)
    True
    """

    series: pd.Series
    table: pd.DataFrame
    fitted: pd.Series
    window: int
    level: float
    trend: bool
    notes: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> pd.DataFrame:
        """One row per date: ratio, interval, p and the pre-date check."""
        cols = [
            "before",
            "after",
            "ratio",
            "lower",
            "upper",
            "p",
            "pre_ratio",
            "pre_p",
            "uncertainty",
        ]
        return self.table[cols]

    def _title(self) -> str:
        name = self.series.name if self.series.name is not None else "series"
        return f"Effect of {len(self.table)} date(s) on {name} (±{self.window} days)"

    def _notes(self) -> list[str]:
        return list(self.notes)

    def sentence(self, date: Any = None) -> str:
        """The answer for one date in words, e.g. ``"+12% [3, 22] after 2024-08-06 over
        the 90 days before it (p = 0.01; no change before it: ×1.02, p = 0.8)"``."""
        row = self.table.iloc[0] if date is None else self.table.loc[pd.Timestamp(date)]
        d = row.name if date is None else pd.Timestamp(date)
        pct = 100 * (row["ratio"] - 1)
        lo, hi = 100 * (row["lower"] - 1), 100 * (row["upper"] - 1)
        pre = "no change before it" if row["pre_p"] >= 0.05 else "a change already before it"
        return (
            f"{pct:+.0f}% [{lo:.0f}, {hi:.0f}] after {d:%Y-%m-%d} against the days before it "
            f"(±{self.window} days, weekday- and trend-adjusted; p = {row['p']:.2g}; "
            f"{pre}: ×{row['pre_ratio']:.2f}, p = {row['pre_p']:.2g})"
        )

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        """The series around each date with the fitted before/after levels
        (:func:`intensity.plotting.plot_event_effect`)."""
        from .plotting import plot_event_effect

        return plot_event_effect(self, ax=ax, **kw)


# --------------------------------------------------------------------------- API
def _positions(index: pd.DatetimeIndex, dates: Any) -> list[pd.Timestamp]:
    raw = (
        [dates]
        if isinstance(dates, (str, pd.Timestamp)) or not hasattr(dates, "__iter__")
        else list(dates)
    )
    if not raw:
        raise ParameterError("dates must name at least one date, got none")
    out = []
    for d in raw:
        ts = check_date("dates", d, "dates")
        ts = ts.tz_localize(None).normalize() if ts.tzinfo else ts.normalize()
        if not index[0] < ts <= index[-1]:
            raise ParameterError(
                f"each date must lie inside the series ({index[0]:%Y-%m-%d} … "
                f"{index[-1]:%Y-%m-%d}) after its first day, got {ts:%Y-%m-%d}"
            )
        out.append(ts)
    if len(set(out)) != len(out):
        raise ParameterError("dates must differ from each other")
    return sorted(out)


def event_effect(
    series: pd.Series,
    dates: Any,
    *,
    window: int = 90,
    trend: bool = True,
    level: float = 0.95,
) -> EventEffect:
    """The rate ratio after / before known dates, with an interval that holds under drift.

    Parameters
    ----------
    series
        Daily counts (``DatetimeIndex``, daily; missing days NaN).
    dates
        One date or several (strings, ``Timestamp``). Each date is the first day *after*
        the change; with several, each one's window stops at its neighbours.
    window
        Days on each side of a date (at least 14). The annual cycle within ±``window``
        days is left to the linear trend: keep it to a few months.
    trend
        Adjust for a straight-line trend (log scale) through the window (default). Without
        it a slow rise reads as an effect.
    level
        Interval level.

    Returns
    -------
    EventEffect

    Raises
    ------
    SeriesValidationError
        Not a daily count series.
    ParameterError
        A date outside the series, repeated dates, a window below 14 days.
    InsufficientDataError
        Fewer than half the window's days (and at least 7) observed on a side of a date.

    Examples
    --------
    >>> import intensity
    >>> sim = intensity.simulate_counts(700, level=200, breaks=[(400, 1.3)], seed=1)
    >>> eff = intensity.event_effect(sim.counts, sim.counts.index[400], window=60)
    >>> round(float(eff.table["ratio"].iloc[0]), 1)
    1.3
    """
    rs = as_daily_series(series, name="series", min_observed=30)
    s = rs.series
    w = check_whole("window", window, 14)
    lvl = check_fraction("level", level, low=0.5, high=0.999)
    when = _positions(pd.DatetimeIndex(s.index), dates)
    values = s.to_numpy(float)
    idx = pd.DatetimeIndex(s.index)
    weekdays = idx.day_of_week.to_numpy() if len(s) >= 28 else None
    pos = [int(idx.searchsorted(d)) for d in when]
    z = float(stats.norm.ppf(0.5 + lvl / 2))
    placebo = _placebos(values, weekdays, w, trend, pos)
    half_placebo_w = max(7, w // 2)
    placebo_pre = _placebos(values, weekdays, half_placebo_w, trend, pos)
    n_ind = len(placebo) / (2 * w) if len(placebo) else 0.0
    n_ind_pre = len(placebo_pre) / (2 * half_placebo_w) if len(placebo_pre) else 0.0
    q = _placebo_half(placebo, z) if n_ind >= MIN_INDEPENDENT else np.nan
    q_pre = _placebo_half(placebo_pre, z) if n_ind_pre >= MIN_INDEPENDENT else np.nan
    fitted_values = np.full(len(s), np.nan)
    rows = []
    aside: list[pd.Timestamp] = []
    for k, (d, p0) in enumerate(zip(when, pos, strict=True)):
        lo = max(p0 - w, pos[k - 1] if k else 0, 0)
        hi = min(p0 + w, pos[k + 1] if k + 1 < len(pos) else len(s))
        q_drift = _local_drift(values, weekdays, p0, pos)
        est = _estimate(values, weekdays, _Window(lo, p0, hi), trend, q_drift)
        if est is None:
            raise _not_estimable(values[lo:hi], p0 - lo, d, w)
        b, se, used, mu = est
        fitted_values[used] = mu
        row = _row(b, se, z, q, placebo, n_ind)
        row["drift_sd"] = math.sqrt(q_drift)
        pre_lo = max(lo, p0 - w)
        pre_split = p0 - (p0 - pre_lo) // 2
        pre = _estimate(values, weekdays, _Window(pre_lo, pre_split, p0), trend, q_drift)
        row.update(_pre_columns(pre, z, q_pre, placebo_pre, n_ind_pre))
        before, after, left = _used_means(values, lo, p0, hi, used)
        aside += [idx[t] for t in left]
        row.update(date=d, before=before, after=after, window_start=idx[lo], window_end=idx[hi - 1])
        rows.append(row)
    table = pd.DataFrame(rows).set_index("date")
    first = ["before", "after", "ratio", "lower", "upper", "p"]
    table = table[first + [c for c in table.columns if c not in first]]
    notes = _effect_notes(w, trend, weekdays is not None, len(placebo), n_ind, aside)
    fitted = pd.Series(fitted_values, index=s.index, name="fitted")
    return EventEffect(
        series=s,
        table=table,
        fitted=fitted,
        window=w,
        level=lvl,
        trend=trend,
        notes=tuple(notes),
    )


def _not_estimable(seg: np.ndarray, split: int, d: pd.Timestamp, w: int) -> InsufficientDataError:
    """Why the window *seg* around the date *d* (at *split*) gave no estimate."""
    if _zero_side(seg, split):
        return InsufficientDataError(
            f"no counts on one side of {d:%Y-%m-%d} within its {w}-day window (all "
            "zero): the rate ratio is infinite or zero, not estimable"
        )
    return InsufficientDataError(
        f"too few observed days around {d:%Y-%m-%d}: each side of the date needs at "
        f"least half of its {w}-day window (and 7 days) observed"
    )


def _used_means(
    values: np.ndarray, lo: int, p0: int, hi: int, used: np.ndarray
) -> tuple[float, float, list[int]]:
    """The mean count before and from the date at *p0* over the days of ``[lo, hi)`` the
    fit *used*, and the observed days it set aside (gross outliers)."""
    took = np.isin(np.arange(lo, hi), used)
    seg = np.where(took, values[lo:hi], np.nan)
    left = [lo + int(t) for t in np.flatnonzero(np.isfinite(values[lo:hi]) & ~took)]
    split = p0 - lo
    return float(np.nanmean(seg[:split])), float(np.nanmean(seg[split:])), left


def _pre_columns(
    pre: Any, z: float, q_pre: float, placebo_pre: np.ndarray, n_ind_pre: float
) -> dict[str, float]:
    """The check for a change before the date: the ratio within the half-window before
    it (NaN when it cannot be estimated)."""
    if pre is None:
        return {"pre_ratio": np.nan, "pre_lower": np.nan, "pre_upper": np.nan, "pre_p": np.nan}
    pr = _row(pre[0], pre[1], z, q_pre, placebo_pre, n_ind_pre)
    return {
        "pre_ratio": pr["ratio"],
        "pre_lower": pr["lower"],
        "pre_upper": pr["upper"],
        "pre_p": pr["p"],
    }


def _effect_notes(
    w: int, trend: bool, weekly: bool, n_placebo: int, n_ind: float, aside: Any = ()
) -> list[str]:
    """The notes of an EventEffect: the model, where its interval comes from and the
    days set *aside* as gross outliers."""
    notes = [
        f"log-linear Poisson quasi-likelihood on ±{w} days: step, "
        + ("linear trend, " if trend else "")
        + ("weekday effects" if weekly else "no weekday effects"),
        f"interval: the wider of the model's (Newey–West, plus the drift of the log-rate "
        f"over {DRIFT_REACH} days either side where it drifts) and one from the robust "
        f"spread of the log ratio at {n_placebo} placebo dates "
        f"(≈{n_ind:.1f} independent windows)",
    ]
    if n_ind < MIN_INDEPENDENT:
        notes.append(
            f"fewer than {MIN_INDEPENDENT} independent placebo windows: the interval is the "
            "model's alone (drift included, longer memory not)"
        )
    if len(aside):
        notes.append(
            set_aside_words(sorted(set(aside)), "around a log-scale fit of the window")
            + "; out of before / after too (the placebo windows screen theirs alike)"
        )
    return notes


def _placebo_half(placebo: np.ndarray, z: float) -> float:
    """The placebo half-width: *z* times a robust scale of the placebo log ratios (1.4826
    × their median absolute value), so that the few real regime changes among thousands of
    ordinary dates widen it little while drift and long memory, present at every date,
    set it."""
    return float(z * 1.4826 * np.median(np.abs(placebo)))


def _row(
    b: float, se: float, z: float, q: float, placebo: np.ndarray, n_ind: float
) -> dict[str, Any]:
    """Ratio, interval and p of a log ratio *b*: the wider of the model's and the placebo
    interval, and the larger of the two p-values."""
    p_model = float(2 * stats.norm.sf(abs(b) / se)) if se > 0 else 0.0
    half_model = z * se
    use_placebo = np.isfinite(q) and q > half_model
    half = q if use_placebo else half_model
    p = p_model
    if np.isfinite(q):
        p_placebo = float(2 * stats.norm.sf(abs(b) / (q / z))) if q > 0 else 0.0
        p = max(p_model, p_placebo)
    return {
        "ratio": float(np.exp(b)),
        "lower": float(np.exp(b - half)),
        "upper": float(np.exp(b + half)),
        "p": p,
        "p_model": p_model,
        "se_model": se,
        "placebo_half": q,
        "n_placebo": len(placebo),
        "n_independent": round(n_ind, 1),
        "uncertainty": "placebo" if use_placebo else "model",
    }
