"""What a report runs on: the input read (loss tables, processed files, a counts file, a
table of hand-collected engagement figures, the simulated demo series), the options
checked up front, the date window, the provenance of the inputs."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataFormatError, ParameterError


def load_input(
    path: str | os.PathLike[str] | None,
    periods: str | os.PathLike[str] | None = None,
    date_column: str = "date",
    absent: str = "missing",
) -> pd.DataFrame:
    """The data a report runs on: a folder of loss tables, a folder of processed files, one
    counts file (see :func:`intensity.read_counts`) or a table of hand-collected
    engagement figures (columns day, window, total, …: see :func:`engagement_figures`).

    *periods* is a table of period figures of the engagement count (monthly totals, means
    per day, peak days: :func:`~intensity.reports.read_period_figures`), for a table of
    hand-collected figures only: the daily figures are checked against them and the
    report's reconstructed series uses them.

    Processed files (``intensity build``'s CSVs with their JSON sidecars) are read with
    :func:`intensity.pipeline.read_processed`, so the reader's quality findings (stalls,
    catch-ups, rounding) come with them. A metric found in two files of the folder is an
    error naming both: one of them would otherwise be dropped unseen.

    ``attrs['caption']`` names the source the figures will say: the General Staff for its
    loss tables (and files built from them) and for figures read from its reports; for any
    other file, its name and that the source is not stated (``--source`` names it).

    *date_column* names the date column of a counts file (``--date-column``), e.g.
    ``day`` for the VIINA and UCDP daily tables; *absent* (``--absent-days``) says what
    a day absent from a counts file is (:func:`intensity.read_counts`).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from intensity.report import load_input
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = p.write_text("day,events\\n2024-01-01,3\\n2024-01-03,5\\n")
    >>> load_input(p, date_column="day", absent="zero")["events"].tolist()
    [3.0, 0.0, 5.0]
    """
    p = Path(path) if path is not None else Path("data/processed")
    if periods is not None:
        from ..reports.periods import read_period_figures

        table = read_period_figures(periods)
        if not (p.is_file() and _is_figure_table(p)):
            raise ParameterError(
                "--periods checks a table of hand-collected engagement figures (columns day, "
                f"window, total); {p} is not one"
            )
        frame = engagement_figures(p, periods=table)
    else:
        frame = _load(p, date_column, absent)
    frame.attrs["caption"] = _caption(frame, p)
    return frame


def _load(p: Path, date_column: str = "date", absent: Any = "missing") -> pd.DataFrame:
    from ..io import read_counts, read_losses
    from ..pipeline import processed_sidecar, read_processed

    if p.is_dir():
        if _has_loss_tables(p):
            return read_losses(p)
        files = sorted(f for f in p.glob("*.csv") if not f.name.startswith("."))
        if not files:
            raise DataFormatError(
                f"{p}: no data to report on. Run 'intensity fetch losses' and 'intensity build' "
                "first, or pass --input with a folder of loss tables or a counts file "
                "(e.g. --input ../shared/data/petroivaniuk_losses)"
            )
        frames = []
        general_staff = True
        for f in files:
            meta = processed_sidecar(f)
            frames.append(
                read_counts(f, date_column=date_column, absent=absent)
                if meta is None
                else read_processed(f, meta)
            )
            general_staff = general_staff and meta is not None and _built_from_losses(meta)
        out = _combine(frames, files)
        out.attrs["general_staff"] = general_staff
        return out
    if p.exists():
        if _is_figure_table(p):
            return engagement_figures(p)
        return read_counts(p, date_column=date_column, absent=absent)
    raise DataFormatError(f"{p}: no such file or folder")


def _has_loss_tables(p: Path) -> bool:
    from ..io import _LOSS_FILE_STEMS

    return any(
        (p / f"{stem}{ext}").exists() for stem in _LOSS_FILE_STEMS for ext in (".json", ".csv")
    )


def _built_from_losses(meta: dict[str, Any]) -> bool:
    """Whether a processed file was built from the General Staff's loss tables only."""
    from ..io import _LOSS_FILE_STEMS

    inputs = meta.get("inputs") or []
    stems = {Path(str(i.get("file", ""))).stem for i in inputs if isinstance(i, dict)}
    return bool(stems) and stems <= set(_LOSS_FILE_STEMS)


#: the caption of figures read from the General Staff's reports by news pages
FIGURES_NOTE = (
    "Source: General Staff figures as reported by the news pages listed in {name} "
    "(claims, not independently verified)"
)


def _caption(frame: pd.DataFrame, p: Path) -> str:
    """The source caption of the data *load_input* read from *p*."""
    from ..plotting import SOURCE_NOTE

    if p.is_dir() and (_has_loss_tables(p) or frame.attrs.get("general_staff")):
        return SOURCE_NOTE
    if frame.attrs.get("figures") is not None:
        return FIGURES_NOTE.format(name=p.name)
    names = ", ".join(str(n) for n in (frame.attrs.get("source") or [p.name])[:3])
    return f"Source: {names} (not stated; name it with --source)"


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


_FORMATS = ("pdf", "png", "svg")


def _check_report_options(
    model: str, penalty: str | float, formats: Sequence[str], dpi: int, seed: int = 0
) -> tuple[str, ...]:
    """Validate the report options up front (a bad one stops the run before any work;
    a seed of -1 was two internal errors in the report)."""
    from .._validation import check_choice, check_whole
    from ..costs import COSTS

    check_whole("seed", seed, 0)
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
            from .._dates import parse_date_column

            try:
                return pd.Timestamp(parse_date_column(pd.Series([v]), where=what)[0])
            except DataFormatError:  # a value of an option, not a column of a file
                raise ParameterError(
                    f"{what} must be a calendar date (YYYY-MM-DD or DD.MM.YYYY), got {v!r}"
                ) from None
        from .._validation import check_date

        return check_date(what, v).normalize()

    a, b = day(start, "start"), day(end, "end")
    if a is not None and b is not None and a > b:
        raise ParameterError(f"start must not be after end, got {a:%Y-%m-%d} > {b:%Y-%m-%d}")
    out = frame.loc[a:b]
    if out.empty:
        raise ParameterError(
            f"no data between {start or 'the start'} and {end or 'the end'} (the data run "
            f"{frame.index[0]:%Y-%m-%d} … "
            f"{frame.index[-1]:%Y-%m-%d})"
        )
    out.attrs = dict(frame.attrs)
    # the reader's findings inside the window only (a 2022 stall is no artefact of a
    # report on 2024-25)
    recs = out.attrs.get("quality")
    if isinstance(recs, list):
        from ..io import dated_within

        keep = dated_within((r.get("date") for r in recs), out.index[0], out.index[-1])
        out.attrs["quality"] = [r for r, k in zip(recs, keep, strict=True) if k]
    return out


def _provenance(inputs: Sequence[str | os.PathLike[str]]) -> tuple[str, list[tuple[str, str]]]:
    """The package version and (file name, SHA-256) of every input file (files in a
    folder one by one, sorted)."""
    import hashlib

    from .. import __version__

    out = []
    for p in map(Path, inputs):
        files = sorted(f for f in p.iterdir() if f.is_file()) if p.is_dir() else [p]
        for f in files:
            out.append((f.name, hashlib.sha256(f.read_bytes()).hexdigest()))
    return __version__, out


def _is_figure_table(p: Path) -> bool:
    """A CSV in the layout of hand-collected engagement figures (day, window, total…);
    a UTF-8 byte-order mark and quotes around the names are allowed."""
    if p.suffix.lower() != ".csv" or not p.is_file():
        return False
    with open(p, "rb") as fh:
        first = fh.readline(4096)
    head = first.decode("utf-8-sig", errors="replace").strip().lower().split(",")
    return {"day", "window", "total"} <= {h.strip().strip('"').strip() for h in head}


def engagement_figures(path: str | os.PathLike[str], periods: Any = None) -> pd.DataFrame:
    """The daily whole-day engagement series from a table of hand-collected figures
    (:func:`intensity.reports.reports_from_table`): one column ``engagements``, NaN on
    days without a whole-day figure (partial figures are not mixed in; the daily table
    with the partial columns and the nowcast is :func:`intensity.engagements_daily`).
    With *periods* (a table of period figures), the figures are checked against them
    (contradictions are quality findings) and the table is kept in ``attrs['periods']``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from intensity.report import engagement_figures
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "figures.csv"
    >>> _ = p.write_text("day,window,hour,total,floor\\n2025-01-10,day,,190,0\\n"
    ...                  "2025-01-12,day,,201,0\\n2025-01-12,partial,16,120,0\\n")
    >>> engagement_figures(p)["engagements"].tolist()
    [190.0, nan, 201.0]
    """
    from ..reports import engagements_daily, reports_from_table

    daily = engagements_daily(reports_from_table(path), periods=periods)
    out = daily[["engagements"]].astype(float)
    out.attrs["quality"] = daily.attrs.get("quality")
    # plain values only in attrs: pandas compares attrs when frames are combined, and a
    # DataFrame there makes pd.concat fail
    out.attrs["figures"] = _plain_frame(daily)
    out.attrs["nowcast"] = _plain_frame(daily.attrs.get("nowcast", pd.DataFrame()))
    if periods is not None:
        out.attrs["periods"] = _plain_frame(periods)
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
    spikes, a dip and a 40-day +30% surge.

    Examples
    --------
    >>> from intensity.report import demo_series
    >>> demo = demo_series()
    >>> demo.columns.tolist(), bool(demo.index.freqstr == "D")
    (['simulated'], True)
    """
    from ..simulate import simulate_counts

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
