"""Writes bai_series.csv, the input of make_bai_reference.R: eight series of 200 values,
noise sd 1 for the first 120 and sd *ratio* after, the mean moved by *delta* at 120
(numpy's default generator, seed 20261206; values rounded to 6 decimals so that R reads
the same numbers). Run from tests/reference:  python make_bai_series.py"""

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261206)
specs = [(0.3, 1.5), (0.6, 1.0), (1.0, 0.8), (1.5, 2.0)]
specs += [(2.5, 3.0), (4.0, 2.5), (0.8, -1.2), (2.0, -4.0)]
rows = []
for k, (ratio, delta) in enumerate(specs):
    y = np.r_[rng.normal(0, 1, 120), rng.normal(delta, ratio, 80)]
    rows += [
        {"series": f"s{k}", "sd_ratio": ratio, "delta": delta, "i": i + 1, "value": round(v, 6)}
        for i, v in enumerate(y.tolist())
    ]
pd.DataFrame(rows).to_csv("bai_series.csv", index=False)
