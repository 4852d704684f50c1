"""Every analysis gives the same answer whatever the input's layout: unobserved days
added before the first observed day and after the last (``read_losses``' personnel starts
with a NaN increment, the processed series a day later) change no estimate, interval or
p-value, and the results stay on the input's index. Before, the break search's null
draws, the bootstrap windows, the event placebos and the decomposition all moved with
such days (six deseasonalised personnel breaks through the API, four through the report).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

import intensity as it

SERIES = it.simulate_counts(900, seed=3, breaks=[(450, 1.4)]).counts
EVENT = SERIES.index[450]


def _padded(s: pd.Series, before: int, after: int) -> pd.Series:
    idx = pd.date_range(s.index[0] - pd.Timedelta(days=before), periods=len(s) + before + after)
    return s.reindex(idx)


def _breaks(**kw: Any) -> Callable[[pd.Series], pd.DataFrame]:
    # positions count from the input's first day, so they move with it by design
    return lambda s: it.detect_breaks(s, n_boot=99, **kw).breaks.drop(columns="position")


ANALYSES: dict[str, Callable[[pd.Series], pd.DataFrame]] = {
    "fit_seasonal": lambda s: it.fit_seasonal(s).summary(),
    "seasonal_profile": lambda s: it.seasonal_profile(s).summary(),
    "seasonal_excess": lambda s: it.seasonal_excess(s).summary(),
    "detect_anomalies": lambda s: it.detect_anomalies(s).summary(),
    "detect_anomalies_level": lambda s: it.detect_anomalies(s, baseline="level").summary(),
    "detect_breaks": _breaks(),
    "detect_breaks_ar1": _breaks(dependence="ar1"),
    "detect_breaks_local": _breaks(dependence="local"),
    "event_effect": lambda s: it.event_effect(s, EVENT).table,
    "decompose": lambda s: it.decompose(s, periods=(7,)).summary(),
}


@pytest.mark.parametrize("name", list(ANALYSES), ids=list(ANALYSES))
def test_unobserved_days_at_the_ends_change_nothing(name):
    f = ANALYSES[name]
    expected = f(SERIES)
    got = f(_padded(SERIES, 2, 3))
    pd.testing.assert_frame_equal(got, expected, rtol=1e-7)
