"""Count costs: Poisson and negative binomial (NB2), with the parametric bootstrap that
gives their break dates' intervals and p-values."""

from __future__ import annotations

import math

import numpy as np

from .. import _codes
from .. import _negbin as nb
from .._results import exp_or_inf
from .._validation import observed_bounds
from ..exceptions import InsufficientDataError, ParameterError
from .base import BreakContext, BreakUncertainty, SegmentCost, SegmentLevel, prefix

__all__ = ["PoissonCost", "NegBinCost", "CountCost"]

#: half-width (periods) of the window around a break that its bootstrap re-segments
HALF_WINDOW = 730

#: null draws as extreme as the observed break that stop the p-value's draws early
SEQUENTIAL_EXCEEDANCES = 10


class CountCost(SegmentCost):
    """What the count costs share: log-scale levels and ratios, fitted means for the
    dependence model, and the parametric bootstrap of a break.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.poisson(np.r_[np.full(60, 10.0), np.full(60, 30.0)]).astype(float)
    >>> observed = np.ones(120, dtype=bool)
    >>> from intensity.costs import CountCost, NegBinCost
    >>> cost = NegBinCost(y, observed)
    >>> isinstance(cost, CountCost), cost.counts
    (True, True)
    """

    counts = True
    functional = True
    #: the periods far beyond the periods around them (:func:`intensity._negbin.gross_days`)
    #: that were left out: of the NB size, or set aside altogether by the joint search
    gross: np.ndarray | None = None

    def exposure(self, a: int, b: int) -> float:
        """The exposure of ``[a, b)``: observed periods (NB) or the sum of the seasonal
        multipliers over them (Poisson)."""
        return float(self.N[b] - self.N[a])

    @property
    def size(self) -> float:
        return self.k

    def segment(self, a: int, b: int, z: float, inflate: float = 1.0) -> SegmentLevel:
        nn = self.N[b] - self.N[a]
        s = float(self.S[b] - self.S[a])
        if nn <= 0:
            return SegmentLevel(math.nan, math.nan, math.nan)
        exposure = self.exposure(a, b)
        mu = s / exposure
        if mu <= 0:
            # no count at all (an outlet's coverage ended, a category not yet reported):
            # Garwood's exact upper bound for zero events, -log(tail) events over the
            # exposure, with the exposure shrunk by the long-run variance factor; it was
            # NaN, and so was every ratio to the segment
            tail = 0.5 * math.erfc(z / math.sqrt(2.0))
            upper = -math.log(tail) * max(inflate, 1.0) / exposure
            return SegmentLevel(0.0, 0.0, upper, -math.inf, math.inf)
        se = nb.log_mean_se(s, nn, self.k, inflate)
        lg = math.log(mu)
        return SegmentLevel(mu, math.exp(lg - z * se), exp_or_inf(lg + z * se), lg, se)

    def ratio(self, prev: SegmentLevel, cur: SegmentLevel, z: float) -> tuple[float, float, float]:
        """*cur*'s level over *prev*'s with its interval (log scale). A segment without
        any count gives the ratio 0 (or infinity, before one with counts) and the bound
        of the two segments' own bounds (conservative: each is a *z* interval)."""
        if cur.level == 0.0 and prev.level > 0.0 and np.isfinite(prev.log):
            return 0.0, 0.0, cur.ci_upper / prev.ci_lower
        if prev.level == 0.0 and cur.level > 0.0 and np.isfinite(cur.log):
            return math.inf, cur.ci_lower / prev.ci_upper, math.inf
        if not (np.isfinite(prev.log) and np.isfinite(cur.log)):
            return math.nan, math.nan, math.nan
        d = cur.log - prev.log
        se = math.sqrt(prev.se**2 + cur.se**2)
        return exp_or_inf(d), exp_or_inf(d - z * se), exp_or_inf(d + z * se)

    def fitted_means(
        self, cps: list[int], leave: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Raw counts and the segmentation's fitted mean for every period (level × seasonal
        multiplier), as the dependence estimate needs them; each segment's level from its
        periods outside *leave* (a boolean mask: gross outliers), or from all of them
        where *leave* holds every one."""
        n = len(self.y)
        bounds = np.array([0, *cps, n], dtype=np.int64)
        a, b = bounds[:-1], bounds[1:]
        S, E = self.S, self._exposures
        lev = (S[b] - S[a]) / np.maximum(E[b] - E[a], 1e-12)
        if leave is not None and leave.any():
            S2 = prefix(np.where(leave, 0.0, np.diff(S)))
            E2 = prefix(np.where(leave, 0.0, np.diff(E)))
            e2 = E2[b] - E2[a]
            lev = np.where(e2 > 0, (S2[b] - S2[a]) / np.maximum(e2, 1e-12), lev)
        return self._raw(), np.repeat(lev, b - a) * self.mult

    @property
    def _exposures(self) -> np.ndarray:
        """Prefix sums of the periods' exposures (:meth:`exposure`)."""
        return self.N

    def _raw(self) -> np.ndarray:
        return self.y * self.mult

    def window_sums(
        self, y: np.ndarray, obs: np.ndarray, mult: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Prefix sums over a window of replicate rows: what the cost sums (counts, or
        deseasonalised counts) and the exposure."""
        rows, L = y.shape
        cy = np.zeros((rows, L + 1))
        np.cumsum(y * obs / mult, axis=1, out=cy[:, 1:])
        cn = np.zeros((1, L + 1))
        cn[0, 1:] = np.cumsum(obs.astype(float))
        return cy, cn

    def split_reductions(
        self, cy: np.ndarray, cn: np.ndarray, m: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """For window prefix sums (:meth:`window_sums`), the split positions in
        ``[m, L - m]`` (window-relative) and, for each row, the cost reduction of a split
        at each of them against no split (rows × positions)."""
        L = cy.shape[1] - 1
        taus = np.arange(m, L - m + 1)
        size = self.k  # inf for Poisson
        s_l, n_l = cy[:, taus], cn[:, taus]
        full = nb.profiled_cost(cy[:, [L]], cn[:, [L]], size)
        split = nb.profiled_cost(s_l, n_l, size) + nb.profiled_cost(
            cy[:, [L]] - s_l, cn[:, [L]] - n_l, size
        )
        return taus, full - split

    def _best_split(
        self, cy: np.ndarray, cn: np.ndarray, lo: int, m: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each row, the best single split in ``[lo + m, hi - m]`` and its cost
        reduction against no split."""
        from .._scan import best_splits

        if cy.shape[1] - 1 < 2 * m:  # callers check this first; the kernel would not
            raise ValueError(f"no split position in {cy.shape[1] - 1} periods at min_size {m}")
        pos, red = best_splits(np.ascontiguousarray(cy), np.ascontiguousarray(cn), m, self.k)
        return np.asarray(pos) + lo, np.asarray(red)

    def break_uncertainty(self, ctx: BreakContext) -> BreakUncertainty:
        """Parametric bootstrap under the fitted count model (with *dep*, counts from the
        latent AR(1) model, so dependence is not read as a break) in a window of
        ``HALF_WINDOW`` periods either side: the interval is the percentile interval of
        re-estimated dates, the p-value compares the observed cost reduction with the
        largest over split positions under the merged segment, from at most ``n_boot``
        null draws, stopped early once 10 are as extreme (a sequential p-value); when
        none is, the p-value is the bound ``1/(n_boot + 1)``."""
        from ..dependence import simulate_latent_counts

        a, tau, b, min_size, n_boot, dep = ctx.a, ctx.tau, ctx.b, ctx.min_size, ctx.n_boot, ctx.dep
        rng, level = ctx.rng, ctx.level
        if n_boot < 1:
            return BreakUncertainty(-1, -1, math.nan, False)
        # the window within the observed span of the segments either side, so that days
        # unobserved at an end of the series do not change the draws (how it was cut)
        if not self.obs[a:b].any():
            return BreakUncertainty(tau, tau, math.nan, False)
        first, end = observed_bounds(self.obs[a:b])
        lo = max(a + first, tau - HALF_WINDOW)
        hi = min(a + end, tau + HALF_WINDOW)
        obs = self.obs[lo:hi]
        mult = self.mult[lo:hi]
        L = hi - lo
        if L < 2 * min_size or obs.sum() < min_size:
            return BreakUncertainty(tau, tau, math.nan, False)
        mu1 = (self.S[tau] - self.S[lo]) / max(self.exposure(lo, tau), 1e-12)
        mu2 = (self.S[hi] - self.S[tau]) / max(self.exposure(tau, hi), 1e-12)
        mu0 = (self.S[hi] - self.S[lo]) / max(self.exposure(lo, hi), 1e-12)
        pos = np.arange(lo, hi)

        def draw(mean: np.ndarray, rows: int) -> np.ndarray:
            if dep is not None and not dep.independent:
                return simulate_latent_counts(mean, dep, rng, rows)
            return nb.draw(rng, mean, self.k, (rows, L))

        cy, cn = self.window_sums(draw(np.where(pos < tau, mu1, mu2) * mult, n_boot), obs, mult)
        taus, _ = self._best_split(cy, cn, lo, min_size)
        a2 = (1 - level) / 2
        lo_d, hi_d = np.quantile(taus, [a2, 1 - a2], method="inverted_cdf")
        red_obs = self.cost(lo, hi) - self.cost(lo, tau) - self.cost(tau, hi)
        # sequential Monte Carlo p-value (Besag & Clifford 1991): null draws in three
        # batches, stopped once SEQUENTIAL_EXCEEDANCES are as extreme (the p-value is
        # then plainly not small); a break none of the n_boot draws reaches has the
        # bound 1 / (n_boot + 1)
        exceed = draws = 0
        batches = np.diff(np.linspace(0, n_boot, 4).round().astype(int))
        for rows in batches[batches > 0]:
            cy0, cn0 = self.window_sums(draw(np.full(L, mu0) * mult, int(rows)), obs, mult)
            _, red0 = self._best_split(cy0, cn0, lo, min_size)
            exceed += int(np.sum(red0 >= red_obs - 1e-9))
            draws += int(rows)
            if exceed >= SEQUENTIAL_EXCEEDANCES:
                break
        p = (1 + exceed) / (draws + 1)
        return BreakUncertainty(int(lo_d), int(hi_d), float(p), exceed == 0)


class PoissonCost(CountCost):
    """Poisson counts; a seasonal adjustment enters as exposure (the rate of a segment is
    its counts over the sum of the seasonal multipliers), so the counts stay counts.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.poisson(np.r_[np.full(60, 10.0), np.full(60, 30.0)]).astype(float)
    >>> observed = np.ones(120, dtype=bool)
    >>> from intensity.costs import PoissonCost
    >>> cost = PoissonCost(y, observed)
    >>> cost.run(3 * np.log(120), 5)[0]  # first day of each new segment
    [60]
    """

    name = "poisson"
    code = _codes.POISSON

    def _cost_values(self, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        return raw, np.where(self.obs, self.mult, 0.0)

    def exposure(self, a: int, b: int) -> float:
        return float(self.W[b] - self.W[a])

    @property
    def _exposures(self) -> np.ndarray:
        return self.W

    def _raw(self) -> np.ndarray:
        return self.y

    def window_sums(
        self, y: np.ndarray, obs: np.ndarray, mult: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        rows, L = y.shape
        cy = np.zeros((rows, L + 1))
        np.cumsum(y * obs, axis=1, out=cy[:, 1:])
        cw = np.zeros((1, L + 1))
        cw[0, 1:] = np.cumsum(mult * obs)
        return cy, cw


class NegBinCost(CountCost):
    """Negative-binomial (NB2) counts with size ``k`` estimated once from neighbouring
    periods of the deseasonalised counts (:func:`intensity._negbin.estimate_size`), or
    given. Without overdispersion the cost is its Poisson limit.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.poisson(np.r_[np.full(60, 10.0), np.full(60, 30.0)]).astype(float)
    >>> observed = np.ones(120, dtype=bool)
    >>> from intensity.costs import NegBinCost
    >>> cost = NegBinCost(y, observed)
    >>> cost.run(3 * np.log(120), 5)[0]  # first day of each new segment
    [60]
    """

    name = "negbin"
    code = _codes.NEGBIN

    def _size(self, size: float | None) -> float:
        self.gross = np.zeros(len(self.y), dtype=bool)
        if size is None:
            k, self.gross = nb.size_and_gross(self.y)
        else:
            k = float(size)
        if not k > 0:
            raise ParameterError(f"size (NB size k) must be positive, got {size!r}")
        return k if math.isfinite(k) else nb.POISSON_SIZE

    def notes(self) -> list[str]:
        if self.k >= nb.POISSON_SIZE:
            return ["no overdispersion found: the NB cost is its Poisson limit"]
        return [
            f"NB size k = {self.k:.1f}, dispersion alpha = {1 / self.k:.4f} (estimated once "
            f"from neighbouring {self.unit}s)"
        ]

    def check_observed(self, min_size: int, size_given: bool) -> None:
        if size_given:
            return
        pairs = int(np.sum(self.obs[1:] & self.obs[:-1]))
        if pairs < 5:
            raise InsufficientDataError(
                f"the NB dispersion is estimated from neighbouring observed {self.unit}s, and "
                f"this series has {pairs} such pairs (at least 5 needed); pass size= or use "
                "model='poisson'"
            )
