"""Result tables built from columns of arrays, at half to two thirds of the cost of pandas'
dict constructor.

``pd.DataFrame({name: array, ...})`` checks and converts every column one by one: about
100 µs for a table of eleven short columns under pandas 3, as long as the search itself
in a Gaussian :func:`~intensity.detect_breaks` call on 1,600 days, which builds three such
tables (segments 0.10 -> 0.05 ms, breaks 0.11 -> 0.06 ms, summary 0.15 -> 0.10 ms, its
strings included). :func:`frame` hands columns that need no conversion (1-D numeric, boolean and
date arrays in a unit pandas keeps of the index's length, and strings converted once to the
string dtype pandas would give them) to pandas' own ``DataFrame._from_arrays`` without a
second check, and falls back to the public constructor for anything else, or when that
pandas method is missing or refuses. Either way the table equals the public
constructor's (``tests/test_frames.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

#: the date units pandas stores as they are (others it converts)
_DATES = {np.dtype(f"datetime64[{u}]") for u in ("s", "ms", "us", "ns")}


def _ready(values: Any, n: int) -> Any:
    """*values* as pandas' dict constructor would store them, or None when that needs
    more than the one conversion of object strings."""
    if not isinstance(values, np.ndarray) or values.ndim != 1 or len(values) != n:
        return None
    kind = values.dtype.kind
    if kind in "biuf" or values.dtype in _DATES:
        return values.copy()  # as the dict constructor: the table owns its data
    if kind == "O" and all(isinstance(v, str) or v is np.nan for v in values):
        dtype = _string_dtype()
        return values.copy() if dtype == np.dtype(object) else pd.array(values, dtype=dtype)
    return None


@lru_cache(maxsize=1)
def _string_dtype() -> Any:
    """The dtype pandas' dict constructor gives a column of strings: ``str`` under
    pandas 3, ``object`` under pandas 2 (unless its future string option is on)."""
    return pd.DataFrame({"s": np.array(["a"], dtype=object)})["s"].dtype


def frame(columns: Mapping[str, Any], index: pd.Index | None = None) -> pd.DataFrame:
    """The table of *columns* (name -> 1-D array, in order) on *index* (a RangeIndex when
    None): ``pd.DataFrame(dict(columns), index=index)``, built without its per-column
    checks when every column is ready (module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> frame({"level": np.array([1.0, 2.0]), "days": np.array([3, 4])})
       level  days
    0    1.0     3
    1    2.0     4
    """
    n = len(index) if index is not None else _common_length(columns)
    build = getattr(pd.DataFrame, "_from_arrays", None)
    arrays = [_ready(v, n) for v in columns.values()] if n is not None else [None]
    if build is not None and columns and all(a is not None for a in arrays):
        idx = index if index is not None else pd.RangeIndex(n)
        try:
            names = _names(tuple(columns)).copy()  # its own: a table may rename its axis
            return build(arrays, columns=names, index=idx, verify_integrity=False)
        except (TypeError, ValueError):  # a pandas whose private method differs
            pass
    return pd.DataFrame(dict(columns), index=index)


def _common_length(columns: Mapping[str, Any]) -> int | None:
    lengths = {len(v) for v in columns.values() if hasattr(v, "__len__")}
    return lengths.pop() if len(lengths) == 1 else None


@lru_cache(maxsize=256)
def _names(names: tuple[str, ...]) -> pd.Index:
    """The column index of *names*, built once (20 µs each time under pandas 3); tables
    get shallow copies of it."""
    return pd.Index(list(names))
