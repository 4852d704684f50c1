"""The interface every segment cost implements, and what they share: prefix sums over the
observed periods and the calls into the compiled search kernels (:mod:`intensity._pelt`).

A cost is built from one series (values, the mask of observed periods and the seasonal
multipliers) and then answers every question the break search and its result need
without the caller naming the model: the cost of a segment, the optimal segmentation for
a penalty or with exactly m breaks, a segment's level with its interval, the ratio of
two levels, and the uncertainty of a break (date interval and p-value).
"""

from __future__ import annotations

import math
from abc import ABC
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..exceptions import InsufficientDataError, ParameterError

if TYPE_CHECKING:
    from ..dependence import DependenceModel

__all__ = [
    "SegmentCost",
    "SegmentLevel",
    "SegmentLevels",
    "BreakContext",
    "BreakUncertainty",
    "BreakUncertainties",
    "prefix",
]


def prefix(x: np.ndarray) -> np.ndarray:
    """Prefix sums with a leading 0: ``out[b] - out[a]`` is the sum over ``[a, b)``.

    Examples
    --------
    >>> import numpy as np
    >>> from intensity.costs.base import prefix
    >>> s = prefix(np.array([1.0, 2.0, 3.0]))
    >>> s.tolist(), float(s[3] - s[1])  # the sum over [1, 3)
    ([0.0, 1.0, 3.0, 6.0], 5.0)
    """
    out = np.zeros(len(x) + 1)
    np.cumsum(x, out=out[1:])
    return out


@dataclass(frozen=True)
class SegmentLevel:
    """A segment's level with its interval; ``log``/``se`` on the log scale (count models)
    or ``se`` on the level scale (Gaussian models); ``var`` the segment's own variance.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.poisson(np.r_[np.full(60, 10.0), np.full(60, 30.0)]).astype(float)
    >>> observed = np.ones(120, dtype=bool)
    >>> from intensity.costs import PoissonCost
    >>> level = PoissonCost(y, observed).segment(0, 60, 1.96)  # days 0-59, 95% interval
    >>> type(level).__name__, round(level.level, 1), level.ci_lower < level.level < level.ci_upper
    ('SegmentLevel', 10.7, True)
    """

    level: float
    ci_lower: float
    ci_upper: float
    log: float = math.nan
    se: float = math.nan
    var: float = math.nan


@dataclass(frozen=True)
class SegmentLevels:
    """The levels of consecutive segments as arrays (one entry per segment), the form the
    result tables are built from; ``levels[i]`` gives segment *i* as a
    :class:`SegmentLevel`.

    Examples
    --------
    >>> import numpy as np
    >>> from intensity.costs import PoissonCost
    >>> y = np.random.default_rng(0).poisson(np.r_[np.full(60, 10.0), np.full(60, 30.0)])
    >>> cost = PoissonCost(y.astype(float), np.ones(120, dtype=bool))
    >>> levels = cost.segment_levels(np.array([0, 60]), np.array([60, 120]), 1.96, 1.0)
    >>> levels.level.round(1).tolist(), type(levels[0]).__name__
    ([10.7, 31.4], 'SegmentLevel')
    """

    level: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    log: np.ndarray
    se: np.ndarray
    var: np.ndarray

    @classmethod
    def from_rows(cls, rows: Sequence[SegmentLevel]) -> SegmentLevels:
        def col(name: str) -> np.ndarray:
            return np.array([getattr(r, name) for r in rows], dtype=float)

        return cls(*(col(f) for f in ("level", "ci_lower", "ci_upper", "log", "se", "var")))

    def __len__(self) -> int:
        return len(self.level)

    def __getitem__(self, i: int) -> SegmentLevel:
        return SegmentLevel(
            float(self.level[i]),
            float(self.ci_lower[i]),
            float(self.ci_upper[i]),
            float(self.log[i]),
            float(self.se[i]),
            float(self.var[i]),
        )


@dataclass(frozen=True)
class BreakUncertainties:
    """Date intervals (positions; -1 = not available) and p-values of every break.

    Examples
    --------
    >>> import numpy as np
    >>> from intensity.costs.base import BreakUncertainties
    >>> u = BreakUncertainties(lower=np.array([55]), upper=np.array([64]),
    ...                        p_value=np.array([0.01]), p_bound=np.array([True]))
    >>> int(u.upper[0] - u.lower[0]), bool(u.p_bound[0])  # a 10-day interval, p < 0.01
    (9, True)
    """

    lower: np.ndarray
    upper: np.ndarray
    p_value: np.ndarray
    p_bound: np.ndarray


@dataclass(frozen=True)
class BreakContext:
    """One break as its uncertainty is computed: at *tau* between segments ``[a, tau)``
    and ``[tau, b)`` with their levels, the minimum segment length, the interval level,
    bootstrap replications, the generator and the dependence model (or ``None``).

    Examples
    --------
    >>> import dataclasses
    >>> from intensity.costs import BreakContext
    >>> [f.name for f in dataclasses.fields(BreakContext)][:4]
    ['a', 'tau', 'b', 'min_size']
    """

    a: int
    tau: int
    b: int
    min_size: int
    level: float
    n_boot: int
    rng: np.random.Generator
    before: SegmentLevel
    after: SegmentLevel
    dep: DependenceModel | None = None


@dataclass(frozen=True)
class BreakUncertainty:
    """Date interval (positions; -1 = not available) and p-value of one break.

    Examples
    --------
    >>> from intensity import detect_breaks, simulate_counts
    >>> res = detect_breaks(simulate_counts(400, seed=1, breaks=[(200, 1.5)]).counts, n_boot=99)
    >>> res.breaks[["ci_lower", "ci_upper", "p_value"]].shape  # the break's uncertainty
    (1, 3)
    """

    lower: int
    upper: int
    p_value: float
    p_bound: bool


class SegmentCost(ABC):
    """Base class of the segment costs (twice the negative log-likelihood, parameters
    profiled out). Subclasses set the class attributes and implement the abstract methods.

    Attributes
    ----------
    y : np.ndarray
        The values the cost sees (deseasonalised where the cost divides by the seasonal
        multipliers), NaN on missing periods.
    obs, mult : np.ndarray
        Observed periods and seasonal multipliers (1 without adjustment).
    N, S, Q, W : np.ndarray
        Prefix sums of observed periods, values, squared values and exposure.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.poisson(np.r_[np.full(60, 10.0), np.full(60, 30.0)]).astype(float)
    >>> observed = np.ones(120, dtype=bool)
    >>> from intensity.costs import NormalCost, SegmentCost
    >>> cost = NormalCost(y, observed)
    >>> isinstance(cost, SegmentCost), cost.name
    (True, 'normal')
    >>> bool(cost.costs(np.array([0]), np.array([120]))[0] > cost.costs(
    ...     np.array([0, 60]), np.array([60, 120])).sum())  # two segments fit better
    True
    """

    #: the model's name, as ``detect_breaks(model=...)`` takes it
    name: ClassVar[str]
    #: integer code of the compiled kernels (:mod:`intensity._codes`)
    code: ClassVar[int]
    #: parameters a break adds (for the penalties)
    n_params: ClassVar[int] = 1
    #: whole non-negative counts only
    counts: ClassVar[bool] = False
    #: the functional-pruning kernel applies (one-parameter costs)
    functional: ClassVar[bool] = False
    #: segment neighbourhood (exactly m breaks) applies
    exact_m: ClassVar[bool] = True
    #: the values were deseasonalised by a seasonal fit (set by the caller)
    adjusted: bool = False

    def __init__(
        self,
        values: np.ndarray,
        obs: np.ndarray,
        mult: np.ndarray | None = None,
        *,
        size: float | None = None,
        sigma: float | None = None,
        unit: str = "day",
    ) -> None:
        n = len(values)
        self.obs = np.asarray(obs, dtype=bool)
        self.mult = np.ones(n) if mult is None else np.asarray(mult, dtype=float)
        self.unit = unit
        raw = np.where(self.obs, values, 0.0)
        if self.counts and np.any(np.abs(raw - np.round(raw)) > 1e-9):
            raise ParameterError(
                f"model={self.name!r} needs whole-number counts; use model='normal' for other data"
            )
        cost_y, weights = self._cost_values(raw)
        o = self.obs.astype(float)
        self.y = np.where(self.obs, cost_y, np.nan)
        self.N = prefix(o)
        self.S = prefix(cost_y)  # _cost_values gives 0 on missing periods
        self.Q = prefix(cost_y * cost_y)
        self.W = self.N if weights is None else prefix(weights)
        self.k = self._size(size)
        self.sigma = self._sigma(sigma)
        m = self.N[-1]
        spread = float(self.Q[-1] / m - (self.S[-1] / m) ** 2) if m > 1 else 1.0
        if spread <= 0.0 and m > 1:  # cancellation on a large, nearly constant series
            spread = float(np.nanvar(self.y))
        self.var_floor = max(spread * 1e-6 if np.isfinite(spread) else 1e-6, 1e-12)

    # ------------------------------------------------------------------ set-up hooks
    def _cost_values(self, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """The values the cost sees (0 on missing periods) and the exposure weights
        (default: deseasonalised by division, weight 1 per observed period; ``None`` says
        so without a copy)."""
        return np.where(self.obs, raw / self.mult, 0.0), None

    def _size(self, size: float | None) -> float:
        return math.inf

    def _sigma(self, sigma: float | None) -> float:
        if sigma is None:
            return 1.0
        try:
            s = float(sigma)
        except (TypeError, ValueError):
            s = math.nan
        if not (s > 0 and math.isfinite(s)) or isinstance(sigma, bool):
            raise ParameterError(f"sigma must be a finite number > 0, got {sigma!r}")
        return s

    # ------------------------------------------------------------------ reported parameters
    @property
    def size(self) -> float | None:
        """NB size ``k`` of the cost (``None`` when the model has none)."""
        return None

    @property
    def reported_sigma(self) -> float | None:
        """The noise sd the cost assumes, where it is one number."""
        return None

    def notes(self) -> list[str]:
        """Lines for the result's text form about the cost's parameters."""
        return []

    # ------------------------------------------------------------------ search
    def _sums(self) -> tuple[Any, ...]:
        return (self.N, self.S, self.Q, self.W, float(self.k), 1.0 / self.sigma**2, self.var_floor)

    def cost(self, a: int, b: int) -> float:
        """The cost of segment ``[a, b)``."""
        from .. import _pelt

        return float(_pelt.seg_cost(self.code, a, b, *self._sums()))

    def costs(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The costs of the segments ``[a[i], b[i])``, in one compiled call."""
        from .. import _pelt

        a_ = np.asarray(a, dtype=np.int64)
        b_ = np.asarray(b, dtype=np.int64)
        return np.asarray(_pelt.seg_costs(self.code, a_, b_, *self._sums()))

    def run(
        self, pen: float, min_size: int, functional: bool = True, forced: Sequence[int] = ()
    ) -> tuple[list[int], float, int]:
        """The optimal segmentation for penalty *pen*: breaks, total unpenalised cost and
        the most candidates the search kept. Functional pruning where the cost allows it
        (``functional=False``: PELT's inequality pruning only, the reference). *forced*
        positions are breaks whatever the data: the search runs between them (segment
        costs are differences of prefix sums, so each piece is searched on its slice)."""
        n = len(self.y)
        bounds = [0, *sorted(int(f) for f in forced), n]
        cps: list[int] = []
        total, alive = 0.0, 0
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            found, cost, kept = self._run_piece(a, b, float(pen), int(min_size), functional)
            cps += ([a] if a > 0 else []) + found
            total += cost
            alive = max(alive, kept)
        return cps, total, alive

    def _run_piece(
        self, a: int, b: int, pen: float, min_size: int, functional: bool
    ) -> tuple[list[int], float, int]:
        """The optimal segmentation of periods ``[a, b)``: breaks (positions in the whole
        series), unpenalised cost and the most candidates kept."""
        from .. import _pelt

        n = b - a
        sums = self._sums()
        if a > 0 or b < len(self.y):
            sums = (*(arr[a : b + 1] for arr in sums[:4]), *sums[4:])
        args = (self.code, n, min_size, pen, *sums)
        use_fpop = functional and self.functional
        F, last, alive = _pelt.fpop(*args) if use_fpop else _pelt.pelt(*args)
        if not np.isfinite(F[n]):
            raise InsufficientDataError(
                f"no segmentation with min_size={min_size} fits {n} {self.unit}s"
            )
        cps, cost, kept = self._backtrack(F, last, pen, n, int(alive))
        return [c + a for c in cps], cost, kept

    @staticmethod
    def _backtrack(
        F: np.ndarray, last: np.ndarray, pen: float, n: int, alive: int
    ) -> tuple[list[int], float, int]:
        """Breaks from the kernels' last-change array, the unpenalised cost and *alive*."""
        cps = []
        t = n
        while t > 0:
            s = int(last[t])
            if s > 0:
                cps.append(s)
            t = s
        cps.sort()
        # F[n] = sum of segment costs + pen * (number of breaks), because F[0] = -pen
        return cps, float(F[n]) - pen * len(cps), alive

    def run_exact(self, n_breaks: int, min_size: int) -> tuple[list[int], float]:
        """The optimal segmentation with exactly *n_breaks* breaks and its cost."""
        from .. import _pelt

        n = len(self.y)
        if not self.exact_m:
            raise ParameterError(f"n_breaks is not available for model={self.name!r}")
        if n < (n_breaks + 1) * min_size:
            raise InsufficientDataError(
                f"{n_breaks} breaks need {n_breaks + 1} segments of min_size={min_size}, "
                f"got {n} {self.unit}s"
            )
        cps, cost = _pelt.segneigh(self.code, n, int(n_breaks), int(min_size), *self._sums())
        if not np.isfinite(cost):
            raise InsufficientDataError(
                f"no segmentation with {n_breaks} breaks and min_size={min_size} fits "
                f"{n} {self.unit}s"
            )
        return [int(c) for c in cps], float(cost)

    # ------------------------------------------------------------------ results
    def segment(self, a: int, b: int, z: float, inflate: float = 1.0) -> SegmentLevel:
        """Level of segment ``[a, b)`` with its interval (normal quantile *z*);
        *inflate* is the long-run variance factor of serially dependent data."""
        raise NotImplementedError(f"model={self.name!r} reports no segment levels")

    def ratio(self, prev: SegmentLevel, cur: SegmentLevel, z: float) -> tuple[float, float, float]:
        """Ratio of the level of *cur* to *prev*, with its interval (NaN where none)."""
        raise NotImplementedError(f"model={self.name!r} reports no level ratios")

    def break_uncertainty(self, ctx: BreakContext) -> BreakUncertainty:
        """Date interval and p-value of the break *ctx*."""
        raise NotImplementedError(f"model={self.name!r} has its own break intervals")

    # ------------------------------------------------------ all segments / breaks at once
    # The result of a segmentation asks for every segment and every break; these loop over
    # the one-at-a-time methods above. A cost implements either the one-at-a-time method
    # or overrides the batch one where arrays are faster (the Gaussian costs implement
    # only break_uncertainties: no Python work per break when there are hundreds).
    def segment_levels(
        self, starts: np.ndarray, ends: np.ndarray, z: float, inflate: float = 1.0
    ) -> SegmentLevels:
        """:meth:`segment` of every ``[starts[i], ends[i])``."""
        return SegmentLevels.from_rows(
            [self.segment(int(a), int(b), z, inflate) for a, b in zip(starts, ends, strict=True)]
        )

    def ratios(self, levels: SegmentLevels, z: float) -> np.ndarray:
        """:meth:`ratio` of each segment to the one before: an array (segments, 3) of
        ratio, lower and upper bound, NaN in the first row."""
        out = np.full((len(levels), 3), np.nan)
        for i in range(1, len(levels)):
            out[i] = self.ratio(levels[i - 1], levels[i], z)
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
        """:meth:`break_uncertainty` of every break of the segmentation with segment
        boundaries *bounds* (0, the breaks, n)."""
        k = len(bounds) - 2
        lower = np.full(k, -1, dtype=np.int64)
        upper = lower.copy()
        p = np.full(k, np.nan)
        bound = np.zeros(k, dtype=bool)
        for j in range(k):
            a, tau, b = int(bounds[j]), int(bounds[j + 1]), int(bounds[j + 2])
            u = self.break_uncertainty(
                BreakContext(a, tau, b, min_size, level, n_boot, rng, levels[j], levels[j + 1], dep)
            )
            lower[j], upper[j], p[j], bound[j] = u.lower, u.upper, u.p_value, u.p_bound
        return BreakUncertainties(lower, upper, p, bound)

    def check_observed(self, min_size: int, size_given: bool) -> None:  # noqa: B027
        """Refuse a series too sparse for this cost (beyond the common rule); the default
        asks nothing more."""
