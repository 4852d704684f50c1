"""Speed of the joint segmentation: 4 metrics × 1,600 days against one metric of the same
length, measured in the same run (target: joint within 4× one metric).

    python benchmarks/joint.py [--reps 5]

Both calls use the defaults (negative binomial, mbic, dependence 'auto', 299 bootstrap
replications for the date intervals), on series simulated like the real loss categories
(:func:`intensity.simulate.simulate_metrics`: levels 1,000 / 35 / 14 / 300 a day, latent
sd 0.13 / 0.37 / 0.5 / 0.5, rho 0.4, cross-correlation 0.3, two shared breaks), and, when
the shared data are there, on the real personnel, field artillery, APC and drone series
(last 1,600 days). Each time is the median of ``--reps`` calls after one warm-up call.
The single-metric time is the mean over the four metrics' own calls.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import pandas as pd


def _median_time(fn: Callable[[], Any], reps: int) -> float:
    fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _row(name: str, frame: pd.DataFrame, reps: int) -> None:
    from intensity import detect_breaks

    joint = _median_time(lambda: detect_breaks(frame), reps)
    singles = [_median_time(lambda c=c: detect_breaks(frame[c]), reps) for c in frame.columns]
    one = statistics.mean(singles)
    one_n = detect_breaks(frame)
    print(
        f"{name:<28} joint {joint:6.3f} s   one metric {one:6.3f} s   "
        f"ratio {joint / one:4.2f}   (breaks {len(one_n.breaks)}; target ratio <= 4)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    from intensity.datasets import shared_data_dir
    from intensity.simulate import simulate_metrics

    levels = {"personnel": 1000.0, "artillery": 35.0, "apc": 14.0, "drone": 300.0}
    sds = {"personnel": 0.13, "artillery": 0.37, "apc": 0.5, "drone": 0.5}
    brk = {m: [(500, 1.6), (1100, 0.625)] for m in levels}
    sim = simulate_metrics(1600, levels, breaks=brk, rho=0.4, sd=sds, corr=0.3, seed=1)
    _row("simulated 4 × 1,600", sim, args.reps)
    base = shared_data_dir()
    if base is not None and (base / "petroivaniuk_losses").is_dir():
        from intensity import read_losses

        real = read_losses(base / "petroivaniuk_losses")
        cols = ["personnel", "field artillery", "APC", "drone"]
        _row("real 4 × 1,600 (last days)", real[cols].iloc[-1600:], args.reps)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
