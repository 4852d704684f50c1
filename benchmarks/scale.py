"""How each analysis scales with the length of the series: CPU time at 1,600, 5,000 and
20,000 days (targets: 20,000 days at most 15x the 1,600-day time, and at most 30 s).

    python benchmarks/scale.py [--repeat 3] [--sizes 1600,5000,20000] [--only NAME,...]

Each function is called through the public API with its defaults on a simulated series
(level 1,000 a day, NB size 20, weekly and annual cycle, two breaks and one surge; the
same seed at every length). One BLAS thread (as the CLI and the tests run); one untimed
call first (imports, numba's cache). The table gives the median CPU time of ``--repeat``
calls (process time, so a busy machine does not inflate it), the ratio of 20,000 to 1,600
days, and whether both targets hold.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd


def _series(n: int) -> pd.Series:
    from intensity import simulate_counts

    sim = simulate_counts(
        n_days=n,
        level=1000.0,
        size=20.0,
        trend=0.0,
        breaks=[(n // 3, 1.4), (2 * n // 3, 0.8)],
        surges=[(n // 2, n // 2 + 60, 1.3)],
        seed=20261203,
    )
    return sim.counts


def _calls() -> dict[str, Callable[[pd.Series], Any]]:
    import intensity as it

    other_cache: dict[int, pd.Series] = {}

    def second(s: pd.Series) -> pd.Series:
        n = len(s)
        if n not in other_cache:
            rng = np.random.default_rng(7)
            other_cache[n] = pd.Series(
                rng.negative_binomial(20, 20 / (20 + 50.0), n).astype(float), index=s.index
            )
        return other_cache[n]

    return {
        "fit_seasonal": lambda s: it.fit_seasonal(s),
        "detect_breaks": lambda s: it.detect_breaks(s).summary(),
        "detect_anomalies": lambda s: it.detect_anomalies(s).summary(),
        "detect_anomalies(level)": lambda s: it.detect_anomalies(s, baseline="level").summary(),
        "seasonal_excess": lambda s: it.seasonal_excess(s).summary(),
        "decompose": lambda s: it.decompose(s),
        "ratio": lambda s: it.ratio(s, second(s)).summary(),
        "event_effect": lambda s: it.event_effect(s, s.index[len(s) // 2]).summary(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sizes", default="1600,5000,20000")
    ap.add_argument("--only", default="")
    args = ap.parse_args(argv)
    from threadpoolctl import threadpool_limits

    sizes = [int(x) for x in args.sizes.split(",")]
    calls = _calls()
    if args.only:
        calls = {k: v for k, v in calls.items() if k in args.only.split(",")}
    series = {n: _series(n) for n in sizes}
    rows = []
    with threadpool_limits(1):
        for name, fn in calls.items():
            row: dict[str, Any] = {"function": name}
            fn(series[sizes[0]])  # untimed: imports and numba's compile cache load
            for n in sizes:
                times = []
                for _ in range(args.repeat):
                    t0 = time.process_time()
                    fn(series[n])
                    times.append(time.process_time() - t0)
                row[f"{n} days (s)"] = statistics.median(times)
                print(f"{name:26s} {n:6d} days: {row[f'{n} days (s)']:.3f} s", flush=True)
            if len(sizes) > 1:
                lo, hi = row[f"{sizes[0]} days (s)"], row[f"{sizes[-1]} days (s)"]
                row["ratio"] = hi / lo
                row["target"] = "ok" if (hi <= 15 * lo or hi < 0.5) and hi <= 30 else "MISSED"
            rows.append(row)
    table = pd.DataFrame(rows).set_index("function")
    with pd.option_context("display.float_format", "{:.3f}".format, "display.width", 120):
        print()
        print(f"median CPU time of {args.repeat} calls, one BLAS thread")
        print(table.to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
