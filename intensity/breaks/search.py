"""The search machinery the single-series, joint and ratio searches share: validation and
cost of a series, the penalty, the dependence fixed point, breaks snapped to observed
periods, and the conversions to other tools' break conventions."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from .. import _negbin
from .._typing import BreakModel, PenaltyName
from .._validation import (
    RegularSeries,
    as_regular_series,
    check_choice,
    observed_bounds,
    require_nonzero,
)
from ..costs import (
    COSTS,
    CountCost,
    SegmentCost,
)
from ..dependence import DependenceModel, estimate_dependence
from ..exceptions import InsufficientDataError, ParameterError

estimate_size = _negbin.estimate_size


# =========================================================================== conventions
def to_ruptures(breaks: Sequence[int], n: int) -> list[int]:
    """Break positions (first index of each new regime) → ruptures' list of exclusive
    segment ends, which always ends with ``n``.

    Examples
    --------
    >>> from intensity.breaks import to_ruptures
    >>> to_ruptures([100, 250], 400)
    [100, 250, 400]
    """
    return [int(b) for b in breaks] + [int(n)]


def from_ruptures(bkps: Sequence[int]) -> list[int]:
    """ruptures' exclusive ends (last element ``n``) → break positions.

    Examples
    --------
    >>> from intensity.breaks import from_ruptures
    >>> from_ruptures([100, 250, 400])
    [100, 250]
    """
    return [int(b) for b in list(bkps)[:-1]]


def from_strucchange(bp: Sequence[int]) -> list[int]:
    """strucchange's breakpoints (1-based index of the last observation of the old regime)
    → 0-based position of the first observation of the new regime (the same integer).

    Examples
    --------
    >>> from intensity.breaks import from_strucchange
    >>> from_strucchange([100])  # last of the old regime, 1-based = first of the new, 0-based
    [100]
    """
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
    stepped: bool = False,
) -> tuple[RegularSeries, SegmentCost]:
    """Validate *series* and build the cost of *model* on it (deseasonalised by
    *seasonal*: a SeasonalFit of the same series, or ``'auto'``, see
    :func:`_auto_seasonal`; with *stepped*, and always with ``'auto'``, a fit's weekday
    and annual terms of daily counts are refitted with the steps of a first search,
    :func:`_stepped_cycle`)."""
    cls = COSTS[model]
    ds = as_regular_series(series, counts=cls.counts, min_observed=2)
    if cls.counts:
        require_nonzero(ds, what=f"detect_breaks(model={model!r})")
    mult = None
    if isinstance(seasonal, str):
        if seasonal != "auto":
            raise ParameterError(
                f"seasonal must be 'auto', None or a SeasonalFit from fit_seasonal(), "
                f"got {seasonal!r}"
            )
        seasonal, stepped = _auto_seasonal(ds, cls), True
    if seasonal is not None:
        from ..seasonal import SeasonalFit

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
        mult = _centred(seasonal, ds.observed)
        if stepped and ds.unit == "day":
            mult = _stepped_cycle(ds, cls, mult)
    cost = cls(ds.values, ds.observed, mult, size=size, sigma=sigma, unit=ds.unit)
    cost.adjusted = mult is not None
    return ds, cost


def _centred(seasonal: Any, observed: np.ndarray) -> np.ndarray:
    """The seasonal multiplier of a fit (``fitted / trend``), or the multiplier itself,
    centred on the observed days: unobserved days at the ends move nothing."""
    m = np.asarray(
        seasonal if isinstance(seasonal, np.ndarray) else seasonal.fitted / seasonal.trend,
        dtype=float,
    )
    return m / np.exp(np.mean(np.log(m[observed])))


#: the shortest segment of the preliminary search whose steps the cycle is refitted with
PRELIMINARY_MIN_SIZE = 14


def _stepped_cycle(ds: RegularSeries, cls: type[SegmentCost], mult: np.ndarray) -> np.ndarray:
    """The weekday and annual multiplier of daily counts refitted with level steps at the
    breaks a first search finds in the counts deseasonalised by *mult*: the harmonics of
    a fit whose smooth trend cannot follow a step take up part of it. With
    :func:`~intensity.simulate_counts`' default cycle (±15%) and steps x1.4 at day 533
    and x0.8 at day 1,066 of 1,600, the cycle left in was off by up to 4.8% (sd 2.9%),
    the drift model read that as drift and the default found the first step alone in 8
    of 8 series; refitted with the first search's steps, both in 8 of 8. The refit is
    the baselines' (stiff trend, two harmonics, gross outliers set aside); *mult* is
    kept when the first search finds no break or the refit fails."""
    from ..seasonal import _design, _fit_clean, stiff_trend_df

    first = cls(ds.values, ds.observed, mult, unit=ds.unit)
    pen = _penalty("mbic", cls, int(ds.observed.sum()))
    try:
        cps = _search_with_dependence(first, pen, PRELIMINARY_MIN_SIZE)[0]
    except InsufficientDataError:
        return mult
    if not cps:
        return mult
    # fitted on the observed span (its trend and steps), so unobserved days at the ends
    # change nothing; the weekday and annual terms are functions of the date
    lo, hi = observed_bounds(ds.observed)
    idx = pd.DatetimeIndex(ds.series.index)
    n = hi - lo
    d = _design(idx[lo:hi], weekly=True, K=2, months=False, trend_df=stiff_trend_df(n))
    steps = [(np.arange(n) >= c - lo).astype(float) for c in cps]
    X = np.column_stack([d.X, *steps])
    try:
        fit, _ = _fit_clean(ds.values[lo:hi], ds.observed[lo:hi], X)
    except (InsufficientDataError, np.linalg.LinAlgError):
        return mult
    cols = d.groups["weekly"] + d.groups["annual"]
    every = _design(idx, weekly=True, K=2, months=False, trend_df=0)
    terms = every.groups["weekly"] + every.groups["annual"]
    refit = np.exp(every.X[:, terms] @ np.asarray(fit.params)[cols])
    return _centred(refit, ds.observed) if np.all(np.isfinite(refit)) else mult


#: the calendar periods whose annual cycle ``seasonal='auto'`` fits
_AUTO_SEASONAL_UNITS = ("week", "month", "quarter")
#: the level of the annual-cycle test above which ``seasonal='auto'`` leaves it alone
AUTO_SEASONAL_ALPHA = 0.05


def _auto_seasonal(ds: RegularSeries, cls: type[SegmentCost]) -> Any:
    """``seasonal='auto'``: the seasonal fit of counts whose annual cycle is significant
    (p < 0.05), else None.

    Daily counts of at least two years: a cycle shown both by
    :func:`~intensity.seasonal.cycle_fit` (the rule by which the baselines take a cycle
    out: two annual harmonics, a stiff trend, the annual test under the package's noise
    model, the drift model where the log-rate drifts) and by :func:`~intensity.fit_seasonal` with
    two harmonics and its own choice of trend, whose weekday and annual effects are then
    removed (for daily counts refitted with the steps of a first search,
    :func:`_stepped_cycle`). Left in, a cycle is read as drift or dependence and hides the
    breaks: with
    :func:`~intensity.simulate_counts`' default cycle (amplitude 0.15), a +30% step in
    1,600 days was found in 0 of 12 series, in 11 of 12 with the cycle removed (at the
    twelfth the flexible trend's drift model read the step as drift and the cycle test
    failed, p = 0.54: the series is left as it is), and null series got no break either
    way (2026-12-05). The stiff trend alone "showed" a cycle in 16 of 20 four-year series
    of real residual ratios on the smooth real trend (its harmonics followed the wander of
    the level) and removing it doubled their false breaks (15% -> 30%); under both tests
    none. Real personnel shows no cycle (p = 0.24 under the stiff trend) and is left as
    it is; so is a series with a silent stretch (:func:`_cycle_testable`). Weekly,
    monthly and quarterly counts of at least three years: :func:`~intensity.fit_seasonal`
    with its Wald test under the AR(1)
    dependence (UKDriverDeaths' annual cycle read as dependence: long-run variance
    factor 20, no break found)."""
    if not cls.counts:
        return None
    if ds.unit == "day":
        if int(ds.observed.sum()) < 2 * ds.periods_per_year or not _cycle_testable(ds):
            return None
        from ..seasonal import cycle_fit, fit_seasonal, shows_annual

        try:
            _, shows_cycle = cycle_fit(ds.series)
            if not shows_cycle:
                return None
            # confirmed under a trend that can follow the level (docstring)
            fit = fit_seasonal(ds.series, annual=2, tests=["annual"])
        except InsufficientDataError:  # too few counts above zero to fit
            return None
        return fit if shows_annual(fit) else None
    if ds.unit not in _AUTO_SEASONAL_UNITS:
        return None
    if int(ds.observed.sum()) < 3 * ds.periods_per_year:
        return None
    from ..seasonal import fit_seasonal

    fit = fit_seasonal(ds.series, dependence="ar1")  # a gate: the AR(1) test as calibrated
    p = fit.tests["p_value"].get("annual", float("nan"))
    return fit if p < AUTO_SEASONAL_ALPHA else None


#: consecutive observed days without a count that make a silent stretch
SILENT_DAYS = 90


def _cycle_testable(ds: RegularSeries) -> bool:
    """Whether ``seasonal='auto'`` tests the annual cycle of daily counts: whole numbers
    (else the cost says what it needs) without a silent stretch of
    :data:`SILENT_DAYS` or more observed days at zero. Into and out of silence the
    level jumps, and neither trend follows a jump: 760 days of zeros and then ~100 a
    day "showed" a cycle under both (p = 0.037 and 0.028), and the spurious cycle
    taken out gave five breaks instead of the opening alone."""
    v = ds.values[ds.observed]
    if np.any(np.abs(v - np.round(v)) > 1e-9):
        return False
    edges = np.diff(np.r_[0, (v == 0).astype(np.int8), 0])
    runs = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)
    return int(runs.max(initial=0)) < SILENT_DAYS


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


def _auto_model(series: pd.Series) -> BreakModel:
    """The model ``'auto'`` stands for: 'negbin' when the observed values are whole
    non-negative numbers, else 'normal'."""
    ds = as_regular_series(series, counts=False, min_observed=2)
    v = ds.values[ds.observed]
    counts = bool((v >= 0).all() and np.all(np.abs(v - np.round(v)) <= 1e-9))
    return "negbin" if counts else "normal"


def _penalty(penalty: PenaltyName | float, cls: type[SegmentCost], n: int) -> float:
    return penalty_value(penalty, cls.n_params, n)


def penalty_value(penalty: PenaltyName | float, p: float, n: int) -> float:
    """The penalty per break for *p* parameters a break adds and *n* observed periods:
    ``'mbic'`` ``(p + 2) log n``, ``'bic'`` ``(p + 1) log n``, ``'aic'`` ``2 (p + 1)``, or the
    number given (checked). *p* may be fractional (the effective parameters of correlated
    series, :mod:`intensity.breaks.joint`)."""
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


def _segmentation_dependence(cost: SegmentCost, cps: Sequence[int]) -> DependenceModel:
    """The dependence model of the residuals of the segmentation *cps*, against the NB size
    the cost assumes (count costs only)."""
    assert isinstance(cost, CountCost)
    return dependence_and_means(cost, cps)[0]


def dependence_and_means(
    cost: CountCost, cps: Sequence[int]
) -> tuple[DependenceModel, np.ndarray, np.ndarray]:
    """:func:`_segmentation_dependence` with the raw counts and the fitted means it was
    read from (:func:`robust_means`), for the joint search's residual correlation."""
    y, mu, out = robust_means(cost, cps)
    return estimate_dependence(y, mu, cost.obs & ~out, cost.size), y, mu


def robust_means(cost: CountCost, cps: Sequence[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw counts, the segmentation's fitted means and its gross outliers
    (:func:`_outlying`), the means made without those outliers (count costs only).

    A gross day inside a long segment raised that segment's mean: one day at 100 times
    the level in a segment of 180 (``min_size`` of the baselines' sustained shifts) put
    every other day of it 40% below its mean, the residuals read as an AR(1) with rho
    0.95 and a variance factor of 17, and the search then kept no break, a +50% step
    lost with it. Outliers are found against the means, the means made again without
    them, until they no longer change (three rounds at most)."""
    y, mu = cost.fitted_means(list(cps))
    out = _outlying(y, mu, cost.obs, cost.size)
    for _ in range(3):
        if not out.any():
            break
        y, mu = cost.fitted_means(list(cps), leave=out)
        again = _outlying(y, mu, cost.obs, cost.size)
        if np.array_equal(again, out):
            break
        out = again
    return y, mu, out


def _outlying(y: np.ndarray, mu: np.ndarray, obs: np.ndarray, size: float) -> np.ndarray:
    """Observed periods beyond the NB(mu, *size*) distribution of their segment
    (:func:`~intensity._negbin.outlying`): left out of the segmentation's dependence
    estimate."""
    return _negbin.outlying(y, mu, obs, 0.0 if not math.isfinite(size) else 1.0 / size)


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
    cost: SegmentCost,
    pen0: float,
    m: int,
    forced: Sequence[int] = (),
    start: Sequence[int] | None = None,
) -> tuple[list[int], float, float, DependenceModel]:
    """Segment with the penalty times the long-run variance factor of the residuals of the
    segmentation itself, repeated until the breaks no longer change (at most 8 rounds;
    on a cycle the largest factor in it, the most conservative answer, is kept). *forced*
    positions are breaks in every round. The iteration starts from the segmentation at
    the unscaled penalty (from below: where the map has several fixed points, the one
    with the most breaks), or from the breaks *start* (``[]``: from above)."""

    def segment(dep: DependenceModel) -> tuple[list[int], float]:
        cps, total, _ = cost.run(pen0 * dep.lrv_factor, m, forced=forced)
        return cps, total

    cps, total, dep = fixed_point(
        cost.run(pen0, m, forced=forced)[0] if start is None else sorted({*start, *forced}),
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
