"""Trend breaks: exact optimal segmentation of count (or other) series, with uncertainty on
the dates.

Conventions, stated once and used everywhere:

* A **break date is the first period of the new regime**. Internally a break is the
  0-based position of that period. Other tools differ: strucchange reports the last
  observation of the old regime (1-based, so the *same integer*), ruptures the exclusive
  end of the old segment (again the same integer), TCPD annotations the 0-based first
  index of the new regime. :func:`from_strucchange`, :func:`to_ruptures` and
  :func:`from_ruptures` convert.
* Costs are twice the negative log-likelihood; segment parameters are profiled out. Each
  model is one class in :mod:`intensity.costs`; this module never tests a model's name
  beyond choosing the class. Missing periods contribute nothing; a break is always placed
  on an observed period.
* ``min_size`` counts periods of the series' frequency (days for daily counts; weekly,
  monthly, quarterly and yearly series are segmented the same way, see
  :func:`~intensity._validation.as_regular_series`).
* NB overdispersion is named as everywhere in the package (:mod:`intensity._negbin`):
  ``size`` is ``k`` (variance ``mu + mu**2/k``), ``dispersion`` is ``alpha = 1/k``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np
import pandas as pd
from scipy.special import ndtri

from . import _negbin
from ._results import ResultMixin
from ._typing import BreakModel, PenaltyName
from ._validation import (
    RegularSeries,
    as_regular_series,
    check_choice,
    check_fraction,
    check_whole,
    require_nonzero,
)
from .costs import (
    COSTS,
    CountCost,
    LinearTrendCost,
    SegmentCost,
    bai_interval,
)
from .dependence import DependenceModel, estimate_dependence, estimate_drift
from .exceptions import InsufficientDataError, ParameterError

if TYPE_CHECKING:
    from .multi.joint import CommonBreaks

__all__ = [
    "detect_breaks",
    "Breaks",
    "penalty_path",
    "PenaltyPath",
    "estimate_dispersion",
    "estimate_size",
    "to_ruptures",
    "from_ruptures",
    "from_strucchange",
    "bai_interval",
]

#: columns of Breaks.breaks (after the index, the break date)
_BREAK_COLUMNS = [
    "ci_lower",
    "ci_upper",
    "level_before",
    "level_after",
    "ratio",
    "ratio_ci_lower",
    "ratio_ci_upper",
    "cost_reduction",
    "p_value",
]
estimate_size = _negbin.estimate_size


# =========================================================================== conventions
def to_ruptures(breaks: Sequence[int], n: int) -> list[int]:
    """Break positions (first index of each new regime) → ruptures' list of exclusive
    segment ends, which always ends with ``n``."""
    return [int(b) for b in breaks] + [int(n)]


def from_ruptures(bkps: Sequence[int]) -> list[int]:
    """ruptures' exclusive ends (last element ``n``) → break positions."""
    return [int(b) for b in list(bkps)[:-1]]


def from_strucchange(bp: Sequence[int]) -> list[int]:
    """strucchange's breakpoints (1-based index of the last observation of the old regime)
    → 0-based position of the first observation of the new regime (the same integer)."""
    return [int(b) for b in bp]


# =========================================================================== helpers
def estimate_dispersion(y: np.ndarray) -> float:
    """NB2 dispersion ``alpha = 1/k`` (variance ``mu + alpha mu**2``) from neighbouring
    periods, as :func:`estimate_size` estimates ``k``; 0 when the counts are not
    overdispersed.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.negative_binomial(20, 20 / (20 + 500.0), size=5000).astype(float)
    >>> 0.04 < estimate_dispersion(y) < 0.06
    True
    """
    return _negbin.dispersion_from_size(_negbin.estimate_size(np.asarray(y, dtype=float)))


def _prepare(
    series: pd.Series,
    model: str,
    seasonal: Any,
    size: float | None,
    sigma: float | None,
) -> tuple[RegularSeries, SegmentCost]:
    """Validate *series* and build the cost of *model* on it (deseasonalised by
    *seasonal*, a SeasonalFit of the same series)."""
    cls = COSTS[model]
    ds = as_regular_series(series, counts=cls.counts, min_observed=2)
    if cls.counts:
        require_nonzero(ds, what=f"detect_breaks(model={model!r})")
    mult = None
    if seasonal is not None:
        from .seasonal import SeasonalFit

        if not isinstance(seasonal, SeasonalFit):
            got = type(seasonal).__name__
            raise ParameterError(
                f"seasonal must be None or a SeasonalFit from fit_seasonal(), got {got}"
            )
        if not seasonal.fitted.index.equals(ds.series.index):
            raise ParameterError(
                "seasonal was fitted on a different index: fit it on the same series "
                f"({ds.series.index[0]:%Y-%m-%d} … {ds.series.index[-1]:%Y-%m-%d})"
            )
        m = (seasonal.fitted / seasonal.trend).to_numpy(dtype=float)
        mult = m / np.exp(np.mean(np.log(m)))
    cost = cls(ds.values, ds.observed, mult, size=size, sigma=sigma, unit=ds.unit)
    return ds, cost


def _nb_size(size: float | None, dispersion: float | None) -> float | None:
    """The NB size from the ``size=`` or ``dispersion=`` argument (at most one)."""
    if size is not None and dispersion is not None:
        raise ParameterError("give size= (k) or dispersion= (alpha = 1/k), not both")
    if dispersion is not None:
        try:
            a = float(dispersion)
        except (TypeError, ValueError):
            raise ParameterError(f"dispersion must be a number >= 0, got {dispersion!r}") from None
        if not (a >= 0 and math.isfinite(a)):
            raise ParameterError(f"dispersion (NB alpha) must be >= 0, got {dispersion!r}")
        return _negbin.size_from_dispersion(a)
    if size is not None:
        try:
            k = float(size)
        except (TypeError, ValueError):
            raise ParameterError(f"size must be a positive number, got {size!r}") from None
        if not k > 0:
            raise ParameterError(f"size (NB size k) must be positive, got {size!r}")
        return k
    return None


def _auto_model(v: np.ndarray) -> BreakModel:
    """'negbin' for whole non-negative numbers, else 'normal'."""
    counts = bool((v >= 0).all() and np.all(np.abs(v - np.round(v)) <= 1e-9))
    return "negbin" if counts else "normal"


def _penalty(penalty: PenaltyName | float, cls: type[SegmentCost], n: int) -> float:
    return penalty_value(penalty, cls.n_params, n)


def penalty_value(penalty: PenaltyName | float, p: float, n: int) -> float:
    """The penalty per break for *p* parameters a break adds and *n* observed periods:
    ``'mbic'`` ``(p + 2) log n``, ``'bic'`` ``(p + 1) log n``, ``'aic'`` ``2 (p + 1)``, or the
    number given (checked). *p* may be fractional (the effective parameters of correlated
    series, :mod:`intensity.multi.joint`)."""
    if isinstance(penalty, str):
        check_choice("penalty", penalty, ("mbic", "bic", "aic"))
        if penalty == "mbic":
            return (p + 2) * math.log(n)
        if penalty == "bic":
            return (p + 1) * math.log(n)
        return 2.0 * (p + 1)
    try:
        v = float(penalty)
    except (TypeError, ValueError):
        raise ParameterError(
            f"penalty must be 'mbic', 'bic', 'aic' or a number >= 0, got {penalty!r}"
        ) from None
    if not v >= 0 or not np.isfinite(v):
        raise ParameterError(f"penalty must be a finite number >= 0, got {penalty!r}")
    return v


def first_possible(obs: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """For breaks at *tau* (each on an observed period), the earliest period the new regime
    can have started: the one after the last observed period before it. Missing periods
    before a break carry no information about where in the gap it fell, so a date
    interval must reach back over them (with 68 observed days in 1,020 a break's interval
    would otherwise be a few days inside a gap of weeks)."""
    tau = np.asarray(tau, dtype=np.int64)
    if not len(tau):
        return tau
    last = np.maximum.accumulate(np.where(obs, np.arange(len(obs)), -1))
    return last[np.clip(tau - 1, 0, None)] + 1


def _snap_to_observed(cps: list[int], obs: np.ndarray) -> list[int]:
    """Move a break that falls on a missing day to the first observed day after it (the
    cost is the same: missing days contribute nothing)."""
    out = []
    for c in cps:
        j = c
        while j < len(obs) and not obs[j]:
            j += 1
        out.append(j if j < len(obs) else c)
    return out


# =========================================================================== result
@dataclass(frozen=True, repr=False)  # the readable repr of ResultMixin
class Breaks(ResultMixin):
    """Result of :func:`detect_breaks`.

    Attributes
    ----------
    series : pd.Series
        The input on its full daily index.
    breaks : pd.DataFrame
        One row per break (index = break date, the first day of the new regime): interval
        dates, levels before/after, ratio and its CI, cost reduction, p-value.
    segments : pd.DataFrame
        One row per segment: start, end, periods, calendar days, observed periods, level
        with CI, ratio to the previous segment with CI.
    level : pd.Series
        The segment level on every day (deseasonalised rate for count models).
    dependence : DependenceModel or None
        The serial-dependence model the penalty, intervals and p-values account for
        (``None``: days taken as independent). With ``dependence.drift > 0`` the noise
        is a local level (random walk) + AR(1) of the log-rate.
    drift : pd.DataFrame or None
        With a drift model: the gradual drift around the segment levels on every day,
        ``path`` (the Kalman-smoothed local level times the segment level, in the
        series' units) with its pointwise band ``lower``/``upper`` at level ``ci``;
        ``None`` when the AR(1) alone fits.
    dropped : tuple of pd.Timestamp
        Break dates the search proposed that the drift model explains (bootstrap
        p-value at least ``alpha``), dropped least significant first.
    alpha : float or None
        The level of that test (``None``: no test, as without ``dependence='local'``).
    unit : str
        The period of the index ('day', 'week', 'month', 'quarter' or 'year'); ``min_size``
        and positions count these.
    """

    series: pd.Series
    _breaks: pd.DataFrame | Callable[[], pd.DataFrame] = field(repr=False, compare=False)
    _segments: pd.DataFrame | Callable[[], pd.DataFrame] = field(repr=False, compare=False)
    _level: pd.Series | Callable[[], pd.Series] = field(repr=False, compare=False)
    model: str
    penalty: float
    penalty_name: str
    min_size: int
    size: float | None
    sigma: float | None
    ci: float
    cost: float
    seasonal_adjusted: bool
    positions: tuple[int, ...] = field(default_factory=tuple)
    dependence: DependenceModel | None = None
    unit: str = "day"
    cost_notes: tuple[str, ...] = ()
    counts: bool = True
    _drift: pd.DataFrame | Callable[[], pd.DataFrame] | None = field(
        default=None, repr=False, compare=False
    )
    dropped: tuple[pd.Timestamp, ...] = ()
    alpha: float | None = None

    # The two tables are built on first use: a segmentation asked only for its dates (as
    # in a penalty path or a benchmark) does not pay for pandas' DataFrame construction,
    # about half of a Gaussian call at n = 1,600.
    @cached_property
    def breaks(self) -> pd.DataFrame:  # noqa: D102 - documented in the class
        return self._breaks if isinstance(self._breaks, pd.DataFrame) else self._breaks()

    @cached_property
    def segments(self) -> pd.DataFrame:  # noqa: D102 - documented in the class
        return self._segments if isinstance(self._segments, pd.DataFrame) else self._segments()

    @cached_property
    def level(self) -> pd.Series:  # noqa: D102 - documented in the class
        return self._level if isinstance(self._level, pd.Series) else self._level()

    @cached_property
    def drift(self) -> pd.DataFrame | None:  # noqa: D102 - documented in the class
        if self._drift is None or isinstance(self._drift, pd.DataFrame):
            return self._drift
        return self._drift()

    @property
    def dispersion(self) -> float | None:
        """NB2 ``alpha = 1/size`` of the negative-binomial cost (0: Poisson limit; ``None``
        for the other models), as :attr:`SeasonalFit.dispersion`."""
        return None if self.size is None else _negbin.dispersion_from_size(self.size)

    @property
    def dates(self) -> pd.DatetimeIndex:
        pos = np.asarray(self.positions, dtype=np.int64)
        return pd.DatetimeIndex(self.series.index.values[pos], name="date")

    def summary(self) -> pd.DataFrame:
        # built from the arrays the breaks table is made of (pandas' strftime on three
        # columns took 2.6 ms, most of a Gaussian call at n = 1,600)
        raw = self._breaks
        if isinstance(raw, partial) and raw.func is _breaks_frame and len(raw.args[1]):
            columns, dates = raw.args
        else:
            b = self.breaks
            columns = {c: b[c].to_numpy() for c in b.columns}
            dates = b.index.values
        cols = [*_BREAK_COLUMNS, "p_bound"] if "p_bound" in columns else _BREAK_COLUMNS
        data = {c: columns[c] for c in cols}
        for c in ("ci_lower", "ci_upper"):
            data[c] = _day_strings(data[c])
        index = pd.Index(_day_strings(dates), name=f"break (first {self.unit} of new regime)")
        return pd.DataFrame(data, index=index)

    def _title(self) -> str:
        s = self.series
        return (
            f"{len(self.breaks)} break(s) in {s.name or 'series'} "
            f"({s.index[0]:%Y-%m-%d} … {s.index[-1]:%Y-%m-%d}; model {self.model})"
        )

    def _notes(self) -> list[str]:
        chosen = (
            f"exactly {self.penalty_name.split('=')[1]} breaks (segment neighbourhood)"
            if self.penalty_name.startswith("n_breaks=")
            else f"penalty {self.penalty_name} = {self.penalty:.2f}"
        )
        notes = [f"{chosen}; min_size {self.min_size} {self.unit}s; {self.ci:.0%} intervals"]
        notes += self.cost_notes
        if self.seasonal_adjusted:
            notes.append("breaks in the deseasonalised rate (weekday and annual effects removed)")
        if self.dependence is not None and self.dependence.long_range:
            chosen = " (chosen over an AR(1) alone by fit)" if self.dependence.drift > 0 else ""
            notes.append(
                self.dependence.describe()
                + f"{chosen}; breaks tested against it (bootstrap with this noise): "
                f"{len(self.dropped)} proposed break(s) with p >= {self.alpha:g} read as "
                "noise or drift and dropped"
            )
        elif self.dependence is not None:
            notes.append(
                self.dependence.describe()
                + "; the penalty is multiplied by it, level intervals widened by its square "
                "root, the bootstrap simulates dependent counts"
            )
        elif self.counts:
            notes.append(f"{self.unit}s taken as independent (dependence='none')")
        if "p_bound" in self.breaks and self.breaks["p_bound"].astype(bool).any():
            notes.append("p_bound: the p-value is an upper bound (no bootstrap draw as extreme)")
        return notes

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        from .plotting import plot_breaks

        return plot_breaks(self, ax=ax, **kw)


@overload
def detect_breaks(
    series: pd.Series,
    model: BreakModel | Literal["auto"] = ...,
    penalty: PenaltyName | float = ...,
    min_size: int = ...,
    max_breaks: int | None = ...,
    seasonal: Any = ...,
    ci: float = ...,
    *,
    size: float | None = ...,
    dispersion: float | None = ...,
    sigma: float | None = ...,
    n_boot: int = ...,
    seed: int = ...,
    dependence: Literal["auto", "ar1", "none"] | DependenceModel = ...,
    n_breaks: int | None = ...,
    min_share: float = ...,
) -> Breaks: ...


@overload
def detect_breaks(
    series: pd.DataFrame,
    model: BreakModel | Literal["auto"] = ...,
    penalty: PenaltyName | float = ...,
    min_size: int = ...,
    max_breaks: int | None = ...,
    seasonal: Any = ...,
    ci: float = ...,
    *,
    size: float | None = ...,
    dispersion: float | None = ...,
    sigma: float | None = ...,
    n_boot: int = ...,
    seed: int = ...,
    dependence: Literal["auto", "ar1", "none"] | DependenceModel = ...,
    n_breaks: int | None = ...,
    min_share: float = ...,
) -> CommonBreaks: ...


def detect_breaks(
    series: pd.Series | pd.DataFrame,
    model: BreakModel | Literal["auto"] = "auto",
    penalty: PenaltyName | float = "mbic",
    min_size: int = 14,
    max_breaks: int | None = None,
    seasonal: Any = None,
    ci: float = 0.95,
    *,
    size: float | None = None,
    dispersion: float | None = None,
    sigma: float | None = None,
    n_boot: int = 299,
    seed: int = 0,
    dependence: Literal["auto", "ar1", "local", "none"] | DependenceModel = "auto",
    n_breaks: int | None = None,
    min_share: float = 0.5,
    alpha: float = 0.05,
) -> Breaks | CommonBreaks:
    """Find level (or trend) breaks by exact optimal segmentation.

    PELT (Killick, Fearnhead & Eckley 2012) with functional pruning minimises the total
    segment cost plus ``penalty`` per break, exactly.

    Parameters
    ----------
    series
        Daily values (``DatetimeIndex``), or weekly, monthly, quarterly or yearly ones (the
        index's ``freq`` or the coarsest calendar grid holding every date). Missing periods
        are allowed. A **DataFrame** of daily counts (one column per metric) gives the
        breaks common to its columns with the metrics each moved
        (:func:`intensity.multi.detect_common_breaks`, a
        :class:`~intensity.multi.CommonBreaks`; ``seasonal`` is then a mapping of column
        to SeasonalFit, and ``max_breaks``, ``n_breaks``, ``sigma`` and ``dispersion`` do
        not apply).
    model
        ``'negbin'`` (counts with overdispersion; NB size estimated once from neighbouring
        periods, see :func:`estimate_size`), ``'poisson'``, ``'normal'`` (mean change,
        noise sd from differences or ``sigma``), ``'normal_meanvar'`` (mean and variance),
        ``'linear_trend'`` (a *continuous* piecewise-linear trend of log1p counts: each
        break is a knot where the slope changes; exact, in quadratic time — about 9 s for
        1,600 days; break dates are the knots, intervals from the profile likelihood).
        ``'auto'`` (default): ``'negbin'`` for whole non-negative numbers, else ``'normal'``.
    penalty
        ``'mbic'`` (default, ``(p + 2) log n`` with p parameters per segment), ``'bic'``
        (``(p + 1) log n``), ``'aic'``, or a number.
    min_size
        Shortest segment in periods (days for daily data, years for yearly data).
    max_breaks
        At most this many breaks: the penalty is raised until the optimum has no more.
        The result is the segmentation with the most breaks (at most ``max_breaks``) that
        is optimal for some penalty; a number of breaks that is optimal for no penalty
        (off the path of :func:`penalty_path`) is skipped.
    seasonal
        A :class:`~intensity.seasonal.SeasonalFit` of the same series: breaks are then
        sought in the deseasonalised rate, so a weekday rhythm or the annual cycle is not
        mistaken for a break.
    ci
        Level of the date and level intervals. Dates: parametric bootstrap under the
        fitted count model (count models) or Bai's (1997) asymptotic interval as in R's
        ``strucchange::confint`` (Gaussian models).
    size, dispersion, sigma
        Fix the NB overdispersion (``size`` k, or ``dispersion`` alpha = 1/k as
        :attr:`SeasonalFit.dispersion` reports it; not both) or the Gaussian noise sd
        instead of estimating them. ``sigma=1`` with ``model='normal'`` makes the cost the
        plain sum of squared deviations (ruptures' ``"l2"``).
    n_boot, seed
        Bootstrap replications and seed (results are reproducible). A p-value below the
        bootstrap's resolution is found with up to 3× more replications and then reported
        as the bound ``1/(B+1)`` with ``p_bound=True`` ("p < …").
    dependence
        Serial dependence of the counts (count models). ``'ar1'`` (the default for count
        models through ``'auto'``): a latent AR(1) negative-binomial model
        (:mod:`intensity.dependence`) is fitted to the residuals of the segmentation, the
        penalty is multiplied by its long-run variance factor (quasi-likelihood), the
        search repeated until the breaks no longer change, level intervals are widened by
        the factor's square root, and the bootstrap simulates dependent counts. Without it
        autocorrelated noise (lag-1 0.2–0.45 on real losses) is read as breaks.
        ``'none'``: days independent (the Gaussian models' default). A fitted
        :class:`~intensity.dependence.DependenceModel` fixes it.

        ``'local'`` (experimental, issue 22) asks whether the log-rate also *drifts*:
        after the AR(1) search, a local level (random walk) + AR(1) model is fitted to
        the robust variogram of the segments' log-rate over lags to four months and kept
        when it fits better than an AR(1) alone
        (:func:`~intensity.dependence.estimate_drift`). A slow drift makes a penalised
        search cut a hump into steps, so every proposed break is then tested against
        this long-range noise (the bootstrap simulates the drift too) and breaks with
        p-value ``>= alpha`` are dropped one at a time, least significant first; the
        drift path with its band is :attr:`Breaks.drift`. It lowers the false breaks on
        random-walk noise but does not yet reach the calibration targets of issue 22
        (``benchmarks/noise.py``), so it is not the default.
    alpha
        Level at which a proposed break must stand out from the long-range noise
        (``dependence='local'`` only; needs ``n_boot > 0``). Not used with ``n_breaks``
        or ``max_breaks``.

    min_share
        DataFrame input only: a break is *common* when at least this share of the
        columns moved at it.
    n_breaks
        Exactly this many breaks: the optimal segmentation with *n_breaks* breaks
        (segment neighbourhood dynamic programming, as R's
        ``strucchange::breakpoints(y ~ 1, h = min_size, breaks = n_breaks)``; quadratic
        time). The penalty is then not used. Not for ``model='linear_trend'``.

    Returns
    -------
    Breaks

    Examples
    --------
    >>> from intensity.simulate import simulate_counts
    >>> from intensity import detect_breaks
    >>> sim = simulate_counts(400, seed=1, breaks=[(200, 1.5)], annual_amplitude=0)
    >>> res = detect_breaks(sim.counts)
    >>> [d.strftime("%Y-%m-%d") for d in res.dates]
    ['2022-09-17']
    """
    if isinstance(series, pd.DataFrame):
        from .multi.joint import detect_common_breaks

        for name, value in (
            ("max_breaks", max_breaks),
            ("n_breaks", n_breaks),
            ("sigma", sigma),
            ("dispersion", dispersion),
        ):
            if value is not None:
                raise ParameterError(f"{name} does not apply to a DataFrame, got {value!r}")
        if isinstance(dependence, DependenceModel) or dependence == "local":
            raise ParameterError(
                f"a DataFrame takes dependence='auto', 'ar1' or 'none', got {dependence!r}"
            )
        if model not in ("auto", "negbin", "poisson"):
            raise ParameterError(
                f"common breaks are for count models ('negbin', 'poisson'), got {model!r}"
            )
        return detect_common_breaks(
            series,
            model,
            penalty,
            min_size,
            seasonal,
            ci,
            min_share=min_share,
            size=size,
            n_boot=n_boot,
            seed=seed,
            dependence=dependence,
        )
    check_choice("model", model, ("auto", *COSTS))
    ci = check_fraction("ci", ci)
    check_whole("min_size", min_size, 1)
    if max_breaks is not None and (not isinstance(max_breaks, (int, np.integer)) or max_breaks < 0):
        raise ParameterError(f"max_breaks must be None or a whole number >= 0, got {max_breaks!r}")
    if n_breaks is not None and (
        not isinstance(n_breaks, (int, np.integer)) or isinstance(n_breaks, bool) or n_breaks < 0
    ):
        raise ParameterError(f"n_breaks must be None or a whole number >= 0, got {n_breaks!r}")
    if n_breaks is not None and max_breaks is not None:
        raise ParameterError("give n_breaks or max_breaks, not both")
    if model == "auto":
        ds0 = as_regular_series(series, counts=False, min_observed=2)
        model = _auto_model(ds0.values[ds0.observed])
    if n_breaks is not None and not COSTS[model].exact_m:
        raise ParameterError(f"n_breaks is not available for model={model!r}")
    k = _nb_size(size, dispersion)
    ds, cost = _prepare(series, model, seasonal, k, sigma)
    m = int(min_size)
    n = len(cost.y)
    if n < 2 * m:
        raise InsufficientDataError(
            f"a break needs two segments of min_size={m} {cost.unit}s, got {n} {cost.unit}s"
        )
    _check_observed(cost, m, k is not None)
    pen = _penalty(penalty, type(cost), int(cost.obs.sum()))
    dep = _dependence_choice(dependence, cost)
    dep_model: DependenceModel | None = dep if isinstance(dep, DependenceModel) else None
    if n_breaks is not None:
        cps, total = cost.run_exact(int(n_breaks), m)
        if dep in _LATENT:
            dep_model = _segmentation_dependence(cost, cps)
        pen = float("nan")
        penalty = f"n_breaks={int(n_breaks)}"  # type: ignore[assignment]
    elif dep in _LATENT:
        cps, total, pen, dep_model = _search_with_dependence(cost, pen, m)
    else:
        if dep_model is not None:
            pen = pen * dep_model.lrv_factor
        cps, total, _ = cost.run(pen, m)
    if max_breaks is not None and len(cps) > max_breaks:
        lo_p, hi_p = pen, max(pen * 2, 1.0)
        while len(cost.run(hi_p, m)[0]) > max_breaks:
            hi_p *= 2
        for _ in range(50):
            mid = (lo_p + hi_p) / 2
            if len(cost.run(mid, m)[0]) > max_breaks:
                lo_p = mid
            else:
                hi_p = mid
        pen = hi_p
        cps, total, _ = cost.run(pen, m)
    if isinstance(cost, LinearTrendCost):
        return _build_linear_breaks(ds, cost, pen, penalty, m, ci, seasonal is not None)
    cps = _snap_to_observed(cps, cost.obs)
    if dep == "local" and dep_model is not None and n_breaks is None and max_breaks is None:
        alpha = check_fraction("alpha", alpha)
        return _breaks_apart_from_drift(
            ds,
            cost,
            cps,
            pen,
            penalty,
            m,
            ci,
            seasonal is not None,
            n_boot,
            seed,
            total,
            dep_model,
            alpha,
        )
    return _build_breaks(
        ds, cost, cps, pen, penalty, m, ci, seasonal is not None, n_boot, seed, total, dep_model
    )


def _breaks_apart_from_drift(
    ds: RegularSeries,
    cost: SegmentCost,
    cps: list[int],
    pen: float,
    penalty: Any,
    m: int,
    ci: float,
    adjusted: bool,
    n_boot: int,
    seed: int,
    total: float,
    base: DependenceModel,
    alpha: float,
) -> Breaks:
    """``dependence='local'``: the breaks that stand out from the long-range noise
    (:func:`_drift_prune`), built as :func:`_build_breaks` does, with the drift path and
    the dropped dates."""
    assert isinstance(cost, CountCost)
    n = len(cost.y)
    cps, drift, dropped = _drift_prune(cost, cps, m, n_boot, seed, base, alpha)
    if drift is None:
        return _build_breaks(
            ds, cost, cps, pen, penalty, m, ci, adjusted, n_boot, seed, total, base
        )
    total = float(cost.costs(np.array([0, *cps]), np.array([*cps, n])).sum())
    res = _build_breaks(ds, cost, cps, pen, penalty, m, ci, adjusted, n_boot, seed, total, drift)
    z = float(ndtri(0.5 + ci / 2))
    path = partial(_drift_frame, cost, np.log(res.level.to_numpy()), drift, z, ds.series.index)
    return replace(
        res,
        _drift=path if drift.drift > 0 else None,
        dropped=tuple(ds.series.index[sorted(dropped)]),
        alpha=alpha,
    )


#: the choices that fit a latent model to the segmentation's residuals
_LATENT = ("ar1", "local")


def _dependence_choice(dependence: Any, cost: SegmentCost) -> str | DependenceModel | None:
    is_counts = isinstance(cost, CountCost)
    if isinstance(dependence, DependenceModel):
        if not is_counts:
            raise ParameterError(f"dependence models are for count models, got model={cost.name!r}")
        return dependence
    check_choice("dependence", dependence, ("auto", "ar1", "local", "none"))
    if dependence == "none":
        return None
    if not is_counts:
        if dependence in ("ar1", "local"):
            raise ParameterError(
                f"dependence={dependence!r} is implemented for the count models, "
                f"got model={cost.name!r}"
            )
        return None
    return "local" if dependence == "local" else "ar1"


def _drift_prune(
    cost: SegmentCost,
    cps: list[int],
    m: int,
    n_boot: int,
    seed: int,
    base: DependenceModel,
    alpha: float,
) -> tuple[list[int], DependenceModel | None, list[int]]:
    """Breaks apart from drift: fit the local level + AR(1) model to the segmentation
    *cps* (:func:`~intensity.dependence.estimate_drift`; where the drift does not fit
    better, the variogram's AR(1), which may be close to a random walk), and drop the
    least significant break while its bootstrap p-value under that model is
    ``>= alpha``. The model stays the one fitted to the proposed segmentation: refitted
    after a drop, the dropped jump would count as drift and drop the next break too (on
    real personnel every break went). Returns the breaks kept, the model (``None``: too
    few observed periods) and the dropped positions."""
    assert isinstance(cost, CountCost)
    n = len(cost.y)
    raw = cost._raw()
    cps = list(cps)
    dropped: list[int] = []
    bounds = np.array([0, *cps, n], dtype=np.int64)
    model = estimate_drift(raw, cost.mult, cost.obs, bounds, base)
    if model is None or n_boot < 1:
        return cps, model, dropped
    while cps:
        bounds = np.array([0, *cps, n], dtype=np.int64)
        levels = cost.segment_levels(bounds[:-1], bounds[1:], 1.96, model.lrv_factor)
        unc = cost.break_uncertainties(
            bounds, m, 0.95, n_boot, np.random.default_rng(seed), levels, model
        )
        p = np.where(np.isnan(unc.p_value), -1.0, unc.p_value)
        j = int(np.argmax(p))
        if p[j] < alpha:
            break
        dropped.append(cps.pop(j))
    return cps, model, dropped


def _drift_frame(
    cost: CountCost,
    log_level: np.ndarray,
    model: DependenceModel,
    z: float,
    index: pd.Index,
) -> pd.DataFrame:
    """:attr:`Breaks.drift`: the drift path around the segment levels, in counts."""
    from .dependence import drift_path

    path, lo, hi = drift_path(cost._raw(), cost.mult, cost.obs, log_level, model, z)
    level = np.exp(log_level)
    # each segment's level is its mean: the drift averages to 1 over the segment
    edges = np.flatnonzero(np.r_[True, np.diff(log_level) != 0, True])
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        scale = float(np.mean(path[a:b]))
        path[a:b] /= scale
        lo[a:b] /= scale
        hi[a:b] /= scale
    return pd.DataFrame(
        {"path": level * path, "lower": level * lo, "upper": level * hi}, index=index
    )


def _segmentation_dependence(cost: SegmentCost, cps: Sequence[int]) -> DependenceModel:
    """The dependence model of the residuals of the segmentation *cps*, against the NB size
    the cost assumes (count costs only)."""
    assert isinstance(cost, CountCost)
    y, mu = cost.fitted_means(list(cps))
    return estimate_dependence(y, mu, cost.obs, cost.size)


def fixed_point(
    cps: list[int],
    estimate: Callable[[list[int]], Any],
    segment: Callable[[Any], tuple[list[int], Any]],
    worst: Callable[[tuple[int, ...], Any], float],
    *,
    rerun: bool = True,
    rounds: int = 8,
) -> tuple[list[int], Any, Any]:
    """Re-segment with what the residuals of the segmentation itself say about the noise
    until the breaks no longer change: *estimate* (breaks → noise state, e.g. a dependence
    model), *segment* (state → breaks and whatever else the caller wants back). At most
    *rounds* rounds; on a cycle the state of the segmentation in it that *worst* rates
    highest (the most conservative), segmented again (*rerun*) or kept as it is. Returns
    the breaks, *segment*'s extra (``None`` for a cycle kept without re-running) and the
    state. Used by the single-series, joint and ratio searches."""
    seen: dict[tuple[int, ...], Any] = {}
    state: Any = None
    for _ in range(rounds):
        key = tuple(cps)
        if key in seen:  # a cycle: the segmentations from the first repeat on
            cycle = list(seen)[list(seen).index(key) :]
            key = max(cycle, key=lambda c: worst(c, seen[c]))
            state = seen[key]
            if not rerun:
                return list(key), None, state
            new, extra = segment(state)
            return new, extra, state
        state = seen[key] = estimate(cps)
        new, extra = segment(state)
        if new == cps:
            return cps, extra, state
        cps = new
    return cps, extra, state


def _search_with_dependence(
    cost: SegmentCost, pen0: float, m: int
) -> tuple[list[int], float, float, DependenceModel]:
    """Segment with the penalty times the long-run variance factor of the residuals of the
    segmentation itself, repeated until the breaks no longer change (at most 8 rounds;
    on a cycle the largest factor in it, the most conservative answer, is kept)."""

    def segment(dep: DependenceModel) -> tuple[list[int], float]:
        cps, total, _ = cost.run(pen0 * dep.lrv_factor, m)
        return cps, total

    cps, total, dep = fixed_point(
        cost.run(pen0, m)[0],
        partial(_segmentation_dependence, cost),
        segment,
        lambda _c, d: d.lrv_factor,
    )
    return cps, total, pen0 * dep.lrv_factor, dep


#: The fewest observed periods the search accepts, as :func:`~intensity.fit_seasonal` does.
MIN_OBSERVED = 30


def _check_observed(cost: SegmentCost, min_size: int, size_given: bool) -> None:
    """Refuse series too sparse to segment honestly: fewer than ``max(30, 2 * min_size)``
    observed periods, or what the cost itself needs (the NB cost with an estimated size:
    5 pairs of neighbouring observed periods). Without this rule a series with 20 observed
    days over 165 gets breaks between single observations, zero-width intervals and NaN
    p-values."""
    n_obs = int(cost.obs.sum())
    need = max(MIN_OBSERVED, 2 * min_size)
    if n_obs < need:
        raise InsufficientDataError(
            f"detect_breaks needs at least {need} observed {cost.unit}s (30, and two segments "
            f"of min_size={min_size}), got {n_obs} of {len(cost.obs)}"
        )
    cost.check_observed(min_size, size_given)


def _breaks_frame(columns: dict[str, Any], dates: np.ndarray) -> pd.DataFrame:
    """The breaks table from its columns, indexed by break date."""
    index = pd.DatetimeIndex(dates, name="date")
    if not len(dates):
        cols = [*_BREAK_COLUMNS, "position"]
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols}, index=index)
    return pd.DataFrame(columns, index=index)


def _level_series(lev: np.ndarray, lengths: np.ndarray, idx: pd.Index, name: str) -> pd.Series:
    """The segment levels repeated over their periods."""
    return pd.Series(np.repeat(lev, lengths), index=idx, name=name)


def _span_days(ds: RegularSeries, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Calendar days covered by periods ``starts[i] … ends[i] - 1`` (``ends - starts`` for
    daily data)."""
    if ds.is_daily:
        return ends - starts
    idx = pd.DatetimeIndex(ds.series.index)
    after = np.asarray(pd.DatetimeIndex(idx[ends - 1]).shift(1, freq=ds.freq).values)
    return ((after - idx.values[starts]) // np.timedelta64(1, "D")).astype(int)


#: the generator passed when ``n_boot=0``: nothing draws from it
_NO_DRAWS = np.random.default_rng(0)


def _day_strings(values: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DD`` of datetime64 values (object array; NaN for NaT, as ``strftime``)."""
    v = np.asarray(values, dtype="datetime64[ns]")
    out = np.datetime_as_string(v.astype("datetime64[D]"), unit="D").astype(object)
    out[np.isnat(v)] = np.nan
    return out


def _build_breaks(
    ds: RegularSeries,
    cost: SegmentCost,
    cps: list[int],
    pen: float,
    penalty: Any,
    min_size: int,
    ci: float,
    adjusted: bool,
    n_boot: int,
    seed: int,
    total: float,
    dep: DependenceModel | None = None,
) -> Breaks:
    """The result of a segmentation: segment levels, ratios and every break's interval and
    p-value, asked of the cost. Tables are built from arrays (no per-row pandas work)."""
    idx = ds.series.index
    dates = idx.values
    n = len(idx)
    z = float(ndtri(0.5 + ci / 2))
    bounds = np.array([0, *cps, n], dtype=np.int64)
    starts, ends = bounds[:-1], bounds[1:]
    inflate = 1.0 if dep is None else dep.lrv_factor
    levels = cost.segment_levels(starts, ends, z, inflate)
    lev = levels.level
    ratios = cost.ratios(levels, z)
    segments = partial(
        pd.DataFrame,
        {
            "start": dates[starts],
            "end": dates[ends - 1],
            "periods": ends - starts,
            "days": _span_days(ds, starts, ends),
            "observed": (cost.N[ends] - cost.N[starts]).astype(int),
            "level": lev,
            "ci_lower": levels.ci_lower,
            "ci_upper": levels.ci_upper,
            "ratio_to_previous": ratios[:, 0],
            "ratio_ci_lower": ratios[:, 1],
            "ratio_ci_upper": ratios[:, 2],
        },
    )
    k = len(cps)
    red = np.empty(k)
    if k:
        aa, tt, bb = bounds[:-2], bounds[1:-1], bounds[2:]
        red[:] = cost.costs(aa, bb) - cost.costs(aa, tt) - cost.costs(tt, bb)
    # without replications no draw is made: skip seeding a generator
    rng = np.random.default_rng(seed) if n_boot > 0 else _NO_DRAWS
    unc = cost.break_uncertainties(bounds, min_size, ci, n_boot, rng, levels, dep)
    tau = bounds[1:-1]
    nat = np.datetime64("NaT")
    lower = np.minimum(unc.lower, first_possible(cost.obs, tau))
    lo_d = np.where(unc.lower >= 0, dates[np.clip(np.minimum(lower, tau), 0, n - 1)], nat)
    hi_d = np.where(unc.upper >= 0, dates[np.clip(np.maximum(unc.upper, tau), 0, n - 1)], nat)
    p, bound = unc.p_value, unc.p_bound
    pos = np.asarray(cps, dtype=np.int64)
    breaks = partial(
        _breaks_frame,
        {
            "ci_lower": lo_d,
            "ci_upper": hi_d,
            "level_before": lev[:-1],
            "level_after": lev[1:],
            "ratio": ratios[1:, 0],
            "ratio_ci_lower": ratios[1:, 1],
            "ratio_ci_upper": ratios[1:, 2],
            "cost_reduction": red,
            "p_value": p,
            "p_bound": bound,
            "position": pos,
        },
        dates[pos],
    )
    return Breaks(
        series=ds.series,
        _breaks=breaks,
        _segments=segments,
        _level=partial(_level_series, lev, ends - starts, idx, "segment_level"),
        model=cost.name,
        penalty=pen,
        penalty_name=penalty if isinstance(penalty, str) else "custom",
        min_size=min_size,
        size=cost.size,
        sigma=cost.reported_sigma,
        ci=ci,
        cost=total,
        seasonal_adjusted=adjusted,
        positions=tuple(int(c) for c in cps),
        dependence=dep,
        unit=cost.unit,
        cost_notes=tuple(cost.notes()),
        counts=isinstance(cost, CountCost),
    )


def _build_linear_breaks(
    ds: RegularSeries,
    cost: LinearTrendCost,
    pen: float,
    penalty: Any,
    min_size: int,
    ci: float,
    adjusted: bool,
) -> Breaks:
    """Breaks of the continuous trend: knots, slopes per 30 days (daily data) or per period
    on the log scale (with CIs from the least-squares fit at those knots),
    profile-likelihood intervals of the dates."""
    idx = ds.series.index
    n = len(idx)
    knots, values, total, _ = cost.run_continuous(pen, min_size)
    inner = [int(k) for k in knots[1:-1]]
    _, beta, cov = cost.hinge_fit(inner)
    z = float(ndtri(0.5 + ci / 2))
    per = 30.0 if cost.unit == "day" else 1.0
    trend = np.interp(np.arange(n), knots, values)
    seg_rows = []
    slopes = []
    for i in range(len(knots) - 1):
        a, b = int(knots[i]), int(knots[i + 1])
        c = np.zeros(len(beta))
        c[1] = 1.0
        c[2 : 2 + i] = 1.0  # slope of segment i = base slope + the hinges before it
        sl = float(c @ beta) * per
        se = float(np.sqrt(max(c @ cov @ c, 0.0))) * per
        slopes.append(sl)
        seg_rows.append(
            {
                "start": idx[a],
                "end": idx[b],
                "periods": b - a + 1,
                "days": int(_span_days(ds, np.array([a]), np.array([b + 1]))[0]),
                "observed": int(cost.obs[a : b + 1].sum()),
                "level": float(np.expm1(values[i + 1])),
                "ci_lower": np.nan,
                "ci_upper": np.nan,
                "slope_per_30d_log": sl,
                "slope_ci_lower": sl - z * se,
                "slope_ci_upper": sl + z * se,
                "growth_per_30d": float(np.exp(sl)),
            }
        )
    segments = pd.DataFrame(seg_rows)
    cols: dict[str, list[Any]] = {c: [] for c in [*_BREAK_COLUMNS, "position"]}
    for j, k in enumerate(inner):
        lo_i, hi_i, red = cost.profile_interval(inner, j, min_size, ci)
        d = beta[2 + j] * per  # change of slope at the knot
        se = float(np.sqrt(max(cov[2 + j, 2 + j], 0.0))) * per
        for name, v in (
            ("ci_lower", idx[lo_i]),
            ("ci_upper", idx[hi_i]),
            ("level_before", slopes[j]),
            ("level_after", slopes[j + 1]),
            ("ratio", float(np.exp(d))),
            ("ratio_ci_lower", float(np.exp(d - z * se))),
            ("ratio_ci_upper", float(np.exp(d + z * se))),
            ("cost_reduction", red),
            ("p_value", np.nan),
            ("position", k),
        ):
            cols[name].append(v)
    breaks = _breaks_frame(cols, idx.values[np.asarray(inner, dtype=np.int64)])
    return Breaks(
        series=ds.series,
        _breaks=breaks,
        _segments=segments,
        _level=pd.Series(np.expm1(trend), index=idx, name="trend"),
        model=cost.name,
        penalty=pen,
        penalty_name=penalty if isinstance(penalty, str) else "custom",
        min_size=min_size,
        size=None,
        sigma=cost.reported_sigma,
        ci=ci,
        cost=total,
        seasonal_adjusted=adjusted,
        positions=tuple(inner),
        unit=cost.unit,
        cost_notes=tuple(cost.notes()),
        counts=False,
    )


# =========================================================================== CROPS
@dataclass(frozen=True, repr=False)  # the readable repr of ResultMixin
class PenaltyPath(ResultMixin):
    """Every optimal segmentation over a penalty range (CROPS)."""

    table: pd.DataFrame  # n_breaks, penalty_min, penalty_max, cost, breaks (dates)
    series_name: str
    chosen_penalty: float | None
    period: str = ""  # "first – last" date of the data

    def summary(self) -> pd.DataFrame:
        return self.table

    def _title(self) -> str:
        return (
            f"Penalty path (CROPS) of {self.series_name}: {len(self.table)} optimal segmentations"
        )

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        from .plotting import plot_penalty_path

        return plot_penalty_path(self, ax=ax, **kw)


def _optimal_intervals(table: pd.DataFrame, lo: float, hi: float) -> pd.DataFrame:
    """Each segmentation's penalty interval of optimality: between consecutive ones (most
    breaks first) the penalty at which they cost the same, ``(C_fewer - C_more) /
    (m_more - m_fewer)``, clipped to ``[lo, hi]``. The penalties CROPS happened to run
    were shown before (most rows read '251-251'); when the switching penalties are not
    increasing (not an exact path) those are kept."""
    if len(table) < 2:
        return table.assign(penalty_min=lo, penalty_max=hi)
    m = table["n_breaks"].to_numpy(dtype=float)
    c = table["cost"].to_numpy(dtype=float)
    lam = (c[1:] - c[:-1]) / (m[:-1] - m[1:])
    if not np.all(np.diff(lam) >= -1e-9 * np.abs(lam[1:])):
        return table
    lower = np.clip(np.r_[lo, lam], lo, hi)
    upper = np.clip(np.r_[lam, hi], lo, hi)
    return table.assign(penalty_min=lower, penalty_max=upper)


def penalty_path(
    series: pd.Series,
    model: BreakModel | Literal["auto"] = "auto",
    pen_min: float | None = None,
    pen_max: float | None = None,
    min_size: int = 14,
    seasonal: Any = None,
    *,
    size: float | None = None,
    dispersion: float | None = None,
    sigma: float | None = None,
    dependence: Literal["auto", "ar1", "none"] | DependenceModel = "auto",
) -> PenaltyPath:
    """All optimal segmentations for penalties in ``[pen_min, pen_max]`` (CROPS: Haynes,
    Eckley & Fearnhead 2017), found with a handful of exact runs.

    Defaults: ``pen_min = log n`` (BIC-like, lenient) and ``pen_max = 10 log n``, both
    multiplied, for count models with ``dependence`` ``'auto'``/``'ar1'``, by the long-run
    variance factor :func:`detect_breaks` finds (or that of a given
    :class:`~intensity.dependence.DependenceModel`, e.g. ``Breaks.dependence``), so the
    path spans the penalty it uses. The table
    has one row per distinct number of breaks with the penalty interval on which it is
    optimal, its unpenalised cost and its break dates: a number of breaks that stays optimal
    over a wide penalty interval is a robust choice.

    Examples
    --------
    >>> from intensity.simulate import simulate_counts
    >>> from intensity import penalty_path
    >>> sim = simulate_counts(500, seed=3, breaks=[(250, 1.6)], annual_amplitude=0)
    >>> 1 in penalty_path(sim.counts).table.index
    True
    """
    if model == "auto":
        ds0 = as_regular_series(series, counts=False, min_observed=2)
        v = ds0.values[ds0.observed]
        model = _auto_model(v)
    check_choice("model", model, tuple(COSTS))
    k = _nb_size(size, dispersion)
    ds, cost = _prepare(series, model, seasonal, k, sigma)
    _check_observed(cost, int(min_size), k is not None)
    n_obs = int(cost.obs.sum())
    factor = 1.0
    dep = _dependence_choice(dependence, cost)
    if isinstance(dep, DependenceModel):
        factor = dep.lrv_factor
    elif dep == "ar1" and (pen_min is None or pen_max is None):
        mbic = _penalty("mbic", type(cost), n_obs)
        factor = _search_with_dependence(cost, mbic, int(min_size))[3].lrv_factor
    lo = float(pen_min) if pen_min is not None else factor * math.log(n_obs)
    hi = float(pen_max) if pen_max is not None else factor * 10 * math.log(n_obs)
    if not 0 <= lo < hi:
        raise ParameterError(f"need 0 <= pen_min < pen_max, got {lo!r}, {hi!r}")
    cache: dict[float, tuple[list[int], float]] = {}

    def run(p: float) -> tuple[list[int], float]:
        if p not in cache:
            cps, c, _ = cost.run(p, int(min_size))
            cache[p] = (cps, c)
        return cache[p]

    stack = [(lo, hi)]
    while stack:
        a, b = stack.pop()
        ca, cb = run(a), run(b)
        if len(ca[0]) > len(cb[0]) + 1:
            lam = (cb[1] - ca[1]) / (len(ca[0]) - len(cb[0]))
            if not a < lam < b:
                continue
            cl = run(lam)
            if len(cl[0]) != len(cb[0]):
                stack += [(a, lam), (lam, b)]
        # else: adjacent numbers of breaks, nothing in between
    by_m: dict[int, dict[str, Any]] = {}
    for p, (cps, c) in sorted(cache.items()):
        m = len(cps)
        r = by_m.setdefault(
            m,
            {
                "n_breaks": m,
                "penalty_min": p,
                "penalty_max": p,
                "cost": c,
                "breaks": [ds.series.index[c].strftime("%Y-%m-%d") for c in cps],
            },
        )
        r["penalty_min"] = min(r["penalty_min"], p)
        r["penalty_max"] = max(r["penalty_max"], p)
    table = pd.DataFrame([by_m[m] for m in sorted(by_m, reverse=True)])
    table["breaks"] = table["breaks"].map(lambda v: ", ".join(v))
    table = _optimal_intervals(table, lo, hi)
    return PenaltyPath(
        table=table.set_index("n_breaks"),
        series_name=str(ds.series.name or "series"),
        chosen_penalty=None,
        period=f"{ds.series.index[0]:%Y-%m-%d} – {ds.series.index[-1]:%Y-%m-%d}",
    )
