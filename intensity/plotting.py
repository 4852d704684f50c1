"""Publication figures.

One function per figure, ``plot_x(result, ax=None, **kw) -> Figure``. All share one house
style applied through :func:`matplotlib.rc_context` (colour-blind-safe Okabe–Ito palette,
TrueType fonts embedded in PDFs, sizes for journal columns). Nothing here calls
``plt.show()``; ``tight_layout`` is used only on figures created here. :func:`save_pdf`
writes reproducible PDFs (fixed metadata dates: the same input gives identical bytes).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from cycler import cycler

from ._results import excess_short, reaches_far_dates
from .metrics import metric_label

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .seasonal import Decomposition, SeasonalFit, SeasonalProfile

__all__ = [
    "PALETTE",
    "house_style",
    "source_label",
    "source_note",
    "save_pdf",
    "plot_decomposition",
    "plot_seasonal_fit",
    "plot_profile",
    "plot_breaks",
    "plot_penalty_path",
    "plot_anomalies",
    "plot_day_change",
    "plot_overview",
    "plot_direction_heatmap",
    "plot_direction_shares",
    "plot_metrics",
    "plot_common_breaks",
    "plot_lead_lag",
    "plot_ratio",
    "plot_reconstruction",
    "ONE_COLUMN",
    "TWO_COLUMN",
]

#: Okabe–Ito colour-blind-safe palette.
PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "red": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}
ONE_COLUMN = (3.5, 2.6)
TWO_COLUMN = (7.2, 3.6)

_RC: dict[str, Any] = {
    "axes.prop_cycle": cycler(
        color=[PALETTE[c] for c in ("blue", "orange", "green", "red", "purple", "sky")]
    ),
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "legend.fontsize": 7,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "grid.linewidth": 0.5,
    "lines.linewidth": 1.0,
    "pdf.fonttype": 42,  # TrueType, embedded
    "ps.fonttype": 42,
    "svg.hashsalt": "intensity",
    "figure.dpi": 100,
    "savefig.dpi": 300,
}

SOURCE_NOTE = (
    "Source: General Staff of the Armed Forces of Ukraine (claims, not independently verified)"
)
_SOURCE: ContextVar[str] = ContextVar("intensity_source_note", default=SOURCE_NOTE)


def source_note() -> str:
    """The caption line every figure carries (see :func:`source_label`).

    Examples
    --------
    >>> from intensity.plotting import source_label, source_note
    >>> with source_label("Source: VIINA 2.0 (ODbL)"):
    ...     source_note()
    'Source: VIINA 2.0 (ODbL)'
    """
    return _SOURCE.get()


@contextmanager
def source_label(text: str) -> Iterator[None]:
    """Use *text* as the source caption of every figure drawn inside the block (e.g. to say
    that the data are simulated).

    Examples
    --------
    >>> from intensity.plotting import source_label, source_note
    >>> with source_label("Source: UCDP GED"):
    ...     print(source_note())
    Source: UCDP GED
    """
    token = _SOURCE.set(text)
    try:
        yield
    finally:
        _SOURCE.reset(token)


@contextmanager
def house_style(**overrides: Any) -> Iterator[None]:
    """The package's matplotlib style as a context manager.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> from intensity.plotting import house_style
    >>> with house_style(**{"font.size": 9}):
    ...     mpl.rcParams["font.size"]
    9.0
    """
    rc: Any = {**_RC, **overrides}
    with mpl.rc_context(rc):
        yield


#: OpenType layout tables (glyph substitution and positioning, kerning): a PDF places
#: every glyph itself, so an embedded font subset never uses them, but fontTools subsets
#: them on every save: 0.1-0.2 s per embedded font, 5-10% of the main job's CPU.
_LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "JSTF", "kern", "MATH")


@contextmanager
def lean_font_subsets() -> Iterator[None]:
    """Embedded font subsets without OpenType layout tables, for the PDFs written inside
    (the same glyphs, the same pages). Restores fontTools' defaults on exit; does nothing
    when fontTools keeps its defaults elsewhere."""
    try:
        from fontTools import subset

        default = list(subset.Options._drop_tables_default)
    except (ImportError, AttributeError):  # pragma: no cover - another fontTools layout
        yield
        return
    subset.Options._drop_tables_default = default + [t for t in _LAYOUT_TABLES if t not in default]
    try:
        yield
    finally:
        subset.Options._drop_tables_default = default


def _new_axes(
    ax: Axes | None, figsize: tuple[float, float] = TWO_COLUMN
) -> tuple[Figure, Axes, bool]:
    if ax is not None:
        return ax.figure, ax, False  # type: ignore[return-value]
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    return fig, fig.add_subplot(1, 1, 1), True


def _date_axis(ax: Axes, index: pd.Index) -> None:
    index = pd.DatetimeIndex(index)
    import matplotlib.dates as mdates

    span = (index[-1] - index[0]).days if len(index) else 0
    if span > 6 * 365:  # long series (monthly data over decades): years, at most ~9 ticks
        ax.xaxis.set_major_locator(mdates.YearLocator(base=max(1, -(-span // 365) // 8)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    elif span > 540:
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    else:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=9))
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    for lbl in ax.get_xticklabels():
        lbl.set_rotation(0)


def _range_text(index: pd.Index) -> str:
    index = pd.DatetimeIndex(index)
    return f"{index[0]:%Y-%m-%d} – {index[-1]:%Y-%m-%d}"


_CAPTION_SIZE = 6.0


def _chars(width_in: float, fontsize: float) -> int:
    """Characters of text of *fontsize* points that fit in *width_in* inches (an average
    glyph is about half an em wide in the house sans-serif)."""
    return max(12, int(width_in * 72 / (0.55 * fontsize)))


def _caption(fig: Figure, text: str) -> int:
    """The source line along the bottom, wrapped to the figure's width; returns its lines."""
    import textwrap

    wrapped = textwrap.fill(text, _chars(fig.get_figwidth() - 0.1, _CAPTION_SIZE))
    fig.text(
        0.01,
        0.005,
        wrapped,
        fontsize=_CAPTION_SIZE,
        color=PALETTE["grey"],
        ha="left",
        va="bottom",
    )
    return wrapped.count("\n") + 1


def _wrap_titles(fig: Figure) -> None:
    """Wrap each axes title to the width of its axes, so no title runs off the figure at
    a single-column width."""
    import textwrap

    for ax in fig.axes:
        t = ax.title
        text = t.get_text()
        if text:
            width = ax.get_position().width * fig.get_figwidth()
            size = float(t.get_fontsize())
            t.set_text(textwrap.fill(text.replace("\n", " "), _chars(width, size)))
        y = ax.yaxis.label
        if y.get_text():  # a long metric name along a short axis
            height = ax.get_position().height * fig.get_figheight()
            size = float(y.get_fontsize())
            y.set_text(textwrap.fill(y.get_text().replace("\n", " "), _chars(height, size)))


def _legend(ax: Axes, *, fontsize: float | None = None) -> None:
    """A compact legend inside *ax*: as many columns as fit the axes' width (labels of
    the widest entry plus the handle), so no entry runs off the figure at a single-column
    width."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    from matplotlib.font_manager import FontProperties

    size = FontProperties(size=fontsize or mpl.rcParams["legend.fontsize"]).get_size_in_points()
    fig = ax.figure
    width_in = ax.get_position().width * fig.get_figwidth()  # type: ignore[union-attr]
    ncols = _legend_columns([len(lab) for lab in labels], size, width_in)
    ax.legend(frameon=False, loc="upper left", ncols=ncols, fontsize=size)
    rows = -(-len(labels) // ncols)
    _headroom(ax, rows * size * 1.45 / 72 + 0.08)


def _legend_columns(lengths: list[int], size: float, width_in: float) -> int:
    """The most legend columns whose entries (filled column by column, each column as wide
    as its longest label plus the handle) fit *width_in* inches."""
    n = len(lengths)
    for ncols in range(n, 1, -1):
        # matplotlib's split: the first n % ncols columns hold one entry more (six
        # entries in five columns are 2, 1, 1, 1, 1, not 2, 2, 2: counting the latter
        # put the sixth entry off the figure)
        sizes = [n // ncols + (j < n % ncols) for j in range(ncols)]
        edges = np.cumsum([0, *sizes])
        cols = [lengths[edges[j] : edges[j + 1]] for j in range(ncols)]
        need = sum(max(c) * 0.55 * size / 72 + 0.45 for c in cols if c)
        if need <= width_in:
            return ncols
    return 1


def _headroom(ax: Axes, height_in: float) -> None:
    """Raise the top of *ax*'s y range so that a band *height_in* inches high at the top
    of the axes holds no data: the legend drawn there sits on nothing (a legend without
    a frame over a spike, an error bar or a curve hid it, issue 26). The axes' height is
    taken before the layout shrinks it, hence the margin."""
    fig = ax.figure
    axes_in = ax.get_position().height * fig.get_figheight()  # type: ignore[union-attr]
    frac = min(0.5, 1.25 * height_in / max(axes_in, 1e-6))
    lo, hi = ax.get_ylim()
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
        return  # inverted or empty: leave it
    if ax.get_yscale() == "log" and lo > 0:
        top = np.exp(np.log(lo) + (np.log(hi) - np.log(lo)) / (1 - frac))
    else:
        top = lo + (hi - lo) / (1 - frac)
    ax.set_ylim(lo, top)


def _finish(fig: Figure, created: bool, caption: str | None = None) -> Figure:
    if created:
        _wrap_titles(fig)
        lines = _caption(fig, caption) if caption else 0
        bottom = lines * _CAPTION_SIZE * 1.25 / 72 / fig.get_figheight() + 0.01 if lines else 0
        fig.tight_layout(rect=(0, bottom, 1, 1))
    return fig


def pdf_metadata(title: str | None = None) -> dict[str, Any]:
    """The metadata of every PDF the package writes: no creation date (same input, same
    bytes), and the title when there is one."""
    meta: dict[str, Any] = {
        "Creator": "intensity",
        "Producer": "intensity (matplotlib)",
        "CreationDate": None,
    }
    if title:
        meta["Title"] = title
    return meta


def save_pdf(fig: Figure, path: str | os.PathLike[str], *, title: str | None = None) -> Path:
    """Save *fig* as a reproducible PDF (fixed creation date; written atomically).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import matplotlib.pyplot as plt
    >>> from intensity.plotting import save_pdf
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([1, 3, 2])
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "f.pdf"
    >>> a = save_pdf(fig, out, title="test").read_bytes()
    >>> a == save_pdf(fig, out, title="test").read_bytes()  # the same bytes every time
    True
    >>> plt.close(fig)
    """
    from .pipeline import atomic_write_bytes

    buf = io.BytesIO()
    with house_style(), lean_font_subsets():
        fig.savefig(buf, format="pdf", metadata=pdf_metadata(title))
    p = Path(path)
    atomic_write_bytes(p, buf.getvalue())
    return p


def save_figure(
    fig: Figure, path: str | os.PathLike[str], *, title: str | None = None, dpi: int = 200
) -> Path:
    """Save *fig* reproducibly in the format of *path*'s suffix: PDF (as :func:`save_pdf`),
    PNG (*dpi*) or SVG (no date, fixed element ids); written atomically."""
    from .pipeline import atomic_write_bytes

    p = Path(path)
    fmt = p.suffix.lstrip(".").lower()
    if fmt == "pdf":
        return save_pdf(fig, p, title=title)
    buf = io.BytesIO()
    if fmt == "png":
        meta: dict[str, Any] = {"Software": "intensity (matplotlib)"}
        if title:
            meta["Title"] = title
        with house_style():
            fig.savefig(buf, format="png", dpi=dpi, metadata=meta)
    elif fmt == "svg":
        meta = {"Date": None, "Creator": "intensity (matplotlib)"}
        if title:
            meta["Title"] = title
        with house_style(), mpl.rc_context({"svg.hashsalt": "intensity"}):
            fig.savefig(buf, format="svg", metadata=meta)
    else:
        raise ValueError(f"figure format must be pdf, png or svg, got {fmt!r}")
    atomic_write_bytes(p, buf.getvalue())
    return p


# --------------------------------------------------------------------------- layers
# One drawing of each element every time-series figure shares, each in a style of its
# own (colour-blind safe Okabe-Ito colours, told apart in greyscale by line style,
# marker or shading): the overview, the breaks and the anomalies figures are built from
# these, so a break or a surge looks the same in all of them.


def layer_daily(ax: Axes, s: pd.Series, *, label: str = "daily", lw: float = 0.35) -> None:
    """The daily values: a thin grey line."""
    ax.plot(s.index, s, color=PALETTE["grey"], lw=lw, label=label)


def layer_means(ax: Axes, s: pd.Series, windows: tuple[int, ...] = (7, 28)) -> None:
    """Centred rolling means: 7 days light blue, 28 days black."""
    styles = {7: (PALETTE["sky"], 0.7), 28: (PALETTE["black"], 1.0)}
    for w in windows:
        colour, lw = styles.get(w, (PALETTE["black"], 1.0))
        ax.plot(
            s.index,
            s.rolling(w, min_periods=max(1, w // 2), center=True).mean(),
            color=colour,
            lw=lw,
            label=f"{w}-day mean",
        )


def layer_breaks(
    ax: Axes, table: pd.DataFrame, *, n_all: int | None = None, ci: float = 0.95
) -> None:
    """Break dates as black dashed lines, their date intervals as grey bands (a faint
    band where the interval reaches dates a drift burst took in the simulated series,
    ``date_refound`` below *ci*: drone's 2022-03-19 band ran over 2.8 years at the
    same shade as a week's); with *n_all* (more breaks than drawn) the legend says how
    many there are."""
    n_all = len(table) if n_all is None else n_all
    line = (
        "break"
        if len(table) == n_all
        else f"largest {len(table)} of {n_all} breaks (all in the table)"
    )
    labelled: set[bool] = set()
    for j, (date, row) in enumerate(table.iterrows()):
        if pd.notna(row["ci_lower"]) and pd.notna(row["ci_upper"]):
            far = reaches_far_dates(row.get("date_refound"), ci)
            label = (
                f"{ci:.0%} interval reaching dates where drift outdid the break"
                if far
                else f"{ci:.0%} interval of a break date"
            )
            ax.axvspan(
                row["ci_lower"],
                row["ci_upper"] + pd.Timedelta(days=1),
                color=PALETTE["grey"],
                alpha=0.12 if far else 0.35,
                lw=0,
                label=None if far in labelled else label,
            )
            labelled.add(far)
        ax.axvline(
            pd.Timestamp(date),  # type: ignore[arg-type]
            color=PALETTE["black"],
            lw=0.6,
            ls="--",
            label=line if j == 0 else None,
        )


def layer_segments(ax: Axes, segments: pd.DataFrame, label: str, *, column: str = "level") -> None:
    """Segment levels as thick blue steps with their intervals as blue bands (one legend
    entry)."""
    for i, (_, seg) in enumerate(segments.iterrows()):
        span = pd.date_range(seg["start"], seg["end"], freq="D")
        ax.plot(
            span,
            np.full(len(span), seg[column]),
            color=PALETTE["blue"],
            lw=1.6,
            label=label if i == 0 else None,
        )
        if np.isfinite(seg["ci_lower"]) and np.isfinite(seg["ci_upper"]):
            ax.fill_between(
                span, seg["ci_lower"], seg["ci_upper"], color=PALETTE["blue"], alpha=0.25, lw=0
            )


def layer_drift(ax: Axes, drift: pd.DataFrame | None, label: str = "drift (local level)") -> None:
    """A break result's gradual drift: its path as a purple line with the pointwise band
    (nothing without a drift model)."""
    if drift is None:
        return
    idx = drift.index
    ax.fill_between(idx, drift["lower"], drift["upper"], color=PALETTE["purple"], alpha=0.2, lw=0)
    ax.plot(idx, drift["path"], color=PALETTE["purple"], lw=1.1, label=label)


def layer_episodes(ax: Axes, episodes: pd.DataFrame, *, alpha: float = 0.2) -> None:
    """Surges shaded orange, lulls bluish green and hatched (so the two differ in
    greyscale too; one legend entry each)."""
    for kind, colour, hatch in (
        ("surge", PALETTE["orange"], None),
        ("lull", PALETTE["green"], "////"),
    ):
        ep = episodes[episodes["kind"] == kind] if len(episodes) else episodes
        for j, (_, e) in enumerate(ep.iterrows()):
            ax.axvspan(
                e["start"],
                e["end"] + pd.Timedelta(days=1),
                facecolor=colour,
                edgecolor=colour if hatch else "none",
                hatch=hatch,
                alpha=alpha,
                lw=0,
                label=kind if j == 0 else None,
            )


def layer_spikes(ax: Axes, spikes: pd.DataFrame, *, size: float = 12) -> None:
    """Spike days as red upward triangles, dips as purple downward ones."""
    for kind, marker, colour in (("spike", "^", PALETTE["red"]), ("dip", "v", PALETTE["purple"])):
        d = spikes[spikes["kind"] == kind] if len(spikes) else spikes
        if len(d):
            ax.scatter(
                d.index, d["observed"], marker=marker, s=size, color=colour, zorder=3, label=kind
            )


def layer_artefacts(ax: Axes, artefacts: pd.DataFrame, s: pd.Series, expected: pd.Series) -> None:
    """Reporting artefacts as grey crosses (at the value, or at the expected value on a
    missing day)."""
    if not len(artefacts):
        return
    dates = pd.DatetimeIndex(artefacts["date"]).intersection(pd.DatetimeIndex(s.index))
    vals = s.reindex(dates).to_numpy()
    y = np.where(np.isnan(vals), expected.reindex(dates).to_numpy(), vals)
    ax.scatter(
        dates, y, marker="x", s=10, color=PALETTE["grey"], zorder=3, label="reporting artefact"
    )


# --------------------------------------------------------------------------- seasonality
def plot_decomposition(result: Decomposition, ax: Axes | None = None, **kw: Any) -> Figure:
    """Panels: observed with trend, one panel per seasonal component, remainder.

    With *ax* given, only the trend over the observed counts is drawn on it.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from intensity import simulate_counts
    >>> s = simulate_counts(400, seed=1, breaks=[(200, 1.5)]).counts
    >>> from intensity import decompose
    >>> from intensity.plotting import plot_decomposition
    >>> fig = plot_decomposition(decompose(s, periods=(7,)))
    >>> len(fig.axes) > 1
    True
    >>> plt.close(fig)
    """
    idx = result.observed.index
    name = result.observed.name or "series"
    with house_style():
        if ax is not None:
            fig, a, _ = _new_axes(ax)
            a.plot(idx, result.observed, color=PALETTE["grey"], lw=0.5, label="observed")
            a.plot(idx, result.trend_counts, color=PALETTE["blue"], lw=1.4, label="trend")
            _legend(a)
            return fig
        from matplotlib.figure import Figure

        k = result.seasonal.shape[1]
        fig = Figure(figsize=kw.pop("figsize", (7.2, 1.5 * (k + 2))))
        axes = fig.subplots(k + 2, 1, sharex=True)
        axes[0].plot(idx, result.observed, color=PALETTE["grey"], lw=0.5, label="observed")
        axes[0].plot(idx, result.trend_counts, color=PALETTE["blue"], lw=1.4, label="trend")
        axes[0].set_ylabel(metric_label(result.observed.name, result.unit))
        _legend(axes[0])
        axes[0].set_title(
            f"{result.method} decomposition of {name} "
            f"({_range_text(idx)}, {result.transform} scale)"
        )
        # the seasonal and remainder panels are on the transformed scale: say which
        unit = {"log1p": "log(1+y)", "sqrt": "sqrt(y)"}.get(result.transform, "y")
        for i, c in enumerate(result.seasonal.columns, start=1):
            axes[i].plot(idx, result.seasonal[c], color=PALETTE["orange"], lw=0.6)
            period = int(c.removeprefix("seasonal_"))
            axes[i].set_ylabel(f"{period}-{result.unit} cycle\n{unit}")
        axes[-1].plot(idx, result.remainder, color=PALETTE["black"], lw=0.4)
        axes[-1].axhline(0, color=PALETTE["grey"], lw=0.5)
        axes[-1].set_ylabel(f"remainder\n{unit}")
        _date_axis(axes[-1], idx)
        return _finish(fig, True, source_note())


def plot_seasonal_fit(result: SeasonalFit, ax: Axes | None = None, **kw: Any) -> Figure:
    """Observed counts against the fitted mean, its prediction band and the trend.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from intensity import simulate_counts
    >>> s = simulate_counts(400, seed=1, breaks=[(200, 1.5)]).counts
    >>> from intensity import fit_seasonal
    >>> from intensity.plotting import plot_seasonal_fit
    >>> fig = plot_seasonal_fit(fit_seasonal(s, annual=False))
    >>> type(fig).__name__
    'Figure'
    >>> plt.close(fig)
    """
    idx = result.observed.index
    name = result.observed.name or "series"
    with house_style():
        fig, a, created = _new_axes(ax, kw.pop("figsize", TWO_COLUMN))
        a.fill_between(
            idx,
            result.lower,
            result.upper,
            color=PALETTE["sky"],
            alpha=0.35,
            lw=0,
            label=f"{result.level:.0%} prediction interval",
        )
        a.plot(idx, result.observed, color=PALETTE["black"], lw=0.4, label="observed")
        a.plot(idx, result.fitted, color=PALETTE["blue"], lw=0.7, label="expected")
        a.plot(idx, result.trend, color=PALETTE["red"], lw=1.4, label="trend (deseasonalised)")
        a.set_ylabel(metric_label(result.observed.name))
        a.set_title(f"{name}: negative-binomial seasonal fit, {_range_text(idx)}")
        _legend(a)
        _date_axis(a, idx)
        return _finish(fig, created, source_note())


def plot_profile(result: SeasonalProfile, ax: Axes | None = None, **kw: Any) -> Figure:
    """Rate ratios with confidence intervals by weekday or month (1 = average).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from intensity import simulate_counts
    >>> s = simulate_counts(400, seed=1, breaks=[(200, 1.5)]).counts
    >>> from intensity import seasonal_profile
    >>> from intensity.plotting import plot_profile
    >>> fig, ax = plt.subplots()
    >>> plot_profile(seasonal_profile(s), ax=ax) is fig  # drawn on the axes given
    True
    >>> plt.close(fig)
    """
    t = result.table
    with house_style():
        fig, a, created = _new_axes(ax, kw.pop("figsize", ONE_COLUMN))
        x = np.arange(len(t))
        err = np.vstack([t["rate_ratio"] - t["ci_lower"], t["ci_upper"] - t["rate_ratio"]])
        a.errorbar(
            x,
            t["rate_ratio"],
            yerr=err,
            fmt="o",
            color=PALETTE["blue"],
            ms=3,
            capsize=2,
            label=f"rate ratio, {result.level:.0%} CI",
        )
        a.axhline(1.0, color=PALETTE["grey"], lw=0.8, ls="--")
        a.set_xticks(x, [str(i)[:3] for i in t.index])
        a.set_ylabel("rate ratio to average")
        a.set_title(f"{result.name}: {result.by} profile, {result.period}")
        _legend(a)
        return _finish(fig, created, source_note())


# --------------------------------------------------------------------------- breaks
def plot_breaks(result: Any, ax: Axes | None = None, **kw: Any) -> Figure:
    """Daily values, segment levels with their intervals, and each break date with its
    confidence interval as a band.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from intensity import simulate_counts
    >>> s = simulate_counts(400, seed=1, breaks=[(200, 1.5)]).counts
    >>> from intensity import detect_breaks
    >>> from intensity.plotting import plot_breaks
    >>> fig = plot_breaks(detect_breaks(s, n_boot=0))
    >>> type(fig).__name__
    'Figure'
    >>> plt.close(fig)
    """
    s = result.series
    idx = s.index
    with house_style():
        fig, a, created = _new_axes(ax, kw.pop("figsize", TWO_COLUMN))
        layer_daily(a, s, lw=0.4)
        layer_means(a, s, windows=(28,))
        if result.model == "linear_trend":
            a.plot(idx, result.level, color=PALETTE["blue"], lw=1.6, label="continuous trend")
        if result.model != "linear_trend":
            layer_segments(
                a,
                result.segments,
                "segment level (deseasonalised)" if result.seasonal_adjusted else "segment level",
            )
            layer_drift(a, getattr(result, "drift", None))
        layer_breaks(a, result.breaks, ci=result.ci)
        a.set_ylabel(metric_label(s.name, result.unit))
        a.set_title(
            f"{s.name or 'series'}: {len(result.breaks)} break(s) ({result.model}), "
            f"{_range_text(idx)}"
        )
        _legend(a)
        _date_axis(a, idx)
        return _finish(fig, created, source_note())


def plot_penalty_path(result: Any, ax: Axes | None = None, **kw: Any) -> Figure:
    """Unpenalised cost against number of breaks for every optimal segmentation (CROPS).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from intensity import simulate_counts
    >>> s = simulate_counts(400, seed=1, breaks=[(200, 1.5)]).counts
    >>> from intensity import penalty_path
    >>> from intensity.plotting import plot_penalty_path
    >>> fig = plot_penalty_path(penalty_path(s))
    >>> type(fig).__name__
    'Figure'
    >>> plt.close(fig)
    """
    t = result.table.sort_index()
    with house_style():
        fig, a, created = _new_axes(ax, kw.pop("figsize", ONE_COLUMN))
        a.plot(t.index, t["cost"], "o-", color=PALETTE["blue"], ms=3)
        pen = result.chosen_penalty
        used = t[(t["penalty_min"] <= pen) & (t["penalty_max"] >= pen)] if pen else t.iloc[:0]
        chosen = used.index[0] if len(used) else None
        if chosen is not None:  # the segmentation the breaks use (issue 26: not marked)
            a.plot(
                [chosen], [used.loc[chosen, "cost"]], "o", ms=7, mfc="none", color=PALETTE["red"]
            )
        last = t.index[-1] if len(t) else None
        # at most about eight labels: on a long path (a low penalty range, 15
        # segmentations on real personnel) neighbours' labels ran into each other on a
        # steep stretch; the used segmentation and the last are always labelled
        step = max(1, -(-len(t) // 8))  # ceil
        shown = [m for k, m in enumerate(t.index) if k % step == 0 or m in (chosen, last)]
        for k, (m, row) in enumerate(t.loc[shown].iterrows()):
            # above-right and below-left of the line in turn (neighbouring segmentations
            # have nearly the same cost, so labels on one side ran into each other); the
            # last one to the left of its point so it stays on the figure
            text = f"{row['penalty_min']:.0f}–{row['penalty_max']:.0f}"
            text += f" (used: {pen:.0f})" if m == chosen else ""
            right = (k % 2 == 0 and m != last) or not _room_left(a, t.index, m, text)
            a.annotate(
                text,
                (m, row["cost"]),
                textcoords="offset points",
                xytext=(3, 3) if right else (-3, -9),
                ha="left" if right else "right",
                fontsize=6,
                color=PALETTE["red"] if m == chosen else PALETTE["black"],
            )
        a.set_xlabel("number of breaks")
        a.set_ylabel("cost (−2 log-likelihood)")
        # whole costs, no offset: costs of 313,900-313,970 were labelled 20-70 with a
        # "+3.139e5" over the axis, which ran into the first label
        a.ticklabel_format(axis="y", style="plain", useOffset=False)
        a.set_title(f"{result.series_name}: penalty path, {result.period} (labels: penalty range)")
        return _finish(fig, created, source_note())


def _room_left(ax: Axes, xs: pd.Index, x: float, text: str) -> bool:
    """Whether a label of *text* (6 pt) fits left of the point at *x* on axes whose
    x-range is that of *xs* (matplotlib's 5% margins): real field artillery's
    "115–448 (used: 158)", below-left of the second of seven segmentations, ran into the
    y-axis label. A width of 0.6 em a character, a little above the house font's."""
    lo, hi = float(xs.min()), float(xs.max())
    frac = 0.05 + 0.9 * (x - lo) / (hi - lo) if hi > lo else 0.5
    width_in = float(ax.bbox.width) / float(ax.figure.dpi)
    return frac * width_in * 72.0 > 0.6 * 6.0 * len(text) + 3.0


# --------------------------------------------------------------------------- anomalies
def plot_anomalies(result: Any, ax: Axes | None = None, **kw: Any) -> Figure:
    """Observed counts against the baseline (line) and the single-day tests' band (around
    each day's local level: a day outside it is a spike or dip candidate); spikes and dips
    marked, surges and lulls shaded, reporting artefacts marked differently (grey
    crosses).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from intensity import simulate_counts
    >>> s = simulate_counts(400, seed=1, breaks=[(200, 1.5)]).counts
    >>> from intensity import detect_anomalies
    >>> from intensity.plotting import plot_anomalies
    >>> fig = plot_anomalies(detect_anomalies(s, n_sim=19))
    >>> type(fig).__name__
    'Figure'
    >>> plt.close(fig)
    """
    s = result.series
    idx = s.index
    b = result.baseline
    with house_style():
        fig, a, created = _new_axes(ax, kw.pop("figsize", TWO_COLUMN))
        a.fill_between(
            idx,
            b["lower"],
            b["upper"],
            color=PALETTE["sky"],
            alpha=0.35,
            lw=0,
            label=f"day tests {1 - result.alpha:.0%} band (local level)",
        )
        kind = getattr(result, "baseline_kind", "")
        a.plot(
            idx,
            b["expected"],
            color=PALETTE["blue"],
            lw=0.8,
            label=f"baseline ({kind})" if kind else "baseline",
        )
        a.plot(idx, s, color=PALETTE["black"], lw=0.4, label="observed")
        layer_episodes(a, result.episodes, alpha=0.25)
        layer_spikes(a, result.spikes, size=14)
        layer_artefacts(a, result.artefacts, s, b["expected"])
        a.set_ylabel(metric_label(s.name))
        a.set_title(
            f"{s.name or 'series'}: anomalies against the {kind or 'seasonal'} baseline, "
            f"{_range_text(idx)}"
        )
        _legend(a)
        _date_axis(a, idx)
        return _finish(fig, created, source_note())


def _season_axis(ax: Axes, first: str, last_day: int) -> None:
    """Ticks at the first of each month of a season starting on *first* ("MM-DD"), labelled
    with the date ("1 Dec"), instead of day numbers (issue 26)."""
    start = pd.Timestamp(f"2001-{first}")  # a year without 29 February
    days = pd.date_range(start, start + pd.Timedelta(days=last_day), freq="D")
    firsts = [(d - start).days for d in days if d.day == 1]
    if start.day != 1:
        firsts = [0, *firsts]
    ax.set_xticks(firsts)
    ax.set_xticklabels(
        [
            f"{(start + pd.Timedelta(days=k)).day} {(start + pd.Timedelta(days=k)):%b}"
            for k in firsts
        ]
    )


def plot_seasonal_excess(result: Any, ax: Axes | None = None, **kw: Any) -> Figure:
    """The seasonal plot: every season's 7-day mean by day of season (solid; weekly or
    monthly counts as they are, at their period's place in the season) with its two
    baselines in the same colour: the level of the fighting around it (dashed) and that
    level times the other seasons' typical excess over theirs (dotted). Each season's
    legend entry gives both excesses with their intervals."""
    from ._validation import PERIODS_PER_YEAR

    c = result.curves
    t = result.table
    labels = list(t.index)
    daily = result.unit == "day"
    with house_style():
        fig, a, created = _new_axes(ax, kw.pop("figsize", TWO_COLUMN))
        x = c.index.to_numpy()
        if not daily:  # the period's first day, counted from the season's first
            x = (x - 1) * (365.25 / PERIODS_PER_YEAR[result.unit]) + 1
        colours = [PALETTE[k] for k in ("blue", "orange", "green", "red", "purple", "sky")]

        def smooth(v: pd.Series) -> pd.Series:
            return v.rolling(7, min_periods=4, center=True).mean() if daily else v

        for i, lab in enumerate(labels):
            col = colours[i % len(colours)]
            a.plot(
                x,
                smooth(c[(lab, "observed")]),
                color=col,
                lw=1.2,
                label=_excess_label(lab, t.loc[lab]),
            )
            a.plot(x, smooth(c[(lab, "expected_level")]), color=col, lw=0.8, ls="--")
            a.plot(x, smooth(c[(lab, "expected_seasonal")]), color=col, lw=0.8, ls=":")
        seen = "observed (7-day mean)" if daily else f"observed ({result.unit}ly)"
        a.plot([], [], color=PALETTE["black"], lw=1.2, label=seen)
        a.plot([], [], color=PALETTE["black"], lw=0.8, ls="--", label="level around it")
        a.plot([], [], color=PALETTE["black"], lw=0.8, ls=":", label="× other seasons' excess")
        first, last = result.season
        _season_axis(a, first, int(x.max()) if len(x) else 0)
        a.set_xlabel(f"date in the season ({first} … {last})")
        a.set_ylabel(metric_label(result.name))
        a.set_title(
            f"{result.name}: each season against its two baselines "
            f"(excess over the level / over the other seasons, {result.level:.0%} intervals)"
        )
        _legend(a, fontsize=6)
        return _finish(fig, created, source_note())


def _excess_label(label: str, r: pd.Series) -> str:
    """'2024/25: +13% [2, 25] / +18% [-5, 48]' (a part not computed reads '–')."""
    from ._results import excess_text

    return f"{label}: {excess_text(r, 'level')} / {excess_text(r, 'seasonal')}"


def plot_day_change(result: Any, ax: Axes | None = None, **kw: Any) -> Figure:
    """The two days against their expected values.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from intensity import simulate_counts
    >>> s = simulate_counts(400, seed=1, breaks=[(200, 1.5)]).counts
    >>> from intensity import day_change
    >>> from intensity.plotting import plot_day_change
    >>> fig = plot_day_change(day_change(s, "2022-12-14"))
    >>> type(fig).__name__
    'Figure'
    >>> plt.close(fig)
    """
    with house_style():
        fig, a, created = _new_axes(ax, kw.pop("figsize", ONE_COLUMN))
        x = np.arange(2)
        a.bar(
            x - 0.18,
            [result.previous, result.value],
            width=0.36,
            color=PALETTE["blue"],
            label="observed",
        )
        a.bar(
            x + 0.18,
            [result.expected_previous, result.expected],
            width=0.36,
            color=PALETTE["sky"],
            label="expected",
        )
        prev = result.date - pd.Timedelta(days=1)
        a.set_xticks(x, [f"{prev:%Y-%m-%d}", f"{result.date:%Y-%m-%d}"])
        a.set_title(f"{result.name}: change {result.change:+g} (p = {result.p_value:.2g})")
        _legend(a)
        return _finish(fig, created, source_note())


def plot_event_effect(result: Any, ax: Axes | None = None, **kw: Any) -> Figure:
    """The series over the windows of each named date, the fitted expectation (weekday
    pattern, trend and the step) and the date, labelled with its ratio and interval."""
    with house_style():
        fig, a, created = _new_axes(ax, kw.pop("figsize", ONE_COLUMN))
        t = result.table
        lo, hi = t["window_start"].min(), t["window_end"].max()
        s = result.series.loc[lo:hi]
        layer_daily(a, s)
        fitted = result.fitted.loc[lo:hi]
        a.plot(fitted.index, fitted, color=PALETTE["orange"], lw=1.0, label="fitted")
        for d, r in t.iterrows():
            a.axvline(d, color=PALETTE["black"], lw=0.8, ls="--")
            a.annotate(
                f"×{r['ratio']:.2f} [{r['lower']:.2f}, {r['upper']:.2f}]",
                (d, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, -3),
                textcoords="offset points",
                va="top",
                fontsize=6,
            )
        a.set_ylabel(metric_label(result.series.name))
        a.set_title(f"{result.series.name}: rate after / before the date(s)")
        _legend(a, fontsize=6)
        return _finish(fig, created, source_note())


# --------------------------------------------------------------------------- overview
def plot_overview(
    series: pd.Series,
    ax: Axes | None = None,
    *,
    breaks: Any = None,
    anomalies: Any = None,
    trend: pd.Series | None = None,
    source: str | None = None,
    winters: Any = None,
    major_breaks: int = 8,
    **kw: Any,
) -> Figure:
    """Daily counts with 7- and 28-day means, the trend, breaks with their date intervals
    as bands, surges and lulls shaded (against the baseline the legend names), spikes
    marked, reporting artefacts marked apart; with *winters* (a
    :class:`~intensity.SeasonalExcess`), each season as a bar along the bottom with its
    excess over the level around it and over the other seasons (in a strip above the
    plot when the function makes the figure, so no label sits on the data; along the
    bottom of a given *ax*). Only the *major_breaks*
    largest breaks (by cost reduction) are drawn; the legend says how many there are and
    the breaks table has them all.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from intensity import simulate_counts
    >>> s = simulate_counts(400, seed=1, breaks=[(200, 1.5)]).counts
    >>> from intensity import detect_breaks
    >>> from intensity.plotting import plot_overview
    >>> fig = plot_overview(s, breaks=detect_breaks(s, n_boot=0))
    >>> type(fig).__name__
    'Figure'
    >>> plt.close(fig)
    """
    s = series
    idx = s.index
    with house_style():
        fig, a, strip, created = _overview_axes(ax, kw.pop("figsize", TWO_COLUMN), winters)
        layer_daily(a, s)
        layer_means(a, s)
        if trend is not None:
            a.plot(trend.index, trend, color=PALETTE["blue"], lw=1.4, ls="-", label="trend")
        if breaks is not None:
            layer_breaks(a, _major_breaks(breaks.breaks, major_breaks), n_all=len(breaks.breaks))
        if anomalies is not None:
            layer_episodes(a, anomalies.episodes, alpha=0.15)
            layer_spikes(a, anomalies.spikes, size=10)
            layer_artefacts(a, anomalies.artefacts, s, anomalies.baseline["expected"])
        if winters is not None:
            _season_bars(a, winters, strip)
        a.set_ylabel(metric_label(s.name))
        # the title above the season strip when there is one
        (strip or a).set_title(f"{s.name or 'series'} per day, {_range_text(idx)}")
        _legend(a)
        _date_axis(a, idx)
        return _finish(fig, created, source or source_note())


def _season_bars(a: Axes, winters: Any, strip: Axes | None = None) -> None:
    """Each season as a bar with its two excesses: in *strip* (a thin axes above *a*,
    sharing its dates) when given, else along the bottom of *a*."""
    target = a if strip is None else strip
    trans = target.get_xaxis_transform()
    y_bar, y_text = (0.15, 0.3) if strip is not None else (0.03, 0.05)
    for label, r in winters.table.iterrows():
        target.plot(
            [r["start"], r["end"] + pd.Timedelta(days=1)],
            [y_bar, y_bar],
            transform=trans,
            color=PALETTE["purple"],
            lw=2.0,
            solid_capstyle="butt",
        )
        mid = r["start"] + (r["end"] - r["start"]) / 2
        sep = ": " if strip is not None else "\n"
        target.text(
            mid,
            y_text,
            f"{label}{sep}{excess_short(r, 'level')} / {excess_short(r, 'seasonal')}",
            transform=trans,
            ha="center",
            va="bottom",
            fontsize=5.5,
            color=PALETTE["purple"],
        )
    first, last = winters.season
    a.plot(
        [],
        [],
        color=PALETTE["purple"],
        lw=2.0,
        label=f"season {first}…{last}: % over level / others",
    )


def _overview_axes(
    ax: Axes | None, figsize: tuple[float, float], winters: Any
) -> tuple[Figure, Axes, Axes | None, bool]:
    """The overview's axes; with *winters* on a figure made here, a thin strip above the
    plot for the season bars (so no label sits on the data)."""
    if ax is not None or winters is None:
        fig, a, created = _new_axes(ax, figsize)
        return fig, a, None, created
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    strip_in = 0.22  # inches: a bar and one line of 5.5-point text
    gs = fig.add_gridspec(2, 1, height_ratios=[strip_in, figsize[1] - strip_in], hspace=0.0)
    strip = fig.add_subplot(gs[0])
    a = fig.add_subplot(gs[1])
    strip.sharex(a)
    strip.axis("off")
    strip.set_ylim(0, 1)
    return fig, a, strip, True


def _major_breaks(table: pd.DataFrame, k: int) -> pd.DataFrame:
    """The *k* breaks with the largest cost reduction, in date order."""
    if len(table) <= k or "cost_reduction" not in table:
        return table
    return table.loc[table["cost_reduction"].nlargest(k).index].sort_index()


# --------------------------------------------------------------------------- directions
def _table_period(t: pd.DataFrame) -> str:
    d = pd.to_datetime(t["date"])
    return f"{d.min():%Y-%m-%d} – {d.max():%Y-%m-%d}" if len(d) else "no data"


def plot_direction_heatmap(
    table: pd.DataFrame, ax: Axes | None = None, *, source: str | None = None, **kw: Any
) -> Figure:
    """Direction × week heatmap of attacks (from :func:`intensity.direction_counts`; complete
    days only; a shared total of paired directions is counted for each).

    Examples
    --------
    >>> import matplotlib.pyplot as plt, pandas as pd
    >>> from intensity.plotting import plot_direction_heatmap
    >>> days = pd.date_range("2024-12-01", periods=21).repeat(2)
    >>> table = pd.DataFrame({"date": days, "direction": ["pokrovsk", "kursk"] * 21,
    ...                       "attacks": range(42), "complete": True})
    >>> fig = plot_direction_heatmap(table)
    >>> type(fig).__name__
    'Figure'
    >>> plt.close(fig)
    """
    t = table[table["complete"]].copy() if "complete" in table else table.copy()
    t["direction"] = t["direction"].fillna(t.get("name"))
    t["week"] = pd.to_datetime(t["date"]).dt.to_period("W-SUN").dt.start_time
    piv = t.pivot_table(
        index="direction", columns="week", values="attacks", aggfunc="sum", fill_value=0
    )
    piv = piv.loc[piv.sum(axis=1).sort_values(ascending=False).index]
    with house_style():
        fig, a, created = _new_axes(ax, kw.pop("figsize", TWO_COLUMN))
        im = a.imshow(
            piv.to_numpy(dtype=float), aspect="auto", cmap="viridis", interpolation="nearest"
        )
        a.set_yticks(np.arange(len(piv.index)), [str(i) for i in piv.index])
        step = max(1, len(piv.columns) // 8)
        a.set_xticks(
            np.arange(0, len(piv.columns), step),
            [f"{c:%Y-%m-%d}" for c in piv.columns[::step]],
            rotation=45,
            ha="right",
        )
        a.grid(False)
        fig.colorbar(im, ax=a, label="attacks per week")
        a.set_title(f"Attacks by direction and week, {_table_period(t)}")
        return _finish(fig, created, source or source_note())


def plot_direction_shares(
    table: pd.DataFrame, ax: Axes | None = None, *, source: str | None = None, **kw: Any
) -> Figure:
    """Share of each direction in the weekly attacks (stacked areas).

    Examples
    --------
    >>> import matplotlib.pyplot as plt, pandas as pd
    >>> from intensity.plotting import plot_direction_shares
    >>> days = pd.date_range("2024-12-01", periods=21).repeat(2)
    >>> table = pd.DataFrame({"date": days, "direction": ["pokrovsk", "kursk"] * 21,
    ...                       "attacks": range(42), "complete": True})
    >>> fig = plot_direction_shares(table)
    >>> type(fig).__name__
    'Figure'
    >>> plt.close(fig)
    """
    t = table[table["complete"]].copy() if "complete" in table else table.copy()
    t["direction"] = t["direction"].fillna(t.get("name"))
    t["week"] = pd.to_datetime(t["date"]).dt.to_period("W-SUN").dt.start_time
    piv = t.pivot_table(
        index="week", columns="direction", values="attacks", aggfunc="sum", fill_value=0
    )
    shares = piv.div(piv.sum(axis=1).replace(0, np.nan), axis=0).fillna(0)
    with house_style():
        fig, a, created = _new_axes(ax, kw.pop("figsize", TWO_COLUMN))
        a.stackplot(
            shares.index, shares.T.to_numpy(), labels=[str(c) for c in shares.columns], alpha=0.9
        )
        a.set_ylim(0, 1)
        a.set_ylabel("share of weekly attacks")
        a.set_title(f"Direction shares of the weekly attacks, {_table_period(t)}")
        _legend(a, fontsize=5)
        return _finish(fig, created, source or source_note())


def _plain_log_labels(ax: Axes) -> None:
    """Log-axis tick labels as plain numbers at 1, 2 and 5 times a power of ten ("0.5",
    "2"), not powers of ten ("2x10^0") on every minor tick."""
    from matplotlib.ticker import FuncFormatter

    def label(v: float, _pos: int) -> str:
        if v <= 0:
            return ""
        lead = v / 10 ** np.floor(np.log10(v))
        return f"{v:g}" if min(abs(lead - k) for k in (1, 2, 5)) < 1e-6 else ""

    ax.yaxis.set_major_formatter(FuncFormatter(label))
    ax.yaxis.set_minor_formatter(FuncFormatter(label))


def plot_metrics(
    frame: pd.DataFrame,
    metrics: list[str] | None = None,
    ax: Axes | None = None,
    *,
    source: str | None = None,
    **kw: Any,
) -> Figure:
    """Several metrics side by side on a common scale: each 28-day mean divided by the
    metric's median 28-day mean (1 = its typical level), on a log axis, so that the
    first weeks of the war (ten times any later level for some metrics) do not flatten
    the rest.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from intensity.simulate import simulate_metrics
    >>> from intensity.plotting import plot_metrics
    >>> fig = plot_metrics(simulate_metrics(400, {"personnel": 1000, "tank": 8}, seed=2))
    >>> type(fig).__name__
    'Figure'
    >>> plt.close(fig)
    """
    cols = metrics or [c for c in frame.columns if frame[c].notna().sum() > 28]
    with house_style():
        fig, a, created = _new_axes(ax, kw.pop("figsize", TWO_COLUMN))
        for c in cols:
            s = frame[c]
            m = s.rolling(28, min_periods=14, center=True).mean()
            a.plot(m.index, (m / _typical(m)).where(m > 0), lw=1.0, label=str(c))
        a.axhline(1.0, color=PALETTE["grey"], lw=0.6, ls="--")
        a.set_yscale("log")
        _plain_log_labels(a)
        a.set_ylabel("28-day mean / its median (log scale)")
        a.set_title(f"{len(cols)} metrics on a common scale, {_range_text(frame.index)}")
        _legend(a)
        _date_axis(a, frame.index)
        return _finish(fig, created, source or source_note())


# --------------------------------------------------------------------------- several metrics
def _typical(m: pd.Series) -> float:
    """A metric's typical level: the median of its positive 28-day means."""
    pos = m[m > 0]
    return float(pos.median()) if len(pos) else float("nan")


def plot_common_breaks(result: Any, ax: Axes | None = None, **kw: Any) -> Figure:
    """Breaks common to several metrics on one axes: each metric's 28-day mean (thin) and
    segment levels (thick, same colour) over its typical level on a log axis; common
    breaks as black dashed lines with their date intervals as grey bands, breaks that
    moved fewer metrics as dotted grey lines.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from intensity import detect_breaks
    >>> from intensity.simulate import simulate_metrics
    >>> from intensity.plotting import plot_common_breaks
    >>> frame = simulate_metrics(400, {"personnel": 1000, "tank": 8}, seed=2)
    >>> fig = plot_common_breaks(detect_breaks(frame, n_boot=0))
    >>> type(fig).__name__
    'Figure'
    >>> plt.close(fig)
    """
    frame = result.frame
    with house_style():
        fig, a, created = _new_axes(ax, kw.pop("figsize", TWO_COLUMN))
        colours = [PALETTE[c] for c in ("blue", "orange", "green", "red", "purple", "sky")]
        for i, col in enumerate(frame.columns):
            colour = colours[i % len(colours)]
            m = frame[col].rolling(28, min_periods=14, center=True).mean()
            typical = _typical(m)
            a.plot(m.index, (m / typical).where(m > 0), color=colour, lw=0.5, alpha=0.7)
            lev = result.level[col] / typical
            a.plot(lev.index, lev.where(lev > 0), color=colour, lw=1.6, label=str(col))
        common = result.common
        layer_breaks(a, common, ci=result.ci)
        other = result.breaks[~result.breaks["common"].astype(bool)]
        for j, date in enumerate(other.index):
            a.axvline(
                pd.Timestamp(date),  # type: ignore[arg-type]
                color=PALETTE["grey"],
                lw=0.8,
                ls=":",
                label=f"break moving < {result.min_share:.0%} of the metrics" if j == 0 else None,
            )
        a.set_yscale("log")
        a.set_ylabel("level / typical 28-day mean (log scale)")
        a.set_title(
            f"Breaks common to {len(frame.columns)} metrics: {len(common)} common of "
            f"{len(result.breaks)}, {_range_text(frame.index)}"
        )
        _legend(a)
        _date_axis(a, frame.index)
        return _finish(fig, created, source_note())


def plot_lead_lag(result: Any, ax: Axes | None = None, **kw: Any) -> Figure:
    """Cross-correlation of two prewhitened series by lag with its simultaneous band
    (correlations outside it are significant with every lag tested) and the pointwise
    95% band, the best lag marked.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from intensity import lead_lag
    >>> from intensity.simulate import simulate_metrics
    >>> from intensity.plotting import plot_lead_lag
    >>> frame = simulate_metrics(400, {"personnel": 1000, "tank": 8}, seed=2)
    >>> fig = plot_lead_lag(lead_lag(frame["personnel"], frame["tank"]))
    >>> type(fig).__name__
    'Figure'
    >>> plt.close(fig)
    """
    t = result.table
    with house_style():
        fig, a, created = _new_axes(ax, kw.pop("figsize", ONE_COLUMN))
        a.vlines(t.index, 0, t["ccf"], color=PALETTE["blue"], lw=1.2)
        a.plot(t.index, t["ccf"], "o", color=PALETTE["blue"], ms=2.5, label="cross-correlation")
        a.axhspan(
            -result.band,
            result.band,
            color=PALETTE["grey"],
            alpha=0.25,
            lw=0,
            label=f"simultaneous {result.level:.0%} band (all {len(t)} lags)",
        )
        a.axhline(0, color=PALETTE["black"], lw=0.5)
        best = result.best_lag
        # the highest correlation is a finding only outside the simultaneous band
        verdict = "" if result.significant else ", not significant"
        a.plot(
            [best],
            [t.loc[best, "ccf"]],
            "D",
            color=PALETTE["red"],
            mfc=PALETTE["red"] if result.significant else "none",
            ms=4,
            label=f"highest: lag {best:+d}{verdict}",
        )
        a.set_xlabel(f"lag in days (positive: {result.b_name} follows {result.a_name})")
        a.set_ylabel("correlation (prewhitened)")
        a.set_title(f"{result.a_name} and {result.b_name}: lead and lag, {result.period}")
        _legend(a)
        return _finish(fig, created, source_note())


def plot_ratio(result: Any, ax: Axes | None = None, **kw: Any) -> Figure:
    """The daily ratio (grey), its 28-day ratio of sums (black), the segment levels
    (geometric-mean ratio) with their intervals and the breaks with their date
    intervals.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from intensity import ratio
    >>> from intensity.simulate import simulate_metrics
    >>> from intensity.plotting import plot_ratio
    >>> frame = simulate_metrics(400, {"personnel": 1000, "tank": 8}, seed=2)
    >>> fig = plot_ratio(ratio(frame["personnel"], frame["tank"], n_boot=0))
    >>> type(fig).__name__
    'Figure'
    >>> plt.close(fig)
    """
    r = result.series
    with house_style():
        fig, a, created = _new_axes(ax, kw.pop("figsize", TWO_COLUMN))
        layer_daily(a, r, label="daily ratio", lw=0.35)
        a.plot(
            result.smooth.index,
            result.smooth,
            color=PALETTE["black"],
            lw=1.0,
            label="28-day ratio of sums",
        )
        layer_segments(a, result.segments, "segment ratio (geometric mean)", column="ratio")
        layer_breaks(a, result.breaks.breaks, ci=result.breaks.ci)
        hi = float(np.nanquantile(r, 0.99)) if r.notna().any() else 1.0
        a.set_ylim(0, hi * 1.15)
        a.set_ylabel(f"{result.a_name} per {result.b_name}")
        a.set_title(f"{result.name}: {len(result.breaks.breaks)} break(s), {_range_text(r.index)}")
        _legend(a)
        _date_axis(a, r.index)
        return _finish(fig, created, source_note())


# --------------------------------------------------------------------------- reconstruction
def plot_reconstruction(result: Any, ax: Axes | None = None, **kw: Any) -> Figure:
    """A reconstructed daily series (:func:`intensity.reconstruct_daily`): the smooth level
    (the count without its day-to-day noise) with the prediction band of a day without a
    figure of its own, the reported days as
    dots, days known only from partial figures as open circles, and each period figure
    as a bar at its mean per day over its days. Log scale: the count grew tenfold.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, numpy as np, pandas as pd
    >>> from intensity import reconstruct_daily
    >>> from intensity.plotting import plot_reconstruction
    >>> s = pd.Series(np.nan, index=pd.date_range("2025-01-01", periods=90))
    >>> s.iloc[::6] = 150 + 20 * np.sin(np.arange(15))
    >>> fig = plot_reconstruction(reconstruct_daily(s))
    >>> type(fig).__name__
    'Figure'
    >>> plt.close(fig)
    """
    from scipy.stats import norm

    with house_style():
        fig, a, created = _new_axes(ax, kw.pop("figsize", TWO_COLUMN))
        d = result.days
        # the interval of a day without a figure of its own: the level's uncertainty and
        # the day-to-day noise
        zq = float(norm.ppf(0.5 + result.level / 2))
        spread = np.sqrt(d["level_sd_log"] ** 2 + float(result.params["sigma_day"]) ** 2)
        a.fill_between(
            d.index,
            d["level"] * np.exp(-zq * spread),
            d["level"] * np.exp(zq * spread),
            color=PALETTE["sky"],
            alpha=0.3,
            lw=0,
            label=f"{result.level:.0%} interval of a day without a figure",
        )
        a.plot(d.index, d["level"], color=PALETTE["blue"], lw=0.8, label="reconstructed level")
        rep = d[d["source"] == "reported"]
        a.plot(
            rep.index,
            rep["estimate"],
            "o",
            color=PALETTE["black"],
            ms=2.2,
            label=f"reported whole day ({len(rep)})",
        )
        part = d[d["source"].isin(("partial", "floor"))]
        if len(part):
            a.plot(
                part.index,
                part["estimate"],
                "o",
                mfc="none",
                color=PALETTE["black"],
                ms=2.6,
                mew=0.5,
                label=f"partial or 'more than' figure ({len(part)})",
            )
        ev = result.evidence
        per = ev[ev["stat"].isin(("total", "mean_per_day"))]
        for j, (_, r) in enumerate(per.iterrows()):
            ndays = (r["end"] - r["start"]).days + 1
            mean = r["value"] / ndays if r["stat"] == "total" else r["value"]
            a.plot(
                [r["start"], r["end"] + pd.Timedelta(days=1)],
                [mean, mean],
                color=PALETTE["red"],
                lw=1.6,
                solid_capstyle="butt",
                label=f"period figure, mean per day ({len(per)})" if j == 0 else None,
            )
        a.set_yscale("log")
        a.set_ylabel(metric_label(result.name))
        _date_axis(a, d.index)
        a.set_title(f"{result.name}: reconstructed daily series")
        _legend(a, fontsize=6)
        return _finish(fig, created, source_note())
