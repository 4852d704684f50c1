"""Negative-binomial arithmetic, in one place.

The package uses the NB2 parameterisation throughout: mean ``mu`` and variance
``mu + alpha * mu**2``. Two names for the same parameter, used consistently:

* ``dispersion`` (``alpha``): what statsmodels estimates and :class:`~intensity.SeasonalFit`
  reports; 0 is the Poisson limit;
* ``size`` (``k = 1 / alpha``): what numpy and scipy draw with and the break cost uses;
  ``inf`` is the Poisson limit.

Everything here accepts ``alpha = 0`` / ``size = inf`` and then gives the Poisson answer,
so callers never branch on the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

__all__ = [
    "POISSON_SIZE",
    "size_from_dispersion",
    "dispersion_from_size",
    "estimate_size",
    "gross_days",
    "without_gross_days",
    "distribution",
    "interval",
    "tails",
    "draw",
    "profiled_cost",
    "log_mean_se",
    "RegressionFit",
    "poisson_fit",
    "nb2_loglike",
    "nb2_fit",
]

#: A size this large is the Poisson limit for every count of this domain (relative extra
#: variance 1e-8); the break cost uses it when no overdispersion is found.
POISSON_SIZE = 1e8
_ALPHA_ZERO = 1e-10


def size_from_dispersion(alpha: float) -> float:
    """``k = 1 / alpha`` (``inf`` for ``alpha`` of about 0)."""
    return 1.0 / alpha if alpha > _ALPHA_ZERO else math.inf


def dispersion_from_size(size: float) -> float:
    """``alpha = 1 / k`` (0 for an infinite or Poisson-limit size)."""
    return 0.0 if not math.isfinite(size) or size >= POISSON_SIZE else 1.0 / size


def estimate_size(y: np.ndarray) -> float:
    """NB2 size ``k`` from neighbouring observations (``inf``: not overdispersed), with
    gross days set aside.

    Adjacent days share nearly the same mean, so ``(y_t - y_{t-1})**2 / 2 - (y_t +
    y_{t-1})/2`` estimates ``mu**2/k`` and ``y_t * y_{t-1}`` estimates ``mu**2``, whatever the
    level does over longer spans: a level shift or trend barely affects the estimate (a
    global variance would count every shift as overdispersion). Nothing is trimmed:
    trimming the largest differences biases ``k`` upwards (about +15% for a 1% trim),
    which would make the break search anti-conservative; spikes instead make it
    conservative. But a sum of squares is not robust to one gross day: a day at 100 times
    the level took ``k`` from 18 to 0.2 and the break search lost a +50% step. Days far
    beyond their own neighbourhood (:func:`gross_days`) are therefore left out first;
    on clean counts that is almost never one. Missing values (NaN) break the pairs they
    are in.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.negative_binomial(20, 20 / (20 + 500.0), size=5000).astype(float)
    >>> 17 < estimate_size(y) < 23
    True
    >>> y[100] = 100 * y[100]  # one gross day
    >>> 17 < estimate_size(y) < 23
    True
    """
    return size_and_gross(y)[0]


def size_and_gross(y: np.ndarray) -> tuple[float, np.ndarray]:
    """:func:`estimate_size` and the gross days it left out (:func:`gross_days`)."""
    y = np.asarray(y, dtype=float)
    gross = gross_days(y)
    return _pair_size(np.where(gross, np.nan, y) if gross.any() else y), gross


def _pair_terms(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``y_t * y_{t-1}`` and ``(y_t - y_{t-1})**2 / 2 - (y_t + y_{t-1}) / 2`` of each pair
    of neighbouring periods (NaN where either is missing)."""
    a, b = y[:-1], y[1:]
    return a * b, 0.5 * (a - b) ** 2 - 0.5 * (a + b)


def _pair_size(y: np.ndarray) -> float:
    """The untrimmed pair estimate of :func:`estimate_size` (NaN: missing)."""
    prod, diff = _pair_terms(y)
    ok = np.isfinite(prod)
    if ok.sum() < 5:
        return math.inf
    num = float(np.sum(prod[ok]))
    den = float(np.sum(diff[ok]))
    if den <= 0 or num <= 0:
        return math.inf
    return num / den


GROSS_BLOCK = 91
"""Pairs of neighbouring periods in a block of the gross-day screen's local size (a
quarter-year of days: volatile and calm stretches of a series get their own scatter)."""

GROSS_MIN_MEAN = 5.0
"""The least mean of a period's neighbours for the gross-day screen: below, a handful of
neighbours cannot tell an error from the bursts such counts have (cruise missiles'
mass strikes, 45-75 against 0-2 on the days around; aircraft on 2025-06-03)."""


def _local_sizes(y: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """The pair estimate of the NB size for each period from the pairs of its block of
    :data:`GROSS_BLOCK` without the period's own two pairs and those of the periods
    *taken* (a gross day does not widen the scatter it is judged by, and no trimming
    biases the others' upwards). A block with under 30 pairs, or no overdispersion in
    them, takes in the blocks either side, up to three each way (a quarter with many
    missing or untested days, as the first of personnel, was otherwise judged by the
    whole series' calm-year size, and its volatile days read as gross); then the whole
    series' (``inf``: no overdispersion anywhere)."""
    gone = np.where(taken, np.nan, y)
    prod, diff = _pair_terms(gone)
    ok = np.isfinite(prod)
    prod, diff = np.where(ok, prod, 0.0), np.where(ok, diff, 0.0)
    n = len(y)
    npairs = n - 1
    block = np.arange(npairs) // GROSS_BLOCK
    nb = int(block[-1]) + 1 if npairs else 0
    sums = np.stack(
        [np.bincount(block, prod, nb), np.bincount(block, diff, nb), np.bincount(block, ok, nb)]
    )
    # each period's block: that of its pair with the next period (the last: its previous)
    t = np.arange(n)
    bt = block[np.minimum(t, npairs - 1)]
    # the period's own two pairs, with the blocks they are in
    own = []
    for j in (t - 1, t):
        inside = (j >= 0) & (j < npairs)
        jj = np.clip(j, 0, max(npairs - 1, 0))
        own.append(
            (inside, block[jj], np.where(inside, prod[jj], 0.0), np.where(inside, diff[jj], 0.0))
        )
    wnum, wden = float(prod.sum()), float(diff.sum())
    out = np.full(n, np.nan)
    cum = np.concatenate([np.zeros((3, 1)), np.cumsum(sums, axis=1)], axis=1)
    for r in range(4):  # the period's block and r blocks either side
        lo, hi = np.maximum(bt - r, 0), np.minimum(bt + r + 1, nb)
        num, den, cnt = cum[:, hi] - cum[:, lo]
        for inside, bj, p_j, d_j in own:
            within = inside & (bj >= lo) & (bj < hi)
            num = num - np.where(within, p_j, 0.0)
            den = den - np.where(within, d_j, 0.0)
            cnt = cnt - within
        good = np.isnan(out) & (cnt >= 30) & (den > 0) & (num > 0)
        out[good] = num[good] / den[good]
    rest = np.isnan(out)
    if rest.any():  # the whole series' without the period's pairs
        num = wnum - sum(p_j for _, _, p_j, _ in own)
        den = wden - sum(d_j for _, _, _, d_j in own)
        out[rest] = np.where((den > 0) & (num > 0), num / np.where(den > 0, den, 1.0), math.inf)[
            rest
        ]
    return out


def gross_days(y: np.ndarray, reach: int = 3) -> np.ndarray:
    """Periods whose count is beyond what its neighbourhood's own scatter gives, at
    two-sided tail probability :data:`OUTLYING_P`: given the total of the period and its
    valid neighbours up to *reach* either side (``c`` of them), its count under NB2
    counts of one mean and the local size ``k`` of :func:`_local_sizes` is
    beta-binomial(total, ``k``, ``c * k``) (binomial in the Poisson limit). Exact for
    gamma-Poisson counts, with no mean to estimate: a normal or NB tail around the
    neighbours' mean flagged a day in half of the null series of size 1, whose mean of
    six days is itself far off. In rounds: a period is taken when it is the farthest out
    within *reach* of itself, and the rest tested again without the periods taken (a
    gross day's neighbours look low beside it; the day itself is farther out). Periods
    whose neighbours average under :data:`GROSS_MIN_MEAN` are not tested. NaN: missing.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.random.default_rng(1).poisson(1000.0, 200).astype(float)
    >>> y[50] = 30000.0
    >>> np.flatnonzero(gross_days(y))
    array([50])
    """
    y = np.asarray(y, dtype=float)
    n = len(y)
    obs = np.isfinite(y)
    taken = np.zeros(n, dtype=bool)
    if obs.sum() < 30:
        return taken
    vals = np.where(obs, np.round(y), 0.0)  # deseasonalised counts: the nearest count
    while True:
        use = obs & ~taken
        k = _local_sizes(y, taken)
        sides = _side_sums(vals, use, reach)
        # whole counts: the two sides' sums are the neighbourhood's, exactly
        count = sides[0][0] + sides[1][0]
        total = sides[0][1] + sides[1][1]
        mu = total / np.maximum(count, 1.0)
        testable = use & (count >= 2) & (mu >= GROSS_MIN_MEAN)
        mu = np.where(testable, mu, 1.0)
        # a normal screen far below the threshold (the period's and the neighbours'
        # mean's variance); the beta-binomial tail decides
        var = (mu + mu**2 / k) * (1.0 + 1.0 / np.maximum(count, 1.0))
        z = np.where(testable, np.abs(vals - mu) / np.sqrt(var), 0.0)
        # a low count's tail is lighter than the normal's: with k = 5 a 0 among days of
        # 1,000 is 2.2 sd out and P = 3e-12, so a day under a quarter of its neighbours'
        # mean is a candidate too where a 0 would be beyond the threshold
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            zero = np.where(np.isfinite(k), np.exp(k * np.log(k / (k + mu))), np.exp(-mu))
        low = testable & (vals < 0.25 * mu) & (zero < OUTLYING_P / 2)
        far = np.flatnonzero((z > 3.0) | low)
        if not len(far):
            return taken
        far = far[_beyond_both_sides(vals, sides, far, k[far])]
        peak = far[[z[t] >= z[max(t - reach, 0) : t + reach + 1].max() for t in far]]
        if not len(peak):
            return taken
        taken[peak] = True


def without_gross_days(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """*series* (numeric, NaN: missing) with its :func:`gross_days` masked, and their
    mask: the searches that set such days aside altogether (the baselines' sustained
    shifts, the common breaks)."""
    gross = gross_days(series.to_numpy(dtype=float, na_value=np.nan))
    return (series.mask(gross) if gross.any() else series), gross


def _side_sums(
    vals: np.ndarray, use: np.ndarray, reach: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The number of valid periods (*use*) and the sum of their *vals* within *reach* after
    each period and within *reach* before it (the period itself in neither)."""
    left = np.ones(2 * reach + 1)
    left[reach:] = 0.0
    right = left[::-1].copy()
    # np.convolve flips the kernel: 'left' then sums the periods after, 'right' before
    return [
        (
            np.convolve(use.astype(float), kern, mode="same"),
            np.convolve(np.where(use, vals, 0.0), kern, mode="same"),
        )
        for kern in (left, right)
    ]


def _beyond_both_sides(
    vals: np.ndarray, sides: list[tuple[np.ndarray, np.ndarray]], far: np.ndarray, k: np.ndarray
) -> np.ndarray:
    """Which candidate periods *far* are beyond their neighbours on each side that has
    two or more valid ones (*sides*: :func:`_side_sums`; :func:`_beyond_neighbours`
    against each side's total): a day at a level shift is beyond the side before it and
    not the side after, and stays (a step of 1,000 to 0 read the days at it as gross
    against both sides' mean)."""
    beyond = np.ones(len(far), dtype=bool)
    n_sides = 0
    for counts, totals in sides:
        count, total = counts[far], totals[far]
        side = count >= 2
        n_sides = n_sides + side
        out = np.zeros(len(far), dtype=bool)
        if side.any():
            out[side] = _beyond_neighbours(vals[far][side], total[side], count[side], k[side])
        beyond &= out | ~side
    return beyond & (n_sides > 0)


EXACT_TOTAL = 2000
"""Totals of a period and its neighbours up to which :func:`gross_days` sums the
beta-binomial's probabilities (scipy: a cost in proportion to the count); above, the
share of the total follows the beta distribution with the beta-binomial's mean and
variance (tails within 5% of the exact ones at totals of 7,000 from 3 to 6 sd; with
totals of a few hundred its lower tail was 30 times too small)."""


def _beyond_neighbours(y: np.ndarray, rest: np.ndarray, c: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Whether each count *y* is beyond its *c* neighbours' total *rest* at two-sided
    tail :data:`OUTLYING_P` (:func:`gross_days`): beta-binomial(total, k, c k), with
    :data:`POISSON_SIZE` for an infinite *k* (the binomial, to 1e-8)."""
    total = y + rest
    k = np.where(np.isfinite(k), k, POISSON_SIZE)
    a, b = k, c * k
    up, lo = np.ones(len(y)), np.ones(len(y))
    exact = total <= EXACT_TOTAL
    if exact.any():
        e = exact
        dist = stats.betabinom(total[e], a[e], b[e])
        up[e], lo[e] = dist.sf(y[e] - 1), dist.cdf(y[e])
    big = ~exact
    if big.any():
        t, aa, bb = total[big], a[big], b[big]
        m = aa / (aa + bb)
        v = aa * bb * (aa + bb + t) / (t * (aa + bb) ** 2 * (aa + bb + 1))
        s = m * (1 - m) / v - 1  # the matching beta's a + b
        share = stats.beta(m * s, (1 - m) * s)
        up[big] = share.sf((y[big] - 0.5) / t)  # half a count: continuity
        lo[big] = share.cdf((y[big] + 0.5) / t)
    return np.asarray(2.0 * np.minimum(up, lo) < OUTLYING_P)


def distribution(mu: Any, alpha: Any) -> Any:
    """The frozen NB2 distribution with mean *mu* (scalar or array) and dispersion
    *alpha* (a number, or an array of positive ones matching *mu*); Poisson when a
    number ``alpha`` is (about) 0."""
    if np.ndim(alpha) == 0 and alpha <= _ALPHA_ZERO:
        return stats.poisson(mu)
    size = 1.0 / np.asarray(alpha, dtype=float)
    return stats.nbinom(size, size / (size + mu))


def interval(mu: np.ndarray, alpha: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Central *level* prediction interval of a new count with mean *mu*."""
    a = (1 - level) / 2
    dist = distribution(mu, alpha)
    return dist.ppf(a), dist.ppf(1 - a)


def tails(y: np.ndarray, mu: np.ndarray, alpha: Any) -> tuple[np.ndarray, np.ndarray]:
    """``P(Y >= y)`` and ``P(Y <= y)`` under NB2(mu, alpha)."""
    dist = distribution(mu, alpha)
    return dist.sf(y - 1), dist.cdf(y)


OUTLYING_P = 1e-6
"""Two-sided NB tail probability below which an observed period is set aside from an
estimate as a gross outlier: beyond anything the counts' own scatter gives (1e-6 a
period: about 0.2% of 1,600-day null series lose one period)."""


def outlying(y: np.ndarray, mu: np.ndarray, obs: np.ndarray, alpha: Any) -> np.ndarray:
    """Observed periods whose count is beyond NB2(*mu*, *alpha*) at two-sided tail
    probability :data:`OUTLYING_P` (a tail, not a robust scale of the log residuals:
    with counts of 0-2 a day that scale is about 0 and every day with a count would be
    set aside). *alpha*: a number, or positive ones per period."""
    p_up, p_lo = tails(np.where(obs, y, 0.0), mu, alpha)
    return np.asarray(obs & (2.0 * np.minimum(p_up, p_lo) < OUTLYING_P))


def draw(rng: np.random.Generator, mean: np.ndarray, size: float, shape: Any = None) -> np.ndarray:
    """NB counts (floats) with the given means and size (Poisson for ``size = inf`` or the
    Poisson-limit size)."""
    if not math.isfinite(size) or size >= POISSON_SIZE / 10:
        return rng.poisson(mean, size=shape).astype(float)
    return rng.negative_binomial(size, size / (size + mean), size=shape).astype(float)


def profiled_cost(s: np.ndarray, n: np.ndarray, size: float) -> np.ndarray:
    """Twice the negative log-likelihood of segments with count sums *s* over *n*
    observations at their own mean (the break cost, up to terms that do not depend on
    the segmentation); Poisson for ``size = inf``, where *n* is the exposure. Arrays
    broadcast; empty segments cost 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if not math.isfinite(size):
            v = -2.0 * (s * np.log(s / n) - s)
        else:
            mu = s / n
            v = -2.0 * (
                s * np.log(mu) - (s + size * n) * np.log(size + mu) + size * n * math.log(size)
            )
    return np.where((s > 0) & (n > 0), v, 0.0)


def log_mean_se(total: float, n: float, size: float, inflate: float = 1.0) -> float:
    """Standard error of the log of a segment mean from *total* counts over *n*
    observations: ``sqrt(inflate * (1/total + 1/(size * n)))`` (delta method; *inflate*
    is the long-run variance factor of serially dependent counts)."""
    extra = 1.0 / size if math.isfinite(size) else 0.0
    return math.sqrt(inflate * (1.0 / total + extra / n))


# ------------------------------------------------------------------ regression fits
# Vectorised maximum likelihood for log-linear count regressions. statsmodels' discrete
# NegativeBinomial builds its Hessian in a Python double loop over column pairs (seconds
# per fit at 30 columns and 5,000 days); here each Newton step is a few matrix products,
# O(n k^2). The callers keep statsmodels as the fallback for fits these do not settle.


@dataclass(frozen=True)
class RegressionFit:
    """Estimates of a log-linear count regression.

    ``cov`` is the inverse observed information of ``params`` (the NB2 fit: of
    ``params`` and ``alpha`` jointly, ``alpha_se`` its last diagonal element), as
    statsmodels reports it after a Newton fit. ``alpha = 0`` with ``poisson_limit``:
    the counts were not overdispersed and the Poisson fit stands.
    """

    params: np.ndarray
    cov: np.ndarray
    alpha: float
    alpha_se: float
    llf: float
    converged: bool
    poisson_limit: bool = False

    @property
    def size(self) -> float:
        """NB size ``1/alpha`` (``inf`` in the Poisson limit)."""
        return 1.0 / self.alpha if self.alpha > 0 else math.inf


def _solve_sym(A: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """``A^-1 b`` for a symmetric positive definite *A* (None when it is not)."""
    try:
        c = np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        return None
    z = np.linalg.solve(c, b)
    return np.linalg.solve(c.T, z)


def poisson_fit(y: np.ndarray, X: np.ndarray, max_iter: int = 100) -> RegressionFit | None:
    """Poisson log-linear regression by Newton's method (the Poisson GLM's IRLS).

    None when the design does not identify the model (a singular information matrix) or
    the fit does not settle; the caller then decides.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> X = np.column_stack([np.ones(500), rng.normal(size=500)])
    >>> y = rng.poisson(np.exp(2.0 + 0.3 * X[:, 1])).astype(float)
    >>> f = poisson_fit(y, X)
    >>> bool(abs(f.params[1] - 0.3) < 0.05)
    True
    """
    run = _poisson_newton(y, X, max_iter)
    if run is None or not run[3]:
        return None
    beta, llf, info, _ = run
    cov = _inverse_pd(info)
    if cov is None:
        return None
    return RegressionFit(beta, cov, 0.0, 0.0, llf, True)


def _poisson_newton(
    y: np.ndarray, X: np.ndarray, max_iter: int, floor: float = 0.0
) -> tuple[np.ndarray, float, np.ndarray, bool] | None:
    """Newton's method for the Poisson log-linear fit: the last coefficients, their
    log-likelihood and information, and whether the log-likelihood settled (None: a
    singular design or a mean that overflows; not settled when the information goes
    singular on the way, or when a day with no count gets a mean below *floor*)."""
    mu = (y + float(np.mean(y))) / 2 + 1e-3
    eta = np.log(mu)
    # the first step from the working response of the GLM start
    info = X.T @ (mu[:, None] * X)
    beta = _solve_sym(info, X.T @ (mu * (eta + (y - mu) / mu)))
    if beta is None:
        return None
    llf_old = -np.inf
    for it in range(max_iter):
        eta = X @ beta
        if not np.all(np.isfinite(eta)) or eta.max() > 700:
            return None
        mu = np.exp(eta)
        llf = float(np.sum(y * eta - mu - special.gammaln(y + 1)))
        info = X.T @ (mu[:, None] * X)
        if abs(llf - llf_old) <= 1e-12 * (abs(llf) + 1.0) and it > 0:
            return beta, llf, info, True
        if floor > 0 and np.any((y == 0) & (mu < floor)):
            return beta, llf, info, False
        llf_old = llf
        step = _solve_sym(info, X.T @ (y - mu))
        if step is None:  # the information went singular (means of 0): not settled
            return beta, llf, info, False
        beta = beta + step
    return beta, llf, info, False


#: a fitted mean below this on a day with no count: the fit is running off to a mean of 0
SEPARATED_MEAN = 1e-8


def separated_fit(y: np.ndarray, X: np.ndarray, max_iter: int = 100) -> RegressionFit | None:
    """The Poisson-limit fit, marked not converged, of counts whose log-linear maximum
    lies at infinity: Newton's iterates drive the mean of some days with no count to 0
    (below :data:`SEPARATED_MEAN`; quasi-separation, e.g. a flexible trend over months
    without a count), so no finite estimate exists, for the NB model either. None when
    the counts are not separated that way. The caller takes it in place of the route
    that would reach the same unconverged Poisson limit (statsmodels' Newton for 200
    iterations, then BFGS: 0.8-1.4 s a fit on the 1,625 days of real naval-ship losses,
    33 ships).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.column_stack([np.ones(40), np.r_[np.zeros(20), np.ones(20)]])
    >>> y = np.r_[np.ones(20) * 3, np.zeros(20)]
    >>> f = separated_fit(y, X)
    >>> f.converged, f.poisson_limit
    (False, True)
    """
    # stopped where the first such mean falls below the floor, not where it reaches
    # 1e-300 (inverse means of inf in the noise model of 1 submarine in 1,059 days)
    run = _poisson_newton(y, X, max_iter, floor=SEPARATED_MEAN)
    if run is None:
        return None
    beta, llf, info, _ = run
    if not np.any((y == 0) & (X @ beta < math.log(SEPARATED_MEAN))):
        return None
    cov = np.linalg.pinv(info, hermitian=True)
    return RegressionFit(beta, (cov + cov.T) / 2, 0.0, 0.0, llf, False, poisson_limit=True)


def _inverse_pd(A: np.ndarray) -> np.ndarray | None:
    eye = np.eye(A.shape[0])
    inv = _solve_sym(A, eye)
    if inv is None or not np.all(np.isfinite(inv)):
        return None
    return (inv + inv.T) / 2


def nb2_loglike(y: np.ndarray, eta: np.ndarray, alpha: float) -> float:
    """NB2 log-likelihood of counts *y* with log means *eta* and dispersion *alpha* > 0."""
    g = 1.0 / alpha
    mu = np.exp(eta)
    am = alpha * mu
    return float(
        np.sum(
            special.gammaln(y + g)
            - special.gammaln(g)
            - special.gammaln(y + 1)
            - g * np.log1p(am)
            + y * (np.log(am) - np.log1p(am))
        )
    )


#: the largest moment start of an NB2 fit's dispersion (a variance of 1,000 times the
#: squared mean: beyond any count series; the fit moves on from there)
MAX_START_DISPERSION = 1e3


def moment_dispersion(y: np.ndarray, mu: np.ndarray) -> float:
    """The moment estimate ``mean(((y - mu)^2 - y) / mu^2)`` of the NB2 dispersion around
    fitted means *mu*: the start of an NB2 fit (at most :data:`MAX_START_DISPERSION`; at
    or below 0 the counts are not overdispersed). Around a Poisson fit that bends to a
    day of a million among counts of 50, days of mean ~1e-9 made it 3e20, and the
    vectorised Newton and statsmodels' both failed from there (8.6 s of fallbacks in one
    ``fit_seasonal``).

    Examples
    --------
    >>> round(moment_dispersion(np.array([10.0, 30.0]), np.array([20.0, 20.0])), 3)
    0.2
    """
    a0 = float(np.mean(((y - mu) ** 2 - y) / mu**2))
    return a0 if math.isnan(a0) else min(a0, MAX_START_DISPERSION)


def dispersion_given_means(y: np.ndarray, mu: np.ndarray) -> float:
    """Maximum-likelihood NB2 dispersion ``alpha`` of counts *y* around the given means
    *mu* (a one-dimensional search on ``log alpha`` over ``[1e-8, 1e3]``): the
    dispersion of a subset of the days a mean was fitted on.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> mu = np.full(4000, 50.0)
    >>> round(dispersion_given_means(rng.negative_binomial(10, 10 / 60, 4000), mu), 2)
    0.1
    """
    from scipy.optimize import minimize_scalar

    y = np.asarray(y, dtype=float)
    eta = np.log(np.asarray(mu, dtype=float))
    res = minimize_scalar(
        lambda la: -nb2_loglike(y, eta, math.exp(la)),
        bounds=(math.log(1e-8), math.log(1e3)),
        method="bounded",
        options={"xatol": 1e-6},
    )
    return float(math.exp(res.x))


def _nb2_derivatives(
    y: np.ndarray, X: np.ndarray, beta: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """Score and observed Hessian of the NB2 log-likelihood in ``(beta, alpha)``."""
    g = 1.0 / alpha
    mu = np.exp(X @ beta)
    am = alpha * mu
    d = 1.0 + am
    dpsi = special.digamma(y + g) - special.digamma(g)
    dpsi1 = special.zeta(2, y + g) - special.zeta(2, g)  # trigamma
    l1p = np.log1p(am)
    score_b = X.T @ ((y - mu) / d)
    score_a = float(np.sum((l1p - dpsi) / alpha**2 + (y - mu) / (alpha * d)))
    w = mu * (1.0 + alpha * y) / d**2
    h_bb = -(X.T @ (w[:, None] * X))
    h_ba = -(X.T @ ((y - mu) * mu / d**2))
    h_aa = float(
        np.sum(
            2.0 * dpsi / alpha**3
            + dpsi1 / alpha**4
            + mu / (alpha**2 * d)
            - 2.0 * l1p / alpha**3
            - (y - mu) * (1.0 + 2.0 * am) / (alpha * d) ** 2
        )
    )
    k = X.shape[1]
    H = np.empty((k + 1, k + 1))
    H[:k, :k] = h_bb
    H[:k, k] = H[k, :k] = h_ba
    H[k, k] = h_aa
    return np.append(score_b, score_a), H


def nb2_fit(
    y: np.ndarray, X: np.ndarray, start: np.ndarray, alpha0: float, max_iter: int = 100
) -> RegressionFit | None:
    """NB2 maximum likelihood (mean ``exp(X beta)``, variance ``mu + alpha mu^2``) by
    Newton's method on ``(beta, log alpha)`` with step halving, from ``(start, alpha0)``.

    The covariance is the inverse observed information in ``(beta, alpha)`` (statsmodels'
    ``NegativeBinomial(loglike_method='nb2')`` after ``method='newton'``, which the
    tests compare it with). None when the fit does not settle (the caller falls back).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(2)
    >>> X = np.column_stack([np.ones(2000), rng.normal(size=2000)])
    >>> mu = np.exp(4.0 + 0.2 * X[:, 1])
    >>> y = rng.negative_binomial(10, 10 / (10 + mu)).astype(float)
    >>> f = nb2_fit(y, X, np.array([4.0, 0.0]), 0.5)
    >>> bool(abs(f.alpha - 0.1) < 0.02 and f.converged)
    True
    """
    beta = np.asarray(start, dtype=float).copy()
    la = math.log(alpha0)
    llf = nb2_loglike(y, X @ beta, alpha0)
    if not math.isfinite(llf):
        return None
    for _ in range(max_iter):
        try:
            step = _newton_step(y, X, beta, math.exp(la))
        except OverflowError:
            # alpha ran off to where its powers overflow (a series of a million and
            # zeros): not settling, as the docstring says, so the caller falls back
            return None
        if step is None:
            return None
        found = _line_search(y, X, beta, la, step, llf)
        if found is None:
            return None
        beta, la, new, step_size = found
        gain, llf = new - llf, new
        if np.max(np.abs(step_size * step)) < 1e-9 or gain <= 1e-13 * (abs(llf) + 1.0):
            done, fit = _at_optimum(y, X, beta, math.exp(la), llf)
            if done:
                return fit
    return None


def _newton_step(y: np.ndarray, X: np.ndarray, beta: np.ndarray, alpha: float) -> Any:
    """The Newton step in (beta, log alpha); where the likelihood is not concave, a
    scoring step on the mean and a gradient step on alpha (``None``: neither)."""
    k = X.shape[1]
    score, H = _nb2_derivatives(y, X, beta, alpha)
    # in (beta, log alpha): d/dla = alpha d/dalpha
    s = score.copy()
    s[k] *= alpha
    Hl = H.copy()
    Hl[:k, k] *= alpha
    Hl[k, :k] *= alpha
    Hl[k, k] = alpha**2 * H[k, k] + alpha * score[k]
    step = _solve_sym(-Hl, s)
    if step is not None:
        return step
    # not concave here: a scoring step on the mean and a gradient step on alpha
    mu = np.exp(X @ beta)
    info = X.T @ ((mu / (1 + alpha * mu))[:, None] * X)
    sb = _solve_sym(info, s[:k])
    if sb is None:
        return None
    return np.append(sb, 0.1 * np.sign(s[k]))


def _line_search(
    y: np.ndarray, X: np.ndarray, beta: np.ndarray, la: float, step: np.ndarray, llf: float
) -> tuple[np.ndarray, float, float, float] | None:
    """Halve the step until the log-likelihood does not fall (at most 40 times): the new
    beta, log alpha, log-likelihood and step size (``None``: no such step)."""
    k = X.shape[1]
    step_size = 1.0
    for _half in range(40):
        nb = beta + step_size * step[:k]
        nla = float(la + step_size * step[k])
        eta = X @ nb
        if np.all(np.isfinite(eta)) and eta.max() < 700 and -40 < nla < 20:
            new = nb2_loglike(y, eta, math.exp(nla))
            if math.isfinite(new) and new >= llf - 1e-10 * (abs(llf) + 1.0):
                return nb, nla, new, step_size
        step_size /= 2
    return None


def _at_optimum(
    y: np.ndarray, X: np.ndarray, beta: np.ndarray, alpha: float, llf: float
) -> tuple[bool, RegressionFit | None]:
    """Whether the fit stops here, and its result: the fit when the scaled score is
    below 1e-4, ``None`` when alpha went to zero or the information is singular; not
    done while the score is still large."""
    k = X.shape[1]
    if alpha < 1e-8:
        return True, None
    score, H = _nb2_derivatives(y, X, beta, alpha)
    cov = _inverse_pd(-H)
    if cov is None:
        return True, None
    scale = np.sqrt(np.diag(cov))
    if not bool(np.max(np.abs(score) * scale) < 1e-4):
        return False, None
    fit = RegressionFit(
        params=beta,
        cov=cov[:k, :k],
        alpha=alpha,
        alpha_se=math.sqrt(max(float(cov[k, k]), 0.0)),
        llf=llf,
        converged=True,
    )
    return True, fit
