"""The raw → processed pipeline behind ``intensity build``.

Every readable file in the raw folder becomes a tidy CSV (``date, metric, value``; missing
days are empty cells) in the processed folder, with a JSON sidecar recording provenance:
input file names and SHA-256, package version, row counts and the quality findings.
Raw files are only read. Outputs are written atomically (temporary file + rename) and
contain no time stamps, so running the build twice gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd

from ._typing import AbsentDays
from .exceptions import DataFormatError, IntensityError
from .io import (
    _LOSS_FILE_STEMS,
    LOSS_SIDE_FILES,
    _quality_frame,
    _quality_records,
    check_counts_options,
    quality_events,
    read_counts,
    read_losses,
    validate,
)

__all__ = [
    "build",
    "BuildResult",
    "atomic_write_bytes",
    "sha256_file",
    "to_tidy",
    "summarize",
    "read_processed",
]

_DATA_SUFFIXES = {".csv", ".json"}


def sha256_file(path: Path) -> str:
    """SHA-256 hex digest of a file, read in chunks.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from intensity.pipeline import sha256_file
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "empty"
    >>> _ = p.write_bytes(b"")
    >>> sha256_file(p)[:16]
    'e3b0c44298fc1c14'
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


#: a temporary whose writer cannot be told (an older naming) is stale after this long
_STALE_SECONDS = 3600.0


def _is_stale(tmp: Path) -> bool:
    """A temporary of :func:`atomic_write_bytes` (``.NAME.<pid>.<random>.tmp``) is stale
    when the process that wrote it is gone; one without a process id when it is an hour
    old. A live writer's temporary is never touched (two builds at once must not delete
    each other's files)."""
    import time

    parts = tmp.name[: -len(".tmp")].rsplit(".", 2)
    if len(parts) == 3 and parts[1].isdigit():
        return not _pid_alive(int(parts[1]))
    try:
        return time.time() - tmp.stat().st_mtime > _STALE_SECONDS
    except OSError:
        return False


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove temporary files of :func:`atomic_write_bytes`'s naming left beside *path* by
    a process that was killed before it could rename or delete them (see
    :func:`_is_stale`: a temporary of a process still running is kept)."""
    removed = []
    if path.parent.is_dir():
        for tmp in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
            try:
                if _is_stale(tmp):
                    tmp.unlink()
                    removed.append(tmp)
            except OSError:
                pass
    return removed


def glob_escape(name: str) -> str:
    """*name* with the glob characters ``* ? [`` taken literally."""
    import glob

    return glob.escape(name)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write *data* to *path* atomically: a temporary file in the same folder, then rename.

    The file gets the permissions a plain ``open()`` would give it (``0666`` less the
    umask, e.g. ``0644``), not ``mkstemp``'s ``0600``. Temporaries that a killed earlier
    run left for the same *path* are removed first; the temporary's name carries this
    process's id, so a concurrent writer's temporary is left alone. An ``OSError`` (disk
    full, no permission) names *path*.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from intensity.pipeline import atomic_write_bytes
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.csv"
    >>> atomic_write_bytes(p, b"date,tank\\n2024-01-01,3\\n")
    >>> p.read_bytes()
    b'date,tank\\n2024-01-01,3\\n'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent
    )
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if exc.filename is None or str(exc.filename) == tmp:
            raise type(exc)(exc.errno, exc.strerror, str(path)) from None
        raise
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def to_tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Wide daily frame → long ``date, metric, value`` (missing days kept as NaN rows).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from intensity.pipeline import to_tidy
    >>> wide = pd.DataFrame({"tank": [3.0, np.nan]}, index=pd.date_range("2024-01-01", periods=2))
    >>> to_tidy(wide).columns.tolist(), len(to_tidy(wide))
    (['date', 'metric', 'value'], 2)
    """
    long = (
        frame.rename_axis("date")
        .reset_index()
        .melt(id_vars="date", var_name="metric", value_name="value")
    )
    long["date"] = pd.to_datetime(long["date"]).dt.strftime("%Y-%m-%d")
    return long.sort_values(["metric", "date"], kind="stable").reset_index(drop=True)


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.10g").encode("utf-8")


def summarize(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per metric: first and last date, observed and missing days, mean, median,
    mean of the last 28 days.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from intensity.pipeline import summarize
    >>> wide = pd.DataFrame({"tank": [3.0, np.nan, 5.0]},
    ...                     index=pd.date_range("2024-01-01", periods=3))
    >>> row = summarize(wide).loc["tank"]
    >>> int(row["observed"]), int(row["missing"]), float(row["mean"])
    (2, 1, 4.0)
    """
    rows = []
    for col in frame.columns:
        s = frame[col]
        valid = s.dropna()
        if valid.empty:
            continue
        rows.append(
            {
                "metric": col,
                "first": valid.index[0].strftime("%Y-%m-%d"),
                "last": valid.index[-1].strftime("%Y-%m-%d"),
                "observed": int(valid.size),
                "missing": int(s.loc[valid.index[0] : valid.index[-1]].isna().sum()),
                "mean": round(float(valid.mean()), 1),
                "median": float(valid.median()),
                "last_28d_mean": round(float(s.iloc[-28:].mean()), 1),
            }
        )
    return pd.DataFrame(rows).set_index("metric") if rows else pd.DataFrame()


@dataclass(frozen=True)
class BuildResult:
    """What one ``build`` wrote: per dataset, its frame and the output paths.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from intensity.pipeline import build
    >>> raw, out = (pathlib.Path(tempfile.mkdtemp()) for _ in range(2))
    >>> _ = (raw / "tank.csv").write_text("date,tank\\n2024-01-01,3\\n2024-01-02,5\\n")
    >>> res = build(raw, out)
    >>> type(res).__name__, sorted(p.name for p in res.outputs)
    ('BuildResult', ['tank.csv', 'tank.json'])
    """

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: per dataset, the quality findings its sidecar records (:func:`~intensity.validate`)
    quality: dict[str, pd.DataFrame] = field(default_factory=dict)
    outputs: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: ``(file names, reason)`` of every dataset that could not be read; its outputs were
    #: not written (older ones are left as they were) and the others were.
    failed: list[tuple[str, str]] = field(default_factory=list)


def _datasets(
    raw: Path, skipped: list[str], counts: Callable[[Path], pd.DataFrame] = read_counts
) -> list[tuple[str, list[Path], Callable[[Path], pd.DataFrame]]]:
    files = []
    for p in sorted(raw.iterdir()):
        if p.is_file() and p.suffix.lower() in _DATA_SUFFIXES:
            why = _not_a_series(p)
            if why:
                skipped.append(f"{p.name}: {why}")
            else:
                files.append(p)
    loss_files = [p for p in files if p.stem in _LOSS_FILE_STEMS]
    others = [p for p in files if p.stem not in _LOSS_FILE_STEMS and not p.name.startswith(".")]
    out: list[tuple[str, list[Path], Callable[[Path], pd.DataFrame]]] = []
    if loss_files:
        out.append(("losses", loss_files, lambda _p: read_losses(raw)))
    for p in others:
        out.append((p.stem, [p], counts))
    return out


def _not_a_series(p: Path) -> str:
    """Why a data file of the raw folder is not a daily series ('' when it is one)."""
    if p.stem in LOSS_SIDE_FILES:
        return "side table of the loss dataset, not a daily series"
    if p.stem.endswith("_manifest"):
        return "download manifest"
    return ""


def _output_clashes(
    datasets: list[tuple[str, list[Path], Callable[[Path], pd.DataFrame]]],
) -> dict[str, str]:
    """Datasets whose outputs would overwrite each other's (``eng.csv`` and ``eng.json``
    both make ``eng.csv``; a raw ``losses.csv`` beside the loss tables; names that differ
    only in case, one file on a case-insensitive disk): ``{name: reason}`` for each."""
    by_out: dict[str, list[tuple[str, list[Path]]]] = {}
    for name, files, _ in datasets:
        by_out.setdefault(name.casefold(), []).append((name, files))
    bad: dict[str, str] = {}
    for group in by_out.values():
        if len(group) < 2:
            continue
        names = " and ".join(", ".join(f.name for f in files) for _, files in group)
        for name, _ in group:
            bad[name] = (
                f"{names} would all write processed/{group[0][0]}.csv; rename one of them "
                "(nothing was written for them)"
            )
    return bad


def build(
    raw: str | os.PathLike[str] = "data/raw",
    processed: str | os.PathLike[str] = "data/processed",
    *,
    progress: Callable[[str], None] | None = None,
    date_column: str = "date",
    absent: AbsentDays = "missing",
) -> BuildResult:
    """Turn every data file in *raw* into a tidy CSV and a JSON sidecar in *processed*.

    Loss tables (``russia_losses_personnel``/``russia_losses_equipment``) are read together
    with :func:`~intensity.read_losses` into ``losses.csv``; every other CSV/JSON file with
    :func:`~intensity.read_counts` into ``<name>.csv``.

    Parameters
    ----------
    raw, processed
        Input and output folders. *raw* is never written to.
    progress
        Called with a line of text per step (the CLI prints them).
    date_column, absent
        How the counts files are read (:func:`~intensity.read_counts`): the name of
        their date column (``"day"`` for VIINA's and UCDP's daily tables) and what a
        day absent from them is (``"zero"`` for a list of the days with events, as
        UCDP's); the loss tables are read as they are.

    Returns
    -------
    BuildResult

    Every dataset is tried: one that cannot be read is listed in ``BuildResult.failed``
    (and said through *progress*); the others are written.

    Raises
    ------
    DataFormatError
        When *raw* does not exist or holds no data file.

    Examples
    --------
    >>> import intensity.pipeline as pl, tempfile, pathlib
    >>> raw = pathlib.Path(tempfile.mkdtemp()); out = raw.parent / (raw.name + "_out")
    >>> _ = (raw / "e.csv").write_text("date,engagements\\n2024-12-14,274\\n")
    >>> [p.name for p in pl.build(raw, out).outputs]
    ['e.csv', 'e.json']
    """
    from . import __version__

    raw_p, out_p = Path(raw), Path(processed)
    if not raw_p.is_dir():
        raise DataFormatError(f"{raw_p}: raw data folder does not exist")
    check_counts_options(date_column, absent)
    result = BuildResult()
    counts = partial(read_counts, date_column=date_column, absent=absent)
    datasets = _datasets(raw_p, result.skipped, counts)
    if not datasets:
        raise DataFormatError(
            f"{raw_p}: no CSV or JSON data files; fetch some with 'intensity fetch losses' "
            "or copy them there"
        )
    say = progress or (lambda _m: None)
    for line in result.skipped:
        say(f"skipped {line}")
    clashes = _output_clashes(datasets)
    for name, files, reader in datasets:
        names = ", ".join(f.name for f in files)
        if name in clashes:
            result.failed.append((names, clashes[name]))
            say(f"could not build {names}: {clashes[name]}")
            continue
        say(f"reading {names}")
        try:
            frame = reader(files[0])
        except IntensityError as exc:
            result.failed.append((names, str(exc)))
            say(f"could not read {names}: {exc}")
            continue
        quality = validate(frame)
        csv_path, side_path = _write_dataset(name, files, frame, quality, out_p, __version__)
        say(f"wrote {csv_path} ({len(frame) * len(frame.columns)} rows) and {side_path.name}")
        result.frames[name] = frame
        result.quality[name] = quality
        result.outputs.extend([csv_path, side_path])
    return result


def _write_dataset(
    name: str,
    files: list[Path],
    frame: pd.DataFrame,
    quality: pd.DataFrame,
    out_p: Path,
    version: str,
) -> tuple[Path, Path]:
    """The tidy CSV, then its JSON sidecar with the findings *quality*: written last, it
    records the CSV's SHA-256, so a CSV and a sidecar of two different builds (a kill
    between the two renames) are told apart on reading (:func:`read_processed`)."""
    tidy = to_tidy(frame)
    csv_path = out_p / f"{name}.csv"
    side_path = out_p / f"{name}.json"
    data = _csv_bytes(tidy)
    atomic_write_bytes(csv_path, data)
    q = quality.assign(date=quality["date"].dt.strftime("%Y-%m-%d"))
    findings = quality_events(frame)
    findings = findings.assign(date=findings["date"].dt.strftime("%Y-%m-%d"))
    sidecar = {
        "dataset": name,
        "package": "intensity",
        "version": version,
        "inputs": [
            {"file": f.name, "sha256": sha256_file(f), "bytes": f.stat().st_size} for f in files
        ],
        "output": csv_path.name,
        "output_sha256": hashlib.sha256(data).hexdigest(),
        "layout": "long: date, metric, value (empty value = missing day)",
        "rows": int(len(tidy)),
        "days": int(len(frame)),
        "first_date": frame.index[0].strftime("%Y-%m-%d"),
        "last_date": frame.index[-1].strftime("%Y-%m-%d"),
        "metrics": {
            str(c): {
                "observed": int(frame[c].notna().sum()),
                "missing": int(frame[c].isna().sum()),
            }
            for c in frame.columns
        },
        "quality_counts": {
            str(k): int(v) for k, v in q["kind"].value_counts().sort_index().items()
        },
        "quality": json.loads(q.to_json(orient="records")),
        # what the reader found (stalls, catch-ups, rounding, ...): read back into
        # attrs['quality'] by read_processed, so an analysis of the processed file knows
        # them as an analysis of the raw tables does
        "reader_findings": json.loads(findings.to_json(orient="records")),
    }
    text = json.dumps(sidecar, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    atomic_write_bytes(side_path, text.encode("utf-8"))
    return csv_path, side_path


def _load_sidecar(p: Path) -> dict[str, object]:
    """The JSON sidecar of processed CSV *p*; a :class:`DataFormatError` when it is
    missing or unreadable."""
    side = p.with_suffix(".json")
    if not side.is_file():
        raise DataFormatError(
            f"{p}: no sidecar {side.name} beside it; processed files come in pairs written "
            "by 'intensity build' (run it again)"
        )
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise DataFormatError(f"{side}: cannot be read as a build sidecar ({exc})") from None
    if not isinstance(meta, dict):
        raise DataFormatError(f"{side}: not a build sidecar (a JSON object)")
    return meta


def processed_sidecar(path: str | os.PathLike[str]) -> dict[str, object] | None:
    """The sidecar of a CSV that ``intensity build`` wrote; None for any other CSV (no
    sidecar, an unreadable one, or one that is not ours)."""
    try:
        meta = _load_sidecar(Path(path))
    except DataFormatError:
        return None
    return meta if meta.get("package") == "intensity" else None


def read_processed(
    path: str | os.PathLike[str], sidecar: dict[str, object] | None = None
) -> pd.DataFrame:
    """Read a processed tidy CSV back into a wide daily frame (see :func:`read_counts`),
    with the reader's quality findings from its JSON sidecar in ``attrs['quality']``.

    *sidecar* is the sidecar when the caller has read it already
    (:func:`processed_sidecar`); by default it is read here.

    Raises
    ------
    DataFormatError
        The sidecar is missing or unreadable, or records another SHA-256 than the CSV has
        (the CSV and the sidecar come from two different builds: an interrupted build).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from intensity.pipeline import build, read_processed
    >>> raw, out = (pathlib.Path(tempfile.mkdtemp()) for _ in range(2))
    >>> _ = (raw / "tank.csv").write_text("date,tank\\n2024-01-01,3\\n2024-01-02,5\\n")
    >>> _ = build(raw, out)
    >>> read_processed(out / "tank.csv")["tank"].tolist()
    [3.0, 5.0]
    """
    p = Path(path)
    meta = _load_sidecar(p) if sidecar is None else sidecar
    digest = meta.get("output_sha256")
    if digest is not None and digest != sha256_file(p):
        raise DataFormatError(
            f"{p}: does not match its sidecar {p.with_suffix('.json').name} (SHA-256 "
            "differs): the two come from different builds, e.g. an interrupted one; run "
            "'intensity build' again"
        )
    frame = read_counts(p)
    recs = meta.get("reader_findings")
    if isinstance(recs, list):
        q = _quality_frame(r for r in recs if isinstance(r, dict))
        frame.attrs["quality"] = _quality_records(q)
    frame.attrs["source"] = [p.name]
    return frame
