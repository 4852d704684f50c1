"""Downloading upstream data into ``data/raw/``.

``fetch_losses`` downloads the current cumulative loss tables of the public
*2022-Ukraine-Russia-War-Dataset* (PetroIvaniuk, MIT licence). Files are written atomically
and their SHA-256 is recorded in ``fetch_manifest.json`` beside them.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from .exceptions import FetchError
from .pipeline import atomic_write_bytes, sha256_file

__all__ = [
    "fetch_losses",
    "fetch_engagements",
    "parse_preview_html",
    "http_get",
    "DEFAULT_LOSSES_URL",
    "USER_AGENT",
]

#: Folder of the upstream dataset's data files (override with ``--url`` or
#: the ``INTENSITY_LOSSES_URL`` environment variable).
DEFAULT_LOSSES_URL = (
    "https://raw.githubusercontent.com/PetroIvaniuk/2022-Ukraine-Russia-War-Dataset/main/data/"
)
LOSS_FILES = ("russia_losses_personnel.json", "russia_losses_equipment.json")
USER_AGENT = "intensity/0.1 (research package; +https://pypi.org/project/intensity/)"


def _offline(exc: BaseException) -> bool:
    """True for failures that a retry cannot cure soon: the name does not resolve, or the
    network is unreachable (answered at once, so the user hears it at once)."""
    import errno
    import socket

    reason = getattr(exc, "reason", exc)
    if isinstance(reason, socket.gaierror):
        return True
    return isinstance(reason, OSError) and reason.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH)


#: the largest response :func:`http_get` reads by default (the loss tables are about 1 MB)
MAX_RESPONSE_BYTES = 64 * 1024 * 1024


class _Refused(Exception):
    """A response that retrying cannot cure (too large)."""


def _read_bounded(resp: Any, url: str, max_bytes: int, deadline: float) -> bytes:
    """The body of *resp*, read a piece at a time: refused beyond *max_bytes* (whatever
    the server announced) and cut off at *deadline* (a server that trickles one byte at
    a time cannot keep it reading)."""
    length = resp.headers.get("Content-Length")
    if length is not None and length.strip().isdigit() and int(length) > max_bytes:
        raise _Refused(
            f"{url}: the server announces {int(length):,} bytes; at most {max_bytes:,} are read"
        )
    chunks: list[bytes] = []
    got = 0
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the whole response took longer than allowed ({got} bytes read)")
        piece = resp.read1(1 << 16)
        if not piece:
            break
        got += len(piece)
        if got > max_bytes:
            raise _Refused(f"{url}: the response is larger than {max_bytes:,} bytes; refused")
        chunks.append(piece)
    if getattr(resp, "length", None):  # bytes the server promised and did not send
        raise http.client.IncompleteRead(b"".join(chunks), resp.length)
    return b"".join(chunks)


def http_get(
    url: str,
    *,
    timeout: float = 10.0,
    retries: int = 3,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    max_bytes: int = MAX_RESPONSE_BYTES,
) -> bytes:
    """GET *url* with a real user agent, retrying with exponential back-off.

    Each attempt must deliver the whole response within *timeout* seconds (a stalled read
    is cut off at most *timeout* seconds later still) and at most *max_bytes* bytes; a
    larger response, announced or not, is refused without retrying. Client errors (4xx
    other than 429) are not retried. Raises :class:`FetchError` with a message that says
    whether the network is unreachable.

    Examples
    --------
    >>> import tempfile
    >>> from intensity import FetchError
    >>> from intensity.fetch import http_get
    >>> try:  # nothing listens on port 9: the error says what to do offline
    ...     http_get("http://127.0.0.1:9/x.json", retries=0, timeout=1)
    ... except FetchError as err:
    ...     print(str(err).split(";")[1].strip())
    are you offline? Copy the files into data/raw/ by hand or pass --url
    """
    last: Exception | None = None
    for attempt in range(retries + 1):
        req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            deadline = time.monotonic() + timeout
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
                return _read_bounded(resp, url, max_bytes, deadline)
        except _Refused as exc:
            raise FetchError(str(exc)) from None
        except urllib.error.HTTPError as exc:
            last = exc
            if 400 <= exc.code < 500 and exc.code != 429:
                raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
        except http.client.IncompleteRead as exc:
            last = ConnectionError(
                f"the response ended after {len(exc.partial)} bytes, before its stated length"
            )
        except http.client.HTTPException as exc:
            last = ConnectionError(f"broken HTTP response ({type(exc).__name__})")
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            last = exc
            if _offline(exc):
                raise FetchError(
                    f"{url}: no network ({getattr(exc, 'reason', exc)}); you seem to be "
                    "offline. Copy the files into data/raw/ by hand or pass --url"
                ) from None
        if attempt < retries:
            sleep(backoff * (2**attempt))
    reason = getattr(last, "reason", last)
    raise FetchError(
        f"{url}: download failed after {retries + 1} attempts ({reason}); are you offline? "
        "Copy the files into data/raw/ by hand or pass --url"
    )


def fetch_losses(
    raw: str | os.PathLike[str] = "data/raw",
    *,
    url: str | None = None,
    progress: Callable[[str], None] | None = None,
    retries: int = 3,
    timeout: float = 30.0,
    force: bool = False,
) -> dict[str, str]:
    """Download the upstream loss tables into *raw*; returns ``{file: sha256}``.

    All files are downloaded and read with :func:`~intensity.read_losses` (the same checks
    as any analysis) before any older copy is replaced; then they and
    ``fetch_manifest.json`` are moved in together. A failed or broken download (a 404 on
    the second file, a truncated response, a table that is no loss table) leaves *raw* as
    it was. So does a download that would lose data: fewer rows than the copy in *raw*,
    or a day that copy has and the download has not (``force=True`` replaces it anyway).
    The replaced files are kept in ``<raw>/backup/``.

    Examples
    --------
    >>> import tempfile
    >>> from intensity import FetchError
    >>> from intensity.fetch import fetch_losses
    >>> raw = tempfile.mkdtemp()
    >>> try:  # offline: nothing in raw is replaced
    ...     fetch_losses(raw, url="http://127.0.0.1:9/", retries=0, timeout=1)
    ... except FetchError as err:
    ...     print("download failed" in str(err))
    True
    """
    base = url or os.environ.get("INTENSITY_LOSSES_URL") or DEFAULT_LOSSES_URL
    if not base.endswith("/"):
        base += "/"
    out = Path(raw)
    say = progress or (lambda _m: None)
    got: dict[str, bytes] = {}
    rows: dict[str, list[object]] = {}
    for name in LOSS_FILES:
        say(f"downloading {base}{name}")
        data = http_get(base + name, retries=retries, timeout=timeout)
        got[name] = data
        rows[name] = _dated_records(data, f"{base}{name}")
        say(f"  {len(rows[name])} rows")
    # every file arrived: only now is anything in *raw* replaced. The files are written to
    # a temporary folder beside them, checked, and renamed in one go.
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".fetch-", dir=out))
    try:
        sums: dict[str, str] = {}
        for name, data in got.items():
            atomic_write_bytes(staging / name, data)
            sums[name] = sha256_file(staging / name)
        _check_download(staging, out, base, force, rows)
        manifest = {"source": base, "files": sums}
        atomic_write_bytes(
            staging / "fetch_manifest.json",
            (json.dumps(manifest, indent=2) + "\n").encode("utf-8"),
        )
        backup = out / "backup"
        for name in got:
            if (out / name).is_file():
                backup.mkdir(exist_ok=True)
                shutil.copy2(out / name, backup / name)
        for name in [*got, "fetch_manifest.json"]:
            os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for name, digest in sums.items():
        say(f"  {name}: sha256 {digest[:12]}…")
    return sums


def _dated_records(data: bytes, where: str) -> list[Any]:
    """The JSON list of dated records a loss file holds."""
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise FetchError(f"{where}: not a JSON file ({exc})") from None
    if not (isinstance(obj, list) and obj and isinstance(obj[0], dict) and "date" in obj[0]):
        raise FetchError(f"{where}: JSON is not a list of dated records")
    return obj


def _check_download(
    staging: Path, out: Path, base: str, force: bool, new: dict[str, list[object]]
) -> None:
    """The downloaded tables must read as loss tables, and (unless *force*) hold every day
    and at least as many rows as the tables they replace (*new*: the downloaded rows,
    parsed already)."""
    from .exceptions import IntensityError
    from .io import read_losses

    try:
        read_losses(staging)
    except IntensityError as exc:
        raise FetchError(f"{base}: the download is not a readable loss table ({exc})") from None
    if force:
        return
    for name in LOSS_FILES:
        if not (out / name).is_file():
            continue
        try:
            old_rows = json.loads((out / name).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            continue  # the old copy is unreadable: nothing to lose
        if not isinstance(old_rows, list):
            continue
        new_rows = new[name]
        old_days = {str(r.get("date")) for r in old_rows if isinstance(r, dict)}
        new_days = {str(r.get("date")) for r in new_rows if isinstance(r, dict)}
        lost = sorted(old_days - new_days)
        if lost or len(new_rows) < len(old_rows):
            what = (
                f"{len(lost)} day(s) the copy in {out} has, e.g. {lost[0]}"
                if lost
                else f"{len(new_rows)} rows where the copy in {out} has {len(old_rows)}"
            )
            raise FetchError(
                f"{base}{name}: the download would lose data ({what}); {out} was left as "
                "it was (pass --force to replace it anyway)"
            )


# =========================================================================== engagements
#: Public web preview of a Telegram channel (override with ``--url``).
DEFAULT_PREVIEW_URL = "https://t.me/s/"
DEFAULT_CHANNEL = "GeneralStaffZSU"
#: the most preview pages one fetch reads (20 posts a page: about two years of reports)
MAX_PAGES = 2000
#: the largest preview page read (a real one is about 200 kB)
MAX_PAGE_BYTES = 8 * 1024 * 1024


class _PreviewParser(HTMLParser):
    """Messages of a channel's web preview page: post id, time stamp and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.messages: list[dict[str, str]] = []
        self._cur: dict[str, str] | None = None
        self._text_depth = 0
        self._depth = 0
        self._buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag == "div":
            self._depth += 1
            if "tgme_widget_message " in cls + " " and a.get("data-post"):
                self._cur = {"post": a["data-post"] or "", "date": "", "text": ""}
                self.messages.append(self._cur)
            elif "tgme_widget_message_text" in cls and self._cur is not None:
                self._text_depth = self._depth
                self._buf = []
        elif tag == "br" and self._text_depth:
            self._buf.append("\n")
        elif tag == "time" and self._cur is not None and a.get("datetime"):
            self._cur["date"] = a["datetime"] or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            if self._text_depth and self._depth == self._text_depth and self._cur is not None:
                self._cur["text"] = "".join(self._buf).strip()
                self._text_depth = 0
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._text_depth:
            self._buf.append(data)


def parse_preview_html(html: str) -> list[dict[str, str]]:
    """Messages of a Telegram web-preview page: ``post`` ("channel/id"), ``date`` (ISO
    time stamp with offset) and ``text`` (line breaks kept, tags removed).

    Examples
    --------
    >>> from intensity.fetch import parse_preview_html
    >>> html = ('<div class="tgme_widget_message js-widget_message" data-post="GeneralStaffZSU/1">'
    ...         '<div class="tgme_widget_message_text">Станом на 22.00 відбулося 190 бойових '
    ...         'зіткнень.</div><time datetime="2024-12-14T22:05:00+00:00"></time></div>')
    >>> [(m["post"], m["date"]) for m in parse_preview_html(html)]
    [('GeneralStaffZSU/1', '2024-12-14T22:05:00+00:00')]
    """
    p = _PreviewParser()
    p.feed(html)
    return [m for m in p.messages if m["text"]]


def fetch_engagements(
    raw: str | os.PathLike[str] = "data/raw",
    *,
    since: str = "2024-01-01",
    channel: str = DEFAULT_CHANNEL,
    url: str | None = None,
    delay: float = 2.0,
    retries: int = 3,
    timeout: float = 10.0,
    max_pages: int = 500,
    refresh: bool = False,
    progress: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Path:
    """Build the daily engagement series from the channel's public web preview.

    Pages are requested newest first and then ``?before=<oldest id>`` until a post older
    than *since* appears, politely: *delay* seconds between requests, retries with
    back-off, a real user agent. Every page is cached under
    ``<raw>/telegram/<channel>/`` so a rerun downloads nothing it already has (the newest
    page is fetched again only with ``refresh=True``). The reports are parsed and the
    daily series written to ``<raw>/gs_engagements.csv`` (date, engagements, partial
    figures, slot), which ``intensity build`` then processes.

    Examples
    --------
    >>> import tempfile
    >>> from intensity import FetchError
    >>> from intensity.fetch import fetch_engagements
    >>> try:
    ...     fetch_engagements(tempfile.mkdtemp(), url="http://127.0.0.1:9/", retries=0,
    ...                       timeout=1, delay=0)
    ... except FetchError as err:
    ...     print("download failed" in str(err))
    True
    """
    stop = _check_fetch_options(channel, max_pages, since)
    base = url or os.environ.get("INTENSITY_PREVIEW_URL") or DEFAULT_PREVIEW_URL
    out = Path(raw)
    cache = out / "telegram" / channel
    cache.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _m: None)
    preview = _Preview(
        base if base.endswith("/") else base + "/",
        channel,
        cache,
        refresh,
        say,
        lambda: sleep(delay),
        lambda u: http_get(
            u, retries=retries, timeout=timeout, sleep=sleep, max_bytes=MAX_PAGE_BYTES
        ),
    )
    before: int | None = None
    messages: dict[int, dict[str, str]] = {}
    for page in range(max_pages):
        ids = _page_ids(parse_preview_html(preview.page(page, before)), messages)
        if not ids or _reached(messages, min(ids), before, stop):
            break
        before = min(ids)
    return _write_engagements(messages, stop, out, say)


def _check_fetch_options(channel: Any, max_pages: Any, since: Any) -> Any:
    """Check the channel name, ``max_pages`` and ``since``; the first day wanted."""
    import re

    import pandas as pd

    from .exceptions import ParameterError

    if not isinstance(channel, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", channel):
        raise ParameterError(
            "channel must be a Telegram channel name (letters, digits and _, 4 to 32 "
            f"characters, starting with a letter), got {channel!r}"
        )
    if not (isinstance(max_pages, int) and 1 <= max_pages <= MAX_PAGES):
        raise ParameterError(
            f"max_pages must be a whole number in 1 … {MAX_PAGES}, got {max_pages!r}"
        )
    parsed_since = pd.to_datetime(str(since), errors="coerce")
    if pd.isna(parsed_since):
        raise ParameterError(f"since must be a date such as 2024-01-01, got {since!r}")
    return pd.Timestamp(parsed_since)


class _Preview:
    """The pages of a channel's web preview, each from the cache when it is there (the
    newest page again with *refresh*), else downloaded and cached."""

    def __init__(
        self,
        base: str,
        channel: str,
        cache: Path,
        refresh: bool,
        say: Callable[[str], None],
        wait: Callable[[], None],
        get: Callable[[str], bytes],
    ) -> None:
        self.base, self.channel, self.cache, self.refresh = base, channel, cache, refresh
        self.say, self.wait, self.get = say, wait, get

    def page(self, number: int, before: int | None) -> str:
        """The HTML of the page of posts before *before* (the newest with ``None``);
        a download after the first page waits first (politely)."""
        name = "latest.html" if before is None else f"before_{before}.html"
        path = self.cache / name
        if path.exists() and not (self.refresh and before is None):
            self.say(f"page {number + 1}: cached {name}")
            return path.read_text(encoding="utf-8")
        if number:
            self.wait()
        page_url = f"{self.base}{self.channel}" + ("" if before is None else f"?before={before}")
        self.say(f"page {number + 1}: {page_url}")
        html = self.get(page_url).decode("utf-8", errors="replace")
        atomic_write_bytes(path, html.encode("utf-8"))
        return html


def _page_ids(msgs: list[dict[str, str]], messages: dict[int, dict[str, str]]) -> list[int]:
    """The post ids of a page's messages, each message kept in *messages*."""
    ids = []
    for m in msgs:
        try:
            mid = int(m["post"].rsplit("/", 1)[1])
        except (IndexError, ValueError):
            continue
        ids.append(mid)
        messages[mid] = m
    return ids


def _reached(
    messages: dict[int, dict[str, str]], oldest: int, before: int | None, stop: Any
) -> bool:
    """The oldest post of the page is older than *stop*, or the page went no further back."""
    import pandas as pd

    when = pd.to_datetime(str(messages[oldest]["date"] or ""), errors="coerce", utc=True)
    if not pd.isna(when) and pd.Timestamp(when).tz_localize(None) < stop:
        return True
    return before is not None and oldest >= before


def _write_engagements(
    messages: dict[int, dict[str, str]], stop: Any, out: Path, say: Callable[[str], None]
) -> Path:
    """The posts parsed into the daily series, written to ``<raw>/gs_engagements.csv``."""
    import pandas as pd

    from .reports import engagements_daily, parse_with_date

    reports = [
        parse_with_date(m["text"], m["date"] or None, f"post {mid}")
        for mid, m in sorted(messages.items())
    ]
    reps = [
        r for r in reports if r is not None and (r.covers is None or pd.Timestamp(r.covers) >= stop)
    ]
    say(f"{len(messages)} posts, {len(reps)} reports since {stop:%Y-%m-%d}")
    daily = engagements_daily(reps)
    target = out / "gs_engagements.csv"
    csv = daily[["engagements", "partial_16", "partial_22"]].rename_axis("date").reset_index()
    csv["date"] = csv["date"].dt.strftime("%Y-%m-%d")
    atomic_write_bytes(
        target, csv.to_csv(index=False, lineterminator="\n", float_format="%.10g").encode()
    )
    return target
