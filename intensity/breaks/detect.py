"""detect_breaks and penalty_path: one series' optimal segmentation."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np
import pandas as pd
from scipy.special import ndtri

from .._levelshift import DRIFT_ALPHA, CleanRate, ShiftSelection, drift_test
from .._typing import BreakModel, PenaltyName
from .._validation import (
    RegularSeries,
    check_choice,
    check_date,
    check_fraction,
    check_whole,
)
from ..costs import (
    COSTS,
    CountCost,
    LinearTrendCost,
    SegmentCost,
)
from ..dependence import DependenceModel, estimate_drift
from ..exceptions import InsufficientDataError, ParameterError
from .results import Breaks, PenaltyPath, _build_breaks, _build_linear_breaks, _drift_frame
from .search import (
    _LATENT,
    _auto_model,
    _check_observed,
    _dependence_choice,
    _nb_size,
    _penalty,
    _prepare,
    _search_with_dependence,
    _segmentation_dependence,
    _snap_to_observed,
)

if TYPE_CHECKING:
    from .joint import CommonBreaks


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
    dates: Any = ...,
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
    seasonal: Any = "auto",
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
    dates: Any = None,
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
        :class:`~intensity.multi.CommonBreaks`; ``seasonal`` is then ``'auto'`` (each
        column's own choice), None or a mapping of column to SeasonalFit, and
        ``max_breaks``, ``n_breaks``, ``sigma`` and ``dispersion`` do not apply).
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
        mistaken for a break. ``'auto'`` (default): counts are deseasonalised when their
        annual cycle is significant (p < 0.05), else left as they are: daily counts of at
        least two years when both :func:`~intensity.seasonal.cycle_fit` (a stiff trend)
        and :func:`~intensity.fit_seasonal` (its own trend) show the cycle under the
        drift model where the log-rate drifts (weekday and annual effects removed; real
        personnel shows no cycle, p = 0.24), weekly, monthly and quarterly counts of at
        least three years by :func:`~intensity.fit_seasonal` (the test under the AR(1)
        dependence). A cycle left in is read as drift or serial dependence and hides the
        breaks (a +30% step under a ±15% annual cycle: found in 0 of 12 daily series, 11
        of 12 deseasonalised; UKDriverDeaths' 1983 seat-belt law). ``None``: never
        adjusted.
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
        as the bound ``1/(B+1)`` with ``p_bound=True`` ("p < …"). Under the drift model
        (``'local'``) *n_boot* sets the draws of the date intervals (an interval whose
        end jumps with their noise is taken again from 999); the selection's p-values
        use at least 99 per step. On real personnel (CPU, 2026-12-04): ``n_boot=99``
        0.35 s (its intervals go to 999 draws), 299 0.24 s, 999 0.37 s, the same breaks
        and p-values; ``n_boot=0`` 35 ms, untested AR(1) search breaks.
    dependence
        Serial dependence of the counts (count models). ``'ar1'``: a latent AR(1)
        negative-binomial model (:mod:`intensity.dependence`) is fitted to the residuals
        of the segmentation, the penalty is multiplied by its long-run variance factor
        (quasi-likelihood), the search repeated until the breaks no longer change, level
        intervals are widened by the factor's square root, and the bootstrap simulates
        dependent counts. Without it autocorrelated noise (lag-1 0.2–0.45 on real losses)
        is read as breaks. ``'none'``: days independent (the Gaussian models' default).
        A fitted :class:`~intensity.dependence.DependenceModel` fixes it.

        ``'local'``: breaks apart from drift. The log-rate is a local level (random
        walk) + AR(1) + count noise, fitted by maximum likelihood with the Kalman
        filter (:mod:`intensity._levelshift`); abrupt shifts are added one at a time
        while the largest shift statistic of the disturbance smoother (de Jong & Penzer
        1998) has a Monte Carlo p-value below ``alpha`` against series simulated from
        the fitted model (at least 99 draws), with days beyond 3.5 standard errors set
        aside as spikes. The breaks table then gives each shift's date interval (from
        series simulated with that shift), its size beyond the drift as ``ratio`` (the
        jump of the level on that day, not a ratio of segment means) and that p-value;
        :attr:`Breaks.drift` is the drift path with its band and :attr:`Breaks.dropped`
        the AR(1) search's breaks it reads as drift. A slow drift and a modest step look
        alike: under a random walk of daily sd 0.01 the best possible scan finds a +25%
        step in about a third of two-year series (``benchmarks/noise.py --oracle``).

        ``'auto'`` (the default for count models) chooses between the two by fit and
        says which it used (:meth:`DependenceModel.describe`): the AR(1) search unless
        the log-rate drifts or depends over a longer range than the search's AR(1)
        (likelihood-ratio test without breaks against an AR(1) of at most the search's
        rho, p < 0.05) and the drift reading (drift model and its shifts) has a lower BIC than
        the step reading (AR(1) and the search's breaks), each break counting two
        parameters. On real personnel the drift model is taken. It is not considered
        when the AR(1) search's segments hold both a quiet regime (under one count a
        period) and an active one (ten or more): its one log-scale noise variance
        cannot describe both, and the notes say so. With ``n_boot=0`` no
        draws are made and the AR(1) search stands, as it does with a penalty other than
        the default (a penalty is a choice for the penalised search). DataFrame input, ``dates``,
        ``n_breaks`` and ``max_breaks`` use the AR(1).
    alpha
        Level at which a shift must stand out from the drift model (``dependence``
        ``'local'``, or ``'auto'`` when it takes the drift model). Not used with
        ``n_breaks`` or ``max_breaks``.

    min_share
        DataFrame input only: a break is *common* when at least this share of the
        columns moved at it.
    n_breaks
        Exactly this many breaks: the optimal segmentation with *n_breaks* breaks
        (segment neighbourhood dynamic programming, as R's
        ``strucchange::breakpoints(y ~ 1, h = min_size, breaks = n_breaks)``; quadratic
        time). The penalty is then not used. Not for ``model='linear_trend'``.
    dates
        Known dates to force as breaks (a date or a list, e.g. the Kursk incursion
        ``"2024-08-06"``): each is a break whatever the data, as the first day of a new
        segment, and the search finds any others between them with the same penalty and
        noise model. Each must be a date of the series at least ``min_size`` periods from
        the ends and from the others. The breaks table gets a ``forced`` column;
        :attr:`Breaks.forced` lists them. A forced break's p-value compares the change
        there with the largest in its window, which is conservative for a date fixed in
        advance; :func:`~intensity.event_effect` is the test of a known date. Not with
        ``n_breaks``, ``max_breaks``, ``dependence='local'``, ``model='linear_trend'`` or
        a DataFrame.

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
    check_whole("seed", seed, 0)
    check_whole("n_boot", n_boot, 0)
    if isinstance(series, pd.DataFrame):
        extra = {"max_breaks": max_breaks, "n_breaks": n_breaks, "sigma": sigma, "dates": dates}
        return _common_breaks(
            series,
            model,
            penalty,
            min_size,
            seasonal,
            ci,
            {**extra, "dispersion": dispersion},
            min_share=min_share,
            size=size,
            n_boot=n_boot,
            seed=seed,
            dependence=dependence,
        )
    ci = check_fraction("ci", ci)
    model = _check_search_options(series, model, min_size, max_breaks, n_breaks)
    ds, cost, m = _searchable(series, model, min_size, seasonal, _nb_size(size, dispersion), sigma)
    pen = _penalty(penalty, type(cost), int(cost.obs.sum()))
    dep = _dependence_choice(dependence, cost)
    refused = {"n_breaks": n_breaks, "max_breaks": max_breaks}
    refused["dependence='local'"] = True if dep == "local" else None
    forced = _forced_positions(dates, ds, cost, m, refused)
    cps, total, pen, dep_model = _search(cost, pen, m, dep, n_breaks, forced)
    if n_breaks is not None:
        penalty = f"n_breaks={int(n_breaks)}"  # type: ignore[assignment]
    if max_breaks is not None and len(cps) > max_breaks:
        cps, total, pen = _at_most(cost, pen, m, max_breaks)
    if isinstance(cost, LinearTrendCost):
        return _build_linear_breaks(ds, cost, pen, penalty, m, ci, cost.adjusted)
    cps = _snap_to_observed(cps, cost.obs)
    built: Built = (ds, cost, cps, pen, penalty, m, ci, cost.adjusted, n_boot, seed, total)
    alpha = check_fraction("alpha", alpha)
    searched = not forced and n_breaks is None and max_breaks is None
    if dep_model is not None and searched and dep in _LATENT:
        return _by_noise_model(built, dep_model, alpha, _asked(dependence, penalty))
    return _build_breaks(*built, dep_model, forced=_snap_to_observed(forced, cost.obs))


def _searchable(
    series: pd.Series,
    model: str,
    min_size: int,
    seasonal: Any,
    size: float | None,
    sigma: float | None,
    stepped: bool = False,
) -> tuple[RegularSeries, SegmentCost, int]:
    """The validated series, the cost of *model* on it (:func:`~.search._prepare`) and
    ``min_size`` as a whole number, refused when the series cannot hold two segments of
    it or has too few observed periods (a given NB *size* needs fewer)."""
    ds, cost = _prepare(series, model, seasonal, size, sigma, stepped)
    m = int(min_size)
    n = len(cost.y)
    if n < 2 * m:
        raise InsufficientDataError(
            f"a break needs two segments of min_size={m} {cost.unit}s, got {n} {cost.unit}s"
        )
    _check_observed(cost, m, size is not None)
    return ds, cost, m


def _clean_log_rate(cost: CountCost) -> CleanRate | None:
    """The cleaned log-rate of the counts over their seasonal multiplier
    (:func:`~intensity._levelshift.clean_rate`) that the drift test, the shift selection
    and the comparison of readings start from; None with under 60 observed periods."""
    from .._levelshift import clean_rate
    from ..dependence import _log_rate

    z = _log_rate(cost._raw(), cost.mult, cost.obs)
    return clean_rate(z) if int(np.isfinite(z).sum()) >= 60 else None


def _asked(dependence: Any, penalty: Any) -> str:
    """The noise model asked for: ``dependence``, except that a penalty of the user's own
    (not the default ``'mbic'``) asks for the penalised search, so ``'auto'`` keeps it."""
    if dependence == "auto" and not (isinstance(penalty, str) and penalty == "mbic"):
        return "ar1"
    return str(dependence)


#: a segmentation as :func:`_build_breaks` takes it: series, cost, breaks, penalty, its
#: name, min_size, ci, seasonally adjusted, n_boot, seed, total cost
Built = tuple[RegularSeries, SegmentCost, list[int], float, Any, int, float, bool, int, int, float]


def _by_noise_model(built: Built, dep_model: DependenceModel, alpha: float, asked: str) -> Breaks:
    """A penalised search's result under the noise model it calls for: the drift model
    (``dependence='local'``, or ``'auto'`` when the log-rate drifts: :func:`_drift_choice`)
    or the AR(1). *asked*: the ``dependence`` option."""
    cost, cps, m, ci, n_boot, seed = built[1], built[2], built[5], built[6], built[8], built[9]
    if asked == "local":
        return _breaks_apart_from_drift(*built, dep_model, alpha)
    if asked == "auto" and n_boot > 0:
        dep_model, pruned = _drift_choice(cost, cps, m, n_boot, seed, dep_model, alpha, ci)
        if pruned is not None:
            return _breaks_apart_from_drift(*built, dep_model, alpha, pruned)
    return _build_breaks(*built, dep_model)


#: what :func:`_drift_prune` returns: breaks kept, their model, dropped, the selection
Pruned = tuple[list[int], DependenceModel | None, list[int], ShiftSelection | None]

MIN_SHIFT_DRAWS = 99
"""The fewest null draws of the drift model's shift selection, whatever ``n_boot``."""


def _drift_choice(
    cost: SegmentCost,
    cps: list[int],
    m: int,
    n_boot: int,
    seed: int,
    base: DependenceModel,
    alpha: float,
    ci: float,
) -> tuple[DependenceModel, Pruned | None]:
    """``dependence='auto'``: does the log-rate drift? First, without breaks, the
    likelihood ratio of the local level + AR(1) + noise model against the AR(1) + noise
    model with its rho at most the search's (:func:`~intensity._levelshift.drift_test`:
    an AR(1) of rho 0.99 passes for a random walk over two years, but the search corrects
    only for the rho it estimated); a series with no dependence beyond the search's, even
    with its steps counted as drift, keeps the AR(1) search's breaks *cps*. Otherwise the
    two readings are compared by BIC on the log-rate: the AR(1) + noise model with
    jumps at *cps*, and the drift model with the shifts it finds (:func:`_drift_prune`),
    each break counting two parameters (date and size) and the drift one. A few steps
    make the first test reject too, and then the AR(1) reading fits better; a drift cut
    into steps costs more breaks than it saves. The AR(1) reading is taken only when its
    steps account for the drift: the drift test again, with jumps at *cps*, does not
    reject (a random walk with one break read as a step had won the comparison in 40% of
    two-year null series at 30 a day; the breaks are claimed under the model that fits).
    Returns *base* carrying the choice and,
    when the drift model is taken, its breaks (else ``None``)."""
    from .._levelshift import compare_readings

    assert isinstance(cost, CountCost)
    rate = _clean_log_rate(cost)  # once for the test, the selection and the comparison
    if rate is None:
        return base, None
    test = drift_test(rate, max_phi=max(base.rho, 0.0))
    base = replace(base, drift_lr=test.lr, drift_p=test.p_value)
    if test.p_value >= DRIFT_ALPHA:
        return base, None
    quiet = _quiet_segment(cost, cps)
    if quiet:
        return replace(base, drift_declined=quiet), None
    pruned = _drift_prune(cost, cps, m, n_boot, seed, base, alpha, ci, rate)
    if pruned[3] is None or pruned[1] is None:
        return base, None
    gain = compare_readings(rate, cps, pruned[3].positions)
    # without steps the test given them is the first one, which rejected: not refitted
    if gain <= 0 and cps and drift_test(rate, max(base.rho, 0.0), cps).p_value >= DRIFT_ALPHA:
        return replace(base, drift_gain=gain), None
    model = replace(pruned[1], drift_lr=test.lr, drift_p=test.p_value, drift_gain=gain)
    return base, (pruned[0], model, pruned[2], pruned[3])


#: a segment of the AR(1) search averaging under QUIET_MEAN counts a period beside one
#: averaging ACTIVE_MEAN or more: two noise regimes the drift model cannot hold at once
QUIET_MEAN, ACTIVE_MEAN = 1.0, 10.0


def _quiet_segment(cost: CountCost, cps: list[int]) -> str:
    """Why the drift model does not apply (``''``: it does): a segment of the AR(1)
    search averaging under :data:`QUIET_MEAN` count a period beside one averaging
    :data:`ACTIVE_MEAN` or more. The drift model's count noise is one Gaussian
    variance of the log-rate; in a quiet stretch the log-rate sits at ``log(0.5)`` with
    rare jumps, in an active one it scatters about its level, and one variance fits
    neither: a direction at 0.02 a day for 700 days and then at ~50 got eight "shifts"
    of 1-14% in its active stretch, each at p = 0.01, where the AR(1) search finds the
    opening alone. Series that are sparse throughout (real aircraft, helicopter, naval
    ship losses: segments of 0.01-5 a day) keep the choice."""
    b = np.array([0, *cps, len(cost.obs)], dtype=np.int64)
    n_obs = cost.N[b[1:]] - cost.N[b[:-1]]
    mean = (cost.S[b[1:]] - cost.S[b[:-1]]) / np.maximum(n_obs, 1)
    seen = n_obs > 0
    quiet = seen & (mean < QUIET_MEAN)
    if not quiet.any() or not (seen & (mean >= ACTIVE_MEAN)).any():
        return ""
    low, high = float(mean[quiet].min()), float(mean[seen].max())
    return (
        f"a segment averages {low:.2g} a {cost.unit} and another {high:.3g}, two noise "
        "regimes the drift model's one log-scale variance cannot hold"
    )


def _given_dates(dates: Any) -> list[pd.Timestamp]:
    """The distinct dates given (one date, its text, or a list of them), sorted."""
    one = isinstance(dates, (str, pd.Timestamp)) or not hasattr(dates, "__iter__")
    given = [dates] if one else list(dates)
    return sorted({check_date("dates", d, "dates") for d in given})


def _forced_positions(
    dates: Any, ds: Any, cost: SegmentCost, m: int, refused: dict[str, Any]
) -> list[int]:
    """The positions of the dates given as breaks (``[]`` for none), checked: dates of
    the series, at least *m* periods from its ends and from each other, and no option in
    *refused* set."""
    if dates is None:
        return []
    for name, value in refused.items():
        if value is not None:
            raise ParameterError(f"dates cannot be combined with {name}")
    if isinstance(cost, LinearTrendCost):
        raise ParameterError("dates cannot be combined with model='linear_trend'")
    stamps = _given_dates(dates)
    idx = pd.DatetimeIndex(ds.series.index)
    n = len(idx)
    pos: list[int] = []
    for d in stamps:
        at = int(idx.get_indexer(pd.DatetimeIndex([d]))[0])
        if at < 0:
            raise ParameterError(
                f"dates must be dates of the series ({cost.unit}s {idx[0]:%Y-%m-%d} … "
                f"{idx[-1]:%Y-%m-%d}), got {d:%Y-%m-%d}"
            )
        if at < m or n - at < m:
            raise ParameterError(
                f"a forced break needs min_size={m} {cost.unit}s on each side, got "
                f"{d:%Y-%m-%d} ({at} from the start, {n - at} to the end)"
            )
        if pos and at - pos[-1] < m:
            raise ParameterError(
                f"forced breaks must be at least min_size={m} {cost.unit}s apart, got "
                f"{idx[pos[-1]]:%Y-%m-%d} and {d:%Y-%m-%d}"
            )
        pos.append(int(at))
    return pos


def _common_breaks(
    frame: pd.DataFrame,
    model: Any,
    penalty: Any,
    min_size: int,
    seasonal: Any,
    ci: float,
    single_only: dict[str, Any],
    **kw: Any,
) -> CommonBreaks:
    """:func:`detect_breaks` on a DataFrame: the options that apply to one series only
    are refused, then :func:`~intensity.breaks.joint.detect_common_breaks`."""
    from .joint import detect_common_breaks

    for name, value in single_only.items():
        if value is not None:
            raise ParameterError(f"{name} does not apply to a DataFrame, got {value!r}")
    dependence = kw["dependence"]
    if isinstance(dependence, DependenceModel) or dependence == "local":
        raise ParameterError(
            f"a DataFrame takes dependence='auto', 'ar1' or 'none', got {dependence!r}"
        )
    if model not in ("auto", "negbin", "poisson"):
        raise ParameterError(
            f"common breaks are for count models ('negbin', 'poisson'), got {model!r}"
        )
    return detect_common_breaks(frame, model, penalty, min_size, seasonal, ci, **kw)


def sustained_breaks(series: pd.Series, min_size: int, seasonal: Any, seed: int = 0) -> list[int]:
    """Positions of the breaks of ``detect_breaks(series, min_size=min_size, n_boot=0,
    seasonal=seasonal)`` (the AR(1) reading, no drift model), with one rule where that
    reading is not unique: the penalty is scaled by the long-run variance factor of the
    segmentation's own residuals, a fixed point, and when the iteration from above (no
    breaks) settles on other breaks (fewer) than the one from below (the search's start), the
    lower reading stands when its steps account for the drift (the drift test with jumps
    at them does not reject, as :func:`_drift_choice` asks of the AR(1) reading), and
    otherwise its breaks that the upper one lacks (those no break of the upper one is
    nearest to) are kept where the drift model's shift selection (:func:`_drift_prune`)
    finds a shift within *min_size* of them. The baselines' sustained shifts
    (:func:`~intensity.baselines.sustained_shifts`).

    Real personnel from 2022-04, -06 or -10, or 2023: from below factor 17-21 with shifts
    at 2024-04-27 and 2025-04-19 (the 2024/25 hump cut into steps), from above 38-45
    without them; the drift model keeps neither (2023-10-11 alone after 2022, as the
    whole series' one fixed point), so they are dropped and the shifts after 2023 no
    longer depend on where the series starts. The simulated demo (steps at 2022-10-27,
    2023-11-01 and 2024-08-18; from above the last alone) keeps all three, and so do
    series with ``simulate_counts``' default cycle and steps x1.4 and x0.8 (12 of 12; from
    above none, factor 17-19): the annual cycle of *seasonal* is refitted with the steps
    of a first search (``search._stepped_cycle``), and then no drift remains beside
    them. Fitted without the steps, the cycle left in had read as drift and the drift
    model kept one step or none in 7 of 12."""
    model = _check_search_options(series, "auto", min_size, None, None)
    # a fit with an annual cycle is refitted with the steps, as seasonal='auto' does
    cycle = seasonal is not None and seasonal.harmonics > 0
    _, cost, m = _searchable(series, model, min_size, seasonal, None, None, stepped=cycle)
    pen = _penalty("mbic", type(cost), int(cost.obs.sum()))
    dep = _dependence_choice("auto", cost)
    if dep not in _LATENT or not isinstance(cost, CountCost):
        return _snap_to_observed(_search(cost, pen, m, dep, None)[0], cost.obs)
    lower, _, _, base = _search_with_dependence(cost, pen, m)
    upper = _search_with_dependence(cost, pen, m, start=[])[0]
    if lower == upper or not lower:
        return _snap_to_observed(lower, cost.obs)
    rate = _clean_log_rate(cost)  # once for the drift test and the selection
    if rate is None or drift_test(rate, max(base.rho, 0.0), lower).p_value >= DRIFT_ALPHA:
        return _snap_to_observed(lower, cost.obs)  # its steps account for the drift
    # each break of the upper reading stands for the nearest of the lower one's
    common = {min(lower, key=lambda c: abs(c - u)) for u in upper}
    kept = _drift_prune(cost, lower, m, MIN_SHIFT_DRAWS, seed, base, DRIFT_ALPHA, 0.95, rate)[0]
    return _snap_to_observed(
        [c for c in lower if c in common or any(abs(c - k) < m for k in kept)], cost.obs
    )


def _check_search_options(
    series: pd.Series, model: Any, min_size: int, max_breaks: Any, n_breaks: Any
) -> BreakModel:
    """Check the model, ``min_size``, ``max_breaks`` and ``n_breaks``; the model chosen
    for ``'auto'`` (negative binomial for whole non-negative numbers)."""
    check_choice("model", model, ("auto", *COSTS))
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
        model = _auto_model(series)
    if n_breaks is not None and not COSTS[model].exact_m:
        raise ParameterError(f"n_breaks is not available for model={model!r}")
    return model


def _search(
    cost: SegmentCost,
    pen: float,
    m: int,
    dep: Any,
    n_breaks: int | None,
    forced: Sequence[int] = (),
) -> tuple[list[int], float, float, DependenceModel | None]:
    """The optimal segmentation: with exactly *n_breaks* breaks, or penalised (by the
    dependence fixed point for a latent model, by a fixed model's factor otherwise).
    Returns the breaks, the total cost, the penalty used and the dependence model."""
    dep_model: DependenceModel | None = dep if isinstance(dep, DependenceModel) else None
    if n_breaks is not None:
        cps, total = cost.run_exact(int(n_breaks), m)
        if dep in _LATENT:
            dep_model = _segmentation_dependence(cost, cps)
        return cps, total, float("nan"), dep_model
    if dep in _LATENT:
        return _search_with_dependence(cost, pen, m, forced)
    if dep_model is not None:
        pen = pen * dep_model.lrv_factor
    cps, total, _ = cost.run(pen, m, forced=forced)
    return cps, total, pen, dep_model


def _at_most(
    cost: SegmentCost, pen: float, m: int, max_breaks: int
) -> tuple[list[int], float, float]:
    """The segmentation with the most breaks, at most *max_breaks*, optimal for some
    penalty above *pen*, and the smallest such penalty (just above it, where that
    segmentation is the optimum).

    The penalty path of CROPS (Haynes, Eckley & Fearnhead 2017): the optimal penalised
    cost is the lower envelope of lines ``cost + penalty * breaks``, so between a
    segmentation with too many breaks and one with few enough, the search runs where
    their lines cross: a new segmentation there takes one of the two places, none means
    the crossing is where the optimum changes. A run per segmentation on the path, where
    a bisection on the penalty took 50 (a continuous trend of 918 days with
    ``max_breaks=1`` took 385 s: each of its runs at a high penalty 1.5-8 s)."""
    lo_p, hi_p = pen, max(pen * 2, 1.0)
    lo = cost.run(lo_p, m)
    if len(lo[0]) <= max_breaks:
        return list(lo[0]), float(lo[1]), lo_p
    hi = cost.run(hi_p, m)
    while len(hi[0]) > max_breaks:
        lo_p, lo, hi_p = hi_p, hi, hi_p * 2
        hi = cost.run(hi_p, m)
    for _ in range(200):  # one run per segmentation between: the path has few
        k_lo, k_hi = len(lo[0]), len(hi[0])
        cross = (hi[1] - lo[1]) / (k_lo - k_hi)
        if not lo_p < cross < hi_p:
            break  # round-off at a crossing already found
        mid = cost.run(cross, m)
        line = hi[1] + cross * k_hi
        if mid[1] + cross * len(mid[0]) >= line - 1e-9 * (abs(line) + 1.0):
            # nothing below the two lines where they cross: the optimum changes there (a
            # tie at the crossing itself, so the run just above it is the answer's)
            if len(mid[0]) <= max_breaks:
                return list(mid[0]), float(mid[1]), cross
            cross *= 1.0 + 1e-9
            mid = cost.run(cross, m)
            if len(mid[0]) <= max_breaks:
                return list(mid[0]), float(mid[1]), cross
        if len(mid[0]) > max_breaks:
            lo_p, lo = cross, mid
        else:
            hi_p, hi = cross, mid
    return list(hi[0]), float(hi[1]), hi_p


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
    pruned: Pruned | None = None,
) -> Breaks:
    """``dependence='local'`` (or ``'auto'`` when the log-rate drifts): the breaks that
    stand out from the long-range noise (:func:`_drift_prune`, or *pruned* when already
    run), built as :func:`_build_breaks` does, with the drift path and the dropped
    dates."""
    assert isinstance(cost, CountCost)
    n = len(cost.y)
    if pruned is None:
        pruned = _drift_prune(cost, cps, m, n_boot, seed, base, alpha, ci)
    cps, drift, dropped, sel = pruned
    if drift is None:
        return _build_breaks(
            ds, cost, cps, pen, penalty, m, ci, adjusted, n_boot, seed, total, base
        )
    total = float(cost.costs(np.array([0, *cps]), np.array([*cps, n])).sum())
    columns = None if sel is None else _shift_columns(sel, ds.series.index, ci)
    res = _build_breaks(
        ds,
        cost,
        cps,
        pen,
        penalty,
        m,
        ci,
        adjusted,
        0 if columns else n_boot,
        seed,
        total,
        drift,
        columns=columns,
    )
    z = float(ndtri(0.5 + ci / 2))
    with np.errstate(divide="ignore"):  # a segment of zeros: its path is 0 (log -inf)
        log_level = np.log(res.level.to_numpy())
    path = partial(_drift_frame, cost, log_level, drift, z, ds.series.index)
    return replace(
        res,
        _drift=path if drift.drift > 0 else None,
        dropped=tuple(ds.series.index[sorted(dropped)]),
        alpha=alpha,
        next_shift=_next_shift_date(sel, ds.series.index),
    )


def _next_shift_date(
    sel: ShiftSelection | None, index: pd.Index
) -> tuple[pd.Timestamp, float] | None:
    """The date and p-value of the shift that ended the selection *sel* (``None``: none)."""
    if sel is None or sel.next_position < 0 or sel.next_position >= len(index):
        return None
    return pd.Timestamp(index[sel.next_position]), float(sel.next_p)


def _drift_prune(
    cost: SegmentCost,
    cps: list[int],
    m: int,
    n_boot: int,
    seed: int,
    base: DependenceModel,
    alpha: float,
    ci: float,
    rate: CleanRate | None = None,
) -> tuple[list[int], DependenceModel | None, list[int], ShiftSelection | None]:
    """Breaks apart from drift: level shifts of the log-rate selected one at a time under
    a local level + AR(1) + noise model fitted by maximum likelihood
    (:func:`~intensity._levelshift.select_shifts`: auxiliary-residual scan, Monte Carlo
    p-values from the fitted model, spikes set aside). The AR(1) search's breaks *cps*
    that no kept shift lies within *m* periods of are returned as dropped. Without
    replications (``n_boot < 1``) nothing can be tested: the proposals stay, with the
    variogram model (:func:`~intensity.dependence.estimate_drift`). Returns the breaks
    kept, their model (``None``: too few observed periods), the dropped positions and
    the selection (``None`` when untested). *rate*: the cleaned log-rate when
    :func:`_drift_choice` already made it."""
    from .._levelshift import select_shifts
    from ..dependence import _log_rate

    assert isinstance(cost, CountCost)
    n = len(cost.y)
    raw = cost._raw()
    z = _log_rate(raw, cost.mult, cost.obs)
    if int(np.isfinite(z).sum()) < 60:
        return list(cps), None, [], None
    if n_boot < 1:
        bounds = np.array([0, *cps, n], dtype=np.int64)
        return list(cps), estimate_drift(raw, cost.mult, cost.obs, bounds, base), [], None
    # at least 99 null draws: with fewer a shift could not reach p < 0.05 at all
    n_sim = max(n_boot, MIN_SHIFT_DRAWS)
    sel = select_shifts(
        z if rate is None else rate, m, alpha, n_sim, np.random.default_rng(seed), level=ci
    )
    model = sel.model.as_dependence(z, base)
    kept = list(sel.positions)
    dropped = [c for c in cps if not any(abs(c - k) < m for k in kept)]
    return kept, model, dropped, sel


def _shift_columns(sel: ShiftSelection, index: pd.Index, ci: float) -> dict[str, np.ndarray]:
    """The breaks-table columns of the drift model's shifts: the date interval from
    series simulated under it, the shift beyond the drift (``ratio``, with its Wald
    interval), the selection p-value and the share of those series that re-find the
    date within ``min_size`` (``date_refound``)."""
    z = float(ndtri(0.5 + ci / 2))
    jump = np.asarray(sel.log_jumps, dtype=float)
    se = np.asarray(sel.se, dtype=float)
    p = np.asarray(sel.p_values, dtype=float)
    last = len(index) - 1
    return {
        "ci_lower": index.values[np.clip(np.asarray(sel.date_lower, dtype=np.int64), 0, last)],
        "ci_upper": index.values[np.clip(np.asarray(sel.date_upper, dtype=np.int64), 0, last)],
        "ratio": np.exp(jump),
        "ratio_ci_lower": np.exp(jump - z * se),
        "ratio_ci_upper": np.exp(jump + z * se),
        "p_value": p,
        "p_bound": np.asarray(sel.p_bounds, dtype=bool),
        "date_refound": np.asarray(sel.date_refound, dtype=float),
    }


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


def _path_range(
    cost: SegmentCost, dependence: Any, min_size: int, pen_min: Any, pen_max: Any
) -> tuple[float, float]:
    """The penalty range of the path: as given, else log n to 10 log n times the long-run
    variance factor of the dependence model (the one of the default search for 'ar1')."""
    n_obs = int(cost.obs.sum())
    factor = 1.0
    dep = _dependence_choice(dependence, cost)
    if isinstance(dep, DependenceModel):
        factor = dep.lrv_factor
    elif dep == "ar1" and (pen_min is None or pen_max is None):
        mbic = _penalty("mbic", type(cost), n_obs)
        factor = _search_with_dependence(cost, mbic, min_size)[3].lrv_factor
    lo = float(pen_min) if pen_min is not None else factor * math.log(n_obs)
    hi = float(pen_max) if pen_max is not None else factor * 10 * math.log(n_obs)
    if not 0 <= lo < hi:
        raise ParameterError(f"need 0 <= pen_min < pen_max, got {lo!r}, {hi!r}")
    return lo, hi


def _segmentations(
    cost: SegmentCost, min_size: int, lo: float, hi: float
) -> dict[float, tuple[list[int], float]]:
    """The optimal segmentation (breaks, cost) at every penalty the bisection of
    [lo, hi] visits (CROPS, Haynes et al. 2017): between two penalties whose numbers of
    breaks differ by more than one, the penalty where their costs cross."""
    cache: dict[float, tuple[list[int], float]] = {}

    def run(p: float) -> tuple[list[int], float]:
        if p not in cache:
            cps, c, _ = cost.run(p, min_size)
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
    return cache


def penalty_path(
    series: pd.Series,
    model: BreakModel | Literal["auto"] = "auto",
    pen_min: float | None = None,
    pen_max: float | None = None,
    min_size: int = 14,
    seasonal: Any = "auto",
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
    check_whole("min_size", min_size, 1)
    for name, value in (("pen_min", pen_min), ("pen_max", pen_max)):
        number = isinstance(value, (int, float, np.integer, np.floating))
        if value is not None and (not number or isinstance(value, bool)):
            raise ParameterError(f"{name} must be None or a number >= 0, got {value!r}")
    if model == "auto":
        model = _auto_model(series)
    check_choice("model", model, tuple(COSTS))
    k = _nb_size(size, dispersion)
    ds, cost = _prepare(series, model, seasonal, k, sigma)
    _check_observed(cost, int(min_size), k is not None)
    lo, hi = _path_range(cost, dependence, int(min_size), pen_min, pen_max)
    cache = _segmentations(cost, int(min_size), lo, hi)
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
