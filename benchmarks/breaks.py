"""Speed of intensity.detect_breaks against ruptures' PELT, measured in the same run.

    python benchmarks/breaks.py [--skip-jump1]

Prints, for n = 1,600 (the length of the real daily series): ruptures Pelt(model="l2")
with its default jump=5 and with jump=1 (exact, as ours), and our exact segmentation with
the same Gaussian cost and penalty (model="normal", sigma=1) and with the negative-binomial
cost; then our negative-binomial segmentation at n = 100,000. Times are the best of
several runs after one warm-up call (numba compiles on first use; the compiled code is
cached on disk, and the first-call time is printed too). The segmentation alone is timed
(no bootstrap intervals: n_boot affects only the intervals and is reported separately).
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-jump1", action="store_true", help="skip ruptures with jump=1 (~20 s)")
    args = ap.parse_args()

    import ruptures as rpt

    from intensity.breaks import _prepare, detect_breaks
    from intensity.simulate import simulate_counts

    n = 1600
    sim = simulate_counts(n, seed=1, breaks=[(400, 1.4), (900, 0.7), (1300, 1.2)])
    y = sim.counts.to_numpy()
    pen = 3 * math.log(n) * float(np.var(np.diff(y)) / 2)  # a BIC-like penalty on the l2 scale
    t0 = time.perf_counter()
    _, prep_n = _prepare(sim.counts, "normal", None, None, 1.0)
    prep_n.run(pen, 14)
    first_call = time.perf_counter() - t0
    _, prep_nb = _prepare(sim.counts, "negbin", None, None, None)

    ours_l2 = best_of(lambda: prep_n.run(pen, 14))
    ours_nb = best_of(lambda: prep_nb.run(3 * math.log(n), 14))
    full_call = best_of(lambda: detect_breaks(sim.counts, n_boot=299), repeat=3)
    r_default = best_of(lambda: rpt.Pelt(model="l2", min_size=14).fit(y).predict(pen=pen), repeat=3)
    ours_bk = prep_n.run(pen, 14)[0]
    rup_bk = (
        rpt.Pelt(model="l2", min_size=14, jump=1).fit(y).predict(pen=pen)[:-1]
        if not args.skip_jump1
        else None
    )

    print(f"n = {n:,} (first call incl. numba load/compile: {first_call:.2f} s)")
    print(f"  intensity normal (l2 cost, exact)      {ours_l2 * 1e3:9.2f} ms")
    print(f"  intensity negbin (exact)               {ours_nb * 1e3:9.2f} ms")
    print(
        f"  intensity detect_breaks, full result   {full_call * 1e3:9.2f} ms"
        "  (incl. 299 bootstrap replications per break)"
    )
    print(
        f"  ruptures Pelt l2, jump=5 (default)     {r_default * 1e3:9.2f} ms"
        f"  ratio {r_default / ours_l2:8.0f}x (negbin: {r_default / ours_nb:.0f}x)"
    )
    if not args.skip_jump1:
        r_exact = best_of(
            lambda: rpt.Pelt(model="l2", min_size=14, jump=1).fit(y).predict(pen=pen), repeat=1
        )
        print(
            f"  ruptures Pelt l2, jump=1 (exact)       {r_exact * 1e3:9.2f} ms"
            f"  ratio {r_exact / ours_l2:8.0f}x"
        )
        print(f"  same breaks as ruptures jump=1: {ours_bk == rup_bk} ({ours_bk})")

    N = 100_000
    big = simulate_counts(
        N, seed=2, breaks=[(20_000, 1.3), (55_000, 0.8), (80_000, 1.1)], annual_amplitude=0
    )
    _, prep_big = _prepare(big.counts, "negbin", None, None, None)
    t_big = best_of(lambda: prep_big.run(3 * math.log(N), 14), repeat=3)
    cps, _, alive = prep_big.run(3 * math.log(N), 14)
    print(
        f"n = {N:,}: intensity negbin exact segmentation {t_big:.3f} s "
        f"(target < 2 s; breaks at {cps}; at most {alive} candidates kept)"
    )


if __name__ == "__main__":
    main()
