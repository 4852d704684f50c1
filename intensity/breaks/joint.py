"""Breaks common to several count series: one optimal segmentation of a DataFrame.

The model. Every column is a count series with its own negative-binomial (or Poisson)
cost, its own overdispersion, its own seasonal adjustment and its own serial dependence
(:mod:`intensity.dependence`). A segmentation of the frame puts its breaks on the same
days in every column; its cost is the sum of the columns' costs, each divided by its
long-run variance factor (the quasi-likelihood weighting that stops serially dependent
noise from reading as breaks, as in the single-series search). The optimum is found
exactly by PELT (:func:`intensity._pelt.pelt_joint`).

The penalty. A common break adds one level parameter per column. Were the columns
independent, a break's cost reduction in *d* columns would behave as chi-squared with *d*
degrees of freedom under no change, and the penalty would be the single-series one with
*d* parameters: ``(d + 2) log n`` for ``'mbic'``. The daily losses of different categories
move together (the same day's fighting; on the real series the same-day correlation of
their residuals is 0.06–0.38), so their break statistics do too, and the sum has a
heavier tail. With R the long-run correlation of the columns' residuals, the sum behaves
as ``c chi2(nu)`` with ``c = tr(R²) / d`` and ``nu = d² / tr(R²)`` (Satterthwaite): the
cost is divided by ``c`` and the penalty uses ``nu`` parameters. Perfectly correlated
columns then count as one series, independent ones as *d*.

Which metrics moved. The search is dense: a break large in one column can be found by
the joint search too. For each break and column the column's own quasi-likelihood-ratio
statistic (the reduction of its cost by a break on that day, between the neighbouring
breaks, over its long-run variance factor) is compared with the chi-squared(1) quantile
at ``affected_level / d`` (Bonferroni over the columns): the column is *affected* when it
exceeds it. This is the per-variable penalty of subset multivariate change-point methods
(Pickering 2016, SMOP; Tickle, Eckley & Fearnhead 2021, SUBSET) applied to the candidate
breaks of the dense search, as their approximate versions do, with the penalty set as a
test. A break is **common** when at least ``min_share`` of the columns are affected.

Dates. The interval of a break's date is a parametric bootstrap as for one series, with
every column drawn from its fitted model and the latent rates correlated across columns
as the data are (:func:`intensity.dependence.simulate_joint_latent_counts`): the joint
re-estimate of the date uses every column, which is why it is sharper than any one
column's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.special import ndtri
from scipy.stats import chi2

from .. import _negbin, _pelt
from .._results import ResultMixin
from .._typing import PenaltyName
from .._validation import (
    as_regular_series,
    check_choice,
    check_fraction,
    check_whole,
    observed_bounds,
)
from ..costs import CountCost, SegmentCost
from ..dependence import (
    NO_DEPENDENCE,
    DependenceModel,
    latent_correlation,
    long_run_correlation,
    relative_residuals,
    simulate_joint_latent_counts,
)
from ..exceptions import InsufficientDataError, ParameterError, SeriesValidationError
from .results import gross_words
from .search import (
    _check_observed,
    _prepare,
    _snap_to_observed,
    dependence_and_means,
    first_possible,
    fixed_point,
    penalty_value,
)

__all__ = ["CommonBreaks", "detect_common_breaks"]

#: half-width (days) of the window around a break that its bootstrap re-segments
HALF_WINDOW = 730


# =========================================================================== result
@dataclass(frozen=True, repr=False)  # the readable repr of ResultMixin
class CommonBreaks(ResultMixin):
    """Result of :func:`intensity.detect_breaks` on a DataFrame.

    Attributes
    ----------
    frame : pd.DataFrame
        The input on its full daily index.
    breaks : pd.DataFrame
        One row per break (index = break date, the first day of the new regime): the date
        interval, the joint cost reduction and p-value, the affected metrics, their share
        and whether the break is common (share >= ``min_share``).
    metrics : pd.DataFrame
        One row per break and metric (index: date, metric): level before and after, their
        ratio with its interval, the metric's own statistic and p-value at that date,
        whether it is affected, the metric's own best break date between the neighbouring
        breaks (``own_date``) and whether that lies in the common date's interval
        (``own_in_interval``: metrics that changed a few weeks apart share one common
        date, which may then exclude each one's own).
    segments : pd.DataFrame
        One row per segment and metric: start, end, days, observed days, level with its
        interval.
    level : pd.DataFrame
        Each metric's segment level on every day (the input's index).
    dependence : dict
        Each metric's :class:`~intensity.dependence.DependenceModel`.
    correlation : pd.DataFrame
        Long-run correlation of the metrics' residuals (identity with
        ``dependence='none'``).
    effective_params, cost_scale : float
        ``nu`` and ``c`` of the penalty (see the module docstring).
    set_aside : dict
        Each metric's days far beyond the days around them
        (:func:`intensity._negbin.gross_days`), left out of its counts: one day at 100
        times the level of one metric otherwise made a common break of its own.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from intensity import detect_breaks
    >>> rng = np.random.default_rng(0)
    >>> idx = pd.date_range("2024-01-01", periods=400, freq="D")
    >>> mu = np.where(np.arange(400) < 200, 100.0, 140.0)
    >>> frame = pd.DataFrame({m: rng.poisson(mu * s) for m, s in (("a", 1), ("b", 0.3))}, index=idx)
    >>> res = detect_breaks(frame, n_boot=0)
    >>> type(res).__name__, len(res.dates)
    ('CommonBreaks', 1)
    """

    frame: pd.DataFrame
    breaks: pd.DataFrame
    metrics: pd.DataFrame
    segments: pd.DataFrame
    level: pd.DataFrame
    model: str
    penalty: float
    penalty_name: str
    min_size: int
    min_share: float
    affected_level: float
    ci: float
    sizes: dict[str, float]
    dependence: dict[str, DependenceModel]
    correlation: pd.DataFrame
    effective_params: float
    cost_scale: float
    seasonal_adjusted: bool
    positions: tuple[int, ...] = field(default_factory=tuple)
    set_aside: dict[str, tuple[pd.Timestamp, ...]] = field(default_factory=dict)

    @property
    def dates(self) -> pd.DatetimeIndex:
        """Every break date."""
        return pd.DatetimeIndex(self.breaks.index, name="date")

    @property
    def common(self) -> pd.DataFrame:
        """The breaks that count as common (at least ``min_share`` of the metrics moved)."""
        return self.breaks[self.breaks["common"].astype(bool)]

    def ratios(self) -> pd.DataFrame:
        """The level ratio (after / before) of every metric at every break, wide: one row
        per break, one column per metric."""
        return self.metrics["ratio"].unstack("metric")[list(self.frame.columns)]

    def summary(self) -> pd.DataFrame:
        b = self.breaks
        out = pd.DataFrame(index=pd.DatetimeIndex(b.index).strftime("%Y-%m-%d"))
        out.index.name = "break (first day of new regime)"
        fmt = lambda v: v.strftime("%Y-%m-%d") if pd.notna(v) else ""  # noqa: E731
        out["interval"] = [
            f"{fmt(lo)} … {fmt(hi)}" for lo, hi in zip(b["ci_lower"], b["ci_upper"], strict=True)
        ]
        out["p_value"] = b["p_value"].to_numpy()
        out["moved"] = [f"{int(k)}/{len(self.frame.columns)}" for k in b["n_affected"]]
        out["common"] = b["common"].to_numpy()
        m_ = self.metrics
        elsewhere = m_[m_["affected"].astype(bool) & ~m_["own_in_interval"].astype(bool)]
        out["moved on another date"] = [
            ", ".join(
                f"{nm} {od:%Y-%m-%d}"
                for (dd, nm), od in zip(elsewhere.index, elsewhere["own_date"], strict=True)
                if dd == d
            )
            for d in b.index
        ]
        for m in self.frame.columns:
            rows = self.metrics.xs(m, level="metric") if len(self.metrics) else None
            if rows is None:
                out[str(m)] = []
                continue
            out[f"{m} ratio [CI]"] = [
                f"{r:.2f} [{lo:.2f}, {hi:.2f}]{'*' if a else ''}"
                for r, lo, hi, a in zip(
                    rows["ratio"],
                    rows["ratio_ci_lower"],
                    rows["ratio_ci_upper"],
                    rows["affected"],
                    strict=True,
                )
            ]
        return out

    def _title(self) -> str:
        idx = self.frame.index
        n_common = int(self.breaks["common"].sum()) if len(self.breaks) else 0
        return (
            f"{len(self.breaks)} break(s) common to {len(self.frame.columns)} metrics, "
            f"{n_common} moving at least {self.min_share:.0%} of them "
            f"({idx[0]:%Y-%m-%d} … {idx[-1]:%Y-%m-%d}; model {self.model})"
        )

    def _notes(self) -> list[str]:
        d = len(self.frame.columns)
        notes = [
            f"penalty {self.penalty_name} = {self.penalty:.2f} per common break, with "
            f"{self.effective_params:.2f} effective parameters of {d} (long-run correlation "
            f"of the metrics; cost divided by {self.cost_scale:.2f}); min_size "
            f"{self.min_size} days; {self.ci:.0%} intervals",
            f"a metric moved (*) when its own statistic at the break exceeds the chi2(1) "
            f"quantile at {self.affected_level:g}/{d}; common: at least {self.min_share:.0%} "
            "of the metrics moved",
        ]
        for m, dep in self.dependence.items():
            notes.append(f"{m}: NB size k = {self.sizes[m]:.1f}; {dep.describe()}")
        if any(not dep.independent for dep in self.dependence.values()):
            notes.append(
                "the joint search reads each metric's noise as a latent AR(1), with no drift "
                "model: a metric moved where its level differs either side beyond that "
                "noise; alone, detect_breaks' default keeps only the changes beyond the "
                "drift where the level drifts, so a metric can move at more common breaks "
                "than it has breaks of its own"
            )
        if self.seasonal_adjusted:
            notes.append("breaks in the deseasonalised rates")
        notes += [
            f"{m}: {gross_words(days, 'day', 'set aside')}" for m, days in self.set_aside.items()
        ]
        return notes

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        from ..plotting import plot_common_breaks

        return plot_common_breaks(self, ax=ax, **kw)


# =========================================================================== search
def _penalty_value(penalty: PenaltyName | float, nu: float, n: int) -> tuple[float, str]:
    """The penalty per common break for *nu* effective parameters, and its name."""

    return penalty_value(penalty, nu, n), penalty if isinstance(penalty, str) else "custom"


class _Joint:
    """The columns' costs stacked for the compiled joint kernel."""

    def __init__(self, costs: Sequence[CountCost]) -> None:
        self.costs = list(costs)
        self.codes = np.array([c.code for c in costs], dtype=np.int64)
        self.N = np.vstack([c.N for c in costs])
        self.S = np.vstack([c.S for c in costs])
        self.W = np.vstack([c.W for c in costs])
        self.k = np.array([float(c.k) for c in costs])
        self.logk = np.log(self.k)
        self.n = len(costs[0].y)

    def _args(self, scale: np.ndarray) -> tuple[Any, ...]:
        return (self.N, self.S, self.W, self.k, self.logk, np.asarray(scale, dtype=float))

    def run(self, pen: float, min_size: int, scale: np.ndarray) -> list[int]:
        """The optimal common breaks for penalty *pen* and column weights *scale*."""
        F, last, _ = _pelt.pelt_joint(
            self.codes, self.n, int(min_size), float(pen), *self._args(scale)
        )
        if not np.isfinite(F[self.n]):
            raise InsufficientDataError(
                f"no segmentation with min_size={min_size} fits {self.n} days"
            )
        return SegmentCost._backtrack(F, last, pen, self.n, 0)[0]

    def costs_of(self, a: np.ndarray, b: np.ndarray, scale: np.ndarray) -> np.ndarray:
        """The joint cost of the segments ``[a[i], b[i])``."""
        return np.asarray(
            _pelt.seg_costs_joint(
                self.codes, np.asarray(a, np.int64), np.asarray(b, np.int64), *self._args(scale)
            )
        )


def _dependence_round(joint: _Joint, cps: list[int]) -> tuple[list[DependenceModel], np.ndarray]:
    """Each column's dependence model, as the single-series search reads it (outlying
    periods left out and the segment means made without them:
    :func:`~intensity.breaks.search.robust_means`), and the columns' relative residuals
    from those means for *cps*."""
    deps, res = [], []
    for c in joint.costs:
        dep, y, mu = dependence_and_means(c, cps)
        res.append(relative_residuals(y, mu, c.obs))
        deps.append(dep)
    return deps, np.vstack(res)


def _weights(
    deps: list[DependenceModel], resid: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Scale of each column's cost, the long-run correlation, ``c`` and ``nu``."""
    d = len(deps)
    f = np.array([max(dep.lrv_factor, 1.0) for dep in deps])
    if resid is None:
        R = np.eye(d)
    else:
        rho = float(np.mean([dep.rho for dep in deps]))
        R = long_run_correlation(resid, rho)
    tr2 = float(np.sum(R * R))
    c = tr2 / d
    nu = d * d / tr2
    return 1.0 / (f * c), R, c, nu


def _search(
    joint: _Joint,
    penalty: PenaltyName | float,
    m: int,
    n_obs: int,
    use_dep: bool,
) -> tuple[list[int], float, str, list[DependenceModel], np.ndarray, float, float, np.ndarray]:
    """The segmentation, re-run with each round's dependence and correlation until the
    breaks no longer change (at most 8 rounds; on a cycle the segmentation with the fewest
    breaks in it, the most conservative answer). Returns the breaks, the penalty and its
    name, the columns' dependence models, the long-run correlation, ``c``, ``nu`` and the
    columns' cost weights."""

    d = len(joint.costs)
    deps = [NO_DEPENDENCE] * d
    scale, R, c, nu = _weights(deps, None)
    pen, name = _penalty_value(penalty, nu, n_obs)
    cps = joint.run(pen, m, scale)
    if not use_dep:
        return cps, pen, name, deps, R, c, nu, scale

    def estimate(cps: list[int]) -> tuple[Any, ...]:
        deps, resid = _dependence_round(joint, cps)
        scale, R, c, nu = _weights(deps, resid)
        return deps, scale, R, c, nu, _penalty_value(penalty, nu, n_obs)[0]

    def segment(state: tuple[Any, ...]) -> tuple[list[int], None]:
        return joint.run(state[5], m, state[1]), None

    cps, _, (deps, scale, R, c, nu, pen) = fixed_point(
        cps, estimate, segment, lambda key, _state: -len(key), rerun=False
    )
    return cps, pen, name, deps, R, c, nu, scale


# =========================================================================== bootstrap
def _joint_split(
    costs: Sequence[CountCost],
    draws: np.ndarray,
    lo: int,
    hi: int,
    m: int,
    scale: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """For replicate draws (rows × columns × window days), the best common split of each
    row (window-relative) and its joint cost reduction."""
    total: np.ndarray | None = None
    taus = np.empty(0, dtype=np.int64)
    for j, c in enumerate(costs):
        obs = c.obs[lo:hi]
        cy, cn = c.window_sums(draws[:, j, :], obs, c.mult[lo:hi])
        taus, red = c.split_reductions(cy, cn, m)
        total = red * scale[j] if total is None else total + red * scale[j]
    assert total is not None
    j = np.argmax(total, axis=1)
    return taus[j], total[np.arange(len(j)), j]


def _own_split(cost: CountCost, a: int, b: int, m: int) -> int:
    """The metric's own best single split of ``[a, b)`` (the segment around a common
    break, between its neighbours), or -1 when none fits."""
    taus = np.arange(a + m, b - m + 1, dtype=np.int64)
    if not len(taus):
        return -1
    full = cost.costs(np.array([a]), np.array([b]))[0]
    red = full - cost.costs(np.full(len(taus), a), taus) - cost.costs(taus, np.full(len(taus), b))
    return int(taus[int(np.argmax(red))])


def _window_means(c: CountCost, lo: int, tau: int, hi: int) -> tuple[float, float, float]:
    def mean(a: int, b: int) -> float:
        return float((c.S[b] - c.S[a]) / max(c.exposure(a, b), 1e-12))

    return mean(lo, tau), mean(tau, hi), mean(lo, hi)


def _break_bootstrap(
    costs: Sequence[CountCost],
    bounds: np.ndarray,
    j: int,
    m: int,
    level: float,
    n_boot: int,
    rng: np.random.Generator,
    deps: list[DependenceModel],
    corr: np.ndarray,
    scale: np.ndarray,
    any_obs: np.ndarray,
) -> tuple[int, int, float, bool]:
    """Date interval and p-value of break *j* (as :meth:`CountCost.break_uncertainty`,
    for all columns at once). The window stops at the first and last days some column
    observes (*any_obs*), as the single series' does: with the all-unobserved first day of
    ``read_losses``' table the draws were a day longer than from the processed table
    (which starts a day later), and every later break's interval moved (real personnel,
    field artillery, APC and drone: 2023-10-11 [09-30, 10-21] against [10-04, 10-19])."""
    a, tau, b = int(bounds[j]), int(bounds[j + 1]), int(bounds[j + 2])
    if n_boot < 1:
        return -1, -1, math.nan, False
    seen = any_obs[a:b]
    if not seen.any():
        return tau, tau, math.nan, False
    first, end = observed_bounds(seen)
    lo, hi = max(a + first, tau - HALF_WINDOW), min(a + end, tau + HALF_WINDOW)
    L = hi - lo
    if L < 2 * m:
        return tau, tau, math.nan, False
    sizes = np.array([c.k for c in costs])
    pos = np.arange(lo, hi)
    means = [_window_means(c, lo, tau, hi) for c in costs]
    mu_alt = np.vstack(
        [
            np.where(pos < tau, m1, m2) * c.mult[lo:hi]
            for c, (m1, m2, _) in zip(costs, means, strict=True)
        ]
    )
    mu_null = np.vstack([m0 * c.mult[lo:hi] for c, (_, _, m0) in zip(costs, means, strict=True)])
    alt = simulate_joint_latent_counts(mu_alt, deps, sizes, corr, rng, n_boot)
    taus, _ = _joint_split(costs, alt, lo, hi, m, scale)
    a2 = (1 - level) / 2
    lo_d, hi_d = np.quantile(taus + lo, [a2, 1 - a2], method="inverted_cdf")
    red_obs = sum(
        s * (c.cost(lo, hi) - c.cost(lo, tau) - c.cost(tau, hi))
        for c, s in zip(costs, scale, strict=True)
    )
    # n_boot null draws, as the single-series search at most: with no exceedance the
    # p-value is the bound 1 / (n_boot + 1)
    null = simulate_joint_latent_counts(mu_null, deps, sizes, corr, rng, n_boot)
    _, red0 = _joint_split(costs, null, lo, hi, m, scale)
    exceed = int(np.sum(red0 >= red_obs - 1e-9))
    return int(lo_d), int(hi_d), (1 + exceed) / (n_boot + 1), exceed == 0


def _check_frame(frame: Any, seasonal: Any) -> None:
    """A DataFrame of at least two uniquely named columns; *seasonal* maps some of them."""
    if not isinstance(frame, pd.DataFrame):
        raise SeriesValidationError(
            f"detect_breaks on several metrics needs a DataFrame, got {type(frame).__name__}"
        )
    if frame.shape[1] < 2:
        raise ParameterError(
            f"common breaks need at least 2 columns, got {frame.shape[1]}; pass the column "
            "as a Series for one metric"
        )
    if frame.columns.has_duplicates:
        dup = frame.columns[frame.columns.duplicated()].tolist()
        raise ParameterError(f"column names must be unique, got duplicates {dup}")
    if isinstance(seasonal, str) and seasonal == "auto":
        return
    if seasonal is not None and not isinstance(seasonal, Mapping):
        raise ParameterError(
            "seasonal must be None, 'auto' or a mapping of column to SeasonalFit for a "
            f"DataFrame, got {seasonal!r}"
        )
    unknown = sorted(set(seasonal or {}) - set(map(str, frame.columns)))
    if unknown:
        raise ParameterError(f"seasonal names columns not in the frame: {unknown}")


# =========================================================================== entry point
def _frame_costs(
    frame: pd.DataFrame,
    model: str,
    seasonal: Mapping[str, Any] | str | None,
    size: float | Mapping[str, float] | None,
    min_size: int,
) -> tuple[pd.DatetimeIndex, list[CountCost], dict[str, np.ndarray]]:
    """Each column's cost on the shared daily index, and the days set aside from each
    (far beyond the days around them)."""
    _check_frame(frame, seasonal)
    costs: list[CountCost] = []
    set_aside: dict[str, np.ndarray] = {}
    index: pd.DatetimeIndex | None = None
    for col in frame.columns:
        k = size.get(str(col)) if isinstance(size, Mapping) else size
        s = frame[col].rename(str(col))
        # 'auto': each column's own choice, as detect_breaks makes it for one series
        spec = seasonal if isinstance(seasonal, str) else (seasonal or {}).get(str(col))
        # days far beyond the days around them are set aside: one day at 100 times the
        # level of one column made a common break of its own (a 14-day segment around
        # it). Found on the counts as _prepare validates them, before its seasonal fit.
        checked = as_regular_series(s, counts=True, min_observed=2).series
        masked, gross = _negbin.without_gross_days(checked)
        if gross.any():
            set_aside[str(col)] = gross
        ds, cost = _prepare(masked, model, spec, k, None)
        if ds.unit != "day":
            raise SeriesValidationError(
                f"common breaks need daily columns, got a {ds.unit}ly index"
            )
        _check_observed(cost, min_size, k is not None)
        assert isinstance(cost, CountCost)
        idx = pd.DatetimeIndex(ds.series.index)
        if index is not None and not idx.equals(index):
            raise SeriesValidationError("the columns do not share one daily index")
        index = idx
        costs.append(cost)
    assert index is not None
    return index, costs, set_aside


def detect_common_breaks(
    frame: pd.DataFrame,
    model: Literal["auto", "negbin", "poisson"] = "auto",
    penalty: PenaltyName | float = "mbic",
    min_size: int = 14,
    seasonal: Mapping[str, Any] | str | None = None,
    ci: float = 0.95,
    *,
    min_share: float = 0.5,
    affected_level: float = 0.05,
    size: float | Mapping[str, float] | None = None,
    n_boot: int = 299,
    seed: int = 0,
    dependence: Literal["auto", "ar1", "none"] = "auto",
) -> CommonBreaks:
    """Breaks common to the columns of *frame* (daily counts), with the metrics each moved.

    Called by :func:`intensity.detect_breaks` when it is given a DataFrame; see the module
    docstring for the model. Parameters as :func:`~intensity.detect_breaks`, and:

    Parameters
    ----------
    seasonal
        ``{column: SeasonalFit}`` for the columns to deseasonalise (each fitted on that
        column), or ``'auto'``: each column deseasonalised when it shows an annual cycle,
        as :func:`~intensity.detect_breaks` decides for one series (its default for a
        DataFrame). ``None`` (default here): none.
    min_share
        A break is *common* when at least this share of the columns moved at it
        (``1.0``: all of them; ``0``: every break found).
    affected_level
        Family-wise level of the per-break test of which columns moved (Bonferroni over the
        columns).
    size
        NB size for every column, or ``{column: size}``; estimated where not given.
    dependence
        ``'auto'``/``'ar1'``: each column's latent AR(1) dependence and the long-run
        correlation of the columns enter the penalty and the intervals; ``'none'``: days and
        columns taken as independent.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from intensity import detect_breaks
    >>> rng = np.random.default_rng(0)
    >>> idx = pd.date_range("2024-01-01", periods=400, freq="D")
    >>> mu = np.where(np.arange(400) < 200, 100.0, 140.0)
    >>> frame = pd.DataFrame({m: rng.poisson(mu * s) for m, s in (("a", 1), ("b", 0.3))}, index=idx)
    >>> res = detect_breaks(frame, n_boot=0)
    >>> [d.strftime("%Y-%m-%d") for d in res.dates], bool(res.breaks["common"].iloc[0])
    (['2024-07-19'], True)
    """
    check_choice("model", model, ("auto", "negbin", "poisson"))
    check_choice("dependence", dependence, ("auto", "ar1", "none"))
    ci = check_fraction("ci", ci)
    min_share = check_fraction("min_share", min_share, low=0.0, high=1.0)
    affected_level = check_fraction("affected_level", affected_level)
    check_whole("min_size", min_size, 1)
    check_whole("n_boot", n_boot, 0)
    check_whole("seed", seed, 0)
    if model == "auto":
        model = "negbin"
    m = int(min_size)
    index, costs, set_aside = _frame_costs(frame, model, seasonal, size, m)
    n = len(index)
    if n < 2 * m:
        raise InsufficientDataError(f"a break needs two segments of min_size={m} days, got {n}")
    joint = _Joint(costs)
    any_obs = np.any(np.vstack([c.obs for c in costs]), axis=0)
    n_obs = int(any_obs.sum())
    cps, pen, name, deps, R, c_scale, nu, scale = _search(
        joint, penalty, m, n_obs, dependence != "none"
    )

    cps = _snap_to_observed(cps, any_obs)
    corr = np.eye(len(costs))
    if dependence != "none":
        _, resid = _dependence_round(joint, cps)
        corr = latent_correlation(resid, deps)
    res = _build(
        frame,
        index,
        costs,
        cps,
        pen,
        name,
        m,
        ci,
        min_share,
        affected_level,
        n_boot,
        seed,
        deps,
        R,
        corr,
        c_scale,
        nu,
        scale,
        any(c.adjusted for c in costs),
    )
    days = {nm: tuple(index[g]) for nm, g in set_aside.items()}
    return replace(res, set_aside=days) if days else res


#: columns of CommonBreaks.metrics
_METRIC_COLUMNS = (
    "level_before",
    "level_after",
    "ratio",
    "ratio_ci_lower",
    "ratio_ci_upper",
    "statistic",
    "p_value",
    "affected",
    "own_date",
)


def _segment_rows(
    cost: CountCost, lv: Any, name: str, starts: np.ndarray, ends: np.ndarray, dates: np.ndarray
) -> list[dict[str, Any]]:
    """One metric's rows of CommonBreaks.segments."""
    return [
        {
            "segment": i,
            "metric": name,
            "start": dates[starts[i]],
            "end": dates[ends[i] - 1],
            "days": int(ends[i] - starts[i]),
            "observed": int(cost.N[ends[i]] - cost.N[starts[i]]),
            "level": lv.level[i],
            "ci_lower": lv.ci_lower[i],
            "ci_upper": lv.ci_upper[i],
        }
        for i in range(len(starts))
    ]


def _metrics_table(
    per_metric: list[dict[str, np.ndarray]],
    affected: np.ndarray,
    own: np.ndarray,
    names: list[str],
    dates: np.ndarray,
    cps: list[int],
) -> pd.DataFrame:
    """CommonBreaks.metrics: one row per break and metric (``own_date`` still a position)."""
    rows: dict[str, list[Any]] = {c: [] for c in _METRIC_COLUMNS}
    keys = []
    for i in range(len(cps)):
        for j, nm in enumerate(names):
            pm = per_metric[j]
            keys.append((dates[cps[i]], nm))
            values = (
                pm["lv"][i],
                pm["lv"][i + 1],
                pm["rt"][i + 1, 0],
                pm["rt"][i + 1, 1],
                pm["rt"][i + 1, 2],
                pm["stat"][i],
                pm["p"][i],
                bool(affected[i, j]),
                own[i, j],
            )
            for col, v in zip(_METRIC_COLUMNS, values, strict=True):
                rows[col].append(v)
    index = (
        pd.MultiIndex.from_tuples(keys, names=["date", "metric"])
        if keys
        else pd.MultiIndex.from_arrays([pd.DatetimeIndex([]), []], names=["date", "metric"])
    )
    return pd.DataFrame(rows, index=index)


def _own_in_interval(
    own_pos: np.ndarray, lo: np.ndarray, hi: np.ndarray, tau: np.ndarray, d: int
) -> Any:
    """Whether each metric's own best date lies in the common break's date interval
    (True where the break has no interval)."""
    if not len(tau):
        return pd.Series(dtype=bool)
    lo_rep = np.repeat(np.where(lo >= 0, np.minimum(lo, tau), tau), d)
    hi_rep = np.repeat(np.where(hi >= 0, np.maximum(hi, tau), tau), d)
    inside = (own_pos >= lo_rep) & (own_pos <= hi_rep)
    return np.where(np.repeat(lo >= 0, d), inside, True)


def _build(
    frame: pd.DataFrame,
    index: pd.DatetimeIndex,
    costs: list[CountCost],
    cps: list[int],
    pen: float,
    name: str,
    m: int,
    ci: float,
    min_share: float,
    affected_level: float,
    n_boot: int,
    seed: int,
    deps: list[DependenceModel],
    R: np.ndarray,
    corr: np.ndarray,
    c_scale: float,
    nu: float,
    scale: np.ndarray,
    adjusted: bool,
) -> CommonBreaks:
    names = [str(c) for c in frame.columns]
    d = len(names)
    n = len(index)
    dates = index.values
    z = float(ndtri(0.5 + ci / 2))
    bounds = np.array([0, *cps, n], dtype=np.int64)
    starts, ends = bounds[:-1], bounds[1:]
    k = len(cps)
    aa, tt, bb = bounds[:-2], bounds[1:-1], bounds[2:]
    threshold = float(chi2.isf(affected_level / d, 1))
    seg_rows: list[dict[str, Any]] = []
    level = {}
    affected = np.zeros((k, d), dtype=bool)
    joint_red = np.zeros(k)
    per_metric: list[dict[str, np.ndarray]] = []
    for j, (cost, dep) in enumerate(zip(costs, deps, strict=True)):
        f = max(dep.lrv_factor, 1.0)
        lv = cost.segment_levels(starts, ends, z, f)
        rt = cost.ratios(lv, z)
        red = cost.costs(aa, bb) - cost.costs(aa, tt) - cost.costs(tt, bb) if k else np.zeros(0)
        stat = red / f
        joint_red += red * scale[j]
        affected[:, j] = stat > threshold
        per_metric.append({"lv": lv.level, "rt": rt, "stat": stat, "p": chi2.sf(stat, 1)})
        level[names[j]] = np.repeat(lv.level, ends - starts)
        seg_rows += _segment_rows(cost, lv, names[j], starts, ends, dates)
    own = np.full((k, d), -1, dtype=np.int64)
    for i in range(k):
        for j, cost in enumerate(costs):
            own[i, j] = _own_split(cost, int(aa[i]), int(bb[i]), m)
    metrics = _metrics_table(per_metric, affected, own, names, dates, cps)
    rng = np.random.default_rng(seed)
    lo = np.full(k, -1, dtype=np.int64)
    hi = lo.copy()
    p = np.full(k, np.nan)
    bound = np.zeros(k, dtype=bool)
    any_obs = np.any(np.vstack([c.obs for c in costs]), axis=0)
    for i in range(k):
        lo[i], hi[i], p[i], bound[i] = _break_bootstrap(
            costs, bounds, i, m, ci, n_boot, rng, deps, corr, scale, any_obs
        )
    tau = bounds[1:-1]
    lo = np.where(lo >= 0, np.minimum(lo, first_possible(any_obs, tau)), lo)
    nat = np.datetime64("NaT")
    own_pos = np.asarray(metrics["own_date"], dtype=np.int64)
    metrics["own_date"] = np.where(own_pos >= 0, dates[np.clip(own_pos, 0, n - 1)], nat)
    metrics["own_in_interval"] = _own_in_interval(own_pos, lo, hi, tau, d)
    n_aff = affected.sum(axis=1)
    share = n_aff / d
    breaks = pd.DataFrame(
        {
            "ci_lower": np.where(lo >= 0, dates[np.clip(np.minimum(lo, tau), 0, n - 1)], nat),
            "ci_upper": np.where(hi >= 0, dates[np.clip(np.maximum(hi, tau), 0, n - 1)], nat),
            "cost_reduction": joint_red,
            "p_value": p,
            "p_bound": bound,
            "n_affected": n_aff.astype(int),
            "share": share,
            "common": share >= min_share - 1e-12,
            "affected": [
                ", ".join(nm for nm, a in zip(names, row, strict=True) if a) for row in affected
            ],
            "position": np.asarray(cps, dtype=np.int64),
        },
        index=pd.DatetimeIndex(dates[np.asarray(cps, dtype=np.int64)], name="date"),
    )
    segments = (
        pd.DataFrame(seg_rows).set_index(["segment", "metric"]) if seg_rows else pd.DataFrame()
    )
    return CommonBreaks(
        frame=pd.DataFrame(
            {nm: frame[col].reindex(index) for nm, col in zip(names, frame.columns, strict=True)},
            index=index,
        ),
        breaks=breaks,
        metrics=metrics,
        segments=segments,
        level=pd.DataFrame(level, index=index),
        model=costs[0].name,
        penalty=pen,
        penalty_name=name,
        min_size=m,
        min_share=min_share,
        affected_level=affected_level,
        ci=ci,
        sizes={nm: float(c.k) for nm, c in zip(names, costs, strict=True)},
        dependence=dict(zip(names, deps, strict=True)),
        correlation=pd.DataFrame(R, index=names, columns=names),
        effective_params=nu,
        cost_scale=c_scale,
        seasonal_adjusted=adjusted,
        positions=tuple(int(c) for c in cps),
    )
