"""A daily series reconstructed from sparse and aggregated evidence (issue 25).

No dense public series of the General Staff's engagement count exists. What exists is a
few whole-day figures quoted by news pages, partial-day figures ("since the morning",
16:00), and period figures: monthly totals, means per day, weekly sums, single peak days,
month-on-month changes. :func:`reconstruct_daily` estimates every day's count from all of
them at once, with a prediction interval, and says which days were reported.

The model (temporal disaggregation as a state-space / Gaussian-process model on the log
scale, in the spirit of Chow–Lin with a random-walk-like error, but with the aggregates as
non-linear cumulator observations):

* the log count of day *t* is ``x_t = b0 + b1 z_t + a_t + e_t``: an intercept, an optional
  dense covariate ``z`` (the log of, e.g., the claimed daily personnel losses), a smooth
  level ``a`` (Ornstein–Uhlenbeck: standard deviation ``sigma_level``, correlation
  ``exp(-|s - t| / length_days)``) and day-to-day noise ``e`` (``sigma_day``); the
  coefficients have a wide Gaussian prior (sd 3 on the log scale), so the data decide them;
* a reported whole day observes ``x_t`` (sd :data:`DAY_SD`, which absorbs a news page's
  misdating) and keeps its figure in the output; a day with only partial figures observes
  the nowcast of its whole day (:func:`~intensity.reports.engagements_daily`) with the
  nowcast's own spread;
* a period figure observes ``log sum_{t in P} exp(x_t)`` (a total; minus ``log days`` for
  a mean per day), or that minus the previous month's for a month-on-month change, within
  its rounding (the slack :func:`~intensity.reports.check_period_figures` allows: half a
  unit per day of a mean, the larger of one and
  :data:`~intensity.reports.periods.TOTAL_SLACK` of a total, half the last digit of a
  percentage), taken as a uniform error;
* "more than / at least / about N" figures and partial-day figures are lower bounds: they
  bind only where the estimate would fall below them (an active set).

The three variance parameters are estimated by maximum likelihood on the day observations
(exact: they are linear); the period figures then condition the estimate, which is the
posterior mode found by Gauss–Newton (iterated Kalman update), with the Laplace covariance
for intervals. The estimate of a day is ``exp`` of its mode (a median: sums of medians
meet the stated totals); draws for propagating the uncertainty into other analyses
(:meth:`Reconstruction.draws`) are randomise-then-optimise samples, each of which meets the
stated totals too. :func:`validate_reconstruction` leaves out each reported day and each
period figure in turn and checks that the interval covers it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg, optimize, sparse, stats

from .._results import ResultMixin
from .._validation import check_fraction, check_whole
from ..exceptions import DataFormatError, InsufficientDataError, ParameterError

__all__ = [
    "reconstruct_daily",
    "validate_reconstruction",
    "coverage_table",
    "Reconstruction",
    "DAY_SD",
    "MAX_DAYS",
]

#: sd (log scale) of a reported whole-day figure: the count is exact, but about one page in
#: ten is dated from indirect evidence and may be a day off
DAY_SD = 0.02
#: sd (log scale) of a lower bound where it binds
BOUND_SD = 1e-3
#: the longest span reconstructed at once: the model keeps a dense day × day covariance
MAX_DAYS = 4000
#: the fewest reported days the variance parameters are estimated from
MIN_DAYS = 10
#: prior sd of the intercept and the covariate's coefficient (log scale): wide
_COEF_SD = 3.0
#: bounds of (sigma_level, length_days, sigma_day)
_BOUNDS = ((0.02, 3.0), (2.0, 3650.0), (0.01, 2.0))
#: the nowcast columns of :func:`~intensity.reports.engagements_daily`
_NOWCAST_COLUMNS = ("engagements_estimated", "estimate_lower", "estimate_upper")


# --------------------------------------------------------------------------- evidence
@dataclass(frozen=True)
class _Obs:
    """Observations ``y_k = log sum_P exp(x) - log sum_Q exp(x) - c_k + noise(sd_k)``; a
    lower bound (``at_least``) is ``h_k(x) >= y_k``, enforced only where it binds."""

    rows: list[dict[str, Any]]  # one per observation: what it is, for the evidence table
    p: list[np.ndarray]  # day positions summed
    q: list[np.ndarray]  # day positions of the divisor (empty: none)
    c: np.ndarray
    y: np.ndarray
    sd: np.ndarray
    at_least: np.ndarray

    def subset(self, keep: np.ndarray) -> _Obs:
        k = np.flatnonzero(keep)
        return _Obs(
            [self.rows[i] for i in k],
            [self.p[i] for i in k],
            [self.q[i] for i in k],
            self.c[k],
            self.y[k],
            self.sd[k],
            self.at_least[k],
        )

    def perturbed(self, rng: np.random.Generator) -> _Obs:
        """Period figures moved by their rounding (randomise-then-optimise); day figures
        are exact counts and stay."""
        single = self.single()
        # uniform within the rounding (sd is the half-width / sqrt(3)), with a 5% margin
        # for the linearisation: a draw stays inside the period check's slack
        half = 0.95 * self.sd * np.sqrt(3.0)
        noise = np.where(single | self.at_least, 0.0, rng.uniform(-half, half))
        return _Obs(self.rows, self.p, self.q, self.c, self.y + noise, self.sd, self.at_least)

    def single(self) -> np.ndarray:
        return np.array([len(p) == 1 and len(q) == 0 for p, q in zip(self.p, self.q, strict=True)])


def _lse(v: np.ndarray) -> tuple[float, np.ndarray]:
    m = float(v.max())
    w = np.exp(v - m)
    s = float(w.sum())
    return m + np.log(s), w / s


def _h_and_jacobian(x: np.ndarray, obs: _Obs) -> tuple[np.ndarray, sparse.csr_matrix]:
    """The observation functions at *x* and their Jacobian (softmax weights)."""
    m = len(obs.y)
    h = np.empty(m)
    rows, cols, vals = [np.zeros(0, int)], [np.zeros(0, int)], [np.zeros(0)]
    for k in range(m):
        if len(obs.p[k]) == 1 and not len(obs.q[k]):
            h[k] = x[obs.p[k][0]] - obs.c[k]
            rows.append(np.array([k]))
            cols.append(obs.p[k])
            vals.append(np.ones(1))
            continue
        lp, wp = _lse(x[obs.p[k]])
        h[k] = lp - obs.c[k]
        rows.append(np.full(len(wp), k))
        cols.append(obs.p[k])
        vals.append(wp)
        if len(obs.q[k]):
            lq, wq = _lse(x[obs.q[k]])
            h[k] -= lq
            rows.append(np.full(len(wq), k))
            cols.append(obs.q[k])
            vals.append(-wq)
    jac = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(m, len(x))
    )
    return h, jac


def _obs_row(
    kind: str, start: Any, end: Any, stat: str, value: float, days: pd.DatetimeIndex, **kw: Any
) -> dict[str, Any]:
    first = days[0]
    p = np.arange((start - first).days, (end - first).days + 1)
    prev = kw.get("prev")
    q = (
        np.arange((prev[0] - first).days, (prev[1] - first).days + 1)
        if prev is not None
        else np.zeros(0, int)
    )
    return {
        "kind": kind,
        "start": start,
        "end": end,
        "stat": stat,
        "value": value,
        "_p": p,
        "_q": q,
        "_c": kw.get("c", 0.0),
        "_y": kw.get("y", np.log(value) if value > 0 else -np.inf),
        # a lower bound that binds holds (almost) exactly: sd BOUND_SD
        "_sd": BOUND_SD if kw.get("at_least") else kw["sd"],
        "_at_least": kw.get("at_least", False),
    }


def _day_evidence(figures: pd.DataFrame, days: pd.DatetimeIndex) -> list[dict[str, Any]]:
    """Day observations from the table of :func:`engagements_daily` (or a plain column
    ``engagements``): whole-day figures, "more than N" as lower bounds, the nowcast of
    days with only partial figures, and each partial figure as a lower bound."""
    out: list[dict[str, Any]] = []
    f = pd.DataFrame(figures, copy=False).reindex(days)  # plain columns: no attrs copied
    n = len(days)

    def col(name: str, default: Any) -> np.ndarray:
        return f[name].to_numpy() if name in f else np.full(n, default)

    whole = col("engagements", np.nan).astype(float)
    floors = pd.Series(col("total_floor", False)).fillna(False).astype(bool).to_numpy()
    parts = [c for c in ("partial_16", "partial_22", "partial_other") if c in f]
    floor = np.zeros(n)
    if parts:
        floor = np.nan_to_num(np.nanmax(f[parts].to_numpy(float), axis=1, initial=0.0))
    estimated = pd.Series(col("estimated", False)).fillna(False).astype(bool).to_numpy()
    est, lo, hi = (col(c, np.nan).astype(float) for c in _NOWCAST_COLUMNS)
    half = 2 * stats.norm.ppf(0.975)
    for i, d in enumerate(days):
        if np.isfinite(whole[i]) and whole[i] > 0:
            if floors[i]:
                out.append(_obs_row("floor", d, d, "day", whole[i], days, sd=DAY_SD, at_least=True))
            else:
                out.append(_obs_row("reported", d, d, "day", whole[i], days, sd=DAY_SD))
            continue
        if estimated[i] and est[i] > 0 and hi[i] > lo[i] > 0:
            sd = max(float(np.log(hi[i] / lo[i]) / half), DAY_SD)
            out.append(_obs_row("partial", d, d, "day (nowcast)", est[i], days, sd=sd))
        if floor[i] > 0:
            out.append(
                _obs_row(
                    "partial",
                    d,
                    d,
                    "day (partial figure)",
                    floor[i],
                    days,
                    sd=DAY_SD,
                    at_least=True,
                )
            )
    return out


def _period_evidence(
    periods: pd.DataFrame, days: pd.DatetimeIndex
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Period observations from a table of :func:`read_period_figures`; the figures not
    used (another direction, another statistic, outside the days) with the reason."""
    used, skipped = [], []
    for _, f in periods.iterrows():
        row = _period_row(f, days)
        if isinstance(row, str):
            skipped.append(
                {
                    "start": f["period_start"],
                    "end": f["period_end"],
                    "stat": f["stat"],
                    "value": float(f["value"]),
                    "publisher": f.get("publisher"),
                    "reason": row,
                }
            )
        else:
            used.append(row)
    return used, skipped


def _period_row(f: pd.Series, days: pd.DatetimeIndex) -> dict[str, Any] | str:
    """One period figure as an observation, or why it is not used."""
    s, e, stat, v = f["period_start"], f["period_end"], f["stat"], float(f["value"])
    if str(f.get("direction", "all")) != "all":
        return f"direction {f.get('direction')!r}, not all"
    pct = stat == "pct_change_vs_prev_month"
    prev = None
    if pct:
        prev_end = s - pd.Timedelta(days=1)
        prev = (prev_end.replace(day=1), prev_end)
    if (prev[0] if prev else s) < days[0] or e > days[-1]:
        return "outside the reconstructed days"
    if v <= (-100 if pct else 0):
        return "not a positive count"
    at_least = bool(f.get("floor", False))
    if stat in ("total", "mean_per_day"):
        # rounding: half a unit of the stated figure (a sum of the daily reports is a whole
        # number; a mean is stated to a whole number a day), a uniform error
        c = float(np.log(int((e - s).days) + 1)) if stat == "mean_per_day" else 0.0
        sd = 0.5 / v / np.sqrt(3.0)
        return _obs_row("period", s, e, stat, v, days, sd=sd, c=c, at_least=at_least)
    if stat == "day":
        kind = "floor" if at_least else "reported"
        return _obs_row(kind, s, e, stat, v, days, sd=DAY_SD, at_least=at_least)
    if pct:
        ratio = 1 + v / 100
        half = (0.5 if float(v).is_integer() else 0.05) / 100  # half the last digit
        sd = half / ratio / np.sqrt(3.0)
        return _obs_row("period", s, e, stat, v, days, sd=sd, y=float(np.log(ratio)), prev=prev)
    return f"statistic {stat!r} is not a count of the series"


def _build_obs(rows: list[dict[str, Any]]) -> _Obs:
    return _Obs(
        [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows],
        [r["_p"] for r in rows],
        [r["_q"] for r in rows],
        np.array([r["_c"] for r in rows], float),
        np.array([r["_y"] for r in rows], float),
        np.array([r["_sd"] for r in rows], float),
        np.array([r["_at_least"] for r in rows], bool),
    )


# --------------------------------------------------------------------------- the model
def _design(days: pd.DatetimeIndex, covariate: pd.Series | None) -> tuple[np.ndarray, str]:
    """Intercept and the standardised log covariate on *days*."""
    ones = np.ones((len(days), 1))
    if covariate is None:
        return ones, ""
    cov = pd.to_numeric(covariate, errors="coerce").reindex(days).astype(float)
    cov = cov.where(cov >= 0)
    missing = float(cov.isna().mean())
    if missing > 0.1:
        raise DataFormatError(
            f"covariate must cover the reconstructed days ({days[0]:%Y-%m-%d} … "
            f"{days[-1]:%Y-%m-%d}); {missing:.0%} of them are missing"
        )
    z = np.log1p(cov.interpolate(limit_direction="both").to_numpy(float))
    sd = float(z.std())
    if not np.isfinite(sd) or sd == 0:
        raise DataFormatError("covariate is constant on the reconstructed days")
    return np.column_stack([ones[:, 0], (z - z.mean()) / sd]), str(covariate.name or "covariate")


def _prior_cov(n: int, design: np.ndarray, theta: np.ndarray) -> np.ndarray:
    s_level, length, s_day = theta
    lag = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    k = s_level**2 * np.exp(-lag / length)
    k += _COEF_SD**2 * (design @ design.T)
    k[np.diag_indices(n)] += s_day**2
    return k


def _fit_theta(obs: _Obs, design: np.ndarray, mean0: np.ndarray) -> tuple[np.ndarray, float]:
    """Maximum likelihood of (sigma_level, length_days, sigma_day) on the day observations."""
    single = obs.single() & ~obs.at_least
    idx = np.array([obs.p[k][0] for k in np.flatnonzero(single)])
    y, sd = obs.y[single] - mean0[idx], obs.sd[single]
    lag = np.abs(np.subtract.outer(idx, idx)).astype(float)
    dd = design[idx] @ design[idx].T
    same = (lag == 0).astype(float)

    def nll(u: np.ndarray) -> float:
        s_level, length, s_day = np.exp(u)
        c = s_level**2 * np.exp(-lag / length) + _COEF_SD**2 * dd + s_day**2 * same
        c[np.diag_indices(len(idx))] += sd**2
        try:
            cf = linalg.cho_factor(c, lower=True)
        except linalg.LinAlgError:
            return 1e10
        return float(0.5 * y @ linalg.cho_solve(cf, y) + np.log(np.diag(cf[0])).sum())

    bounds = [(np.log(a), np.log(b)) for a, b in _BOUNDS]
    best = None
    for start in ((0.5, 60.0, 0.15), (0.3, 365.0, 0.1), (1.0, 20.0, 0.3)):
        r = optimize.minimize(nll, np.log(start), method="L-BFGS-B", bounds=bounds)
        if best is None or r.fun < best.fun:
            best = r
    assert best is not None
    return np.exp(best.x), -float(best.fun)


def _gauss_newton(
    k: np.ndarray, mu: np.ndarray, obs: _Obs, x0: np.ndarray, iters: int = 60
) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mode given equality observations *obs* by Gauss–Newton (iterated extended
    Kalman update), and ``J' S^-1 innovation`` (``K`` times it is the mode minus ``mu``)."""
    x = x0.copy()
    r = np.diag(obs.sd**2)
    alpha = np.zeros(len(x))
    for _ in range(iters):
        h, jac = _h_and_jacobian(x, obs)
        kj = np.asarray((jac @ k).T)  # K J' (K symmetric)
        s = np.asarray(jac @ kj) + r
        innov = obs.y - h + np.asarray(jac @ (x - mu))
        v = linalg.solve(s, innov, assume_a="pos")
        new = mu + kj @ v
        alpha = np.asarray(jac.T @ v)
        step = float(np.max(np.abs(new - x)))
        x = new
        if step < 1e-7:
            break
    return x, alpha


def _mode(
    k: np.ndarray, mu: np.ndarray, obs: _Obs, x0: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, _Obs]:
    """Posterior mode with the lower bounds enforced where they bind (an active set: a
    bound the mode breaks becomes an equality, and the mode is found again): the mode,
    ``J' S^-1 innovation`` and the observations used as equalities."""
    active = ~obs.at_least
    x = mu.copy() if x0 is None else x0.copy()
    for _ in range(20):
        eq = obs.subset(active)
        x, alpha = _gauss_newton(k, mu, eq, x) if len(eq.y) else (mu.copy(), np.zeros(len(mu)))
        if not obs.at_least.any():
            break
        h, _ = _h_and_jacobian(x, obs)
        broken = obs.at_least & ~active & (h < obs.y - 1e-6)
        if not broken.any():
            break
        active = active | broken
    return x, alpha, obs.subset(active)


def _day_table(
    days: pd.DatetimeIndex, x: np.ndarray, post: np.ndarray, obs: _Obs, level: float
) -> pd.DataFrame:
    """The per-day table of a reconstruction: reported days keep their figure."""
    sd = np.sqrt(np.clip(np.diag(post), 0, None))
    zq = float(stats.norm.ppf(0.5 + level / 2))
    n = len(days)
    source = np.full(n, "model", dtype=object)
    reported = np.full(n, np.nan)
    floor = np.zeros(n)
    rank = {"model": 0, "partial": 1, "floor": 2, "reported": 3}
    for k in np.flatnonzero(obs.single()):
        i, row = int(obs.p[k][0]), obs.rows[k]
        if rank[row["kind"]] > rank[source[i]]:
            source[i] = row["kind"]
        if obs.at_least[k]:
            floor[i] = max(floor[i], row["value"])
        elif row["kind"] == "reported":
            reported[i] = row["value"]
    # no estimate below a lower bound (a binding bound holds to BOUND_SD)
    est = np.where(np.isfinite(reported), reported, np.maximum(np.exp(x), floor))
    return pd.DataFrame(
        {
            "estimate": est,
            "lower": np.where(
                np.isfinite(reported), reported, np.maximum(np.exp(x - zq * sd), floor)
            ),
            "upper": np.where(
                np.isfinite(reported), reported, np.maximum(np.exp(x + zq * sd), floor)
            ),
            "sd_log": sd,
            "source": source,
            "reported": np.isin(source, ("reported", "floor")),
            "reported_value": reported,
            "floor": floor,
        },
        index=days,
    )


def _level(
    x: np.ndarray,
    alpha: np.ndarray,
    kj: np.ndarray,
    jac: sparse.csr_matrix,
    cf: Any,
    k: np.ndarray,
    s_day: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The smooth level (the count without its day-to-day noise: intercept, covariate and
    the slow component) and its posterior sd on the log scale. Its prior covariance is
    ``K - sigma_day^2 I``, so its mode is ``x - sigma_day^2 J' S^-1 innovation``."""
    ksj = kj - s_day**2 * np.asarray(jac.T.todense())  # (K - s^2 I) J'
    var = np.diag(k) - s_day**2 - np.einsum("ij,ji->i", ksj, linalg.cho_solve(cf, ksj.T))
    return np.exp(x - s_day**2 * alpha), np.sqrt(np.clip(var, 0, None))


def _linearised(
    k: np.ndarray, x: np.ndarray, used: _Obs
) -> tuple[sparse.csr_matrix, np.ndarray, Any]:
    """At the mode *x*: the Jacobian ``J`` of the observations *used*, ``K J'`` and the
    Cholesky factor of ``S = J K J' + R``, which the posterior covariance, the level and
    a left-out figure's prediction all solve with."""
    _, jac = _h_and_jacobian(x, used)
    kj = np.asarray((jac @ k).T)
    return jac, kj, linalg.cho_factor(np.asarray(jac @ kj) + np.diag(used.sd**2))


def _posterior_cov(k: np.ndarray, kj: np.ndarray, cf: Any) -> np.ndarray:
    return k - kj @ linalg.cho_solve(cf, kj.T)


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, repr=False)
class Reconstruction(ResultMixin):
    """A reconstructed daily series (see :func:`reconstruct_daily`).

    Attributes
    ----------
    days
        One row per day: ``estimate`` (the posterior median count), ``lower``/``upper``
        (the prediction interval at ``level``), ``sd_log``, ``source`` (``reported``: a
        whole-day figure; ``floor``: "more than N"; ``partial``: only partial-day figures;
        ``model``: no figure of its own, estimated from the neighbours, the period figures
        and the covariate), ``reported`` (a whole-day figure was reported: never show the
        other days as reported ones), ``reported_value`` and ``floor`` (the day's largest
        partial figure, a lower bound).
    evidence
        One row per observation used: ``kind``, ``start``, ``end``, ``stat``, ``value``,
        the ``fitted`` value and its standardised residual ``z``; period figures not used
        (another direction) are in ``attrs['skipped']``.
    params
        ``sigma_level``, ``length_days``, ``sigma_day``, ``loglik``, ``covariate`` and
        the covariate's ``beta`` (posterior mean of the standardised coefficient).
    level
        The interval level.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from intensity import reconstruct_daily
    >>> days = pd.date_range("2025-01-01", periods=90, freq="D")
    >>> s = pd.Series(np.nan, index=days)
    >>> s.iloc[::6] = 150 + 20 * np.sin(np.arange(15))
    >>> r = reconstruct_daily(s)
    >>> type(r).__name__, int(r.days["reported"].sum())
    ('Reconstruction', 15)
    """

    days: pd.DataFrame
    evidence: pd.DataFrame
    params: pd.Series
    level: float
    name: str
    mode: np.ndarray = field(repr=False)
    cov: np.ndarray = field(repr=False)
    _k: np.ndarray = field(repr=False)
    _mu: np.ndarray = field(repr=False)
    _obs: Any = field(repr=False)
    notes: tuple[str, ...] = ()

    @property
    def estimate(self) -> pd.Series:
        """The reconstructed daily count (posterior median)."""
        return self.days["estimate"].rename(self.name)

    def period_total(self, start: Any, end: Any) -> tuple[float, float, float]:
        """The sum over ``start … end`` (inclusive) with its interval: ``(estimate, lower,
        upper)``, from the log of the sum's linearised variance."""
        pos = self.days.index.get_indexer(pd.date_range(start, end, freq="D"))
        if (pos < 0).any():
            raise ParameterError(
                f"period must lie inside the reconstructed days "
                f"({self.days.index[0]:%Y-%m-%d} … {self.days.index[-1]:%Y-%m-%d}), got "
                f"{pd.Timestamp(start):%Y-%m-%d} … {pd.Timestamp(end):%Y-%m-%d}"
            )
        lse, w = _lse(self.mode[pos])
        sd = float(np.sqrt(max(w @ self.cov[np.ix_(pos, pos)] @ w, 0.0)))
        zq = float(stats.norm.ppf(0.5 + self.level / 2))
        return float(np.exp(lse)), float(np.exp(lse - zq * sd)), float(np.exp(lse + zq * sd))

    def draws(self, n: int = 100, seed: int = 0) -> pd.DataFrame:
        """*n* draws of the whole daily series (columns ``draw_0`` …), for propagating the
        reconstruction's uncertainty into another analysis (repeat it on each draw and
        combine). Each is a randomise-then-optimise sample: a prior draw and the period
        figures moved by their rounding, conditioned like the estimate; so every draw
        meets the stated totals within their rounding and its lower bounds, and keeps the
        reported days' figures."""
        n = check_whole("n", n, 1)
        rng = np.random.default_rng(check_whole("seed", seed, 0))
        chol = linalg.cholesky(self._k + 1e-9 * np.eye(len(self._k)), lower=True)
        reported = self.days["reported_value"].to_numpy(float)
        floor = self.days["floor"].to_numpy(float)
        keep = np.isfinite(reported)
        out = np.empty((len(self.mode), n))
        for j in range(n):
            prior = self._mu + chol @ rng.standard_normal(len(self.mode))
            x = _mode(self._k, prior, self._obs.perturbed(rng), x0=self.mode)[0]
            out[:, j] = np.where(keep, reported, np.maximum(np.exp(x), floor))
        cols = [f"draw_{j}" for j in range(n)]
        return pd.DataFrame(out, index=self.days.index, columns=cols)

    def monthly(self) -> pd.DataFrame:
        """Per calendar month: days, reported days, the reconstructed total and mean per
        day with intervals (:meth:`period_total`), and a stated total of that exact month
        where one was used."""
        rows = []
        idx = self.days.index
        stated = self.evidence[self.evidence["stat"].isin(["total", "mean_per_day"])]
        for month, part in self.days.groupby(pd.DatetimeIndex(idx).to_period("M")):
            est, lo, hi = self.period_total(part.index[0], part.index[-1])
            nd = len(part)
            row = {
                "month": str(month),
                "days": nd,
                "reported": int(part["reported"].sum()),
                "total": est,
                "lower": lo,
                "upper": hi,
                "mean_per_day": est / nd,
                "stated_total": np.nan,
            }
            exact = stated[(stated["start"] == part.index[0]) & (stated["end"] == part.index[-1])]
            for _, s in exact.iterrows():
                row["stated_total"] = s["value"] * (nd if s["stat"] == "mean_per_day" else 1)
            rows.append(row)
        return pd.DataFrame(rows).set_index("month")

    def summary(self) -> pd.DataFrame:
        return self.monthly()

    def _title(self) -> str:
        d = self.days
        return (
            f"{self.name}: reconstructed {d.index[0]:%Y-%m-%d} … {d.index[-1]:%Y-%m-%d} "
            f"({int(d['reported'].sum())} of {len(d)} days reported)"
        )

    def _notes(self) -> list[str]:
        p = self.params
        cov = p["covariate"] or "no covariate"
        return [
            f"level sd {p['sigma_level']:.2f}, correlation length {p['length_days']:.0f} days, "
            f"day sd {p['sigma_day']:.2f} (log scale); {cov}"
            + (f", beta {p['beta']:.2f}" if p["covariate"] else ""),
            f"{len(self.evidence)} observations; intervals at {self.level:.0%}",
            *self.notes,
        ]

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        from ..plotting import plot_reconstruction

        return plot_reconstruction(self, ax=ax, **kw)


# --------------------------------------------------------------------------- public
def _as_figures(figures: Any) -> pd.DataFrame:
    if isinstance(figures, pd.Series):
        figures = figures.rename("engagements").to_frame()
    if not isinstance(figures, pd.DataFrame) or "engagements" not in figures:
        raise DataFormatError(
            "figures must be the table of engagements_daily (a column 'engagements') or a "
            f"Series of whole-day counts, got {type(figures).__name__}"
        )
    if not isinstance(figures.index, pd.DatetimeIndex):
        raise DataFormatError(f"figures need a DatetimeIndex, got {type(figures.index).__name__}")
    return figures


def _as_periods(periods: Any) -> pd.DataFrame | None:
    if periods is None:
        return None
    if isinstance(periods, pd.DataFrame):
        return periods
    from ..reports.periods import read_period_figures

    return read_period_figures(periods)


def _day_range(
    figures: pd.DataFrame, periods: pd.DataFrame | None, start: Any, end: Any
) -> pd.DatetimeIndex:
    has = figures.index[figures["engagements"].notna() | figures.get("estimated", False)]
    lo, hi = (has.min(), has.max()) if len(has) else (pd.NaT, pd.NaT)
    if periods is not None:
        whole = periods[periods.get("direction", "all") == "all"]
        if len(whole):
            lo = min(x for x in (lo, whole["period_start"].min()) if pd.notna(x))
            hi = max(x for x in (hi, whole["period_end"].max()) if pd.notna(x))
    lo = pd.Timestamp(start) if start is not None else lo
    hi = pd.Timestamp(end) if end is not None else hi
    if pd.isna(lo) or pd.isna(hi) or hi < lo:
        raise InsufficientDataError("no figure to reconstruct a daily series from")
    days = pd.date_range(lo, hi, freq="D", name="date")
    if len(days) > MAX_DAYS:
        raise ParameterError(
            f"the reconstructed span must be at most {MAX_DAYS} days (it keeps a dense day × "
            f"day covariance), got {len(days)}; pass start= and end="
        )
    return days


def reconstruct_daily(
    figures: Any,
    periods: Any = None,
    covariate: pd.Series | None = None,
    *,
    start: Any = None,
    end: Any = None,
    level: float = 0.95,
    theta: tuple[float, float, float] | None = None,
) -> Reconstruction:
    """Every day's count from sparse day figures, partial figures and period figures.

    Parameters
    ----------
    figures
        The table of :func:`~intensity.reports.engagements_daily` (whole-day figures,
        floors, partial-day nowcasts) or a Series of whole-day counts (NaN: not reported).
    periods
        Period figures (a table as :func:`~intensity.reports.read_period_figures` reads,
        or its path): whole-front ``total``, ``mean_per_day``, ``day`` and
        ``pct_change_vs_prev_month`` rows are used; other rows are listed in
        ``evidence.attrs['skipped']``.
    covariate
        Optional dense daily series that moves with the count (e.g. the claimed daily
        personnel losses, correlated about 0.8 with the log whole-day engagement count);
        its log enters with a coefficient the data estimate. It must cover the days.
    start, end
        The days to reconstruct (default: from the first to the last figure).
    level
        Interval level.
    theta
        ``(sigma_level, length_days, sigma_day)`` to use instead of estimating them (e.g.
        the full fit's, when leaving one figure out).

    Returns
    -------
    Reconstruction

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> days = pd.date_range("2025-01-01", periods=90, freq="D")
    >>> s = pd.Series(np.nan, index=days)
    >>> s.iloc[::6] = 150 + 20 * np.sin(np.arange(15))
    >>> r = reconstruct_daily(s)
    >>> bool(r.days["reported"].sum() == 15)
    True
    """
    level = check_fraction("level", level, low=0.5, high=0.999)
    figs = _as_figures(figures)
    per = _as_periods(periods)
    days = _day_range(figs, per, start, end)
    day_ev = _day_evidence(figs, days)
    period_ev, skipped = ([], []) if per is None else _period_evidence(per, days)
    obs = _build_obs(day_ev + period_ev)
    equal_days = obs.single() & ~obs.at_least
    n_days = len({int(obs.p[k][0]) for k in np.flatnonzero(equal_days)})
    if n_days < MIN_DAYS:
        raise InsufficientDataError(
            f"a reconstruction needs at least {MIN_DAYS} days with a figure, got {n_days}"
        )
    design, cov_name = _design(days, covariate)
    mean0 = np.full(len(days), float(np.median(obs.y[equal_days])))
    if theta is None:
        th, loglik = _fit_theta(obs, design, mean0)
    else:
        th, loglik = np.asarray(theta, float), np.nan
    k = _prior_cov(len(days), design, th)
    x, alpha, used = _mode(k, mean0, obs)
    jac, kj, cf = _linearised(k, x, used)
    post = _posterior_cov(k, kj, cf)
    table = _day_table(days, x, post, obs, level)
    table["level"], table["level_sd_log"] = _level(x, alpha, kj, jac, cf, k, th[2])
    h, _ = _h_and_jacobian(x, obs)
    evidence = pd.DataFrame(obs.rows)
    evidence["fitted"] = np.exp(h)  # a total, a mean per day or a day, as stated
    evidence.loc[evidence["stat"] == "pct_change_vs_prev_month", "fitted"] = (
        np.exp(h[evidence["stat"].to_numpy() == "pct_change_vs_prev_month"]) - 1
    ) * 100
    evidence["z"] = (obs.y - h) / obs.sd
    evidence.attrs["skipped"] = skipped
    beta = np.nan
    if cov_name:
        # posterior mean of the coefficient: its prior covariance with x times K^-1 (x - mu)
        beta = float(_COEF_SD**2 * design[:, 1] @ alpha)
    params = pd.Series(
        {
            "sigma_level": th[0],
            "length_days": th[1],
            "sigma_day": th[2],
            "loglik": loglik,
            "covariate": cov_name,
            "beta": beta,
        },
        dtype=object,
    )
    name = str(figs["engagements"].name or "engagements")
    notes = (
        (f"{len(skipped)} period figure(s) not used (another direction or statistic)",)
        if skipped
        else ()
    )
    return Reconstruction(
        days=table,
        evidence=evidence,
        params=params,
        level=level,
        name=name,
        mode=x,
        cov=post,
        _k=k,
        _mu=mean0,
        _obs=obs,
        notes=notes,
    )


# --------------------------------------------------------------------------- validation
def _predict(
    k: np.ndarray, mu: np.ndarray, obs: _Obs, x0: np.ndarray, target: _Obs
) -> tuple[float, float]:
    """Mode and sd (observation noise included) of *target*'s single observation under the
    posterior given *obs*."""
    x, _, used = _mode(k, mu, obs, x0=x0)
    jac, _, cf = _linearised(k, x, used)
    h, jt = _h_and_jacobian(x, target)
    kt = np.asarray(jt @ k).ravel()  # J_t K
    a = np.asarray(jac @ kt).ravel()  # J K J_t'
    var = float(np.asarray(jt @ kt).ravel()[0] - a @ linalg.cho_solve(cf, a))
    return float(h[0]), float(np.sqrt(max(var, 0.0) + target.sd[0] ** 2))


def validate_reconstruction(
    figures: Any,
    periods: Any = None,
    covariate: pd.Series | None = None,
    *,
    level: float = 0.95,
    start: Any = None,
    end: Any = None,
) -> pd.DataFrame:
    """Leave-one-out check of :func:`reconstruct_daily`: each reported day (all its
    figures at once) and each period figure is left out in turn, the rest conditions the
    estimate (the variance parameters of the full fit are kept), and the left-out figure
    is predicted with its interval.

    *figures* is what :func:`reconstruct_daily` takes (then *periods*, *covariate*,
    *level*, *start* and *end* as there), or a :class:`Reconstruction` already made, whose
    fit and level are checked as they are (the report checks the reconstruction it shows).

    Returns
    -------
    pd.DataFrame
        One row per left-out figure: ``kind`` (``day`` or ``period``), ``start``, ``end``,
        ``stat``, ``observed``, ``predicted``, ``lower``, ``upper``, ``covered`` and
        ``log_error``; summarise it with :func:`coverage_table`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> days = pd.date_range("2025-01-01", periods=120, freq="D")
    >>> s = pd.Series(np.nan, index=days)
    >>> s.iloc[::4] = np.round(150 * np.exp(0.1 * np.sin(np.arange(30) / 3)))
    >>> loo = validate_reconstruction(s)
    >>> int(coverage_table(loo).loc["day", "n"])
    30
    """
    full = (
        figures
        if isinstance(figures, Reconstruction)
        else reconstruct_daily(figures, periods, covariate, level=level, start=start, end=end)
    )
    level = full.level
    obs, k, mu = full._obs, full._k, full._mu
    zq = float(stats.norm.ppf(0.5 + level / 2))
    single = obs.single()
    kinds = np.array([r["kind"] for r in obs.rows])
    rows = []
    exact_day = single & np.isin(kinds, ("reported", "floor"))
    day_of = np.array([int(p[0]) if len(p) == 1 else -1 for p in obs.p])
    for i in sorted({int(day_of[j]) for j in np.flatnonzero(exact_day)}):
        on_day = single & (day_of == i)
        # the day's equality figure if it has one, else its "more than" figure
        cands = np.flatnonzero(on_day & exact_day)
        j = min(cands, key=lambda c: (bool(obs.at_least[c]), c))
        target = obs.subset(np.arange(len(obs.y)) == j)
        rows.append(_loo_row("day", target, obs.subset(~on_day), k, mu, full.mode, zq))
    for j in np.flatnonzero(~single):
        rows.append(
            _loo_row(
                "period",
                obs.subset(np.arange(len(obs.y)) == j),
                obs.subset(np.arange(len(obs.y)) != j),
                k,
                mu,
                full.mode,
                zq,
            )
        )
    out = pd.DataFrame(rows)
    out.attrs["params"] = full.params
    return out


def _loo_row(
    kind: str, target: _Obs, rest: _Obs, k: np.ndarray, mu: np.ndarray, x0: np.ndarray, zq: float
) -> dict[str, Any]:
    m, sd = _predict(k, mu, rest, x0, target)
    row = target.rows[0]
    pct = row["stat"] == "pct_change_vs_prev_month"

    def back(v: float) -> float:
        return (np.exp(v) - 1) * 100 if pct else float(np.exp(v))

    y = float(target.y[0])
    return {
        "kind": kind,
        "start": row["start"],
        "end": row["end"],
        "stat": row["stat"],
        "observed": row["value"],
        "predicted": back(m),
        "lower": back(m - zq * sd),
        "upper": back(m + zq * sd),
        # a lower bound ("more than N") is covered when the interval reaches it
        "covered": bool(y <= m + zq * sd if target.at_least[0] else abs(y - m) <= zq * sd),
        "at_least": bool(target.at_least[0]),
        "log_error": y - m,
        "log_width": 2 * zq * sd,
    }


def coverage_table(loo: pd.DataFrame) -> pd.DataFrame:
    """Per kind of left-out figure (:func:`validate_reconstruction`): how many, the share
    inside their interval, the median interval as a factor (upper / lower) and the root mean
    square log error.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from intensity.reconstruct import coverage_table, validate_reconstruction
    >>> s = pd.Series(np.nan, index=pd.date_range("2025-01-01", periods=90))
    >>> s.iloc[::6] = 150 + 20 * np.sin(np.arange(15))
    >>> table = coverage_table(validate_reconstruction(s))
    >>> table.columns.tolist(), int(table.loc["day", "n"])
    (['n', 'coverage', 'median_width_factor', 'rmse_log'], 15)
    """
    g = loo.groupby("kind")
    return pd.DataFrame(
        {
            "n": g.size(),
            "coverage": g["covered"].mean(),
            "median_width_factor": g["log_width"].median().map(np.exp),
            "rmse_log": g["log_error"].apply(lambda e: float(np.sqrt(np.mean(e**2)))),
        }
    )
