"""Analyses of a reconstructed series that carry its uncertainty (issue 25).

A reconstructed day is an estimate, not a figure: an analysis run on the estimate alone
would treat 900 modelled days as if they had been reported. Here the analysis is repeated
on draws of the whole series (:meth:`~intensity.reconstruct.Reconstruction.draws`) and the
answers are combined:

* :func:`excess_on_draws`: the winter question (:func:`~intensity.seasonal_excess`) on
  every draw, combined by Rubin's rules for multiple imputation on the log ratio (the
  within-draw variance from each draw's own interval, plus the between-draw variance);
* :func:`breaks_on_draws`: :func:`~intensity.detect_breaks` on every draw; break dates
  within ``tolerance`` days of each other across draws are one break, reported with the
  share of draws that have it and the spread of its date.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._validation import check_fraction, check_whole
from .model import Reconstruction

__all__ = ["excess_on_draws", "breaks_on_draws", "rubin"]

#: the share of draws a break must appear in to be reported as supported
MIN_SHARE = 0.5


def rubin(estimates: np.ndarray, variances: np.ndarray, level: float = 0.95) -> dict[str, float]:
    """Rubin's rules: the mean of *estimates* (one per imputation) with an interval from
    the within variance (the mean of *variances*) plus ``(1 + 1/M)`` times the between
    variance, on a t distribution with Rubin's degrees of freedom, and the two-sided
    p-value of zero.

    Examples
    --------
    >>> r = rubin(np.array([0.10, 0.12, 0.08]), np.array([0.01, 0.01, 0.01]) ** 2)
    >>> round(r["estimate"], 2), r["lower"] < 0.10 < r["upper"]
    (0.1, True)
    """
    est = np.asarray(estimates, float)
    var = np.asarray(variances, float)
    m = len(est)
    q = float(est.mean())
    w = float(var.mean())
    b = float(est.var(ddof=1)) if m > 1 else 0.0
    t = w + (1 + 1 / m) * b
    if b > 0 and m > 1:
        df = (m - 1) * (1 + w / ((1 + 1 / m) * b)) ** 2
    else:
        df = np.inf
    se = float(np.sqrt(t))
    quant = (
        float(stats.t.ppf(0.5 + level / 2, df))
        if np.isfinite(df)
        else float(stats.norm.ppf(0.5 + level / 2))
    )
    p = float(2 * stats.t.sf(abs(q) / se, df)) if se > 0 else float(q == 0)
    share_between = (1 + 1 / m) * b / t if t > 0 else 0.0
    return {
        "estimate": q,
        "lower": q - quant * se,
        "upper": q + quant * se,
        "se": se,
        "df": float(df),
        "p": p,
        "share_between": float(share_between),
    }


def _log_var(lo_pct: float, hi_pct: float, level: float) -> float:
    """Variance of the log ratio from an interval of a percentage excess."""
    z = float(stats.norm.ppf(0.5 + level / 2))
    return float(((np.log1p(hi_pct / 100) - np.log1p(lo_pct / 100)) / (2 * z)) ** 2)


def excess_on_draws(
    recon: Reconstruction,
    season: tuple[str, str] = ("11-01", "02-28"),
    *,
    n_draws: int = 40,
    seed: int = 0,
    level: float = 0.95,
    **kw: Any,
) -> pd.DataFrame:
    """Each season's excess (:func:`~intensity.seasonal_excess`, both baselines) on the
    reconstructed series, with the reconstruction's uncertainty carried.

    Parameters
    ----------
    recon
        A :class:`~intensity.reconstruct.Reconstruction`.
    season, level, **kw
        As in :func:`~intensity.seasonal_excess`.
    n_draws
        Draws of the series (each analysed, then combined by :func:`rubin`).
    seed
        Seed of the draws.

    Returns
    -------
    pd.DataFrame
        Index ``season``; for ``level`` and ``seasonal`` the columns of
        :func:`~intensity.seasonal_excess`'s table (``excess_{b}_pct``,
        ``excess_{b}_ci_lower``, ``excess_{b}_ci_upper``, ``p_{b}``) and ``between_{b}``
        (the share of the variance that comes from the reconstruction, not from the
        analysis); ``reported_days`` and ``days`` of the season, ``n_draws``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from intensity.reconstruct import reconstruct_daily
    >>> days = pd.date_range("2022-09-01", "2025-06-30", freq="D")
    >>> s = pd.Series(np.nan, index=days)
    >>> s.iloc[::5] = np.round(150 * np.exp(0.2 * np.sin(np.arange(0, len(days), 5) / 58)))
    >>> t = excess_on_draws(reconstruct_daily(s), n_draws=3)
    >>> list(t.columns[:3])
    ['excess_level_pct', 'excess_level_ci_lower', 'excess_level_ci_upper']
    """
    from ..seasons import seasonal_excess

    n_draws = check_whole("n_draws", n_draws, 2)
    check_whole("seed", seed, 0)
    level = check_fraction("level", level, low=0.5, high=0.999)
    draws = recon.draws(n_draws, seed=seed)
    per: dict[str, dict[str, Any]] = {}
    for col in draws:
        s = draws[col].round().rename(recon.name)
        t = seasonal_excess(s, season, level=level, **kw).table
        for name, r in t.iterrows():
            acc = per.setdefault(str(name), {})
            for b in ("level", "seasonal"):
                pct = float(r[f"excess_{b}_pct"])
                lo, hi = float(r[f"excess_{b}_ci_lower"]), float(r[f"excess_{b}_ci_upper"])
                if np.isfinite(pct) and np.isfinite(lo) and np.isfinite(hi):
                    acc.setdefault(f"{b}_est", []).append(float(np.log1p(pct / 100)))
                    acc.setdefault(f"{b}_var", []).append(_log_var(lo, hi, level))
            acc.setdefault("start", r["start"])
            acc.setdefault("end", r["end"])
    rows = []
    days = recon.days
    for name, acc in per.items():
        start, end = acc["start"], acc["end"]
        part = days.loc[start:end]
        row: dict[str, Any] = {
            "season": name,
            "start": start,
            "end": end,
            "days": len(part),
            "reported_days": int(part["reported"].sum()),
            "n_draws": len(acc.get("level_est", [])),
        }
        for b in ("level", "seasonal"):
            est = np.array(acc.get(f"{b}_est", []))
            if len(est) < 2:
                continue
            c = rubin(est, np.array(acc[f"{b}_var"]), level)
            row[f"excess_{b}_pct"] = float(np.expm1(c["estimate"]) * 100)
            row[f"excess_{b}_ci_lower"] = float(np.expm1(c["lower"]) * 100)
            row[f"excess_{b}_ci_upper"] = float(np.expm1(c["upper"]) * 100)
            row[f"p_{b}"] = c["p"]
            row[f"between_{b}"] = c["share_between"]
        rows.append(row)
    out = pd.DataFrame(rows).set_index("season")
    lead = [c for c in out.columns if c.startswith("excess_level")]
    return out[lead + [c for c in out.columns if c not in lead]]


def breaks_on_draws(
    recon: Reconstruction,
    *,
    n_draws: int = 40,
    seed: int = 0,
    tolerance: int = 30,
    min_share: float = MIN_SHARE,
    **kw: Any,
) -> pd.DataFrame:
    """Trend breaks (:func:`~intensity.detect_breaks`) of the reconstructed series, with
    the reconstruction's uncertainty carried: the search runs on every draw, and breaks
    of different draws within *tolerance* days of each other are one break.

    Returns
    -------
    pd.DataFrame
        One row per break found in any draw: ``date`` (the median date), ``date_lower``
        / ``date_upper`` (the 2.5 and 97.5% of its dates across draws), ``share`` (of the
        draws that have it), ``ratio`` (median level ratio after / before),
        ``reported_days_near`` (reported days within *tolerance* days) and
        ``supported`` (``share >= min_share``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from intensity.reconstruct import reconstruct_daily
    >>> days = pd.date_range("2024-01-01", periods=400, freq="D")
    >>> s = pd.Series(np.nan, index=days)
    >>> s.iloc[::3] = np.where(np.arange(0, 400, 3) < 200, 100.0, 200.0)
    >>> br = breaks_on_draws(reconstruct_daily(s), n_draws=3)
    >>> bool(br["supported"].any())
    True
    """
    from ..breaks import detect_breaks

    n_draws = check_whole("n_draws", n_draws, 2)
    check_whole("seed", seed, 0)
    tolerance = check_whole("tolerance", tolerance, 1)
    min_share = check_fraction("min_share", min_share)
    kw.setdefault("n_boot", 0)  # the spread across draws is the date's uncertainty
    draws = recon.draws(n_draws, seed=seed)
    found = []
    for j, col in enumerate(draws):
        b = detect_breaks(draws[col].round().rename(recon.name), **kw)
        table = b.breaks
        ratios = table["ratio"] if "ratio" in table else pd.Series(np.nan, index=table.index)
        for d, ratio in zip(pd.DatetimeIndex(table.index), ratios, strict=True):
            found.append((d, j, float(ratio)))
    found.sort()
    clusters: list[list[tuple[pd.Timestamp, int, float]]] = []
    for f in found:
        if clusters and (f[0] - clusters[-1][-1][0]).days <= tolerance:
            clusters[-1].append(f)
        else:
            clusters.append([f])
    rep = recon.days["reported"]
    rows = []
    for c in clusters:
        dates = pd.DatetimeIndex([f[0] for f in c])
        ns = dates.as_unit("ns").asi8
        near = rep.loc[
            dates.min() - pd.Timedelta(days=tolerance) : dates.max() + pd.Timedelta(days=tolerance)
        ]
        share = len({f[1] for f in c}) / n_draws
        rows.append(
            {
                "date": pd.Timestamp(int(np.median(ns))).normalize(),
                "date_lower": pd.Timestamp(int(np.quantile(ns, 0.025))).normalize(),
                "date_upper": pd.Timestamp(int(np.quantile(ns, 0.975))).normalize(),
                "share": share,
                "ratio": float(np.nanmedian([f[2] for f in c])),
                "reported_days_near": int(near.sum()),
                "supported": share >= min_share,
            }
        )
    cols = ["date", "date_lower", "date_upper", "share", "ratio", "reported_days_near", "supported"]
    out = pd.DataFrame(rows, columns=cols)
    out.index = pd.RangeIndex(1, len(out) + 1, name="break")
    return out
