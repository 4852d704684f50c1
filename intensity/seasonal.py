"""Seasonality and trend of daily counts.

* :func:`decompose` — STL/MSTL decomposition (statsmodels) on a variance-stabilising scale,
  with missing days filled only for the fit and reported.
* :func:`fit_seasonal` — a negative-binomial count regression with day-of-week effects,
  annual Fourier terms and a smooth trend: rate ratios with confidence intervals, the
  dispersion, likelihood-ratio tests of the weekly and annual components, and fitted values
  with prediction intervals (the baseline reused by the breaks and anomalies modules).
* :func:`seasonal_profile` — weekday or month rate ratios with confidence intervals.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from . import _negbin
from ._results import ResultMixin, set_aside_words
from ._typing import ProfileBy, SeasonalNoise, Transform
from ._validation import (
    RegularSeries,
    as_regular_series,
    check_choice,
    check_fraction,
    check_whole,
    per_year,
    require_nonzero,
    require_within_year,
)
from .dependence import (
    DependenceModel,
    drift_quadratic,
    estimate_dependence,
    lagged_cross,
    latent_lag_weights,
    variance_dof,
)
from .exceptions import InsufficientDataError, ParameterError

__all__ = [
    "decompose",
    "Decomposition",
    "fit_seasonal",
    "SeasonalFit",
    "seasonal_profile",
    "SeasonalProfile",
    "WEEKDAYS",
]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_YEAR = 365.25


# =========================================================================== decompose
def _forward(x: np.ndarray, transform: Transform) -> np.ndarray:
    if transform == "log1p":
        return np.log1p(x)
    if transform == "sqrt":
        return np.sqrt(x)
    return x.copy()


def _inverse(z: np.ndarray, transform: Transform) -> np.ndarray:
    if transform == "log1p":
        return np.expm1(z)
    if transform == "sqrt":
        return np.square(np.clip(z, 0, None))
    return z.copy()


@dataclass(frozen=True, repr=False)  # the readable repr of ResultMixin
class Decomposition(ResultMixin):
    """Result of :func:`decompose`.

    ``trend``, ``seasonal`` (one column per period) and ``remainder`` are on the transformed
    scale; ``trend_counts`` and ``seasonal_counts`` (the additive effect of each seasonal
    component on the count scale, ``inv(trend + s) - inv(trend)``) on the original one.
    The remainder is NaN on days that were missing in the input.

    Examples
    --------
    >>> from intensity import decompose, simulate_counts
    >>> d = decompose(simulate_counts(400, seed=2).counts, periods=(7,))
    >>> d.summary().columns.tolist()
    ['variance', 'share_of_total', 'mean_abs_effect_counts']
    """

    observed: pd.Series
    trend: pd.Series
    seasonal: pd.DataFrame
    remainder: pd.Series
    trend_counts: pd.Series
    seasonal_counts: pd.DataFrame
    transform: Transform
    periods: tuple[int, ...]
    filled_days: pd.DatetimeIndex
    method: str
    unit: str = "day"

    def summary(self) -> pd.DataFrame:
        """Variance shares of each component (on the transformed scale, observed days)."""
        obs = self.observed.notna()
        z = self.trend[obs] + self.seasonal[obs].sum(axis=1) + self.remainder[obs]
        total = float(np.var(z))
        rows = {"trend": float(np.var(self.trend[obs]))}
        for c in self.seasonal.columns:
            rows[str(c)] = float(np.var(self.seasonal.loc[obs, c]))
        rows["remainder"] = float(np.var(self.remainder[obs]))
        amp = {"trend": np.nan}
        for c in self.seasonal.columns:
            amp[str(c)] = float(self.seasonal_counts[c].abs().mean())
        amp["remainder"] = np.nan
        return pd.DataFrame(
            {
                "variance": pd.Series(rows),
                "share_of_total": pd.Series(rows) / total if total > 0 else np.nan,
                "mean_abs_effect_counts": pd.Series(amp),
            }
        )

    def _title(self) -> str:
        return (
            f"{self.method} decomposition of {self.observed.name or 'series'} "
            f"({self.transform} scale, periods {list(self.periods)})"
        )

    def _notes(self) -> list[str]:
        n = len(self.filled_days)
        return [f"{n} missing day(s) filled by interpolation for the fit only"] if n else []

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        from .plotting import plot_decomposition

        return plot_decomposition(self, ax=ax, **kw)


#: the seasonal periods :func:`decompose` takes by default, per calendar period of the index
DEFAULT_PERIODS = {"day": (7, 365), "week": (52,), "month": (12,), "quarter": (4,)}


def decompose(
    series: pd.Series,
    periods: Sequence[int] | None = None,
    transform: Transform = "log1p",
    robust: bool = True,
    **stl_kwargs: Any,
) -> Decomposition:
    """Decompose a daily count series into trend, seasonal components and remainder.

    One period uses statsmodels' ``STL``, several its ``MSTL`` algorithm (periods sorted
    ascending). The trend and low-pass smoothers are evaluated every tenth of their window
    and interpolated between, as R's ``stl`` does by default (statsmodels evaluates every
    day: 15x slower at 1,600 days, and the cost grows with the window); pass
    ``trend_jump=1, low_pass_jump=1`` for statsmodels' exact result. The fit happens on the
    transformed scale; missing days are filled by linear interpolation for the fit only
    and reported in ``filled_days``.

    Parameters
    ----------
    series
        Daily counts (``DatetimeIndex``), or weekly, monthly or quarterly ones (any
        regular calendar index, as :func:`detect_breaks` takes).
    periods
        Seasonal periods in periods of the index, e.g. ``(7,)`` or ``(7, 365)`` days.
        Default: the week and the year for daily data ``(7, 365)``, the year otherwise
        (52 weeks, 12 months, 4 quarters). Each needs at least two full periods of data,
        and with several periods more than two (statsmodels' MSTL drops, with only a
        warning, every period of at least half the series): this raises instead.
    transform
        ``'log1p'`` (default: multiplicative effects), ``'sqrt'`` or ``'none'``.
    robust
        Robust STL fitting (outliers do not pull the trend).
    **stl_kwargs
        Passed to each period's ``STL`` (``inner_iter`` and ``outer_iter`` to its fit).

    Returns
    -------
    Decomposition

    Raises
    ------
    InsufficientDataError
        When the series is shorter than two full periods of a requested seasonality.

    Examples
    --------
    >>> from intensity.simulate import simulate_counts
    >>> from intensity import decompose
    >>> d = decompose(simulate_counts(120, seed=0).counts, periods=(7,))
    >>> d.seasonal.columns.tolist()
    ['seasonal_7']
    """
    check_choice("transform", transform, ("log1p", "sqrt", "none"))
    ds = as_regular_series(series, counts=transform != "none", min_observed=3)
    if periods is None:
        if ds.unit not in DEFAULT_PERIODS:
            raise ParameterError(
                f"decompose needs a seasonal cycle within the year, got {ds.unit}ly data; "
                "pass periods= to decompose it anyway"
            )
        periods = DEFAULT_PERIODS[ds.unit]
    per = _check_periods(periods)
    # decomposed on the observed span (a missing day at an edge, filled by copying its
    # neighbour, moved the weekly share of real personnel from 2.1% to 3.0%); reported on
    # the input's index, NaN beyond the span
    span = ds.observed_span()
    n = len(span.values)
    _refuse_short_periods(per, n, ds.unit)
    z = _forward(span.values, transform)
    zs = pd.Series(z, index=span.series.index)
    missing = ~span.observed
    if missing.any():
        zs = zs.interpolate(method="linear")
    res, seas, method = _stl(zs.to_numpy(), per, robust, stl_kwargs)
    idx = ds.series.index

    def full(values: Any, name: str) -> pd.Series:
        return pd.Series(np.asarray(values), index=span.series.index, name=name).reindex(idx)

    trend = full(res.trend, "trend")
    cols = [f"seasonal_{p}" for p in per]
    seasonal = pd.DataFrame({c: full(seas[:, j], c) for j, c in enumerate(cols)}, index=idx)
    remainder = full(res.resid, "remainder").where(ds.observed)
    tc = _inverse(trend.to_numpy(), transform)
    seasonal_counts = pd.DataFrame(
        {c: _inverse(trend.to_numpy() + seasonal[c].to_numpy(), transform) - tc for c in cols},
        index=idx,
    )
    return Decomposition(
        observed=ds.series,
        trend=trend,
        seasonal=seasonal,
        remainder=remainder,
        trend_counts=pd.Series(tc, index=idx, name="trend_counts"),
        seasonal_counts=seasonal_counts,
        transform=transform,
        periods=per,
        filled_days=pd.DatetimeIndex(span.series.index[missing]),
        method=method,
        unit=ds.unit,
    )


def _check_periods(periods: Any) -> tuple[int, ...]:
    """The periods as sorted distinct whole numbers >= 2."""
    try:
        per = tuple(sorted(int(p) for p in periods))
    except (TypeError, ValueError):
        raise ParameterError(f"periods must be whole numbers of days, got {periods!r}") from None
    if not per or any(p < 2 for p in per) or len(set(per)) != len(per):
        raise ParameterError(f"periods must be distinct integers >= 2, got {periods!r}")
    return per


def _refuse_short_periods(per: tuple[int, ...], n: int, unit: str = "day") -> None:
    """statsmodels' MSTL drops (with only a warning) every period >= n / 2: refused."""
    short = [p for p in per if (len(per) > 1 and 2 * p >= n) or n < 2 * p]
    if short:
        need = 2 * short[0] + (1 if len(per) > 1 else 0)
        raise InsufficientDataError(
            f"period {short[0]} needs at least {need} {unit}s (more than two full periods), "
            f"got {n} from the first observed {unit} to the last; statsmodels' MSTL would "
            f"silently drop it. Use periods="
            f"{tuple(p for p in per if p not in short) or '(7,)'} or a longer series"
        )


def _stl(
    endog: np.ndarray, per: tuple[int, ...], robust: bool, stl_kwargs: dict[str, Any]
) -> tuple[Any, np.ndarray, str]:
    """STL (one period) or MSTL (several): the fit, its seasonal columns and the method.

    MSTL is statsmodels' algorithm (Bandara, Hyndman & Bergmeir 2021: two rounds, each
    period's STL on the series without the other periods' seasonal components, seasonal
    windows 11, 15, ...), run here so that each period's STL gets its own interpolation
    jumps: the trend and low-pass smoothers are evaluated every tenth of their window and
    interpolated between, R's ``stl`` default (``t.jump``, ``l.jump``). statsmodels
    evaluates them on every day, which made a 20,000-day robust fit take 78 s (now 5 s).
    Pass ``trend_jump=1, low_pass_jump=1`` for statsmodels' exact result."""
    kw = dict(stl_kwargs)
    fit_kw: dict[str, Any] = {k: kw.pop(k) for k in ("inner_iter", "outer_iter") if k in kw}
    if len(per) == 1:
        res = _stl_fit(endog, per[0], kw.pop("seasonal", 7), robust, kw, fit_kw)
        return res, np.asarray(res.seasonal).reshape(-1, 1), "STL"
    seasonal = np.zeros((len(per), len(endog)))
    deseas = endog
    for _ in range(2):
        for i, period in enumerate(per):
            deseas = deseas + seasonal[i]
            res = _stl_fit(deseas, period, 7 + 4 * (i + 1), robust, kw, fit_kw)
            seasonal[i] = res.seasonal
            deseas = deseas - seasonal[i]
    # the last period's fit carries the trend and weights; its residual is what is left
    # after every seasonal component (as statsmodels' MSTL)
    return _MSTLResult(res.trend, deseas - res.trend), seasonal.T, "MSTL"


@dataclass(frozen=True)
class _MSTLResult:
    trend: np.ndarray
    resid: np.ndarray


def _stl_fit(
    endog: np.ndarray,
    period: int,
    window: int,
    robust: bool,
    kw: dict[str, Any],
    fit_kw: dict[str, Any],
) -> Any:
    """One STL fit with R's default jumps for the trend and low-pass smoothers unless
    *kw* sets them."""
    from statsmodels.tsa.seasonal import STL

    stl = STL(endog, period=period, seasonal=window, robust=robust, **kw)
    jumps = {
        f"{name}_jump": -(-int(stl.config[name]) // 10)
        for name in ("trend", "low_pass")
        if f"{name}_jump" not in kw
    }
    if any(j > 1 for j in jumps.values()):
        stl = STL(endog, period=period, seasonal=window, robust=robust, **kw, **jumps)
    return stl.fit(**fit_kw)


# =========================================================================== design
def _spline_basis(t: np.ndarray, df: int) -> np.ndarray:
    """Natural cubic spline basis on ``t`` with ``df`` columns (the intercept is left to the
    model's constant): knots at ``df + 1`` quantiles of ``t`` including both ends, cubic
    between knots, **linear beyond the boundary knots and with zero curvature at them**
    (Hastie, Tibshirani & Friedman, *Elements of Statistical Learning*, eq. 5.4–5.5). A
    plain cubic spline bends freely in its last interval, so the trend at the end of the
    series ran away (about 1,830 per day where the last 28 days averaged 1,350); a natural
    spline cannot curve there. Columns are centred and scaled to unit spread."""
    if df < 1:
        return np.empty((len(t), 0))
    lo, hi = float(t.min()), float(t.max())
    if df == 1 or hi <= lo:
        B = t.reshape(-1, 1).astype(float)
    else:
        knots = np.quantile(t, np.linspace(0, 1, df + 1))
        last = knots[-1]

        def d(k: float) -> np.ndarray:
            return (np.clip(t - k, 0, None) ** 3 - np.clip(t - last, 0, None) ** 3) / (last - k)

        d_last = d(knots[-2])
        cols = [t.astype(float)] + [d(knots[j]) - d_last for j in range(df - 1)]
        B = np.column_stack(cols)
    B = B - B.mean(axis=0)
    sd = B.std(axis=0)
    return B / np.where(sd > 0, sd, 1.0)


@lru_cache(maxsize=16)
def _trend_basis(n: int, df: int, periods_per_year: float) -> np.ndarray:
    """:func:`_spline_basis` of ``n`` periods in years, built once per length (read-only):
    the candidate models of one fit and the fits of equal windows share it (a tenth of
    a 20,000-day fit built the same 24 columns five times)."""
    B = _spline_basis(np.arange(n, dtype=float) / periods_per_year, df)
    B.setflags(write=False)
    return B


def _effect_coding(codes: np.ndarray, levels: int) -> np.ndarray:
    """Sum-to-zero coding: columns for levels 0..L-2, the last level is minus their sum."""
    X = np.zeros((len(codes), levels - 1))
    for j in range(levels - 1):
        X[:, j] = (codes == j).astype(float)
    X[codes == levels - 1, :] = -1.0
    return X


def _fourier(index: pd.DatetimeIndex, K: int) -> np.ndarray:
    if K <= 0:
        return np.empty((len(index), 0))
    doy = index.day_of_year.to_numpy(dtype=float) - 1 + (index.hour.to_numpy() / 24.0)
    cols = []
    for k in range(1, K + 1):
        a = 2 * np.pi * k * doy / _YEAR
        cols += [np.sin(a), np.cos(a)]
    return np.column_stack(cols)


@dataclass(frozen=True)
class _Design:
    X: np.ndarray
    names: list[str]
    groups: dict[str, list[int]]


def _design(
    index: pd.Index,
    *,
    weekly: bool,
    K: int,
    months: bool,
    trend_df: int,
    periods_per_year: float = _YEAR,
) -> _Design:
    index = pd.DatetimeIndex(index)
    n = len(index)
    blocks: list[np.ndarray] = [np.ones((n, 1))]
    names = ["const"]
    groups: dict[str, list[int]] = {}

    def add(group: str, M: np.ndarray, labels: list[str]) -> None:
        start = sum(b.shape[1] for b in blocks)
        blocks.append(M)
        names.extend(labels)
        groups[group] = list(range(start, start + M.shape[1]))

    if weekly:
        add(
            "weekly",
            _effect_coding(index.day_of_week.to_numpy(), 7),
            [f"dow_{d[:3]}" for d in WEEKDAYS[:6]],
        )
    if K > 0:
        add(
            "annual",
            _fourier(index, K),
            [f"{f}{k}" for k in range(1, K + 1) for f in ("sin", "cos")],
        )
    if months:
        add(
            "month",
            _effect_coding(index.month.to_numpy() - 1, 12),
            [f"month_{m}" for m in MONTHS[:11]],
        )
    if trend_df > 0:
        labels = (
            ["trend_linear"] if trend_df == 1 else [f"trend_s{j}" for j in range(1, trend_df + 1)]
        )
        add("trend", trend_columns(n, trend_df, periods_per_year), labels)
    return _Design(np.column_stack(blocks), names, groups)


def trend_columns(n: int, trend_df: int, periods_per_year: float = _YEAR) -> np.ndarray:
    """The trend block of :func:`_design` for *n* periods: a centred linear term for one
    df, else the natural spline basis (:func:`_trend_basis`, shared by equal lengths)."""
    if trend_df == 1:
        t = np.arange(n, dtype=float) / periods_per_year
        return (t - t.mean()).reshape(-1, 1)
    return _trend_basis(n, trend_df, periods_per_year)


# =========================================================================== NB fitting
#: the record of one NB2 (or Poisson-limit) regression fit
_NBFit = _negbin.RegressionFit


def _usable_nb(res: Any, k: int, poisson_llf: float, strict: bool = True) -> _NBFit | None:
    """The NB fit as an _NBFit when it is finite, converged (unless not *strict*; it is
    then marked unconverged) and at least as likely as the Poisson fit; else None."""
    p = np.asarray(res.params)
    try:
        cov = np.asarray(res.cov_params())
    except (ValueError, np.linalg.LinAlgError):  # statsmodels keeps none for some fits
        return None
    alpha = float(p[k])
    converged = bool(res.mle_retvals.get("converged", False))
    ok = (
        (converged or not strict)
        and np.all(np.isfinite(p))
        and np.all(np.isfinite(np.diag(cov)))
        and alpha > 1e-8
        and np.isfinite(res.llf)
        and res.llf >= poisson_llf - 1e-6
    )
    if not ok:
        return None
    return _NBFit(
        params=p[:k],
        cov=cov[:k, :k],
        alpha=alpha,
        alpha_se=float(np.sqrt(max(float(cov[k, k]), 0.0))),
        llf=float(res.llf),
        converged=converged,
    )


def _fit_nb(y: np.ndarray, X: np.ndarray, start: _NBFit | None = None) -> _NBFit:
    """NB2 maximum likelihood, Poisson start (or *start*, a fit of the same design on
    other days: a warm start).

    The vectorised Newton fit of :mod:`intensity._negbin` first (the same estimates and
    covariance as statsmodels' ``NegativeBinomial``, 10-30 times faster); statsmodels
    for the fits it does not settle. Counts that are not overdispersed (Poisson data,
    constants, 0/1 series) put the NB maximum at the boundary ``alpha = 0``; the fit then
    falls back to the Poisson limit (``alpha = 0``, the Poisson GLM's estimates and
    covariance), and ``poisson_limit`` says so.
    """
    with np.errstate(all="ignore"):
        quick = _fit_nb_newton(y, X, start)
        if quick is None:  # no finite maximum: the unconverged Poisson limit, quickly
            quick = _negbin.separated_fit(y, X)
    if quick is not None:
        return quick
    return _fit_nb_statsmodels(y, X)


def _fit_nb_newton(y: np.ndarray, X: np.ndarray, start: _NBFit | None) -> _NBFit | None:
    """The vectorised fit; None when it does not settle or the Poisson limit may apply
    (statsmodels then decides, as before)."""
    if start is not None and start.alpha > 1e-6 and len(start.params) == X.shape[1]:
        # a converged interior maximum near the other days' fit (the Poisson limit is
        # ruled out there: alpha is well away from 0)
        got = _negbin.nb2_fit(y, X, start.params, start.alpha)
        if got is not None and got.alpha > 1e-4:
            return got
    pois = _negbin.poisson_fit(y, X)
    if pois is None:
        return None
    mu = np.exp(X @ pois.params)
    a0 = _negbin.moment_dispersion(y, mu)
    if not a0 > 1e-6:
        return None
    got = _negbin.nb2_fit(y, X, pois.params, a0)
    if got is None or got.llf < pois.llf - 1e-6:
        return None
    return got


def _fit_nb_statsmodels(y: np.ndarray, X: np.ndarray) -> _NBFit:
    """statsmodels' discrete NegativeBinomial (Newton, then BFGS), Poisson GLM start and
    Poisson-limit fallback: the route for fits the vectorised Newton does not settle."""
    import statsmodels.api as sm
    from statsmodels.discrete.discrete_model import NegativeBinomial

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            pois = sm.GLM(y, X, family=sm.families.Poisson()).fit()
        except (ValueError, np.linalg.LinAlgError) as exc:
            raise InsufficientDataError(
                f"the counts do not identify the model ({exc}); give more observed days or "
                "fewer terms"
            ) from None
        if not np.all(np.isfinite(pois.params)):
            raise InsufficientDataError(
                "the counts do not identify the model (a log-linear fit has no finite "
                "estimate); give more observed days or fewer terms"
            )
        mu = pois.mu
        a0 = _negbin.moment_dispersion(y, mu)
        if a0 > 1e-6:
            start = np.append(pois.params, a0)
            model = NegativeBinomial(y, X, loglike_method="nb2")
            # Newton is fast but can step into NaN (and still say converged); BFGS is the
            # slower fallback
            last = None
            for method, iters in (("newton", 200), ("bfgs", 2000)):
                try:
                    res = model.fit(start_params=start, method=method, maxiter=iters, disp=0)
                except (ValueError, np.linalg.LinAlgError):
                    continue
                got = _usable_nb(res, X.shape[1], float(pois.llf))
                if got is not None:
                    return got
                last = res
            if last is not None:  # finite but not converged: used, and said in the result
                got = _usable_nb(last, X.shape[1], float(pois.llf), strict=False)
                if got is not None:
                    return got
    try:
        pois_cov = np.asarray(pois.cov_params(), dtype=float)
    except (ValueError, np.linalg.LinAlgError):
        raise InsufficientDataError(
            "the counts do not identify the model (no covariance of the estimates); give "
            "more observed days or fewer terms"
        ) from None
    return _NBFit(
        params=np.asarray(pois.params, dtype=float),
        cov=pois_cov,
        alpha=0.0,
        alpha_se=0.0,
        llf=float(pois.llf),
        converged=bool(getattr(pois, "converged", True)),
        poisson_limit=True,
    )


def _fit(y: np.ndarray, use: np.ndarray, X: np.ndarray, start: Any = None) -> Any:
    """:func:`_fit_nb` of the periods *use* of *y* on the design *X* (full length), with
    ten periods more than columns at least."""
    if use.sum() < X.shape[1] + 10:
        raise InsufficientDataError(
            f"the baseline needs at least {X.shape[1] + 10} usable days, got {int(use.sum())}"
        )
    return _fit_nb(y[use], X[use], start)


def _fit_clean(y: np.ndarray, use: np.ndarray, X: np.ndarray) -> tuple[Any, np.ndarray]:
    """:func:`_fit` on the periods *use*, then again without those beyond two-sided NB
    tail probability 1e-6 under it (:func:`~intensity._negbin.outlying`), as
    :func:`~intensity.fit_seasonal` does; returns the fit and the periods it used. One
    day of 1,000,000 in July 2023 among ~1,000 a day put the level around the two winters
    whose windows held it at 2,600-3,000 a day, and they read -56% and -62%."""
    fit = _fit(y, use, X)
    far = _negbin.outlying(y, np.exp(X @ fit.params), use, fit.alpha)
    if not far.any():
        return fit, use
    use = use & ~far
    return _fit(y, use, X, fit), use


#: the most spline df a baseline trend gets (fit_seasonal's largest automatic choice):
#: beyond 24 years the trend stiffens instead of the cost of every fit growing with the
#: square of the span
MAX_TREND_DF = 24


def stiff_trend_df(n: int, per_year: float = _YEAR) -> int:
    """The baselines' stiff trend: one spline df per year of *n* periods (*per_year* of
    them a year; days by default), at least 1 and at most :data:`MAX_TREND_DF`."""
    return max(1, min(MAX_TREND_DF, int(round(n / per_year))))


#: level of the annual test below which a cycle is taken out (the baselines' sustained
#: shifts, the cycle before a season's drift is fitted, ``detect_breaks(seasonal='auto')``)
CYCLE_ALPHA = 0.05


def cycle_fit(series: pd.Series) -> tuple[SeasonalFit, bool]:
    """:func:`fit_seasonal` of *series* with two annual harmonics and the baselines' stiff
    trend (:func:`stiff_trend_df`: no search over trends, a fixed amount of work per
    year), its annual term tested under the package's default noise model (the drift
    model where the log-rate drifts); returns the fit and whether the series shows an
    annual cycle (``p <`` :data:`CYCLE_ALPHA`). The rule by which the baselines take a
    cycle out: a cycle the series does not show is a one-off hump read as a season (real
    personnel, annual p = 0.24 under this fit, and its 2024/25 hump).
    ``detect_breaks(seasonal='auto')`` asks the cycle to show under ``fit_seasonal``'s
    own trend as well: under this stiff trend the harmonics followed the wander of a
    real-like level in 16 of 20 four-year series, and removing such a "cycle" doubled
    the false breaks. The baselines keep this test alone (their calibration rests on it;
    unifying the two is open).

    Examples
    --------
    >>> from intensity import simulate_counts
    >>> from intensity.seasonal import cycle_fit
    >>> fit, shows = cycle_fit(simulate_counts(1000, seed=1, annual_amplitude=0.2).counts)
    >>> shows
    True
    """
    trend = stiff_trend_df(len(series), per_year(series.index))
    fit = fit_seasonal(series, annual=2, trend=trend, tests=["annual"])
    return fit, shows_annual(fit)


def shows_annual(fit: SeasonalFit) -> bool:
    """Whether the annual test of *fit* is below :data:`CYCLE_ALPHA` (False when the
    annual cycle was not tested)."""
    return bool(fit.tests["p_value"].get("annual", math.nan) < CYCLE_ALPHA)


def _default_trend_df(n: int, periods_per_year: float = _YEAR) -> int:
    """About one spline degree of freedom per 8 months (*n* periods), at least linear and
    at most one per 8 periods; smooth enough that the trend does not absorb the annual
    cycle."""
    per_8_months = n * (_YEAR / periods_per_year) / 240
    return int(max(1, min(round(per_8_months), n // 8)))


# =========================================================================== SeasonalFit
@dataclass(frozen=True, repr=False)  # the readable repr of ResultMixin
class SeasonalFit(ResultMixin):
    """Result of :func:`fit_seasonal`.

    Attributes
    ----------
    observed : pd.Series
        The input on its full daily index.
    fitted : pd.Series
        Expected count for every day (also days missing in the input).
    lower, upper : pd.Series
        Prediction interval of a new count on each day (NB quantiles at ``1 - alpha``).
    weekday : pd.DataFrame
        Rate ratio of each weekday against the weekly (geometric) average, with CI.
    annual : pd.Series
        Multiplicative annual effect for each day (1 = none).
    trend : pd.Series
        Expected count with weekday and annual effects removed.
    dispersion : float
        NB2 ``alpha`` (variance = mu + alpha mu²); ``size = 1/alpha``. 0 when the counts
        are not overdispersed (see ``poisson_limit``).
    tests : pd.DataFrame
        Tests of the weekly and annual components: ``statistic``, ``df``,
        ``df_denominator``, ``p_value``, ``method``. With the default
        ``dependence='auto'`` (or ``'ar1'``) a Wald test whose p-value is from F(``df``,
        ``df_denominator``) with ``statistic / df`` (the denominator df from the
        precision of the noise model's variance: the AR(1)'s, or the drift's where the
        log-rate drifts, as ``method`` says; NaN when it is unbounded, then
        chi-squared); with ``'none'`` a likelihood-ratio test (chi-squared,
        ``df_denominator`` NaN).
    poisson_limit : bool
        True when the counts showed no overdispersion and the fit is the Poisson limit
        of the NB model (``alpha = 0``); said in the text form of the result.
    dependence : DependenceModel or None
        The noise model of the chosen model's residuals (the latent AR(1), or the local
        level + AR(1) model with ``drift > 0`` where ``dependence='auto'`` found
        drift); it sets the covariance, the tests and the intervals.
    selection_factor : float
        The long-run variance factor of the most general candidate's residuals, which
        scaled the quasi-BIC that chose the harmonics and the trend.
    unit : str
        The period of the index: 'day', 'week', 'month' or 'quarter'.
    weekly : bool
        Whether weekday effects are in the model (daily data only).
    set_aside : tuple of pd.Timestamp
        Periods left out of the fit as gross outliers: beyond two-sided NB tail
        probability 1e-6 under a first fit (:func:`~intensity._negbin.outlying`); the
        model is then chosen and fitted again without them. Fitted values are still
        given for them, as for ``exclude``.

    Examples
    --------
    >>> from intensity import fit_seasonal, simulate_counts
    >>> fit = fit_seasonal(simulate_counts(400, seed=2).counts, annual=False)
    >>> fit.summary().index[:2].tolist()
    ['weekday Monday', 'weekday Tuesday']
    """

    observed: pd.Series
    fitted: pd.Series
    weekday: pd.DataFrame
    annual: pd.Series
    trend: pd.Series
    dispersion: float
    dispersion_se: float
    harmonics: int
    trend_df: int
    tests: pd.DataFrame
    params: pd.Series
    cov: pd.DataFrame
    llf: float
    level: float
    aic_by_harmonics: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    converged: bool = True
    poisson_limit: bool = False
    dependence: DependenceModel | None = None
    selection_factor: float = float("nan")
    unit: str = "day"
    weekly: bool = True
    set_aside: tuple[pd.Timestamp, ...] = ()

    @cached_property
    def lower(self) -> pd.Series:
        return self._interval()[0]

    @cached_property
    def upper(self) -> pd.Series:
        return self._interval()[1]

    def _interval(self) -> tuple[pd.Series, pd.Series]:
        """The NB prediction interval of each day, computed when first asked for (the NB
        quantiles of every day were a tenth of a fit that only needs the cycle)."""
        lo, hi = _negbin.interval(self.fitted.to_numpy(), self.dispersion, self.level)
        idx = self.fitted.index
        return pd.Series(lo, index=idx, name="lower"), pd.Series(hi, index=idx, name="upper")

    @property
    def size(self) -> float:
        return 1.0 / self.dispersion if self.dispersion > 0 else np.inf

    def summary(self) -> pd.DataFrame:
        """Weekday rate ratios with CI, then the tests and the dispersion as rows."""
        rows = []
        for day, r in self.weekday.iterrows() if self.weekly else ():
            rows.append(
                {
                    "term": f"weekday {day}",
                    "estimate": r["rate_ratio"],
                    "ci_lower": r["ci_lower"],
                    "ci_upper": r["ci_upper"],
                    "statistic": np.nan,
                    "df": np.nan,
                    "df_denominator": np.nan,
                    "p_value": r["p_value"],
                }
            )
        for comp, r in self.tests.iterrows():
            rows.append(
                {
                    "term": f"test {comp} ({r['method']})",
                    "estimate": np.nan,
                    "ci_lower": np.nan,
                    "ci_upper": np.nan,
                    "statistic": r["statistic"],
                    "df": r["df"],
                    "df_denominator": r.get("df_denominator", np.nan),
                    "p_value": r["p_value"],
                }
            )
        z = stats.norm.ppf(0.5 + self.level / 2)
        rows.append(
            {
                "term": "dispersion alpha",
                "estimate": self.dispersion,
                "ci_lower": max(self.dispersion - z * self.dispersion_se, 0.0),
                "ci_upper": self.dispersion + z * self.dispersion_se,
                "statistic": np.nan,
                "df": np.nan,
                "df_denominator": np.nan,
                "p_value": np.nan,
            }
        )
        return pd.DataFrame(rows).set_index("term")

    def _title(self) -> str:
        o = self.observed
        return (
            f"Negative-binomial seasonal fit of {o.name or 'series'} "
            f"({o.index[0]:%Y-%m-%d} … {o.index[-1]:%Y-%m-%d}"
            + ("" if self.unit == "day" else f"; {self.unit}ly counts")
            + ")"
        )

    def _notes(self) -> list[str]:
        notes = [
            f"{self.harmonics} annual harmonic(s); trend: "
            + (
                "none"
                if self.trend_df == 0
                else "linear"
                if self.trend_df == 1
                else f"natural cubic spline, {self.trend_df} df"
            ),
            f"size 1/alpha = {self.size:.1f}; intervals at {self.level:.0%}",
        ]
        if self.dependence is not None:
            notes.append(
                self.dependence.describe()
                + f"; model choice by quasi-BIC (factor {self.selection_factor:.2f}); tests "
                "and intervals with the covariance this dependence implies"
            )
        if self.poisson_limit:
            notes.append(
                "the counts are not overdispersed: Poisson limit of the NB model (alpha = 0) fitted"
            )
        if self.set_aside:
            notes.append(set_aside_words(self.set_aside))
        if not self.converged:
            notes.append("WARNING: the NB likelihood did not converge")
        return notes

    def describe_weekday(self, day: str) -> str:
        """E.g. ``'Mondays are 0.93× the weekly average, 95% CI 0.90–0.97'``."""
        r = self.weekday.loc[day]
        return (
            f"{day}s are {r['rate_ratio']:.2f}× the weekly average, "
            f"{self.level:.0%} CI {r['ci_lower']:.2f}–{r['ci_upper']:.2f}"
        )

    def annual_at(self, index: pd.DatetimeIndex) -> np.ndarray:
        """The fitted annual effect (a multiplier, 1 = none) on any dates: the harmonics
        are functions of the day of the year, so the cycle fitted on some years holds on
        the others.

        Examples
        --------
        >>> from intensity import fit_seasonal
        >>> from intensity.simulate import simulate_counts
        >>> fit = fit_seasonal(simulate_counts(800, seed=1).counts, annual=2)
        >>> days = fit.annual.index
        >>> bool(abs(fit.annual_at(days) - fit.annual.to_numpy()).max() < 1e-9)
        True
        """
        names = [f"{f}{k}" for k in range(1, self.harmonics + 1) for f in ("sin", "cos")]
        if not names:
            return np.ones(len(index))
        beta = self.params[names].to_numpy(dtype=float)
        return np.asarray(np.exp(_fourier(pd.DatetimeIndex(index), self.harmonics) @ beta))

    def baseline(self) -> pd.DataFrame:
        """Fitted mean and prediction interval as one DataFrame (same index as the input)."""
        return pd.DataFrame({"expected": self.fitted, "lower": self.lower, "upper": self.upper})

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        from .plotting import plot_seasonal_fit

        return plot_seasonal_fit(self, ax=ax, **kw)


def _rate_ratios(fit: _NBFit, cols: list[int], labels: Sequence[str], level: float) -> pd.DataFrame:
    """Effect-coded coefficients → rate ratios of every level (the last is minus the sum)."""
    L = len(cols) + 1
    C = np.zeros((L, len(fit.params)))
    for j, c in enumerate(cols):
        C[j, c] = 1.0
    C[L - 1, cols] = -1.0
    est = C @ fit.params
    se = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", C, fit.cov, C), 0, None))
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(over="ignore"):  # a level with (almost) no counts: the bound is inf
        lo, hi = np.exp(est - z * se), np.exp(est + z * se)
    return pd.DataFrame(
        {
            "rate_ratio": np.exp(est),
            "ci_lower": lo,
            "ci_upper": hi,
            "log_rr": est,
            "se": se,
            "p_value": 2 * stats.norm.sf(np.abs(est / np.where(se > 0, se, np.nan))),
        },
        index=pd.Index(list(labels), name="level"),
    )


def fit_seasonal(
    series: pd.Series,
    weekly: bool | Literal["auto"] = "auto",
    annual: bool | int | Literal["auto"] = "auto",
    trend: int | Literal["auto", "none", "linear"] = "auto",
    level: float = 0.95,
    max_harmonics: int = 4,
    exclude: pd.Series | None = None,
    tests: bool | Sequence[str] = True,
    dependence: SeasonalNoise = "auto",
) -> SeasonalFit:
    """Negative-binomial regression of daily counts on weekday, annual cycle and trend.

    ``log E[y_t] = const + weekday(t) + Σ_k (a_k sin + b_k cos)(2πk·doy/365.25) + s(t)``
    with NB2 variance ``mu + alpha mu²``, fitted by maximum likelihood (statsmodels'
    ``NegativeBinomial``) on the observed days only. Weekday effects are sum-to-zero, so
    each rate ratio is relative to the weekly (geometric) average.

    Parameters
    ----------
    series
        Daily counts, or weekly, monthly or quarterly ones (any regular index, see
        :func:`~intensity._validation.as_regular_series`): the annual harmonics then
        follow the dates' position in the year (period 52.18 weeks, 12 months, 4
        quarters), there is no weekday effect and the trend's degrees of freedom are set
        per year as for daily data. Yearly counts have no season: use
        :func:`~intensity.detect_breaks`.
    weekly
        Include day-of-week effects; ``'auto'`` (default): for daily data only.
    annual
        ``'auto'``: number of harmonics 0…``max_harmonics`` chosen by BIC (needs two years
        of data, else none); an integer: that many; ``False``: none. At most
        ``(periods per year - 1) / 2`` harmonics are identifiable (5 for monthly data, 1
        for quarterly).
    trend
        Degrees of freedom of the smooth log trend, a natural cubic spline (linear beyond
        its end knots, so it cannot run away at the ends of the series): ``'auto'``
        (chosen by quasi-BIC among 1 to 16, at most one per 90 days: 16 at most whatever
        the span, so the fit's cost grows linearly with the series and slower variation
        is the drift noise model's), ``'linear'`` (1), ``'none'`` (0) or an integer.
    level
        Confidence level of the intervals.
    max_harmonics
        Largest number of harmonics considered by ``'auto'``.
    exclude
        Boolean Series on (a subset of) the same dates: days left out of the fit (known
        anomalies, catch-up days). Fitted values and intervals are still given for them.
    tests
        Compute the tests of the weekly and annual components; ``False`` leaves them empty;
        a list of component names (``["annual"]``) computes those only (each test costs a
        refit and, under the AR(1), simulations for its df).
    dependence
        ``'auto'`` (default): as ``'ar1'``, unless the log-rate without its weekday and
        annual effects drifts (a random walk beyond an AR(1) with rho up to 0.95, a
        likelihood-ratio test at 5%, :func:`intensity._levelshift.drift_noise`): then
        the covariance, the tests and the intervals come from the local level + AR(1)
        model of the log-rate (``Cov(y_s, y_t) ~ mu_s mu_t q min(s, t)`` added for the
        walk; the F tests' denominator df from the precision of the drift variance).
        On four-year random walks of daily sd 0.01-0.03 the AR(1) alone rejected
        40-80% of 5% annual tests, the drift model 0-5%. ``'ar1'``: the counts are
        taken as serially dependent. The residuals' latent AR(1) model
        (:mod:`intensity.dependence`) gives a long-run variance factor
        ``phi`` (estimated from the most general candidate, as QAIC does); the annual
        harmonics and (with ``trend='auto'``) the trend's degrees of freedom are chosen by
        a quasi-BIC, ``-2 llf / phi + params * log n`` (the trend with all candidate
        harmonics in the model, then the harmonics with that trend); the tests
        are Wald tests and all intervals use the sandwich covariance the AR(1) model
        implies (calendar-day lags; see ``_dependent_cov``). A test's dependence is
        estimated from the model without the tested component, and its statistic is
        referred to an F distribution whose denominator degrees of freedom reflect how
        noisy that estimate is (:func:`~intensity.dependence.variance_dof`). The annual
        test is made with 2 harmonics (1 for quarterly data) whatever number was chosen
        (a test of the chosen ones would be a test after selection), or with the number
        given as *annual*.
        ``'none'``: days independent (BIC, likelihood-ratio tests, model covariance).

    Returns
    -------
    SeasonalFit
        Fitted on the span from the first to the last observed period (missing periods
        at the edges carry no information and would only move the trend's knots, so a
        table that starts with a missing day gives the same tests as the report, which
        analyses the observed span); its series keep the input's index: on the edges'
        missing periods the trend is held at its first / last value, with the weekday
        and annual effects of those dates.

    Examples
    --------
    >>> from intensity.simulate import simulate_counts
    >>> from intensity import fit_seasonal
    >>> fit = fit_seasonal(simulate_counts(400, seed=2).counts, annual=False)
    >>> fit.weekday.shape
    (7, 6)
    """
    level = check_fraction("level", level)
    given = as_regular_series(series, counts=True, min_observed=30)
    require_nonzero(given, what="fit_seasonal", min_days=10)
    # fitted on the observed span (the edges' missing days would only move the trend's
    # knots), reported on the input's index
    ds = given.observed_span()
    idx = ds.series.index
    n = len(idx)
    ppy = ds.periods_per_year
    require_within_year(ds, "fit_seasonal")
    weekly = _check_weekly(weekly, ds)
    max_k = int((ppy - 1) // 2)
    max_harmonics = min(check_whole("max_harmonics", max_harmonics, 0), max_k)
    y_all = ds.values
    obs = ds.observed
    if np.any(np.abs(y_all[obs] - np.round(y_all[obs])) > 1e-9):
        raise ParameterError("fit_seasonal needs whole-number counts, got non-integer values")
    tdf = _trend_df(trend, n, ppy)
    # two years of data outside silent years, for the annual terms to be chosen and tested
    two_years = _years_heard(ds) >= 2
    candidates = _annual_candidates(annual, ds, max_harmonics, max_k, two_years)
    obs = _without_excluded(exclude, idx, obs)
    if weekly:
        _check_weekdays(idx, obs)
    check_choice("dependence", dependence, ("auto", "ar1", "none"))
    tested = _tested_components(tests)

    span, search_trend, given_tdf = pd.DatetimeIndex(idx), trend == "auto", tdf

    def choose(use: np.ndarray) -> _Chosen:  # the same choice on the periods *use*
        return _choose(
            span, y_all, use, weekly, ppy, candidates, given_tdf, search_trend, dependence
        )

    chosen = choose(obs)
    mu = np.exp(chosen.design.X @ chosen.fit.params)
    # gross outliers (two-sided NB tail p < 1e-6 under the fit) are set aside and the
    # model chosen and fitted again without them: one day of 1,000,000 among ~1,000 made
    # its weekday x4.2 and every other weekday 0.75-0.84
    set_aside = _negbin.outlying(y_all, mu, obs, chosen.fit.alpha)
    if set_aside.any():
        obs = obs & ~set_aside
        chosen = choose(obs)
        mu = np.exp(chosen.design.X @ chosen.fit.params)
    # the noise model and its covariance, of the fit that stands only (the first fit's
    # went unused when days were set aside: 12 ms of drift model on real personnel)
    chosen = _with_noise(chosen, y_all, obs, dependence)
    models, K, tdf, bic, dep = chosen.models, chosen.K, chosen.tdf, chosen.bic, chosen.dep
    design, fit, selection_factor = chosen.design, chosen.fit, chosen.selection_factor
    # the annual cycle is tested even when not chosen, when it could have been, with a
    # fixed number of harmonics (the user's own when given)
    annual_testable = (annual is True or annual == "auto") and two_years and max_k >= 1
    test_k = min(2, max_k) if annual is True or annual == "auto" else K
    tests_df = _seasonal_tests(models, design, fit, K, tdf, dep, test_k, annual_testable, tested)
    wk = _weekday_table(fit, design, weekly, level)
    ann_cols = design.groups.get("annual", [])
    annual_eff = np.exp(design.X[:, ann_cols] @ fit.params[ann_cols]) if ann_cols else np.ones(n)
    wk_cols = design.groups.get("weekly", [])
    weekly_eff = np.exp(design.X[:, wk_cols] @ fit.params[wk_cols]) if wk_cols else np.ones(n)
    name = ds.series.name
    if len(given.series) != n:  # missing periods at the edges: on the input's index
        mu, annual_eff, weekly_eff = _on_edges(given.series.index, idx, design, fit, weekly, K, ppy)
        idx = given.series.index
    return SeasonalFit(
        observed=given.series,
        fitted=pd.Series(mu, index=idx, name="expected"),
        weekday=wk,
        annual=pd.Series(annual_eff, index=idx, name="annual_effect"),
        trend=pd.Series(
            mu / (annual_eff * weekly_eff), index=idx, name=f"{name or 'series'}_trend"
        ),
        dispersion=fit.alpha,
        dispersion_se=fit.alpha_se,
        harmonics=K,
        trend_df=tdf,
        tests=tests_df,
        params=pd.Series(fit.params, index=design.names),
        cov=pd.DataFrame(fit.cov, index=design.names, columns=design.names),
        llf=fit.llf,
        level=level,
        aic_by_harmonics=pd.Series(bic, name="bic").rename_axis("harmonics"),
        converged=fit.converged,
        poisson_limit=fit.poisson_limit,
        dependence=dep,
        selection_factor=selection_factor,
        unit=ds.unit,
        weekly=bool(weekly),
        set_aside=tuple(pd.DatetimeIndex(ds.series.index[set_aside])),
    )


@dataclass(frozen=True)
class _Chosen:
    """The model :func:`fit_seasonal` chose and fitted on the observed periods it used."""

    models: _Candidates
    K: int
    tdf: int
    bic: dict[int, float]
    dep: DependenceModel | None
    design: _Design
    fit: _NBFit
    selection_factor: float


def _choose(
    idx: pd.DatetimeIndex,
    y_all: np.ndarray,
    obs: np.ndarray,
    weekly: bool,
    ppy: float,
    candidates: list[int],
    tdf: int,
    search_trend: bool,
    dependence: str,
) -> _Chosen:
    """Choose the harmonics and the trend (:func:`_select`) and fit the model on the
    periods *obs*; its noise model and covariance are :func:`_with_noise`'s."""
    models = _Candidates(idx, y_all, obs, weekly, ppy)
    K, tdf, bic, dep = _select(models, candidates, tdf, search_trend, dependence != "none")
    design, fit = models.fitted(K, tdf)
    selection_factor = dep.lrv_factor if dep is not None else float("nan")
    return _Chosen(models, K, tdf, bic, dep, design, fit, selection_factor)


def _with_noise(chosen: _Chosen, y_all: np.ndarray, obs: np.ndarray, dependence: str) -> _Chosen:
    """*chosen* with the covariance of its own residuals' noise model (fitted on the
    periods *obs*): a richer model's residuals have lost low-frequency variation, and the
    annual terms are low-frequency. Unchanged with ``dependence='none'``."""
    if chosen.dep is None:
        return chosen
    dep = _noise_model(y_all, obs, chosen.design, chosen.fit, dependence)
    fit = replace(chosen.fit, cov=_dependent_cov(chosen.design.X, obs, chosen.fit, dep))
    return replace(chosen, dep=dep, fit=fit)


def _on_edges(
    full: pd.Index,
    span: pd.Index,
    design: _Design,
    fit: _NBFit,
    weekly: bool,
    K: int,
    ppy: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The expectation, annual and weekly effects on the input's whole index when the fit
    covered only its observed *span*: the weekday and annual terms are functions of the
    date, the trend is held at its value on the span's first and last period."""
    beta = dict(zip(design.names, fit.params, strict=True))
    seas = _design(full, weekly=weekly, K=K, months=False, trend_df=0, periods_per_year=ppy)
    part = {
        g: seas.X[:, c] @ np.array([beta[seas.names[j]] for j in c]) for g, c in seas.groups.items()
    }
    tcols = design.groups.get("trend", [])
    trend = design.X[:, tcols] @ fit.params[tcols] if tcols else np.zeros(len(span))
    held = pd.Series(trend, index=span).reindex(full).ffill().bfill().to_numpy()
    annual, week = part.get("annual", 0.0), part.get("weekly", 0.0)
    eta = beta["const"] + held + annual + week
    ones = np.zeros(len(full))
    return np.exp(eta), np.exp(ones + annual), np.exp(ones + week)


class _Candidates:
    """The NB fits of the candidate models (annual harmonics K, trend df), each fitted
    once, and their (quasi-)BIC."""

    def __init__(
        self, idx: pd.Index, y_all: np.ndarray, obs: np.ndarray, weekly: bool, ppy: float
    ) -> None:
        self.idx, self.y_all, self.obs, self.weekly, self.ppy = idx, y_all, obs, weekly, ppy
        self.y = y_all[obs]
        self._cache: dict[tuple[int, int], tuple[_Design, _NBFit]] = {}

    def fitted(self, K: int, df: int) -> tuple[_Design, _NBFit]:
        if (K, df) not in self._cache:
            d = _design(
                self.idx,
                weekly=self.weekly,
                K=K,
                months=False,
                trend_df=df,
                periods_per_year=self.ppy,
            )
            self._cache[(K, df)] = (d, _fit_nb(self.y, d.X[self.obs]))
        return self._cache[(K, df)]

    def crit(self, K: int, df: int, phi: float) -> float:
        """The (quasi-)BIC; infinite for a fit that did not converge, so one is never
        chosen over one that did (its likelihood is not a maximum: real naval-ship
        losses' trends of 10-16 df ran off to a mean of 0 over months without a ship)."""
        d, f = self.fitted(K, df)
        if not f.converged:
            return math.inf
        return -2 * f.llf / phi + (d.X.shape[1] + 1) * np.log(len(self.y))


def _check_weekly(weekly: Any, ds: RegularSeries) -> bool:
    """``weekly`` as a bool: ``'auto'`` is True for daily counts."""
    if weekly == "auto":
        return ds.is_daily
    if weekly is True and not ds.is_daily:
        raise ParameterError(
            f"weekly effects need daily counts, got {ds.unit}ly counts ({ds.freq.freqstr}); "
            "use weekly='auto' or False"
        )
    if weekly not in (True, False):
        raise ParameterError(f"weekly must be 'auto', True or False, got {weekly!r}")
    return bool(weekly)


def _trend_df(trend: Any, n: int, ppy: float) -> int:
    """The trend's degrees of freedom from the ``trend`` argument."""
    if trend == "auto":
        return _default_trend_df(n, ppy)
    if trend == "none":
        return 0
    if trend == "linear":
        return 1
    if isinstance(trend, (int, np.integer)) and not isinstance(trend, bool) and trend >= 0:
        return int(trend)
    raise ParameterError(
        f"trend must be 'auto', 'none', 'linear' or an integer >= 0, got {trend!r}"
    )


def _years_heard(ds: RegularSeries) -> float:
    """The periods of *ds* outside runs of a year or more without any count, in years:
    what an annual cycle can be learnt from. A year of zeros says nothing about the
    cycle (VIINA's nv outlet, silent from 2023-01-01 to 2026-04-16, was given two annual
    harmonics from its one year of reports, which deseasonalised it into segment levels
    of 330 million a day)."""
    zero = np.where(ds.observed, ds.values, 0.0) <= 0
    edges = np.diff(np.r_[0, zero.astype(np.int8), 0])
    runs = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)
    quiet = int(runs[runs >= int(round(ds.periods_per_year))].sum())
    return (len(zero) - quiet) / ds.periods_per_year


def _annual_candidates(
    annual: Any, ds: RegularSeries, max_harmonics: int, max_k: int, two_years: bool
) -> list[int]:
    """The numbers of annual harmonics to choose among (with ``'auto'``, none without
    *two_years* of data outside silent years: :func:`_years_heard`)."""
    n, ppy = len(ds.values), ds.periods_per_year
    if annual is True or annual == "auto":
        return list(range(0, max_harmonics + 1)) if two_years else [0]
    if annual is False:
        return [0]
    if isinstance(annual, (int, np.integer)) and annual >= 0:
        if annual > 0 and n < ppy:
            raise InsufficientDataError(
                f"annual harmonics need at least a year ({ppy:g} {ds.unit}s), got {n}; "
                "use annual=False"
            )
        if annual > max_k:
            raise ParameterError(
                f"{ds.unit}ly counts identify at most {max_k} annual harmonics, got {annual}"
            )
        return [int(annual)]
    raise ParameterError(f"annual must be 'auto', False or an integer >= 0, got {annual!r}")


def _without_excluded(exclude: Any, idx: pd.Index, obs: np.ndarray) -> np.ndarray:
    """The observed days left after ``exclude`` (at least 30)."""
    if exclude is None:
        return obs
    if not isinstance(exclude, pd.Series) or not isinstance(exclude.index, pd.DatetimeIndex):
        raise ParameterError("exclude must be a boolean pd.Series indexed by date")
    ex = exclude.reindex(idx).fillna(False).to_numpy(dtype=bool)
    obs = obs & ~ex
    if obs.sum() < 30:
        raise InsufficientDataError(
            f"fit_seasonal needs at least 30 days left after exclude, got {int(obs.sum())}"
        )
    return obs


def _check_weekdays(idx: pd.Index, obs: np.ndarray) -> None:
    """Weekly effects need two observed days of each weekday."""
    per_day = np.bincount(pd.DatetimeIndex(idx).day_of_week[obs], minlength=7)
    if (per_day < 2).any():
        absent = [WEEKDAYS[i] for i in np.flatnonzero(per_day < 2)]
        raise InsufficientDataError(
            "weekly effects need at least 2 observed days of each weekday, got "
            f"{int(per_day.min())} for {', '.join(absent)} (business-day data? use "
            "weekly=False)"
        )


def _select(
    models: _Candidates, candidates: list[int], tdf: int, auto_trend: bool, dependent: bool
) -> tuple[int, int, dict[int, float], DependenceModel | None]:
    """The annual harmonics (and with ``auto_trend`` the trend df) by (quasi-)BIC.
    Returns K, the trend df, the criterion of each K and the dependence model used."""
    if not dependent:
        bic = {K: models.crit(K, tdf, 1.0) for K in candidates}
        return min(bic, key=lambda k: bic[k]), tdf, bic, None
    # quasi-BIC with the long-run variance factor of the residuals of the most general
    # candidate (as QAIC takes its scale from the global model): estimated from a model
    # that is too stiff, the factor would absorb the misfit and choose a stiffer one
    n, ppy = len(models.idx), models.ppy
    df_grid = [tdf]
    if auto_trend:
        df_max = max(1, min(int(n * (_YEAR / ppy) // 90), n // 8))
        df_grid = sorted({d for d in (1, 2, 3, 4, 6, 8, 10, 12, 16) if d <= df_max})
    # the most general candidate that converged: a separated one's means of 0 made the
    # factor 1 (its inverse means were infinite; real naval-ship losses)
    general = models.fitted(max(candidates), max(df_grid))
    for d in sorted(df_grid, reverse=True):
        if models.fitted(max(candidates), d)[1].converged:
            general = models.fitted(max(candidates), d)
            break
    dep = _residual_dependence(models.y_all, models.obs, general[0].X, general[1])
    phi = dep.lrv_factor
    # the trend with the richest annual part, then the harmonics with that trend
    q = {d: models.crit(max(candidates), d, phi) for d in df_grid}
    tdf = min(q, key=lambda d: q[d])
    bic = {k: models.crit(k, tdf, phi) for k in candidates}
    return min(bic, key=lambda k: bic[k]), tdf, bic, dep


_TEST_COLUMNS = ["statistic", "df", "df_denominator", "p_value", "method"]


def _tests_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    if rows:
        return pd.DataFrame(rows).set_index("component")
    return pd.DataFrame(columns=_TEST_COLUMNS, index=pd.Index([], name="component"))


def _seasonal_tests(
    models: _Candidates,
    design: _Design,
    fit: _NBFit,
    K: int,
    tdf: int,
    dep: DependenceModel | None,
    test_k: int,
    annual_testable: bool,
    tested: tuple[str, ...] = ("weekly", "annual"),
) -> pd.DataFrame:
    """The weekly and annual tests. The annual cycle is tested with *test_k* harmonics
    whatever number the criterion chose (when it could have been chosen): a test of the
    chosen harmonics is a test after selection (on four-year random walks of daily sd
    0.02-0.03 it rejected 10-12% at the 5% level, with two fixed 3-7%)."""
    rows = []
    for comp in tested:
        if comp == "annual" and K != test_k:
            if not annual_testable:
                continue
            tdesign, tfit = models.fitted(test_k, tdf)
        else:
            tdesign, tfit = design, fit
        if comp in tdesign.groups:
            rows.append({"component": comp, **_component_test(models, tdesign, tfit, comp, dep)})
    return _tests_frame(rows)


def _tested_components(tests: Any) -> tuple[str, ...]:
    """The components :func:`fit_seasonal`'s ``tests`` asks for, in table order."""
    if isinstance(tests, (bool, np.bool_)):
        return ("weekly", "annual") if tests else ()
    try:
        names = [tests] if isinstance(tests, str) else list(tests)
    except TypeError:
        names = [tests]
    bad = [t for t in names if not isinstance(t, str) or t not in ("weekly", "annual")]
    if bad:
        raise ParameterError(
            f"tests must be True, False or component names 'weekly' and 'annual', got {tests!r}"
        )
    return tuple(c for c in ("weekly", "annual") if c in names)


def _component_test(
    models: _Candidates, design: _Design, fit: _NBFit, comp: str, dep: DependenceModel | None
) -> dict[str, Any]:
    """One component's test: a Wald F test under the AR(1) dependence, else a likelihood
    ratio."""
    y, y_all, obs = models.y, models.y_all, models.obs
    cols = design.groups[comp]
    keep = [j for j in range(design.X.shape[1]) if j not in cols]
    if dep is None:
        restricted = _fit_nb(y, design.X[obs][:, keep])
        stat = max(2 * (fit.llf - restricted.llf), 0.0)
        p_value = float(stats.chi2.sf(stat, len(cols)))
        return _test_row(stat, len(cols), math.nan, p_value, "likelihood ratio")
    # the dependence under the null (the model without the component): the component's
    # terms would otherwise absorb part of the slow variation they are tested against,
    # and the test would over-reject
    if dep.drift > 0:
        # the fit's drift model (:func:`_noise_model`), fitted once for every test; its
        # df are those of the drift variance
        tfit = replace(fit, cov=_dependent_cov(design.X, obs, fit, dep))
        dof, method = dep.drift_dof, "Wald (local level + AR(1) dependence)"
    else:
        Xr = design.X[:, keep]
        null_fit = _fit_nb(y, Xr[obs])
        null_mu = np.exp(Xr @ null_fit.params)
        tdep = estimate_dependence(y_all, null_mu, obs, null_fit.size)
        tfit = replace(fit, cov=_dependent_cov(design.X, obs, fit, tdep))
        dof = variance_dof(tdep, null_mu, obs, null_fit.size)
        method = "Wald (AR(1) dependence)"
    b = tfit.params[cols]
    V = tfit.cov[np.ix_(cols, cols)]
    stat = float(b @ np.linalg.pinv(V) @ b)
    if np.isfinite(dof):
        p_value = float(stats.f.sf(stat / len(cols), len(cols), dof))
    else:
        p_value = float(stats.chi2.sf(stat, len(cols)))
    df_den = float(dof) if np.isfinite(dof) else math.nan
    return _test_row(stat, len(cols), df_den, p_value, method)


def _test_row(stat: float, df: int, df_den: float, p_value: float, method: str) -> dict[str, Any]:
    return {
        "statistic": stat,
        "df": df,
        "df_denominator": df_den,
        "p_value": p_value,
        "method": method,
    }


def _weekday_table(fit: _NBFit, design: _Design, weekly: bool, level: float) -> pd.DataFrame:
    """The weekday rate ratios (all 1 without weekly effects)."""
    if weekly:
        return _rate_ratios(fit, design.groups["weekly"], WEEKDAYS, level)
    return pd.DataFrame(
        {
            "rate_ratio": 1.0,
            "ci_lower": np.nan,
            "ci_upper": np.nan,
            "log_rr": 0.0,
            "se": np.nan,
            "p_value": np.nan,
        },
        index=pd.Index(list(WEEKDAYS), name="level"),
    )


def _residual_dependence(
    y_all: np.ndarray, obs: np.ndarray, X: np.ndarray, fit: _NBFit
) -> DependenceModel:
    """The dependence model of the residuals of the NB fit with design matrix *X*."""
    return estimate_dependence(y_all, np.exp(X @ fit.params), obs, fit.size)


def _noise_model(
    y_all: np.ndarray, obs: np.ndarray, design: _Design, fit: _NBFit, dependence: str
) -> DependenceModel:
    """The noise model of the NB fit *fit*: the latent AR(1) of its residuals, or with
    ``'auto'`` the drift model when the log-rate without its weekday, annual and month
    effects drifts (:func:`intensity._levelshift.drift_noise`; with the annual terms left
    in, a simulated annual cycle read as drift, LR 25.7, and the annual test's Wald
    statistic fell from 39 to 22)."""
    dep = _residual_dependence(y_all, obs, design.X, fit)
    if dependence != "auto":
        return dep
    from ._levelshift import drift_noise

    cycle = [j for g in ("weekly", "annual", "month") for j in design.groups.get(g, [])]
    mult = np.exp(design.X[:, cycle] @ fit.params[cycle])
    return drift_noise(np.nan_to_num(y_all), mult, obs, dep)


def _dependent_cov(X: np.ndarray, obs: np.ndarray, fit: _NBFit, dep: DependenceModel) -> np.ndarray:
    """Sandwich covariance ``A⁻¹ B A⁻¹`` of the NB2 coefficients when the counts follow
    the latent AR(1) model *dep*: A is the NB information, and B adds to it the score
    covariances between days ``h`` apart that the model implies,
    ``Cov(y_s, y_t) = mu_s mu_t (exp(sigma2 rho^h) - 1)`` (calendar lags: a missing day
    contributes nothing). Unlike a kernel (Newey–West) estimate of B from residual
    products, it has no sampling noise of its own, so Wald tests keep their size on
    independent counts (a Newey–West version rejected 14% at the 5% level on a year of
    independent NB counts)."""
    mu = np.exp(X @ fit.params)
    w = 1.0 / (1.0 + fit.alpha * mu)
    Xo = X[obs]
    A = (Xo * (mu * w)[obs][:, None]).T @ Xo
    B = A.copy()
    Z = np.where(obs[:, None], X * (mu * w)[:, None], 0.0)
    G = lagged_cross(Z, latent_lag_weights(dep.sigma2, dep.rho, len(mu)))
    B += G + G.T
    if dep.drift > 0:  # a random walk of the log-rate: Cov(y_s, y_t) ~ mu_s mu_t q min(s, t)
        B += drift_quadratic(Z, dep.drift)
    Ainv = np.linalg.pinv(A)
    return Ainv @ B @ Ainv


# =========================================================================== profiles
@dataclass(frozen=True, repr=False)  # the readable repr of ResultMixin
class SeasonalProfile(ResultMixin):
    """Rate ratios by weekday or month with confidence intervals (from an NB regression
    that also carries a smooth trend, so months are not confounded with the trend).

    Examples
    --------
    >>> from intensity import seasonal_profile, simulate_counts
    >>> prof = seasonal_profile(simulate_counts(400, seed=2).counts)
    >>> prof.summary().columns.tolist()
    ['rate_ratio', 'ci_lower', 'ci_upper', 'p_value']
    """

    table: pd.DataFrame
    by: ProfileBy
    name: str
    level: float
    period: str = ""  # "first – last" date of the data
    set_aside: tuple[pd.Timestamp, ...] = ()
    """Periods left out of the fit as gross outliers (two-sided NB tail probability
    below 1e-6 under a first fit)."""

    def summary(self) -> pd.DataFrame:
        return self.table[["rate_ratio", "ci_lower", "ci_upper", "p_value"]]

    def _notes(self) -> list[str]:
        return [set_aside_words(self.set_aside)] if self.set_aside else []

    def _title(self) -> str:
        return f"{self.by.capitalize()} profile of {self.name} (rate ratio to the average)"

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        from .plotting import plot_profile

        return plot_profile(self, ax=ax, **kw)


def seasonal_profile(
    series: pd.Series,
    by: ProfileBy = "weekday",
    level: float = 0.95,
    *,
    dependence: SeasonalNoise = "auto",
    fit: SeasonalFit | None = None,
) -> SeasonalProfile:
    """Weekday or month rate ratios with confidence intervals.

    One number per quantity: the weekday profile **is** :func:`fit_seasonal`'s weekday
    table (the same rate ratios and intervals as ``fit_seasonal(series).weekday``; pass
    *fit* to reuse a fit). The month profile comes from an NB regression with weekday
    effects, month effects and the smooth trend, with the covariance that the residuals'
    serial dependence implies (latent AR(1), as every test of the package): with
    independent-days intervals, December read 1.199 (1.143–1.258), p ~ 1e-13, beside an
    annual-cycle test with p = 0.10.

    Parameters
    ----------
    series
        Daily counts; for ``by='month'`` weekly or monthly ones too (a week counts in
        the month of its date; no weekday effects in the model).
    by
        ``'weekday'`` (needs 4 weeks of daily counts) or ``'month'`` (needs a full
        year).
    level
        Confidence level.
    dependence
        ``'auto'`` (default: the drift model where the log-rate drifts, as
        :func:`fit_seasonal`), ``'ar1'`` or ``'none'`` (independent days).
    fit
        A :class:`SeasonalFit` of *series* whose weekday table is the weekday profile.

    Examples
    --------
    >>> from intensity.simulate import simulate_counts
    >>> from intensity import seasonal_profile
    >>> seasonal_profile(simulate_counts(200, seed=3).counts).table.index[0]
    'Monday'
    """
    check_choice("by", by, ("weekday", "month"))
    level = check_fraction("level", level)
    given = _profile_counts(series, by)
    require_nonzero(given, what="seasonal_profile", min_days=10)
    ds = given.observed_span()  # as fit_seasonal: the edges' missing days move nothing
    idx = ds.series.index
    n, ppy = len(idx), ds.periods_per_year
    if by == "month" and n < int(ppy):
        raise InsufficientDataError(
            f"a month profile needs a year ({int(ppy)} {ds.unit}s), got {n} {ds.unit}s"
        )
    check_choice("dependence", dependence, ("auto", "ar1", "none"))
    if fit is not None and not isinstance(fit, SeasonalFit):
        raise ParameterError(f"fit must be None or a SeasonalFit, got {type(fit).__name__}")
    obs = ds.observed
    if by == "weekday":
        if fit is None:
            fit = fit_seasonal(ds.series, level=level, tests=False, dependence=dependence)
        elif not fit.observed.index.equals(given.series.index) or fit.level != level:
            raise ParameterError(
                "fit must be a SeasonalFit of the same series at the same level "
                f"(its dates {fit.observed.index[0]:%Y-%m-%d} … "
                f"{fit.observed.index[-1]:%Y-%m-%d}, level {fit.level})"
            )
        table = fit.weekday[["rate_ratio", "ci_lower", "ci_upper", "log_rr", "se", "p_value"]]
        set_aside = fit.set_aside
    else:
        d = _design(
            idx,
            weekly=ds.is_daily,
            K=0,
            months=True,
            trend_df=_default_trend_df(n, ppy),
            periods_per_year=ppy,
        )
        f = _fit_nb(ds.values[obs], d.X[obs])
        # gross outliers set aside, as fit_seasonal does (one day of 1,000,000 among
        # ~1,000 a day had made its month x2.9 and every other month 0.78-1.06)
        far = _negbin.outlying(ds.values, np.exp(d.X @ f.params), obs, f.alpha)
        if far.any():
            obs = obs & ~far
            f = _fit_nb(ds.values[obs], d.X[obs], f)
        set_aside = tuple(pd.DatetimeIndex(idx[far]))
        if dependence != "none":
            dep = _noise_model(ds.values, obs, d, f, dependence)
            f = replace(f, cov=_dependent_cov(d.X, obs, f, dep))
        table = _rate_ratios(f, d.groups["month"], MONTHS, level)
    table = table.assign(n_days=[int(v) for v in _level_counts(idx[obs], by)])
    return SeasonalProfile(
        table=table,
        by=by,
        name=str(ds.series.name or "series"),
        level=level,
        period=f"{idx[0]:%Y-%m-%d} – {idx[-1]:%Y-%m-%d}",
        set_aside=set_aside,
    )


#: the periods a month profile takes (a quarter holds three months, a year twelve)
MONTH_PROFILE_UNITS = ("day", "week", "month")


def _profile_counts(series: Any, by: str) -> RegularSeries:
    """The validated counts of a profile: daily ones for weekdays; daily, weekly or
    monthly ones for months (a week counts in the month of its date, as the index
    labels it; a quarter holds three months, a year twelve)."""
    if by == "weekday":
        ds = as_regular_series(series, counts=True, min_observed=28)
        if not ds.is_daily:
            raise ParameterError(f"a weekday profile needs daily counts, got {ds.unit}ly counts")
        return ds
    ds = as_regular_series(series, counts=True, min_observed=4)
    if ds.unit not in MONTH_PROFILE_UNITS:
        raise ParameterError(
            f"a month profile needs daily, weekly or monthly counts, got {ds.unit}ly counts"
        )
    return ds


def _level_counts(idx: pd.Index, by: ProfileBy) -> np.ndarray:
    idx = pd.DatetimeIndex(idx)
    codes = idx.day_of_week.to_numpy() if by == "weekday" else idx.month.to_numpy() - 1
    return np.bincount(codes, minlength=7 if by == "weekday" else 12)
