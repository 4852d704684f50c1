"""Trend breaks: exact optimal segmentation of daily counts, with uncertainty on the dates.

Conventions, stated once and used everywhere:

* A **break date is the first day of the new regime**. Internally a break is the 0-based
  position of that day. Other tools differ: strucchange reports the last observation of the
  old regime (1-based, so the *same integer*), ruptures the exclusive end of the old segment
  (again the same integer), TCPD annotations the 0-based first index of the new regime.
  :func:`from_strucchange`, :func:`to_ruptures` and :func:`from_ruptures` convert.
* Costs are twice the negative log-likelihood; segment parameters are profiled out.
  Missing days contribute nothing; a break is always placed on an observed day.
* ``min_size`` counts periods of the series' frequency (days for daily counts; weekly,
  monthly, quarterly and yearly series are segmented the same way, see
  :func:`~intensity._validation.as_regular_series`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from . import _codes
from ._results import ResultMixin
from ._typing import BreakModel, PenaltyName
from ._validation import (
    as_regular_series,
    check_choice,
    check_fraction,
    require_nonzero,
)
from .dependence import (
    DependenceModel,
    estimate_dependence,
    simulate_latent_counts,
)
from .exceptions import InsufficientDataError, ParameterError

__all__ = [
    "detect_breaks",
    "Breaks",
    "penalty_path",
    "PenaltyPath",
    "estimate_dispersion",
    "to_ruptures",
    "from_ruptures",
    "from_strucchange",
    "bai_interval",
]

_MODELS: dict[str, int] = {
    "poisson": _codes.POISSON,
    "negbin": _codes.NEGBIN,
    "normal": _codes.NORMAL,
    "normal_meanvar": _codes.NORMAL_MEANVAR,
    "linear_trend": _codes.LINEAR,
}
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
#: parameters a break adds (a continuous trend's knot adds one slope change)
_N_PARAMS = {"poisson": 1, "negbin": 1, "normal": 1, "normal_meanvar": 2, "linear_trend": 1}
_COUNT_MODELS = ("poisson", "negbin")


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
    """NB2 size ``k`` (variance ``mu + mu**2/k``) from neighbouring days.

    Adjacent days share nearly the same mean, so ``(y_t - y_{t-1})**2 / 2 - (y_t +
    y_{t-1})/2`` estimates ``mu**2/k`` and ``y_t * y_{t-1}`` estimates ``mu**2``, whatever the
    level does over longer spans: a level shift or trend barely affects the estimate (a
    global variance would count every shift as overdispersion). Nothing is trimmed:
    trimming the largest differences biases ``k`` upwards (about +15% for a 1% trim),
    which would make the break search anti-conservative; spikes instead make it
    conservative. Returns ``inf`` when the data are not overdispersed (Poisson).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.negative_binomial(20, 20 / (20 + 500.0), size=5000).astype(float)
    >>> 17 < estimate_dispersion(y) < 23
    True
    """
    a, b = y[:-1], y[1:]
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    if len(a) < 5:
        return float("inf")
    num = float(np.sum(a * b))
    den = float(np.sum(0.5 * (a - b) ** 2 - 0.5 * (a + b)))
    if den <= 0 or num <= 0:
        return float("inf")
    return num / den


def _robust_sigma(y: np.ndarray) -> float:
    """Noise standard deviation from first differences (MAD), robust to level shifts."""
    z = y[~np.isnan(y)]
    if len(z) < 3:
        return 1.0
    d = np.diff(z)
    s = 1.4826 * np.median(np.abs(d - np.median(d))) / math.sqrt(2)
    if s <= 0:
        s = float(np.std(d)) / math.sqrt(2) or 1.0
    return float(s)


@dataclass(frozen=True)
class _Prepared:
    model: str
    y: np.ndarray  # the values the cost sees (deseasonalised where applicable), NaN = missing
    obs: np.ndarray
    mult: np.ndarray  # seasonal multipliers (1 without adjustment)
    N: np.ndarray
    S: np.ndarray
    Q: np.ndarray
    W: np.ndarray
    k: float
    sigma: float
    var_floor: float
    unit: str = "day"  # the period of the index: 'day', 'week', 'month', 'quarter', 'year'
    # exact continuous fits by (penalty, min_size): detect_breaks needs the knots and then
    # builds the table from the same fit, so the quadratic-time solve runs once
    _continuous: dict[tuple[float, int], Any] = field(
        default_factory=dict, compare=False, repr=False
    )

    def cost(self, a: int, b: int) -> float:
        from . import _pelt  # numba is imported only when a segmentation is computed

        return float(
            _pelt.seg_cost(
                _MODELS[self.model],
                a,
                b,
                self.N,
                self.S,
                self.Q,
                self.W,
                self.k,
                1.0 / self.sigma**2,
                self.var_floor,
            )
        )

    def continuous_sums(self) -> tuple[np.ndarray, ...]:
        """Inclusive prefix sums of w, w·u, w·u², w·z, w·z·u, w·z² (w = 1/σ² on observed
        days, u = day position, z = the log1p values) for the continuous trend model."""
        u = np.arange(len(self.y), dtype=float)
        w = self.obs.astype(float) / self.sigma**2
        z = np.where(self.obs, self.y, 0.0)
        return tuple(np.cumsum(x) for x in (w, w * u, w * u * u, w * z, w * z * u, w * z * z))

    def run_continuous(
        self, pen: float, min_size: int
    ) -> tuple[np.ndarray, np.ndarray, float, int]:
        """Exact continuous piecewise-linear fit (knots with ends, values, cost, candidates)."""
        from . import _pelt

        key = (float(pen), int(min_size))
        if key not in self._continuous:
            knots, values, cost, alive = _pelt.cpop(
                len(self.y), int(min_size), float(pen), *self.continuous_sums()
            )
            self._continuous[key] = (knots, values, float(cost), int(alive))
        return self._continuous[key]

    def _sums(self) -> tuple[Any, ...]:
        """The kernels' cost arguments after (model, n, min_size[, pen])."""
        return (self.N, self.S, self.Q, self.W, float(self.k), 1.0 / self.sigma**2, self.var_floor)

    def run_exact(self, n_breaks: int, min_size: int) -> tuple[list[int], float]:
        """The optimal segmentation with exactly *n_breaks* breaks and its cost."""
        from . import _pelt

        n = len(self.y)
        if n < (n_breaks + 1) * min_size:
            raise InsufficientDataError(
                f"{n_breaks} breaks need {n_breaks + 1} segments of min_size={min_size}, "
                f"got {n} periods"
            )
        cps, cost = _pelt.segneigh(
            _MODELS[self.model], n, int(n_breaks), int(min_size), *self._sums()
        )
        if not np.isfinite(cost):
            raise InsufficientDataError(
                f"no segmentation with {n_breaks} breaks and min_size={min_size} fits {n} periods"
            )
        return [int(c) for c in cps], float(cost)

    def run(
        self, pen: float, min_size: int, functional: bool = True
    ) -> tuple[list[int], float, int]:
        from . import _pelt

        n = len(self.y)
        args = (_MODELS[self.model], n, int(min_size), float(pen), *self._sums())
        if self.model == "linear_trend":
            knots, _, cost, alive = self.run_continuous(pen, min_size)
            return [int(k) for k in knots[1:-1]], cost, alive
        if functional and self.model in ("poisson", "negbin", "normal"):
            F, last, alive = _pelt.fpop(*args)
        else:
            F, last, alive = _pelt.pelt(*args)
        if not np.isfinite(F[n]):
            raise InsufficientDataError(
                f"no segmentation with min_size={min_size} fits {n} {self.unit}s"
            )
        cps = []
        t = n
        while t > 0:
            s = int(last[t])
            if s > 0:
                cps.append(s)
            t = s
        cps = sorted(cps)
        # F[n] = sum of segment costs + pen * (number of breaks), because F[0] = -pen
        return cps, float(F[n]) - pen * len(cps), int(alive)


def _prefix(x: np.ndarray) -> np.ndarray:
    out = np.zeros(len(x) + 1)
    np.cumsum(x, out=out[1:])
    return out


def _prepare(
    series: pd.Series,
    model: str,
    seasonal: Any,
    dispersion: float | None,
    sigma: float | None,
) -> tuple[Any, _Prepared]:
    ds = as_regular_series(series, counts=model in _COUNT_MODELS, min_observed=2)
    if model in _COUNT_MODELS:
        require_nonzero(ds, what=f"detect_breaks(model={model!r})")
    y = ds.values.copy()
    obs = ds.observed
    n = len(y)
    mult = np.ones(n)
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
    if model in _COUNT_MODELS:
        if np.any(np.abs(y[obs] - np.round(y[obs])) > 1e-9):
            raise ParameterError(
                f"model={model!r} needs whole-number counts; use model='normal' for other data"
            )
    yy = np.where(obs, y, 0.0)
    if model == "poisson":
        cost_y = yy
        w = np.where(obs, mult, 0.0)
    else:
        cost_y = np.where(obs, yy / mult, 0.0)
        w = obs.astype(float)
    if model == "linear_trend":
        cost_y = np.where(
            obs, np.log1p(np.clip(cost_y, 0, None)) if (y[obs] >= 0).all() else cost_y, 0.0
        )
    o = obs.astype(float)
    yd = np.where(obs, cost_y, np.nan)
    k = float("inf")
    if model == "negbin":
        k = float(dispersion) if dispersion is not None else estimate_dispersion(yd)
        if not np.isfinite(k):
            k = 1e8  # no overdispersion: the NB cost tends to the Poisson one
        if k <= 0:
            raise ParameterError(f"dispersion (NB size) must be positive, got {k!r}")
    if sigma is not None:
        sig = float(sigma)
        if not sig > 0:
            raise ParameterError(f"sigma must be positive, got {sigma!r}")
    elif model == "linear_trend":
        d2 = np.diff(yd, n=2)
        d2 = d2[~np.isnan(d2)]
        sig = (
            float(1.4826 * np.median(np.abs(d2 - np.median(d2))) / math.sqrt(6)) if len(d2) else 1.0
        )
        sig = sig if sig > 0 else 1.0
    else:
        sig = _robust_sigma(yd)
    spread = float(np.nanvar(yd)) if np.isfinite(np.nanvar(yd)) else 1.0
    prep = _Prepared(
        model=model,
        y=yd,
        obs=obs,
        mult=mult,
        N=_prefix(o),
        S=_prefix(cost_y * o),
        Q=_prefix(cost_y**2 * o),
        W=_prefix(w),
        k=k,
        sigma=sig,
        var_floor=max(spread * 1e-6, 1e-12),
        unit=ds.unit,
    )
    return ds, prep


def _auto_model(v: np.ndarray) -> BreakModel:
    """'negbin' for whole non-negative numbers, else 'normal'."""
    counts = bool((v >= 0).all() and np.all(np.abs(v - np.round(v)) <= 1e-9))
    return "negbin" if counts else "normal"


def _penalty(penalty: PenaltyName | float, model: str, n: int) -> float:
    p = _N_PARAMS[model]
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


# =========================================================================== intervals
def _pargmax_v(x: float, xi: float = 1.0, phi1: float = 1.0, phi2: float = 1.0) -> float:
    """CDF of the location of the maximum of a two-sided Brownian motion with drift
    (Bai 1997, Proposition 3), the limit law of a break-date estimator."""
    phi = xi * (phi2 / phi1) ** 2
    ax = abs(x)
    if ax == 0:
        ax = 1e-300
    if x < 0:
        frac = xi / phi
        return float(
            -math.exp(math.log(ax) / 2 - ax / 8 - math.log(2 * math.pi) / 2)
            - (phi / xi * (phi + 2 * xi) / (phi + xi))
            * math.exp(
                frac * (1 + frac) * ax / 2 + stats.norm.logcdf(-(0.5 + frac) * math.sqrt(ax))
            )
            + math.exp(
                math.log(ax / 2 - 2 + (phi + 2 * xi) ** 2 / ((phi + xi) * xi))
                + stats.norm.logcdf(-math.sqrt(ax) / 2)
            )
        )
    frac = xi**2 / phi
    return float(
        1
        + math.sqrt(frac) * math.exp(math.log(ax) / 2 - frac * ax / 8 - math.log(2 * math.pi) / 2)
        + (xi / phi * (2 * phi + xi) / (phi + xi))
        * math.exp(
            (phi + xi) * ax / 2
            + stats.norm.logcdf(-(phi + xi / 2) / math.sqrt(phi) * math.sqrt(ax))
        )
        - math.exp(
            math.log((2 * phi + xi) ** 2 / ((phi + xi) * phi) - 2 + frac * ax / 2)
            + stats.norm.logcdf(-math.sqrt(frac) * math.sqrt(ax) / 2)
        )
    )


def bai_interval(
    tau: int, delta: float, var1: float, var2: float, level: float = 0.95
) -> tuple[int, int] | None:
    """Bai's (1997) asymptotic confidence interval of a mean-shift date.

    ``tau`` is the first index of the new regime, ``delta`` the shift in the mean, ``var1``
    and ``var2`` the noise variances before and after (heteroskedastic errors, as the
    default of R's ``strucchange::confint``). Returns (lower, upper) positions, or
    ``None`` where the interval cannot be computed (as strucchange, when the limit law puts
    less than ``(1 - level)/2`` on either side of the estimate, or without a shift).
    """
    from scipy.optimize import brentq

    a2 = (1 - level) / 2
    if not (var1 > 0 and var2 > 0 and np.isfinite(delta)) or delta == 0:
        return None
    phi1, phi2 = math.sqrt(var1), math.sqrt(var2)
    q = delta**2
    p0 = _pargmax_v(0.0, 1.0, phi1, phi2)
    if not a2 < p0 < 1 - a2:
        return None  # as strucchange: the interval cannot be computed

    def f(x: float, target: float) -> float:
        return _pargmax_v(x, 1.0, phi1, phi2) - target

    ub = 1000.0
    while f(ub, 1 - a2) < 0:
        ub += 1000.0
    lb = -1000.0
    while f(lb, a2) > 0:
        lb -= 1000.0
    upper = brentq(f, 0.0, ub, args=(1 - a2,)) * phi1**2 / q
    lower = brentq(f, lb, 0.0, args=(a2,)) * phi1**2 / q
    return tau - math.ceil(upper), tau - math.floor(lower)


def _two_seg_best(
    cum_y: np.ndarray,
    cum_n: np.ndarray,
    cum_w: np.ndarray,
    lo: int,
    hi: int,
    model: str,
    k: float,
    m: int,
) -> tuple[np.ndarray, np.ndarray]:
    """For replicate rows of window prefix sums, the best single split in [lo+m, hi-m] and
    its cost reduction against no split. Arrays are (B, L+1) prefix sums."""
    L = cum_y.shape[1] - 1
    taus = np.arange(m, L - m + 1)
    Sy_l = cum_y[:, taus]
    Sy_r = cum_y[:, [L]] - Sy_l
    n_l = cum_n[:, taus]
    n_r = cum_n[:, [L]] - n_l
    w_l = cum_w[:, taus]
    w_r = cum_w[:, [L]] - w_l

    def c(s: np.ndarray, nn: np.ndarray, ww: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            if model == "poisson":
                v = -2.0 * (s * np.log(s / ww) - s)
            else:
                mu = s / nn
                v = -2.0 * (s * np.log(mu) - (s + k * nn) * np.log(k + mu) + k * nn * math.log(k))
        return np.where((s > 0) & (nn > 0), v, 0.0)

    full = c(cum_y[:, [L]], cum_n[:, [L]], cum_w[:, [L]])
    split = c(Sy_l, n_l, w_l) + c(Sy_r, n_r, w_r)
    red = full - split
    j = np.argmax(red, axis=1)
    return taus[j] + lo, red[np.arange(len(j)), j]


def _bootstrap_break(
    prep: _Prepared,
    a: int,
    tau: int,
    b: int,
    m: int,
    level: float,
    B: int,
    rng: np.random.Generator,
    half_window: int,
    dep: DependenceModel | None = None,
) -> tuple[int, int, float, bool]:
    """Parametric bootstrap under the fitted count model (with *dep*, counts from the
    latent AR(1) model, so dependence is not read as a break): interval for the break date
    (percentile of re-estimated dates) and p-value of the break (max cost reduction over
    split positions under the merged segment). When no null draw is as extreme, up to
    ``2 * B`` more are drawn; the p-value is then the bound ``1/(draws + 1)`` and the last
    value returned is True."""
    lo = max(a, tau - half_window)
    hi = min(b, tau + half_window)
    obs = prep.obs[lo:hi]
    mult = prep.mult[lo:hi]
    L = hi - lo
    if B < 1:
        return -1, -1, float("nan"), False
    if L < 2 * m or obs.sum() < 2 * m // 2:
        return tau, tau, float("nan"), False
    n_l, n_r = prep.N[tau] - prep.N[lo], prep.N[hi] - prep.N[tau]
    if prep.model == "poisson":
        mu1 = (prep.S[tau] - prep.S[lo]) / max(prep.W[tau] - prep.W[lo], 1e-12)
        mu2 = (prep.S[hi] - prep.S[tau]) / max(prep.W[hi] - prep.W[tau], 1e-12)
        mu0 = (prep.S[hi] - prep.S[lo]) / max(prep.W[hi] - prep.W[lo], 1e-12)
    else:
        mu1 = (prep.S[tau] - prep.S[lo]) / max(n_l, 1)
        mu2 = (prep.S[hi] - prep.S[tau]) / max(n_r, 1)
        mu0 = (prep.S[hi] - prep.S[lo]) / max(n_l + n_r, 1)
    pos = np.arange(lo, hi)
    w_eff = mult if prep.model == "poisson" else np.ones(L)

    def draw(mean: np.ndarray, rows: int) -> np.ndarray:
        if dep is not None and not dep.independent:
            return simulate_latent_counts(mean, dep, rng, rows)
        if prep.model == "poisson" or prep.k >= 1e7:
            return rng.poisson(mean, size=(rows, L)).astype(float)
        return rng.negative_binomial(prep.k, prep.k / (prep.k + mean), size=(rows, L)).astype(float)

    def prefix_rows(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = y.shape[0]
        yo = y * obs
        if prep.model == "negbin":
            yo = yo / mult  # the cost sees deseasonalised values
        cy = np.zeros((rows, L + 1))
        np.cumsum(yo, axis=1, out=cy[:, 1:])
        cn = np.zeros((rows, L + 1))
        cn[:, 1:] = np.cumsum(obs.astype(float))
        cw = np.zeros((rows, L + 1))
        cw[:, 1:] = np.cumsum(w_eff * obs)
        return cy, cn, cw

    mean_alt = np.where(pos < tau, mu1, mu2) * mult
    cy, cn, cw = prefix_rows(draw(mean_alt, B))
    taus, _ = _two_seg_best(cy, cn, cw, lo, hi, prep.model, prep.k, m)
    a2 = (1 - level) / 2
    lo_d, hi_d = np.quantile(taus, [a2, 1 - a2], method="inverted_cdf")
    # observed cost reduction in the same window
    red_obs = prep.cost(lo, hi) - prep.cost(lo, tau) - prep.cost(tau, hi)
    exceed = draws = 0
    for _ in range(3):
        cy0, cn0, cw0 = prefix_rows(draw(np.full(L, mu0) * mult, B))
        _, red0 = _two_seg_best(cy0, cn0, cw0, lo, hi, prep.model, prep.k, m)
        exceed += int(np.sum(red0 >= red_obs - 1e-9))
        draws += B
        if exceed:
            break
    p = (1 + exceed) / (draws + 1)
    return int(lo_d), int(hi_d), float(p), exceed == 0


# =========================================================================== result
@dataclass(frozen=True)
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
        (``None``: days taken as independent).
    unit : str
        The period of the index ('day', 'week', 'month', 'quarter' or 'year'); ``min_size``
        and positions count these.
    """

    series: pd.Series
    breaks: pd.DataFrame
    segments: pd.DataFrame
    level: pd.Series
    model: str
    penalty: float
    penalty_name: str
    min_size: int
    dispersion: float | None
    sigma: float | None
    ci: float
    cost: float
    seasonal_adjusted: bool
    positions: tuple[int, ...] = field(default_factory=tuple)
    dependence: DependenceModel | None = None
    unit: str = "day"

    @property
    def dates(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.breaks.index)

    def summary(self) -> pd.DataFrame:
        cols = [*_BREAK_COLUMNS, "p_bound"] if "p_bound" in self.breaks else _BREAK_COLUMNS
        out = self.breaks[cols].copy()
        for c in ("ci_lower", "ci_upper"):
            out[c] = pd.to_datetime(out[c]).dt.strftime("%Y-%m-%d")
        out.index = pd.DatetimeIndex(out.index).strftime("%Y-%m-%d")
        out.index.name = "break (first day of new regime)"
        return out

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
        if self.dispersion is not None and self.dispersion >= 1e7:
            notes.append("no overdispersion found: the NB cost is its Poisson limit")
        elif self.dispersion is not None:
            notes.append(
                f"NB size k = {self.dispersion:.1f} (estimated once from neighbouring {self.unit}s)"
            )
        if self.seasonal_adjusted:
            notes.append("breaks in the deseasonalised rate (weekday and annual effects removed)")
        if self.dependence is not None:
            notes.append(
                self.dependence.describe()
                + "; the penalty is multiplied by it, level intervals widened by its square "
                "root, the bootstrap simulates dependent counts"
            )
        elif self.model in _COUNT_MODELS:
            notes.append(f"{self.unit}s taken as independent (dependence='none')")
        if "p_bound" in self.breaks and self.breaks["p_bound"].astype(bool).any():
            notes.append("p_bound: the p-value is an upper bound (no bootstrap draw as extreme)")
        if self.model == "linear_trend":
            notes.append(
                "continuous trend of log1p counts: each break is a knot where the slope changes; "
                "levels before/after are slopes (log change per "
                f"{'30 days' if self.unit == 'day' else self.unit}), "
                "ratio = exp(slope change); "
                "date intervals from the profile likelihood"
            )
        return notes

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        from .plotting import plot_breaks

        return plot_breaks(self, ax=ax, **kw)


def detect_breaks(
    series: pd.Series,
    model: BreakModel | Literal["auto"] = "auto",
    penalty: PenaltyName | float = "mbic",
    min_size: int = 14,
    max_breaks: int | None = None,
    seasonal: Any = None,
    ci: float = 0.95,
    *,
    dispersion: float | None = None,
    sigma: float | None = None,
    n_boot: int = 299,
    seed: int = 0,
    dependence: Literal["auto", "ar1", "none"] | DependenceModel = "auto",
    n_breaks: int | None = None,
) -> Breaks:
    """Find level (or trend) breaks by exact optimal segmentation.

    PELT (Killick, Fearnhead & Eckley 2012) with functional pruning minimises the total
    segment cost plus ``penalty`` per break, exactly.

    Parameters
    ----------
    series
        Daily values (``DatetimeIndex``), or weekly, monthly, quarterly or yearly ones (the
        index's ``freq`` or the coarsest calendar grid holding every date). Missing periods
        are allowed.
    model
        ``'negbin'`` (counts with overdispersion; NB size estimated once from neighbouring
        days, see :func:`estimate_dispersion`), ``'poisson'``, ``'normal'`` (mean change,
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
    dispersion, sigma
        Fix the NB size or the Gaussian noise sd instead of estimating them.
        ``sigma=1`` with ``model='normal'`` makes the cost the plain sum of squared
        deviations (ruptures' ``"l2"``).
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
    check_choice("model", model, ("auto", *_MODELS))
    ci = check_fraction("ci", ci)
    if not isinstance(min_size, (int, np.integer)) or isinstance(min_size, bool) or min_size < 1:
        raise ParameterError(f"min_size must be a whole number >= 1, got {min_size!r}")
    if max_breaks is not None and (not isinstance(max_breaks, (int, np.integer)) or max_breaks < 0):
        raise ParameterError(f"max_breaks must be None or a whole number >= 0, got {max_breaks!r}")
    if n_breaks is not None and (
        not isinstance(n_breaks, (int, np.integer)) or isinstance(n_breaks, bool) or n_breaks < 0
    ):
        raise ParameterError(f"n_breaks must be None or a whole number >= 0, got {n_breaks!r}")
    if n_breaks is not None and max_breaks is not None:
        raise ParameterError("give n_breaks or max_breaks, not both")
    if n_breaks is not None and model == "linear_trend":
        raise ParameterError("n_breaks is not available for model='linear_trend'")
    if model == "auto":
        ds0 = as_regular_series(series, counts=False, min_observed=2)
        v = ds0.values[ds0.observed]
        model = _auto_model(v)
    ds, prep = _prepare(series, model, seasonal, dispersion, sigma)
    n = len(prep.y)
    if n < 2 * min_size:
        raise InsufficientDataError(
            f"a break needs two segments of min_size={min_size} {prep.unit}s, got {n} {prep.unit}s"
        )
    _check_observed(prep, int(min_size), dispersion)
    pen = _penalty(penalty, model, int(prep.obs.sum()))
    dep = _dependence_choice(dependence, model)
    dep_model: DependenceModel | None = dep if isinstance(dep, DependenceModel) else None
    if n_breaks is not None:
        cps, total = prep.run_exact(int(n_breaks), int(min_size))
        if dep == "ar1":
            dep_model = _segmentation_dependence(prep, cps)
        pen = float("nan")
        penalty = f"n_breaks={int(n_breaks)}"  # type: ignore[assignment]
    elif dep == "ar1":
        cps, total, pen, dep_model = _search_with_dependence(prep, pen, int(min_size))
    else:
        if dep_model is not None:
            pen = pen * dep_model.lrv_factor
        cps, total, _ = prep.run(pen, int(min_size))
    if max_breaks is not None and len(cps) > max_breaks:
        lo_p, hi_p = pen, max(pen * 2, 1.0)
        while len(prep.run(hi_p, int(min_size))[0]) > max_breaks:
            hi_p *= 2
        for _ in range(50):
            mid = (lo_p + hi_p) / 2
            if len(prep.run(mid, int(min_size))[0]) > max_breaks:
                lo_p = mid
            else:
                hi_p = mid
        pen = hi_p
        cps, total, _ = prep.run(pen, int(min_size))
    if model == "linear_trend":
        return _build_linear_breaks(ds, prep, pen, penalty, int(min_size), ci, seasonal is not None)
    cps = _snap_to_observed(cps, prep.obs)
    return _build_breaks(
        ds,
        prep,
        cps,
        pen,
        penalty,
        int(min_size),
        ci,
        seasonal is not None,
        n_boot,
        seed,
        total,
        dep_model,
    )


def _dependence_choice(dependence: Any, model: str) -> str | DependenceModel | None:
    if isinstance(dependence, DependenceModel):
        if model not in _COUNT_MODELS:
            raise ParameterError(f"dependence models are for count models, got model={model!r}")
        return dependence
    check_choice("dependence", dependence, ("auto", "ar1", "none"))
    if dependence == "none":
        return None
    if model not in _COUNT_MODELS:
        if dependence == "ar1":
            raise ParameterError(
                f"dependence='ar1' is implemented for the count models, got model={model!r}"
            )
        return None
    return "ar1"


def _fitted_means(prep: _Prepared, cps: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Raw counts and the segmentation's fitted mean for every day (level × seasonal
    multiplier), as the dependence estimate needs them."""
    n = len(prep.y)
    mu = np.empty(n)
    bounds = [0, *cps, n]
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        if prep.model == "poisson":
            lev = (prep.S[b] - prep.S[a]) / max(prep.W[b] - prep.W[a], 1e-12)
        else:
            lev = (prep.S[b] - prep.S[a]) / max(prep.N[b] - prep.N[a], 1.0)
        mu[a:b] = lev
    mu = mu * prep.mult
    y = prep.y if prep.model == "poisson" else prep.y * prep.mult
    return y, mu


def _segmentation_dependence(prep: _Prepared, cps: Sequence[int]) -> DependenceModel:
    """The dependence model of the residuals of the segmentation *cps*, against the NB size
    the cost assumes."""
    y, mu = _fitted_means(prep, cps)
    return estimate_dependence(y, mu, prep.obs, prep.k if prep.model == "negbin" else math.inf)


def _search_with_dependence(
    prep: _Prepared, pen0: float, m: int
) -> tuple[list[int], float, float, DependenceModel]:
    """Segment with the penalty times the long-run variance factor of the residuals of the
    segmentation itself, repeated until the breaks no longer change (at most 8 rounds;
    on a cycle the largest factor in it, the most conservative answer, is kept)."""
    cps = prep.run(pen0, m)[0]
    seen: dict[tuple[int, ...], DependenceModel] = {}
    for _ in range(8):
        key = tuple(cps)
        if key in seen:  # a cycle: the segmentations from the first repeat on
            cycle = list(seen)[list(seen).index(key) :]
            dep = max((seen[c] for c in cycle), key=lambda d: d.lrv_factor)
            break
        dep = seen[key] = _segmentation_dependence(prep, cps)
        new, total, _ = prep.run(pen0 * dep.lrv_factor, m)
        if new == cps:
            return cps, total, pen0 * dep.lrv_factor, dep
        cps = new
    pen = pen0 * dep.lrv_factor
    cps, total, _ = prep.run(pen, m)
    return cps, total, pen, dep


#: The fewest observed days the search accepts, as :func:`~intensity.fit_seasonal` does.
MIN_OBSERVED = 30


def _check_observed(prep: _Prepared, min_size: int, dispersion: float | None) -> None:
    """Refuse series too sparse to segment honestly: fewer than ``max(30, 2 * min_size)``
    observed days, or (negative binomial with estimated dispersion) fewer than 5 pairs of
    neighbouring observed days to estimate the dispersion from. Without this rule a series
    with 20 observed days over 165 gets breaks between single observations, zero-width
    intervals and NaN p-values."""
    n_obs = int(prep.obs.sum())
    need = max(MIN_OBSERVED, 2 * min_size)
    if n_obs < need:
        raise InsufficientDataError(
            f"detect_breaks needs at least {need} observed {prep.unit}s (30, and two segments of "
            f"min_size={min_size}), got {n_obs} of {len(prep.obs)}"
        )
    if prep.model == "negbin" and dispersion is None:
        pairs = int(np.sum(prep.obs[1:] & prep.obs[:-1]))
        if pairs < 5:
            raise InsufficientDataError(
                f"the NB dispersion is estimated from neighbouring observed {prep.unit}s, and this "
                f"series has {pairs} such pairs (at least 5 needed); pass dispersion= or use "
                "model='poisson'"
            )


def _breaks_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The breaks table, indexed by break date (empty with the right columns)."""
    if rows:
        return pd.DataFrame(rows).set_index("date")
    cols = [*_BREAK_COLUMNS, "position"]
    return pd.DataFrame(columns=cols, index=pd.DatetimeIndex([], name="date"))


def _segment_stats(
    prep: _Prepared, a: int, b: int, z: float, inflate: float = 1.0
) -> dict[str, float]:
    """Level of one segment with its interval; *inflate* is the long-run variance factor
    of serially dependent counts (the variance of a mean is that much larger)."""
    nn = prep.N[b] - prep.N[a]
    s = prep.S[b] - prep.S[a]
    if nn <= 0:
        return {
            "level": np.nan,
            "ci_lower": np.nan,
            "ci_upper": np.nan,
            "log": np.nan,
            "se": np.nan,
        }
    if prep.model in _COUNT_MODELS:
        expo = prep.W[b] - prep.W[a] if prep.model == "poisson" else nn
        mu = s / expo
        k = prep.k if prep.model == "negbin" else np.inf
        if mu <= 0:
            return {"level": 0.0, "ci_lower": 0.0, "ci_upper": np.nan, "log": -np.inf, "se": np.inf}
        se = math.sqrt(inflate * (1.0 / s + (1.0 / k if np.isfinite(k) else 0.0) / nn))
        lg = math.log(mu)
        return {
            "level": mu,
            "ci_lower": math.exp(lg - z * se),
            "ci_upper": math.exp(lg + z * se),
            "log": lg,
            "se": se,
        }
    mean = s / nn
    var = max((prep.Q[b] - prep.Q[a]) / nn - mean**2, 0.0)
    sd = math.sqrt(var) if prep.model == "normal_meanvar" else prep.sigma
    se = sd / math.sqrt(nn)
    return {
        "level": mean,
        "ci_lower": mean - z * se,
        "ci_upper": mean + z * se,
        "log": np.nan,
        "se": se,
        "var": var,
    }


def _span_days(ds: Any, a: int, b: int) -> int:
    """Calendar days covered by periods a … b-1 of the series (b - a for daily data)."""
    if ds.is_daily:
        return b - a
    idx = ds.series.index
    return int(((idx[b - 1] + ds.freq) - idx[a]).days)


def _build_breaks(
    ds: Any,
    prep: _Prepared,
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
    idx = ds.series.index
    n = len(idx)
    z = float(stats.norm.ppf(0.5 + ci / 2))
    bounds = [0, *cps, n]
    seg_rows = []
    stats_ = []
    level = np.empty(n)
    for i in range(len(bounds) - 1):
        a, b = bounds[i], bounds[i + 1]
        st = _segment_stats(prep, a, b, z, 1.0 if dep is None else dep.lrv_factor)
        stats_.append(st)
        level[a:b] = st["level"]
        row = {
            "start": idx[a],
            "end": idx[b - 1],
            "periods": b - a,
            "days": _span_days(ds, a, b),
            "observed": int(prep.N[b] - prep.N[a]),
            "level": st["level"],
            "ci_lower": st["ci_lower"],
            "ci_upper": st["ci_upper"],
        }
        seg_rows.append(row)
    segments = pd.DataFrame(seg_rows)
    ratio, rlo, rhi = [np.nan], [np.nan], [np.nan]
    for i in range(1, len(stats_)):
        p_, c_ = stats_[i - 1], stats_[i]
        if prep.model in _COUNT_MODELS:
            if np.isfinite(p_["log"]) and np.isfinite(c_["log"]):
                d = c_["log"] - p_["log"]
                se = math.sqrt(p_["se"] ** 2 + c_["se"] ** 2)
                ratio.append(math.exp(d))
                rlo.append(math.exp(d - z * se))
                rhi.append(math.exp(d + z * se))
            else:
                ratio.append(np.nan)
                rlo.append(np.nan)
                rhi.append(np.nan)  # noqa: E702
        else:
            r = c_["level"] / p_["level"] if p_["level"] else np.nan
            ratio.append(r)
            rlo.append(np.nan)
            rhi.append(np.nan)  # noqa: E702
    segments["ratio_to_previous"] = ratio
    segments["ratio_ci_lower"] = rlo
    segments["ratio_ci_upper"] = rhi

    rng = np.random.default_rng(seed)
    rows = []
    for j, tau in enumerate(cps):
        a, b = bounds[j], bounds[j + 2]
        red = prep.cost(a, b) - prep.cost(a, tau) - prep.cost(tau, b)
        if prep.model in _COUNT_MODELS:
            lo_i, hi_i, p, bound = _bootstrap_break(
                prep, a, tau, b, min_size, ci, n_boot, rng, half_window=730, dep=dep
            )
        else:
            st1, st2 = stats_[j], stats_[j + 1]
            iv = None
            if prep.model in ("normal", "normal_meanvar"):
                iv = bai_interval(
                    tau,
                    st2["level"] - st1["level"],
                    st1["var"] or prep.sigma**2,
                    st2["var"] or prep.sigma**2,
                    ci,
                )
            if iv is None:
                lo_i, hi_i = -1, -1  # not available: reported as NaT
            else:
                lo_i, hi_i = max(iv[0], a + 1), min(iv[1], b - 1)
            p = _gauss_break_p(prep, a, tau, b, min_size, red, n_boot, rng)
            bound = bool(np.isfinite(p) and n_boot > 0 and p <= 1.0 / (n_boot + 1) + 1e-12)
        rows.append(
            {
                "date": idx[tau],
                "ci_lower": idx[max(min(lo_i, tau), 0)] if lo_i >= 0 else pd.NaT,
                "ci_upper": idx[min(max(hi_i, tau), n - 1)] if hi_i >= 0 else pd.NaT,
                "level_before": stats_[j]["level"],
                "level_after": stats_[j + 1]["level"],
                "ratio": ratio[j + 1],
                "ratio_ci_lower": rlo[j + 1],
                "ratio_ci_upper": rhi[j + 1],
                "cost_reduction": red,
                "p_value": p,
                "p_bound": bound,
                "position": tau,
            }
        )
    breaks = _breaks_frame(rows)
    return Breaks(
        series=ds.series,
        breaks=breaks,
        segments=segments,
        level=pd.Series(level, index=idx, name="segment_level"),
        model=prep.model,
        penalty=pen,
        penalty_name=penalty if isinstance(penalty, str) else "custom",
        min_size=min_size,
        dispersion=prep.k if prep.model == "negbin" else None,
        sigma=prep.sigma if prep.model in ("normal", "linear_trend") else None,
        ci=ci,
        cost=total,
        seasonal_adjusted=adjusted,
        positions=tuple(cps),
        dependence=dep,
        unit=prep.unit,
    )


def _hinge_fit(prep: _Prepared, knots: Sequence[int]) -> tuple[float, np.ndarray, np.ndarray]:
    """Weighted least squares of the log1p values on 1, u and hinges (u - k)+ at *knots*:
    the continuous piecewise-linear trend with those knots. Returns the residual sum of
    squares over σ², the coefficients and their covariance."""
    n = len(prep.y)
    u = np.arange(n, dtype=float)
    cols = [np.ones(n), u] + [np.clip(u - k, 0, None) for k in knots]
    X = np.column_stack(cols)[prep.obs]
    z = prep.y[prep.obs]
    beta, *_ = np.linalg.lstsq(X, z, rcond=None)
    resid = z - X @ beta
    cov = np.linalg.pinv(X.T @ X) * prep.sigma**2
    return float(resid @ resid) / prep.sigma**2, beta, cov


def _profile_interval(
    prep: _Prepared, knots: list[int], j: int, m: int, ci: float
) -> tuple[int, int, float]:
    """Profile-likelihood interval of knot j with the others fixed: relative likelihoods
    exp(-Δcost/2) over the admissible positions, the smallest set holding *ci* of them.
    Also returns the cost increase when the knot is removed."""
    lo = (knots[j - 1] + m) if j > 0 else m
    hi = (knots[j + 1] - m) if j + 1 < len(knots) else len(prep.y) - 1 - m
    pos = np.arange(lo, hi + 1)
    costs = np.empty(len(pos))
    for i, p in enumerate(pos):
        trial = list(knots)
        trial[j] = int(p)
        costs[i] = _hinge_fit(prep, trial)[0]
    w = np.exp(-(costs - costs.min()) / 2)
    w /= w.sum()
    order = np.argsort(-w)
    take = order[: int(np.searchsorted(np.cumsum(w[order]), ci) + 1)]
    without = _hinge_fit(prep, [k for i, k in enumerate(knots) if i != j])[0]
    return int(pos[take].min()), int(pos[take].max()), without - costs.min()


def _build_linear_breaks(
    ds: Any, prep: _Prepared, pen: float, penalty: Any, min_size: int, ci: float, adjusted: bool
) -> Breaks:
    """Breaks of the continuous trend: knots, slopes per 30 days on the log scale (with CIs
    from the least-squares fit at those knots), profile-likelihood intervals of the dates."""
    idx = ds.series.index
    n = len(idx)
    knots, values, cost, _ = prep.run_continuous(pen, min_size)
    inner = [int(k) for k in knots[1:-1]]
    _, beta, cov = _hinge_fit(prep, inner)
    z = float(stats.norm.ppf(0.5 + ci / 2))
    # slopes are reported as log change per 30 days (daily data) or per period
    month = 30.0 if prep.unit == "day" else 1.0
    trend = np.interp(np.arange(n), knots, values)
    seg_rows = []
    slopes = []
    for i in range(len(knots) - 1):
        a, b = int(knots[i]), int(knots[i + 1])
        c = np.zeros(len(beta))
        c[1] = 1.0
        c[2 : 2 + i] = 1.0  # slope of segment i = base slope + the hinges before it
        sl = float(c @ beta) * month
        se = float(np.sqrt(max(c @ cov @ c, 0.0))) * month
        slopes.append((sl, se, c))
        seg_rows.append(
            {
                "start": idx[a],
                "end": idx[b],
                "periods": b - a + 1,
                "days": _span_days(ds, a, b + 1),
                "observed": int(prep.obs[a : b + 1].sum()),
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
    rows = []
    for j, k in enumerate(inner):
        lo_i, hi_i, red = _profile_interval(prep, inner, j, min_size, ci)
        d = beta[2 + j] * month  # change of slope at the knot
        se = float(np.sqrt(max(cov[2 + j, 2 + j], 0.0))) * month
        rows.append(
            {
                "date": idx[k],
                "ci_lower": idx[lo_i],
                "ci_upper": idx[hi_i],
                "level_before": slopes[j][0],
                "level_after": slopes[j + 1][0],
                "ratio": float(np.exp(d)),
                "ratio_ci_lower": float(np.exp(d - z * se)),
                "ratio_ci_upper": float(np.exp(d + z * se)),
                "cost_reduction": red,
                "p_value": np.nan,
                "position": k,
            }
        )
    breaks = _breaks_frame(rows)
    return Breaks(
        series=ds.series,
        breaks=breaks,
        segments=segments,
        level=pd.Series(np.expm1(trend), index=idx, name="trend"),
        model="linear_trend",
        penalty=pen,
        penalty_name=penalty if isinstance(penalty, str) else "custom",
        min_size=min_size,
        dispersion=None,
        sigma=prep.sigma,
        ci=ci,
        cost=cost,
        seasonal_adjusted=adjusted,
        positions=tuple(inner),
    )


def _gauss_break_p(
    prep: _Prepared, a: int, tau: int, b: int, m: int, red: float, B: int, rng: np.random.Generator
) -> float:
    """Bootstrap p-value of a Gaussian break: max cost reduction over splits of the merged
    segment under i.i.d. normal noise (sd from the data) against the observed one."""
    lo, hi = max(a, tau - 730), min(b, tau + 730)
    obs = prep.obs[lo:hi]
    L = hi - lo
    if L < 2 * m:
        return float("nan")
    nn = obs.astype(float)
    sd = (
        prep.sigma
        if prep.model != "normal_meanvar"
        else math.sqrt(
            max(
                (prep.Q[hi] - prep.Q[lo]) / max(prep.N[hi] - prep.N[lo], 1)
                - ((prep.S[hi] - prep.S[lo]) / max(prep.N[hi] - prep.N[lo], 1)) ** 2,
                1e-12,
            )
        )
    )
    e = rng.normal(0, sd, size=(B, L)) * nn
    cy = np.zeros((B, L + 1))
    np.cumsum(e, axis=1, out=cy[:, 1:])  # noqa: E702
    cq = np.zeros((B, L + 1))
    np.cumsum(e**2, axis=1, out=cq[:, 1:])  # noqa: E702
    cn = np.concatenate([[0.0], np.cumsum(nn)])
    taus = np.arange(m, L - m + 1)
    inv = 1.0 / prep.sigma**2 if prep.model != "normal_meanvar" else 1.0 / sd**2

    def sse(s: np.ndarray, q: np.ndarray, k: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(k > 0, q - s * s / k, 0.0)

    full = sse(cy[:, [L]], cq[:, [L]], cn[[L]])
    left = sse(cy[:, taus], cq[:, taus], cn[taus])
    right = sse(cy[:, [L]] - cy[:, taus], cq[:, [L]] - cq[:, taus], cn[L] - cn[taus])
    red0 = ((full - left - right) * inv).max(axis=1)
    red_obs = prep.cost(lo, hi) - prep.cost(lo, tau) - prep.cost(tau, hi)
    if prep.model == "normal_meanvar":
        red_obs = red  # variance part included; compare on the same window as well as we can
    return (1 + int(np.sum(red0 >= red_obs - 1e-9))) / (B + 1)


# =========================================================================== CROPS
@dataclass(frozen=True)
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


def penalty_path(
    series: pd.Series,
    model: BreakModel | Literal["auto"] = "auto",
    pen_min: float | None = None,
    pen_max: float | None = None,
    min_size: int = 14,
    seasonal: Any = None,
    *,
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
    >>> 1 in penalty_path(sim.counts).table["n_breaks"].tolist()
    True
    """
    if model == "auto":
        ds0 = as_regular_series(series, counts=False, min_observed=2)
        v = ds0.values[ds0.observed]
        model = _auto_model(v)
    check_choice("model", model, tuple(_MODELS))
    ds, prep = _prepare(series, model, seasonal, dispersion, sigma)
    _check_observed(prep, int(min_size), dispersion)
    n_obs = int(prep.obs.sum())
    factor = 1.0
    dep = _dependence_choice(dependence, model)
    if isinstance(dep, DependenceModel):
        factor = dep.lrv_factor
    elif dep == "ar1" and (pen_min is None or pen_max is None):
        mbic = _penalty("mbic", model, n_obs)
        factor = _search_with_dependence(prep, mbic, int(min_size))[3].lrv_factor
    lo = float(pen_min) if pen_min is not None else factor * math.log(n_obs)
    hi = float(pen_max) if pen_max is not None else factor * 10 * math.log(n_obs)
    if not 0 <= lo < hi:
        raise ParameterError(f"need 0 <= pen_min < pen_max, got {lo!r}, {hi!r}")
    cache: dict[float, tuple[list[int], float]] = {}

    def run(p: float) -> tuple[list[int], float]:
        if p not in cache:
            cps, cost, _ = prep.run(p, int(min_size))
            cache[p] = (cps, cost)
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
    for p, (cps, cost) in sorted(cache.items()):
        m = len(cps)
        r = by_m.setdefault(
            m,
            {
                "n_breaks": m,
                "penalty_min": p,
                "penalty_max": p,
                "cost": cost,
                "breaks": [ds.series.index[c].strftime("%Y-%m-%d") for c in cps],
            },
        )
        r["penalty_min"] = min(r["penalty_min"], p)
        r["penalty_max"] = max(r["penalty_max"], p)
    table = pd.DataFrame([by_m[m] for m in sorted(by_m, reverse=True)])
    table["breaks"] = table["breaks"].map(lambda v: ", ".join(v))
    return PenaltyPath(
        table=table.set_index("n_breaks"),
        series_name=str(ds.series.name or "series"),
        chosen_penalty=None,
        period=f"{ds.series.index[0]:%Y-%m-%d} – {ds.series.index[-1]:%Y-%m-%d}",
    )
