"""Serial dependence of daily counts: a latent AR(1) negative-binomial model.

Daily counts of this domain are serially dependent: a day of heavy fighting is followed by
another. Tests that treat days as independent then see structure in noise (on real
personnel losses the residuals' lag-1 autocorrelation is 0.2–0.45). The model used here is
the simplest one that has both overdispersion and dependence:

    y_t | x_t ~ NB(size = k, mean = mu_t * exp(x_t - sigma2 / 2)),
    x_t = rho * x_{t-1} + sqrt(sigma2 * (1 - rho**2)) * e_t,   e_t ~ N(0, 1),

so the log-rate carries an AR(1) with lag-1 correlation ``rho`` and variance ``sigma2``,
and ``mu_t`` is the fitted mean (a segmentation's level times the seasonal pattern). Its
moments give a moment estimator from the relative residuals ``r_t = y_t / mu_t - 1``:

* ``E[r_t r_{t+h}] = exp(sigma2 * rho**h) - 1`` for ``h >= 1`` (lags 1 and 2 give ``rho``
  and ``sigma2``);
* ``E[r_t**2] = E[1/mu] * exp(sigma2) + exp(sigma2) * (1/k + 1) - 1`` gives ``k``.

The **long-run variance factor** ``lrv_factor`` is the long-run variance of ``r`` (its
variance plus twice the sum of its autocovariances) over the per-day variance that an
independent NB model with the size the break cost uses assumes. A segment mean's variance
is that much larger than the independent model says, so a likelihood-ratio statistic is
that much larger too: the quasi-likelihood correction divides it by the factor (the
break penalty is multiplied by it, and the level intervals widened by its square root).
For independent NB counts the factor is about 1 (it is never taken below 1). The moment
estimates find a little dependence in independent counts too (rho about 0.15, factor
about 1.1): slightly conservative. A pre-test that set it to none when the lag-1
autocorrelation was within ``2 / sqrt(n)`` made the annual test reject 9% of independent
series, so there is none.

The estimator is deliberately simple and conservative where the model is too simple:
residuals against a piecewise-constant level also carry what the level misses (a smooth
drift), which raises the estimated dependence, so fewer breaks are found, not more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from . import _negbin

__all__ = [
    "DependenceModel",
    "estimate_dependence",
    "slow_component",
    "season_offsets",
    "simulate_latent_counts",
    "variance_dof",
    "NO_DEPENDENCE",
    "relative_residuals",
    "long_run_correlation",
    "latent_correlation",
    "simulate_joint_latent_counts",
    "estimate_drift",
    "drift_path",
    "DRIFT_LAGS",
]

_MAX_RHO = 0.95


@dataclass(frozen=True)
class DependenceModel:
    """A fitted latent AR(1) negative-binomial dependence model (see the module docstring).

    Attributes
    ----------
    rho : float
        Lag-1 autocorrelation of the latent log-rate AR(1).
    sigma2 : float
        Variance of the latent log-rate.
    size : float
        NB size ``k`` of the count noise given the latent rate (``inf`` = Poisson).
    acf1 : float
        Lag-1 autocorrelation of the relative residuals, as measured.
    lrv_factor : float
        Long-run variance of the residuals over the variance the independent NB model
        assumes (at least 1).
    n : int
        Observed days the estimate is based on.
    drift : float
        Daily variance of a random-walk (local level) component of the log-rate, the
        slow drift that an AR(1) does not describe (:func:`estimate_drift`); 0 = none.
    long_range : bool
        A long-range model of the log-rate (local level + AR(1) + noise) rather than
        the AR(1) of lags 1 and 2: the model the break tests use.
    drift_lr, drift_p : float
        The test of a random-walk drift in the log-rate without breaks against an AR(1)
        whose rho is at most the search's (likelihood ratio and p-value,
        :func:`intensity._levelshift.drift_test`) by which ``dependence='auto'`` chose the
        noise model (NaN: not tested).
    drift_gain : float
        When that test found drift: the BIC gain of the drift reading (drift model and
        its shifts) over the step reading (AR(1) and the penalised search's breaks),
        :func:`intensity._levelshift.compare_readings`; positive: the drift reading
        fits better. The drift model is also used when the step reading fits better
        but the drift test given its steps still finds drift (``long_range`` says
        which model was used).
    drift_declined : str
        Why the drift model was not considered although the drift test found drift
        (``''``: it was, or the test did not find drift).
    drift_dof : float
        Degrees of freedom of the estimated drift variance (the denominator df of a Wald
        F test that rests on it, :func:`intensity._levelshift.drift_dof`; inf: none).
    slow_rho, slow_sigma2 : float
        A second, slow latent AR(1) of the log-rate added to the first (lag-1
        correlation and variance; 0 = none): the wandering of the residuals at the
        scale of weeks to months that the AR(1) of lags 1 and 2 does not carry
        (:func:`slow_component`).
    season_sigma2 : float
        Variance of a log offset of each season whose expectation a baseline predicted
        from the other years (:func:`season_offsets`; 0 = none).

    Examples
    --------
    >>> import numpy as np
    >>> from intensity.dependence import DependenceModel, simulate_latent_counts
    >>> rng = np.random.default_rng(1)
    >>> mu, obs = np.full(730, 200.0), np.ones(730, dtype=bool)
    >>> model = DependenceModel(rho=0.6, sigma2=0.04, size=30.0, acf1=0.3, lrv_factor=5.0)
    >>> y = simulate_latent_counts(mu, model, rng, 1)[0]
    >>> from intensity.dependence import estimate_dependence
    >>> fit = estimate_dependence(y, mu, obs, 30.0)
    >>> round(fit.rho, 2), round(fit.sigma2, 3)  # the latent AR(1) drawn: 0.6, 0.04
    (0.63, 0.037)
    """

    rho: float
    sigma2: float
    size: float
    acf1: float
    lrv_factor: float
    n: int = 0
    drift: float = 0.0
    long_range: bool = False
    drift_lr: float = math.nan
    drift_p: float = math.nan
    drift_gain: float = math.nan
    drift_declined: str = ""
    drift_dof: float = math.inf
    slow_rho: float = 0.0
    slow_sigma2: float = 0.0
    season_sigma2: float = 0.0

    @property
    def independent(self) -> bool:
        slow = self.slow_sigma2 > 0 or self.season_sigma2 > 0
        return (self.sigma2 <= 0 or self.rho <= 0) and not self.drift > 0 and not slow

    def _slow_text(self) -> str:
        text = ""
        if self.slow_sigma2 > 0:
            text += (
                f"; a slow AR(1) on top (weeks to months): rho = {self.slow_rho:.3f}, "
                f"sd {math.sqrt(self.slow_sigma2):.3f}"
            )
        if self.season_sigma2 > 0:
            text += (
                "; each season predicted from the other years off by a log offset of sd "
                f"{math.sqrt(self.season_sigma2):.3f}"
            )
        return text

    def describe(self) -> str:
        return self._describe() + self._slow_text() + self._drift_tested()

    def _drift_tested(self) -> str:
        if not math.isfinite(self.drift_lr):
            return ""
        p = "p < 0.001" if self.drift_p < 0.001 else f"p = {self.drift_p:.3f}"
        text = f"; drift beyond the search's AR(1), without breaks: LR {self.drift_lr:.1f}, {p}"
        if self.drift_declined:
            return text + f" (AR(1) model used: {self.drift_declined})"
        if not math.isfinite(self.drift_gain):
            return text + (" (drift model used)" if self.drift > 0 else " (none: AR(1) model used)")
        better = self.drift_gain > 0
        text += (
            f"; the drift reading fits {'better' if better else 'worse'} than "
            f"the step reading by BIC {abs(self.drift_gain):.1f}"
        )
        if self.long_range and not better:
            # the third branch of the choice: the steps do not account for the drift
            return text + ", but drift remains beyond its steps (drift model used)"
        return text + (" (drift model used)" if self.long_range else " (AR(1) model used)")

    def _describe(self) -> str:
        if self.long_range and not self.drift > 0:
            return (
                f"AR(1) of the log-rate fitted to its variogram over lags to four months "
                f"(no random-walk drift found): rho = {self.rho:.2f}, "
                f"sd {math.sqrt(self.sigma2):.3f}; residual lag-1 autocorrelation {self.acf1:.2f}"
            )
        if self.drift > 0:
            return (
                f"local level + AR(1) of the log-rate: drift sd {math.sqrt(self.drift):.4f} a "
                f"day (random walk), AR(1) rho = {self.rho:.2f}, sd {math.sqrt(self.sigma2):.3f}; "
                f"residual lag-1 autocorrelation {self.acf1:.2f}"
            )
        if self.independent:
            return (
                f"no serial dependence found (residual lag-1 autocorrelation {self.acf1:.2f}); "
                f"long-run variance factor {self.lrv_factor:.2f}"
            )
        return (
            f"serial dependence: latent AR(1) of the log-rate, rho = {self.rho:.2f}, "
            f"sd {math.sqrt(self.sigma2):.3f}; residual lag-1 autocorrelation {self.acf1:.2f}; "
            f"long-run variance factor {self.lrv_factor:.2f}"
        )


NO_DEPENDENCE = DependenceModel(rho=0.0, sigma2=0.0, size=math.inf, acf1=0.0, lrv_factor=1.0)


def drift_quadratic(A: np.ndarray, q: float) -> Any:
    """``q A' M A`` with ``M_st = min(s, t)``: the covariance that a random walk of daily
    variance *q* gives the contrasts *A* (days × k, or one vector of days), in O(days k²)
    from the reverse cumulative sums (``min(s, t) = sum_k [k <= s][k <= t]``). A walk's
    origin only moves a contrast whose weights do not sum to zero."""
    A = np.asarray(A, dtype=float)
    C = np.cumsum(A[::-1], axis=0)[::-1][1:]
    return q * (C.T @ C)


def latent_lag_weights(sigma2: float, rho: float, n: int, floor: float = 1e-7) -> np.ndarray:
    """The covariance weights ``c_h = exp(sigma2 rho^h) - 1`` of a latent AR(1) at lags
    ``h = 1, 2, ...`` below *n*, up to the last one of at least *floor* (beyond it the
    lags add nothing a covariance shows)."""
    if not (sigma2 > 0 and rho > 0) or n < 2:
        return np.zeros(0)
    c = np.expm1(sigma2 * rho ** np.arange(1.0, n))
    small = np.flatnonzero(c < floor)
    return c[: small[0]] if len(small) else c


def lagged_cross(Z: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``sum_h c_h Z[h:]' Z[:-h]`` over lags ``h = 1 .. len(c)`` (days × k *Z*): the
    lagged score covariances of a sandwich, as ``Z' W`` with ``W`` the causal filter of
    *Z* by the weights, by FFT: O(days k log days + days k²) where a product per lag
    cost O(lags days k²) (0.09 s at 20,000 days, 70 columns and rho 0.9)."""
    Z = np.asarray(Z, dtype=float)
    k = Z.shape[1]
    L = min(len(c), len(Z) - 1)
    if L < 1:
        return np.zeros((k, k))
    from scipy import fft

    n = len(Z)
    m = fft.next_fast_len(n + L, real=True)  # no wrap-around: a linear convolution
    kernel = np.zeros(m)
    kernel[1 : L + 1] = c[:L]
    W = fft.irfft(fft.rfft(Z, m, axis=0) * fft.rfft(kernel)[:, None], m, axis=0)[:n]
    return Z.T @ W


def _lag_products(r: np.ndarray, ok: np.ndarray, h: int) -> np.ndarray:
    """The mean product of the relative residuals *h* days apart, of each row of *r*
    (rows × days, NaN off the days *ok* they share), 0 with under 10 pairs."""
    both = ok[:-h] & ok[h:]
    if both.sum() < 10:
        return np.zeros(len(r))
    return np.mean(r[:, :-h][:, both] * r[:, h:][:, both], axis=1)


def estimate_dependence(
    y: np.ndarray, mu: np.ndarray, obs: np.ndarray, cost_size: float = math.inf
) -> DependenceModel:
    """Moment estimate of the latent AR(1) NB model from counts *y* and fitted means *mu*.

    Parameters
    ----------
    y, mu, obs
        Counts, fitted means (same length) and the mask of observed days.
    cost_size
        The NB size the independent model (e.g. the break cost) assumes; ``inf`` for
        Poisson. Sets the denominator of ``lrv_factor``.

    Returns
    -------
    DependenceModel

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> mu = np.full(3000, 500.0)
    >>> y = simulate_latent_counts(mu, DependenceModel(0.6, 0.03, 30.0, 0, 1), rng)[0]
    >>> m = estimate_dependence(y, mu, np.ones(3000, bool), cost_size=20.0)
    >>> 0.4 < m.rho < 0.8 and m.lrv_factor > 1.5
    True
    """
    return _estimate_rows(np.asarray(y, dtype=float)[None, :], mu, obs, cost_size)[0]


def _estimate_rows(
    Y: np.ndarray, mu: np.ndarray, obs: np.ndarray, cost_size: float
) -> list[DependenceModel]:
    """:func:`estimate_dependence` of each row of *Y* (series × days) with the same
    means and observed days: the moments of all rows at once (:func:`variance_dof`
    estimates a hundred simulated series; one call per series cost 14 ms of its 32 at
    2,557 days)."""
    mu = np.asarray(mu, dtype=float)
    ok = np.asarray(obs, dtype=bool) & np.isfinite(Y).all(axis=0) & np.isfinite(mu) & (mu > 0)
    n = int(ok.sum())
    if n < 30:
        return [NO_DEPENDENCE] * len(Y)
    r = np.where(ok, Y / np.where(ok, mu, 1.0) - 1.0, np.nan)
    g0s = np.nanmean(r**2, axis=1)
    inv_mu = float(np.mean(1.0 / mu[ok]))
    c1s, c2s = _lag_products(r, ok, 1), _lag_products(r, ok, 2)
    return [
        _from_moments(float(g0), float(c1), float(c2), inv_mu, n, cost_size)
        for g0, c1, c2 in zip(g0s, c1s, c2s, strict=True)
    ]


def _from_moments(
    g0: float, c1: float, c2: float, inv_mu: float, n: int, cost_size: float
) -> DependenceModel:
    """The latent AR(1) NB model of relative residuals with mean square *g0* and mean
    lag-1 and lag-2 products *c1*, *c2* over *n* days of mean inverse mean *inv_mu*."""
    acf1 = c1 / g0 if g0 > 0 else 0.0
    extra = max(g0 - inv_mu, 0.0)  # relative variance beyond Poisson
    rho = sigma2 = 0.0
    if c1 > 0:
        a1, a2 = math.log1p(c1), math.log1p(max(c2, 0.0))
        ratio = a2 / a1 if a2 > 0 else 0.0
        if acf1 < 2.0 / math.sqrt(n):
            # lag 1 within its noise: lag 2 over lag 1 is then a ratio of two noisy numbers
            # (it hit the cap of 0.95 on independent counts and doubled the factor); the
            # AR(1) implied by lag 1 alone
            ratio = 0.0
        rho = min(max(ratio, acf1, 0.0), _MAX_RHO)
        sigma2 = a1 / rho if rho > 0 else 0.0
        sigma2 = min(sigma2, math.log1p(extra)) if extra > 0 else 0.0
    e = math.exp(sigma2)
    inv_k = (1.0 + extra) / e - 1.0 if extra > 0 else 0.0
    size = 1.0 / inv_k if inv_k > 1e-8 else math.inf
    # long-run variance of r: g0 + 2 * sum of autocovariances (model-implied, lags >= 1)
    acov = 0.0
    if sigma2 > 0 and rho > 0:
        h = np.arange(1, 2000)
        acov = float(np.sum(np.expm1(sigma2 * rho**h)))
    lrv = g0 + 2.0 * acov
    v_model = inv_mu + (1.0 / cost_size if math.isfinite(cost_size) and cost_size > 0 else 0.0)
    factor = max(lrv / v_model, 1.0) if v_model > 0 else 1.0
    return DependenceModel(
        rho=float(rho),
        sigma2=float(sigma2),
        size=float(size),
        acf1=float(acf1),
        lrv_factor=float(factor),
        n=n,
    )


#: the lag-1 correlations a slow component may take (a grid: its variance is then a
#: non-negative least-squares fit in closed form)
_SLOW_RHOS = (0.9, 0.95, 0.97, 0.98, 0.99, 0.995)


def _residual_moments(
    y: np.ndarray, mu: np.ndarray, obs: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """The relative residuals (:func:`relative_residuals`, 0 where not observed), the
    mask of the days they exist on and their mean square."""
    r = relative_residuals(np.asarray(y, dtype=float), np.asarray(mu, dtype=float), obs)
    ok = np.isfinite(r)
    return np.where(ok, r, 0.0), ok, float(np.mean(r[ok] ** 2)) if ok.any() else 0.0


def _latent_acov(model: DependenceModel, top: int) -> np.ndarray:
    """Autocovariances at lags 1 … top - 1 of the relative residuals that *model*'s
    latent AR(1) and slow AR(1) imply, ``exp(cov of the log-rate) - 1``."""
    lag = np.arange(1, top)
    return np.expm1(model.sigma2 * model.rho**lag + model.slow_sigma2 * model.slow_rho**lag)


def _window_mean_variance(g0: float, acov: np.ndarray, L: int) -> float:
    """Variance of the mean of *L* consecutive relative residuals with variance *g0* and
    autocovariances *acov* (lags 1, 2, ...)."""
    h = np.arange(1, L)
    return float((g0 + 2.0 * np.sum((1.0 - h / L) * acov[: L - 1])) / L)


def _robust_window_variance(r: np.ndarray, ok: np.ndarray, L: int) -> float:
    """Robust variance of the mean of *r* over windows of *L* days (at least 80% of them
    observed): the median of the squared window means over its value for a normal
    (0.4549), with the windows within *L* days of the most extreme one left out. The
    median and the trim keep one episode (a real surge) from reading as slow noise:
    it moves a few windows, a wandering level moves them all."""
    x = np.where(ok, r, 0.0)
    cs = np.r_[0.0, np.cumsum(x)]
    cm = np.r_[0.0, np.cumsum(ok.astype(float))]
    s, k = cs[L:] - cs[:-L], cm[L:] - cm[:-L]
    m = np.where(k >= 0.8 * L, s / np.maximum(k, 1.0), np.nan)
    if int(np.isfinite(m).sum()) < 3 * L:
        return math.nan
    j = int(np.nanargmax(np.abs(m)))
    m[max(j - L, 0) : j + L] = np.nan
    m = m[np.isfinite(m)]
    return float(np.median(m * m) / 0.45494) if len(m) else math.nan


def slow_component(
    y: np.ndarray,
    mu: np.ndarray,
    obs: np.ndarray,
    model: DependenceModel,
    lengths: tuple[int, ...] = (14, 21, 30, 45, 60, 90),
) -> DependenceModel:
    """*model* (the latent AR(1) of lags 1 and 2, :func:`estimate_dependence`) with a
    slow AR(1) added where the residuals wander at the scale of weeks to months more than
    that AR(1) allows.

    The variance of the mean of the relative residuals ``r = y / mu - 1`` over windows of
    each length in *lengths* is measured robustly (:func:`_robust_window_variance`:
    median of squared window means, the most extreme window trimmed) and set against what
    *model* implies; the excess is fitted by a slow AR(1) (lag-1 correlation on a grid
    from 0.9 to 0.995, variance by non-negative weighted least squares, weights the
    inverse of the implied variance). None is added when the windows vary no more than
    *model* says. On four-year series whose log-rate is a random walk (daily sd 0.01 to
    0.02) or long memory (ARFIMA d = 0.3), null series simulated from the AR(1) alone
    vary less than the data at these scales, and the episode scan called 35-55% of them
    surges (issue 22).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(3)
    >>> mu = np.full(1460, 800.0)
    >>> true = DependenceModel(0.5, 0.01, 40.0, 0, 1, slow_rho=0.98, slow_sigma2=0.01)
    >>> y = simulate_latent_counts(mu, true, rng)[0]
    >>> ok = np.ones(1460, bool)
    >>> slow_component(y, mu, ok, estimate_dependence(y, mu, ok)).slow_sigma2 > 0
    True
    """
    r, ok, g0 = _residual_moments(y, mu, obs)
    if int(ok.sum()) < 30:
        return model
    acov = _latent_acov(model, max(lengths))
    use = [L for L in lengths if 2 <= L <= ok.sum() // 4]
    implied = np.array([_window_mean_variance(g0, acov, L) for L in use])
    measured = np.array([_robust_window_variance(r, ok, L) for L in use])
    good = np.isfinite(measured) & (implied > 0)
    if not good.any():
        return model
    Ls = np.array(use, dtype=float)[good]
    excess, w = (measured - implied)[good], 1.0 / implied[good]
    best = (0.0, 0.0, math.inf)
    for rho in _SLOW_RHOS:
        # a slow AR(1) of variance 1 adds this much to each window mean's variance
        per_unit = np.array(
            [2.0 * np.sum((1.0 - np.arange(L) / L) * rho ** np.arange(L)) / L - 1.0 / L for L in Ls]
        )
        a, b = w * per_unit, w * excess
        v = max(float(a @ b) / float(a @ a), 0.0)
        sse = float(np.sum((b - v * a) ** 2))
        if sse < best[2]:
            best = (v, rho, sse)
    if not best[0] > 0:
        return model
    return replace(model, slow_rho=float(best[1]), slow_sigma2=float(best[0]))


def season_offsets(
    y: np.ndarray,
    mu: np.ndarray,
    obs: np.ndarray,
    model: DependenceModel,
    blocks: tuple[tuple[int, int], ...],
) -> DependenceModel:
    """*model* with ``season_sigma2``: the variance of a log offset per season whose
    expectation a baseline predicted from a fit without it (*blocks*, ``(start, stop)``
    positions), beyond what *model* gives the season's mean residual.

    A season predicted from the other years is off by the prediction's error, one
    offset for the whole season with sharp edges, which a slow AR(1) does not draw: on
    four-year series whose log-rate is a random walk (daily sd 0.02) the seasonal
    baseline's scan called 35% of null series surges with the AR(1) and slow AR(1), 10%
    with the offsets. The mean square of the seasons' mean residuals ``y / mu - 1`` (the
    largest left out, so one real surge does not read as prediction error) less the
    variance *model* implies for means over as many days; none when that is not
    positive or fewer than four seasons have 30 observed days.

    Examples
    --------
    >>> import numpy as np
    >>> from intensity.dependence import DependenceModel, simulate_latent_counts
    >>> rng = np.random.default_rng(1)
    >>> mu, obs = np.full(730, 200.0), np.ones(730, dtype=bool)
    >>> model = DependenceModel(rho=0.6, sigma2=0.04, size=30.0, acf1=0.3, lrv_factor=5.0)
    >>> y = simulate_latent_counts(mu, model, rng, 1)[0]
    >>> from intensity.dependence import estimate_dependence, season_offsets
    >>> fit = estimate_dependence(y, mu, obs, 30.0)
    >>> season_offsets(y, mu, obs, fit, ((100, 220), (465, 585))).season_sigma2  # none drawn
    0.0
    """
    r, ok, g0 = _residual_moments(y, mu, obs)
    if not blocks or int(ok.sum()) < 30:
        return model
    acov = _latent_acov(model, max(b - a for a, b in blocks) + 1)
    pairs = []
    for a, b in blocks:
        k = int(ok[a:b].sum())
        if k >= 30:
            m = float(r[a:b][ok[a:b]].mean())
            pairs.append((m * m, _window_mean_variance(g0, acov, k)))
    if len(pairs) < 4:
        return model
    pairs.sort()
    kept = np.array(pairs[:-1])
    excess = float(kept[:, 0].mean() - kept[:, 1].mean())
    if not excess > 0:
        return model
    return replace(model, season_sigma2=math.log1p(excess))


def _ar1(innov: np.ndarray, rho: float) -> np.ndarray:
    """``x_t = rho x_{t-1} + innov_t`` along the last axis, ``x_0 = innov_0`` (a linear
    filter, compiled in scipy instead of a Python loop over days)."""
    from scipy.signal import lfilter

    return np.asarray(lfilter([1.0], [1.0, -rho], innov, axis=-1))


def simulate_latent_counts(
    mu: np.ndarray,
    model: DependenceModel,
    rng: np.random.Generator,
    n_series: int = 1,
    blocks: tuple[tuple[int, int], ...] = (),
) -> np.ndarray:
    """Draw ``n_series`` count series (rows) with means *mu* from the latent AR(1) NB model.

    The latent AR(1) starts in its stationary distribution, so every day has mean *mu*.
    With ``model.season_sigma2 > 0``, each of the *blocks* (``(start, stop)`` positions)
    gets its own log offset of that variance in each series.

    Examples
    --------
    >>> import numpy as np
    >>> from intensity.dependence import DependenceModel, simulate_latent_counts
    >>> rng = np.random.default_rng(1)
    >>> mu, obs = np.full(730, 200.0), np.ones(730, dtype=bool)
    >>> model = DependenceModel(rho=0.6, sigma2=0.04, size=30.0, acf1=0.3, lrv_factor=5.0)
    >>> y = simulate_latent_counts(mu, model, rng, 1)[0]
    >>> y.shape, bool(abs(y.mean() / 200 - 1) < 0.1)
    ((730,), True)
    """
    mu = np.asarray(mu, dtype=float)
    L = len(mu)
    if model.sigma2 > 0:
        mean = mu * np.exp(_latent_ar1(rng, n_series, L, model.rho, model.sigma2))
    else:
        mean = np.broadcast_to(mu, (n_series, L))
    if model.slow_sigma2 > 0:  # the slow AR(1), independent of the first
        mean = mean * np.exp(_latent_ar1(rng, n_series, L, model.slow_rho, model.slow_sigma2))
    if model.drift > 0:  # a random walk of the log-rate, centred on the window
        w = np.cumsum(rng.standard_normal((n_series, L)) * math.sqrt(model.drift), axis=1)
        mean = mean * np.exp(w - w.mean(axis=1, keepdims=True))
    if model.season_sigma2 > 0 and blocks:
        sd = math.sqrt(model.season_sigma2)
        off = np.zeros((n_series, L))
        for a, b in blocks:
            off[:, a:b] = rng.standard_normal((n_series, 1)) * sd - model.season_sigma2 / 2
        mean = mean * np.exp(off)
    return _negbin.draw(rng, mean, model.size)


def _latent_ar1(
    rng: np.random.Generator, rows: int, days: int, rho: float, sigma2: float
) -> np.ndarray:
    """Stationary Gaussian AR(1) paths (rows × days) of variance *sigma2*, less
    ``sigma2 / 2`` (so that ``exp`` of them has mean 1)."""
    sd = math.sqrt(sigma2)
    innov = rng.standard_normal((rows, days)) * sd * math.sqrt(max(1 - rho * rho, 0.0))
    innov[:, 0] = rng.standard_normal(rows) * sd
    return _ar1(innov, rho) - sigma2 / 2


def variance_dof(
    model: DependenceModel,
    mu: np.ndarray,
    obs: np.ndarray,
    cost_size: float = math.inf,
    n_sim: int = 100,
    seed: int = 0,
) -> float:
    """Effective degrees of freedom of the estimated long-run variance, ``2 / CV²`` of the
    estimate over series simulated from *model* with means *mu* (Satterthwaite). A Wald
    statistic whose covariance rests on this estimate is referred to ``F(q, dof)`` instead
    of ``chi²(q) / q``: with strong dependence the estimate is noisy (a coefficient of
    variation of 0.3–0.6 on two years of days), and ignoring that makes the tests reject
    too often. Independent counts give a large value (the chi-squared limit).

    Examples
    --------
    >>> import numpy as np
    >>> from intensity.dependence import DependenceModel, simulate_latent_counts
    >>> rng = np.random.default_rng(1)
    >>> mu, obs = np.full(730, 200.0), np.ones(730, dtype=bool)
    >>> model = DependenceModel(rho=0.6, sigma2=0.04, size=30.0, acf1=0.3, lrv_factor=5.0)
    >>> y = simulate_latent_counts(mu, model, rng, 1)[0]
    >>> from intensity.dependence import estimate_dependence, variance_dof
    >>> fit = estimate_dependence(y, mu, obs, 30.0)
    >>> round(variance_dof(fit, mu, obs, 30.0, n_sim=50), 1)  # two years: a noisy variance
    22.4
    """
    if model.independent:
        return math.inf
    rng = np.random.default_rng(seed)
    sims = simulate_latent_counts(mu, model, rng, n_sim)
    v = np.array([d.lrv_factor for d in _estimate_rows(sims, mu, obs, cost_size)])
    m, sd = float(v.mean()), float(v.std(ddof=1))
    if not sd > 0:
        return math.inf
    return float(min(max(2.0 * (m / sd) ** 2, 1.0), 1e6))


# --------------------------------------------------------------------------- several series
def relative_residuals(y: np.ndarray, mu: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """``y / mu - 1`` on observed days with a positive mean, NaN elsewhere.

    Examples
    --------
    >>> import numpy as np
    >>> from intensity.dependence import DependenceModel, simulate_latent_counts
    >>> rng = np.random.default_rng(1)
    >>> mu, obs = np.full(730, 200.0), np.ones(730, dtype=bool)
    >>> model = DependenceModel(rho=0.6, sigma2=0.04, size=30.0, acf1=0.3, lrv_factor=5.0)
    >>> y = simulate_latent_counts(mu, model, rng, 1)[0]
    >>> from intensity.dependence import relative_residuals
    >>> r = relative_residuals(y, mu, obs)
    >>> r.shape, round(float(np.nanmean(r)), 2)
    ((730,), -0.03)
    """
    ok = np.asarray(obs, dtype=bool) & np.isfinite(y) & np.isfinite(mu) & (mu > 0)
    return np.where(ok, np.asarray(y, dtype=float) / np.where(ok, mu, 1.0) - 1.0, np.nan)


def long_run_correlation(resid: np.ndarray, rho: float) -> np.ndarray:
    """Long-run correlation matrix of the rows of *resid* (series × days, NaN = missing):
    the Bartlett-kernel (Newey-West) long-run covariance over the days all rows observe,
    with Andrews' (1991) AR(1) plug-in bandwidth for lag-1 correlation *rho*, scaled to a
    correlation. It says how far the series' segment means move together, which is what
    a sum of their break statistics needs: correlated series add less information than
    independent ones. Fewer than 30 common days give the identity.

    Examples
    --------
    >>> import numpy as np
    >>> from intensity.dependence import DependenceModel, simulate_latent_counts
    >>> rng = np.random.default_rng(1)
    >>> mu, obs = np.full(730, 200.0), np.ones(730, dtype=bool)
    >>> model = DependenceModel(rho=0.6, sigma2=0.04, size=30.0, acf1=0.3, lrv_factor=5.0)
    >>> y = simulate_latent_counts(mu, model, rng, 1)[0]
    >>> from intensity.dependence import long_run_correlation, relative_residuals
    >>> other = simulate_latent_counts(mu, model, rng, 1)[0]  # independent of y
    >>> r = np.vstack([relative_residuals(y, mu, obs), relative_residuals(other, mu, obs)])
    >>> long_run_correlation(r, 0.6).round(2)
    array([[ 1.  , -0.04],
           [-0.04,  1.  ]])
    """
    r = np.asarray(resid, dtype=float)
    d = r.shape[0]
    ok = np.all(np.isfinite(r), axis=0)
    n = int(ok.sum())
    if n < 30 or d < 2:
        return np.eye(d)
    x = np.where(ok, r, 0.0)
    x = x - (x.sum(axis=1, keepdims=True) / n) * ok  # centred on the common days
    rho = min(max(float(rho), 0.0), _MAX_RHO)
    alpha = 4 * rho**2 / ((1 - rho) ** 2 * (1 + rho) ** 2) if rho > 0 else 0.0
    bw = int(min(math.ceil(1.1447 * (alpha * n) ** (1 / 3)), n // 4)) if alpha > 0 else 0
    omega = x @ x.T / n
    for h in range(1, bw + 1):
        g = x[:, h:] @ x[:, :-h].T / n
        omega += (1 - h / (bw + 1)) * (g + g.T)
    sd = np.sqrt(np.clip(np.diag(omega), 1e-300, None))
    out = omega / np.outer(sd, sd)
    np.fill_diagonal(out, 1.0)
    return np.clip(out, -1.0, 1.0)


def latent_correlation(resid: np.ndarray, models: list[DependenceModel]) -> np.ndarray:
    """Same-day correlation of the latent log-rates of several series, from the products
    of their relative residuals: ``E[r_i r_j] = exp(c_ij sd_i sd_j) - 1`` under the latent
    model (the NB noise of different series is independent given the latent rates). A
    series without a latent process (``sigma2 = 0``) gets no correlation; the matrix is
    projected onto the positive semi-definite ones.

    Examples
    --------
    >>> import numpy as np
    >>> from intensity.dependence import DependenceModel, simulate_latent_counts
    >>> rng = np.random.default_rng(1)
    >>> mu, obs = np.full(730, 200.0), np.ones(730, dtype=bool)
    >>> model = DependenceModel(rho=0.6, sigma2=0.04, size=30.0, acf1=0.3, lrv_factor=5.0)
    >>> y = simulate_latent_counts(mu, model, rng, 1)[0]
    >>> from intensity.dependence import latent_correlation, relative_residuals
    >>> from intensity.dependence import simulate_joint_latent_counts
    >>> pair = simulate_joint_latent_counts(np.vstack([mu, mu]), [model, model],
    ...                                     np.array([30.0, 30.0]), np.array([[1, 0.8], [0.8, 1]]),
    ...                                     rng)[0]
    >>> r = np.vstack([relative_residuals(s, mu, obs) for s in pair])
    >>> bool(latent_correlation(r, [model, model])[0, 1] > 0.5)  # drawn with 0.8
    True
    """
    d = len(models)
    c = np.eye(d)
    for i in range(d):
        for j in range(i + 1, d):
            si, sj = models[i].sigma2, models[j].sigma2
            if si <= 0 or sj <= 0:
                continue
            a, b = resid[i], resid[j]
            ok = np.isfinite(a) & np.isfinite(b)
            if ok.sum() < 30:
                continue
            m = float(np.mean(a[ok] * b[ok]))
            v = math.log1p(max(m, -0.99)) / math.sqrt(si * sj)
            c[i, j] = c[j, i] = min(max(v, -0.95), 0.95)
    return _nearest_correlation(c)


def _nearest_correlation(c: np.ndarray) -> np.ndarray:
    """Clip negative eigenvalues and rescale to unit diagonal."""
    w, v = np.linalg.eigh(c)
    if w.min() >= 1e-10:
        return c
    out = (v * np.clip(w, 1e-10, None)) @ v.T
    sd = np.sqrt(np.diag(out))
    return np.asarray(out / np.outer(sd, sd))


def simulate_joint_latent_counts(
    mu: np.ndarray,
    models: list[DependenceModel],
    sizes: np.ndarray,
    corr: np.ndarray,
    rng: np.random.Generator,
    n_series: int = 1,
) -> np.ndarray:
    """Draw ``n_series`` replicates (first axis) of several count series (second axis) with
    means *mu* (series × days): each series from its latent AR(1) NB model (or NB with its
    size in *sizes* where the model is independent), the latent rates correlated across
    series with the stationary same-day correlation *corr* (:func:`latent_correlation`).
    The innovations get the correlation that keeps *corr* stationary under the series'
    own AR(1) coefficients.

    Examples
    --------
    >>> import numpy as np
    >>> from intensity.dependence import DependenceModel, simulate_latent_counts
    >>> rng = np.random.default_rng(1)
    >>> mu, obs = np.full(730, 200.0), np.ones(730, dtype=bool)
    >>> model = DependenceModel(rho=0.6, sigma2=0.04, size=30.0, acf1=0.3, lrv_factor=5.0)
    >>> y = simulate_latent_counts(mu, model, rng, 1)[0]
    >>> from intensity.dependence import simulate_joint_latent_counts
    >>> draws = simulate_joint_latent_counts(np.vstack([mu, mu]), [model, model],
    ...                                      np.array([30.0, 30.0]), np.eye(2), rng, n_series=3)
    >>> draws.shape  # replicates × series × days
    (3, 2, 730)
    """
    mu = np.asarray(mu, dtype=float)
    d, L = mu.shape
    # a latent process wherever the model has latent variance (with rho = 0 it is
    # independent from day to day but still correlated across series)
    rho = np.array([max(m.rho, 0.0) if m.sigma2 > 0 else 0.0 for m in models])
    sd = np.array([math.sqrt(m.sigma2) if m.sigma2 > 0 else 0.0 for m in models])
    live = sd > 0
    x = np.zeros((n_series, d, L))
    if live.any():
        ri = rho[live]
        c = np.asarray(corr, dtype=float)[np.ix_(live, live)]
        q = np.sqrt(1 - ri**2)
        innov_corr = _nearest_correlation(c * (1 - np.outer(ri, ri)) / np.outer(q, q))
        chol_s = np.linalg.cholesky(c + 1e-12 * np.eye(len(ri)))
        chol_e = np.linalg.cholesky(innov_corr + 1e-12 * np.eye(len(ri)))
        k = int(live.sum())
        e = rng.standard_normal((n_series, L, k)) @ chol_e.T  # (rows, L, k)
        z0 = rng.standard_normal((n_series, k)) @ chol_s.T
        e = np.transpose(e, (0, 2, 1)) * q[None, :, None]  # (rows, k, L)
        e[:, :, 0] = z0
        for i in range(k):
            e[:, i, :] = _ar1(e[:, i, :], float(ri[i]))
        x[:, live, :] = e * sd[live][None, :, None]
    mean = mu[None, :, :] * np.exp(x - (sd**2 / 2)[None, :, None])
    out = np.empty((n_series, d, L))
    for j, m in enumerate(models):
        size = m.size if m.sigma2 > 0 else float(sizes[j])
        out[:, j, :] = _negbin.draw(rng, mean[:, j, :], size)
    return out


# --------------------------------------------------------------------------- drift
#: lags (periods) of the robust variogram that :func:`estimate_drift` fits: every lag to
#: two weeks, then twelve to four months (a random walk shows at the long ones)
DRIFT_LAGS = np.unique(np.r_[np.arange(1, 15), np.geomspace(15, 120, 12).round()]).astype(int)


def _log_rate(raw: np.ndarray, mult: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """``log((y + 0.5) / mult)`` on observed periods, NaN elsewhere."""
    ok = np.asarray(obs, dtype=bool) & np.isfinite(raw) & (mult > 0)
    return np.where(ok, np.log((np.where(ok, raw, 0.0) + 0.5) / np.where(ok, mult, 1.0)), np.nan)


def _variogram(
    z: np.ndarray, segment: np.ndarray, lags: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Robust semivariogram of *z* at *lags* from pairs inside one segment: half the
    squared MAD-scale of the differences (a break or a spike moves few of them), and the
    number of pairs at each lag."""
    g = np.full(len(lags), np.nan)
    w = np.zeros(len(lags))
    for i, h in enumerate(lags):
        if h >= len(z):
            continue
        d = z[h:] - z[:-h]
        ok = np.isfinite(d) & (segment[h:] == segment[:-h])
        if ok.sum() < 20:
            continue
        d = d[ok]
        mad = 1.4826 * float(np.median(np.abs(d - np.median(d))))
        g[i], w[i] = mad * mad / 2, ok.sum()
    return g, w


def _fit_variogram(
    g: np.ndarray, w: np.ndarray, lags: np.ndarray, drift: bool
) -> tuple[float, float, float, float, float]:
    """Weighted least squares fit of ``c + s (1 - rho**h) + q h / 2`` (white noise, an
    AR(1) and a random walk; ``q = 0`` without *drift*) with non-negative ``c, s, q``,
    ``rho`` on a grid: ``(c, s, rho, q, residual sum of squares)``."""
    from scipy.optimize import nnls

    ok = np.isfinite(g) & (w > 0)
    h, gg = lags[ok].astype(float), g[ok]
    sw = np.sqrt(w[ok] / h)  # a long lag's estimate is noisier
    best: tuple[float, float, float, float, float] | None = None
    for rho in np.linspace(0.0, 0.98, 50):
        cols = [np.ones_like(h), 1 - rho**h] + ([h / 2] if drift else [])
        x = np.column_stack(cols)
        coef, res = nnls(x * sw[:, None], gg * sw)
        if best is None or res < best[0]:
            best = (
                res,
                float(coef[0]),
                float(coef[1]),
                float(rho),
                float(coef[2]) if drift else 0.0,
            )
    assert best is not None
    return best[1], best[2], best[3], best[4], best[0] ** 2


def _mean_inverse_rate(z: np.ndarray) -> float:
    """``mean(1 / mu)`` over the observed periods of the log-rate *z*: the Poisson part
    of the log-rate's white-noise variance."""
    return float(np.mean(np.exp(-z[np.isfinite(z)])))


def size_from_white(white: float, z: np.ndarray) -> float:
    """The NB size whose extra-Poisson variance makes up the log-rate's white-noise
    variance *white* beyond its Poisson part (:func:`_mean_inverse_rate` of the log-rate
    *z*): ``Var(log y) ~ 1 / mu + 1 / size``; ``inf`` when Poisson noise accounts for it."""
    inv_k = white - _mean_inverse_rate(z)
    return 1.0 / inv_k if inv_k > 1e-8 else math.inf


def estimate_drift(
    raw: np.ndarray,
    mult: np.ndarray,
    obs: np.ndarray,
    bounds: np.ndarray,
    base: DependenceModel,
) -> DependenceModel | None:
    """The long-range noise model of the log-rate: a local level (random walk) + AR(1)
    when the drift fits better, else an AR(1), both from the variogram over lags to four
    months (``None``: too few observed periods).

    Both are fitted to the robust semivariogram of ``log((y + 0.5) / mult)`` over
    :data:`DRIFT_LAGS`, from pairs of periods inside one segment of *bounds* (so the
    breaks themselves do not count as drift): white noise ``c`` (the count noise),
    an AR(1) (``s``, ``rho``) and, in the drift model, a random walk of daily variance
    ``q``, as DeCAFS (Romano, Rigaill, Runge & Fearnhead 2022) estimates its noise from
    robust variances of lagged differences. The choice is by fit: the drift model is
    kept when the AIC of its weighted variogram fit (one more parameter) is lower. (A
    Gaussian likelihood would let the spikes of real counts decide: on real personnel it
    prefers an AR(1) with rho 0.92 whose variogram levels off at a month, while the robust
    variogram keeps rising to four months.) The count noise given the latent rate is NB
    with the size that ``c`` leaves beyond Poisson. *base* is the AR(1) model of the
    same residuals (for ``acf1`` and the long-run variance factor of the search). The
    AR(1) part may reach rho 0.98: over four months that is close to a random walk, and
    the break tests then allow for it.

    Examples
    --------
    >>> import numpy as np
    >>> from intensity.dependence import DependenceModel, simulate_latent_counts
    >>> rng = np.random.default_rng(1)
    >>> mu, obs = np.full(730, 200.0), np.ones(730, dtype=bool)
    >>> model = DependenceModel(rho=0.6, sigma2=0.04, size=30.0, acf1=0.3, lrv_factor=5.0)
    >>> y = simulate_latent_counts(mu, model, rng, 1)[0]
    >>> from intensity.dependence import estimate_dependence, estimate_drift
    >>> fit = estimate_dependence(y, mu, obs, 30.0)
    >>> long = estimate_drift(y, np.ones(730), obs, np.array([0, 730]), fit)
    >>> long.drift  # no random walk in an AR(1): no drift
    0.0
    """
    z = _log_rate(raw, mult, obs)
    n = int(np.isfinite(z).sum())
    if n < 60:
        return None
    bounds = np.asarray(bounds, dtype=np.int64)
    segment = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
    g, w = _variogram(z, segment, DRIFT_LAGS)
    if np.sum(np.isfinite(g)) < 6:
        return None
    with_drift = _fit_variogram(g, w, DRIFT_LAGS, drift=True)
    without = _fit_variogram(g, w, DRIFT_LAGS, drift=False)
    k = int(np.sum(np.isfinite(g)))
    # AIC of the two weighted fits over the k lags: the drift's one parameter more
    gain = k * math.log(max(with_drift[4], 1e-300) / max(without[4], 1e-300)) + 2.0
    c, s, rho, q, _ = with_drift if with_drift[3] > 0 and gain < 0.0 else without
    size = size_from_white(c, z)
    return DependenceModel(
        rho=rho,
        sigma2=s,
        size=size,
        acf1=base.acf1,
        lrv_factor=base.lrv_factor,
        n=n,
        drift=q,
        long_range=True,
    )


def drift_path(
    raw: np.ndarray,
    mult: np.ndarray,
    obs: np.ndarray,
    log_level: np.ndarray,
    model: DependenceModel,
    z_crit: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The drift of the log-rate around the segment levels *log_level* (per period):
    the Kalman-smoothed local level of the drift model and its pointwise band of
    ``z_crit`` standard errors, as multipliers of the segment level ``(path, lower,
    upper)``.

    Examples
    --------
    >>> import numpy as np
    >>> from intensity.dependence import DependenceModel, simulate_latent_counts
    >>> rng = np.random.default_rng(1)
    >>> mu, obs = np.full(730, 200.0), np.ones(730, dtype=bool)
    >>> model = DependenceModel(rho=0.6, sigma2=0.04, size=30.0, acf1=0.3, lrv_factor=5.0)
    >>> y = simulate_latent_counts(mu, model, rng, 1)[0]
    >>> from intensity.dependence import drift_path, estimate_dependence
    >>> walk = DependenceModel(rho=0.3, sigma2=0.02, size=30.0, acf1=0.2, lrv_factor=2.0,
    ...                        drift=1e-4)
    >>> path, lower, upper = drift_path(y, np.ones(730), obs, np.full(730, np.log(200)), walk, 1.96)
    >>> path.shape, bool(np.all(lower <= path) and np.all(path <= upper))
    ((730,), True)
    """
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    z = _log_rate(raw, mult, obs)
    white = _mean_inverse_rate(z) + (1.0 / model.size if math.isfinite(model.size) else 0.0)
    params = [  # the model's variances in UnobservedComponents' order
        max(white, 1e-8),
        max(model.drift, 1e-14),
        max(model.sigma2 * (1 - model.rho**2), 1e-12),
        min(model.rho, 0.999),
    ]
    # a segment without any count has level 0 (log -inf): no drift around it to measure;
    # its days are gaps for the smoother, whose states were NaN everywhere before
    gap = ~np.isfinite(log_level)
    dev = np.where(gap, np.nan, z - np.where(gap, 0.0, log_level))
    res = UnobservedComponents(dev, level="llevel", autoregressive=1).smooth(params)
    lev = np.asarray(res.smoothed_state[0])
    sd = np.sqrt(np.clip(np.asarray(res.smoothed_state_cov[0, 0]), 0.0, None))
    # no drift around a level of 0: a multiplier of 1 without a band (the walk's variance
    # over such a gap overflowed exp, and 0 x inf drew NaN)
    lev, sd = np.where(gap, 0.0, lev), np.where(gap, 0.0, sd)
    return np.exp(lev), np.exp(lev - z_crit * sd), np.exp(lev + z_crit * sd)
