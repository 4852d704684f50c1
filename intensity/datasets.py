"""Where the project's shared real data lives, and convenience loaders for it.

The real data are never copied into the project. They are read from ``../shared/data``
beside the checkout, or from the folder named by the ``INTENSITY_SHARED_DATA`` environment
variable.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .exceptions import DataFormatError

__all__ = ["shared_data_dir", "load_shared_losses"]


def shared_data_dir() -> Path | None:
    """The shared data folder, or ``None`` when it is absent.

    Looked up in order: ``$INTENSITY_SHARED_DATA``; ``../shared/data`` beside the source
    checkout; ``../shared/data`` relative to the working directory.

    Examples
    --------
    >>> import os, pathlib, tempfile
    >>> from intensity.datasets import shared_data_dir
    >>> folder = tempfile.mkdtemp()
    >>> old = os.environ.get("INTENSITY_SHARED_DATA")
    >>> os.environ["INTENSITY_SHARED_DATA"] = folder
    >>> shared_data_dir() == pathlib.Path(folder)
    True
    >>> _ = os.environ.pop("INTENSITY_SHARED_DATA") if old is None else os.environ.update(
    ...     INTENSITY_SHARED_DATA=old)
    """
    env = os.environ.get("INTENSITY_SHARED_DATA")
    if env:
        p = Path(env)
        return p if p.is_dir() else None
    candidates = [
        Path(__file__).resolve().parents[2] / "shared" / "data",
        Path.cwd().parent / "shared" / "data",
        Path.cwd() / ".." / ".." / "shared" / "data",
    ]
    for c in candidates:
        if c.is_dir():
            return c.resolve()
    return None


def load_shared_losses() -> pd.DataFrame:
    """Daily loss increments from ``<shared>/petroivaniuk_losses`` (see :func:`read_losses`).

    Examples
    --------
    >>> from intensity.datasets import load_shared_losses, shared_data_dir
    >>> if shared_data_dir() is not None:  # the shared data beside the checkout
    ...     print("personnel" in load_shared_losses())
    ... else:
    ...     print(True)
    True
    """
    from .io import read_losses

    base = shared_data_dir()
    if base is None or not (base / "petroivaniuk_losses").is_dir():
        raise DataFormatError(
            "shared data folder not found: set INTENSITY_SHARED_DATA or place it at ../shared/data"
        )
    return read_losses(base / "petroivaniuk_losses")
