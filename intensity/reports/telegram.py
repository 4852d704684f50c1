"""Telegram exports of the General Staff's channel: text of a message, its date, and the
whole export as a table of parsed reports.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .dates import _local
from .model import Report
from .parse import merge_parts, parse_report


def _telegram_text(text: Any) -> str:
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        parts = []
        for t in text:
            if isinstance(t, str):
                parts.append(t)
            elif isinstance(t, dict):
                parts.append(str(t.get("text", "")))
        return "".join(parts)
    return ""


def parse_with_date(text: str, published: Any, label: str) -> Report | None:
    """:func:`parse_report`, but a *published* that is no usable time (a broken export)
    is dropped with a warning on the report instead of raising.

    Examples
    --------
    >>> from intensity.reports import parse_with_date
    >>> r = parse_with_date("Станом на 22.00 14.12.2024 відбулося 190 бойових зіткнень.",
    ...                     "not a time", "message 5")
    >>> r.total, r.warnings[0][:44]
    (190, 'message 5: published must be a date and time')
    """
    from ..exceptions import ParameterError

    try:
        _local(published)
    except ParameterError as exc:
        r = parse_report(text, published=None)
        if r is None:
            return None
        return replace(r, warnings=(*r.warnings, f"{label}: {exc}; publication time ignored"))
    return parse_report(text, published=published)


def read_telegram_export(path: Any) -> Any:
    """Reports from a Telegram Desktop JSON export of the channel (``result.json``).

    One row per report (multipart posts joined), latest edit winning when a message
    appears more than once; posts that are not operational reports are skipped.
    Columns: ``message_id``, ``published``, ``edited`` and the fields of
    :meth:`Report.to_record`, plus ``report`` (the :class:`Report`).

    Raises
    ------
    DataFormatError
        When the file is not a Telegram export (or not JSON, or nested too deeply).

    Messages whose ``id`` is not a number or text are skipped (their count is in
    ``attrs['skipped_messages']``); a message with a ``date`` that is not a time is parsed
    without it, with a warning on its report.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> from intensity import read_telegram_export
    >>> msg = {"id": 7, "type": "message", "date": "2024-12-15T08:03:00",
    ...        "text": "Оперативна інформація станом на 08.00 15.12.2024. Загалом протягом "
    ...                "минулої доби зафіксовано 251 бойове зіткнення."}
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "result.json"
    >>> _ = p.write_text(json.dumps({"name": "GeneralStaffZSU", "messages": [msg]}))
    >>> rows = read_telegram_export(p)
    >>> rows[["message_id", "total"]].values.tolist()
    [[7, 251]]
    """

    import pandas as pd

    from ..io import _file_path

    latest, skipped = _latest_messages(_messages(_file_path(path)))
    rows = []
    groups: dict[tuple[Any, int], list[tuple[Any, dict[str, Any], Report]]] = {}
    for mid, m in latest.items():
        r = parse_with_date(_telegram_text(m.get("text", "")), m.get("date"), f"message {mid}")
        if r is None:
            continue
        if r.part is not None and r.header_time is not None:
            groups.setdefault((r.header_time, r.part[1]), []).append((mid, m, r))
        else:
            rows.append(_row(mid, m, r))
    for parts in groups.values():
        parts.sort(key=lambda x: x[2].part or (0, 0))
        merged = merge_parts([r for _, _, r in parts])[0]
        mid, m, _ = parts[0]
        rows.append(_row(mid, m, merged))
    df = pd.DataFrame(rows)
    if len(df):
        df = df.sort_values(
            ["header_time", "published"], kind="stable", na_position="last"
        ).reset_index(drop=True)
    df.attrs["skipped_messages"] = skipped
    return df


def _messages(p: Any) -> list[Any]:
    """The ``messages`` list of a Telegram Desktop export."""
    import json

    from ..exceptions import DataFormatError
    from ..io import _read_text

    try:
        obj = json.loads(_read_text(p))
    except json.JSONDecodeError as exc:
        raise DataFormatError(f"{p}: not JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise DataFormatError(f"{p}: JSON nested too deeply for a Telegram export") from None
    except ValueError as exc:  # e.g. an integer longer than Python's 4,300-digit limit
        raise DataFormatError(f"{p}: JSON cannot be read ({exc})") from None
    msgs = obj.get("messages") if isinstance(obj, dict) else None
    if not isinstance(msgs, list):
        raise DataFormatError(f"{p}: not a Telegram export (no 'messages' list)")
    return msgs


def _latest_messages(msgs: list[Any]) -> tuple[dict[Any, dict[str, Any]], int]:
    """Each message id's latest version (by edit time, else date), and the number of
    messages skipped for an id that is not a number or its text."""
    latest: dict[Any, dict[str, Any]] = {}
    skipped = 0
    for m in msgs:
        if not isinstance(m, dict) or m.get("type", "message") != "message":
            continue
        mid = m.get("id")
        if isinstance(mid, bool) or not isinstance(mid, (int, str)):
            skipped += 1  # a message id is a number (or its text)
            continue
        prev = latest.get(mid)
        if prev is None or _stamp(m) >= _stamp(prev):
            latest[mid] = m
    return latest, skipped


def _stamp(m: dict[str, Any]) -> str:
    return str(m.get("edited") or m.get("date") or "")


def _row(mid: Any, m: dict[str, Any], r: Report) -> dict[str, Any]:
    """A message's row of the table."""
    return {
        "message_id": mid,
        "published": r.published,
        "edited": m.get("edited"),
        **r.to_record(),
        "report": r,
    }
