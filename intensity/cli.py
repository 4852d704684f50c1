"""The ``intensity`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .exceptions import IntensityError

__all__ = ["main"]


def _say(msg: str) -> None:
    print(str(msg).replace("\r", " ").replace("\n", " "), file=sys.stderr, flush=True)


def _cmd_build(args: argparse.Namespace) -> int:
    import pandas as pd

    from ._validation import grid_unit
    from .pipeline import build, summarize

    res = build(
        args.raw,
        args.processed,
        progress=_say,
        date_column=args.date_column,
        absent=args.absent_days,
    )
    for name, frame in res.frames.items():
        unit = grid_unit(frame.index)
        print(
            f"\n{name}: {len(frame)} {unit}s, "
            f"{frame.index[0]:%Y-%m-%d} … {frame.index[-1]:%Y-%m-%d}"
        )
        with pd.option_context("display.width", 120, "display.max_columns", 20):
            print(summarize(frame).to_string())
        q = res.quality[name]  # the sidecar's findings: the reader's, the counts', the gaps
        if len(q):
            counts = q["kind"].value_counts().sort_index()
            print("quality findings: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if res.failed:  # each was already said, with its reason, through the progress lines
        n_all = len(res.failed) + len(res.frames)
        _say(
            f"intensity: error: {len(res.failed)} of {n_all} datasets could not be read (above); "
            "the others were written. Fix or remove the bad files and run build again."
        )
        return 2
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    if args.what == "losses":
        from .fetch import fetch_losses

        sums = fetch_losses(
            args.raw,
            url=args.url,
            progress=_say,
            retries=args.retries,
            timeout=args.timeout,
            force=args.force,
        )
        for name, digest in sums.items():
            print(f"{digest}  {name}")
        return 0
    from .fetch import fetch_engagements

    out = fetch_engagements(
        args.raw,
        since=args.since,
        channel=args.channel,
        url=args.url,
        delay=args.delay,
        retries=args.retries,
        timeout=args.timeout,
        refresh=args.refresh,
        progress=_say,
    )
    print(f"wrote {out}")
    return 0


def _cmd_import_telegram(args: argparse.Namespace) -> int:
    from .pipeline import atomic_write_bytes
    from .reports import direction_counts, engagements_daily, read_telegram_export

    table = read_telegram_export(args.export)
    _say(f"{len(table)} reports in {args.export}")
    daily = engagements_daily(table)
    raw = Path(args.raw)
    csv = daily[["engagements", "partial_16", "partial_22"]].rename_axis("date").reset_index()
    csv["date"] = csv["date"].dt.strftime("%Y-%m-%d")
    target = raw / "gs_engagements.csv"
    atomic_write_bytes(
        target, csv.to_csv(index=False, lineterminator="\n", float_format="%.10g").encode()
    )
    dirs = direction_counts(table)
    dirs = dirs[dirs["complete"]].assign(metric="attacks")
    long = dirs.assign(direction=dirs["direction"].fillna(dirs["name"]))[
        ["date", "metric", "attacks", "direction"]
    ]
    long = long.rename(columns={"attacks": "value"}).dropna(subset=["value"])
    long["date"] = long["date"].dt.strftime("%Y-%m-%d")
    long = long.drop_duplicates(["date", "metric", "direction"], keep="last")
    atomic_write_bytes(
        raw / "gs_directions.csv", long.to_csv(index=False, lineterminator="\n").encode()
    )
    print(
        f"wrote {target} ({daily['engagements'].notna().sum()} complete days) "
        f"and {raw / 'gs_directions.csv'}"
    )
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from ._validation import grid_unit
    from .report import load_input, run_report
    from .report.inputs import _check_report_options

    # a wrong option is said at once, before the data are loaded
    _check_report_options(
        args.model, _penalty_arg(args.penalty), args.format.split(","), args.dpi, args.seed
    )
    data = load_input(args.input, args.periods, args.date_column, args.absent_days)
    _say(f"loaded {data.shape[1]} metric(s), {len(data)} {grid_unit(data.index)}s")
    res = run_report(
        data,
        args.out,
        args.metric or None,
        progress=_say,
        model=args.model,
        penalty=_penalty_arg(args.penalty),
        seed=args.seed,
        start=args.start,
        end=args.end,
        formats=args.format.split(","),
        dpi=args.dpi,
        inputs=[args.input or "data/processed", *([args.periods] if args.periods else [])],
        source=args.source,
    )
    return _print_result(res)


def _penalty_arg(text: str) -> str | float:
    """'mbic', 'bic', 'aic' or a number (checked by run_report)."""
    try:
        return float(text)
    except ValueError:
        return text


def _cmd_demo(args: argparse.Namespace) -> int:
    from .report import demo_series, run_report

    _say("simulating a daily series (no download needed)")
    res = run_report(demo_series(), args.out, simulated=True, progress=_say)
    return _print_result(res)


def _print_result(res: object) -> int:
    import pandas as pd

    from .report import ReportResult

    assert isinstance(res, ReportResult)
    shown = res.summary.drop(columns=["inputs"], errors="ignore")  # the hashes: summary.csv
    with pd.option_context("display.width", 140, "display.max_columns", 20):
        print(shown.to_string())
    print(f"\n{len(res.files)} files in {res.out_dir}/ ({res.seconds:.1f} s)")
    for f in res.files:
        if f.name.endswith("_report.pdf"):
            print(f"report: {f}")
    return 0


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(
        prog="intensity",
        description="Daily combat-intensity counts of the Ukrainian General Staff: "
        "build processed data, analyse, draw figures.",
    )
    p.add_argument("--version", action="version", version=f"intensity {__version__}")
    p.add_argument(
        "--debug",
        action="store_true",
        help="show the full traceback of an error (also: INTENSITY_DEBUG=1)",
    )
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="raw files → tidy processed CSV + JSON provenance")
    b.add_argument("--raw", default="data/raw", help="folder of raw files (default: data/raw)")
    b.add_argument(
        "--processed", default="data/processed", help="output folder (default: data/processed)"
    )
    _counts_file_options(b)
    b.set_defaults(func=_cmd_build)

    f = sub.add_parser(
        "fetch",
        help="download upstream data into data/raw",
        description="Download upstream data into data/raw: 'fetch losses' or "
        "'fetch engagements' (each has its own --help).",
    )
    fsub = f.add_subparsers(dest="what", required=True)

    def common(x: argparse.ArgumentParser) -> None:
        x.add_argument("--raw", default="data/raw", help="where to write (default: data/raw)")
        x.add_argument("--retries", type=int, default=3, help="retries per request (default: 3)")
        x.add_argument(
            "--timeout",
            type=float,
            default=10.0,
            help="seconds one request may take, the whole answer included (default: 10)",
        )

    fl = fsub.add_parser(
        "losses",
        help="the daily loss tables (personnel and equipment)",
        description="Download the cumulative loss tables the General Staff's morning post "
        "gives (personnel and equipment) into data/raw, all files before any is replaced, "
        "with their SHA-256 in a manifest.",
    )
    common(fl)
    fl.add_argument("--url", default=None, help="base URL of the upstream data folder")
    fl.add_argument(
        "--force",
        action="store_true",
        help="replace the tables in --raw even when the download has fewer rows or lacks "
        "days they have (refused otherwise; the old tables go to <raw>/backup/ either way)",
    )
    fl.set_defaults(func=_cmd_fetch)
    fe = fsub.add_parser(
        "engagements",
        help="the engagement reports from the General Staff's Telegram channel",
        description="Build the daily engagement series from the public web preview of "
        "the General Staff's Telegram channel (polite: delay, retries, back-off; pages "
        "cached in data/raw/telegram/) into data/raw/gs_engagements.csv.",
    )
    common(fe)
    fe.add_argument(
        "--url", default=None, help="base URL of the channel preview (default https://t.me/s/)"
    )
    fe.add_argument("--since", default="2024-01-01", help="go back to this date")
    fe.add_argument("--channel", default="GeneralStaffZSU", help="Telegram channel")
    fe.add_argument("--delay", type=float, default=2.0, help="seconds between pages")
    fe.add_argument("--refresh", action="store_true", help="fetch the newest page again")
    fe.set_defaults(func=_cmd_fetch)

    t = sub.add_parser(
        "import-telegram",
        help="Telegram Desktop export (result.json) → daily engagement series in data/raw",
    )
    t.add_argument("export", help="path of result.json")
    t.add_argument("--raw", default="data/raw", help="where to write (default: data/raw)")
    t.set_defaults(func=_cmd_import_telegram)

    r = sub.add_parser("report", help="the whole analysis: figures (PDF), report PDF, tables (CSV)")
    r.add_argument(
        "--input",
        default=None,
        help="folder of loss tables, folder of processed files or a counts file "
        "(default: data/processed, what 'intensity build' produced)",
    )
    r.add_argument(
        "--metric",
        action="extend",
        nargs="+",
        default=[],
        help="metric(s) to analyse (--metric a b or --metric a --metric b; default: every "
        "metric with a year of data, "
        "52 days of it above zero). "
        "With several (or none named), a joint report adds the breaks common to them, each "
        "metric's ratio at each break and their lead and lag (joint_report.pdf)",
    )
    r.add_argument("--out", default="report", help="output folder (default: report)")
    r.add_argument(
        "--model",
        default="auto",
        choices=["auto", "negbin", "poisson", "normal", "normal_meanvar", "linear_trend"],
        help="break model (default: auto, negative binomial for counts; linear_trend also "
        "writes <metric>_knots.csv)",
    )
    r.add_argument(
        "--penalty",
        default="mbic",
        help="break penalty: mbic, bic, aic or a number (default: mbic); like the named "
        "ones, a number is multiplied by the series' long-run variance factor (serial "
        "dependence), which the report prints",
    )
    r.add_argument(
        "--seed", type=int, default=0, help="seed of the bootstrap and simulations (default: 0)"
    )
    r.add_argument("--start", default=None, help="first day to analyse (e.g. 2023-01-01)")
    r.add_argument("--end", default=None, help="last day to analyse")
    r.add_argument(
        "--format",
        default="pdf",
        help="figure formats, comma-separated among pdf, png, svg (default: pdf; the "
        "report itself is always a PDF)",
    )
    r.add_argument("--dpi", type=int, default=200, help="resolution of PNG figures (default: 200)")
    r.add_argument(
        "--source",
        default=None,
        help="caption naming the data's source on every figure and page (default: the "
        "General Staff for its loss tables and report figures; for any other file its "
        "name and 'not stated')",
    )
    r.add_argument(
        "--periods",
        default=None,
        help="table of period figures of the engagement count (monthly totals, means per "
        "day, peak days; the layout of gs_engagement_aggregates) for an --input of "
        "hand-collected engagement figures: the figures are checked against them, and the "
        "reconstructed daily series uses them",
    )
    _counts_file_options(r)
    r.set_defaults(func=_cmd_report)

    d = sub.add_parser("demo", help="the same report on a simulated series (offline)")
    d.add_argument("--out", default="report-demo", help="output folder (default: report-demo)")
    d.set_defaults(func=_cmd_demo)
    return p


def _counts_file_options(p: argparse.ArgumentParser) -> None:
    """--date-column and --absent-days: how a counts file is read (build and report)."""
    p.add_argument(
        "--date-column",
        default="date",
        help="name of the date column of a counts file (default: date; e.g. day for the "
        "VIINA and UCDP daily tables)",
    )
    p.add_argument(
        "--absent-days",
        choices=("missing", "zero"),
        default="missing",
        help="what a day absent from a counts file is: missing (default) or zero, for a "
        "file that lists only the days with events (as UCDP's daily table)",
    )


def _os_error_text(exc: OSError) -> str:
    """One line for a file-system error: the path, what went wrong and what to do."""
    path = exc.filename if exc.filename is not None else "a file"
    what = exc.strerror or type(exc).__name__
    hint = {
        FileExistsError: "it is a file where a folder is needed; choose another path",
        NotADirectoryError: "a part of it is a file, not a folder; choose another path",
        IsADirectoryError: "it is a folder where a file is needed; choose another path",
        PermissionError: "choose a folder you may write to (e.g. with --out/--processed)",
        FileNotFoundError: "check the path",
    }.get(type(exc), "check the path and the disk")
    return f"{path}: {what}; {hint}"


#: the environment variables of the BLAS and OpenMP libraries numpy and scipy may load
_THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)


def _one_blas_thread() -> None:
    """One BLAS thread for the command line's run, whatever the environment says: the
    fits' matrices are small (1,600 × 30), where threads only add overhead (a 300-fold
    slowdown of one least-squares solve on a busy machine), and the output's bytes must not
    depend on the machine's thread count. Set before numpy is imported (the package import
    is lazy), and through threadpoolctl when numpy is loaded already."""
    for var in _THREAD_VARIABLES:
        os.environ[var] = "1"
    if "numpy" in sys.modules:  # imported already (main() called from Python)
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)


def _one_line(text: str) -> str:
    """A message on one line: line breaks (a file's column name, a parser's message) become
    spaces, so every error is exactly one line on standard error."""
    return " ".join(str(text).split())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``intensity`` console script.

    Every failure is one line on standard error and exit status 2; ``--debug`` (or the
    environment variable ``INTENSITY_DEBUG=1``) shows the traceback instead. Ctrl-C at any
    point, loading included, is one line and exit status 130.

    Examples
    --------
    >>> from intensity.cli import main
    >>> main(["report", "--input", "no-such-file.csv"])  # one line on stderr, status 2
    2
    """
    debug = os.environ.get("INTENSITY_DEBUG", "") not in ("", "0")
    _one_blas_thread()
    try:
        args = _parser().parse_args(argv)
        debug = debug or bool(args.debug)
        return int(args.func(args))
    except KeyboardInterrupt:
        print("intensity: interrupted", file=sys.stderr)
        return 130
    except IntensityError as exc:
        if debug:
            raise
        print(f"intensity: error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except OSError as exc:
        if debug:
            raise
        print(f"intensity: error: {_one_line(_os_error_text(exc))}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug still gets one line and a way to see more
        if debug:
            raise
        print(
            f"intensity: error: internal error {type(exc).__name__}: {_one_line(str(exc))} "
            "(run again with --debug for the traceback, and please report it)",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
