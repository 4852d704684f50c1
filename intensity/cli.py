"""The ``intensity`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import pandas as pd

from .exceptions import IntensityError

__all__ = ["main"]


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _cmd_build(args: argparse.Namespace) -> int:
    from .io import quality_events
    from .pipeline import build, summarize

    res = build(args.raw, args.processed, progress=_say)
    for name, frame in res.frames.items():
        print(
            f"\n{name}: {len(frame)} days, {frame.index[0]:%Y-%m-%d} … {frame.index[-1]:%Y-%m-%d}"
        )
        with pd.option_context("display.width", 120, "display.max_columns", 20):
            print(summarize(frame).to_string())
        q = quality_events(frame)
        if len(q):
            counts = q["kind"].value_counts().sort_index()
            print("quality findings: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    if args.what == "losses":
        from .fetch import fetch_losses

        sums = fetch_losses(args.raw, url=args.url, progress=_say, retries=args.retries)
        for name, digest in sums.items():
            print(f"{digest}  {name}")
        return 0
    raise IntensityError(f"unknown fetch target {args.what!r}")  # pragma: no cover


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(
        prog="intensity",
        description="Daily combat-intensity counts of the Ukrainian General Staff: "
        "build processed data, analyse, draw figures.",
    )
    p.add_argument("--version", action="version", version=f"intensity {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="raw files → tidy processed CSV + JSON provenance")
    b.add_argument("--raw", default="data/raw", help="folder of raw files (default: data/raw)")
    b.add_argument(
        "--processed", default="data/processed", help="output folder (default: data/processed)"
    )
    b.set_defaults(func=_cmd_build)

    f = sub.add_parser("fetch", help="download upstream data into data/raw")
    f.add_argument("what", choices=["losses"], help="which data set")
    f.add_argument("--raw", default="data/raw", help="where to write (default: data/raw)")
    f.add_argument("--url", default=None, help="base URL of the upstream data folder")
    f.add_argument("--retries", type=int, default=3, help="retries per file (default: 3)")
    f.set_defaults(func=_cmd_fetch)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``intensity`` console script."""
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except IntensityError as exc:
        print(f"intensity: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
