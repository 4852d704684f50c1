"""Page images of a report, as a reader sees them (issue 26).

    python docs/make_report_pages.py            # the demo report -> docs/report_pages/demo/
    python docs/make_report_pages.py --real     # the personnel report -> .../personnel/

Runs the report, draws every page it writes (the same matplotlib figures its PDF holds) as
a PNG and prints the layout check of each (tests/layout.py: text off the page,
overlapping texts, a legend over the data). The demo's pages are kept in the repository;
the personnel report's are written to a git-ignored folder, because the project holds
nothing derived from the shared data (regenerate them from ../shared/data).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--real", action="store_true", help="the real personnel report")
    ap.add_argument("--dpi", type=int, default=60)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE.parent / "tests"))
    from layout import layout_problems

    import intensity.report.files as files
    from intensity.plotting import house_style
    from intensity.report import demo_series, load_input, run_report

    pages: list = []
    original = files._pdf_bytes

    def record(title, drawn):  # the pages of the report PDF, not of the joint one
        if not pages:
            pages.extend(drawn)
        return original(title, drawn)

    files._pdf_bytes = record
    with tempfile.TemporaryDirectory() as tmp:
        if args.real:
            from intensity.datasets import shared_data_dir

            base = shared_data_dir()
            if base is None:
                print("shared data not found (set INTENSITY_SHARED_DATA)", file=sys.stderr)
                return 1
            run_report(load_input(base / "petroivaniuk_losses"), tmp, ["personnel"])
            out = HERE / "report_pages" / "personnel"
        else:
            run_report(demo_series(), tmp, simulated=True)
            out = HERE / "report_pages" / "demo"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("page_*.png"):
        old.unlink()
    bad = 0
    for k, fig in enumerate(pages, 1):
        path = out / f"page_{k:02d}.png"
        with house_style():
            fig.savefig(path, dpi=args.dpi, metadata={"Software": "intensity (matplotlib)"})
        problems = layout_problems(fig)
        bad += len(problems)
        print(f"{path.relative_to(HERE.parent)}: {'; '.join(problems) or 'layout ok'}")
    print(f"{len(pages)} pages, {bad} layout problem(s)")
    return 0 if bad == 0 else 2


if __name__ == "__main__":
    raise SystemExit(main())
