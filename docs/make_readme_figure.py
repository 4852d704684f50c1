"""Regenerate ``docs/demo_overview.png``, the figure the README shows, from the demo.

    python docs/make_readme_figure.py

Runs the demo report (``intensity demo``: the simulated series, every page saying so) into
a temporary folder with PNG figures and copies its overview figure here, so the README
shows what the current package draws.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path


def main() -> int:
    from intensity.report import demo_series, run_report

    with tempfile.TemporaryDirectory() as tmp:
        res = run_report(demo_series(), tmp, simulated=True, formats=("png",), dpi=110)
        src = next(p for p in res.files if p.name.endswith("_overview.png"))
        dst = Path(__file__).resolve().parent / "demo_overview.png"
        shutil.copyfile(src, dst)
    print(f"wrote {dst}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
