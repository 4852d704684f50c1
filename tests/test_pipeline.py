"""intensity build, fetch losses and the CLI around them."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import intensity
from intensity import cli
from intensity.exceptions import DataFormatError, FetchError
from intensity.fetch import fetch_losses, http_get
from intensity.pipeline import build, sha256_file

FIX = Path(__file__).parent / "fixtures"


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: sha256_file(p) for p in sorted(folder.iterdir()) if p.is_file()}


def test_build_real_losses_twice_is_byte_identical(shared_dir, tmp_path):
    raw = shared_dir / "petroivaniuk_losses"
    raw_before = _hashes(raw)
    out = tmp_path / "processed"
    build(raw, out)
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    build(raw, out)
    second = {p.name: p.read_bytes() for p in out.iterdir()}
    assert first == second
    assert sorted(first) == ["losses.csv", "losses.json"]
    assert _hashes(raw) == raw_before
    side = json.loads(first["losses.json"])
    assert {i["file"] for i in side["inputs"]} == {
        "russia_losses_personnel.json",
        "russia_losses_equipment.json",
    }
    assert side["inputs"][0]["sha256"] == raw_before[side["inputs"][0]["file"]]
    assert side["first_date"] == "2022-02-25" and side["last_date"] == "2026-08-08"
    assert side["quality_counts"]["stall"] > 0
    back = intensity.read_counts(out / "losses.csv")
    direct = intensity.read_losses(raw)
    pd.testing.assert_series_equal(back["personnel"], direct["personnel"], check_names=False)


def test_build_counts_file_and_no_temp_files_left(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(FIX / "engagements_small.csv", raw)
    (raw / "README.md").write_text("not data")
    res = build(raw, tmp_path / "out")
    assert [p.name for p in res.outputs] == ["engagements_small.csv", "engagements_small.json"]
    assert not list((tmp_path / "out").glob(".*tmp"))
    tidy = pd.read_csv(tmp_path / "out" / "engagements_small.csv")
    assert list(tidy.columns) == ["date", "metric", "value"]


def test_build_errors(tmp_path):
    with pytest.raises(DataFormatError, match="does not exist"):
        build(tmp_path / "nope", tmp_path / "out")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataFormatError, match="no CSV or JSON data files; fetch some"):
        build(tmp_path / "empty", tmp_path / "out")


def test_cli_build_prints_summary(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(FIX / "engagements_small.csv", raw)
    rc = cli.main(["build", "--raw", str(raw), "--processed", str(tmp_path / "out")])
    out = capsys.readouterr()
    assert rc == 0
    assert "engagements" in out.out and "last_28d_mean" in out.out
    assert "wrote" in out.err
    # the findings printed are the sidecar's (validate's), its missing day too
    side = json.loads((tmp_path / "out" / "engagements_small.json").read_text())
    said = ", ".join(f"{k} {v}" for k, v in side["quality_counts"].items())
    assert said == "gap 1" and f"quality findings: {said}" in out.out


def test_cli_error_is_one_line(tmp_path, capsys):
    rc = cli.main(["build", "--raw", str(tmp_path / "missing")])
    assert rc == 2
    assert capsys.readouterr().err.startswith("intensity: error:")


# ----------------------------------------------------------------------------- fetch
class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "www" / "data"
    root.mkdir(parents=True)
    for name in ("russia_losses_personnel.json", "russia_losses_equipment.json"):
        shutil.copy(FIX / "losses" / name, root / name)
    handler = functools.partial(_Handler, directory=str(tmp_path / "www"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/data/"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_losses_from_loopback(server, tmp_path):
    raw = tmp_path / "raw"
    sums = fetch_losses(raw, url=server)
    assert set(sums) == {"russia_losses_personnel.json", "russia_losses_equipment.json"}
    for name, digest in sums.items():
        assert sha256_file(raw / name) == digest == sha256_file(FIX / "losses" / name)
    manifest = json.loads((raw / "fetch_manifest.json").read_text())
    assert manifest["files"] == sums
    res = build(raw, tmp_path / "out")
    assert res.frames["losses"]["personnel"].notna().sum() > 5


def test_fetch_missing_file_is_clear(server, tmp_path):
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_losses(tmp_path / "raw", url=server + "nothing/")


def test_fetch_offline_message(tmp_path):
    waits: list[float] = []
    with pytest.raises(FetchError, match="are you offline"):
        http_get("http://127.0.0.1:9/x.json", retries=2, timeout=1, sleep=waits.append)
    assert waits == [1.0, 2.0]  # exponential back-off


def test_cli_fetch_then_build(server, tmp_path, capsys):
    raw = tmp_path / "raw"
    assert cli.main(["fetch", "losses", "--raw", str(raw), "--url", server]) == 0
    assert "russia_losses_personnel.json" in capsys.readouterr().out
    assert cli.main(["build", "--raw", str(raw), "--processed", str(tmp_path / "p")]) == 0


def test_fetch_404_on_second_file_leaves_raw_as_it_was(server, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    old = b'[{"date": "2022-02-25", "personnel": 2800}]'
    (raw / "russia_losses_personnel.json").write_bytes(old)
    (tmp_path / "www" / "data" / "russia_losses_equipment.json").unlink()
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_losses(raw, url=server)
    assert (raw / "russia_losses_personnel.json").read_bytes() == old
    assert not (raw / "fetch_manifest.json").exists()
    assert sorted(p.name for p in raw.iterdir()) == ["russia_losses_personnel.json"]


class _ShortHandler(http.server.BaseHTTPRequestHandler):
    """Promises 1,000 bytes and sends 10, then closes: an interrupted download."""

    def do_GET(self):  # noqa: N802 - the name http.server calls
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b'[{"date": ')
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args):
        pass


def test_fetch_truncated_response_is_a_fetch_error(tmp_path):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ShortHandler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/"
        waits: list[float] = []
        with pytest.raises(FetchError, match="ended after 10 bytes"):
            http_get(url + "x.json", retries=1, timeout=5, sleep=waits.append)
        with pytest.raises(FetchError):
            fetch_losses(tmp_path / "raw", url=url, retries=0, timeout=5)
        assert not (tmp_path / "raw").exists() or not any((tmp_path / "raw").iterdir())
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_cli_fetch_has_a_timeout_option(server, tmp_path, capsys):
    raw = tmp_path / "raw"
    rc = cli.main(["fetch", "losses", "--raw", str(raw), "--url", server, "--timeout", "3"])
    assert rc == 0 and (raw / "fetch_manifest.json").exists()


def test_build_reads_event_lists_as_report_does(tmp_path):
    # VIINA's and UCDP's tables name their date column 'day' and UCDP lists only the days
    # with events: build could read neither ('no date column'), so the processed route
    # was closed to them. Same options, same answers by either route.
    rng = np.random.default_rng(8)
    idx = pd.date_range("2021-01-01", periods=800)
    y = rng.poisson(np.where(np.arange(800) < 400, 1.0, 5.0))
    y[[0, -1]] = np.maximum(y[[0, -1]], 1)  # the list spans the 800 days
    raw = tmp_path / "raw"
    raw.mkdir()
    f = raw / "ucdp_like.csv"
    pd.DataFrame({"day": idx[y > 0], "events": y[y > 0]}).to_csv(f, index=False)
    opts = ["--date-column", "day", "--absent-days", "zero"]
    proc = tmp_path / "proc"
    assert cli.main(["build", "--raw", str(raw), "--processed", str(proc), *opts]) == 0
    side = json.loads((proc / "ucdp_like.json").read_text())
    assert side["quality_counts"] == {"absent_zero": 1}
    assert side["metrics"]["events"] == {"observed": 800, "missing": 0}
    outs = {}
    # a folder of raw counts files is a third route: its files are read with the options
    routes = (
        ("file", ["--input", str(f), *opts]),
        ("folder", ["--input", str(raw), *opts]),
        ("built", ["--input", str(proc)]),
    )
    for route, args in routes:
        outs[route] = tmp_path / route
        assert cli.main(["report", *args, "--metric", "events", "--out", str(outs[route])]) == 0
    for table in ("summary", "events_breaks", "events_spikes", "events_quality"):
        a = pd.read_csv(outs["file"] / f"{table}.csv").drop(columns=["inputs"], errors="ignore")
        for route in ("folder", "built"):
            b = pd.read_csv(outs[route] / f"{table}.csv").drop(columns=["inputs"], errors="ignore")
            pd.testing.assert_frame_equal(a, b, check_dtype=False, obj=f"{table} ({route})")
