"""Speed of intensity.detect_breaks against the exact change-point peers, in one run.

    python benchmarks/breaks.py [--quick] [--regimes gaussian-1600-few,...]

Every regime segments the same simulated series with the same cost and penalty in every
tool, and the table says whether each found the same optimum (the same breaks) as
intensity. Regimes: n = 1,600 (the length of the real daily series), 10,000 and 100,000;
few changes (4) and many (one per 200 observations: 8, 50, 500); the Gaussian mean cost
with unit variance (ruptures' ``"l2"``) and the Poisson cost; minimum segment length 14,
plus Gaussian regimes with minimum length 1 for skchange's FPOP, which has no minimum.

Tools (each is skipped with a note when it is not installed):

* **intensity**: the full call ``detect_breaks(..., n_boot=0, dependence='none',
  seasonal=None)`` (input
  checks, the search, the result tables, Bai's date intervals for Gaussian models) and
  the search kernel alone;
* **changepoint-cython** (``pychangepoints``, a Cython port of R's changepoint PELT):
  ``pip install 'Cython<3' numpy setuptools wheel`` then
  ``pip install --no-build-isolation changepoint-cython`` (it needs scikit-learn);
* **skchange** (PELT with ``L2Cost``/``PoissonCost``; FPOP for min_size = 1),
  ``pip install skchange``;
* **ruptures-rs** (Rust PELT, ``jump=1`` so that it is exact), ``pip install ruptures-rs``;
* **ruptures** (pure Python PELT with ``jump=1``; only at n = 1,600: it takes minutes
  beyond).

Times are the median of 5 calls after a warm-up call (numba compiles on first use), each
call on a series of its own (the regime's design, seeds 1-5; the warm-up's seed 0 gives
the answers compared), the same series for every tool: a call repeated on one series
hit caches a user's new data does not (until 2026-12-06 Bai's quantiles were cached per
sd ratio, and the Gaussian min_size = 1 calls read 0.7-1.7 ms where fresh series took
1.2-5.5 ms). Calls longer than 2 s are timed once. intensity's full call includes
building the result tables (``summary()``, ``segments``, ``breaks``). The last column of
the summary divides intensity's full-call time by the fastest exact peer that found the
same optimum: the target is at most 1.5 in every regime. ``pip install -e '.[bench]'``
installs skchange, ruptures-rs and ruptures; changepoint-cython needs the two steps above.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: pandas' nanosecond range holds about 213,500 days: daily indexes start early enough
START = "1700-01-01"


@dataclass
class Regime:
    model: str  # 'gaussian' or 'poisson'
    n: int
    changes: int
    min_size: int

    @property
    def name(self) -> str:
        return f"{self.model}-{self.n}-{self.changes}ch-m{self.min_size}"

    @property
    def pen(self) -> float:
        return 3.0 * math.log(self.n)  # mBIC-like, unit noise variance / Poisson


def simulate(r: Regime, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    cuts = np.linspace(0, r.n, r.changes + 2).astype(int)[1:-1] + rng.integers(-20, 20, r.changes)
    seg = np.searchsorted(cuts, np.arange(r.n), side="right")
    if r.model == "gaussian":
        levels = np.cumsum(
            rng.choice([-1.0, 1.0], r.changes + 1) * rng.uniform(1.0, 2.0, r.changes + 1)
        )
        return levels[seg] + rng.standard_normal(r.n)
    rates = rng.uniform(5.0, 40.0, r.changes + 1)
    return rng.poisson(rates[seg]).astype(float)


def _median_time(calls: Iterable[Callable[[], Any]]) -> float:
    """The median wall time of the *calls* (each made ready by the iterator, untimed);
    after a first call over 2 s, that one alone."""
    times: list[float] = []
    for fn in calls:
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        if times[0] >= 2.0:
            break
    return statistics.median(times)


def timed(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    """The median wall time of *repeat* calls after a warm-up call (which gives the
    answer); a call over 2 s is timed once."""
    out = fn()  # warm-up (and the answer)
    return _median_time(fn for _ in range(repeat)), out


#: calls timed per tool and regime, each on a series of its own (module docstring)
CALLS = 5


def timed_fresh(
    make: Callable[[np.ndarray, Regime], Callable[[], Any]], ys: list[np.ndarray], r: Regime
) -> tuple[float, Any]:
    """The median wall time of calls of the tool *make* on the series ``ys[1:]``, one call
    each (set-up untimed), after a warm-up call on ``ys[0]``, which gives the answer; a
    call over 2 s is timed once."""
    out = make(ys[0], r)()  # warm-up (and the answer)
    return _median_time(make(y, r) for y in ys[1:]), out


# ----------------------------------------------------------------------------- the tools
def tool_intensity(y: np.ndarray, r: Regime) -> Callable[[], list[int]]:
    from intensity import detect_breaks

    s = pd.Series(y, index=pd.date_range(START, periods=len(y), freq="D"))
    model = "normal" if r.model == "gaussian" else "poisson"
    kw: dict[str, Any] = {"sigma": 1.0} if model == "normal" else {}

    def run() -> list[int]:
        # seasonal=None: the peers segment the counts as they are (the default's annual-
        # cycle test, 20 ms at 1,600 days and 190 ms at 10,000, is not the search)
        b = detect_breaks(
            s,
            model=model,
            penalty=r.pen,
            min_size=r.min_size,
            n_boot=0,
            dependence="none",
            seasonal=None,
            **kw,
        )
        # the result tables a user reads are built inside the timed call
        b.summary()
        _ = (b.segments, b.breaks)
        return list(b.positions)

    return run


def tool_kernel(y: np.ndarray, r: Regime) -> Callable[[], list[int]]:
    from intensity.breaks.search import _prepare

    s = pd.Series(y, index=pd.date_range(START, periods=len(y), freq="D"))
    model = "normal" if r.model == "gaussian" else "poisson"
    _, prep = _prepare(s, model, None, None, 1.0 if model == "normal" else None)
    return lambda: prep.run(r.pen, r.min_size)[0]


def tool_changepoint(y: np.ndarray, r: Regime) -> Callable[[], list[int]]:
    from pychangepoints import algo_changepoints

    method = "mll_mean" if r.model == "gaussian" else "mll_meanvar_poisson"
    data = pd.Series(y)

    def run() -> list[int]:
        # its wrapper multiplies the penalty by log(n)
        cpts, k = algo_changepoints.pelt(data, r.pen / math.log(r.n), r.min_size, method)
        return sorted(int(c) for c in cpts[:k] if c < r.n)

    return run


def tool_skchange(y: np.ndarray, r: Regime) -> Callable[[], list[int]]:
    from skchange.detectors import FPOP, PELT
    from skchange.interval_scorers import L2Cost, PoissonCost

    X = y.reshape(-1, 1)
    if r.min_size == 1 and r.model == "gaussian":
        det: Any = FPOP(penalty=r.pen)
    else:
        cost = L2Cost() if r.model == "gaussian" else PoissonCost()
        det = PELT(cost=cost, penalty=r.pen, min_segment_length=r.min_size)
    return lambda: [int(c) for c in det.fit_predict(X)]


def tool_ruptures_rs(y: np.ndarray, r: Regime) -> Callable[[], list[int]]:
    import ruptures_rs

    if r.model != "gaussian":
        raise NotImplementedError("no Poisson cost")
    return lambda: (
        ruptures_rs.Pelt(model="l2", min_size=r.min_size, jump=1).fit(y).predict(pen=r.pen)[:-1]
    )


def tool_ruptures(y: np.ndarray, r: Regime) -> Callable[[], list[int]]:
    import ruptures

    if r.model != "gaussian":
        raise NotImplementedError("no Poisson cost")
    if r.n > 1600:
        raise NotImplementedError("pure Python: minutes beyond n = 1,600")
    return lambda: (
        ruptures.Pelt(model="l2", min_size=r.min_size, jump=1).fit(y).predict(pen=r.pen)[:-1]
    )


PEERS: dict[str, Callable[[np.ndarray, Regime], Callable[[], list[int]]]] = {
    "changepoint-cython": tool_changepoint,
    "skchange": tool_skchange,
    "ruptures-rs": tool_ruptures_rs,
    "ruptures": tool_ruptures,
}


def regimes(quick: bool) -> list[Regime]:
    out = []
    sizes = (1600, 10_000) if quick else (1600, 10_000, 100_000)
    for model in ("gaussian", "poisson"):
        for n in sizes:
            for changes in (4, n // 200):
                out.append(Regime(model, n, changes, 14))
    for n in sizes[:2]:
        for changes in (4, n // 200):
            out.append(Regime("gaussian", n, changes, 1))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="n = 1,600 and 10,000 only")
    ap.add_argument("--regimes", default="", help="comma-separated regime names to run")
    args = ap.parse_args()
    wanted = {w for w in args.regimes.split(",") if w}
    # numba compiles on first use: one small call first
    tool_intensity(simulate(Regime("gaussian", 200, 1, 14)), Regime("gaussian", 200, 1, 14))()
    tool_intensity(simulate(Regime("poisson", 200, 1, 14)), Regime("poisson", 200, 1, 14))()

    summary = []
    for r in regimes(args.quick):
        if wanted and r.name not in wanted:
            continue
        ys = [simulate(r, seed=r.n + r.changes + 100_003 * j) for j in range(CALLS + 1)]
        t_full, ours = timed_fresh(tool_intensity, ys, r)
        t_kernel, _ = timed_fresh(tool_kernel, ys, r)
        print(
            f"\n{r.name}: n = {r.n:,}, {r.changes} changes, min_size {r.min_size}, "
            f"penalty {r.pen:.2f}; intensity finds {len(ours)} breaks"
        )
        print(f"  {'intensity detect_breaks (full call)':<40} {t_full * 1e3:10.2f} ms")
        print(f"  {'intensity search kernel':<40} {t_kernel * 1e3:10.2f} ms")
        fastest = math.inf
        fastest_name = "-"
        for name, make in PEERS.items():
            try:
                make(ys[0], r)
            except ImportError:
                print(f"  {name:<40} {'not installed':>13}")
                continue
            except NotImplementedError as exc:
                print(f"  {name:<40} {'not run':>13}  ({exc})")
                continue
            t, theirs = timed_fresh(make, ys, r)
            same = list(theirs) == list(ours)
            print(
                f"  {name:<40} {t * 1e3:10.2f} ms  ratio to ours {t / t_full:7.2f}  "
                f"same optimum: {'yes' if same else 'NO (' + str(len(theirs)) + ' breaks)'}"
            )
            if same and t < fastest:
                fastest, fastest_name = t, name
        summary.append((r.name, t_full, t_kernel, fastest, fastest_name))

    print("\nsummary: intensity's full call and kernel over the fastest exact peer (target <= 1.5)")
    print(
        f"  {'regime':<28} {'full ms':>10} {'kernel ms':>10} {'peer ms':>10}  {'peer':<20}"
        f" {'full/peer':>9} {'kernel/peer':>11}"
    )
    for name, tf, tk, tp, pn in summary:
        print(
            f"  {name:<28} {tf * 1e3:10.2f} {tk * 1e3:10.2f} {tp * 1e3:10.2f}  {pn:<20}"
            f" {tf / tp:9.2f} {tk / tp:11.2f}"
        )

    # the package's own target: negative-binomial segmentation at n = 100,000 under 2 s
    if not args.quick and not wanted:
        from intensity.breaks.search import _prepare
        from intensity.simulate import simulate_counts

        big = simulate_counts(
            100_000,
            seed=2,
            breaks=[(20_000, 1.3), (55_000, 0.8), (80_000, 1.1)],
            annual_amplitude=0,
            start=START,
        )
        _, prep = _prepare(big.counts, "negbin", None, None, None)
        t_nb, (cps, _, alive) = timed(lambda: prep.run(3 * math.log(100_000), 14), repeat=3)
        print(f"\nnegative binomial, n = 100,000: {t_nb:.3f} s (target < 2 s); breaks {cps}")
        from intensity import detect_breaks

        t_pub, _ = timed(lambda: detect_breaks(big.counts).summary(), repeat=3)
        print(f"the same, the public default call (dependence, bootstrap, tables): {t_pub:.2f} s")

    # the default call a user makes on the real series (dependence, bootstrap intervals and
    # p-values, tables): target 150 ms
    from intensity.datasets import shared_data_dir

    base = shared_data_dir()
    if base is not None and not wanted:
        from intensity import detect_breaks, read_losses

        real = read_losses(base / "petroivaniuk_losses")["personnel"]
        # the time is a Monte Carlo outcome (how many null draws the sequential p-values
        # need, whether a date interval is unsettled and drawn again): at one seed it
        # reads 0.2-0.45 s; the median over seeds 0-9 (each the median of 3 runs)
        detect_breaks(real).summary()  # warm-up: numba's cache
        by_seed = [
            timed(lambda s=s: detect_breaks(real, seed=s).summary(), repeat=3)[0] for s in range(10)
        ]
        print(
            f"\nreal personnel series, detect_breaks defaults: median over seeds 0-9 "
            f"{statistics.median(by_seed) * 1e3:.0f} ms (range {min(by_seed) * 1e3:.0f}-"
            f"{max(by_seed) * 1e3:.0f}; seed 0 {by_seed[0] * 1e3:.0f} ms; target 150 ms)"
        )


if __name__ == "__main__":
    main()
