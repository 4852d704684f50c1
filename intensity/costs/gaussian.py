"""Gaussian costs: a change in mean (known or robustly estimated noise sd) and a change in
mean and variance, with Bai's (1997) asymptotic date intervals as R's
``strucchange::confint`` computes them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .. import _codes
from . import _bai
from .base import (
    BreakUncertainties,
    SegmentCost,
    SegmentLevel,
    SegmentLevels,
)

if TYPE_CHECKING:
    from ..dependence import DependenceModel

__all__ = ["NormalCost", "NormalMeanVarCost", "bai_interval", "robust_sigma"]

#: half-width (periods) of the window the bootstrap p-value of a break looks at
HALF_WINDOW = 730


def robust_sigma(y: np.ndarray) -> float:
    """Noise standard deviation from first differences (MAD), robust to level shifts.

    Examples
    --------
    >>> import numpy as np
    >>> from intensity.costs import robust_sigma
    >>> y = np.r_[np.zeros(100), np.full(100, 5.0)] + np.random.default_rng(0).normal(0, 2, 200)
    >>> round(robust_sigma(y), 1)  # the step does not inflate it
    1.7
    """
    z = y[~np.isnan(y)]
    if len(z) < 3:
        return 1.0
    d = np.diff(z)
    s = 1.4826 * np.median(np.abs(d - np.median(d))) / math.sqrt(2)
    if s <= 0:
        s = float(np.std(d)) / math.sqrt(2) or 1.0
    return float(s)


# --------------------------------------------------------------------------- Bai (1997)
def bai_interval(
    tau: int, delta: float, var1: float, var2: float, level: float = 0.95
) -> tuple[int, int] | None:
    """Bai's (1997) asymptotic confidence interval of a mean-shift date.

    ``tau`` is the first index of the new regime, ``delta`` the shift in the mean, ``var1``
    and ``var2`` the noise variances before and after (heteroskedastic errors, as the
    default of R's ``strucchange::confint``). Returns (lower, upper) positions, or
    ``None`` where the interval cannot be computed (as strucchange, when the limit law puts
    less than ``(1 - level)/2`` on either side of the estimate, or without a shift).

    Examples
    --------
    >>> bai_interval(100, 2.0, 1.0, 1.0)
    (97, 103)
    """
    # compiled (:func:`intensity.costs._bai.intervals`, which the costs call for every
    # break at once); the limit law depends on the sds only through their ratio
    lo, hi, ok = _bai.intervals(
        np.array([tau], dtype=np.int64),
        np.array([delta], dtype=float),
        np.array([var1], dtype=float),
        np.array([var2], dtype=float),
        float(level),
    )
    return (int(lo[0]), int(hi[0])) if ok[0] else None


# --------------------------------------------------------------------------- costs
class _GaussianCost(SegmentCost):
    """What the Gaussian costs share: levels on the value scale, Bai's date intervals and
    a bootstrap p-value under i.i.d. normal noise."""

    def _noise_sd(self, a: int, b: int, var: float) -> float:
        return self.sigma

    def segment(self, a: int, b: int, z: float, inflate: float = 1.0) -> SegmentLevel:
        nn = float(self.N[b] - self.N[a])
        if nn <= 0:
            return SegmentLevel(math.nan, math.nan, math.nan)
        mean = float(self.S[b] - self.S[a]) / nn
        var = max(float(self.Q[b] - self.Q[a]) / nn - mean**2, 0.0)
        se = self._noise_sd(a, b, var) * math.sqrt(inflate / nn)
        return SegmentLevel(mean, mean - z * se, mean + z * se, se=se, var=var)

    def ratio(self, prev: SegmentLevel, cur: SegmentLevel, z: float) -> tuple[float, float, float]:
        r = cur.level / prev.level if prev.level else math.nan
        return r, math.nan, math.nan

    def _noise_sds(self, starts: np.ndarray, ends: np.ndarray, var: np.ndarray) -> np.ndarray:
        """:meth:`_noise_sd` of every segment."""
        return np.full(len(var), self.sigma)

    def segment_levels(
        self, starts: np.ndarray, ends: np.ndarray, z: float, inflate: float = 1.0
    ) -> SegmentLevels:
        nn = self.N[ends] - self.N[starts]
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(nn > 0, (self.S[ends] - self.S[starts]) / nn, np.nan)
            var = np.maximum((self.Q[ends] - self.Q[starts]) / nn - mean**2, 0.0)
            se = self._noise_sds(starts, ends, var) * np.sqrt(inflate / nn)
        nan = np.full(len(nn), np.nan)
        return SegmentLevels(mean, mean - z * se, mean + z * se, nan, se, var)

    def ratios(self, levels: SegmentLevels, z: float) -> np.ndarray:
        out = np.full((len(levels), 3), np.nan)
        lev = levels.level
        with np.errstate(divide="ignore", invalid="ignore"):
            out[1:, 0] = np.where(lev[:-1] != 0, lev[1:] / lev[:-1], np.nan)
        return out

    def break_uncertainties(
        self,
        bounds: np.ndarray,
        min_size: int,
        level: float,
        n_boot: int,
        rng: np.random.Generator,
        levels: SegmentLevels,
        dep: DependenceModel | None = None,
    ) -> BreakUncertainties:
        # Bai's date interval and the bootstrap p-value of each break, in plain floats (no
        # object per break): the Gaussian costs implement only this batch form
        k = len(bounds) - 2
        p = np.full(k, np.nan)
        var = np.where(levels.var > 0, levels.var, self.sigma**2)
        a, tau, b = bounds[:-2], bounds[1:-1], bounds[2:]
        lo_, hi_, ok = _bai.intervals(tau, np.diff(levels.level), var[:-1], var[1:], level)
        # Bai's interval counts observations; with missing periods it is mapped through
        # the observed ones (q observations before the break is the q-th observed period
        # before it, not q calendar periods)
        obs_idx = np.flatnonzero(self.obs)
        if len(obs_idx) < len(self.obs):
            mapped = ok & self.obs[tau]
            rank = self.N[tau].astype(np.int64)
            last = len(obs_idx) - 1
            lo_ = np.where(mapped, obs_idx[np.clip(rank - (tau - lo_), 0, last)], lo_)
            hi_ = np.where(mapped, obs_idx[np.clip(rank + (hi_ - tau), 0, last)], hi_)
        lower = np.where(ok, np.maximum(lo_, a + 1), -1)
        upper = np.where(ok, np.minimum(hi_, b - 1), -1)
        if n_boot >= 1:
            for j in np.flatnonzero(ok):
                p[j] = self._bootstrap_p(int(a[j]), int(tau[j]), int(b[j]), min_size, n_boot, rng)
        bound = np.isfinite(p) & (p <= 1.0 / (n_boot + 1) + 1e-12)
        return BreakUncertainties(lower, upper, p, bound)

    def _window_sd(self, lo: int, hi: int) -> float:
        return self.sigma

    def _observed_reduction(self, a: int, lo: int, tau: int, hi: int, b: int) -> float:
        """The statistic of the data, on the window [lo, hi) the null is simulated on."""
        return self.cost(lo, hi) - self.cost(lo, tau) - self.cost(tau, hi)

    def _bootstrap_p(
        self, a: int, tau: int, b: int, m: int, B: int, rng: np.random.Generator
    ) -> float:
        """Bootstrap p-value of a break: the largest mean-change cost reduction over splits
        of the merged window under i.i.d. normal noise (sd from the data) against the
        observed one. NaN without replications."""
        if B < 1:
            return math.nan
        lo, hi = max(a, tau - HALF_WINDOW), min(b, tau + HALF_WINDOW)
        L = hi - lo
        if L < 2 * m:
            return math.nan
        nn = self.obs[lo:hi].astype(float)
        sd = self._window_sd(lo, hi)
        e = rng.normal(0, sd, size=(B, L)) * nn
        cy = np.zeros((B, L + 1))
        np.cumsum(e, axis=1, out=cy[:, 1:])
        cq = np.zeros((B, L + 1))
        np.cumsum(e**2, axis=1, out=cq[:, 1:])
        cn = np.concatenate([[0.0], np.cumsum(nn)])
        taus = np.arange(m, L - m + 1)

        def sse(s: np.ndarray, q: np.ndarray, k: np.ndarray) -> np.ndarray:
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(k > 0, q - s * s / k, 0.0)

        full = sse(cy[:, [L]], cq[:, [L]], cn[[L]])
        left = sse(cy[:, taus], cq[:, taus], cn[taus])
        right = sse(cy[:, [L]] - cy[:, taus], cq[:, [L]] - cq[:, taus], cn[L] - cn[taus])
        red0 = ((full - left - right) / sd**2).max(axis=1)
        red_obs = self._observed_reduction(a, lo, tau, hi, b)
        return (1 + int(np.sum(red0 >= red_obs - 1e-9))) / (B + 1)


class NormalCost(_GaussianCost):
    """A change in mean with a constant noise sd: ``sigma`` given, or estimated from first
    differences (MAD), robust to the level shifts sought. ``sigma=1`` makes the cost the
    plain sum of squared deviations (ruptures' ``"l2"``).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.poisson(np.r_[np.full(60, 10.0), np.full(60, 30.0)]).astype(float)
    >>> observed = np.ones(120, dtype=bool)
    >>> from intensity.costs import NormalCost
    >>> cost = NormalCost(y, observed)
    >>> cost.run(3 * np.log(120), 5)[0]  # first day of each new segment
    [60]
    """

    name = "normal"
    code = _codes.NORMAL
    functional = True

    def _sigma(self, sigma: float | None) -> float:
        return super()._sigma(sigma) if sigma is not None else robust_sigma(self.y)

    @property
    def reported_sigma(self) -> float:
        return self.sigma

    def notes(self) -> list[str]:
        return [f"noise sd {self.sigma:.4g}"]

    def run(
        self, pen: float, min_size: int, functional: bool = True, forced: Sequence[int] = ()
    ) -> tuple[list[int], float, int]:
        """As :meth:`SegmentCost.run`, by the one-pass kernel over quadratic pieces
        (:func:`intensity._pelt.fpop_normal1`), which knows no minimum length: its
        segmentation is the answer for any ``min_size`` its segments all reach (the
        optimum over every segmentation is then the optimum over those with segments of
        ``min_size``: the same breaks, a tenth of the time at n = 1,600), and the
        general kernel's otherwise (or where a break follows a missing day)."""
        if forced or not functional:
            return super().run(pen, min_size, functional, forced)
        from .. import _pelt

        n = len(self.y)
        y = np.where(self.obs, self.y, 0.0)
        w = 1.0 / self.sigma**2
        F, last, alive = _pelt.fpop_normal1(y, self.obs, float(pen), w, 1024)
        if alive < 0:  # more pieces than the small buffers hold: buffers that always fit
            F, last, alive = _pelt.fpop_normal1(y, self.obs, float(pen), w, 0)
        found = self._backtrack(F, last, pen, n, int(alive))
        if int(min_size) > 1 and (
            np.diff([0, *found[0], n]).min() < int(min_size)
            # a break after a missing day could sit anywhere in that run at the same cost:
            # the general kernel's placement, so the breaks do not move with the route
            or any(not self.obs[c - 1] for c in found[0])
        ):
            return super().run(pen, min_size, functional, forced)
        return found


class NormalMeanVarCost(_GaussianCost):
    """A change in mean and variance (each segment its own variance).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.poisson(np.r_[np.full(60, 10.0), np.full(60, 30.0)]).astype(float)
    >>> observed = np.ones(120, dtype=bool)
    >>> from intensity.costs import NormalMeanVarCost
    >>> cost = NormalMeanVarCost(y, observed)
    >>> cost.run(3 * np.log(120), 5)[0]  # first day of each new segment
    [60]
    """

    name = "normal_meanvar"
    code = _codes.NORMAL_MEANVAR
    n_params = 2

    def _noise_sd(self, a: int, b: int, var: float) -> float:
        return math.sqrt(var)

    def _noise_sds(self, starts: np.ndarray, ends: np.ndarray, var: np.ndarray) -> np.ndarray:
        return np.sqrt(var)

    def _window_sd(self, lo: int, hi: int) -> float:
        nn = max(float(self.N[hi] - self.N[lo]), 1.0)
        mean = float(self.S[hi] - self.S[lo]) / nn
        return math.sqrt(max(float(self.Q[hi] - self.Q[lo]) / nn - mean**2, 1e-12))

    def _observed_reduction(self, a: int, lo: int, tau: int, hi: int, b: int) -> float:
        # the whole mean-and-variance reduction of the break (variance part included)
        # against the null of mean changes: the closest comparison available
        return self.cost(a, b) - self.cost(a, tau) - self.cost(tau, b)
