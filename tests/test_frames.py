"""intensity._frames.frame builds the same table as pandas' dict constructor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from intensity._frames import frame

_DAYS = np.arange(4).astype("datetime64[D]")
_STRS = np.array(["2024-01-01", np.nan, "2024-01-03", "x"], dtype=object)

CASES = {
    "floats": {"a": np.array([1.0, np.nan, 3.0, 4.0]), "b": np.zeros(4)},
    "mixed": {
        "start": _DAYS.astype("datetime64[us]"),
        "end": _DAYS.astype("datetime64[ns]"),
        "n": np.arange(4),
        "u": np.arange(4, dtype=np.uint8),
        "flag": np.array([True, False, True, False]),
        "x": np.linspace(0, 1, 4),
    },
    "dates_with_nat": {"d": np.array(["2024-01-01", "NaT", "NaT", "2024-02-01"], "M8[s]")},
    "strings_with_nan": {"s": _STRS, "y": np.ones(4)},
    # not ready: the public constructor builds these
    "float_nan_in_strings": {"s": np.array(["a", float("nan"), "c", "d"], dtype=object)},
    "list_column": {"l": [1, 2, 3, 4], "y": np.ones(4)},
    "day_unit": {"d": _DAYS},
    "objects": {"o": np.array([1, "a", None, 2.5], dtype=object)},
}


@pytest.mark.parametrize("index", [None, "dates", "strings"], ids=["range", "dates", "strings"])
@pytest.mark.parametrize("columns", list(CASES.values()), ids=list(CASES))
def test_same_table_as_the_dict_constructor(columns, index):
    idx = {
        None: None,
        "dates": pd.DatetimeIndex(_DAYS.astype("M8[ns]"), name="date"),
        "strings": pd.Index(["a", "b", "c", "d"], name="break"),
    }[index]
    expected = pd.DataFrame(dict(columns), index=idx)
    got = frame(columns, idx)
    pd.testing.assert_frame_equal(got, expected)
    assert list(got.columns) == list(columns)


def test_empty_and_ragged_columns_as_pandas():
    pd.testing.assert_frame_equal(frame({}), pd.DataFrame({}))
    with pytest.raises(ValueError):  # pandas' own error for columns of different lengths
        frame({"a": np.ones(3), "b": np.ones(2)})


def test_the_table_owns_its_data_and_its_column_index():
    a = np.array([1.0, 2.0])
    t1 = frame({"a": a, "b": np.arange(2)})
    a[0] = 99.0  # the caller's array changes later
    assert t1["a"].iloc[0] == 1.0
    t2 = frame({"a": np.ones(2), "b": np.arange(2)})
    t2.columns.name = "renamed"  # the column index is shared between tables only by value
    assert t1.columns.name is None


def test_without_the_private_constructor_the_public_one_builds_it(monkeypatch):
    columns = CASES["mixed"]
    expected = pd.DataFrame(dict(columns))
    monkeypatch.delattr(pd.DataFrame, "_from_arrays")
    pd.testing.assert_frame_equal(frame(columns), expected)
