"""Lead and lag between two daily count series: the cross-correlation of their
deseasonalised, detrended log-rates after prewhitening.

Why prewhitening. Two serially dependent series that have nothing to do with each other
still show large sample cross-correlations: the usual ``±2/sqrt(n)`` band assumes at
least one of them is white noise (Bartlett's formula: the variance of a sample
cross-correlation of independent series is ``(1/n) sum_k rho_a(k) rho_b(k)``). Following
Box & Jenkins, an autoregression is fitted to the first series (order by AIC, Yule-Walker)
and both series are filtered with it: the first becomes white, the second keeps its
relation to the first at every lag (a lag of three days stays three days), and the band
is valid again.

Why a simultaneous band. The lag with the highest correlation is picked among
``2 max_lag + 1`` lags; a pointwise 95% band would find a "significant" lag in most pairs
of unrelated series. The band here holds for all lags at once (Bonferroni), so
``significant`` is a test of "some lag relates the two series" at the stated level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtri

from .._results import ResultMixin
from .._validation import as_daily_series, check_fraction, check_whole
from ..exceptions import InsufficientDataError, ParameterError

__all__ = ["LeadLag", "lead_lag", "log_rate_residuals"]

#: days of the centred moving average that is the trend of the log-rate
TREND_DAYS = 29
#: the fewest days both series observe
MIN_COMMON = 100


@dataclass(frozen=True, repr=False)  # the readable repr of ResultMixin
class LeadLag(ResultMixin):
    """Result of :func:`lead_lag`.

    Attributes
    ----------
    table : pd.DataFrame
        One row per lag (index: lag in days; positive: *b* follows *a*): the
        cross-correlation, its pointwise interval, the pairs it rests on, and whether it
        lies outside the simultaneous band.
    best_lag : int
        The lag with the highest correlation (largest positive; a lead-lag relation of
        counts that rise together).
    best_ccf : float
        Its correlation.
    significant : bool
        Whether any lag's correlation lies outside the simultaneous band.
    band : float
        Half-width of the simultaneous band.
    ar_order : int
        Order of the prewhitening autoregression.
    residuals : pd.DataFrame
        The two prewhitened series (input index).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from intensity import lead_lag
    >>> rng = np.random.default_rng(0)
    >>> idx = pd.date_range("2024-01-01", periods=600, freq="D")
    >>> x = rng.normal(0, 0.3, 603)
    >>> a = pd.Series(rng.poisson(200 * np.exp(x[3:])), index=idx, name="a")
    >>> b = pd.Series(rng.poisson(100 * np.exp(x[:-3])), index=idx, name="b")
    >>> res = lead_lag(a, b)
    >>> res.best_lag
    3
    """

    table: pd.DataFrame
    best_lag: int
    best_ccf: float
    significant: bool
    band: float
    level: float
    ar_order: int
    a_name: str
    b_name: str
    period: str
    n: int
    residuals: pd.DataFrame
    bartlett_factor: float = 1.0

    def summary(self) -> pd.DataFrame:
        return self.table

    def _title(self) -> str:
        verdict = "significant" if self.significant else "not significant"
        return (
            f"Lead and lag of {self.b_name} on {self.a_name} ({self.period}): highest "
            f"correlation {self.best_ccf:.3f} at lag {self.best_lag:+d} days ({verdict})"
        )

    def _notes(self) -> list[str]:
        return [
            "positive lag k: b on day t + k against a on day t (b follows a)",
            f"log-rates less a centred {TREND_DAYS}-day mean and weekday means, prewhitened "
            f"by the AR({self.ar_order}) of {self.a_name} (Box-Jenkins)",
            f"simultaneous {self.level:.0%} band ±{self.band:.3f} over {len(self.table)} lags "
            f"(Bonferroni); pointwise intervals ±z sqrt(f/n) with Bartlett's factor f = "
            f"{self.bartlett_factor:.2f} for what prewhitening leaves; {self.n} days",
        ]

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        from ..plotting import plot_lead_lag

        return plot_lead_lag(self, ax=ax, **kw)


def log_rate_residuals(series: pd.Series) -> pd.Series:
    """The deseasonalised, detrended log-rate of a daily count series:
    ``log(y + 0.5)`` less its centred 29-day moving average (the trend; breaks and the
    annual cycle move with it) and less the mean of the remainder on each weekday. NaN on
    missing days.

    Examples
    --------
    >>> from intensity import simulate_counts
    >>> from intensity.multi import log_rate_residuals
    >>> r = log_rate_residuals(simulate_counts(200, seed=1).counts)
    >>> len(r), abs(float(r.mean())) < 0.01
    (200, True)
    """
    ds = as_daily_series(series, counts=True, min_observed=2)
    x = np.log(ds.series + 0.5)
    trend = x.rolling(TREND_DAYS, center=True, min_periods=TREND_DAYS // 2 + 1).mean()
    r = x - trend
    wd = r.groupby(pd.DatetimeIndex(r.index).day_of_week).transform("mean")
    return (r - wd).rename(series.name)


def _ar_fit(x: np.ndarray, max_order: int) -> np.ndarray:
    """AR coefficients of *x* (NaN = missing, mean 0) by Yule-Walker with the order chosen
    by AIC (Levinson-Durbin on the sample autocovariances over observed pairs)."""
    from statsmodels.tsa.stattools import levinson_durbin

    ok = np.isfinite(x)
    n = int(ok.sum())
    z = np.where(ok, x, 0.0)
    acov = np.array(
        [np.sum(z[h:] * z[: len(z) - h]) / n for h in range(max_order + 1)], dtype=float
    )
    if acov[0] <= 0:
        return np.zeros(0)
    best_aic, best = n * math.log(acov[0]), np.zeros(0)
    for p in range(1, max_order + 1):
        sigma_v, coefs, *_ = levinson_durbin(acov[: p + 1], nlags=p, isacov=True)
        if not sigma_v > 0:
            break
        aic = n * math.log(sigma_v) + 2 * p
        if aic < best_aic:
            best_aic, best = aic, np.asarray(coefs, dtype=float)
    return best


def _filter(x: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """``x_t - sum_i phi_i x_{t-i}``; NaN where any term is missing."""
    out = x.copy()
    for i, c in enumerate(phi, start=1):
        lagged = np.full_like(x, np.nan)
        lagged[i:] = x[:-i]
        out = out - c * lagged
    return out


def _acf(x: np.ndarray, m: int) -> np.ndarray:
    """Autocorrelations of *x* (NaN = missing) at lags 1…m over observed pairs."""
    ok = np.isfinite(x)
    z = np.where(ok, x - np.nanmean(x), 0.0)
    g0 = float(np.sum(z * z) / max(int(ok.sum()), 1))
    out = np.zeros(m)
    if g0 <= 0:
        return out
    for h in range(1, m + 1):
        both = ok[h:] & ok[:-h]
        if both.sum() > 10:
            out[h - 1] = float(np.sum(z[h:] * z[:-h] * both) / both.sum()) / g0
    return out


def _bartlett_factor(a: np.ndarray, b: np.ndarray, m: int) -> float:
    """Bartlett's variance factor of a sample cross-correlation of two independent
    series, ``1 + 2 sum_{j=1..m} rho_a(j) rho_b(j)`` (at least 1). After prewhitening it
    is near 1; it keeps the band honest where the prewhitening cannot make the first
    series white (the moving-average detrending leaves a dip at the lowest frequencies
    that no autoregression removes)."""
    return max(1.0, 1.0 + 2.0 * float(np.sum(_acf(a, m) * _acf(b, m))))


def _ccf(a: np.ndarray, b: np.ndarray, k: int) -> tuple[float, int]:
    """corr(a_t, b_{t+k}) over the days both are observed, and the number of pairs."""
    if k >= 0:
        x, y = a[: len(a) - k], b[k:]
    else:
        x, y = a[-k:], b[: len(b) + k]
    ok = np.isfinite(x) & np.isfinite(y)
    m = int(ok.sum())
    if m < 3:
        return math.nan, m
    xo, yo = x[ok] - x[ok].mean(), y[ok] - y[ok].mean()
    den = math.sqrt(float(np.sum(xo * xo) * np.sum(yo * yo)))
    return (float(np.sum(xo * yo) / den) if den > 0 else math.nan), m


def lead_lag(
    a: pd.Series,
    b: pd.Series,
    max_lag: int = 14,
    *,
    level: float = 0.95,
    max_order: int = 14,
) -> LeadLag:
    """Whether *b* follows (or leads) *a*, and by how many days.

    The cross-correlation of the two series' deseasonalised, detrended log-rates
    (:func:`log_rate_residuals`) at lags ``-max_lag … max_lag`` after Box-Jenkins
    prewhitening (see the module docstring), with pointwise intervals and a simultaneous
    band over all lags, both valid under serial dependence.

    Parameters
    ----------
    a, b
        Daily counts with a ``DatetimeIndex``; they are compared on the days both cover.
    max_lag
        Largest lag in days, each way.
    level
        Level of the intervals and of the simultaneous band.
    max_order
        Largest order of the prewhitening autoregression (chosen by AIC).

    Returns
    -------
    LeadLag

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from intensity import lead_lag
    >>> rng = np.random.default_rng(0)
    >>> idx = pd.date_range("2024-01-01", periods=600, freq="D")
    >>> x = rng.normal(0, 0.3, 603)
    >>> a = pd.Series(rng.poisson(200 * np.exp(x[3:])), index=idx, name="a")
    >>> b = pd.Series(rng.poisson(100 * np.exp(x[:-3])), index=idx, name="b")
    >>> res = lead_lag(a, b)
    >>> res.best_lag, res.significant
    (3, True)
    """
    level = check_fraction("level", level)
    check_whole("max_lag", max_lag, 1)
    check_whole("max_order", max_order, 0)
    ra, rb = log_rate_residuals(a), log_rate_residuals(b)
    idx = ra.index.intersection(rb.index)
    if len(idx) == 0:
        raise InsufficientDataError("a and b share no days")
    full = pd.date_range(idx[0], idx[-1], freq="D")
    xa = ra.reindex(full).to_numpy(dtype=float)
    xb = rb.reindex(full).to_numpy(dtype=float)
    both = int(np.sum(np.isfinite(xa) & np.isfinite(xb)))
    if both < max(MIN_COMMON, 4 * max_lag):
        raise InsufficientDataError(
            f"lead_lag needs at least {max(MIN_COMMON, 4 * max_lag)} days observed in both "
            f"series, got {both}"
        )
    if max_lag >= both // 4:
        raise ParameterError(f"max_lag must be below {both // 4} for {both} days, got {max_lag}")
    xa = xa - np.nanmean(xa)
    xb = xb - np.nanmean(xb)
    phi = _ar_fit(xa, int(max_order))
    wa, wb = _filter(xa, phi), _filter(xb, phi)
    lags = np.arange(-int(max_lag), int(max_lag) + 1)
    ccf = np.empty(len(lags))
    pairs = np.empty(len(lags), dtype=int)
    for i, k in enumerate(lags):
        ccf[i], pairs[i] = _ccf(wa, wb, int(k))
    z = float(ndtri(0.5 + level / 2))
    z_sim = float(ndtri(1 - (1 - level) / (2 * len(lags))))
    inflate = _bartlett_factor(wa, wb, 2 * TREND_DAYS)
    se = np.sqrt(inflate / np.maximum(pairs, 1))
    n_eff = int(np.median(pairs))
    band = z_sim * math.sqrt(inflate / n_eff)
    outside = np.abs(ccf) > z_sim * se
    table = pd.DataFrame(
        {
            "ccf": ccf,
            "ci_lower": ccf - z * se,
            "ci_upper": ccf + z * se,
            "pairs": pairs,
            "outside_band": outside,
        },
        index=pd.Index(lags, name="lag"),
    )
    best = int(lags[int(np.nanargmax(ccf))])
    return LeadLag(
        table=table,
        best_lag=best,
        best_ccf=float(ccf[int(np.nanargmax(ccf))]),
        significant=bool(outside.any()),
        band=band,
        level=level,
        ar_order=len(phi),
        a_name=str(a.name or "a"),
        b_name=str(b.name or "b"),
        period=f"{full[0]:%Y-%m-%d} – {full[-1]:%Y-%m-%d}",
        n=both,
        residuals=pd.DataFrame({str(a.name or "a"): wa, str(b.name or "b"): wb}, index=full),
        bartlett_factor=inflate,
    )
