"""The runner: every section of every metric, each step isolated, written as one page set
per metric (figures, ``<metric>_report.pdf``, tables), the joint page set, and
``summary.csv``; published into the output folder only when the whole run is done."""

from __future__ import annotations

import math
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..exceptions import ParameterError
from .anomalies import AnomaliesSection
from .base import Fact, MetricContext, Options, Section, Steps
from .breaks import BreaksSection
from .engagements import EngagementsSection
from .files import _csv, _new_staging, file_stems, publish, write_report, write_tables
from .inputs import _check_report_options, _date_window, _provenance
from .joint import JointSection, joint_metrics
from .methods import methods_facts
from .pages import _text_pages, section_pages
from .quality import QualitySection
from .reconstruction import ReconstructionSection
from .seasonality import SeasonalitySection
from .winter import WinterSection

SIMULATED_NOTE = (
    "SIMULATED DATA (intensity demo): not real counts; made by intensity.simulate_counts "
    "with known seasonality, breaks, spikes and a surge"
)


#: the questions of a metric's report, in page order (a new question is a new module
#: with a :class:`~intensity.report.base.Section`, added here)
SECTIONS: tuple[Section, ...] = (
    QualitySection(),
    EngagementsSection(),
    SeasonalitySection(),
    BreaksSection(),
    WinterSection(),
    AnomaliesSection(),
    ReconstructionSection(),
)

#: the columns of summary.csv, in this order (a section's new columns follow them)
SUMMARY_COLUMNS = (
    "metric",
    "first",
    "last",
    "days",
    "weekly_p",
    "annual_p",
    "dispersion",
    "breaks",
    "spike_days",
    "episodes",
    "files",
    "status",
    "not_done",
    "model",
    "version",
    "inputs",
)


@dataclass(frozen=True)
class ReportResult:
    """What :func:`run_report` wrote and the key numbers per metric.

    Examples
    --------
    >>> import tempfile
    >>> from intensity import simulate_counts
    >>> from intensity.report import run_report
    >>> res = run_report(simulate_counts(400, seed=1).counts.rename("attacks"),
    ...                  tempfile.mkdtemp(), n_boot=19, n_sim=19)
    >>> type(res).__name__, res.summary.index.tolist()
    ('ReportResult', ['attacks'])
    """

    out_dir: Path
    files: list[Path] = field(default_factory=list)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    seconds: float = 0.0


def run_report(
    data: pd.DataFrame | pd.Series,
    out_dir: str | os.PathLike[str] = "report",
    metrics: Sequence[str] | None = None,
    *,
    simulated: bool = False,
    source: str | None = None,
    n_boot: int = 299,
    n_sim: int = 199,
    progress: Callable[[str], None] | None = None,
    model: str = "auto",
    penalty: str | float = "mbic",
    seed: int = 0,
    start: Any = None,
    end: Any = None,
    formats: Sequence[str] = ("pdf",),
    dpi: int = 200,
    inputs: Sequence[str | os.PathLike[str]] = (),
) -> ReportResult:
    """Run the whole analysis on each metric and write figures, report PDF and tables.

    Parameters
    ----------
    data
        Daily counts (DataFrame of metrics or one Series).
    out_dir
        Output folder (created). Per metric: ``<metric>_*.pdf`` figures,
        ``<metric>_report.pdf`` and ``<metric>_*.csv`` tables.
    metrics
        Columns to analyse (default: all with a year of observed days, or weeks or
        months for such counts; the others get a ``not analysed`` row in the summary).
    simulated
        Say on every page that the data are simulated.
    source
        Caption naming the data source. Default: the caption :func:`load_input` found
        for the data (``attrs['caption']``: the General Staff for its loss tables and
        report figures, the file's name and "not stated" for any other file), else the
        General Staff note.
    n_boot, n_sim
        Bootstrap replications for break intervals and simulations for anomaly episodes.
    progress
        Called with a line of text per step.
    model, penalty
        The break model and penalty of :func:`~intensity.detect_breaks` (``'auto'``:
        negative binomial for counts; ``'linear_trend'`` also writes the knots table
        ``<metric>_knots.csv``).
    seed
        Seed of the bootstrap and the anomaly simulations (same seed, same files).
    start, end
        Analyse only these dates (inclusive; day-first strings such as "01.12.2024" are
        read as the 1st of December).
    formats
        Figure formats among ``'pdf'``, ``'png'``, ``'svg'`` (the report itself is a PDF).
    dpi
        Resolution of PNG figures.
    inputs
        The input files; their names and SHA-256 go into the summary page and
        ``summary.csv``.

    Returns
    -------
    ReportResult
        ``summary`` has one row per metric with ``status`` (``complete``, ``partial`` or
        ``not analysed``) and ``not_done`` (each step that failed, with the package's
        reason). A step that fails does not stop the others or the other metrics.

    The files are written as one set: into a staging folder inside *out_dir*, moved into
    place only when the whole analysis has run, with ``manifest.json`` (every file and its
    SHA-256) written last. An interrupted run leaves *out_dir* as it was; files that the
    previous run listed in its manifest and this run did not write are removed, so the
    folder never mixes two analyses.

    Examples
    --------
    >>> import tempfile
    >>> from intensity import simulate_counts
    >>> from intensity.report import run_report
    >>> s = simulate_counts(400, seed=1).counts.rename("attacks")
    >>> res = run_report(s, tempfile.mkdtemp(), n_boot=19, n_sim=19)
    >>> sorted(f.name for f in res.files)[:3]
    ['attacks_anomalies.pdf', 'attacks_artefacts.csv', 'attacks_baseline.csv']
    >>> int(res.summary.loc["attacks", "days"])
    400
    """
    final = Path(out_dir)
    final.mkdir(parents=True, exist_ok=True)
    staging = _new_staging(final)
    try:
        res = _analyse(
            data,
            staging,
            metrics,
            simulated=simulated,
            source=source,
            n_boot=n_boot,
            n_sim=n_sim,
            progress=progress,
            model=model,
            penalty=penalty,
            seed=seed,
            start=start,
            end=end,
            formats=formats,
            dpi=dpi,
            inputs=inputs,
        )
        files = publish(staging, final, res.files)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ReportResult(out_dir=final, files=files, summary=res.summary, seconds=res.seconds)


def _analyse(
    data: pd.DataFrame | pd.Series,
    out_dir: str | os.PathLike[str],
    metrics: Sequence[str] | None = None,
    *,
    simulated: bool = False,
    source: str | None = None,
    n_boot: int = 299,
    n_sim: int = 199,
    progress: Callable[[str], None] | None = None,
    model: str = "auto",
    penalty: str | float = "mbic",
    seed: int = 0,
    start: Any = None,
    end: Any = None,
    formats: Sequence[str] = ("pdf",),
    dpi: int = 200,
    inputs: Sequence[str | os.PathLike[str]] = (),
) -> ReportResult:
    """:func:`run_report`'s analysis, writing into *out_dir* (the staging folder)."""
    from .. import plotting as pl

    t0 = time.perf_counter()
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    fmts = _check_report_options(model, penalty, formats, dpi, seed)
    frame = _date_window(frame, start, end)
    version, hashes = _provenance(inputs)
    cols, short = _choose_metrics(frame, metrics)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stems = file_stems([*cols, *short])
    say = progress or (lambda _m: None)
    note = SIMULATED_NOTE if simulated else (source or _caption_of(data))
    options = Options(model, penalty, n_boot, n_sim, seed, fmts, dpi)
    provenance = {
        "version": version,
        "inputs": "; ".join(f"{name} sha256:{digest}" for name, digest in hashes),
    }
    files: list[Path] = []
    rows: list[dict[str, Any]] = []
    alone: dict[str, int] = {}  # each metric's breaks in its own report
    for metric in cols:
        ctx = _metric_context(frame, metric, cols, options, say, (version, hashes), stems[metric])
        with pl.source_label(note):
            files += _metric_report(ctx, out, note)
        rows.append(_ordered({**_metric_row(ctx), **provenance}))
        if ctx.get("breaks") is not None:
            alone[metric] = len(ctx.get("breaks").breaks)
    rows += [{**_short_row(frame, m), **provenance} for m in short]
    joint_cols = joint_metrics(frame, cols, bool(metrics))
    if len(joint_cols) >= 2:
        joint_files, row = _joint_report(frame[joint_cols], out, options, note, say, alone)
        files += joint_files
        rows.append({**row, **provenance})
    summary = pd.DataFrame(rows).set_index("metric")
    files.append(_csv(summary, out / "summary.csv"))
    return ReportResult(out_dir=out, files=files, summary=summary, seconds=time.perf_counter() - t0)


def _caption_of(data: Any) -> str:
    """The source caption :func:`load_input` put on *data*, else the General Staff's."""
    from .. import plotting as pl

    caption = getattr(data, "attrs", {}).get("caption")
    return caption if isinstance(caption, str) and caption else pl.SOURCE_NOTE


def _choose_metrics(
    frame: pd.DataFrame, metrics: Sequence[str] | None
) -> tuple[list[Any], list[Any]]:
    """The metrics to analyse and those left out: the ones named, the one series of
    hand-collected figures, or every metric with a year of data of which at least
    :data:`MIN_NONZERO_DAYS` days are above zero (the others get a ``not analysed`` row
    saying why)."""
    from ..io import running_total_words

    if isinstance(metrics, str):  # one name, not a sequence of its letters
        metrics = [metrics]
    if metrics:
        # each once, in the order named: `--metric personnel personnel` analysed personnel
        # twice and the joint report refused the duplicate columns
        metrics = list(dict.fromkeys(metrics))
        missing = [m for m in metrics if m not in frame.columns]
        if missing:
            raise ParameterError(
                f"metric {missing[0]!r} is not in the data; available: {list(frame.columns)}"
            )
        for m in metrics:
            total = running_total_words(frame[m])
            if total:
                raise ParameterError(f"metric {m!r} {total}")
        return list(metrics), []
    if frame.attrs.get("figures") is not None:
        # hand-collected figures: the one series there is, however sparse; each step says
        # what it needs when the data do not give it
        return ["engagements"], []
    cols = [c for c in frame.columns if _enough(frame[c])]
    if not cols:
        raise ParameterError(_none_chosen(frame))
    return cols, [c for c in frame.columns if c not in cols]


def _none_chosen(frame: pd.DataFrame) -> str:
    """Why the default selection took no metric of *frame*, with each one's reason."""
    year, need, unit = _year_need(frame.index)
    found = "; ".join(f"{c!r}: {_short_row(frame, c)['not_done']}" for c in list(frame.columns)[:8])
    rule = (
        "of counts within the year"
        if unit == "year"
        else f"with at least {year} observed {unit}s, {need} of them not zero, that are counts"
    )
    return f"no metric {rule} ({found})"


def _metric_context(
    frame: pd.DataFrame,
    metric: Any,
    cols: list[Any],
    options: Options,
    say: Callable[[str], None],
    provenance: tuple[str, list[tuple[str, str]]],
    stem: str,
) -> MetricContext:
    """One metric's series from its first to its last observed day, with this metric's
    quality findings only (and those of the whole table, metric ``'*'``): the personnel
    report must not count the other 16 metrics' corrections."""
    s = frame[metric].copy()
    first, last = s.first_valid_index(), s.last_valid_index()
    if first is not None:
        s = s.loc[first:last]
    recs = s.attrs.get("quality") or frame.attrs.get("quality") or []
    s.attrs["quality"] = [r for r in recs if str(r.get("metric")) in (str(metric), "*")]
    run = Steps(str(metric), say)
    version, hashes = provenance
    return MetricContext(metric, s, frame, cols, options, run, version, hashes, stem)


def _metric_report(ctx: MetricContext, out: Path, note: str) -> list[Path]:
    """Every section on one metric: analysis, figures, the report PDF and the tables.
    A section whose figures, facts or tables fail is recorded as not done, like a step."""
    say, metric = ctx.run.say, ctx.metric
    # progress: the sections that analyse something, then figures, then the files
    analysing = [
        sec for sec in SECTIONS if type(sec).analyse is not Section.analyse and sec.applies(ctx)
    ]
    total = len(analysing) + 2
    for i, sec in enumerate(analysing, 1):
        say(f"[{metric}] {i}/{total} {sec.name}")
        ctx.run(sec.name, sec.analyse, ctx)
    say(f"[{metric}] {total - 1}/{total} figures")
    figures = _each(ctx, "figures", "figures", list)
    facts = _each(ctx, "facts", "text", list)
    captions = _each(ctx, "captions", "captions", dict)
    methods = [line for lines in _each(ctx, "methods", "methods", list) for line in lines]
    say(f"[{metric}] {total}/{total} report PDF and tables")
    files = _report_pdf(ctx, out, note, facts, figures, (captions, methods))
    merged: dict[str, Any] = {}
    for tabs in _each(ctx, "tables", "tables", dict):
        merged.update(tabs)
    files += write_tables(out, ctx.stem, merged)
    return files


def _each(ctx: MetricContext, hook: str, label: str, empty: Callable[[], Any]) -> list[Any]:
    """Every section's *hook* (``figures``, ``facts``, ...) run as a step named
    ``"<section> <label>"``; a failing one gives *empty()* and is recorded as not done."""
    return [ctx.run(f"{sec.name} {label}", getattr(sec, hook), ctx) or empty() for sec in SECTIONS]


def _report_pdf(
    ctx: MetricContext,
    out: Path,
    note: str,
    facts: list[list[Fact]],
    figures: list[list[tuple[str, Any]]],
    notes: tuple[list[dict[str, str]], list[Fact]] = ([], []),
) -> list[Path]:
    """Each figure's files and ``<stem>_report.pdf``: the summary of every section's
    facts and what was not done, then a page per question with its numbered figures
    and their captions, then the methods page (*notes*: each section's captions and
    the methods lines)."""
    captions, methods = notes
    not_done = ctx.run.not_done()
    parts = _pages_of(SECTIONS, facts, figures, captions)
    if parts:  # what was not done goes on the first page (the data's)
        page, first_facts, first_figs = parts[0]
        parts[0] = (page, first_facts + not_done, first_figs)
    summary_facts = [f for fs in facts for f in fs] + not_done
    title = f"intensity report: {ctx.metric}"
    pages = section_pages(title, str(ctx.metric), summary_facts, parts, note)
    lines = methods_facts(methods)
    if lines:
        pages += _text_pages(f"{ctx.metric}: methods", lines, note)
    flat = [f for figs in figures for f in figs]
    opt = ctx.options
    path = out / f"{ctx.stem}_report.pdf"
    return write_report(path, title, pages, flat, ctx.stem, str(ctx.metric), opt.formats, opt.dpi)


def _pages_of(
    sections: Sequence[Section],
    facts: list[list[Fact]],
    figures: list[list[tuple[str, Any]]],
    captions: Sequence[dict[str, str]] = (),
) -> list[tuple[str, list[Fact], list[Any]]]:
    """``(page title, facts, figures)`` per page: consecutive sections with the same
    :attr:`~Section.page` share one. Figures are numbered through the report; each
    page's facts end with its figures' numbers and captions."""
    pages: list[tuple[str, list[Fact], list[Any], list[Fact]]] = []
    caps = list(captions) or [{} for _ in sections]
    number = 0
    for sec, fs, figs, cap in zip(sections, facts, figures, caps, strict=True):
        lines: list[Fact] = []
        for name, _ in figs:
            number += 1
            lines.append((f"Figure {number}", cap.get(name, name.replace("_", " "))))
        drawn = [fig for _, fig in figs]
        if pages and pages[-1][0] == sec.page:
            page, old_facts, old_figs, old_lines = pages[-1]
            pages[-1] = (page, old_facts + fs, old_figs + drawn, old_lines + lines)
        else:
            pages.append((sec.page, list(fs), drawn, lines))
    return [
        (page, fs + ([("# Figures on the following pages", ""), *lines] if lines else []), figs)
        for page, fs, figs, lines in pages
    ]


def _metric_row(ctx: MetricContext) -> dict[str, Any]:
    """The metric's row of summary.csv: its period, each section's columns, its status."""
    s, problems = ctx.series, ctx.run.problems
    n = len(s)
    row: dict[str, Any] = {
        "metric": ctx.metric,
        "first": s.index[0] if n else pd.NaT,
        "last": s.index[-1] if n else pd.NaT,
        "days": n,
        "files": f"{ctx.stem}_*",
        "status": "complete" if not problems else "partial",
        "not_done": "; ".join(f"{k}: {v}" for k, v in problems.items()),
    }
    for sec in SECTIONS:
        row.update(ctx.run(f"{sec.name} summary", sec.summary, ctx) or {})
    return row


def _ordered(row: dict[str, Any]) -> dict[str, Any]:
    """*row* with the columns in :data:`SUMMARY_COLUMNS` order, a section's own columns
    after them."""
    ordered = {k: row[k] for k in SUMMARY_COLUMNS if k in row}
    return {**ordered, **{k: v for k, v in row.items() if k not in ordered}}


#: the days with a count above zero a metric needs to be analysed by default: a series
#: of zeros with a handful of events (submarines: 1 non-zero day in 1,059) has no rate to
#: model, and analysing it cost minutes of the all-metrics run (issue 26)
MIN_NONZERO_DAYS = 52


def _year_need(index: pd.Index) -> tuple[int, int, str]:
    """What the default selection needs of a series on *index*: a year of periods, how
    many of them above zero (:data:`MIN_NONZERO_DAYS` in days' terms: 52 days, 8 weeks,
    2 months), and the period's name ('day', 'week', 'month', 'quarter', 'year')."""
    from .._validation import PERIODS_PER_YEAR, grid_unit

    unit = grid_unit(index)
    ppy = PERIODS_PER_YEAR[unit]
    if unit == "day":
        return 365, MIN_NONZERO_DAYS, unit
    return int(ppy), max(2, math.ceil(MIN_NONZERO_DAYS * ppy / PERIODS_PER_YEAR["day"])), unit


def _left_out_why(s: pd.Series) -> str:
    """Why the default selection leaves the metric *s* out (``''``: it analyses it):
    running totals, yearly counts, fewer than a year of observed periods, fewer than
    :data:`MIN_NONZERO_DAYS` days' worth above zero (:func:`_year_need`), or fewer than
    three distinct values (a flag or a constant: VIINA's ``complete``, 1 on every day but
    the last, was reported on as counts)."""
    from ..io import running_total_words

    total = running_total_words(s)
    if total:
        return total
    anyway = "name it with --metric to analyse it anyway"
    year, need, unit = _year_need(s.index)
    if unit == "year":
        return (
            "yearly counts: the report's seasonality, anomalies and winters need counts "
            f"within the year (detect_breaks takes yearly ones; {anyway})"
        )
    n_obs, nonzero = int(s.notna().sum()), int((s > 0).sum())
    if n_obs < year:
        return (
            f"{n_obs} observed {unit}s, fewer than the {year} the default selection needs "
            f"({anyway})"
        )
    if nonzero < need:
        return (
            f"{nonzero} {unit}s above zero of {n_obs}, fewer than the {need} the default "
            f"selection needs ({anyway})"
        )
    values = sorted(set(s.dropna().to_numpy(dtype=float).tolist()))
    if len(values) < 3:
        shown = ", ".join(f"{v:g}" for v in values)
        return f"only {len(values)} distinct values ({shown}): a flag or a constant ({anyway})"
    return ""


def _enough(s: pd.Series) -> bool:
    """Whether the default selection analyses *s* (:func:`_left_out_why`)."""
    return not _left_out_why(s)


def _short_row(frame: pd.DataFrame, metric: Any) -> dict[str, Any]:
    """The summary row of a metric the default selection leaves out, with the reason."""
    s = frame[metric]
    why = _left_out_why(s)
    return {
        "metric": metric,
        "days": int(s.notna().sum()),
        "status": "not analysed",
        "not_done": why,
    }


def _joint_report(
    frame: pd.DataFrame,
    out: Path,
    options: Options,
    note: str,
    say: Callable[[str], None],
    alone: dict[str, int],
) -> tuple[list[Path], dict[str, Any]]:
    """The joint page set: ``joint_report.pdf``, ``joint_*.csv`` and the figures,
    captioned with *note* (the source, or that the data are simulated); and its summary
    row. *alone*: each metric's number of breaks in its own report."""
    from .. import plotting as pl

    names = [str(c) for c in frame.columns]
    say(f"[joint] common breaks of {', '.join(names)}")
    section = JointSection()
    ctx = section.context(frame, options, Steps("joint", say))
    ctx.results["alone"] = {m: alone[m] for m in names if m in alone}
    with pl.source_label(note):  # the figures say what the data are
        section.analyse(ctx)
        figures = section.figures(ctx)
        facts = section.facts(ctx)
        files = write_tables(out, "joint", section.tables(ctx))
        title = "intensity report: several metrics"
        pages = _text_pages(title, facts, note) + [fig for _, fig in figures]
        path = out / "joint_report.pdf"
        files += write_report(
            path, title, pages, figures, "joint", "joint", options.formats, options.dpi
        )
    return files, section.summary(ctx)
