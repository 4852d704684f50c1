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
from typing import Any

import numpy as np
from scipy import stats

__all__ = [
    "POISSON_SIZE",
    "size_from_dispersion",
    "dispersion_from_size",
    "estimate_size",
    "distribution",
    "interval",
    "tails",
    "draw",
    "profiled_cost",
    "log_mean_se",
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
    """NB2 size ``k`` from neighbouring observations (``inf``: not overdispersed).

    Adjacent days share nearly the same mean, so ``(y_t - y_{t-1})**2 / 2 - (y_t +
    y_{t-1})/2`` estimates ``mu**2/k`` and ``y_t * y_{t-1}`` estimates ``mu**2``, whatever the
    level does over longer spans: a level shift or trend barely affects the estimate (a
    global variance would count every shift as overdispersion). Nothing is trimmed:
    trimming the largest differences biases ``k`` upwards (about +15% for a 1% trim),
    which would make the break search anti-conservative; spikes instead make it
    conservative. Missing values (NaN) break the pairs they are in.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.negative_binomial(20, 20 / (20 + 500.0), size=5000).astype(float)
    >>> 17 < estimate_size(y) < 23
    True
    """
    a, b = y[:-1], y[1:]
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    if len(a) < 5:
        return math.inf
    num = float(np.sum(a * b))
    den = float(np.sum(0.5 * (a - b) ** 2 - 0.5 * (a + b)))
    if den <= 0 or num <= 0:
        return math.inf
    return num / den


def distribution(mu: Any, alpha: float) -> Any:
    """The frozen NB2 distribution with mean *mu* (scalar or array) and dispersion
    *alpha*; Poisson when ``alpha`` is (about) 0."""
    if alpha <= _ALPHA_ZERO:
        return stats.poisson(mu)
    size = 1.0 / alpha
    return stats.nbinom(size, size / (size + mu))


def interval(mu: np.ndarray, alpha: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Central *level* prediction interval of a new count with mean *mu*."""
    a = (1 - level) / 2
    dist = distribution(mu, alpha)
    return dist.ppf(a), dist.ppf(1 - a)


def tails(y: np.ndarray, mu: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """``P(Y >= y)`` and ``P(Y <= y)`` under NB2(mu, alpha)."""
    dist = distribution(mu, alpha)
    return dist.sf(y - 1), dist.cdf(y)


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
