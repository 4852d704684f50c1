"""How a report's files are written: CSV tables (atomic, formula-safe), file-name stems,
the staging folder and the manifest that publishes a run as one set."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

#: what the rows of each table are, for tables whose index has no name
_INDEX_NAMES = {
    "segments": "segment",
    "episodes": "episode",
    "artefacts": "artefact",
    "penalty_path": "segmentation",
    "quality": "date",
    "spikes": "date",
    "baseline": "date",
    "breaks": "date",
}


def _fmt_date(d: Any) -> str:
    return "" if pd.isna(d) else pd.Timestamp(d).strftime("%Y-%m-%d")


def _csv(frame: pd.DataFrame, path: Path, index: bool = True, index_name: str = "row") -> Path:
    """Write *frame* atomically; an unnamed index gets *index_name* (no CSV has an unnamed
    first column)."""
    from ..pipeline import atomic_write_bytes

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


#: the list of a report folder's files, written last (see :func:`publish`)
MANIFEST = "manifest.json"


_STAGING_PREFIX = ".intensity-staging-"


def _new_staging(final: Path) -> Path:
    """A fresh staging folder inside *final* (named after this process); staging folders
    of processes that are gone are removed first."""
    import tempfile

    from ..pipeline import _pid_alive

    for old in final.glob(f"{_STAGING_PREFIX}*"):
        pid = old.name[len(_STAGING_PREFIX) :].split("-", 1)[0]
        if old.is_dir() and pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{os.getpid()}-", dir=final))


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, str]:
    """``{file name: SHA-256}`` of a report folder's last complete run (empty when there
    is no manifest: no complete run, or one of a version without manifests).

    Examples
    --------
    >>> import tempfile
    >>> from intensity import simulate_counts
    >>> from intensity.report import read_manifest, run_report
    >>> out = tempfile.mkdtemp()
    >>> _ = run_report(simulate_counts(400, seed=1).counts.rename("attacks"), out,
    ...                n_boot=19, n_sim=19)
    >>> manifest = read_manifest(out)
    >>> len(manifest["attacks_report.pdf"])  # its SHA-256
    64
    """
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
    manifest is written last.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from intensity.report import publish, read_manifest
    >>> staging, final = (pathlib.Path(tempfile.mkdtemp()) for _ in range(2))
    >>> _ = (staging / "a.csv").write_text("x\\n1\\n")
    >>> [p.name for p in publish(staging, final, [staging / "a.csv"])]
    ['a.csv']
    >>> list(read_manifest(final))
    ['a.csv']
    """
    import json

    from ..pipeline import atomic_write_bytes, sha256_file

    names = list(dict.fromkeys(Path(f).name for f in files))
    old = read_manifest(final)
    (final / MANIFEST).unlink(missing_ok=True)
    sums = {}
    for name in names:
        sums[name] = sha256_file(staging / name)
        os.replace(staging / name, final / name)
    for name in sorted(set(old) - set(names) - {MANIFEST}):
        (final / name).unlink(missing_ok=True)
    # listed by name: the listing does not depend on the order the sections wrote them
    listing = dict(sorted(sums.items()))
    text = json.dumps({"package": "intensity", "files": listing}, indent=2) + "\n"
    atomic_write_bytes(final / MANIFEST, text.encode("utf-8"))
    return [final / n for n in names]


@dataclass(frozen=True)
class Rows:
    """A table written without its index (a plain list of rows)."""

    frame: pd.DataFrame


def write_tables(out: Path, stem: str, tables: dict[str, Any]) -> list[Path]:
    """Each table as ``<stem>_<name>.csv`` (``None``: skipped; :class:`Rows`: without its
    index; an unnamed index is named as in :data:`_INDEX_NAMES`)."""
    files = []
    for name, tab in tables.items():
        if tab is None:
            continue
        if isinstance(tab, Rows):
            files.append(_csv(tab.frame, out / f"{stem}_{name}.csv", index=False))
        else:
            label = _INDEX_NAMES.get(name, "row")
            files.append(_csv(tab, out / f"{stem}_{name}.csv", index_name=label))
    return files


def write_report(
    path: Path,
    title: str,
    pages: list[Any],
    figures: list[tuple[str, Any]],
    stem: str,
    label: str,
    formats: Sequence[str],
    dpi: int,
) -> list[Path]:
    """Each of *figures* as ``<stem>_<name>.<format>`` titled ``<label>: <name>`` (in the
    folder of *path*), then *pages* as the report PDF *path*.

    Each figure is drawn into the report once; its own PDF is its page cut out of the
    report (the same drawing, fonts subset once for the whole set) instead of a second
    rendering. Other formats are saved from the figure."""
    from ..plotting import save_figure

    out = path.parent
    drawn = _pdf_bytes(title, pages)
    cut = _PageCutter(drawn) if "pdf" in formats else None
    files: list[Path] = []
    for name, fig in figures:
        index = _page_index(pages, fig) if cut is not None else None
        figure_title = f"{label}: {name}"
        for fmt in formats:
            target = out / f"{stem}_{name}.{fmt}"
            if cut is not None and index is not None and fmt == "pdf":
                files.append(cut.write(index, target, figure_title))
            else:
                files.append(save_figure(fig, target, title=figure_title, dpi=dpi))
    from ..pipeline import atomic_write_bytes

    atomic_write_bytes(path, _on_a4(drawn, title))
    files.append(path)
    return files


#: A4 portrait in PostScript points, the size of every page of a report
A4_POINTS = (595.28, 841.89)
#: the top margin of a figure placed on an A4 page (points; the text pages' title sits
#: about as low)
_FIGURE_TOP = 40.0


def _on_a4(pdf: bytes, title: str) -> bytes:
    """The report with every page A4 (issue 26: A4 text pages were mixed with 183 and 89
    mm figure pages): a smaller page is placed, unscaled, centred at the top of an A4
    page. The page's drawing is not parsed or copied: its content is wrapped in a
    translation (``q … cm … Q``) and its media box enlarged, so this costs milliseconds.
    The figure's own PDF stays its own size."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject, RectangleObject

    from ..plotting import pdf_metadata

    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    width, height = A4_POINTS
    for page in reader.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        out = writer.add_page(page)
        if abs(w - width) < 1 and abs(h - height) < 1:
            continue
        dx, dy = (width - w) / 2, max(height - _FIGURE_TOP - h, 0.0)
        pre, post = DecodedStreamObject(), DecodedStreamObject()
        pre.set_data(f"q 1 0 0 1 {dx:.3f} {dy:.3f} cm\n".encode())
        post.set_data(b"\nQ\n")
        body = out.raw_get("/Contents")
        parts = list(body) if isinstance(body, ArrayObject) else [body]
        out[NameObject("/Contents")] = ArrayObject(
            [writer._add_object(pre), *parts, writer._add_object(post)]
        )
        box = RectangleObject([0, 0, width, height])
        out.mediabox = box
        out.cropbox = box
        out.trimbox = box
    writer.add_metadata({f"/{k}": v for k, v in pdf_metadata(title).items() if v})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _page_index(pages: list[Any], fig: Any) -> int | None:
    """Where *fig* (the object itself) is among *pages*, or None."""
    return next((i for i, page in enumerate(pages) if page is fig), None)


class _PageCutter:
    """Single pages of one PDF, each written as a PDF of its own with the package's fixed
    metadata (no date: same input, same bytes)."""

    def __init__(self, pdf: bytes) -> None:
        from pypdf import PdfReader

        self._reader = PdfReader(io.BytesIO(pdf))

    def write(self, index: int, path: Path, title: str) -> Path:
        from pypdf import PdfWriter

        from ..pipeline import atomic_write_bytes
        from ..plotting import pdf_metadata

        writer = PdfWriter()
        writer.add_page(self._reader.pages[index])
        writer.add_metadata({f"/{k}": v for k, v in pdf_metadata(title).items() if v})
        buf = io.BytesIO()
        writer.write(buf)
        atomic_write_bytes(path, buf.getvalue())
        return path


def _pdf_bytes(title: str, pages: list[Any]) -> bytes:
    """*pages* (figures) as one PDF with fixed metadata (no date: same input, same
    bytes)."""
    from matplotlib.backends.backend_pdf import PdfPages

    from ..plotting import house_style, lean_font_subsets, pdf_metadata

    buf = io.BytesIO()
    with house_style(), lean_font_subsets(), PdfPages(buf, metadata=pdf_metadata(title)) as pdf:
        for page in pages:
            pdf.savefig(page)
    return buf.getvalue()
