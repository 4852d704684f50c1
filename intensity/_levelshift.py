"""Level shifts apart from drift: a local level + AR(1) + noise model of the log-rate.

The log-rate ``z_t = log((y_t + 0.5) / m_t)`` (counts over their seasonal multiplier) is

    z_t = mu_t + a_t + e_t,        e_t ~ N(0, h)           (count noise)
    mu_{t+1} = mu_t + eta_t,       eta_t ~ N(0, q)         (drift: a random walk)
    a_{t+1} = phi a_t + xi_t,      xi_t ~ N(0, s)          (short-range dependence)

fitted by maximum likelihood with the Kalman filter (the local level is diffuse at the
start). A level shift between ``t`` and ``t + 1`` is an intervention on ``eta_t``; its
t-statistic for every ``t`` at once is the standardised auxiliary residual
``r_t / sqrt(N_t)`` of the disturbance smoother (de Jong & Penzer 1998, "Diagnosing shocks
in time series", JASA 93), so the whole series is scanned in one backward pass. Shifts are
added one at a time (forward selection, as in STAMP's level-break diagnostics): the largest
statistic is compared with the largest of series simulated from the fitted model, the
shift kept when that Monte Carlo p-value is below ``alpha``, then given a diffuse
disturbance (a free jump) and the variances refitted. Days whose one-step prediction error
exceeds :data:`OUTLIER_Z` standard errors (the spikes of real counts, which a Gaussian
model would otherwise read as shifts) are set aside before the scan.

Drift and a shift are told apart by their size against the drift over the same days, as
DeCAFS (Romano, Rigaill, Runge & Fearnhead 2022, JASA) does with a penalised cost. Under
a random walk of daily sd 0.01 and the noise of real counts, the best scan test has little
power for a +25% step (:func:`oracle_power`): a slow drift and a modest step look alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numba import njit

from ._validation import observed_bounds
from .costs.counts import SEQUENTIAL_EXCEEDANCES
from .dependence import DependenceModel, _log_rate, size_from_white

__all__ = [
    "CleanRate",
    "DriftTest",
    "clean_rate",
    "compare_readings",
    "ShiftModel",
    "ShiftSelection",
    "drift_test",
    "drift_noise",
    "fit_shift_model",
    "select_shifts",
]

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_BIG = 1e6  # variance of a diffuse state (the initial level, a free jump)
OUTLIER_Z = 3.5
"""One-step prediction errors beyond this many standard errors are set aside as spikes."""
_MAX_PHI = 0.99
ALT_FREE = 3
"""Positions given free jumps when the drift variance is refitted under the alternative."""


@dataclass(frozen=True)
class ShiftModel:
    """Fitted variances of the local level + AR(1) + noise model of the log-rate."""

    h: float
    """Variance of the count noise (white, in the log-rate)."""
    q: float
    """Daily variance of the random-walk drift (0: no drift)."""
    s: float
    """Innovation variance of the AR(1) part."""
    phi: float
    """Lag-1 coefficient of the AR(1) part."""
    loglik: float

    @property
    def ar_variance(self) -> float:
        """Stationary variance of the AR(1) part."""
        return self.s / max(1.0 - self.phi * self.phi, 1e-12)

    def as_dependence(self, z: np.ndarray, base: DependenceModel, **kw: Any) -> DependenceModel:
        """This model of the log-rate *z* as the analyses' :class:`DependenceModel`: its
        AR(1), the NB size its count noise implies (:func:`size_from_white`), its drift;
        *base* (the residuals' latent AR(1)) gives the short-range summaries, *kw* the
        drift test's fields."""
        return DependenceModel(
            rho=self.phi,
            sigma2=self.ar_variance,
            size=size_from_white(self.h, z),
            acf1=base.acf1,
            lrv_factor=base.lrv_factor,
            n=int(np.isfinite(z).sum()),
            drift=self.q,
            long_range=True,
            **kw,
        )


@dataclass(frozen=True)
class ShiftSelection:
    """Level shifts kept by forward selection, with their Monte Carlo p-values (family-wise
    for the scan at their step), the model fitted with them, and the days set aside as
    spikes."""

    positions: tuple[int, ...]
    p_values: tuple[float, ...]
    p_bounds: tuple[bool, ...]
    """The p-value is the bound ``1 / (draws + 1)``: no draw was as extreme."""
    model: ShiftModel
    outliers: tuple[int, ...]
    n_sim: int
    log_jumps: tuple[float, ...] = ()
    """Each shift's size in the log-rate beyond the drift (GLS estimate ``r_t / N_t``)."""
    se: tuple[float, ...] = ()
    """Its standard error ``1 / sqrt(N_t)``."""
    date_lower: tuple[int, ...] = ()
    """Each shift's date interval (first periods of the new segment): the shortest run of
    days holding ``level`` of its dates re-estimated (between its neighbours) on series
    simulated from the fitted model with that shift."""
    date_upper: tuple[int, ...] = ()
    date_refound: tuple[float, ...] = ()
    """Each shift's share of the series simulated with it whose re-estimated date lies
    within ``min_size`` periods of it: below ``level``, the date interval runs to dates
    where a drift burst elsewhere outdid the shift."""
    next_position: int = -1
    """The shift that ended the selection (first period of its new segment; -1: none was
    tested), not kept, and its p-value ``next_p``: a p-value near the level can fall the
    other side with other null draws (another seed)."""
    next_p: float = math.nan


@njit(cache=True)
def _settled(
    np00: float, np01: float, np11: float, p00: float, p01: float, p11: float
) -> bool:  # pragma: no cover - compiled
    """Whether a covariance (of the state, or the smoother's N) has stopped moving, to
    1e-13 of its size: from then on the filter's gains are held (steady state)."""
    return (
        abs(np00 - p00) <= 1e-13 * abs(np00)
        and abs(np01 - p01) <= 1e-13 * (abs(np01) + abs(np00))
        and abs(np11 - p11) <= 1e-13 * (abs(np11) + abs(np00))
    )


@njit(cache=True)
def _filter(
    z: np.ndarray, h: float, q: float, s: float, phi: float, free: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover
    """The Kalman filter of :func:`_kalman`: log-likelihood, prediction errors, their
    variances, the gains and the standardised errors. Once the state covariance has
    settled (:func:`_settled`) the gains are held until a missing day or a free jump."""
    n = z.shape[0]
    a0 = 0.0
    a1 = 0.0
    p00 = _BIG
    p01 = 0.0
    p11 = s / max(1.0 - phi * phi, 1e-12)
    v = np.zeros(n)
    F = np.full(n, np.inf)
    K0 = np.zeros(n)
    K1 = np.zeros(n)
    e = np.full(n, np.nan)
    ll = 0.0
    prod = 1.0
    steady = False
    k0 = k1 = Ft = logF = sdF = 0.0
    for t in range(n):
        ok = np.isfinite(z[t])
        if steady and ok and not free[t]:
            vt = z[t] - a0 - a1
            v[t], F[t], K0[t], K1[t], e[t] = vt, Ft, k0, k1, vt / sdF
            ll -= 0.5 * (logF + vt * vt / Ft)
            a0 = a0 + k0 * vt
            a1 = phi * a1 + k1 * vt
            continue
        if ok:
            vt = z[t] - a0 - a1
            Ft = p00 + 2.0 * p01 + p11 + h
            inv = 1.0 / Ft  # the same arithmetic as _loglik, to the last bit
            k0 = (p00 + p01) * inv
            k1 = phi * (p01 + p11) * inv
            v[t], F[t], K0[t], K1[t] = vt, Ft, k0, k1
            if Ft < 1e3:  # not a diffuse step (the logarithms owed as in _loglik)
                ll -= _HALF_LOG_2PI + 0.5 * vt * vt * inv
                prod *= Ft
                if not 1e-150 < prod < 1e150:
                    ll -= 0.5 * math.log(prod)
                    prod = 1.0
                e[t] = vt / math.sqrt(Ft)
            a0 = a0 + k0 * vt
            a1 = phi * a1 + k1 * vt
            np00 = p00 * (1.0 - k0) - p01 * k0
            np01 = -p00 * k1 + p01 * (phi - k1)
            np11 = -phi * p01 * k1 + phi * p11 * (phi - k1)
        else:
            a1 = phi * a1
            np00, np01, np11 = p00, phi * p01, phi * phi * p11
        np00 += _BIG if free[t] else q
        np11 += s
        steady = ok and not free[t] and _settled(np00, np01, np11, p00, p01, p11)
        if steady:
            logF, sdF = math.log(2.0 * math.pi * Ft), math.sqrt(Ft)
        p00, p01, p11 = np00, np01, np11
    return ll - 0.5 * math.log(prod), v, F, K0, K1, e


@njit(cache=True)
def _n_step(
    n00: float,
    n01: float,
    n11: float,
    Ft: float,
    l00: float,
    l01: float,
    l10: float,
    l11: float,
) -> tuple[float, float, float]:  # pragma: no cover - compiled
    """The smoother's information ``N`` one day back: ``1 / F + L' N L`` (symmetric, the
    level and AR(1) states), for :func:`_smoother` and :func:`_held_divisors` alike."""
    m00 = n00 * l00 + n01 * l10
    m01 = n00 * l01 + n01 * l11
    m10 = n01 * l00 + n11 * l10
    m11 = n01 * l01 + n11 * l11
    return (
        1.0 / Ft + l00 * m00 + l10 * m10,
        1.0 / Ft + l00 * m01 + l10 * m11,
        1.0 / Ft + l01 * m01 + l11 * m11,
    )


@njit(cache=True)
def _smoother(
    v: np.ndarray, F: np.ndarray, K0: np.ndarray, K1: np.ndarray, phi: float
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """The disturbance smoother's shift statistic ``r_t / sqrt(N_t)`` and information
    ``N_t`` for every ``t`` (de Jong & Penzer 1998), from the filter's output; in a run of
    held gains, once N has settled only r moves."""
    n = v.shape[0]
    u = np.zeros(n)
    info = np.zeros(n)
    r0 = r1 = n00 = n01 = n11 = 0.0
    held = False
    Fh = K0h = K1h = sq = 0.0
    for t in range(n - 1, -1, -1):
        # r, N after time t: the level disturbance eta_t moves mu_{t+1}
        if held and F[t] == Fh and K0[t] == K0h and K1[t] == K1h:
            u[t], info[t] = r0 / sq, n00
            w = v[t] / Fh
            r0, r1 = w + (1.0 - K0h) * r0 - K1h * r1, w - K0h * r0 + (phi - K1h) * r1
            continue
        u[t] = r0 / math.sqrt(n00) if n00 > 1e-300 else 0.0
        info[t] = n00
        held = False
        if not np.isfinite(F[t]):
            r1, n01, n11 = phi * r1, phi * n01, phi * phi * n11
            continue
        Ft = F[t]
        l00, l01, l10, l11 = 1.0 - K0[t], -K0[t], -K1[t], phi - K1[t]
        r0, r1 = v[t] / Ft + l00 * r0 + l10 * r1, v[t] / Ft + l01 * r0 + l11 * r1
        nn00, nn01, nn11 = _n_step(n00, n01, n11, Ft, l00, l01, l10, l11)
        if nn00 > 1e-300 and _settled(nn00, nn01, nn11, n00, n01, n11):
            held = True
            Fh, K0h, K1h, sq = Ft, K0[t], K1[t], math.sqrt(nn00)
        n00, n01, n11 = nn00, nn01, nn11
    return u, info


@njit(cache=True)
def _kalman(
    z: np.ndarray,
    h: float,
    q: float,
    s: float,
    phi: float,
    free: np.ndarray,
    smooth: bool,
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Log-likelihood (diffuse terms left out), the shift statistic ``r_t / sqrt(N_t)``
    for every ``t`` (with *smooth*), the standardised one-step prediction errors and the
    information ``N_t`` of a shift at ``t`` (its estimate is ``r_t / N_t``, with variance
    ``1 / N_t``: de Jong & Penzer 1998)."""
    ll, v, F, K0, K1, e = _filter(z, h, q, s, phi, free)
    if smooth:
        u, info = _smoother(v, F, K0, K1, phi)
    else:
        u, info = np.zeros(z.shape[0]), np.zeros(z.shape[0])
    return ll, u, e, info


@njit(cache=True)
def _loglik(
    z: np.ndarray, h: float, q: float, s: float, phi: float, free: np.ndarray
) -> float:  # pragma: no cover - compiled
    """The log-likelihood of :func:`_kalman` without its arrays (the fits' inner loop).
    Once the state covariance has settled (to 1e-13, relative), the gains and the
    prediction variance are held until a missing day or a free jump moves it again (the
    steady-state filter: the same numbers, without the covariance updates and the
    logarithm of every day). Before it settles (never, without drift: the level's
    variance falls as 1 / t), the prediction variances are multiplied together and their
    logarithm taken when the product nears the ends of the floating-point range: a
    logarithm per day was a quarter of the time of a fit without drift."""
    a0 = 0.0
    a1 = 0.0
    p00 = _BIG
    p01 = 0.0
    p11 = s / max(1.0 - phi * phi, 1e-12)
    ll = 0.0
    prod = 1.0  # product of the prediction variances whose logarithm is still owed
    steady = False
    k0 = k1 = Ft = logF = 0.0
    for t in range(z.shape[0]):
        if steady and np.isfinite(z[t]) and not free[t]:
            vt = z[t] - a0 - a1
            ll -= 0.5 * (logF + vt * vt / Ft)
            a0 = a0 + k0 * vt
            a1 = phi * a1 + k1 * vt
            continue
        if np.isfinite(z[t]):
            vt = z[t] - a0 - a1
            Ft = p00 + 2.0 * p01 + p11 + h
            inv = 1.0 / Ft
            k0 = (p00 + p01) * inv
            k1 = phi * (p01 + p11) * inv
            if Ft < 1e3:
                ll -= _HALF_LOG_2PI + 0.5 * vt * vt * inv
                prod *= Ft
                if not 1e-150 < prod < 1e150:
                    ll -= 0.5 * math.log(prod)
                    prod = 1.0
            a0 = a0 + k0 * vt
            a1 = phi * a1 + k1 * vt
            l00 = 1.0 - k0
            l11 = phi - k1
            np00 = p00 * l00 - p01 * k0
            np01 = -p00 * k1 + p01 * l11
            np11 = -phi * p01 * k1 + phi * p11 * l11
        else:
            a1 = phi * a1
            np00 = p00
            np01 = phi * p01
            np11 = phi * phi * p11
        np00 += _BIG if free[t] else q
        np11 += s
        steady = np.isfinite(z[t]) and not free[t] and _settled(np00, np01, np11, p00, p01, p11)
        if steady:
            logF = math.log(2.0 * math.pi * Ft)  # the next day's gains are this day's
        p00 = np00
        p01 = np01
        p11 = np11
    return ll - 0.5 * math.log(prod)


@njit(cache=True)
def _loglik_level(z: np.ndarray, h: float, s: float, phi: float) -> float:  # pragma: no cover
    """:func:`_loglik` without drift (``q = 0``) and without free jumps: a constant level
    + AR(1) + noise, the level diffuse. The exact diffuse log-likelihood (de Jong 1991)
    from the one-state filter of the AR(1) + noise, run on the data and on the constant
    together, the level then profiled out by generalised least squares, with the
    ``-1/2 log(1' V^-1 1)`` term of its diffuse prior. :func:`_loglik` carries the level
    as a second state whose variance falls as 1 / t and never settles, so every day paid
    the full covariance update; this filter settles within days and holds its gain (a
    fit without drift 3.6 times faster). The two agree to about 1e-7 (the large but
    finite variance with which :func:`_loglik` approximates the diffuse start)."""
    a_z = 0.0
    a_1 = 0.0
    p = s / max(1.0 - phi * phi, 1e-12)
    szz = s1z = s11 = logs = 0.0
    nobs = 0
    steady = False
    k = f = logf = 0.0
    for t in range(z.shape[0]):
        if not np.isfinite(z[t]):
            a_z = phi * a_z
            a_1 = phi * a_1
            p = phi * phi * p + s
            steady = False
            continue
        nobs += 1
        if not steady:
            f = p + h
            k = phi * p / f
            pn = phi * (phi - k) * p + s
            steady = abs(pn - p) <= 1e-13 * abs(pn)
            p = pn
            logf = math.log(f)
        logs += logf
        vz = z[t] - a_z
        v1 = 1.0 - a_1
        inv = 1.0 / f
        szz += vz * vz * inv
        s1z += v1 * vz * inv
        s11 += v1 * v1 * inv
        a_z = phi * a_z + k * vz
        a_1 = phi * a_1 + k * v1
    if nobs == 0:
        return 0.0
    return -(nobs - 1) * _HALF_LOG_2PI - 0.5 * (logs + szz - s1z * s1z / s11 + math.log(s11))


@njit(cache=True)
def _largest(u: np.ndarray, ok: np.ndarray) -> tuple[float, int]:  # pragma: no cover
    """The largest ``|u|`` over the positions *ok* and where it is (``(-1.0, 0)``: none)."""
    best = -1.0
    at = 0
    for t in range(u.shape[0]):
        if ok[t] and abs(u[t]) > best:
            best = abs(u[t])
            at = t
    return best, at


@njit(cache=True)
def _free_best(
    u: np.ndarray, ok: np.ndarray, free: np.ndarray, m: int
) -> np.ndarray:  # pragma: no cover - compiled
    """*free* with the :data:`ALT_FREE` best positions of ``|u|`` over *ok* (*m* apart)
    freed, and the days within ``m // 2`` of each: with one only, a second shift
    elsewhere would still pass for drift and hide both, and a drift smears the best
    position (a step at 364 peaked at 368, and a jump freed there left the step to the
    drift)."""
    trial = free.copy()
    score = np.where(ok, np.abs(u), -1.0)
    for _ in range(ALT_FREE):
        j = int(np.argmax(score))
        if score[j] < 0.0:
            break
        trial[max(j - m // 2, 0) : j + m // 2 + 1] = True
        score[max(j - m + 1, 0) : j + m] = -1.0
    return trial


@njit(cache=True)
def _held_divisors(
    F: np.ndarray, K0: np.ndarray, K1: np.ndarray, phi: float
) -> np.ndarray:  # pragma: no cover - compiled
    """The divisor ``sqrt(N_t)`` of :func:`_smoother`'s statistic at every ``t`` (0 where
    it sets the statistic to 0), from the filter's variances and gains alone: the same
    for every series with the same variances, free jumps and missing days."""
    n = F.shape[0]
    d = np.zeros(n)
    n00 = n01 = n11 = 0.0
    held = False
    Fh = K0h = K1h = sq = 0.0
    for t in range(n - 1, -1, -1):
        if held and F[t] == Fh and K0[t] == K0h and K1[t] == K1h:
            d[t] = sq
            continue
        d[t] = math.sqrt(n00) if n00 > 1e-300 else 0.0
        held = False
        if not np.isfinite(F[t]):
            n01, n11 = phi * n01, phi * phi * n11
            continue
        Ft = F[t]
        l00, l01, l10, l11 = 1.0 - K0[t], -K0[t], -K1[t], phi - K1[t]
        nn00, nn01, nn11 = _n_step(n00, n01, n11, Ft, l00, l01, l10, l11)
        if nn00 > 1e-300 and _settled(nn00, nn01, nn11, n00, n01, n11):
            held = True
            Fh, K0h, K1h, sq = Ft, K0[t], K1[t], math.sqrt(nn00)
        n00, n01, n11 = nn00, nn01, nn11
    return d


@njit(cache=True)
def _statistics(
    Z: np.ndarray, h: float, q: float, s: float, phi: float, free: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """The shift statistic of :func:`_kalman` (``r_t / sqrt(N_t)``) of each row of *Z*,
    rows of one model with the same missing days: the filter's variances and gains and
    the smoother's ``N`` do not depend on the data, so they are run once (on the first
    row) and each row pays its two state recursions only (the same sums in the same
    order as :func:`_kalman`'s, to the last bit; half the time a row)."""
    rows, n = Z.shape
    U = np.zeros((rows, n))
    if rows == 0:
        return U
    _, _, F, K0, K1, _ = _filter(Z[0], h, q, s, phi, free)
    d = _held_divisors(F, K0, K1, phi)
    v = np.zeros(n)
    for b in range(rows):
        a0 = a1 = 0.0
        for t in range(n):
            if np.isfinite(F[t]):
                vt = Z[b, t] - a0 - a1
                v[t] = vt
                a0 = a0 + K0[t] * vt
                a1 = phi * a1 + K1[t] * vt
            else:
                v[t] = 0.0
                a1 = phi * a1
        r0 = r1 = 0.0
        for t in range(n - 1, -1, -1):
            U[b, t] = r0 / d[t] if d[t] > 0.0 else 0.0
            if not np.isfinite(F[t]):
                r1 = phi * r1
                continue
            w = v[t] / F[t]
            r0, r1 = w + (1.0 - K0[t]) * r0 - K1[t] * r1, w - K0[t] * r0 + (phi - K1[t]) * r1
    return U


@njit(cache=True)
def _row_maxima(
    Z: np.ndarray, h: float, q: float, s: float, phi: float, free: np.ndarray, ok: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """The largest ``|statistic|`` over the positions *ok* of each row of *Z* (one model,
    the same missing days: :func:`_statistics`), and where."""
    best = np.zeros(Z.shape[0])
    at = np.zeros(Z.shape[0], dtype=np.int64)
    for lo in range(0, Z.shape[0], _ROW_BLOCK):
        U = _statistics(Z[lo : lo + _ROW_BLOCK], h, q, s, phi, free)
        for b in range(U.shape[0]):
            best[lo + b], at[lo + b] = _largest(U[b], ok)
    return best, at


_ROW_BLOCK = 64
"""Rows whose statistics :func:`_row_maxima` holds at a time."""


@njit(cache=True)
def _loglik_rows(
    Z: np.ndarray, h: float, q: np.ndarray, s: float, phi: float, free: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """:func:`_loglik` of each row of *Z* with its own drift variance ``q[b]`` and free
    jumps ``free[b]``, the rows' filters run side by side (day by day, row by row): one
    row's recursion waits on its previous day, and several rows fill that wait (1.9
    times faster than a row at a time). The same arithmetic as :func:`_loglik`, to the
    last bit (a test)."""
    rows, n = Z.shape
    a0 = np.zeros(rows)
    a1 = np.zeros(rows)
    p00 = np.full(rows, _BIG)
    p01 = np.zeros(rows)
    p11 = np.full(rows, s / max(1.0 - phi * phi, 1e-12))
    ll = np.zeros(rows)
    prod = np.ones(rows)
    steady = np.zeros(rows, dtype=np.bool_)
    k0 = np.zeros(rows)
    k1 = np.zeros(rows)
    Fs = np.zeros(rows)
    logF = np.zeros(rows)
    for t in range(n):
        for b in range(rows):
            zt = Z[b, t]
            fr = free[b, t]
            if steady[b] and np.isfinite(zt) and not fr:
                vt = zt - a0[b] - a1[b]
                ll[b] -= 0.5 * (logF[b] + vt * vt / Fs[b])
                a0[b] = a0[b] + k0[b] * vt
                a1[b] = phi * a1[b] + k1[b] * vt
                continue
            P00, P01, P11 = p00[b], p01[b], p11[b]
            if np.isfinite(zt):
                vt = zt - a0[b] - a1[b]
                Ft = P00 + 2.0 * P01 + P11 + h
                inv = 1.0 / Ft
                g0 = (P00 + P01) * inv
                g1 = phi * (P01 + P11) * inv
                if Ft < 1e3:
                    ll[b] -= _HALF_LOG_2PI + 0.5 * vt * vt * inv
                    prod[b] *= Ft
                    if not 1e-150 < prod[b] < 1e150:
                        ll[b] -= 0.5 * math.log(prod[b])
                        prod[b] = 1.0
                a0[b] = a0[b] + g0 * vt
                a1[b] = phi * a1[b] + g1 * vt
                l00 = 1.0 - g0
                l11 = phi - g1
                np00 = P00 * l00 - P01 * g0
                np01 = -P00 * g1 + P01 * l11
                np11 = -phi * P01 * g1 + phi * P11 * l11
                k0[b], k1[b], Fs[b] = g0, g1, Ft
            else:
                a1[b] = phi * a1[b]
                np00 = P00
                np01 = phi * P01
                np11 = phi * phi * P11
            np00 += _BIG if fr else q[b]
            np11 += s
            steady[b] = np.isfinite(zt) and not fr and _settled(np00, np01, np11, P00, P01, P11)
            if steady[b]:
                logF[b] = math.log(2.0 * math.pi * Fs[b])
            p00[b], p01[b], p11[b] = np00, np01, np11
    out = np.empty(rows)
    for b in range(rows):
        out[b] = ll[b] - 0.5 * math.log(prod[b])
    return out


@njit(cache=True)
def _golden_q(
    Z: np.ndarray, h: float, s: float, phi: float, free: np.ndarray, lo: float, hi: float
) -> np.ndarray:  # pragma: no cover - compiled
    """For each row of *Z*, the drift variance ``q`` in ``[exp(lo), exp(hi)]`` that
    maximises the likelihood with the other variances fixed and the row's free jumps
    ``free[b]`` (golden-section search on ``log q``, ten evaluations; the rows searched
    side by side, :func:`_loglik_rows`)."""
    g = 0.6180339887498949
    rows = Z.shape[0]
    a = np.full(rows, lo)
    c = np.full(rows, hi)
    x1 = c - g * (c - a)
    x2 = a + g * (c - a)
    f1 = -_loglik_rows(Z, h, np.exp(x1), s, phi, free)
    f2 = -_loglik_rows(Z, h, np.exp(x2), s, phi, free)
    x = np.empty(rows)
    for _ in range(8):
        left = f1 < f2
        for b in range(rows):
            if left[b]:
                c[b] = x2[b]
                x2[b] = x1[b]
                f2[b] = f1[b]
                x1[b] = c[b] - g * (c[b] - a[b])
                x[b] = x1[b]
            else:
                a[b] = x1[b]
                x1[b] = x2[b]
                f1[b] = f2[b]
                x2[b] = a[b] + g * (c[b] - a[b])
                x[b] = x2[b]
        f = -_loglik_rows(Z, h, np.exp(x), s, phi, free)
        for b in range(rows):
            if left[b]:
                f1[b] = f[b]
            else:
                f2[b] = f[b]
    return np.exp(0.5 * (a + c))


@njit(cache=True)
def _alt_stats(
    Z: np.ndarray,
    h: float,
    q0: float,
    s: float,
    phi: float,
    free: np.ndarray,
    ok: np.ndarray,
    m: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """The largest shift statistic of each row of *Z* (the data, or series simulated
    from one model with the same missing days) with the drift variance refitted under
    the alternative: the best positions under *q0* (:func:`_free_best`), the drift
    variance that maximises the likelihood with free jumps there (golden-section search
    on ``log q`` below ``q0``, :func:`_golden_q`), and the largest statistic under that
    variance. Returns each row's statistic, position and ``q``. The first scan of every
    row comes from one run of the filter's gains (:func:`_statistics`), the rows' drift
    variances are searched side by side: the same numbers as a row at a time (a test),
    in half the time."""
    rows, n = Z.shape
    stat = np.zeros(rows)
    at = np.zeros(rows, dtype=np.int64)
    qa = np.full(rows, q0)
    U = _statistics(Z, h, q0, s, phi, free)
    for b in range(rows):
        best, t = _largest(U[b], ok)
        stat[b], at[b] = max(best, 0.0), t
    if rows == 0 or q0 <= 0.0 or not ok.any():
        return stat, at, qa
    trial = np.empty((rows, n), dtype=np.bool_)
    for b in range(rows):
        trial[b] = _free_best(U[b], ok, free, m)
    qa = _golden_q(Z, h, s, phi, trial, math.log(q0) - 12.0, math.log(q0) + 0.5)
    for b in range(rows):
        _, u, _, _ = _kalman(Z[b], h, qa[b], s, phi, free, True)
        stat[b], at[b] = _largest(u, ok)
    return stat, at, qa


@njit(cache=True)
def _unpack(theta: np.ndarray) -> tuple[float, float, float, float]:  # pragma: no cover
    """The variances ``h, q, s`` and the AR(1) coefficient of the parameter vector
    *theta* (log variances, logit of ``phi / _MAX_PHI``; clipped, so a simplex that
    wanders far stays finite). A vector of three has no drift (``q = 0``): the model
    without drift is fitted over its own three parameters, not over four with one that
    does not move the likelihood (the simplex then had to shrink along it too)."""
    if theta.shape[0] == 3:
        h = math.exp(min(max(theta[0], -40.0), 5.0))
        s = math.exp(min(max(theta[1], -40.0), 5.0))
        return h, 0.0, s, _MAX_PHI / (1.0 + math.exp(-min(max(theta[2], -40.0), 40.0)))
    h = math.exp(min(max(theta[0], -40.0), 5.0))
    q = math.exp(min(max(theta[1], -40.0), 5.0))
    s = math.exp(min(max(theta[2], -40.0), 5.0))
    return h, q, s, _MAX_PHI / (1.0 + math.exp(-min(max(theta[3], -40.0), 40.0)))


@njit(cache=True)
def _nll(
    theta: np.ndarray, z: np.ndarray, free: np.ndarray, drift: bool, cap: float
) -> float:  # pragma: no cover - compiled
    """The negative log-likelihood at the parameter vector *theta* (:func:`_unpack`);
    without drift and free jumps, the exact diffuse one of :func:`_loglik_level`."""
    h, q, s, phi = _unpack(theta)
    if not drift and not free.any():
        return -_loglik_level(z, h, s, phi * cap)
    return -_loglik(z, h, q if drift else 0.0, s, phi * cap, free)


@njit(cache=True)
def _nelder_mead(
    x0: np.ndarray,
    z: np.ndarray,
    free: np.ndarray,
    drift: bool,
    cap: float,
    xatol: float,
    fatol: float,
    maxiter: int,
) -> tuple[np.ndarray, float]:  # pragma: no cover - compiled
    """Nelder-Mead minimum of :func:`_nll` from *x0*: the standard simplex moves
    (reflection 1, expansion 2, contraction 1/2, shrink 1/2; first simplex: each
    coordinate moved by 5%, or 0.00025 from 0) and stopping rule (every vertex within
    *xatol* of the best and every value within *fatol*) of scipy's ``Nelder-Mead``,
    compiled: the fits evaluate the likelihood some 400 times each, and the Python
    round trip per evaluation cost three times the likelihood itself."""
    k = x0.shape[0]
    sim = np.empty((k + 1, k))
    fs = np.empty(k + 1)
    sim[0] = x0
    for j in range(k):
        y = x0.copy()
        y[j] = 1.05 * y[j] if y[j] != 0.0 else 0.00025
        sim[j + 1] = y
    for j in range(k + 1):
        fs[j] = _nll(sim[j], z, free, drift, cap)
    order = np.argsort(fs, kind="mergesort")
    sim = sim[order]
    fs = fs[order]
    it = 1
    while it < maxiter:
        if np.max(np.abs(sim[1:] - sim[0])) <= xatol and np.max(np.abs(fs[0] - fs[1:])) <= fatol:
            break
        centre = sim[:-1].sum(axis=0) / k
        worst = sim[-1].copy()
        xr = 2.0 * centre - worst
        fr = _nll(xr, z, free, drift, cap)
        shrink = False
        if fr < fs[0]:
            xe = 3.0 * centre - 2.0 * worst
            fe = _nll(xe, z, free, drift, cap)
            if fe < fr:
                sim[-1], fs[-1] = xe, fe
            else:
                sim[-1], fs[-1] = xr, fr
        elif fr < fs[-2]:
            sim[-1], fs[-1] = xr, fr
        elif fr < fs[-1]:  # outside contraction
            xc = 1.5 * centre - 0.5 * worst
            fc = _nll(xc, z, free, drift, cap)
            if fc <= fr:
                sim[-1], fs[-1] = xc, fc
            else:
                shrink = True
        else:  # inside contraction
            xc = 0.5 * centre + 0.5 * worst
            fc = _nll(xc, z, free, drift, cap)
            if fc < fs[-1]:
                sim[-1], fs[-1] = xc, fc
            else:
                shrink = True
        if shrink:
            for j in range(1, k + 1):
                sim[j] = sim[0] + 0.5 * (sim[j] - sim[0])
                fs[j] = _nll(sim[j], z, free, drift, cap)
        it += 1
        order = np.argsort(fs, kind="mergesort")
        sim = sim[order]
        fs = fs[order]
    return sim[0].copy(), fs[0]


def fit_shift_model(
    z: np.ndarray,
    free: np.ndarray,
    start: np.ndarray | None = None,
    drift: bool = True,
    thorough: bool = False,
    max_phi: float = _MAX_PHI,
) -> tuple[ShiftModel, np.ndarray]:
    """Maximum-likelihood variances of the model for the centred log-rate *z* (NaN:
    unobserved) with free jumps after the positions *free* (``drift=False``: no random
    walk, ``q = 0``); returns the model and its parameter vector (a start for the next
    fit; *thorough*: from the two default points as well)."""
    observed = z[np.isfinite(z)]
    v = float(np.var(np.diff(observed))) if len(observed) > 2 else 1.0
    v = max(v, 1e-8)
    # a refit (a shift added) starts from the last fit; a first fit from two points,
    # one with a large drift and a weak AR(1), one with little drift and a strong one
    starts = [] if start is None else [start]
    if start is None or thorough:
        starts += [
            np.array([math.log(v / 2), math.log(v / 100), math.log(v / 4), 0.0]),
            np.array([math.log(v / 4), math.log(v / 1e4), math.log(v / 4), 2.0]),
        ]

    cap = min(max_phi, _MAX_PHI) / _MAX_PHI
    z = np.ascontiguousarray(z, dtype=float)
    free = np.ascontiguousarray(free, dtype=np.bool_)
    # without drift, the three parameters that move the likelihood (no q)
    keep = np.array([0, 1, 2, 3]) if drift else np.array([0, 2, 3])
    best_x, best_f = np.empty(len(keep)), math.inf
    for x0 in starts:
        x, f = _nelder_mead(np.asarray(x0, float)[keep], z, free, drift, cap, 1e-3, 1e-4, 1500)
        if f < best_f or not math.isfinite(best_f):
            best_x, best_f = x, f
    h, q, s, phi = _unpack(best_x)
    if not drift:  # as a start for a fit with drift: the first start's drift variance
        best_x = np.array([best_x[0], float(starts[0][1]), best_x[1], best_x[2]])
    q = q if drift else 0.0
    phi *= cap
    # a drift below 1e-7 a day (sd 0.0003) moves the log-rate by < 0.01 a year: none
    q = q if q > 1e-7 else 0.0
    return ShiftModel(h=h, q=q, s=s, phi=phi, loglik=-float(best_f)), best_x


@dataclass(frozen=True)
class DriftTest:
    """Does the log-rate drift? The likelihood ratio of the local level + AR(1) + noise
    model against the AR(1) + noise model (``q = 0``), both with free jumps at given
    breaks, referred to the 50:50 mixture of chi-squared(0) and (1) of a variance on its
    boundary (Self & Liang 1987)."""

    lr: float
    p_value: float
    with_drift: ShiftModel
    without: ShiftModel


def drift_test(
    rate: CleanRate, max_phi: float = _MAX_PHI, steps: list[int] | tuple[int, ...] = ()
) -> DriftTest:
    """:class:`DriftTest` of the cleaned log-rate *rate* (with its free jumps, and jumps
    at *steps* too: first periods of new segments); the model without drift has its
    AR(1) coefficient at most *max_phi* (then the test is of drift or dependence longer
    than that AR(1), and the chi-squared mixture a screen rather than an exact level)."""
    from scipy.stats import chi2

    free, with_drift = rate.free, rate.model
    if len(steps):
        free = free | _free_at(len(rate.z), steps)
        with_drift, _ = fit_shift_model(rate.z, free, rate.theta, thorough=True)
    without, _ = fit_shift_model(
        rate.z, free, rate.theta, drift=False, thorough=True, max_phi=max_phi
    )
    lr = 2.0 * (with_drift.loglik - without.loglik)
    # below the fits' own precision (Nelder-Mead stops within 1e-4 of the likelihood, and
    # the two models' filters differ by ~1e-7 at q = 0) an LR is no evidence: 0, p = 1
    # (real MRL read "LR 0.0, p = 0.499" from LR 2e-7)
    lr = lr if lr > LR_ZERO else 0.0
    return DriftTest(lr, 0.5 * float(chi2.sf(lr, 1)) if lr > 0 else 1.0, with_drift, without)


LR_ZERO = 1e-3
"""Drift-test likelihood ratios at or below this are read as 0 (the fits' precision)."""


DRIFT_ALPHA = 0.05
"""Level of the drift test by which the analyses choose the drift model over the AR(1)."""


def drift_dof(rate: CleanRate) -> float:
    """Degrees of freedom of the fitted drift variance, ``2 / CV²`` with the CV from the
    curvature of the log-likelihood in ``log q`` (the other variances held): the
    denominator degrees of freedom of a Wald F test whose covariance rests on it
    (Satterthwaite, as :func:`~intensity.dependence.variance_dof` for the AR(1))."""
    m = rate.model
    if m.q <= 0:
        return math.inf
    d = 0.25
    lq = math.log(m.q)
    ll = [_loglik(rate.z, m.h, math.exp(lq + k * d), m.s, m.phi, rate.free) for k in (-1, 0, 1)]
    curvature = -(ll[0] - 2.0 * ll[1] + ll[2]) / (d * d)
    # var(log q) = 1 / curvature, and CV(q) ~ sd(log q): dof = 2 / CV**2
    return float(min(max(2.0 * curvature, 1.0), 1e6)) if curvature > 0 else 1.0


def drift_noise(
    y: np.ndarray,
    mult: np.ndarray,
    obs: np.ndarray,
    base: DependenceModel,
    free: np.ndarray | None = None,
    max_phi: float = 0.95,
    alpha: float = DRIFT_ALPHA,
) -> DependenceModel:
    """The noise model of an analysis that asks about slow variation (a season, an
    annual cycle, a month): *base* (the residuals' latent AR(1)) unless the log-rate
    ``log((y + 0.5) / mult)`` drifts, then the local level + AR(1) + count noise model
    fitted to it (module docstring).

    The drift test (:func:`drift_test`, level :data:`DRIFT_ALPHA`) is against an AR(1)
    whose rho is at most *max_phi* (the cap of the AR(1) moment estimate): when the
    log-rate wanders further than that AR(1) allows, the AR(1) covariance understates
    how far a season's level can stray from the level around it (on random walks of
    daily sd 0.01-0.03, 28-40% of winters with no excess were flagged at p < 0.05). *mult*
    holds the multipliers the analysis removes before (weekday effects); *free* the
    known level shifts (positions after which the level may jump). The result carries
    the test (``drift_lr``, ``drift_p``), and with drift the degrees of freedom of the
    drift variance (``drift_dof``, :func:`drift_dof`).

    With ``alpha >= 1`` (the drift model whenever its variance fits above 0, as the
    seasons take it) and a drift variance that fits at 0, the fitted model's own AR(1)
    is returned when it is more persistent than *base* (:func:`_more_persistent`): the
    likelihood then puts the wander in an AR(1) of high rho, and the moment AR(1)
    understated it (personnel cut at 2025-09-30: rho 0.97 fitted against 0.73, and
    winter 2024/25 read +15% [8, 23], p = 2e-5, beside +13% [-7, 36] on the whole
    series)."""
    z = _log_rate(np.asarray(y, float), np.asarray(mult, float), np.asarray(obs, bool))
    if int(np.isfinite(z).sum()) < 120:
        return base
    rate = clean_rate(z, free)
    test = drift_test(rate, max_phi=max_phi)
    if rate.model.q <= 0 and alpha >= 1.0 and _more_persistent(rate.model, base):
        # no drift fits, but an AR(1) more persistent than *base* does: the fit's own
        return rate.model.as_dependence(z, base, drift_lr=test.lr, drift_p=test.p_value)
    if test.p_value >= alpha or rate.model.q <= 0:
        return replace(base, drift_lr=test.lr, drift_p=test.p_value)
    return rate.model.as_dependence(
        z, base, drift_lr=test.lr, drift_p=test.p_value, drift_dof=drift_dof(rate)
    )


def _more_persistent(model: ShiftModel, base: DependenceModel) -> bool:
    """Whether the AR(1) of the fitted *model* (no drift) has a larger long-run variance,
    ``sigma2 (1 + rho) / (1 - rho)``, than the latent AR(1) *base*."""

    def lrv(rho: float, sigma2: float) -> float:
        return sigma2 * (1.0 + rho) / max(1.0 - rho, 1e-12)

    return lrv(model.phi, model.ar_variance) > lrv(max(base.rho, 0.0), base.sigma2)


def _free_at(n: int, breaks: list[int] | tuple[int, ...]) -> np.ndarray:
    """Free jumps before the first periods *breaks* of new segments."""
    free = np.zeros(n, dtype=np.bool_)
    for b in breaks:
        if 1 <= b <= n:
            free[b - 1] = True
    return free


def compare_readings(
    rate: CleanRate, steps: list[int] | tuple[int, ...], shifts: list[int] | tuple[int, ...]
) -> float:
    """BIC gain of the drift reading over the step reading of the cleaned log-rate
    *rate*: the local level + AR(1) + noise model with jumps at *shifts* against the
    AR(1) + noise model with jumps at *steps* (first periods of new segments), each break
    counting two parameters (date and size) and the drift variance one. Positive: the
    drift reading fits better."""
    z, n = rate.z, len(rate.z)
    stepped, _ = fit_shift_model(z, _free_at(n, steps), rate.theta, drift=False, thorough=True)
    drifting, _ = fit_shift_model(z, _free_at(n, shifts), rate.theta, thorough=True)
    log_n = math.log(max(int(np.isfinite(z).sum()), 2))
    penalty = log_n * (len(shifts) - len(steps)) + 0.5 * log_n
    return 2.0 * (drifting.loglik - stepped.loglik) - 2.0 * penalty


@dataclass(frozen=True)
class CleanRate:
    """The centred log-rate with its spikes set aside (NaN) and the null model (no shift)
    fitted to it: what the drift test, the shift selection and the comparison of readings
    all start from, computed once (:func:`clean_rate`)."""

    z: np.ndarray
    model: ShiftModel
    theta: np.ndarray
    outliers: tuple[int, ...]
    free: np.ndarray
    """Free jumps (known level shifts) the model was fitted with."""


def clean_rate(z: np.ndarray, free: np.ndarray | None = None) -> CleanRate:
    """:class:`CleanRate` of the log-rate *z* (NaN: unobserved): centred on its median,
    days beyond :data:`OUTLIER_Z` one-step standard errors set aside; *free*: jumps
    allowed after those positions (known level shifts), none by default."""
    z = np.asarray(z, dtype=float)
    z = z - np.nanmedian(z)
    free = np.zeros(len(z), dtype=np.bool_) if free is None else np.asarray(free, np.bool_)
    model, theta = fit_shift_model(z, free)
    gone: list[int] = []
    for _ in range(2):  # fit, set the spikes aside, refit (twice at most)
        e = _kalman(z, model.h, model.q, model.s, model.phi, free, False)[2]
        bad = np.abs(np.nan_to_num(e)) > OUTLIER_Z
        if not bad.any():
            break
        gone += np.flatnonzero(bad).tolist()
        z = np.where(bad, np.nan, z)
        model, theta = fit_shift_model(z, free, theta)
    return CleanRate(z, model, theta, tuple(sorted(gone)), free)


def _simulate(
    rng: np.random.Generator, model: ShiftModel, obs: np.ndarray, rows: int
) -> np.ndarray:
    """Series of the model without shifts (a shift's size does not move the statistic
    elsewhere, its disturbance being free): the normal draws made here, their sum
    compiled (:func:`_combine`)."""
    return _NullDraws(rng, obs).series(model, 0, rows)


class _NullDraws:
    """The standard normal draws behind the simulated series of one selection: three
    normals a day a row (count noise, drift, AR(1) innovation), turned into series of a
    given model by :func:`_combine`. Each step of the selection reads rows no other step
    read (:meth:`fresh`), so the steps' Monte Carlo errors are independent: with every
    step reading the same first rows (common random numbers), a set of rows whose null
    maxima ran low passed every step near the level at once, and real personnel's
    deseasonalised breaks were six at 11 of 12 seeds against 7 of 12. The date
    intervals then read the rows already drawn (:meth:`series`) and draw only the rest:
    the default ``detect_breaks`` call on real personnel drew 795 rows where about 440
    were read, 299 of them again for the intervals.

    Rows are drawn in blocks of :data:`NULL_CHUNK`, so a row's normals depend on the
    seed and its number only, not on how far earlier steps read."""

    def __init__(self, rng: np.random.Generator, obs: np.ndarray) -> None:
        self.rng = rng
        self.obs = np.ascontiguousarray(obs, dtype=np.bool_)
        self.read = 0  # rows read by :meth:`fresh`
        # the blocks as drawn, each (3, NULL_CHUNK, days): kept apart, not copied into
        # one growing array (the copies cost as much again as the draws themselves)
        self.blocks: list[np.ndarray] = []

    def _grow(self, rows: int) -> None:
        """Draw blocks of :data:`NULL_CHUNK` rows until *rows* are drawn."""
        while len(self.blocks) * NULL_CHUNK < rows:
            self.blocks.append(self.rng.standard_normal((3, NULL_CHUNK, len(self.obs))))

    def fresh(self, model: ShiftModel, rows: int) -> np.ndarray:
        """The next *rows* rows no one has read, as series of *model*."""
        lo = self.read
        self.read += rows
        return self.series(model, lo, lo + rows)

    def series(self, model: ShiftModel, lo: int, hi: int) -> np.ndarray:
        """Rows *lo* to *hi* (exclusive) as series of *model*, NaN on unobserved days."""
        self._grow(hi)
        n = len(self.obs)
        out = np.empty((max(hi - lo, 0), n))
        sd = (math.sqrt(model.h), math.sqrt(model.q), math.sqrt(model.s))
        first = math.sqrt(1.0 / max(1.0 - model.phi**2, 1e-12))
        for k in range(lo // NULL_CHUNK, -(-hi // NULL_CHUNK)):
            a, b = max(lo, k * NULL_CHUNK), min(hi, (k + 1) * NULL_CHUNK)
            rows = slice(a - k * NULL_CHUNK, b - k * NULL_CHUNK)
            block = self.blocks[k]
            walk = block[1, rows] if model.q > 0 else np.zeros((0, n))
            _combine(
                block[0, rows],
                walk,
                block[2, rows],
                *sd,
                model.phi,
                first,
                self.obs,
                out[a - lo : b - lo],
            )
        return out


@njit(cache=True)
def _combine(
    noise: np.ndarray,
    walk: np.ndarray,
    ar: np.ndarray,
    sh: float,
    sq: float,
    ss: float,
    phi: float,
    first: float,
    obs: np.ndarray,
    out: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """``sh * noise + cumsum(sq * walk) + AR(1)(ss * ar)`` row by row into *out* (the
    AR(1) from its stationary distribution: the first innovation times *first*; no walk
    when *walk* has no rows), NaN on unobserved days: one pass instead of numpy's five (a
    third of the draws' time), the same sums in the same order."""
    rows, n = noise.shape
    drift = walk.shape[0] > 0
    for b in range(rows):
        level = 0.0
        x = 0.0
        for t in range(n):
            xi = ar[b, t] * ss
            x = xi * first if t == 0 else xi + phi * x
            v = noise[b, t] * sh
            if drift:
                level += walk[b, t] * sq
                v += level
            out[b, t] = v + x if obs[t] else np.nan


NULL_CHUNK = 20
"""Null draws of a selection step read at a time between checks of the stopping rule."""

FIRST_BATCH = 99
"""Null draws of a selection step's first batch: enough for ``p <= 0.01`` when none is
as extreme, where the step stops (the p-value is then that bound)."""


def _batches(n_sim: int) -> list[int]:
    """The null draws in batches (the sequential p-value stops between them): a first
    of :data:`FIRST_BATCH`, the rest in two."""
    first = min(FIRST_BATCH, n_sim)
    rest = np.diff(np.linspace(0, n_sim - first, 3).round().astype(int))
    return [first, *(int(r) for r in rest if r > 0)]


def _scan_positions(n: int, free: np.ndarray, m: int) -> np.ndarray:
    """Disturbance positions ``t`` (a new segment from ``t + 1``) at least *m* periods from
    the ends and from the shifts already kept."""
    ok = np.zeros(n, dtype=bool)
    ok[max(m - 1, 0) : max(n - m, 0)] = True
    for t in np.flatnonzero(free):
        ok[max(t - m + 1, 0) : t + m] = False
    return ok


def select_shifts(
    z: np.ndarray | CleanRate,
    min_size: int,
    alpha: float,
    n_sim: int,
    rng: np.random.Generator,
    level: float = 0.95,
    n_interval: int | None = None,
) -> ShiftSelection:
    """Forward selection of level shifts in the log-rate *z* (NaN: unobserved; or its
    :func:`clean_rate`) under the local level + AR(1) + noise model (module docstring).
    Positions are the first periods of the new segments. *n_sim* null draws at most per
    step; the date intervals from *n_interval* draws (default *n_sim*).

    Unobserved days before the first observed day and after the last are left out of the
    draws, so the answer does not depend on how the series was cut: the processed series
    of personnel starts a day later than ``read_losses``' (whose first increment is NaN),
    and with the null draws one day longer its deseasonalised breaks were six, not four."""
    rate = z if isinstance(z, CleanRate) else clean_rate(z)
    inner, lo = _observed_part(rate)
    if inner is not rate:
        return _moved(select_shifts(inner, min_size, alpha, n_sim, rng, level, n_interval), lo)
    z, model, theta = rate.z, rate.model, rate.theta
    n = len(z)
    free = np.zeros(n, dtype=np.bool_)
    n_interval = n_sim if n_interval is None else int(n_interval)
    draws = _NullDraws(rng, np.isfinite(z))
    kept: list[int] = []
    pvals: list[float] = []
    bounds: list[bool] = []
    stop = (-1, math.nan)
    while True:
        ok = _scan_positions(n, free, min_size)
        if not ok.any():
            break
        t, p, bound = _next_shift(z, model, free, ok, min_size, n_sim, alpha, draws)
        if p >= alpha:
            stop = (t + 1, p)
            break
        free[t] = True
        kept.append(t + 1)
        pvals.append(p)
        bounds.append(bound)
        model, theta = fit_shift_model(z, free, theta)
    order = np.argsort(kept)
    kept = [kept[i] for i in order]
    est = _estimates(z, model, free, kept, min_size, n_interval, level, draws)
    return ShiftSelection(
        positions=tuple(int(k) for k in kept),
        p_values=tuple(float(pvals[i]) for i in order),
        p_bounds=tuple(bool(bounds[i]) for i in order),
        model=model,
        outliers=rate.outliers,
        n_sim=n_sim,
        **_estimate_fields(est),
        next_position=stop[0],
        next_p=stop[1],
    )


def _estimate_fields(est: list[tuple[float, float, int, int, float]]) -> dict[str, Any]:
    """The :class:`ShiftSelection` fields of the shifts' estimates (:func:`_estimates`)."""
    names = ("log_jumps", "se", "date_lower", "date_upper", "date_refound")
    return {name: tuple(e[i] for e in est) for i, name in enumerate(names)}


def _observed_part(rate: CleanRate) -> tuple[CleanRate, int]:
    """*rate* from its first observed period to its last, and the periods cut before
    (*rate* itself when none are cut)."""
    lo, hi = observed_bounds(np.isfinite(rate.z))
    if (lo, hi) == (0, len(rate.z)):
        return rate, 0
    outliers = tuple(o - lo for o in rate.outliers)
    return replace(rate, z=rate.z[lo:hi], free=rate.free[lo:hi], outliers=outliers), lo


def _moved(sel: ShiftSelection, by: int) -> ShiftSelection:
    """*sel* with every position moved *by* periods later (a selection made on the
    series without its first *by* periods)."""

    def move(values: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(int(v) + by for v in values)

    return replace(
        sel,
        positions=move(sel.positions),
        outliers=move(sel.outliers),
        date_lower=move(sel.date_lower),
        date_upper=move(sel.date_upper),
        next_position=sel.next_position + by if sel.next_position >= 0 else -1,
    )


def _estimates(
    z: np.ndarray,
    model: ShiftModel,
    free: np.ndarray,
    kept: list[int],
    min_size: int,
    n_interval: int,
    level: float,
    draws: _NullDraws,
) -> list[tuple[float, float, int, int, float]]:
    """:func:`_shift_estimate` of each shift *kept* (first periods of new segments), from
    one set of *n_interval* null series for every date interval (the same model; each
    shift added to a copy: the draws cost as much as the re-estimation). When an
    interval is unsettled (:func:`_shortest_run`) its set is extended to
    :data:`SETTLE_DRAWS` and the interval taken again from all of them (the dates
    already re-estimated on the first draws are kept, not re-estimated); a settled
    interval keeps its draws (extending every interval when one was unsettled cost a
    third more on real personnel, for intervals that did not move). The series are the
    first rows of *draws*, the normals the selection's steps read and more."""
    sizes = [_shift_size(z, model, free, k - 1) for k in kept]
    null = draws.series(model, 0, n_interval) if kept and n_interval else None
    found = [_redated(z, model, size, min_size, null) for size in sizes]
    unsettled = [f is not None and _shortest_run(np.sort(f), level)[2] for f in found]
    if null is not None and n_interval < SETTLE_DRAWS and any(unsettled):
        more = draws.series(model, n_interval, SETTLE_DRAWS)
        found = [
            np.concatenate([f, _redated(z, model, size, min_size, more)]) if u else f
            for f, size, u in zip(found, sizes, unsettled, strict=True)
        ]
    return [
        _shift_estimate(k - 1, size, f, min_size, level)
        for k, size, f in zip(kept, sizes, found, strict=True)
    ]


SETTLE_DRAWS = 999
"""Simulated series of the date intervals when one of them is unsettled with fewer."""

SETTLE_PERIODS = 30
"""How far the end of a date interval may move with the Monte Carlo noise of its draws
before :func:`_shortest_run` calls it unsettled (with 299 draws the tails of personnel's
2022-08-29 and 2023-10-11 clusters moved the end by 13-19 days, a far date by 465-662)."""


def _shortest_run(found: np.ndarray, level: float) -> tuple[int, int, bool]:
    """The shortest run of the sorted dates *found* holding *level* of them (first and
    last position), and whether it is unsettled: the run holding two Monte Carlo
    standard errors more of them is over three times as long, and a month
    (:data:`SETTLE_PERIODS`) longer, than the one holding two less. The dates
    re-estimated on simulated series are a tight cluster around the shift plus a few
    far ones, where a drift burst elsewhere outdid the shift; when the far share is near
    ``1 - level`` the run's end jumps between the cluster and a far date with the draws
    (personnel's October 2023 change, 299 draws: [10-07, 10-13] at seed 0, [10-02,
    12-02] at seed 4, [07-17, 10-18] at seed 5)."""
    b = len(found)

    def run(share: float) -> tuple[int, int]:
        k = min(max(int(math.ceil(share * b)), 1), b)
        width = found[k - 1 :] - found[: b - k + 1]
        i = int(np.argmin(width))
        return int(found[i]), int(found[i + k - 1])

    margin = 2.0 * math.sqrt(level * (1.0 - level) / max(b, 1))
    lo, hi = run(level)
    narrow, wide = run(max(level - margin, 0.0)), run(min(level + margin, 1.0))
    short, long = narrow[1] - narrow[0], wide[1] - wide[0]
    return lo, hi, long > 3 * max(short, 1) and long - short > SETTLE_PERIODS


def _short_range_refit(
    z: np.ndarray, model: ShiftModel, free: np.ndarray, ok: np.ndarray, m: int
) -> ShiftModel:
    """The null model of a scan step with its short-range part (count noise, AR(1))
    refitted with free jumps at the best positions (:func:`_free_best`), so that a shift in
    the data does not leak into it (in a series with one +25% step and AR(1) noise the
    null fit put all the noise in an AR(1) of rho 0.11 and none in the count noise), and
    the drift variance refitted without them (:func:`_golden_q`): the null of "no
    further shift" that :func:`_alt_stats` then measures."""
    u = _kalman(z, model.h, model.q, model.s, model.phi, free, True)[1]
    trial = _free_best(u, ok, free, m)
    alt, _ = fit_shift_model(z, trial, _pack(model))
    if model.q <= 0:
        return replace(alt, q=0.0)
    lo, hi = math.log(model.q) - 12.0, math.log(model.q) + 1.0
    q = _golden_q(z[None], alt.h, alt.s, alt.phi, free[None], lo, hi)[0]
    return replace(alt, q=float(q))


def _pack(model: ShiftModel) -> np.ndarray:
    """The parameter vector of *model* (the inverse of :func:`_unpack`)."""
    x = model.phi / _MAX_PHI
    x = min(max(x, 1e-9), 1 - 1e-9)
    logs = np.log(np.maximum([model.h, model.q, model.s], 1e-17))
    return np.array([*logs, math.log(x / (1 - x))])


def _next_shift(
    z: np.ndarray,
    model: ShiftModel,
    free: np.ndarray,
    ok: np.ndarray,
    m: int,
    n_sim: int,
    alpha: float,
    pool: _NullDraws,
) -> tuple[int, float, bool]:
    """The best next shift among the positions *ok* and its Monte Carlo p-value: the
    largest statistic against the largest of series simulated from *model* (rows of
    *pool* that no other step read). The drift variance is refitted under the
    alternative (fitted with the null, a shift passes for drift: one jump of d raises
    the random walk's variance by about d**2 / n, and hides itself) and the null draws
    repeat the same refit, so the selection it makes is in the reference distribution
    too. The p-value is sequential (Besag & Clifford 1991), as the cost's bootstrap,
    and stops after the first batch when no draw is as extreme and that already puts it
    below *alpha* (then it is the bound ``1 / (draws + 1)``, flagged by the third
    element)."""
    model = _short_range_refit(z, model, free, ok, m)
    stats, ts, _ = _alt_stats(z[None], model.h, model.q, model.s, model.phi, free, ok, m)
    stat, t = float(stats[0]), int(ts[0])
    exceed = draws = 0
    for rows in _batches(n_sim):
        # a batch is read in chunks, so a step far from significance stops at its tenth
        # exceedance (after some 20-40 draws, not the batch's 99)
        for lo in range(draws, draws + rows, NULL_CHUNK):
            chunk = pool.fresh(model, min(NULL_CHUNK, draws + rows - lo))
            null = _alt_stats(chunk, model.h, model.q, model.s, model.phi, free, ok, m)[0]
            exceed += int(np.sum(null >= stat - 1e-12))
            if exceed >= SEQUENTIAL_EXCEEDANCES:
                return t, (1 + exceed) / (lo + len(chunk) + 1), False
        draws += rows
        if exceed == 0 and 1.0 / (draws + 1) < alpha:
            break  # plainly kept: the p-value is the bound 1 / (draws + 1)
    return t, (1 + exceed) / (draws + 1), exceed == 0


@dataclass(frozen=True)
class _ShiftSize:
    """A kept shift's GLS size and standard error at disturbance position *t*, with the
    free jumps of the other shifts (*others*)."""

    t: int
    jump: float
    se: float
    others: np.ndarray


def _shift_size(z: np.ndarray, model: ShiftModel, free: np.ndarray, t: int) -> _ShiftSize | None:
    """:class:`_ShiftSize` of the shift at disturbance position *t* (the others free);
    ``None`` where the data give it no information."""
    others = free.copy()
    others[t] = False
    _, u, _, info = _kalman(z, model.h, model.q, model.s, model.phi, others, True)
    if info[t] <= 0:
        return None
    return _ShiftSize(t, float(u[t] / math.sqrt(info[t])), float(1.0 / math.sqrt(info[t])), others)


def _redated(
    z: np.ndarray,
    model: ShiftModel,
    size: _ShiftSize | None,
    min_size: int,
    null: np.ndarray | None,
) -> np.ndarray | None:
    """The shift's date re-estimated (the largest statistic between the neighbouring
    shifts) on each of the series *null* simulated from *model* (:func:`_simulate`) with
    that shift added; ``None`` without draws or size."""
    if size is None or null is None:
        return None
    t, others = size.t, size.others
    ok = _scan_positions(len(z), others, min_size)
    around = np.flatnonzero(others)
    ok[: around[around < t].max() + 1 if (around < t).any() else 0] = False
    ok[around[around > t].min() if (around > t).any() else len(z) :] = False
    sims = null.copy()
    sims[:, t + 1 :] += size.jump
    return _row_maxima(sims, model.h, model.q, model.s, model.phi, others, ok)[1]


def _shift_estimate(
    t: int, size: _ShiftSize | None, found: np.ndarray | None, min_size: int, level: float
) -> tuple[float, float, int, int, float]:
    """The shift at disturbance position *t*: its size and standard error (NaN without
    information), the shortest interval holding *level* of its re-estimated dates
    *found* (:func:`_redated`; the day itself without them), and the share of those
    dates within *min_size* periods of it (NaN without)."""
    if size is None:
        return math.nan, math.nan, t + 1, t + 1, math.nan
    if found is None:
        return size.jump, size.se, t + 1, t + 1, math.nan
    found = np.sort(found)
    # the shortest run of days holding *level* of the re-estimated dates: a drift burst
    # elsewhere that outdoes the shift in a few draws (3% for personnel's October 2023
    # change) does not stretch the interval to it, as an equal-tailed one did
    lo, hi, _ = _shortest_run(found, level)
    refound = float(np.mean(np.abs(found - t) < min_size))
    return size.jump, size.se, min(lo, t) + 1, max(hi, t) + 1, refound


def oracle_power(
    model: ShiftModel,
    n: int,
    shift: float,
    at: int,
    min_size: int,
    alpha: float,
    rng: np.random.Generator,
) -> float:
    """Power of the scan test with the true variances for one *shift* (log) at *at*: the
    ceiling any detector calibrated at *alpha* under this model can reach (the statistic
    is Gaussian with mean ``shift * sqrt(N)`` at the true position; this counts a
    detection only there, so it is slightly below the chance of some detection)."""
    obs = np.ones(n, dtype=bool)
    free = np.zeros(n, dtype=np.bool_)
    ok = _scan_positions(n, free, min_size)
    null = _row_maxima(
        _simulate(rng, model, obs, 999), model.h, model.q, model.s, model.phi, free, ok
    )[0]
    crit = float(np.quantile(null, 1 - alpha))
    step = np.where(np.arange(n) >= at, shift, 0.0)
    mean = abs(_kalman(step, model.h, model.q, model.s, model.phi, free, True)[1][at - 1])
    from scipy.special import ndtr

    return float(ndtr(mean - crit))
