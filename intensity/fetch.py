"""Downloading upstream data into ``data/raw/``.

``fetch_losses`` downloads the current cumulative loss tables of the public
*2022-Ukraine-Russia-War-Dataset* (PetroIvaniuk, MIT licence). Files are written atomically
and their SHA-256 is recorded in ``fetch_manifest.json`` beside them.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from .exceptions import FetchError
from .pipeline import atomic_write_bytes, sha256_file

__all__ = ["fetch_losses", "http_get", "DEFAULT_LOSSES_URL", "USER_AGENT"]

#: Folder of the upstream dataset's data files (override with ``--url`` or
#: the ``INTENSITY_LOSSES_URL`` environment variable).
DEFAULT_LOSSES_URL = (
    "https://raw.githubusercontent.com/PetroIvaniuk/2022-Ukraine-Russia-War-Dataset/main/data/"
)
LOSS_FILES = ("russia_losses_personnel.json", "russia_losses_equipment.json")
USER_AGENT = "intensity/0.1 (research package; +https://pypi.org/project/intensity/)"


def http_get(
    url: str,
    *,
    timeout: float = 30.0,
    retries: int = 3,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """GET *url* with a real user agent, retrying with exponential back-off.

    Client errors (4xx other than 429) are not retried. Raises :class:`FetchError` with a
    message that says whether the network is unreachable.
    """
    last: Exception | None = None
    for attempt in range(retries + 1):
        req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
                data: bytes = resp.read()
                return data
        except urllib.error.HTTPError as exc:
            last = exc
            if 400 <= exc.code < 500 and exc.code != 429:
                raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            last = exc
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
) -> dict[str, str]:
    """Download the upstream loss tables into *raw*; returns ``{file: sha256}``.

    Each file is checked to be JSON before it replaces an older copy, so a broken download
    never overwrites good data.
    """
    base = url or os.environ.get("INTENSITY_LOSSES_URL") or DEFAULT_LOSSES_URL
    if not base.endswith("/"):
        base += "/"
    out = Path(raw)
    out.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _m: None)
    sums: dict[str, str] = {}
    for name in LOSS_FILES:
        say(f"downloading {base}{name}")
        data = http_get(base + name, retries=retries, timeout=timeout)
        try:
            obj = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FetchError(f"{base}{name}: not a JSON file ({exc})") from None
        if not isinstance(obj, list) or not obj or "date" not in obj[0]:
            raise FetchError(f"{base}{name}: JSON is not a list of dated records")
        target = out / name
        atomic_write_bytes(target, data)
        sums[name] = sha256_file(target)
        say(f"  {len(obj)} rows, sha256 {sums[name][:12]}…")
    manifest = {"source": base, "files": sums}
    atomic_write_bytes(
        out / "fetch_manifest.json", (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
    )
    return sums
