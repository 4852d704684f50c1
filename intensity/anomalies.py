"""Anomalies of daily counts, with reporting artefacts kept apart.

Three different things, each with its own test:

* **spikes and dips** — single days far outside what the days around them predict
  (:mod:`intensity._daytests`): each day's count against its baseline mean times the
  local level of its neighbours (a week either side, the day left out), with the
  negative-binomial dispersion of the quarter-year either side, upper/lower tail p-values and
  Benjamini–Hochberg q-values across days. A day inside a hump the baseline does not
  predict is ordinary among its neighbours, and a spike in a calm year is not hidden by
  the scatter of a volatile one (real personnel's 2,710 of 2025-02-28 is flagged from
  every start of the series; with one dispersion for the whole series it was not on
  the whole series). The days of a strong surge share it with their neighbours, so a
  surge is an episode, not a run of spike days (at most its edges are spikes);
* **surges and lulls** — collective anomalies: contiguous episodes in which the rate runs
  above (below) the baseline although no single day needs to be extreme. Found by a
  penalised scan in the spirit of CAPA (Fisch, Eckley & Fearnhead 2022): every window of
  ``min_days``…``max_days`` days gets the quasi-likelihood ratio of "rate × theta" against
  the baseline (on the days that are not spikes); the best set of non-overlapping windows
  maximises the total ratio minus a penalty per window, and each episode then runs on over
  the spike days of its direction next to it, its excess counting all its days (a strong
  surge is both spike days and one episode); a run of at least ``min_days`` (and two)
  consecutive spike days of one direction is an episode too. The penalty is the 95%
  quantile of the largest window statistic in series simulated from the baseline **with
  the serial dependence of the residuals** (the latent AR(1) model of
  :mod:`intensity.dependence`, estimated without the days already found anomalous, and a
  slow AR(1) on top where the residuals' means over weeks to months vary more than that
  AR(1) allows, :func:`intensity.dependence.slow_component`, and with the seasonal
  baseline an offset per season it predicted from the other years,
  :func:`intensity.dependence.season_offsets`), so autocorrelated noise and a wandering
  level are not read as surges: a series without anomalies and an AR(1) log-rate shows one
  in about 5% of cases at most, one whose log-rate is a random walk or has long memory in
  0-10% (25-55% with the AR(1) alone, ``benchmarks/noise.py --anomalies``); each episode
  gets a Monte Carlo p-value from the same simulations;
* **reporting artefacts** — stalls, catch-ups, corrections and partial days reported by the
  data layer (:func:`intensity.quality_events`), and what the counts show whatever their
  route (:func:`intensity.io.count_findings`: round numbers, possible catch-ups, a
  partial last day, events stacked on the first days of the months); they are listed
  separately and their days are not tested. Days in round numbers still count in the
  baseline and the episodes (a month's sum is right to one step); the others do not.

Every episode is measured against a named baseline (:mod:`intensity.baselines`):
``'seasonal'`` (default) — above or below what that season brings in the other years —
or ``'level'`` — above or below the level of the fighting around it (no annual terms).
In both, sustained level shifts move the baseline, so a break is not also reported as a
lull before it and a surge after it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Literal

import numpy as np
import pandas as pd

from . import _negbin
from ._daytests import bh_qvalues, day_tests
from ._results import ResultMixin
from ._typing import AnomalyNoise
from ._validation import (
    RegularSeries,
    as_daily_series,
    as_regular_series,
    check_choice,
    check_date,
    check_fraction,
    check_whole,
    require_nonzero,
    require_within_year,
)
from .baselines import (
    BaselineKind,
    level_baseline,
    periods,
    resolve_shifts,
    season_blocks,
    seasonal_baseline,
)
from .dependence import (
    DependenceModel,
    estimate_dependence,
    season_offsets,
    simulate_latent_counts,
    slow_component,
)
from .exceptions import InsufficientDataError, ParameterError
from .io import dated_within, new_count_findings, quality_events

__all__ = ["detect_anomalies", "Anomalies", "day_change", "DayChange", "bh_qvalues"]

#: Quality kinds whose days do not carry a normal one-day count.
ARTEFACT_KINDS = (
    "stall",
    "catch_up",
    "correction",
    "series_start",
    "partial_day",
    "gap",
    "rounded",
    "stacked_date",
)


def _cumulative(y: np.ndarray, mu: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, ...]:
    """Running sums (with a leading 0) of the counts (rows = replicates), means and
    variances, taken once for every window length."""
    cy = np.concatenate([np.zeros((y.shape[0], 1)), np.cumsum(y, axis=1)], axis=1)
    cm = np.concatenate([[0.0], np.cumsum(mu)])
    cv = np.concatenate([[0.0], np.cumsum(var)])
    return cy, cm, cv


def _window_stats(cums: tuple[np.ndarray, ...], L: int) -> tuple[np.ndarray, ...]:
    """Sums over all windows of length L from the running sums of :func:`_cumulative`."""
    cy, cm, cv = cums
    return cy[:, L:] - cy[:, :-L], cm[L:] - cm[:-L], cv[L:] - cv[:-L]


def _qlr(S: np.ndarray, M: np.ndarray, V: np.ndarray) -> np.ndarray:
    """Quasi-likelihood ratio of a rate factor theta = S/M against theta = 1 in a window:
    the Poisson deviance divided by the window's dispersion factor V/M."""
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = 2.0 * (np.where(S > 0, S * np.log(S / M), 0.0) - (S - M))
        out = dev * M / V
    return np.where((M > 0) & (V > 0), out, 0.0)


def _scan_max(y: np.ndarray, mu: np.ndarray, var: np.ndarray, lmin: int, lmax: int) -> np.ndarray:
    """Largest window statistic of each replicate row."""
    from ._scan import scan_max

    cy, cm, cv = _cumulative(y, mu, var)
    return np.asarray(scan_max(np.ascontiguousarray(cy), cm, cv, int(lmin), int(lmax)))


def _segment(
    y: np.ndarray,
    mu: np.ndarray,
    var: np.ndarray,
    lmin: int,
    lmax: int,
    pen: float,
) -> list[tuple[int, int, float]]:
    """Optimal set of non-overlapping windows maximising sum(statistic - pen)."""
    n = len(y)
    lmax = min(lmax, n)
    if lmax < lmin:
        return []
    stat = np.full((lmax - lmin + 1, n), -np.inf)  # stat[L - lmin, s]: window [s, s + L)
    cums = _cumulative(y[None, :], mu, var)
    for L in range(lmin, lmax + 1):
        stat[L - lmin, : n - L + 1] = _qlr(*_window_stats(cums, L))[0]
    F = np.zeros(n + 1)
    back = np.zeros(n + 1, dtype=np.int64)  # 0 = no window ends here, else its length
    for t in range(1, n + 1):
        F[t] = F[t - 1]
        if t < lmin:
            continue
        Ls = np.arange(lmin, min(lmax, t) + 1)
        v = F[t - Ls] + stat[Ls - lmin, t - Ls] - pen
        j = int(np.argmax(v))
        if v[j] > F[t]:
            F[t] = v[j]
            back[t] = Ls[j]
    out = []
    t = n
    while t > 0:
        L = int(back[t])
        if L == 0:
            t -= 1
            continue
        out.append((t - L, t, float(stat[L - lmin, t - L])))
        t -= L
    return sorted(out)


@dataclass(frozen=True, repr=False)  # the readable repr of ResultMixin
class Anomalies(ResultMixin):
    """Result of :func:`detect_anomalies`.

    Attributes
    ----------
    series : pd.Series
        The input on its full daily index.
    baseline : pd.DataFrame
        ``expected`` (the baseline's mean, which the episodes are measured against),
        ``local`` (the day's expectation given its neighbours: the baseline times their
        local level, :mod:`intensity._daytests`), ``lower``, ``upper`` (the single-day
        tests' prediction interval at ``1 - alpha`` around ``local``) per day.
    days : pd.DataFrame
        Every observed day tested: observed, expected (given its neighbours), lower,
        upper, p_upper, p_lower, q, kind, size (ratio observed/expected), baseline (the
        baseline's mean) and dispersion (the local NB2 dispersion of the test).
    spikes : pd.DataFrame
        The days with q <= alpha (kind 'spike' or 'dip').
    episodes : pd.DataFrame
        Surges and lulls: start, end, days, peak, mean excess (%), total excess, statistic,
        p-value, and the baseline they are measured against.
    baseline_kind, baseline_description : str
        Which baseline ('level', 'seasonal' or a given fit) and how it was built.
    dependence : DependenceModel or None
        The residuals' serial dependence the episode null simulations use.
    artefacts : pd.DataFrame
        Reporting artefacts of this series: not tested; out of the baseline fit and the
        episode scan too, but for days in round numbers.

    Examples
    --------
    >>> from intensity import detect_anomalies, simulate_counts
    >>> sim = simulate_counts(730, seed=4, spikes=[(300, 2.5)])
    >>> res = detect_anomalies(sim.counts, n_sim=49)
    >>> row = res.summary().iloc[0]
    >>> row["kind"], f"{row['start']:%Y-%m-%d}", int(row["days"])
    ('spike', '2022-12-26', 1)
    """

    series: pd.Series
    baseline: pd.DataFrame
    days: pd.DataFrame
    spikes: pd.DataFrame
    episodes: pd.DataFrame
    artefacts: pd.DataFrame
    alpha: float
    penalty: float
    n_sim: int
    baseline_kind: str = "seasonal fit"
    baseline_description: str = ""
    dependence: DependenceModel | None = None

    def summary(self) -> pd.DataFrame:
        rows = []
        for d, r in self.spikes.iterrows():
            rows.append(
                {
                    "kind": r["kind"],
                    "start": d,
                    "end": d,
                    "days": 1,
                    "observed": r["observed"],
                    "expected": r["expected"],
                    "excess_pct": 100 * (r["size"] - 1),
                    "p_value": min(r["p_upper"], r["p_lower"]),
                    "q_value": r["q"],
                }
            )
        for _, r in self.episodes.iterrows():
            rows.append(
                {
                    "kind": r["kind"],
                    "start": r["start"],
                    "end": r["end"],
                    "days": r["days"],
                    "observed": r["observed"],
                    "expected": r["expected"],
                    "excess_pct": r["mean_excess_pct"],
                    "p_value": r["p_value"],
                    "q_value": np.nan,
                }
            )
        cols = [
            "kind",
            "start",
            "end",
            "days",
            "observed",
            "expected",
            "excess_pct",
            "p_value",
            "q_value",
        ]
        df = pd.DataFrame(rows, columns=cols)
        return df.sort_values("start", kind="stable").reset_index(drop=True)

    def _title(self) -> str:
        s = self.series
        return (
            f"Anomalies in {s.name or 'series'} ({s.index[0]:%Y-%m-%d} … {s.index[-1]:%Y-%m-%d}): "
            f"{len(self.spikes)} spike/dip day(s), {len(self.episodes)} surge/lull episode(s)"
        )

    def _notes(self) -> list[str]:
        notes = [
            f"baseline {self.baseline_description or self.baseline_kind}",
            "days: NB tails against the local level (a week either side) with the "
            f"dispersion of the quarter-year either side, Benjamini–Hochberg q <= {self.alpha}",
            f"episodes: scan penalty {self.penalty:.1f} (95% null quantile from {self.n_sim} "
            "simulated series"
            + (", with the residuals' serial dependence)" if self.dependence else ")"),
            f"{len(self.artefacts)} reporting artefact(s) listed separately, not tested"
            + (
                " (days in round numbers still count in the baseline and episodes)"
                if "rounded" in set(self.artefacts.get("kind", ()))
                else ""
            ),
        ]
        if self.dependence is not None:
            notes.insert(3, self.dependence.describe())
        return notes

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        from .plotting import plot_anomalies

        return plot_anomalies(self, ax=ax, **kw)


def _artefacts_for(series: pd.Series, artefacts: pd.DataFrame | None) -> pd.DataFrame:
    """The reporting artefacts of *series*: *artefacts* when given, else the reader's
    findings with what the counts themselves show (:func:`~intensity.io.count_findings`),
    so a Series built by hand, one read from a counts file and one from the loss tables
    keep the same days apart."""
    name = str(series.name)
    if artefacts is None:
        known = quality_events(series)
        extra = new_count_findings(known, series, name)
        if not len(known) or not len(extra):
            q = known if len(known) else extra
        else:
            q = pd.concat([known, extra], ignore_index=True)
    else:
        q = artefacts
    if len(q) == 0:
        return q
    if "metric" in q.columns:
        q = q[(q["metric"] == name) | (q["metric"] == "*")]
    if len(series) and "date" in q.columns:
        # a series sliced from a longer one keeps the reader's findings in its attrs:
        # only those of its own days are its artefacts
        q = q[dated_within(q["date"], series.index[0], series.index[-1])]
    return q[q["kind"].isin(ARTEFACT_KINDS)].reset_index(drop=True)


@dataclass(frozen=True)
class _Outcome:
    mu: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    local: np.ndarray
    days: pd.DataFrame
    spikes: pd.DataFrame
    episodes: pd.DataFrame
    penalty: float
    spans: list[tuple[int, int]]
    dependence: DependenceModel | None = None


def _analyse(
    ds: Any,
    fit: Any,
    art_days: np.ndarray,
    alpha: float,
    min_days: int,
    max_days: int,
    n_sim: int,
    seed: int,
    known: np.ndarray | None = None,
    dependence: str = "auto",
    coarse: np.ndarray | None = None,
) -> _Outcome:
    """Day tests and the episode scan against one baseline fit (anything with ``fitted``
    and ``dispersion``). *art_days*: reporting artefacts, not tested as single days;
    *coarse*: those of them in round numbers, scanned with the others (a stretch's sum
    is right to a step, a day's is not); *known*: days already found anomalous, left
    out of the dependence estimate; *dependence*: ``'auto'`` the residuals' AR(1) with a
    slow component at the scan's scales (:func:`~intensity.dependence.slow_component`),
    ``'ar1'`` the AR(1) alone, ``'none'`` independent null series."""
    idx = ds.series.index
    mu = fit.fitted.to_numpy(dtype=float)
    a_ = float(fit.dispersion)
    y = ds.values
    test = ds.observed & ~art_days
    coarse = np.zeros(len(idx), dtype=bool) if coarse is None else coarse & ds.observed
    dt = day_tests(y, mu, test, ds.periods_per_year, alpha, 1 - alpha, a_)
    with np.errstate(divide="ignore", invalid="ignore"):
        size = np.where(test, y / dt.expected, np.nan)
    kind = np.where(dt.p_upper < dt.p_lower, "spike", "dip")
    days = pd.DataFrame(
        {
            "observed": y,
            "expected": dt.expected,
            "lower": dt.lower,
            "upper": dt.upper,
            "p_upper": dt.p_upper,
            "p_lower": dt.p_lower,
            "q": dt.q,
            "kind": kind,
            "size": size,
            "baseline": mu,
            "dispersion": dt.dispersion,
        },
        index=idx,
    )[test]
    spikes = days[days["q"] <= alpha]

    # collective anomalies: scan the days that are neither artefacts (but for rounded
    # ones) nor spikes
    counted = test | coarse
    use = counted.copy()
    use[idx.get_indexer(spikes.index)] = False
    var = mu + a_ * mu**2
    mu_u = np.where(use, mu, 0.0)
    var_u = np.where(use, var, 0.0)
    y_u = np.where(use, y, 0.0)
    rng = np.random.default_rng(seed)
    # the seasons a seasonal baseline predicted from the other years
    blocks: tuple[tuple[int, int], ...] = getattr(fit, "left_out", ())
    dep = None
    if dependence != "none":
        clean = use & (~known if known is not None else True)
        dep = estimate_dependence(y, mu, clean, _negbin.size_from_dispersion(a_))
        if dependence == "auto":
            floor = periods(7, ds.periods_per_year)
            dep = slow_component(y, mu, clean, dep, _scan_lengths(min_days, max_days, floor))
            dep = season_offsets(y, mu, clean, dep, blocks)
    if dep is not None and not dep.independent:
        sims = simulate_latent_counts(mu, dep, rng, n_sim, blocks=blocks)
    else:
        sims = _negbin.draw(rng, mu, _negbin.size_from_dispersion(a_), (n_sim, len(mu)))
    sims *= use
    # the baseline's own estimation error is not added to the windows' variance: measured,
    # it cost a fifth of the power for a 30-day +20% surge and the null rate was within
    # its bound without it (see the closing note of the winter-surge issue)
    null_max = _scan_max(sims, mu_u, var_u, min_days, max_days)
    pen = float(np.quantile(null_max, 0.95))
    found = _segment(y_u, mu_u, var_u, min_days, max_days, pen)
    windows = _with_spike_days(found, y, mu, spike=test & ~use, use=use)
    windows = sorted(windows + _spike_runs(windows, y, mu, var, test & ~use, min_days))
    rows = []
    for a, b, st in windows:
        # every tested day of the episode, its spike days too (a surge's edges may be)
        obs_sum = float(np.where(counted[a:b], y[a:b], 0.0).sum())
        exp_sum = float(np.where(counted[a:b], mu[a:b], 0.0).sum())
        ratio = obs_sum / exp_sum if exp_sum > 0 else np.nan
        excess = np.where(counted[a:b], y[a:b] - mu[a:b], np.nan)
        peak = idx[a + int(np.nanargmax(excess if ratio > 1 else -excess))]
        rows.append(
            {
                "kind": "surge" if ratio > 1 else "lull",
                "start": idx[a],
                "end": idx[b - 1],
                "days": b - a,
                "peak": peak,
                "observed": obs_sum,
                "expected": exp_sum,
                "mean_excess_pct": 100 * (ratio - 1),
                "total_excess": obs_sum - exp_sum,
                "statistic": st,
                "p_value": (1 + int(np.sum(null_max >= st))) / (n_sim + 1),
            }
        )
    cols = [
        "kind",
        "start",
        "end",
        "days",
        "peak",
        "observed",
        "expected",
        "mean_excess_pct",
        "total_excess",
        "statistic",
        "p_value",
    ]
    return _Outcome(
        mu=mu,
        lower=dt.lower,
        upper=dt.upper,
        local=dt.expected,
        days=days,
        spikes=spikes,
        episodes=pd.DataFrame(rows, columns=cols),
        penalty=pen,
        spans=[(a, b) for a, b, _ in windows],
        dependence=dep,
    )


def _covered(windows: list[tuple[int, int, float]], n: int) -> np.ndarray:
    """The mask of the days inside *windows* (``(start, stop, statistic)``)."""
    taken = np.zeros(n, dtype=bool)
    for a, b, _ in windows:
        taken[a:b] = True
    return taken


def _bridged(run: np.ndarray, same: np.ndarray) -> np.ndarray:
    """*run* with its one-period holes filled where the period deviates the same way
    (*same*): a surge with one unremarkable period inside (a week above its expectation
    but not a spike) is one run, not two (+60% for 8 weeks read as 3 + 4 and 5 + 2
    weeks in two of twelve seeds)."""
    hole = np.zeros_like(run)
    hole[1:-1] = run[:-2] & run[2:] & ~run[1:-1] & same[1:-1]
    return run | hole


def _with_spike_days(
    windows: list[tuple[int, int, float]],
    y: np.ndarray,
    mu: np.ndarray,
    spike: np.ndarray,
    use: np.ndarray,
) -> list[tuple[int, int, float]]:
    """The scan's windows, each extended over the spike days (*spike*, of its
    direction) that run on from either end of it. The scan leaves spike days out (*use*:
    the days it scans), so a strong surge, most of whose days are spikes, was found as
    the window of its ordinary days: a 30-day doubling read as a 13-19-day episode of
    +52-56% beside 26 spike days. The statistic and p-value stay the window's."""
    n = len(y)
    taken = _covered(windows, n)
    out = []
    for a, b, st in windows:
        up = float((y[a:b] - mu[a:b])[use[a:b]].sum()) > 0.0
        same = (y > mu) if up else (y < mu)
        run = _bridged(spike & same, same)
        while a > 0 and run[a - 1] and not taken[a - 1]:
            a -= 1
            taken[a] = True
        while b < n and run[b] and not taken[b]:
            taken[b] = True
            b += 1
        out.append((a, b, st))
    return out


def _spike_runs(
    windows: list[tuple[int, int, float]],
    y: np.ndarray,
    mu: np.ndarray,
    var: np.ndarray,
    spike: np.ndarray,
    min_len: int,
) -> list[tuple[int, int, float]]:
    """Runs of at least *min_len* (and two) consecutive spike days of one direction
    outside the scan's *windows*, as episodes with their window statistic: a surge
    whose every day is a spike (+60% for 8 weeks in weekly counts) left the scan nothing to find and
    was reported as spike periods only. Each day of such a run is significant on its
    own (BH), so the run is a collective anomaly too."""
    taken = _covered(windows, len(y))
    out = []
    for up in (True, False):
        same = ((y > mu) if up else (y < mu)) & ~taken
        run = _bridged(spike & same, same)
        edges = np.diff(np.concatenate([[0], run.astype(np.int8), [0]]))
        starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        for lo, hi in zip(starts.tolist(), stops.tolist(), strict=True):
            if hi - lo >= max(min_len, 2):  # one period is a spike, never an episode
                S, M, V = (np.array([[float(v[lo:hi].sum())]]) for v in (y, mu, var))
                out.append((lo, hi, float(_qlr(S, M, V)[0, 0])))
    return out


def _scan_lengths(min_days: int, max_days: int, floor: int = 7) -> tuple[int, ...]:
    """Window lengths (periods) at which the slow component is measured: six from
    *min_days* to *max_days*, evenly on a log scale (at least *floor*, a week: shorter
    windows are the AR(1)'s)."""
    lo = max(min_days, floor)
    if max_days <= lo:
        return (max(max_days, 2),)
    return tuple(sorted({int(round(v)) for v in np.geomspace(lo, max_days, 6)}))


#: the seasons whose expectation the 'seasonal' baseline learns from the other years
_SEASONS = (("12-01", "02-28"), ("03-01", "05-31"), ("06-01", "08-31"), ("09-01", "11-30"))


def detect_anomalies(
    series: pd.Series,
    baseline: BaselineKind | Any = None,
    alpha: float = 0.01,
    *,
    min_days: int = 14,
    max_days: int = 90,
    artefacts: pd.DataFrame | None = None,
    n_sim: int = 199,
    seed: int = 0,
    dependence: AnomalyNoise = "auto",
    harmonics: int = 2,
    shifts: Literal["auto"] | Sequence[Any] = "auto",
) -> Anomalies:
    """Find spikes and dips, surges and lulls, and list reporting artefacts apart.

    Parameters
    ----------
    series
        Daily counts, or weekly, monthly or quarterly ones (any regular index): then the
        baselines have no weekday effect, their annual harmonics and trend follow the
        index's periods a year, and ``min_days``/``max_days`` are taken in periods of
        the index (14-90 days: 2-13 weeks, 1-3 months; a spike is one period). Reporting
        artefacts recorded by the reader (``attrs['quality']``, e.g. from
        :func:`intensity.read_losses`) are picked up automatically (matched by date).
    baseline
        What an anomaly is measured against (:mod:`intensity.baselines`):

        * ``'seasonal'`` (the default ``None`` with two years of data or more; with less,
          ``None`` means ``'level'``): *above what that season usually brings?* Weekday ×
          annual harmonics × a stiff trend (one spline df per year) ×
          the sustained level shifts (breaks between segments of at least
          ``2 * max_days`` days), each season (Dec–Feb, Mar–May, Jun–Aug, Sep–Nov of each
          year) with its annual effect learnt leaving it out, from the other years (with
          three years of data or more; with less, from all days but the episodes). A
          lasting shift moves the baseline instead of showing as a lull before it and a
          surge after it.
        * ``'level'``: *above the level of the fighting around it?* The same without
          annual terms, so a winter that rises above the level around it is a surge.
          The residuals' dependence is estimated around this baseline, so a strong annual
          cycle makes the null series wander too and the scan conservative: for the
          winters themselves use :func:`~intensity.seasonal_excess`.
        * a :class:`~intensity.seasonal.SeasonalFit` of this series: used as it is.

        The built baselines are fitted without artefacts, spike days and the episodes
        found, and refitted until the episodes no longer change (at most 4 rounds).
    alpha
        False discovery rate for single days (BH), and the level of the reported
        prediction band.
    min_days, max_days
        Shortest and longest episode considered, in days (rounded to whole periods of a
        weekly or monthly index, at least one). The sustained level shifts of the built
        baselines need segments of ``2 * max_days``: with monthly counts and the default,
        6 months, so a surge of a few months can become two shifts; give monthly counts
        a longer ``max_days`` (e.g. 183).
    artefacts
        A quality table (columns ``date, metric, kind``) to use instead of the reader's.
    n_sim, seed
        Simulated null series for the episode penalty and p-values; reproducible.
    dependence
        ``'auto'`` (default): the null series carry the residuals' latent AR(1)
        dependence (estimated without the anomalous days), so serial correlation is not
        read as surges, and a second, slow AR(1) where the residuals' means over
        ``min_days`` to ``max_days`` days vary more than that AR(1) allows
        (:func:`~intensity.dependence.slow_component`), and with the seasonal baseline a
        log offset per season it predicted from the other years, where the seasons'
        mean residuals vary more than that
        (:func:`~intensity.dependence.season_offsets`). On four-year null series whose
        log-rate is a random walk or has long memory, the AR(1) alone called 25-55% of
        them surges, this 0-10%; ``'ar1'``: the AR(1) alone; ``'none'``: independent
        days.
    harmonics
        Annual harmonics of the ``'seasonal'`` baseline.
    shifts
        Level shifts of the built baselines: ``'auto'`` (the sustained shifts, see
        *baseline*) or their dates (``()``: none), as :func:`~intensity.seasonal_excess`
        takes them.

    Returns
    -------
    Anomalies

    Examples
    --------
    >>> from intensity.simulate import simulate_counts
    >>> from intensity import detect_anomalies
    >>> sim = simulate_counts(730, seed=4, spikes=[(300, 2.5)], surges=[(500, 30, 1.3)])
    >>> res = detect_anomalies(sim.counts, n_sim=49)
    >>> str(res.spikes.index[0].date()), res.baseline_kind
    ('2022-12-26', 'seasonal')
    """
    from .seasonal import SeasonalFit

    alpha = check_fraction("alpha", alpha)
    check_whole("seed", seed, 0)
    check_whole("n_sim", n_sim, 1)
    check_whole("harmonics", harmonics, 0)
    baseline = _check_anomaly_options(series, baseline, min_days, max_days, dependence)
    ds = _regular_counts(series)
    require_nonzero(ds, what="detect_anomalies")
    s = ds.series
    idx = s.index
    span = ds.observed_span()
    if not isinstance(baseline, SeasonalFit) and span is not ds:
        # days before the first observed day or after the last change nothing: analyse
        # the observed span (as fit_seasonal does) and give the input's index back, so a
        # leading missing day (the first day of a loss table's increments) does not move
        # the answer
        inner = detect_anomalies(
            span.series,
            baseline,
            alpha,
            min_days=min_days,
            max_days=max_days,
            artefacts=_artefacts_for(series, artefacts),
            n_sim=n_sim,
            seed=seed,
            dependence=dependence,
            harmonics=harmonics,
            shifts=shifts,
        )
        # the baseline covers the input's index (days outside the observed span carry
        # the nearest observed day's); the table of tested days stays as it is
        return replace(inner, series=s, baseline=inner.baseline.reindex(idx).bfill().ffill())
    art = _artefacts_for(series, artefacts)
    art_days = _days_of(idx, art)
    coarse = _days_of(idx, art[art["kind"] == "rounded"]) if len(art) else art_days
    unfit = art_days & ~coarse  # out of the fits too: every artefact but round numbers
    use_dep = str(dependence)
    # the episode lengths in periods of the series (days for daily counts)
    lo, hi = periods(min_days, ds.periods_per_year), periods(max_days, ds.periods_per_year)
    if isinstance(baseline, SeasonalFit):
        if not baseline.fitted.index.equals(idx):
            raise ParameterError("baseline was fitted on a different date range than series")
        out = _analyse(ds, baseline, art_days, alpha, lo, hi, n_sim, seed, unfit, use_dep, coarse)
        kind, description = "seasonal fit", "a given SeasonalFit (used as it is)"
    else:
        kind = str(baseline)
        run = partial(
            _analyse,
            alpha=alpha,
            min_days=lo,
            max_days=hi,
            n_sim=n_sim,
            seed=seed,
            dependence=use_dep,
            coarse=coarse,
        )
        out, description = _fitted_baseline(ds, kind, art_days, unfit, shifts, harmonics, hi, run)
    episodes = out.episodes.assign(baseline=kind)
    return Anomalies(
        series=s,
        baseline=pd.DataFrame(
            {
                "expected": out.mu,
                "local": out.local,
                "lower": out.lower,
                "upper": out.upper,
            },
            index=idx,
        ),
        days=out.days,
        spikes=out.spikes,
        episodes=episodes,
        artefacts=art,
        alpha=alpha,
        penalty=out.penalty,
        n_sim=n_sim,
        baseline_kind=kind,
        baseline_description=description,
        dependence=out.dependence,
    )


def _regular_counts(series: Any) -> RegularSeries:
    """The validated counts: daily, weekly, monthly or quarterly (yearly counts have no
    season and no episodes within the year)."""
    ds = as_regular_series(series, counts=True)
    require_within_year(ds, "detect_anomalies")  # before the count of periods it lacks
    if int(ds.observed.sum()) < 60:
        raise InsufficientDataError(
            f"detect_anomalies needs at least 60 observed {ds.unit}s, got {int(ds.observed.sum())}"
        )
    return ds


def _check_anomaly_options(
    series: Any, baseline: Any, min_days: Any, max_days: Any, dependence: Any
) -> Any:
    """Check the options; the baseline (``None``: 'seasonal' from two years, else
    'level')."""
    from .seasonal import SeasonalFit

    if not (isinstance(min_days, int) and isinstance(max_days, int) and 1 <= min_days <= max_days):
        raise ParameterError(
            f"need whole numbers 1 <= min_days <= max_days, got {min_days!r}, {max_days!r}"
        )
    if dependence not in ("auto", "ar1", "none"):
        raise ParameterError(
            f"dependence must be one of ['auto', 'ar1', 'none'], got {dependence!r}"
        )
    if baseline is None:
        ok = isinstance(series, pd.Series) and isinstance(series.index, pd.DatetimeIndex)
        span = (series.index.max() - series.index.min()).days + 1 if ok and len(series) else 0
        baseline = "seasonal" if span >= 730 else "level"
    if not isinstance(baseline, SeasonalFit) and baseline not in ("level", "seasonal"):
        raise ParameterError(
            "baseline must be 'level', 'seasonal' or a SeasonalFit, got "
            f"{baseline if isinstance(baseline, str) else type(baseline).__name__!r}"
        )
    return baseline


def _days_of(idx: pd.Index, findings: pd.DataFrame) -> np.ndarray:
    """The mask of the days of *idx* that *findings* (a quality table) are dated on."""
    days = np.zeros(len(idx), dtype=bool)
    if len(findings):
        pos = idx.get_indexer(pd.DatetimeIndex(findings["date"]))
        days[pos[pos >= 0]] = True
    return days


def _fitted_baseline(
    ds: RegularSeries,
    kind: str,
    art_days: np.ndarray,
    unfit: np.ndarray,
    shifts: Any,
    harmonics: int,
    max_days: int,
    run: Callable[..., Any],
) -> tuple[Any, str]:
    """The analysis against a 'level' or 'seasonal' baseline fitted without the episodes
    found: the baseline refitted with each round's spikes and episodes left out, until
    the episodes repeat (at most 4 rounds). *art_days*: the reporting artefacts (not
    tested; not *precise* for the dispersion); *unfit*: those the fits leave out too.
    Returns the last round's analysis and the baseline's description."""
    s, idx = ds.series, ds.series.index
    ppy = ds.periods_per_year
    if kind == "seasonal" and len(idx) < int(2 * ppy):
        raise InsufficientDataError(
            f"baseline='seasonal' needs two years of data to learn a season from the "
            f"other years, got {len(idx)} {ds.unit}s"
        )
    shift_pos = resolve_shifts(s, shifts, max_days)
    # a season is left out only when at least two other years remain to learn it from;
    # with fewer the fit without the episodes found is the baseline (leaving one of two
    # years out made its prediction so noisy that power fell from 87% to 75%)
    blocks = (
        [b for season in _SEASONS for b in season_blocks(pd.DatetimeIndex(idx), season)]
        if len(idx) >= int(3 * ppy)
        else []
    )
    exclude = unfit.copy()  # the artefacts the fit leaves out: all but round numbers
    seen: list[list[tuple[int, int]]] = []
    local_fits: dict[int, Any] = {}  # each season's design and last fit, across rounds
    for _ in range(4):
        base = (
            level_baseline(s, exclude, shift_pos, precise=~art_days)
            if kind == "level"
            else seasonal_baseline(
                s, exclude, shift_pos, harmonics, blocks, local_fits, precise=~art_days
            )
        )
        out = run(ds, base, art_days, known=exclude)
        if out.spans in seen:
            break
        seen.append(out.spans)
        exclude = unfit.copy()
        exclude[idx.get_indexer(out.spikes.index)] = True
        for a, b in out.spans:
            exclude[a:b] = True
    return out, base.description


# =========================================================================== day change
@dataclass(frozen=True, repr=False)  # the readable repr of ResultMixin
class DayChange(ResultMixin):
    """Result of :func:`day_change`.

    Examples
    --------
    >>> from intensity import day_change, simulate_counts
    >>> r = day_change(simulate_counts(400, seed=1).counts, "2022-12-14")
    >>> r.summary().columns.tolist()[:4]
    ['window', 'value', 'previous', 'change']
    """

    date: pd.Timestamp
    value: float
    previous: float
    change: float
    change_pct: float
    expected: float
    expected_previous: float
    p_value: float
    name: str
    #: which figures were compared: '' for a plain series, else 'day' (whole-day totals),
    #: '22:00' or '16:00' (the same slot's figure on both days)
    window: str = ""

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "date": self.date.strftime("%Y-%m-%d"),
                    "window": self.window or "series",
                    "value": self.value,
                    "previous": self.previous,
                    "change": self.change,
                    "change_pct": self.change_pct,
                    "expected": self.expected,
                    "expected_previous": self.expected_previous,
                    "p_value": self.p_value,
                }
            ]
        ).set_index("date")

    def sentence(self) -> str:
        sign = "+" if self.change >= 0 else "−"
        what = "a rise" if self.change >= 0 else "a drop"
        what_fig = {
            "": "",
            "day": " (whole-day totals on both days)",
        }.get(self.window, f" ({self.window} figure against the day before's {self.window} figure)")
        return (
            f"{self.value:g} on {self.date:%Y-%m-%d} is {sign}{abs(self.change):g} "
            f"({sign}{abs(self.change_pct):.0f}%) on the day before{what_fig}; under the baseline "
            f"{what} this large or larger has probability {self.p_value:.3g}"
        )

    def _title(self) -> str:
        return f"Day-on-day change of {self.name}"

    def _notes(self) -> list[str]:
        return [self.sentence()]

    def __str__(self) -> str:
        return self.sentence()

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        from .plotting import plot_day_change

        return plot_day_change(self, ax=ax, **kw)


#: Supports wider than this are summed over quantiles of the earlier day instead of every
#: value (memory and time stay bounded for counts in the millions).
_MAX_SUPPORT = 1_000_000
_QUANTILE_GRID = 20_000


def _change_tail(m1: float, m0: float, alpha: float, change: float) -> float:
    """P(Y1 - Y0 >= change) for change >= 0, else P(Y1 - Y0 <= change), with Y1, Y0
    independent NB counts: the sum over Y0 of its probability times Y1's tail, in time and
    memory linear in Y0's support (exact up to the 1e-12 tails left out)."""
    d1, d0 = _negbin.distribution(m1, alpha), _negbin.distribution(m0, alpha)
    lo, hi = float(d0.ppf(1e-12)), float(d0.ppf(1 - 1e-12))
    if hi - lo <= _MAX_SUPPORT:
        x0 = np.arange(lo, hi + 1)
        w = d0.pmf(x0)
    else:
        x0 = d0.ppf((np.arange(_QUANTILE_GRID) + 0.5) / _QUANTILE_GRID)
        w = np.full(_QUANTILE_GRID, 1.0 / _QUANTILE_GRID)
    tail = d1.sf(change + x0 - 1) if change >= 0 else d1.cdf(change + x0)
    return float(np.sum(w * tail))


#: engagements_daily columns compared like with like, in the order 'auto' tries them
_LIKE_FOR_LIKE = {"day": "engagements", "22:00": "partial_22", "16:00": "partial_16"}


def _like_for_like(daily: pd.DataFrame, date: Any, window: str) -> tuple[pd.Series, str]:
    """The column of :func:`~intensity.engagements_daily` whose figures exist on *date*
    and the day before (*window* 'auto': whole day, else 22:00, else 16:00)."""
    check_choice("window", window, ("auto", *_LIKE_FOR_LIKE))
    d = check_date("date", date).normalize()
    prev = d - pd.Timedelta(days=1)
    order = list(_LIKE_FOR_LIKE) if window == "auto" else [window]
    for w in order:
        col = daily[_LIKE_FOR_LIKE[w]]
        if d in col.index and prev in col.index and col[[prev, d]].notna().all():
            return col.rename(f"engagements ({w} figures)" if w != "day" else "engagements"), w
    raise ParameterError(
        f"no {'figure' if window == 'auto' else window + ' figure'} on both {prev:%Y-%m-%d} "
        f"and {d:%Y-%m-%d} to compare like with like (tried {order}); an evening figure is "
        "never compared with a whole day"
    )


def day_change(
    series: pd.Series | pd.DataFrame, date: Any, baseline: Any = None, *, window: str = "auto"
) -> DayChange:
    """How unusual is the change from the day before to *date*?

    The two days are taken as independent negative-binomial counts with the baseline's
    expected values and dispersion (by default a seasonal fit of the series); the p-value
    is the probability of a change at least this large in the same direction.

    *series* may be the table of :func:`~intensity.engagements_daily`: the change is then
    like for like ("274 battles, 84 more than the day before" compares the 22:00 figure
    with the day before's 22:00 figure), *window* ``'auto'`` taking whole-day totals when
    both days have one, else the 22:00, else the 16:00 figures (or ``'day'``, ``'22:00'``,
    ``'16:00'``); the result's ``window`` says which.

    Examples
    --------
    >>> from intensity.simulate import simulate_counts
    >>> from intensity import day_change
    >>> sim = simulate_counts(400, seed=1)
    >>> r = day_change(sim.counts, "2022-12-14")
    >>> 0 <= r.p_value <= 1
    True
    """
    from .seasonal import SeasonalFit, fit_seasonal

    used = ""
    if isinstance(series, pd.DataFrame) and {"engagements", "partial_22"} <= set(series.columns):
        series, used = _like_for_like(series, date, window)
    ds = as_daily_series(series, counts=True, min_observed=30)
    require_nonzero(ds, what="day_change")
    s = ds.series
    d = check_date("date", date).normalize()
    if d not in s.index or d - pd.Timedelta(days=1) not in s.index:
        raise ParameterError(
            f"date must lie in {s.index[1]:%Y-%m-%d} … {s.index[-1]:%Y-%m-%d} (it needs the day "
            f"before), got {d:%Y-%m-%d}"
        )
    prev = d - pd.Timedelta(days=1)
    if np.isnan(s[d]) or np.isnan(s[prev]):
        raise ParameterError(f"{d:%Y-%m-%d} or the day before is missing in the series")
    fit = (
        baseline if baseline is not None else fit_seasonal(s, dependence="ar1")
    )  # its fitted means only
    if not isinstance(fit, SeasonalFit):
        raise ParameterError(f"baseline must be None or a SeasonalFit, got {type(fit).__name__}")
    m1, m0 = float(fit.fitted[d]), float(fit.fitted[prev])
    change = float(s[d] - s[prev])
    p = _change_tail(m1, m0, float(fit.dispersion), change)
    return DayChange(
        date=d,
        value=float(s[d]),
        previous=float(s[prev]),
        change=change,
        change_pct=100 * change / s[prev] if s[prev] else math.inf,
        expected=m1,
        expected_previous=m0,
        p_value=min(max(p, 0.0), 1.0),
        name=str(s.name or "series"),
        window=used,
    )
