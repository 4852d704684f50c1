"""Regression tests of the second data-integrity issue (#24): no silent loss on the
build → report path, safe names, bounded fetches, only the package's own errors. Each test
is named after what it protects."""

from __future__ import annotations

import errno
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import intensity
from intensity import cli
from intensity.exceptions import DataFormatError, FetchError, ParameterError
from intensity.pipeline import atomic_write_bytes, build, read_processed
from intensity.report import engagement_figures, file_stems, load_input, read_manifest

LOSS_FILES = ("russia_losses_personnel.json", "russia_losses_equipment.json")


def _write(p: Path, text: str | bytes) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def _build_process(raw: Path, processed: Path) -> subprocess.Popen[bytes]:
    """``intensity build`` in a process of its own (standard error captured)."""
    cmd = [sys.executable, "-m", "intensity.cli", "build", "--raw", str(raw)]
    return subprocess.Popen(
        [*cmd, "--processed", str(processed)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _raw_losses(shared_dir: Path, raw: Path) -> Path:
    """A raw folder holding the real loss tables (copied into the test's own folder)."""
    raw.mkdir(parents=True, exist_ok=True)
    for name in LOSS_FILES:
        shutil.copy(shared_dir / "petroivaniuk_losses" / name, raw / name)
    return raw


# ------------------------------------------------------- 1. findings survive the build
def test_report_on_processed_data_keeps_every_quality_finding(shared_dir, tmp_path):
    raw = _raw_losses(shared_dir, tmp_path / "raw")
    build(raw, tmp_path / "processed")
    direct = load_input(raw)
    processed = load_input(tmp_path / "processed")
    q_direct = intensity.quality_events(direct)
    q_processed = intensity.quality_events(processed)
    assert len(q_direct) > 200
    pd.testing.assert_frame_equal(q_processed, q_direct)
    assert intensity.validate(processed).equals(intensity.validate(direct))
    s_direct, s_processed = direct["personnel"], processed["personnel"]
    np.testing.assert_array_equal(s_processed.to_numpy(), s_direct.to_numpy())
    catch_ups = q_processed[(q_processed.metric == "personnel") & (q_processed.kind == "catch_up")]
    assert {"2022-03-08", "2022-03-15"} <= set(catch_ups["date"].dt.strftime("%Y-%m-%d"))


def test_processed_csv_from_another_build_than_its_sidecar_is_refused(tmp_path):
    raw = tmp_path / "raw"
    _write(raw / "e.csv", "date,x\n2024-01-01,1\n2024-01-02,2\n")
    build(raw, tmp_path / "p")
    csv = tmp_path / "p" / "e.csv"
    assert read_processed(csv)["x"].tolist() == [1.0, 2.0]
    csv.write_bytes(csv.read_bytes().replace(b",2\n", b",3\n"))  # a later build's CSV
    with pytest.raises(DataFormatError, match="does not match its sidecar"):
        read_processed(csv)
    with pytest.raises(DataFormatError, match="does not match its sidecar"):
        load_input(tmp_path / "p")


# ------------------------------------------------------- 2. no output overwrites another
def test_build_refuses_raw_files_whose_outputs_collide(tmp_path, capsys):
    raw = tmp_path / "raw"
    _write(raw / "eng.csv", "date,x\n2024-01-01,1\n")
    _write(raw / "eng.json", '[{"date": "2024-01-01", "y": 5}]')
    _write(raw / "other.csv", "date,z\n2024-01-01,7\n")
    res = build(raw, tmp_path / "p")
    assert sorted(res.frames) == ["other"]
    assert sorted(f for f, _ in res.failed) == ["eng.csv", "eng.json"]
    assert not (tmp_path / "p" / "eng.csv").exists()
    rc = cli.main(["build", "--raw", str(raw), "--processed", str(tmp_path / "p2")])
    assert rc == 2 and "would all write processed/eng.csv" in capsys.readouterr().err


def test_raw_losses_csv_does_not_replace_the_processed_loss_tables(tmp_path):
    raw = tmp_path / "raw"
    rows = [{"date": f"2024-01-{d:02d}", "personnel": 1000 + 10 * d} for d in range(1, 31)]
    _write(raw / "russia_losses_personnel.json", json.dumps(rows))
    _write(raw / "losses.csv", "date,x\n2024-01-01,1\n")
    res = build(raw, tmp_path / "p")
    assert "losses" not in res.frames
    assert {f for f, _ in res.failed} == {"russia_losses_personnel.json", "losses.csv"}


# ------------------------------------------------------- 3. thousands dots
@pytest.mark.parametrize(
    "cells,expected",
    [
        (["1.040", "999", "2.000"], [1040.0, 999.0, 2000.0]),
        (["1.234.567", "2.000.000"], [1234567.0, 2000000.0]),
        (["1.5", "1.040"], [1.5, 1.04]),
        (["0.125", "1.250"], [0.125, 1.25]),
        (["1\u202f040", "12"], [1040.0, 12.0]),
    ],
    ids=["thousands-beside-small", "two-groups", "decimal", "leading-zero-decimal", "nnbsp"],
)
def test_dots_in_numbers_are_decided_per_column(tmp_path, cells, expected):
    text = "date,x\n" + "".join(f"2024-01-{i + 1:02d},{c}\n" for i, c in enumerate(cells))
    assert intensity.read_counts(_write(tmp_path / "c.csv", text))["x"].tolist() == expected
    recs = [{"date": f"2024-01-{i + 1:02d}", "x": c} for i, c in enumerate(cells)]
    got = intensity.read_counts(_write(tmp_path / "c.json", json.dumps(recs)))
    assert got["x"].tolist() == expected


@pytest.mark.parametrize(
    "cells",
    [["1.040", "2.000"], ["1.040", "1500"]],
    ids=["every-value-one-group", "beside-a-large-plain-number"],
)
def test_ambiguous_dots_are_refused_and_can_be_decided(tmp_path, cells):
    text = "date,x\n" + "".join(f"2024-01-{i + 1:02d},{c}\n" for i, c in enumerate(cells))
    p = _write(tmp_path / "c.csv", text)
    with pytest.raises(DataFormatError, match="column 'x'.*thousands='.'"):
        intensity.read_counts(p)
    assert intensity.read_counts(p, thousands=".")["x"].iloc[0] == 1040.0
    assert intensity.read_counts(p, thousands="none")["x"].iloc[0] == 1.04
    with pytest.raises(ParameterError, match="thousands"):
        intensity.read_counts(p, thousands=",")  # type: ignore[arg-type]


def test_real_equipment_table_written_with_thousands_dots_reads_the_same(shared_dir, tmp_path):
    src = shared_dir / "petroivaniuk_losses"
    plain = intensity.read_losses(src)
    rows = json.loads((src / "russia_losses_equipment.json").read_text())
    for r in rows:
        for k, v in r.items():
            if isinstance(v, int) and not isinstance(v, bool):
                r[k] = f"{v:,}".replace(",", ".")
    d = tmp_path / "dotted"
    _write(d / "russia_losses_equipment.json", json.dumps(rows))
    shutil.copy(src / "russia_losses_personnel.json", d)
    dotted = intensity.read_losses(d)
    assert dotted["tank"].sum() == plain["tank"].sum() > 10_000
    pd.testing.assert_frame_equal(dotted, plain)


# ------------------------------------------------------- 4. fetch never loses data
class _Files(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}

    def do_GET(self):  # noqa: N802 - the name http.server calls
        body = self.files.get(self.path.rsplit("/", 1)[-1])
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _serve(handler: type[http.server.BaseHTTPRequestHandler]):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/data/"


def _tables(days: int) -> dict[str, bytes]:
    dates = pd.date_range("2024-01-01", periods=days).strftime("%Y-%m-%d")
    pers = [{"date": d, "personnel": 1000 + 900 * i} for i, d in enumerate(dates)]
    eq = [{"date": d, "tank": 100 + 3 * i} for i, d in enumerate(dates)]
    return {LOSS_FILES[0]: json.dumps(pers).encode(), LOSS_FILES[1]: json.dumps(eq).encode()}


@pytest.mark.parametrize(
    "served,match",
    [
        (_tables(30), "would lose data \\(30 day"),
        (
            {
                **_tables(60),
                LOSS_FILES[0]: json.dumps(json.loads(_tables(61)[LOSS_FILES[0]])[1:]).encode(),
            },
            "would lose data \\(1 day",
        ),
        (
            {LOSS_FILES[0]: b'[{"date": "2024-01-01"}]', LOSS_FILES[1]: _tables(60)[LOSS_FILES[1]]},
            "not a readable loss table",
        ),
        (
            {
                LOSS_FILES[0]: b'[{"date": "2024-01-01", "personnel": ' + b"9" * 4400 + b"}]",
                LOSS_FILES[1]: _tables(60)[LOSS_FILES[1]],
            },
            "not a JSON file",
        ),
    ],
    ids=["shrinks", "loses-a-day", "no-metric", "4400-digit-integer"],
)
def test_fetch_refuses_a_download_that_loses_data(tmp_path, served, match):
    raw = tmp_path / "raw"
    for name, data in _tables(60).items():
        _write(raw / name, data)
    before = {p.name: p.read_bytes() for p in raw.iterdir()}
    handler = type("H", (_Files,), {"files": served})
    httpd, url = _serve(handler)
    try:
        with pytest.raises(FetchError, match=match):
            intensity.fetch.fetch_losses(raw, url=url, retries=0, timeout=5)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert {p.name: p.read_bytes() for p in raw.iterdir()} == before


def test_fetch_keeps_a_backup_and_force_replaces(tmp_path):
    raw = tmp_path / "raw"
    old = _tables(60)
    for name, data in old.items():
        _write(raw / name, data)
    httpd, url = _serve(type("H", (_Files,), {"files": _tables(30)}))
    try:
        intensity.fetch.fetch_losses(raw, url=url, retries=0, timeout=5, force=True)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert (raw / LOSS_FILES[0]).read_bytes() == _tables(30)[LOSS_FILES[0]]
    assert (raw / "backup" / LOSS_FILES[0]).read_bytes() == old[LOSS_FILES[0]]
    assert not any(p.name.startswith(".fetch-") for p in raw.iterdir())


# ------------------------------------------------------- 11. bounded fetches
class _Hostile(http.server.BaseHTTPRequestHandler):
    mode = "endless"

    def do_GET(self):  # noqa: N802
        self.send_response(200)
        if self.mode == "announced":
            self.send_header("Content-Length", str(2 * 1024**3))
        self.end_headers()
        try:
            if self.mode == "trickle":
                for _ in range(40):
                    self.wfile.write(b"[")
                    self.wfile.flush()
                    time.sleep(0.5)
            elif self.mode == "endless":
                chunk = b"[" * 65536
                for _ in range(2000):  # at most 128 MiB, then the test has failed anyway
                    self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("mode", ["endless", "announced", "trickle"])
def test_fetch_is_bounded_in_size_and_time(mode):
    httpd, url = _serve(type("H", (_Hostile,), {"mode": mode}))
    t0 = time.monotonic()
    try:
        with pytest.raises(FetchError, match="larger than|announces|download failed"):
            intensity.fetch.http_get(url + "x.json", retries=0, timeout=2, max_bytes=1 << 20)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert time.monotonic() - t0 < 6  # trickle: 2 s deadline + at most one read's wait


# ------------------------------------------------------- 13. the page cache stays in raw
@pytest.mark.parametrize("channel", ["../../escaped", "a/b", "", "x" * 40, "GS\nZSU"])
def test_fetch_engagements_channel_cannot_leave_raw(tmp_path, channel):
    raw = tmp_path / "raw"
    with pytest.raises(ParameterError, match="channel must be a Telegram channel name"):
        intensity.fetch.fetch_engagements(raw, channel=channel, url="http://127.0.0.1:9/")
    assert not any(tmp_path.rglob("*.html"))
    with pytest.raises(ParameterError, match="max_pages"):
        intensity.fetch.fetch_engagements(raw, max_pages=10**6, url="http://127.0.0.1:9/")


# ------------------------------------------------------- 5, 9, 12. report files
def test_metric_names_never_share_output_files():
    stems = file_stems(["a b", "a/b", "A_b", "tank", "..", ""])
    assert len({s.casefold() for s in stems.values()}) == 6
    assert stems["tank"] == "tank"
    assert all("/" not in s and s not in ("", ".", "..") for s in stems.values())


@pytest.fixture(scope="module")
def small_report(tmp_path_factory):
    """One report run on three short simulated metrics with hostile names."""
    from intensity.report import run_report

    rng = np.random.default_rng(3)
    idx = pd.date_range("2023-01-01", periods=200, freq="D")
    names = ["a b", "a/b", '=HYPERLINK("http://x","y")']
    frame = pd.DataFrame(
        {n: rng.poisson(50 + 10 * i, len(idx)).astype(float) for i, n in enumerate(names)},
        index=idx,
    )
    out = tmp_path_factory.mktemp("rep")
    res = run_report(frame, out, names, n_boot=19, n_sim=19)
    return res, out, names


def test_report_files_of_metrics_with_colliding_names_are_distinct(small_report):
    res, out, names = small_report
    reports = sorted(p.name for p in out.glob("*_report.pdf"))
    assert len([r for r in reports if r != "joint_report.pdf"]) == 3
    summary = pd.read_csv(out / "summary.csv")
    assert summary.loc[summary["files"].notna(), "files"].nunique() == 3


def test_report_tables_cannot_carry_a_spreadsheet_formula(small_report):
    _, out, _ = small_report
    for csv in out.glob("*.csv"):
        import csv as csvmod

        with open(csv, newline="", encoding="utf-8") as fh:
            for row in csvmod.reader(fh):
                for cell in row:
                    assert not cell.startswith(("=", "@")), f"{csv.name}: {cell!r}"
                    if cell.startswith(("+", "-")):
                        float(cell)  # only numbers may start with a sign


def test_report_folder_is_one_set_with_a_manifest(small_report):
    res, out, _ = small_report
    man = read_manifest(out)
    assert set(man) == {p.name for p in res.files}
    assert not list(out.glob(".intensity-staging-*"))
    import hashlib

    for name, digest in man.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


def test_interrupted_report_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    from intensity.report import runner as rep

    out = tmp_path / "rep"
    out.mkdir()
    old = {"x_report.pdf": b"old", "x_breaks.csv": b"old"}
    for k, v in old.items():
        (out / k).write_bytes(v)
    rep.publish(out, out, [out / k for k in old])  # a finished earlier run
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def killed(*a, **k):
        (Path(a[1]) / "y_report.pdf").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(rep, "_analyse", killed)
    with pytest.raises(KeyboardInterrupt):
        rep.run_report(pd.Series([1.0], index=pd.date_range("2024-01-01", periods=1)), out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_new_report_run_removes_the_previous_runs_other_files(tmp_path):
    from intensity import report as rep
    from intensity.report.files import _new_staging

    out = tmp_path / "rep"
    out.mkdir()
    (out / "notes.txt").write_text("mine")  # not the package's: kept
    for name in ("old_report.pdf", "old_breaks.csv"):
        (out / name).write_bytes(b"1")
    rep.publish(out, out, [out / "old_report.pdf", out / "old_breaks.csv"])
    staging = _new_staging(out)
    (staging / "new_report.pdf").write_bytes(b"2")
    rep.publish(staging, out, [staging / "new_report.pdf"])
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == [
        "manifest.json",
        "new_report.pdf",
        "notes.txt",
    ]


# ------------------------------------------------------- 6. hand-collected figures
def _figures(tmp_path: Path, rows: list[str], name: str = "f.csv") -> Path:
    return _write(tmp_path / name, "day,window,hour,total,floor\n" + "\n".join(rows) + "\n")


@pytest.mark.parametrize("hour", ["22", "22:00", "22.00", "22h", " 22:00 "])
def test_figures_hour_written_as_a_time_is_that_slot(tmp_path, hour):
    p = _figures(tmp_path, [f"2025-12-01,partial,{hour},118,0", "2025-12-01,day,8,124,0"])
    daily = intensity.engagements_daily(intensity.reports.reports_from_table(p))
    assert daily.loc["2025-12-01", "partial_22"] == 118


@pytest.mark.parametrize(
    "flag,floor",
    [
        ("TRUE", True),
        ("true", True),
        ("yes", True),
        ("1", True),
        ("0", False),
        ("false", False),
        ("", False),
        ("no", False),
    ],
)
def test_figures_floor_words_are_read(tmp_path, flag, floor):
    p = _figures(tmp_path, [f"2025-12-01,day,8,124,{flag}"])
    daily = intensity.engagements_daily(intensity.reports.reports_from_table(p))
    assert bool(daily.loc["2025-12-01", "total_floor"]) is floor


def test_figures_floor_that_is_no_yes_or_no_is_an_error(tmp_path):
    p = _figures(tmp_path, ["2025-12-01,day,8,124,maybe"])
    with pytest.raises(DataFormatError, match="floor must be"):
        intensity.reports.reports_from_table(p)


def test_two_whole_day_totals_for_one_day_are_a_finding_whatever_the_order(tmp_path):
    rows = ["2025-12-01,day,8,124,0", "2025-12-01,day,8,131,0", "2025-12-01,24h,,100,0"]
    a = engagement_figures(_figures(tmp_path, rows, "a.csv"))
    b = engagement_figures(_figures(tmp_path, rows[::-1], "b.csv"))
    assert a["engagements"].tolist() == b["engagements"].tolist() == [131.0]
    q = intensity.quality_events(a)
    assert (q["kind"] == "conflicting_totals").sum() == 1
    assert "124" in q["detail"].iloc[0] and "kept 131" in q["detail"].iloc[0]


def test_real_figures_table_read_backwards_gives_the_same_series(shared_dir, tmp_path):
    src = shared_dir / "news_engagements" / "engagements.csv"
    table = pd.read_csv(src, dtype=str, keep_default_na=False)
    table.iloc[::-1].to_csv(tmp_path / "rev.csv", index=False)
    fwd, rev = engagement_figures(src), engagement_figures(tmp_path / "rev.csv")
    pd.testing.assert_series_equal(fwd["engagements"], rev["engagements"])
    assert fwd.loc["2023-12-23", "engagements"] == 81  # the calendar day over the 24-hour


# ------------------------------------------------------- 14, 17, 20. figures-table errors
@pytest.mark.parametrize(
    "data,match",
    [
        (b'day,window,total\n"2025-12-01,day,1\n', "cannot be parsed|day"),
        ("day,window,total\n2025-12-01,day,1\n".encode("utf-16"), "not UTF-8|NUL"),
        (b"day,window,total\n", "no rows"),
        (b"day,window,hour,total\n2025-12-01,partial,inf,1\n", "hour must be"),
        (b"day,window,total\n2025-12-01,day,1e20\n", "total must be"),
        (b"day,window,total\n2025-12-01,day,100000000000000000000\n", "total must be at most"),
    ],
    ids=["malformed", "utf-16", "header-only", "hour-inf", "total-1e20", "total-huge"],
)
def test_figures_table_errors_are_the_packages_own(tmp_path, data, match):
    p = _write(tmp_path / "f.csv", data)
    with pytest.raises(DataFormatError, match=match):
        engagement_figures(p)


def test_figures_table_with_a_byte_order_mark_is_read(tmp_path):
    p = _write(tmp_path / "f.csv", b"\xef\xbb\xbfday,window,total\n2025-12-01,day,124\n")
    assert load_input(p)["engagements"].tolist() == [124.0]


def test_two_figure_series_can_be_combined(tmp_path):
    a = engagement_figures(_figures(tmp_path, ["2025-12-01,day,8,124,0"], "a.csv"))
    b = engagement_figures(_figures(tmp_path, ["2025-12-02,day,8,130,0"], "b.csv"))
    both = pd.concat([a, b])
    assert both["engagements"].tolist() == [124.0, 130.0]


def test_read_counts_on_a_folder_or_a_pipe_is_a_format_error(tmp_path):
    with pytest.raises(DataFormatError, match="is a folder"):
        intensity.read_counts(tmp_path)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    t0 = time.monotonic()
    with pytest.raises(DataFormatError, match="not a regular file"):
        intensity.read_counts(fifo)
    assert time.monotonic() - t0 < 2
    assert cli.main(["report", "--input", str(fifo)]) == 2


# ------------------------------------------------------- 7. one metric, two files
def test_processed_folder_with_a_metric_in_two_files_is_an_error(tmp_path):
    _write(tmp_path / "a.csv", "date,x\n2024-01-01,1\n")
    _write(tmp_path / "b.csv", "date,x,y\n2024-01-01,2,3\n")
    with pytest.raises(DataFormatError, match="metric 'x' is in both .*a.csv and .*b.csv"):
        load_input(tmp_path)


# ------------------------------------------------------- 8. concurrent writers
def test_a_live_writers_temporary_is_not_deleted(tmp_path):
    live = tmp_path / f".x.csv.{os.getppid()}.abcdefgh.tmp"
    live.write_bytes(b"being written")
    dead_pid = 2**22 + 12345  # above Linux's pid_max default: no such process
    dead = tmp_path / f".x.csv.{dead_pid}.abcdefgh.tmp"
    dead.write_bytes(b"left by a killed run")
    atomic_write_bytes(tmp_path / "x.csv", b"whole")
    assert live.exists() and not dead.exists()


def test_concurrent_builds_of_one_folder_all_succeed(tmp_path):
    raw = tmp_path / "raw"
    for i in range(6):
        _write(
            raw / f"s{i}.csv", "date,x\n" + "".join(f"2024-01-{d:02d},{d}\n" for d in range(1, 29))
        )
    procs = [_build_process(raw, tmp_path / "p") for _ in range(4)]
    errs = [p.communicate(timeout=120)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errs
    for i in range(6):
        assert read_processed(tmp_path / "p" / f"s{i}.csv")["x"].sum() == sum(range(1, 29))


# ------------------------------------------------------- 10. headers
@pytest.mark.parametrize(
    "text,match",
    [
        ("date,x,x\r2024-01-01,1,2\r", "'x' appears twice"),
        ('date,"y\nz",x,x\n2024-01-01,1,2,3\n', "'x' appears twice"),
        ("date,x,\n2024-01-01,1,5\n", "column 3 has no name"),
    ],
    ids=["cr-line-endings", "quoted-newline", "unnamed-with-values"],
)
def test_header_problems_are_caught_whatever_the_line_endings(tmp_path, text, match):
    with pytest.raises(DataFormatError, match=match):
        intensity.read_counts(_write(tmp_path / "c.csv", text))


def test_trailing_separator_adds_no_phantom_metric(tmp_path):
    df = intensity.read_counts(
        _write(tmp_path / "c.csv", "date,x,\n2024-01-01,1,\n2024-01-02,2,\n")
    )
    assert list(df.columns) == ["x"]


# ------------------------------------------------------- 15, 16. long layout, big numbers
def test_long_layout_metric_and_direction_clash_is_an_error_and_build_goes_on(tmp_path):
    raw = tmp_path / "raw"
    _write(raw / "a.csv", "date,metric,value,direction\n2024-01-01,a,1,b\n2024-01-01,a/b,2,\n")
    _write(raw / "b.csv", "date,x\n2024-01-01,1\n")
    with pytest.raises(DataFormatError, match="metric 'a' with direction 'b' and metric 'a/b'"):
        intensity.read_counts(raw / "a.csv")
    res = build(raw, tmp_path / "p")
    assert list(res.frames) == ["b"] and [f for f, _ in res.failed] == ["a.csv"]


def test_integer_beyond_pythons_digit_limit_is_a_format_error(tmp_path):
    p = _write(tmp_path / "result.json", '{"messages": [{"id": ' + "9" * 4301 + "}]}")
    with pytest.raises(DataFormatError):
        intensity.read_telegram_export(p)
    p = _write(tmp_path / "c.json", '[{"date": "2024-01-01", "x": ' + "9" * 4301 + "}]")
    with pytest.raises(DataFormatError):
        intensity.read_counts(p)


# ------------------------------------------------------- 18, 19, 20. the command line
def test_cli_error_with_a_line_break_is_one_line(tmp_path, capsys):
    p = _write(tmp_path / "c.csv", 'date,"a\nb",x,x\n2024-01-01,1,2,3\n')
    assert cli.main(["report", "--input", str(p)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("intensity: error:")


def test_cli_interrupt_is_one_line_and_130(monkeypatch, capsys):
    def interrupted(_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_cmd_build", interrupted)
    assert cli.main(["build"]) == 130
    assert capsys.readouterr().err == "intensity: interrupted\n"


def test_cli_starts_without_loading_pandas():
    code = "import sys, intensity.cli; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cli_interrupted_while_loading_prints_one_line(tmp_path):
    """SIGINT at several moments of a build's start: never a traceback, never exit 0."""
    import signal

    raw = tmp_path / "raw"
    _write(raw / "e.csv", "date,x\n" + "".join(f"2024-01-{d:02d},{d}\n" for d in range(1, 29)))
    for delay in (0.3, 0.6, 1.0, 1.5):
        p = _build_process(raw, tmp_path / "p")
        time.sleep(delay)
        p.send_signal(signal.SIGINT)
        err = p.communicate(timeout=60)[1].decode()
        assert "Traceback" not in err, err
        assert p.returncode in (0, 130, -signal.SIGINT), (delay, p.returncode, err)
        if p.returncode != 0:
            assert err.strip().endswith("intensity: interrupted") or p.returncode < 0


def test_disk_full_names_the_file(tmp_path, monkeypatch, capsys):
    real = os.fdopen

    class Full:
        def __init__(self, fd, *a, **k):
            self.fh = real(fd, *a, **k)

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.fh.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", Full)
    with pytest.raises(OSError) as info:
        atomic_write_bytes(tmp_path / "out.csv", b"x")
    assert str(info.value.filename).endswith("out.csv")
    assert not list(tmp_path.iterdir())


# ------------------------------------------------------- 20. memory within the limits
@pytest.mark.slow
@pytest.mark.parametrize("layout", ["wide-csv", "json-records"])
def test_inputs_at_the_documented_limits_stay_under_1_gb(tmp_path, layout):
    """The largest files the readers accept (32 MiB, 8 million cells) in a fresh process:
    peak resident memory under 1 GB."""
    from intensity.io import _MAX_BYTES, MAX_RAW_CELLS

    rng = np.random.default_rng(0)
    if layout == "wide-csv":
        n_cols = 400
        n_rows = min(MAX_RAW_CELLS // (n_cols + 1) - 10, _MAX_BYTES // (4 * n_cols) - 200)
        idx = pd.date_range("1960-01-01", periods=n_rows).strftime("%Y-%m-%d")
        frame = pd.DataFrame(rng.integers(100, 999, (n_rows, n_cols)), index=idx)
        frame.columns = [f"m{i}" for i in range(n_cols)]
        path = tmp_path / "wide.csv"
        frame.rename_axis("date").to_csv(path)
    else:
        cols = [f"{a}{b}" for a in "abcdefghijklmnop" for b in "abcdefghijklmnopqrs"][:300]
        idx = pd.date_range("1960-01-01", periods=15_000).strftime("%Y-%m-%d")
        recs = [{"date": d, **dict.fromkeys(cols, 1)} for d in idx]
        path = tmp_path / "big.json"
        path.write_text(json.dumps(recs, separators=(",", ":")))
    assert path.stat().st_size <= _MAX_BYTES
    code = (
        "import resource, sys, intensity\n"
        f"d = intensity.read_counts({str(path)!r})\n"
        "print(d.size, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    cells, peak = map(int, out.stdout.split())
    assert cells > 4_000_000
    assert peak < 2**30, f"peak {peak / 2**20:.0f} MiB"


def test_cli_option_errors_come_before_the_data_are_loaded(tmp_path, capsys, monkeypatch):
    from intensity import report as rep

    def never(*a, **k):
        raise AssertionError("the data were loaded before the options were checked")

    monkeypatch.setattr(rep, "load_input", never)
    assert cli.main(["report", "--input", str(tmp_path), "--format", "jpg"]) == 2
    assert "format must be among" in capsys.readouterr().err


def test_report_counts_only_its_own_metrics_findings(tmp_path):
    """The personnel report listed the corrections of all 17 loss metrics (personnel has
    none): each metric's report now holds its own findings and the whole table's."""
    from intensity.report import run_report

    rng = np.random.default_rng(8)
    idx = pd.date_range("2023-01-01", periods=400, freq="D")
    frame = pd.DataFrame({"a": rng.poisson(80, 400), "b": rng.poisson(30, 400)}, index=idx)
    frame = frame.astype(float)
    frame.attrs["quality"] = [
        {"date": "2023-03-01", "metric": "b", "kind": "correction", "detail": "x", "value": -3.0},
        {"date": "2023-04-01", "metric": "a", "kind": "stall", "detail": "y", "value": 0.0},
    ]
    run_report(frame, tmp_path, ["a"], n_boot=9, n_sim=9)
    q = pd.read_csv(tmp_path / "a_quality.csv")
    assert set(q["metric"]) == {"a"} and list(q["kind"]) == ["stall"]


def test_report_on_one_short_column_names_what_it_found(tmp_path, capsys):
    p = _write(tmp_path / "my.csv", "date,attacks\n2024-01-01,5\n2024-01-02,7\n")
    assert cli.main(["report", "--input", str(p), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "'attacks': 2 observed days" in err and "--metric" in err


# ------------------------------------------------------- seeds
BAD_SEEDS = [
    pytest.param(-1, id="negative"),
    pytest.param(1.5, id="float"),
    pytest.param("a", id="text"),
    pytest.param(True, id="bool"),
]


@pytest.mark.parametrize("seed", BAD_SEEDS)
def test_a_bad_seed_is_a_parameter_error_everywhere(seed):
    # -1 was numpy's 'expected non-negative integer' from deep inside detect_breaks and
    # detect_anomalies, and two 'internal error' steps of the report (--seed -1)
    from intensity.report.inputs import _check_report_options

    s = intensity.simulate_counts(400, seed=1).counts
    calls = {
        "detect_breaks": lambda: intensity.detect_breaks(s, seed=seed),
        "detect_anomalies": lambda: intensity.detect_anomalies(s, seed=seed),
        "ratio": lambda: intensity.ratio(s, s, seed=seed),
        "simulate_counts": lambda: intensity.simulate_counts(100, seed=seed),
        "report options": lambda: _check_report_options("auto", "mbic", ["pdf"], 200, seed),
    }
    for name, call in calls.items():
        with pytest.raises(ParameterError, match="seed must be a whole number >= 0"):
            call()
            pytest.fail(name)


def test_cli_refuses_a_negative_seed_before_loading(tmp_path, capsys):
    assert cli.main(["report", "--input", str(tmp_path / "none"), "--seed", "-1"]) == 2
    assert "seed must be a whole number >= 0, got -1" in capsys.readouterr().err
