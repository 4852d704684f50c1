"""Turing change-point benchmark (van den Burg & Williams 2020) on the shared TCPD series.

    python benchmarks/tcpd.py

Reads the univariate series and human annotations from ``<shared>/tcpd`` (see
``intensity.datasets.shared_data_dir``), runs

* ``intensity.detect_breaks`` with its defaults,
* ruptures' ``Pelt(model="l2")`` and ``Binseg(model="l2")`` with their defaults (min_size=2,
  jump=5) and the penalty ruptures' documentation suggests for a mean change,
  ``pen = 2 * log(n) * sigma**2`` (BIC), with sigma estimated robustly from differences
  (ruptures has no default penalty; missing values are interpolated for it, it cannot
  take NaN),

and prints F1 (margin 5) and segmentation covering per series and their means. Series are
put on a daily index (only positions matter). Annotation indices are 0-based positions of
the first observation of the new regime, as are ours.
"""

from __future__ import annotations

import json
import math
import sys

import numpy as np
import pandas as pd


def load_series(folder):
    out = {}
    for p in sorted(folder.glob("*.json")):
        if p.name == "annotations.json":
            continue
        d = json.loads(p.read_text())
        if d.get("n_dim", 1) != 1:
            continue
        raw = d["series"][0]["raw"]
        y = np.array([np.nan if v is None else float(v) for v in raw])
        out[d["name"]] = y
    return out


def main() -> int:
    import ruptures as rpt

    from intensity import detect_breaks
    from intensity.costs import robust_sigma
    from intensity.datasets import shared_data_dir
    from intensity.evaluation import covering, f_measure
    from intensity.exceptions import InsufficientDataError

    base = shared_data_dir()
    if base is None or not (base / "tcpd").is_dir():
        print(
            "shared data folder with tcpd/ not found (set INTENSITY_SHARED_DATA)", file=sys.stderr
        )
        return 1
    ann = json.loads((base / "tcpd" / "annotations.json").read_text())
    rows = []
    for name, y in load_series(base / "tcpd").items():
        n = len(y)
        s = pd.Series(y, index=pd.date_range("2000-01-01", periods=n), name=name)
        try:
            ours = list(detect_breaks(s, n_boot=9).positions)
        except InsufficientDataError:  # shorter than two segments of min_size: no break
            ours = []
        filled = pd.Series(y).interpolate(limit_direction="both").to_numpy().reshape(-1, 1)
        sigma = robust_sigma(y)
        pen = 2 * math.log(n) * sigma**2
        pelt = rpt.Pelt(model="l2").fit(filled).predict(pen=pen)[:-1]
        binseg = rpt.Binseg(model="l2").fit(filled).predict(pen=pen)[:-1]
        a = ann[name]
        for method, pred in (
            ("intensity", ours),
            ("ruptures_pelt", pelt),
            ("ruptures_binseg", binseg),
        ):
            rows.append(
                {
                    "series": name,
                    "method": method,
                    "n": n,
                    "n_pred": len(pred),
                    "f1": f_measure(a, pred, margin=5),
                    "cover": covering(a, pred, n),
                }
            )
    df = pd.DataFrame(rows)
    wide = df.pivot(index="series", columns="method", values=["f1", "cover"]).round(3)
    with pd.option_context("display.width", 160, "display.max_rows", 100):
        print(wide.to_string())
        print()
        print(df.groupby("method")[["f1", "cover", "n_pred"]].mean().round(4).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
