"""The report / demo main job: files, byte-identical reruns, PDF pages that render, CLI."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

import intensity
from intensity import cli
from intensity.exceptions import DataFormatError, ParameterError
from intensity.report import demo_series, load_input, run_report


def _pdftoppm_ok(pdf, tmp_path) -> int:
    exe = shutil.which("pdftoppm")
    if exe is None:
        if os.environ.get("INTENSITY_REQUIRE_SHARED") == "1":
            pytest.fail("pdftoppm (poppler-utils) is needed to check the PDF pages")
        pytest.skip("pdftoppm (poppler-utils) not installed")
    prefix = tmp_path / f"{pdf.stem}_page"
    res = subprocess.run(
        [exe, "-r", "30", "-png", str(pdf), str(prefix)], capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    pages = list(tmp_path.glob(f"{pdf.stem}_page*.png"))
    assert pages
    return len(pages)


def _read_all(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory):
    a = tmp_path_factory.mktemp("demo_a")
    b = tmp_path_factory.mktemp("demo_b")
    data = demo_series()
    ra = run_report(data, a, simulated=True, n_boot=49, n_sim=49)
    rb = run_report(data, b, simulated=True, n_boot=49, n_sim=49)
    return ra, rb


def test_demo_report_files_and_identical_reruns(demo_runs):
    ra, rb = demo_runs
    names = {p.name for p in ra.files}
    for expected in (
        "simulated_report.pdf",
        "simulated_overview.pdf",
        "simulated_breaks.csv",
        "simulated_episodes.csv",
        "simulated_weekday_profile.csv",
        "summary.csv",
    ):
        assert expected in names
    assert _read_all(ra.out_dir) == _read_all(rb.out_dir)
    assert ra.summary.loc["simulated", "breaks"] >= 3


def test_demo_pdf_pages_render_and_say_simulated(demo_runs, tmp_path):
    ra, _ = demo_runs
    report = ra.out_dir / "simulated_report.pdf"
    n = _pdftoppm_ok(report, tmp_path)
    assert n >= 8  # summary page + figures
    txt = shutil.which("pdftotext")
    if txt:
        out = subprocess.run([txt, str(report), "-"], capture_output=True, text=True).stdout
        assert out.count("SIMULATED DATA") >= n  # every page says so


def test_figure_pdf_is_its_report_page(demo_runs):
    """Each figure is drawn once: its own PDF is its page of the report (issue 23), one
    page with the figure's title, the same words as that page; the report's pages are all
    A4 (issue 26), the figure's own PDF keeps the figure's size."""
    from pypdf import PdfReader

    ra, _ = demo_runs
    report = PdfReader(ra.out_dir / "simulated_report.pdf")
    pages = [" ".join(p.extract_text().split()) for p in report.pages]
    figures = [p for p in ra.files if p.suffix == ".pdf" and not p.stem.endswith("_report")]
    assert len(figures) >= 7
    for path in figures:
        own = PdfReader(path)
        assert len(own.pages) == 1, path.name
        assert own.metadata.title == "simulated: " + path.stem.removeprefix("simulated_")
        assert own.metadata.creator == "intensity"
        words = " ".join(own.pages[0].extract_text().split())
        assert words and words in pages, path.name
        box = own.pages[0].mediabox
        assert float(box.width) < 595 and float(box.height) < 842, path.name
    a4 = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in report.pages}
    assert a4 == {(595, 842)}


def test_demo_finds_the_known_structure(demo_runs):
    ra, _ = demo_runs
    brk = pd.read_csv(ra.out_dir / "simulated_breaks.csv", parse_dates=["date"])
    idx = pd.date_range("2022-03-01", periods=1600)
    for pos in (240, 610, 900):  # the simulated level breaks
        assert (abs(brk["date"] - idx[pos]) <= pd.Timedelta(days=7)).any()
    ep = pd.read_csv(ra.out_dir / "simulated_episodes.csv", parse_dates=["start", "end"])
    s0, s1 = idx[1050], idx[1089]
    assert ((ep["kind"] == "surge") & (ep["start"] <= s1) & (ep["end"] >= s0)).any()


def test_real_report_cli_twice_identical(shared_dir, tmp_path, capsys):
    src = shared_dir / "petroivaniuk_losses"
    outs = []
    args = ["report", "--input", str(src), "--metric", "personnel"]
    out = tmp_path / "rep0"
    t = time.perf_counter()
    assert cli.main([*args, "--out", str(out)]) == 0
    elapsed = time.perf_counter() - t
    outs.append(out)
    printed = capsys.readouterr()
    # the second run in a fresh process that asks for 4 BLAS threads: the same bytes
    out = tmp_path / "rep1"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "4", "OMP_NUM_THREADS": "4"}
    proc = subprocess.run(
        [sys.executable, "-m", "intensity.cli", *args, "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    outs.append(out)
    assert "personnel_report.pdf" in printed.out and "[personnel] 7/7" in printed.err
    print(f"real report: {elapsed:.1f} s")  # target < 30 s, see benchmarks/report.py
    a, b = _read_all(outs[0]), _read_all(outs[1])
    assert a == b
    assert any(n.endswith(".csv") for n in a) and any(n.endswith(".pdf") for n in a)
    for pdf in sorted(outs[0].glob("*.pdf")):
        _pdftoppm_ok(pdf, tmp_path)
    # only the metric asked for: no figure of metrics nobody named
    assert not (outs[0] / "personnel_metrics.pdf").exists()
    # the API sketch of the README and the command line agree on the same data
    ano = intensity.detect_anomalies(intensity.read_losses(src)["personnel"])
    spikes = pd.read_csv(outs[0] / "personnel_spikes.csv")
    episodes = pd.read_csv(outs[0] / "personnel_episodes.csv")
    assert list(spikes["date"]) == list(ano.spikes.index.strftime("%Y-%m-%d"))
    assert len(episodes) == len(ano.episodes)
    if len(episodes):
        assert list(episodes["start"]) == list(ano.episodes["start"].dt.strftime("%Y-%m-%d"))
    # version and the inputs' SHA-256 in summary.csv; every CSV's first column is named
    summary = pd.read_csv(outs[0] / "summary.csv")
    assert summary.loc[0, "version"] == intensity.__version__
    digest = hashlib.sha256((src / "russia_losses_personnel.json").read_bytes()).hexdigest()
    assert f"russia_losses_personnel.json sha256:{digest}" in summary.loc[0, "inputs"]
    for f in outs[0].glob("*.csv"):
        first = f.read_text().split("\n", 1)[0].split(",")[0]
        assert first, f"{f.name} has an unnamed first column"


def test_report_without_data_says_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "processed").mkdir(parents=True)
    rc = cli.main(["report"])
    err = capsys.readouterr().err
    assert rc == 2 and "intensity fetch losses" in err and "--input" in err
    with pytest.raises(DataFormatError, match="no such file"):
        load_input(tmp_path / "nope.csv")


def test_metric_takes_several_names_after_one_flag():
    # the README writes [--metric NAME ...]: '--metric personnel tank' was refused
    # ("unrecognized arguments: tank"); both spellings now give the same list
    from intensity import cli

    parse = cli._parser().parse_args
    one = parse(["report", "--metric", "personnel", "field artillery", "--metric", "tank"])
    many = parse(
        ["report", "--metric", "personnel", "--metric", "field artillery", "--metric", "tank"]
    )
    assert one.metric == many.metric == ["personnel", "field artillery", "tank"]
    assert parse(["report"]).metric == []


def test_metrics_named_twice_or_as_one_string_are_analysed_once():
    """``--metric personnel personnel`` analysed personnel twice and the joint step
    failed on the duplicate columns (found by the command-line fuzzer); a string given
    as ``metrics`` was read letter by letter ("metric 'p' is not in the data")."""
    from intensity.report.runner import _choose_metrics

    frame = pd.DataFrame({"personnel": [1.0], "tank": [2.0]})
    assert _choose_metrics(frame, ["tank", "personnel", "tank"]) == (["tank", "personnel"], [])
    assert _choose_metrics(frame, "personnel") == (["personnel"], [])


def test_report_unknown_metric(tmp_path):
    with pytest.raises(ValueError, match="metric 'tanks' is not in the data"):
        run_report(demo_series(), tmp_path, ["tanks"])


def test_report_formats_model_and_options(tmp_path):
    """--format png,svg writes both (byte-identical on a rerun), --model linear_trend the
    knots table; the summary page lists every break or says how many more; bad options
    stop the run before any work."""
    data = demo_series().iloc[:900]
    outs = []
    for k in range(2):
        out = tmp_path / f"f{k}"
        run_report(
            data,
            out,
            simulated=True,
            n_boot=19,
            n_sim=19,
            formats=("png", "svg"),
            model="linear_trend",
            dpi=80,
            start="2022-06-01",
        )
        outs.append(out)
    names = sorted(p.name for p in outs[0].iterdir())
    assert any(n.endswith(".png") for n in names) and any(n.endswith(".svg") for n in names)
    assert not any(n.endswith(".pdf") and not n.endswith("_report.pdf") for n in names)
    assert "simulated_knots.csv" in names
    assert _read_all(outs[0]) == _read_all(outs[1])
    # a knot is a change of slope, not a level ratio (issue 26: "x10.06")
    from pypdf import PdfReader

    first = PdfReader(outs[0] / "simulated_report.pdf").pages[0].extract_text()
    # a knot's line: its date and interval (wrapped continuation lines left out)
    knots = [line for line in first.splitlines() if re.match(r"\s*\d{4}-\d\d-\d\d \[", line)]
    assert knots and all("slope" in line and "×" not in line for line in knots)
    summary = pd.read_csv(outs[0] / "summary.csv")
    assert summary.loc[0, "model"] == "linear_trend" and summary.loc[0, "first"] == "2022-06-01"
    with pytest.raises(ParameterError, match="format must be among"):
        run_report(data, tmp_path / "x", formats=("gif",))
    with pytest.raises(ParameterError, match="penalty must be"):
        run_report(data, tmp_path / "x", penalty=-1.0)
    with pytest.raises(ParameterError, match="start must not be after end"):
        run_report(data, tmp_path / "x", start="2023-01-01", end="01.12.2022")
    for bad in ("yesterday", "2024-02-30", ""):  # an option's value, not a file's column
        with pytest.raises(ParameterError, match=rf"^start must be a calendar date .*'{bad}'"):
            run_report(data, tmp_path / "x", start=bad)
    with pytest.raises(ParameterError, match="model must be one of"):
        run_report(data, tmp_path / "x", model="ar1")


def test_cli_subcommand_help_is_its_own(capsys):
    """'fetch losses --help' and 'fetch engagements --help' say different things."""
    texts = []
    for what in ("losses", "engagements"):
        with pytest.raises(SystemExit):
            cli.main(["fetch", what, "--help"])
        texts.append(capsys.readouterr().out)
    assert texts[0] != texts[1]
    assert "--channel" in texts[1] and "--channel" not in texts[0]


def test_report_has_a_page_per_question(demo_runs):
    """After the summary: a page for each question (data quality, seasonality, breaks,
    the winter question, anomalies) followed by its figures; nothing cut off a page."""
    exe = shutil.which("pdftotext")
    if exe is None:
        if os.environ.get("INTENSITY_REQUIRE_SHARED") == "1":
            pytest.fail("pdftotext (poppler-utils) is needed to read the report")
        pytest.skip("pdftotext (poppler-utils) not installed")
    ra, _ = demo_runs
    pdf = next(f for f in ra.files if f.name.endswith("_report.pdf"))
    text = subprocess.run([exe, str(pdf), "-"], capture_output=True, text=True).stdout
    order = [
        "intensity report: simulated",
        "simulated: data and data quality",
        "simulated: seasonality",
        "simulated: trend breaks",
        "simulated: the winter question",
        "simulated: anomalies",
    ]
    at = [text.find(t) for t in order]
    assert all(i >= 0 for i in at) and at == sorted(at), dict(zip(order, at, strict=True))
    assert f"intensity {intensity.__version__}" in text
    # the penalty as used, or the drift model when the noise model chosen by fit is it
    assert re.search(r"Trend breaks \(deseasonalised, negbin, (mbic|drift model)", text)


def test_joint_page_when_several_metrics_are_named(tmp_path):
    """Several metrics named: after their own reports a joint report (common breaks on
    one figure, the per-metric ratio at each break, lead and lag on the first metric),
    its tables, a summary row, and byte-identical reruns."""
    from intensity.report import SIMULATED_NOTE
    from intensity.report.base import Options
    from intensity.report.joint import joint_metrics as _joint_metrics
    from intensity.report.runner import _joint_report
    from intensity.simulate import simulate_metrics

    brk = {m: [(300, 1.6)] for m in ("personnel", "APC")}
    data = simulate_metrics(
        730, {"personnel": 1000, "APC": 14, "drone": 200}, breaks=brk, rho=0.4, seed=3
    )
    res = run_report(
        data, tmp_path / "j0", ["personnel", "APC"], simulated=True, n_boot=49, n_sim=19
    )
    outs = [tmp_path / "j0", tmp_path / "j1"]
    # a rerun of the joint page alone gives the same bytes (the per-metric reports' reruns
    # are tested on the demo)
    outs[1].mkdir()
    options = Options(n_boot=49, n_sim=19)
    alone = {m: len(pd.read_csv(outs[0] / f"{m}_breaks.csv")) for m in ("personnel", "APC")}
    _joint_report(
        data[["personnel", "APC"]], outs[1], options, SIMULATED_NOTE, lambda _m: None, alone
    )
    names = {p.name for p in outs[0].iterdir()}
    assert {
        "joint_report.pdf",
        "joint_breaks.csv",
        "joint_metrics.csv",
        "joint_lead_lag.csv",
        "joint_common_breaks.pdf",
        "joint_lead_lag.pdf",
    } <= names
    joint_files = {n: b for n, b in _read_all(outs[0]).items() if n.startswith("joint_")}
    assert joint_files == _read_all(outs[1])
    row = res.summary.loc["joint: personnel, APC"]
    assert row["status"] == "complete" and row["breaks"] >= 1
    joint = pd.read_csv(outs[0] / "joint_breaks.csv")
    assert (abs(pd.to_datetime(joint["date"]) - data.index[300]).dt.days <= 7).any()
    exe = shutil.which("pdftotext")
    if exe is not None:
        text = subprocess.run(
            [exe, str(outs[0] / "joint_report.pdf"), "-"], capture_output=True, text=True
        ).stdout
        assert "Several metrics at once" in text and "Lead and lag on personnel" in text
        # each metric's moves at the common breaks beside its breaks alone, and why they
        # differ (issue 22: "moved at 11 of 13 joint breaks but 6 breaks alone, unexplained")
        metrics = pd.read_csv(outs[0] / "joint_metrics.csv")
        moved = metrics.groupby("metric")["affected"].sum()
        flat = " ".join(text.split())
        assert f"personnel {moved['personnel']} / {alone['personnel']}" in flat
        assert f"APC {moved['APC']} / {alone['APC']}" in flat
        assert "keeps only changes beyond the drift" in flat
        fig_text = subprocess.run(
            [exe, str(outs[0] / "joint_lead_lag.pdf"), "-"], capture_output=True, text=True
        ).stdout
        assert "SIMULATED" in fig_text  # the figures say what the data are
    # the default selection takes the main metrics present, never one named alone
    assert _joint_metrics(data, ["personnel", "APC", "drone"], named=False) == [
        "personnel",
        "APC",
        "drone",
    ]
    assert _joint_metrics(data, ["personnel"], named=True) == []


def test_report_window_keeps_its_own_findings_and_says_why_no_winter(shared_dir, tmp_path):
    """--start 2024-01-01 --end 2025-06-30 (issue 26): the 2022 artefacts (127 on the whole
    series) are not listed, and the winter question, unanswerable on 547 days, is under
    'Not done' with its reason instead of dropped silently with status 'complete'."""
    from intensity import read_losses
    from intensity.anomalies import _artefacts_for

    frame = read_losses(shared_dir / "petroivaniuk_losses")
    res = run_report(
        frame,
        tmp_path,
        ["personnel"],
        n_boot=19,
        n_sim=19,
        start="2024-01-01",
        end="2025-06-30",
    )
    row = res.summary.loc["personnel"]
    assert row["status"] == "partial" and "winter question" in row["not_done"], row
    art = pd.read_csv(tmp_path / "personnel_artefacts.csv")
    assert (pd.to_datetime(art["date"]) >= "2024-01-01").all() if len(art) else True
    # the API: a series sliced from the table keeps the reader's findings in its attrs;
    # its artefacts are those of its own days only
    whole = _artefacts_for(frame["personnel"], None)
    part = _artefacts_for(frame["personnel"]["2024-01-01":"2025-06-30"], None)
    assert len(whole) > 100 and len(part) < len(whole)
    assert (pd.to_datetime(part["date"]) >= "2024-01-01").all()


def test_source_caption_follows_the_input(tmp_path, shared_dir):
    """The figures and pages say where the data come from (issue 26): the General Staff
    for its loss tables, the file's name and "not stated" for a user's own CSV, and what
    --source says when given."""
    from pypdf import PdfReader

    from intensity.plotting import SOURCE_NOTE

    assert load_input(shared_dir / "petroivaniuk_losses").attrs["caption"] == SOURCE_NOTE
    s = demo_series().iloc[:420, 0]
    own = tmp_path / "my_counts.csv"
    pd.DataFrame({"date": s.index.strftime("%Y-%m-%d"), "events": s.to_numpy()}).to_csv(
        own, index=False
    )
    data = load_input(own)
    assert "my_counts.csv (not stated" in data.attrs["caption"]
    for source, expected in ((None, "my_counts.csv (not stated"), ("Source: my own", "my own")):
        out = tmp_path / f"out_{source is None}"
        res = run_report(data, out, ["events"], n_boot=9, n_sim=9, source=source)
        words = " ".join(PdfReader(out / "events_report.pdf").pages[0].extract_text().split())
        assert expected in words and "General Staff of the Armed" not in words
        fig = next(p for p in res.files if p.name == "events_overview.pdf")
        assert expected in " ".join(PdfReader(fig).pages[0].extract_text().split())


def test_report_is_laid_out_as_a_supplement(demo_runs):
    """Numbered figures with captions that say what is drawn, and a methods page built
    from what was run, citing only the methods used (issue 26)."""
    from pypdf import PdfReader

    ra, _ = demo_runs
    pages = [
        " ".join(p.extract_text().split())
        for p in PdfReader(ra.out_dir / "simulated_report.pdf").pages
    ]
    text = " ".join(pages)
    n_figures = sum(1 for p in ra.files if p.suffix == ".pdf" and not p.stem.endswith("_report"))
    for k in range(1, n_figures + 1):
        assert f"Figure {k} " in text
    assert f"Figure {n_figures + 1} " not in text
    assert "95% intervals of their dates" in text  # the breaks figure's caption
    methods = " ".join(p for p in pages if "simulated: methods" in p)
    assert "PELT" in methods and "References" in methods
    assert "Killick, R., Fearnhead, P. & Eckley" in methods
    assert "Benjamini, Y. & Hochberg" in methods  # the anomalies ran


def test_weekly_report_winters_are_the_apis(tmp_path):
    """The report found its sustained level shifts with ``max_days=90`` read as 90
    periods: for weekly counts segments of 180 weeks, so none, where the API's
    ``seasonal_excess`` takes 13 weeks (segments of 26); real weekly personnel read
    2023/24 at +25% over its level in the report and +2% from the API."""
    sim = intensity.simulate_counts(
        1456, start="2022-01-03", seed=4, level=400.0, breaks=[(420, 1.6), (900, 0.6)]
    )
    weekly = sim.counts.resample("W-SUN").sum().asfreq("W-SUN").rename("weekly")
    run_report(weekly, tmp_path, n_boot=19, n_sim=19)
    report = pd.read_csv(tmp_path / "weekly_winters.csv", index_col=0)
    api = intensity.seasonal_excess(weekly).table
    assert len(api) >= 3
    # the CSV keeps six significant digits
    np.testing.assert_allclose(
        report["excess_level_pct"].to_numpy(), api["excess_level_pct"].to_numpy(), rtol=1e-5
    )


@pytest.mark.parametrize("metric", ["personnel", "special equipment"])
def test_report_breaks_are_the_apis(shared_dir, tmp_path, metric):
    """The report's breaks are ``detect_breaks(series)`` with its defaults: the same dates,
    date intervals, ratios and p-values in breaks.csv. Until 2026-12-06 the report passed
    its seasonal fit, removing an annual cycle the series does not show (personnel's
    annual p = 0.67): real personnel's 2022-08-29 was dated [08-07, 2023-05-06] in the
    report and [08-26, 09-02] by the API, and special equipment had 7 breaks in the
    report and none from the API."""
    from intensity import read_losses

    frame = read_losses(shared_dir / "petroivaniuk_losses")
    run_report(frame, tmp_path, [metric], n_sim=19)
    slug = metric.replace(" ", "_")
    got = pd.read_csv(tmp_path / f"{slug}_breaks.csv", index_col="date", parse_dates=True)
    api = intensity.detect_breaks(frame[metric]).breaks
    assert list(got.index) == list(api.index)
    if metric == "special equipment":  # the drift reading: no abrupt change
        assert len(api) == 0 and api.columns.equals(got.columns)
        return
    for col in ("ci_lower", "ci_upper"):
        assert list(pd.to_datetime(got[col])) == list(api[col]), col
    for col in ("ratio", "ratio_ci_lower", "ratio_ci_upper", "p_value"):
        # the CSV keeps six significant digits
        np.testing.assert_allclose(got[col].to_numpy(), api[col].to_numpy(), rtol=1e-5)
    assert len(api) == 3 and api.loc["2022-08-29", "ci_upper"] <= pd.Timestamp("2022-09-10")
