"""The results of the break searches (:class:`Breaks`, :class:`PenaltyPath`) and how they
are built from a segmentation: levels, date intervals, p-values, the drift path."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtri

from .. import _negbin
from .._frames import frame
from .._results import ResultMixin, reaches_far_dates
from .._validation import (
    RegularSeries,
)
from ..costs import (
    CountCost,
    LinearTrendCost,
    SegmentCost,
)
from ..dependence import DependenceModel
from .search import first_possible

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
        Break dates the AR(1) search proposed that the drift model reads as drift (no
        kept shift within ``min_size`` of them).
    alpha : float or None
        The level at which shifts were kept under the drift model (``None``: the AR(1)
        reading, no such test).
    next_shift : tuple of (pd.Timestamp, float) or None
        Under the drift model: the shift that ended the selection, not kept, with its
        p-value (``None``: none was tested). One near ``alpha`` can fall the other side
        with another seed: on real personnel the default call stops at 2022-05-19 with
        p = 0.05-0.14 over seeds 0-19 (0.050 at seed 4); deseasonalised, seeds 0, 2, 5
        and 7 of 0-11 stop at 2022-04-27 with p = 0.055-0.061 (four breaks) and the
        others keep it with 2022-04-08 (six).
    forced : tuple of pd.Timestamp
        The dates given as breaks (``detect_breaks(dates=...)``): breaks whatever the data
        (the ``forced`` column of :attr:`breaks`); the search found the others between them.
    unit : str
        The period of the index ('day', 'week', 'month', 'quarter' or 'year'); ``min_size``
        and positions count these.

    Examples
    --------
    >>> from intensity import detect_breaks, simulate_counts
    >>> sim = simulate_counts(500, seed=3, breaks=[(250, 1.6)], annual_amplitude=0)
    >>> res = detect_breaks(sim.counts, n_boot=0)
    >>> res.summary().index.tolist(), len(res.segments)
    (['2022-11-06'], 2)
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
    forced: tuple[pd.Timestamp, ...] = ()
    next_shift: tuple[pd.Timestamp, float] | None = None

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
        optional = ("p_bound", "date_refound", "forced")
        cols = [*_BREAK_COLUMNS, *(c for c in optional if c in columns)]
        data = {c: columns[c] for c in cols}
        for c in ("ci_lower", "ci_upper"):
            data[c] = _day_strings(data[c])
        index = pd.Index(_day_strings(dates), name=f"break (first {self.unit} of new regime)")
        return frame(data, index)

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
            removed = "weekday and annual effects" if self.unit == "day" else "annual effects"
            notes.append(f"breaks in the deseasonalised rate ({removed} removed)")
        if self.dependence is not None and self.dependence.long_range:
            notes.append(
                self.dependence.describe()
                + f"; shifts kept while the largest stands out of this noise at p < "
                f"{self.alpha:g} (series simulated from it); ratio = the jump on the day, "
                f"beyond the drift; {len(self.dropped)} break(s) of the AR(1) search read "
                "as drift" + kept_near_words(self) + next_shift_words(self)
            )
        elif self.dependence is not None:
            notes.append(
                self.dependence.describe()
                + "; the penalty is multiplied by it, level intervals widened by its square "
                "root, the bootstrap simulates dependent counts"
            )
        elif self.counts:
            notes.append(f"{self.unit}s taken as independent (dependence='none')")
        if self.forced:
            notes.append(
                f"{len(self.forced)} date(s) given as breaks (forced: a break whatever the "
                "data; its p-value compares the change there with the largest in its window, "
                "conservative for a date fixed in advance: event_effect tests a date)"
            )
        refound = self.breaks.get("date_refound", pd.Series(dtype=float))
        if any(reaches_far_dates(v, self.ci) for v in refound):
            notes.append(
                "date_refound: the share of series simulated with the shift whose scan "
                f"re-finds its date within {self.min_size} {self.unit}s; below "
                f"{self.ci:.0%}, the date interval runs to the dates where a drift burst "
                "elsewhere outdid the shift in the others"
            )
        if "p_bound" in self.breaks and self.breaks["p_bound"].astype(bool).any():
            notes.append("p_bound: the p-value is an upper bound (no bootstrap draw as extreme)")
        return notes

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        from ..plotting import plot_breaks

        return plot_breaks(self, ax=ax, **kw)


def _drift_frame(
    cost: CountCost,
    log_level: np.ndarray,
    model: DependenceModel,
    z: float,
    index: pd.Index,
) -> pd.DataFrame:
    """:attr:`Breaks.drift`: the drift path around the segment levels, in counts."""
    from ..dependence import drift_path

    path, lo, hi = drift_path(cost._raw(), cost.mult, cost.obs, log_level, model, z)
    level = np.exp(log_level)
    # each segment's level is its mean: the drift averages to 1 over the segment
    # (segments told apart by comparison: a segment without counts has log level -inf,
    # and np.diff of it warned "invalid value" and cut the segment into single days)
    edges = np.flatnonzero(np.r_[True, log_level[1:] != log_level[:-1], True])
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        scale = float(np.mean(path[a:b]))
        path[a:b] /= scale
        lo[a:b] /= scale
        hi[a:b] /= scale
    return pd.DataFrame(
        {"path": level * path, "lower": level * lo, "upper": level * hi}, index=index
    )


def _breaks_frame(columns: dict[str, Any], dates: np.ndarray) -> pd.DataFrame:
    """The breaks table from its columns, indexed by break date."""
    index = pd.DatetimeIndex(dates, name="date")
    if not len(dates):
        # the same dtypes as with breaks: comparing an empty date interval with a date
        # is then False, not a TypeError
        cols = [*_BREAK_COLUMNS, "position"]
        dtype: dict[str, Any] = {
            "ci_lower": "datetime64[ns]",
            "ci_upper": "datetime64[ns]",
            "position": int,
        }
        return pd.DataFrame({c: pd.Series(dtype=dtype.get(c, float)) for c in cols}, index=index)
    return frame(columns, index)


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


def kept_near_words(res: Breaks) -> str:
    """``'; kept near the level: 2022-08-29 (p = 0.033), another seed may drop it'``
    for the drift model's shifts whose p-value is above half the level (the sequential
    Monte Carlo p-value stops at its tenth exceedance, some 200-300 draws there: real
    vehicle losses' 2022-08-29 read p = 0.02-0.033 at seeds 1-3 and was not kept at
    seed 0); ``''`` without one. The mirror of :func:`next_shift_words`."""
    if res.alpha is None or "p_value" not in res.breaks:
        return ""
    p = res.breaks["p_value"]
    near = p[(p > res.alpha / 2) & (p < res.alpha)]
    if near.empty:
        return ""
    days = ", ".join(f"{d:%Y-%m-%d} (p = {v:.3f})" for d, v in near.items())
    return f"; kept near {res.alpha:g}: {days}, another seed may drop it"


def next_shift_words(res: Breaks) -> str:
    """``'; next candidate 2022-04-08 not kept, p = 0.061'``, with a warning when its
    p-value is within twice the level (another seed could keep it); ``''`` without one.
    No parentheses: it is read inside the report's own."""
    if res.next_shift is None or res.alpha is None:
        return ""
    day, p = res.next_shift
    words = f"; next candidate {day:%Y-%m-%d} not kept, p = {p:.3f}"
    if p < 2 * res.alpha:
        words += f", near {res.alpha:g}: another seed may keep it"
    return words


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
    forced: Sequence[int] = (),
    columns: dict[str, np.ndarray] | None = None,
) -> Breaks:
    """The result of a segmentation: segment levels, ratios and every break's interval and
    p-value, asked of the cost. Tables are built from arrays (no per-row pandas work).
    *forced*: the positions given as breaks (a ``forced`` column when there are any).
    *columns*: breaks-table columns from a test other than the cost's bootstrap (the drift
    model's: date intervals, shift sizes and p-values), in place of the cost's."""
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
        frame,
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
            **({"forced": np.isin(pos, np.asarray(forced, dtype=np.int64))} if forced else {}),
            **(columns or {}),
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
        cost_notes=(*cost.notes(), *_gross_words(cost, dates, starts, ends, min_size, dep)),
        counts=isinstance(cost, CountCost),
        forced=tuple(pd.Timestamp(dates[f]) for f in sorted(forced)),
    )


def gross_words(days: Any, unit: str, done: str) -> str:
    """``'3 day(s) far beyond the days around them <done> (2022-10-21, …; beta-binomial
    p < 1e-6 against their neighbours' total)'``: the days of
    :func:`~intensity._negbin.gross_days` (datetime64 values, the first five named) as
    the single-series and the joint notes name them."""
    named = np.datetime_as_string(np.asarray(days, dtype="datetime64[ns]"), unit="D")
    listed = ", ".join(named[:5]) + (", …" if len(named) > 5 else "")
    return (
        f"{len(named)} {unit}(s) far beyond the {unit}s around them {done} ({listed}; "
        "beta-binomial p < 1e-6 against their neighbours' total)"
    )


def _gross_words(
    cost: SegmentCost,
    dates: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    min_size: int,
    dep: DependenceModel | None,
) -> list[str]:
    """The note on the periods the NB size left out (far beyond the periods around them),
    and, where the breaks are the search's own (not the drift model's, *dep* long-range,
    which sets such days aside), on each segment of under twice *min_size* that holds
    one: one day at 30 times the level made a segment of 14 days of its own, a change
    that is that day alone. Under the drift model the clause was wrong: real personnel
    from 2022-10-01 has the gross 2022-10-21 in its first segment (to 10-27, short
    because the series starts there) and its break 2022-10-28 is the three weeks at
    ~700 a day from 10-30, not that day."""
    gross = getattr(cost, "gross", None)
    if gross is None or not gross.any():
        return []
    unit = cost.unit
    words = gross_words(dates[gross], unit, "left out of the NB size")
    drift_model = dep is not None and dep.long_range
    short = [
        (a, b)
        for a, b in zip(starts, ends, strict=True)
        if not drift_model and b - a < 2 * min_size and gross[a:b].any()
    ]
    if short:
        spans = ", ".join(
            f"{np.datetime_as_string(dates[a], unit='D')} … "
            f"{np.datetime_as_string(dates[b - 1], unit='D')}"
            for a, b in short
        )
        words += (
            f"; a segment of under {2 * min_size} {unit}s holds one ({spans}): that "
            f"{unit}, not a lasting change (the default, dependence='auto', sets such "
            f"{unit}s aside)"
        )
    return [words]


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
    """Every optimal segmentation over a penalty range (CROPS).

    Examples
    --------
    >>> from intensity import penalty_path, simulate_counts
    >>> sim = simulate_counts(500, seed=3, breaks=[(250, 1.6)], annual_amplitude=0)
    >>> path = penalty_path(sim.counts)
    >>> path.summary().columns.tolist()
    ['penalty_min', 'penalty_max', 'cost', 'breaks']
    """

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
        from ..plotting import plot_penalty_path

        return plot_penalty_path(self, ax=ax, **kw)
