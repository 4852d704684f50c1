"""The whole analysis as one call: data quality, seasonality, breaks, anomalies, figures.

:func:`run_report` is what ``intensity report`` and ``intensity demo`` run. For each metric
it writes one PDF per figure, one multi-page report PDF that opens with a summary page of
the key numbers, and the result tables as CSV. Outputs contain no time stamps, so the same
input gives byte-identical files.
"""

from __future__ import annotations

import io
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import DataFormatError, IntensityError, ParameterError

__all__ = ["run_report", "ReportResult", "load_input", "demo_series", "file_stems"]

SIMULATED_NOTE = (
    "SIMULATED DATA (intensity demo): not real counts; made by intensity.simulate_counts "
    "with known seasonality, breaks, spikes and a surge"
)


@dataclass(frozen=True)
class ReportResult:
    """What :func:`run_report` wrote and the key numbers per metric."""

    out_dir: Path
    files: list[Path] = field(default_factory=list)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    seconds: float = 0.0


def load_input(path: str | os.PathLike[str] | None) -> pd.DataFrame:
    """The data a report runs on: a folder of loss tables, a folder of processed files, one
    counts file (see :func:`intensity.read_counts`) or a table of hand-collected
    engagement figures (columns day, window, total, …: see :func:`engagement_figures`).

    Processed files (``intensity build``'s CSVs with their JSON sidecars) are read with
    :func:`intensity.pipeline.read_processed`, so the reader's quality findings (stalls,
    catch-ups, rounding) come with them. A metric found in two files of the folder is an
    error naming both: one of them would otherwise be dropped unseen.
    """
    from .io import _LOSS_FILE_STEMS, read_counts, read_losses
    from .pipeline import processed_sidecar, read_processed

    p = Path(path) if path is not None else Path("data/processed")
    if p.is_dir():
        if any(
            (p / f"{stem}{ext}").exists() for stem in _LOSS_FILE_STEMS for ext in (".json", ".csv")
        ):
            return read_losses(p)
        files = sorted(f for f in p.glob("*.csv") if not f.name.startswith("."))
        if not files:
            raise DataFormatError(
                f"{p}: no data to report on. Run 'intensity fetch losses' and 'intensity build' "
                "first, or pass --input with a folder of loss tables or a counts file "
                "(e.g. --input ../shared/data/petroivaniuk_losses)"
            )
        frames = []
        for f in files:
            meta = processed_sidecar(f)
            frames.append(read_counts(f) if meta is None else read_processed(f, meta))
        return _combine(frames, files)
    if p.exists():
        if _is_figure_table(p):
            return engagement_figures(p)
        return read_counts(p)
    raise DataFormatError(f"{p}: no such file or folder")


def _combine(frames: list[pd.DataFrame], files: list[Path]) -> pd.DataFrame:
    """The frames of one folder side by side on one daily index, with all their findings;
    a metric in two files is a :class:`DataFormatError` naming both."""
    owner: dict[str, Path] = {}
    for f, fr in zip(files, frames, strict=True):
        for c in fr.columns:
            if str(c) in owner:
                raise DataFormatError(
                    f"metric {c!r} is in both {owner[str(c)]} and {f}; remove or rename one "
                    "(reading both would drop one unseen)"
                )
            owner[str(c)] = f
    quality: list[Any] = []
    for fr in frames:
        quality.extend(fr.attrs.get("quality") or [])
    bare = []
    for fr in frames:
        fr = fr.copy()
        fr.attrs = {}
        bare.append(fr)
    out = pd.concat(bare, axis=1, sort=True).asfreq("D")
    out.attrs["quality"] = quality
    out.attrs["source"] = [f.name for f in files]
    return out


#: what the rows of each table are, for tables whose index has no name
_INDEX_NAMES = {
    "segments": "segment",
    "episodes": "episode",
    "artefacts": "artefact",
    "penalty_path": "segmentation",
    "quality": "date",
    "spikes": "date",
    "baseline": "date",
}
#: breaks listed on the summary page; the rest are counted and left to breaks.csv
_MAX_LISTED = 12
_FORMATS = ("pdf", "png", "svg")


def _check_report_options(
    model: str, penalty: str | float, formats: Sequence[str], dpi: int
) -> tuple[str, ...]:
    """Validate the report options up front (a bad one stops the run before any work)."""
    from ._validation import check_choice
    from .costs import COSTS

    check_choice("model", model, ("auto", *COSTS))
    if isinstance(penalty, str):
        check_choice("penalty", penalty, ("mbic", "bic", "aic"))
    elif not (isinstance(penalty, (int, float)) and np.isfinite(penalty) and penalty > 0):
        raise ParameterError(
            f"penalty must be 'mbic', 'bic', 'aic' or a number > 0, got {penalty!r}"
        )
    fmts = tuple(dict.fromkeys(str(f).strip().lower() for f in formats))
    bad = [f for f in fmts if f not in _FORMATS]
    if bad or not fmts:
        raise ParameterError(f"format must be among {list(_FORMATS)}, got {list(formats)}")
    if not isinstance(dpi, int) or isinstance(dpi, bool) or not 50 <= dpi <= 1200:
        raise ParameterError(f"dpi must be a whole number in 50 … 1200, got {dpi!r}")
    return fmts


def _date_window(frame: pd.DataFrame, start: Any, end: Any) -> pd.DataFrame:
    """The rows from *start* to *end* (inclusive; strings read day-first)."""
    if start is None and end is None:
        return frame

    def day(v: Any, what: str) -> pd.Timestamp | None:
        if v is None:
            return None
        if isinstance(v, str):
            from ._dates import parse_date_column

            return pd.Timestamp(parse_date_column(pd.Series([v]), where=what, column=what)[0])
        try:
            return pd.Timestamp(v).normalize()
        except (TypeError, ValueError):
            raise ParameterError(f"{what} must be a date, got {v!r}") from None

    a, b = day(start, "start"), day(end, "end")
    if a is not None and b is not None and a > b:
        raise ParameterError(f"start must not be after end, got {a:%Y-%m-%d} > {b:%Y-%m-%d}")
    out = frame.loc[a:b]
    if out.empty:
        raise ParameterError(
            f"no data between {start} and {end} (the data run {frame.index[0]:%Y-%m-%d} … "
            f"{frame.index[-1]:%Y-%m-%d})"
        )
    out.attrs = dict(frame.attrs)
    # the reader's findings inside the window only (a 2022 stall is no artefact of a
    # report on 2024-25)
    recs = out.attrs.get("quality")
    if isinstance(recs, list):
        from .io import dated_within

        keep = dated_within((r.get("date") for r in recs), out.index[0], out.index[-1])
        out.attrs["quality"] = [r for r, k in zip(recs, keep, strict=True) if k]
    return out


def _provenance(inputs: Sequence[str | os.PathLike[str]]) -> tuple[str, list[tuple[str, str]]]:
    """The package version and (file name, SHA-256) of every input file (files in a
    folder one by one, sorted)."""
    import hashlib

    from . import __version__

    out = []
    for p in map(Path, inputs):
        files = sorted(f for f in p.iterdir() if f.is_file()) if p.is_dir() else [p]
        for f in files:
            out.append((f.name, hashlib.sha256(f.read_bytes()).hexdigest()))
    return __version__, out


def _penalty_words(brk: Any) -> str:
    """The penalty as it was used: its name, times the long-run variance factor when the
    dependence model scaled it."""
    dep = getattr(brk, "dependence", None)
    if dep is not None and dep.lrv_factor > 1.0 + 1e-9:
        return f"{brk.penalty_name} × {dep.lrv_factor:.1f} for serial dependence"
    return str(brk.penalty_name)


def _figure_facts(daily: pd.DataFrame) -> list[tuple[str, str]]:
    """Summary lines for hand-collected figures: what the days hold and what the partial
    figures let one estimate."""
    whole = int(daily["engagements"].notna().sum())
    est = int(daily["estimated"].sum())
    partial_only = int(
        (
            daily["engagements"].isna()
            & daily[["partial_16", "partial_22", "partial_other"]].notna().any(axis=1)
        ).sum()
    )
    lines = [
        ("# Hand-collected figures", ""),
        ("days with a whole-day figure", f"{whole} of {len(daily)} ({whole / len(daily):.1%})"),
        ("days with partial figures only", f"{partial_only}; whole day estimated on {est}"),
    ]
    nowcast = daily.attrs.get("nowcast")
    for slot, r in (pd.DataFrame() if nowcast is None else _frame_from_plain(nowcast)).iterrows():
        if np.isfinite(r["ratio"]):
            text = (
                f"whole day = {r['ratio']:.2f} × partial, 95% prediction "
                f"[{r['ratio_lower']:.2f}, {r['ratio_upper']:.2f}] ({int(r['n_pairs'])} days)"
            )
        else:
            text = f"not estimated: {int(r['n_pairs'])} day(s) with both figures, 3 needed"
        lines.append((f"ratio to the {slot} figure", text))
    lines.append(
        (
            "analyses below",
            "use the whole-day figures only; partial and estimated days are not mixed in",
        )
    )
    return lines


def _is_figure_table(p: Path) -> bool:
    """A CSV in the layout of hand-collected engagement figures (day, window, total…);
    a UTF-8 byte-order mark and quotes around the names are allowed."""
    if p.suffix.lower() != ".csv" or not p.is_file():
        return False
    with open(p, "rb") as fh:
        first = fh.readline(4096)
    head = first.decode("utf-8-sig", errors="replace").strip().lower().split(",")
    return {"day", "window", "total"} <= {h.strip().strip('"').strip() for h in head}


def engagement_figures(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The daily whole-day engagement series from a table of hand-collected figures
    (:func:`intensity.reports.reports_from_table`): one column ``engagements``, NaN on
    days without a whole-day figure (partial figures are not mixed in; the daily table
    with the partial columns and the nowcast is :func:`intensity.engagements_daily`)."""
    from .reports import engagements_daily, reports_from_table

    daily = engagements_daily(reports_from_table(path))
    out = daily[["engagements"]].astype(float)
    out.attrs["quality"] = daily.attrs.get("quality")
    # plain values only in attrs: pandas compares attrs when frames are combined, and a
    # DataFrame there makes pd.concat fail
    out.attrs["figures"] = _plain_frame(daily)
    out.attrs["nowcast"] = _plain_frame(daily.attrs.get("nowcast", pd.DataFrame()))
    return out


def _plain_frame(df: pd.DataFrame) -> dict[str, Any]:
    """A frame as plain lists (``orient='split'``, dates as ISO strings)."""
    d = df.copy()
    if isinstance(d.index, pd.DatetimeIndex):
        d.index = d.index.strftime("%Y-%m-%d")
    out: dict[str, Any] = d.to_dict(orient="split")
    out["index_name"] = df.index.name
    out["dates"] = isinstance(df.index, pd.DatetimeIndex)
    return out


def _frame_from_plain(d: Any) -> pd.DataFrame:
    """The inverse of :func:`_plain_frame` (a DataFrame passes through)."""
    if isinstance(d, pd.DataFrame):
        return d
    df = pd.DataFrame(d["data"], index=d["index"], columns=d["columns"])
    if d.get("dates"):
        df.index = pd.DatetimeIndex(pd.to_datetime(df.index), name=d.get("index_name"))
    else:
        df.index.name = d.get("index_name")
    return df


def demo_series(seed: int = 20241214) -> pd.DataFrame:
    """A realistic simulated daily series for the offline demonstration: about 1,600 days
    at a level near 900 per day, weekday rhythm, annual cycle, three level breaks, two
    spikes, a dip and a 40-day +30% surge."""
    from .simulate import simulate_counts

    sim = simulate_counts(
        1600,
        start="2022-03-01",
        level=600,
        size=45,
        annual_amplitude=0.15,
        trend=0.05,
        breaks=[(240, 1.45), (610, 0.75), (900, 1.6)],
        spikes=[(420, 2.6), (1240, 2.4), (1000, 0.3)],
        surges=[(1050, 40, 1.3)],
        missing=0.004,
        seed=seed,
        name="simulated",
    )
    return sim.counts.to_frame()


def _fmt_date(d: Any) -> str:
    return "" if pd.isna(d) else pd.Timestamp(d).strftime("%Y-%m-%d")


def _csv(frame: pd.DataFrame, path: Path, index: bool = True, index_name: str = "row") -> Path:
    """Write *frame* atomically; an unnamed index gets *index_name* (no CSV has an unnamed
    first column)."""
    from .pipeline import atomic_write_bytes

    out = _defuse_formulas(frame.copy())
    if index and out.index.name is None and out.index.nlevels == 1:
        out.index.name = index_name
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].map(_fmt_date)
    if isinstance(out.index, pd.DatetimeIndex):
        out.index = out.index.strftime("%Y-%m-%d")
    data = out.to_csv(index=index, lineterminator="\n", float_format="%.6g").encode("utf-8")
    atomic_write_bytes(path, data)
    return path


#: what makes a spreadsheet read a cell as a formula (OWASP's list for CSV injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _defuse(v: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, with a leading apostrophe
    (``=HYPERLINK(…)`` → ``'=HYPERLINK(…)``); numbers and other cells unchanged."""
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    return v


def _defuse_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """*frame* with every text cell, column name and index label passed through
    :func:`_defuse`: metric names come from the user's files and go into every table."""
    out = frame.rename(columns=_defuse)
    textual = pd.api.types.is_object_dtype, pd.api.types.is_string_dtype
    if out.index.nlevels == 1 and any(t(out.index.dtype) for t in textual):
        out.index = out.index.map(_defuse)
        out.index.name = frame.index.name
    for c in out.columns:
        if any(t(out[c].dtype) for t in textual):
            out[c] = out[c].map(_defuse)
    return out


def file_stems(metrics: Sequence[Any]) -> dict[Any, str]:
    """The file-name stem of each metric's outputs: letters, digits, ``-`` and ``_`` kept,
    everything else ``_``. Metrics whose stems would collide (``a b`` and ``a/b``, or
    ``A`` and ``a`` on a case-insensitive disk) get a short hash of their name appended,
    so no metric's files overwrite another's.

    Examples
    --------
    >>> file_stems(["a b", "a/b", "tank"])
    {'a b': 'a_b-c8687a', 'a/b': 'a_b-c14cdd', 'tank': 'tank'}
    """
    import hashlib

    base = {
        m: "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(m)) or "_"
        for m in metrics
    }
    count: dict[str, int] = {}
    for b in base.values():
        count[b.casefold()] = count.get(b.casefold(), 0) + 1
    return {
        m: b
        if count[b.casefold()] == 1
        else f"{b}-{hashlib.sha256(str(m).encode('utf-8')).hexdigest()[:6]}"
        for m, b in base.items()
    }


def _text_pages(title: str, facts: list[tuple[str, str]], note: str) -> list[Any]:
    """A4 pages listing *facts* under *title*: as many pages as the facts need (nothing is
    cut at the bottom of a page)."""
    from matplotlib.figure import Figure

    from .plotting import house_style

    pages: list[Any] = []
    with house_style():

        def new_page(first: bool) -> tuple[Any, float]:
            fig = Figure(figsize=(8.27, 11.69))  # A4 portrait
            head = title if first else f"{title} (continued)"
            fig.text(0.08, 0.95, head, fontsize=16, weight="bold", va="top")
            fig.text(0.08, 0.92, note, fontsize=7, color="#555555", va="top", wrap=True)
            pages.append(fig)
            return fig, 0.88

        fig, y = new_page(True)
        for k, v in facts:
            need = 0.034 if k.startswith("#") else 0.0175
            if y - need < 0.05:
                fig, y = new_page(False)
            if k.startswith("#"):
                y -= 0.012
                fig.text(0.08, y, k.lstrip("# "), fontsize=10, weight="bold", va="top")
                y -= 0.022
                continue
            fig.text(0.10, y, k, fontsize=8, va="top")
            fig.text(0.45, y, v, fontsize=8, va="top", family="DejaVu Sans Mono")
            y -= 0.0175
    return pages


#: the report's questions: the headings of their facts and their figures, in page order
_SECTIONS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "data and data quality",
        ("# Data", "# Hand-collected", "# Not done"),
        ("overview", "metrics"),
    ),
    (
        "seasonality",
        ("# Seasonality",),
        ("decomposition", "seasonal_fit", "weekday_profile", "month_profile"),
    ),
    ("trend breaks", ("# Trend breaks",), ("breaks", "penalty_path")),
    ("the winter question", ("# The winter question",), ("winters",)),
    ("anomalies", ("# Anomalies",), ("anomalies",)),
)


def _section_facts(
    facts: list[tuple[str, str]], prefixes: tuple[str, ...]
) -> list[tuple[str, str]]:
    """The facts under the headings that start with one of *prefixes*."""
    out: list[tuple[str, str]] = []
    keep = False
    for k, v in facts:
        if k.startswith("#"):
            keep = k.startswith(prefixes)
        if keep:
            out.append((k, v))
    return out


def _report_pages(
    metric: str, facts: list[tuple[str, str]], figures: list[tuple[str, Any]], note: str
) -> list[Any]:
    """The report's pages: the summary, then a page per question (its facts) followed by
    its figures; figures of no question at the end."""
    pages = _text_pages(f"intensity report: {metric}", facts, note)
    by_name = dict(figures)
    used: set[str] = set()
    for title, prefixes, names in _SECTIONS:
        sec = _section_facts(facts, prefixes)
        figs = [by_name[n] for n in names if n in by_name]
        used.update(n for n in names if n in by_name)
        if not sec and not figs:
            continue
        pages += _text_pages(f"{metric}: {title}", sec or [("# " + title, "not done")], note)
        pages += figs
    pages += [f for n, f in figures if n not in used]
    return pages


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
        Columns to analyse (default: all with at least 365 observed days; the others get a
        ``not analysed`` row in the summary).
    simulated
        Say on every page that the data are simulated.
    source
        Caption naming the data source (default: the General Staff note).
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


#: the list of a report folder's files, written last (see :func:`publish`)
MANIFEST = "manifest.json"
_STAGING_PREFIX = ".intensity-staging-"


def _new_staging(final: Path) -> Path:
    """A fresh staging folder inside *final* (named after this process); staging folders
    of processes that are gone are removed first."""
    import tempfile

    from .pipeline import _pid_alive

    for old in final.glob(f"{_STAGING_PREFIX}*"):
        pid = old.name[len(_STAGING_PREFIX) :].split("-", 1)[0]
        if old.is_dir() and pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{os.getpid()}-", dir=final))


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, str]:
    """``{file name: SHA-256}`` of a report folder's last complete run (empty when there
    is no manifest: no complete run, or one of a version without manifests)."""
    import json

    p = Path(folder) / MANIFEST
    try:
        obj = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return {}
    files = obj.get("files") if isinstance(obj, dict) else None
    if not isinstance(files, dict):
        return {}
    return {str(k): str(v) for k, v in files.items() if "/" not in str(k) and str(k) != ".."}


def publish(staging: Path, final: Path, files: Sequence[Path]) -> list[Path]:
    """Move a finished run's *files* from *staging* into *final* as one set: the old
    manifest is removed first, the files are renamed into place (each rename is atomic),
    the previous run's files that this run did not write are removed, and the new
    manifest is written last."""
    import json

    from .pipeline import atomic_write_bytes, sha256_file

    names = list(dict.fromkeys(Path(f).name for f in files))
    old = read_manifest(final)
    (final / MANIFEST).unlink(missing_ok=True)
    sums = {}
    for name in names:
        sums[name] = sha256_file(staging / name)
        os.replace(staging / name, final / name)
    for name in sorted(set(old) - set(names) - {MANIFEST}):
        (final / name).unlink(missing_ok=True)
    text = json.dumps({"package": "intensity", "files": sums}, indent=2) + "\n"
    atomic_write_bytes(final / MANIFEST, text.encode("utf-8"))
    return [final / n for n in names]


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
    from matplotlib.backends.backend_pdf import PdfPages

    from . import plotting as pl
    from .anomalies import detect_anomalies
    from .baselines import sustained_shifts
    from .breaks import detect_breaks, penalty_path
    from .io import validate
    from .pipeline import atomic_write_bytes
    from .seasonal import decompose, fit_seasonal, seasonal_profile
    from .seasons import seasonal_excess

    t0 = time.perf_counter()
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    fmts = _check_report_options(model, penalty, formats, dpi)
    frame = _date_window(frame, start, end)
    version, hashes = _provenance(inputs)
    if metrics:
        missing = [m for m in metrics if m not in frame.columns]
        if missing:
            raise ParameterError(
                f"metric {missing[0]!r} is not in the data; available: {list(frame.columns)}"
            )
        cols = list(metrics)
        short: list[str] = []
    elif frame.attrs.get("figures") is not None:
        # hand-collected figures: the one series there is, however sparse; each step says
        # what it needs when the data do not give it
        cols, short = ["engagements"], []
    else:
        cols = [c for c in frame.columns if frame[c].notna().sum() >= 365]
        if not cols:
            found = ", ".join(
                f"{c!r} ({int(frame[c].notna().sum())} days)" for c in list(frame.columns)[:8]
            )
            raise ParameterError(
                f"no metric with at least 365 observed days (found {found}); name one with "
                "--metric to analyse it anyway"
            )
        short = [c for c in frame.columns if c not in cols]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stems = file_stems([*cols, *short])
    say = progress or (lambda _m: None)
    note = SIMULATED_NOTE if simulated else (source or pl.SOURCE_NOTE)
    files: list[Path] = []
    summary_rows = []
    for metric in cols:
        s = frame[metric].copy()
        first, last = s.first_valid_index(), s.last_valid_index()
        if first is not None:
            s = s.loc[first:last]
        # this metric's findings only (and those of the whole table, metric '*'): the
        # personnel report must not count the other 16 metrics' corrections
        recs = s.attrs.get("quality") or frame.attrs.get("quality") or []
        s.attrs["quality"] = [r for r in recs if str(r.get("metric")) in (str(metric), "*")]
        safe = stems[metric]
        run = _Steps(str(metric), say)
        problems = run.problems
        steps = 7
        with pl.source_label(note):
            say(f"[{metric}] 1/{steps} data quality")
            quality = run(
                "data quality", validate, s.to_frame(metric) if not s.attrs.get("quality") else s
            )
            n = len(s)
            periods = (7, 365) if n > 730 else (7,)  # MSTL needs more than two years
            say(f"[{metric}] 2/{steps} decomposition (periods {periods})")
            # the decomposition is descriptive (the count model carries the statistics):
            # non-robust STL, 6× faster than robust on 1,600 days with little difference
            # once catch-up days are missing rather than spikes
            dec = run("decomposition", decompose, s, periods=periods, robust=False)
            say(f"[{metric}] 3/{steps} seasonal count model")
            fit = run("seasonal model", fit_seasonal, s)
            # the weekday profile is the seasonal model's weekday table (one number for
            # the text and the figure)
            prof_w = run("weekday profile", seasonal_profile, s, "weekday", fit=fit)
            prof_m = run("month profile", seasonal_profile, s, "month") if n >= 365 else None
            say(f"[{metric}] 4/{steps} trend breaks")
            brk = run(
                "trend breaks",
                detect_breaks,
                s,
                model=model,
                penalty=penalty,
                seasonal=fit,
                n_boot=n_boot,
                seed=seed,
            )
            # the path spans the penalty the breaks used (their dependence, not found again)
            dep = brk.dependence if brk is not None and brk.dependence is not None else "auto"
            path = (
                run("penalty path", penalty_path, s, seasonal=fit, dependence=dep)
                if model in ("auto", "negbin")
                else None  # the path is drawn for the default model only
            )
            say(f"[{metric}] 5/{steps} anomalies and the winter question")
            # the sustained level shifts both baselines use (their default max_days, 90),
            # found once; if that step fails, each finds them itself
            found = run("level shifts", sustained_shifts, s, 90)
            shifts: Any = "auto" if found is None else [s.index[p] for p in found]
            ano = run("anomalies", detect_anomalies, s, n_sim=n_sim, seed=seed, shifts=shifts)
            # under two years seasonal_excess says why (it needs other winters to compare
            # with), and the report lists that under "Not done" instead of dropping the
            # section silently
            win = run("winter question", seasonal_excess, s, shifts=shifts)
            say(f"[{metric}] 6/{steps} figures")
            figures = []
            if s.notna().any():
                trend = None if fit is None else fit.trend
                ov = run(
                    "overview figure",
                    pl.plot_overview,
                    s,
                    breaks=brk,
                    anomalies=ano,
                    trend=trend,
                    winters=win,
                )
                if ov is not None:
                    figures.append(("overview", ov))
            for fname, res in (
                ("decomposition", dec),
                ("seasonal_fit", fit),
                ("weekday_profile", prof_w),
                ("month_profile", prof_m),
                ("breaks", brk),
                ("penalty_path", path),
                ("anomalies", ano),
                ("winters", win),
            ):
                if res is not None:
                    fig = run(f"{fname} figure", res.plot)
                    if fig is not None:
                        figures.append((fname, fig))
            # the other metrics asked for (never ones the user did not name)
            others = [c for c in cols if c != metric and frame[c].notna().sum() >= 365][:3]
            if others:
                fig = run("metrics figure", pl.plot_metrics, frame, [metric, *others])
                if fig is not None:
                    figures.append(("metrics", fig))
            for name, fig in figures:
                for fmt in fmts:
                    files.append(
                        pl.save_figure(
                            fig, out / f"{safe}_{name}.{fmt}", title=f"{metric}: {name}", dpi=dpi
                        )
                    )
            facts: list[tuple[str, str]] = [
                ("# Data", ""),
                ("package", f"intensity {version}"),
                *[(f"input {name}", f"SHA-256 {digest[:16]}…") for name, digest in hashes],
                ("period", f"{s.index[0]:%Y-%m-%d} … {s.index[-1]:%Y-%m-%d} ({n} days)")
                if n
                else ("period", "no observed day"),
                ("observed days", f"{int(s.notna().sum())} (missing {int(s.isna().sum())})"),
                ("mean / median per day", f"{s.mean():.1f} / {s.median():.0f}"),
                (
                    "quality findings",
                    ", ".join(
                        f"{k} {v}" for k, v in quality["kind"].value_counts().sort_index().items()
                    )
                    or "none"
                    if quality is not None
                    else "not done",
                ),
            ]
            figures_table = frame.attrs.get("figures")
            if figures_table is not None:
                table = _frame_from_plain(figures_table)
                table.attrs["nowcast"] = frame.attrs.get("nowcast")
                facts += _figure_facts(table)
            if fit is not None:
                wk = fit.weekday
                facts += [
                    ("# Seasonality (negative-binomial regression)", ""),
                    ("weekly effect", _test_text(fit.tests, "weekly")),
                    ("annual effect", _test_text(fit.tests, "annual")),
                    ("dispersion alpha", f"{fit.dispersion:.4f} (size {fit.size:.1f})"),
                    ("strongest weekday", _extreme(wk, max)),
                    ("weakest weekday", _extreme(wk, min)),
                ]
            if prof_m is not None:
                facts += [
                    ("highest month", _extreme(prof_m.table, max)),
                    ("lowest month", _extreme(prof_m.table, min)),
                ]
            if brk is not None:
                adj = "deseasonalised, " if fit is not None else "not deseasonalised, "
                facts += [
                    (f"# Trend breaks ({adj}{brk.model}, {_penalty_words(brk)})", ""),
                    ("number of breaks", f"{len(brk.breaks)} (penalty {brk.penalty:.1f})"),
                ]
                for d, row in brk.breaks.head(_MAX_LISTED).iterrows():
                    facts.append(
                        (
                            f"  {d:%Y-%m-%d}",
                            f"[{_fmt_date(row['ci_lower'])} … {_fmt_date(row['ci_upper'])}]"
                            f" ×{row['ratio']:.2f}",
                        )
                    )
                if len(brk.breaks) > _MAX_LISTED:
                    more = len(brk.breaks) - _MAX_LISTED
                    facts.append(("", f"and {more} more, see {safe}_breaks.csv"))
            if win is not None:
                facts.append(("# The winter question (Nov 1 … Feb 28)", ""))
                for label in win.table.index:
                    text = win.sentence(str(label))
                    head, _, rest = text.partition(": ")
                    level_part, _, seas_part = rest.partition("; ")
                    facts.append((f"  {head}", level_part))
                    facts.append(("", seas_part))
            if ano is not None:
                facts += [
                    (f"# Anomalies (baseline: {ano.baseline_kind})", ""),
                    ("spike/dip days (BH q ≤ 0.01)", str(len(ano.spikes))),
                    ("surge/lull episodes", str(len(ano.episodes))),
                ]
                top = ano.episodes.sort_values("statistic", ascending=False).head(8)
                for _, e in top.iterrows():
                    facts.append(
                        (
                            f"  {e['kind']} {e['start']:%Y-%m-%d} … {e['end']:%Y-%m-%d}",
                            f"{e['mean_excess_pct']:+.0f}%  p={e['p_value']:.3f}",
                        )
                    )
                facts.append(("reporting artefacts (apart)", str(len(ano.artefacts))))
            if problems:
                facts.append(("# Not done (the reason, as the package said it)", ""))
                for step, why in problems.items():
                    facts.append((f"  {step}", why[:70]))
            say(f"[{metric}] 7/{steps} report PDF and tables")
            buf = io.BytesIO()
            meta = {
                "Creator": "intensity",
                "Producer": "intensity (matplotlib)",
                "CreationDate": None,
                "Title": f"intensity report: {metric}",
            }
            with pl.house_style(), PdfPages(buf, metadata=meta) as pdf:
                for page in _report_pages(str(metric), facts, figures, note):
                    pdf.savefig(page)
            rp = out / f"{safe}_report.pdf"
            atomic_write_bytes(rp, buf.getvalue())
            files.append(rp)
        if brk is not None and brk.model == "linear_trend":
            knots = brk.breaks.rename_axis("knot")
            files.append(_csv(knots, out / f"{safe}_knots.csv"))
        tables: dict[str, pd.DataFrame | None] = {
            "quality": None if quality is None else quality.set_index("date"),
            "seasonal_summary": None if fit is None else fit.summary(),
            "weekday_profile": None if prof_w is None else prof_w.table,
            "breaks": None if brk is None else brk.breaks,
            "segments": None if brk is None else brk.segments,
            "penalty_path": None if path is None else path.table,
            "spikes": None if ano is None else ano.spikes,
            "episodes": None if ano is None else ano.episodes,
            "winters": None if win is None else win.table,
            "artefacts": None if ano is None else ano.artefacts,
            "baseline": None if fit is None else fit.baseline(),
            "month_profile": None if prof_m is None else prof_m.table,
        }
        for name, tab in tables.items():
            if tab is not None:
                label = _INDEX_NAMES.get(name, "row")
                files.append(_csv(tab, out / f"{safe}_{name}.csv", index_name=label))
        summary_rows.append(
            {
                "metric": metric,
                "first": s.index[0] if n else pd.NaT,
                "last": s.index[-1] if n else pd.NaT,
                "days": n,
                "weekly_p": _p(fit.tests, "weekly") if fit is not None else float("nan"),
                "annual_p": _p(fit.tests, "annual") if fit is not None else float("nan"),
                "dispersion": fit.dispersion if fit is not None else float("nan"),
                "breaks": len(brk.breaks) if brk is not None else pd.NA,
                "spike_days": len(ano.spikes) if ano is not None else pd.NA,
                "episodes": len(ano.episodes) if ano is not None else pd.NA,
                "files": f"{safe}_*",
                "status": "complete" if not problems else "partial",
                "not_done": "; ".join(f"{k}: {v}" for k, v in problems.items()),
                "model": brk.model if brk is not None else model,
                "version": version,
                "inputs": "; ".join(f"{name} sha256:{digest}" for name, digest in hashes),
            }
        )
    for metric in short:
        n_obs = int(frame[metric].notna().sum())
        summary_rows.append(
            {
                "metric": metric,
                "days": n_obs,
                "status": "not analysed",
                "not_done": f"{n_obs} observed days, fewer than the 365 the default selection "
                "needs (name it with --metric to analyse it anyway)",
                "version": version,
                "inputs": "; ".join(f"{name} sha256:{digest}" for name, digest in hashes),
            }
        )
    joint_cols = _joint_metrics(frame, cols, bool(metrics))
    if len(joint_cols) >= 2:
        row = _joint_report(
            frame[joint_cols], out, files, note, say, fmts, dpi, n_boot, seed, penalty
        )
        summary_rows.append(
            {**row, "version": version, "inputs": "; ".join(f"{a} sha256:{b}" for a, b in hashes)}
        )
    summary = pd.DataFrame(summary_rows).set_index("metric")
    files.append(_csv(summary, out / "summary.csv"))
    return ReportResult(out_dir=out, files=files, summary=summary, seconds=time.perf_counter() - t0)


#: the metrics the joint page takes when none are named, in this order (those present)
MAIN_METRICS = ("personnel", "engagements", "field artillery", "APC", "drone", "tank")
#: the most metrics on the joint page when none are named
_MAX_JOINT = 4


def _joint_metrics(frame: pd.DataFrame, cols: Sequence[str], named: bool) -> list[str]:
    """The metrics of the joint page: the ones named (when several), else the main ones
    present with a year of data (at most four)."""
    if named:
        return list(cols) if len(cols) >= 2 else []
    main = [m for m in MAIN_METRICS if m in cols and frame[m].notna().sum() >= 365]
    return main[:_MAX_JOINT]


def _joint_report(
    frame: pd.DataFrame,
    out: Path,
    files: list[Path],
    note: str,
    say: Callable[[str], None],
    fmts: Sequence[str],
    dpi: int,
    n_boot: int,
    seed: int,
    penalty: str | float,
) -> dict[str, Any]:
    """The joint page: breaks common to the metrics (one figure), the per-metric ratio at
    each break, and the lead and lag of each metric on the first; written as
    ``joint_report.pdf``, ``joint_*.csv`` and the figures, captioned with *note* (the
    source, or that the data are simulated). Returns its summary row."""
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    from . import plotting as pl
    from .multi import detect_common_breaks, lead_lag
    from .pipeline import atomic_write_bytes

    with pl.source_label(note):  # the figures say what the data are
        names = [str(c) for c in frame.columns]
        label = "joint: " + ", ".join(names)
        say(f"[joint] common breaks of {', '.join(names)}")
        run = _Steps("joint", say)
        first = frame.apply(lambda c: c.first_valid_index()).max()
        last = frame.apply(lambda c: c.last_valid_index()).min()
        sub = frame.loc[first:last]
        res = run(
            "common breaks", detect_common_breaks, sub, penalty=penalty, n_boot=n_boot, seed=seed
        )
        lls = []
        for other in names[1:]:
            ll = run(f"lead and lag of {other}", lead_lag, sub[names[0]], sub[other])
            if ll is not None:
                lls.append(ll)
        facts: list[tuple[str, str]] = [
            ("# Several metrics at once", ""),
            ("metrics", ", ".join(names)),
            ("period", f"{sub.index[0]:%Y-%m-%d} … {sub.index[-1]:%Y-%m-%d} ({len(sub)} days)"),
        ]
        figures: list[tuple[str, Any]] = []
        if res is not None:
            b = res.breaks
            facts += [
                (
                    "breaks found",
                    f"{len(b)}; common (>= {res.min_share:.0%} moved): {len(res.common)}",
                ),
                (
                    "penalty",
                    f"{res.penalty_name} {res.penalty:.1f}; {res.effective_params:.2f} effective "
                    f"of {len(names)} parameters",
                ),
                (
                    "# Ratio after / before at each break "
                    "(* moved; intervals in joint_metrics.csv)",
                    "",
                ),
                ("break [interval] moved", " · ".join(n[:10] for n in names)),
            ]
            m = res.metrics
            for date, row in b.iterrows():
                d = pd.Timestamp(date)
                cells = []
                for n in names:
                    r = m.loc[(d, n)]
                    cells.append(f"{r['ratio']:.2f}{'*' if r['affected'] else ' '}")
                iv = f"{_fmt_date(row['ci_lower'])[5:]}…{_fmt_date(row['ci_upper'])[5:]}"
                facts.append(
                    (f"{d:%Y-%m-%d} [{iv}] {int(row['n_affected'])}/{len(names)}", "  ".join(cells))
                )
            elsewhere = m[m["affected"].astype(bool) & ~m["own_in_interval"].astype(bool)]
            if len(elsewhere):
                facts.append(("# Moved, but its own best date is outside the common interval", ""))
                for (d, nm), row in elsewhere.iterrows():
                    facts.append((f"  {pd.Timestamp(d):%Y-%m-%d} {nm}", _fmt_date(row["own_date"])))
            figures.append(("common_breaks", pl.plot_common_breaks(res)))
            files.append(
                _csv(b.drop(columns=["position"]), out / "joint_breaks.csv", index_name="date")
            )
            files.append(_csv(res.metrics.reset_index(), out / "joint_metrics.csv", index=False))
        if lls:
            facts.append((f"# Lead and lag on {names[0]} (positive: follows)", ""))
            for ll in lls:
                facts.append(
                    (
                        ll.b_name,
                        f"lag {ll.best_lag:+d} d, r = {ll.best_ccf:.2f}, "
                        + ("significant" if ll.significant else "not significant"),
                    )
                )
            with pl.house_style():
                fig = Figure(figsize=(7.2, 2.6 * ((len(lls) + 1) // 2)))
                for i, ll in enumerate(lls):
                    pl.plot_lead_lag(ll, ax=fig.add_subplot((len(lls) + 1) // 2, 2, i + 1))
                pl._finish(fig, True, pl.source_note())
            figures.append(("lead_lag", fig))
            table = pd.concat({ll.b_name: ll.table for ll in lls}, names=["metric", "lag"])
            files.append(_csv(table.reset_index(), out / "joint_lead_lag.csv", index=False))
        if run.problems:
            facts.append(("# Not done (the reason, as the package said it)", ""))
            facts += [(f"  {k}", v[:70]) for k, v in run.problems.items()]
        for name, fig in figures:
            for fmt in fmts:
                files.append(
                    pl.save_figure(
                        fig, out / f"joint_{name}.{fmt}", title=f"joint: {name}", dpi=dpi
                    )
                )
        buf = io.BytesIO()
        meta = {
            "Creator": "intensity",
            "Producer": "intensity (matplotlib)",
            "CreationDate": None,
            "Title": "intensity report: several metrics",
        }
        with pl.house_style(), PdfPages(buf, metadata=meta) as pdf:
            for page in _text_pages("intensity report: several metrics", facts, note):
                pdf.savefig(page)
            for _, fig in figures:
                pdf.savefig(fig)
        rp = out / "joint_report.pdf"
        atomic_write_bytes(rp, buf.getvalue())
        files.append(rp)
        return {
            "metric": label,
            "first": sub.index[0],
            "last": sub.index[-1],
            "days": len(sub),
            "breaks": len(res.breaks) if res is not None else pd.NA,
            "status": "complete" if not run.problems else "partial",
            "not_done": "; ".join(f"{k}: {v}" for k, v in run.problems.items()),
            "model": "negbin (joint)",
        }


class _Steps:
    """Runs the steps of one metric's report: a step that fails is recorded with the
    package's reason (and said), and the other steps go on."""

    def __init__(self, metric: str, say: Callable[[str], None]) -> None:
        self.metric = metric
        self.say = say
        self.problems: dict[str, str] = {}

    def __call__(self, step: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        try:
            return fn(*args, **kw)
        except IntensityError as exc:
            self.problems[step] = str(exc)
        except Exception as exc:  # noqa: BLE001 - one step must not end the whole report
            self.problems[step] = f"internal error {type(exc).__name__}: {exc} (please report)"
        self.say(f"[{self.metric}] {step}: not done: {self.problems[step]}")
        return None


def _p(tests: pd.DataFrame, comp: str) -> float:
    if comp not in tests.index:
        return float("nan")
    return float(tests["p_value"].to_dict()[comp])


def _test_text(tests: pd.DataFrame, comp: str) -> str:
    if comp not in tests.index:
        return "not fitted"
    r = tests.to_dict("index")[comp]
    den = r.get("df_denominator", float("nan"))
    if not pd.isna(den):  # an F test: both degrees of freedom, the statistic on the F scale
        f_stat = r["statistic"] / r["df"]
        return f"{r['method']}: F({int(r['df'])}, {den:.0f}) = {f_stat:.2f}, p = {r['p_value']:.3g}"
    return f"{r['method']}: {r['statistic']:.1f} on {int(r['df'])} df, p = {r['p_value']:.3g}"


def _extreme(table: pd.DataFrame, fn: Callable[..., Any]) -> str:
    key = fn(table.index, key=lambda i: table.loc[i, "rate_ratio"])
    r = table.loc[key]
    return f"{key}: {r['rate_ratio']:.3f} (95% CI {r['ci_lower']:.3f}–{r['ci_upper']:.3f})"
