"""Regression tests of the data-integrity issue: each test is named after the promise it
keeps (no silent misread, only the package's own errors, no half-written output)."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import intensity
from intensity import cli
from intensity.exceptions import (
    DataFormatError,
    InsufficientDataError,
    ParameterError,
    SeriesValidationError,
)
from intensity.pipeline import atomic_write_bytes, build
from intensity.report import run_report

FIX = Path(__file__).parent / "fixtures"


def _csv(tmp_path: Path, text: str, name: str = "c.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _days(df: pd.DataFrame) -> list[str]:
    return [d.strftime("%Y-%m-%d") for d in df.index]


# ----------------------------------------------------------------------------- dates
@pytest.mark.parametrize(
    "dates,expected",
    [
        (["01.12.2024", "02.12.2024", "03.12.2024"], ["2024-12-01", "2024-12-02", "2024-12-03"]),
        (["01/12/2024", "02/12/2024", "03/12/2024"], ["2024-12-01", "2024-12-02", "2024-12-03"]),
        (["1.12.2024", "2.12.2024", "3.12.2024"], ["2024-12-01", "2024-12-02", "2024-12-03"]),
        (["2024-12-01", "2024-12-02", "2024-12-03"], ["2024-12-01", "2024-12-02", "2024-12-03"]),
        (
            ["2024-12-01T00:00:00+02:00", "2024-12-02T00:00:00+02:00", "2024-12-03T00:00:00+02:00"],
            ["2024-12-01", "2024-12-02", "2024-12-03"],
        ),
    ],
    ids=["dotted", "slashed", "dotted-no-zero", "iso", "iso-offset"],
)
def test_day_first_dates_are_read_day_first(tmp_path, dates, expected):
    text = "date,x\n" + "".join(f"{d},{i}\n" for i, d in enumerate(dates))
    df = intensity.read_counts(_csv(tmp_path, text))
    assert _days(df) == expected
    assert df["x"].tolist() == [0.0, 1.0, 2.0]


def test_issue_example_dotted_december_is_not_january(tmp_path):
    text = "date,x\n01.12.2024,1\n02.12.2024,2\n03.12.2024,3\n13.12.2024,4\n"
    df = intensity.read_counts(_csv(tmp_path, text))
    assert df.index[0] == pd.Timestamp("2024-12-01")
    assert df.index[-1] == pd.Timestamp("2024-12-13")
    assert len(df) == 13 and df["x"].notna().sum() == 4


@pytest.mark.parametrize(
    "dates,match",
    [
        (["2024-12-01", "02.12.2024"], "more than one layout.*'2024-12-01'.*'02.12.2024'"),
        (["2024-01-01", "2024-01-02T00:00:00+02:00"], "more than one layout"),
        (["01/12/2024", "12/13/2024"], "no day/month/year date.*dayfirst=False.*'12/13/2024'"),
        (["31.02.2024", "01.03.2024"], "no dotted day.month.year date.*'31.02.2024'"),
        (["01.12.24", "02.12.24"], "unrecognised date layout.*'01.12.24'"),
        (["2024-12-01", ""], "every row needs a date"),
    ],
    ids=[
        "iso-and-dotted",
        "mixed-time-zones",
        "month-first",
        "impossible-day",
        "two-digit-year",
        "empty",
    ],
)
def test_undecidable_or_mixed_dates_raise_naming_file_column_examples(tmp_path, dates, match):
    p = _csv(tmp_path, "date,x\n" + "".join(f"{d},1\n" for d in dates))
    with pytest.raises(DataFormatError, match=match) as ei:
        intensity.read_counts(p)
    assert str(p) in str(ei.value) and "column 'date'" in str(ei.value)


def test_dayfirst_false_and_date_format_override(tmp_path):
    p = _csv(tmp_path, "date,x\n12/01/2024,1\n12/13/2024,2\n")
    assert _days(intensity.read_counts(p, dayfirst=False))[::12] == ["2024-12-01", "2024-12-13"]
    q = _csv(tmp_path, "date,x\n2024|12|01,1\n2024|12|02,2\n", "q.csv")
    assert _days(intensity.read_counts(q, date_format="%Y|%m|%d")) == ["2024-12-01", "2024-12-02"]
    with pytest.raises(DataFormatError, match="do not match date_format"):
        intensity.read_counts(q, date_format="%d.%m.%Y")


def test_read_losses_day_first_dates_invent_no_catch_ups(tmp_path):
    rows = [
        {"date": f"{d:02d}.12.2024", "personnel": 1000 * d}
        for d in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)
    ]
    (tmp_path / "russia_losses_personnel.json").write_text(json.dumps(rows))
    out = intensity.read_losses(tmp_path)
    assert out.index[0] == pd.Timestamp("2024-12-01") and len(out) == 13
    kinds = set(intensity.quality_events(out)["kind"])
    assert "catch_up" not in kinds and "correction" not in kinds
    assert out["personnel"].iloc[1:].tolist() == [1000.0] * 12


# ----------------------------------------------------------------------------- values
@pytest.mark.parametrize(
    "name,text",
    [
        ("c.csv", "date,x\n2024-12-01,1\n2024-12-02,inf\n"),
        ("c.csv", "date,x\n2024-12-01,1\n2024-12-02,1e400\n"),
        ("c.csv", "date,x\n2024-12-01,1\n2024-12-02,-Infinity\n"),
        ("c.json", '[{"date": "2024-12-01", "x": 1}, {"date": "2024-12-02", "x": Infinity}]'),
    ],
    ids=["inf", "1e400", "minus-infinity", "json-infinity"],
)
def test_infinite_values_are_format_errors(tmp_path, name, text):
    p = _csv(tmp_path, text, name)
    with pytest.raises(DataFormatError, match="column 'x' must hold finite numbers.*2024-12-02"):
        intensity.read_counts(p)


def test_infinite_cumulative_loss_is_a_format_error(tmp_path):
    text = '[{"date": "2024-12-01", "personnel": 1}, {"date": "2024-12-02", "personnel": Infinity}]'
    (tmp_path / "russia_losses_personnel.json").write_text(text)
    with pytest.raises(DataFormatError, match="finite"):
        intensity.read_losses(tmp_path)


@pytest.mark.parametrize(
    "name,text",
    [
        ("c.csv", "date,x,x \n2024-12-01,1,2\n"),
        ("c.csv", "date,x,x\n2024-12-01,1,2\n"),
        ("c.json", '[{"date": "2024-12-01", "personnel": 1, "personnel ": 2}]'),
    ],
    ids=["space-padded", "repeated", "json-space-padded"],
)
def test_column_names_that_collide_are_format_errors(tmp_path, name, text):
    with pytest.raises(DataFormatError, match="'x'|'personnel'"):
        intensity.read_counts(_csv(tmp_path, text, name))


def test_metric_in_two_loss_files_names_both_files(tmp_path):
    rows = [{"date": "2024-12-01", "personnel": 1, "tank": 1}]
    (tmp_path / "russia_losses_personnel.json").write_text(json.dumps(rows))
    (tmp_path / "russia_losses_equipment.json").write_text(json.dumps(rows))
    with pytest.raises(
        DataFormatError,
        match="russia_losses_equipment.json.*'personnel'.*russia_losses_personnel.json",
    ):
        intensity.read_losses(tmp_path)


def test_date_span_is_bounded_before_the_frame_is_built(tmp_path):
    cols = ",".join(f"m{i}" for i in range(2000))
    ones = ",".join("1" for _ in range(2000))
    p = _csv(tmp_path, f"date,{cols}\n1800-01-01,{ones}\n2200-12-31,{ones}\n")
    t0 = time.perf_counter()
    with pytest.raises(DataFormatError, match="days"):
        intensity.read_counts(p)
    assert time.perf_counter() - t0 < 2.0


# ----------------------------------------------------------------------------- series
def _series(values, start="2024-01-01") -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), pd.date_range(start, periods=len(values)))


_RNG = np.random.default_rng(20241214)
_NOT_OVERDISPERSED = {
    "poisson": _RNG.poisson(20, 60),
    "constant": np.full(60, 5),
    "zero-one": _RNG.integers(0, 2, 60),
}


@pytest.mark.parametrize("kind", list(_NOT_OVERDISPERSED), ids=list(_NOT_OVERDISPERSED))
def test_counts_without_overdispersion_fit_the_poisson_limit(kind):
    s = _series(_NOT_OVERDISPERSED[kind])
    fit = intensity.fit_seasonal(s)
    assert fit.poisson_limit and fit.dispersion == 0.0
    assert np.isfinite(fit.weekday["rate_ratio"]).all()
    assert np.isfinite(fit.weekday[["ci_lower", "ci_upper"]].to_numpy()).all()
    assert np.isfinite(fit.fitted).all()
    assert "Poisson limit" in str(fit)
    r = intensity.day_change(s, s.index[-1])
    assert 0 <= r.p_value <= 1
    ano = intensity.detect_anomalies(pd.concat([s, s.set_axis(s.index + pd.Timedelta(days=60))]))
    assert ano.spikes is not None


def test_overdispersed_counts_keep_the_nb_fit():
    rng = np.random.default_rng(3)
    s = _series(rng.negative_binomial(5, 5 / (5 + 100), 200))
    fit = intensity.fit_seasonal(s)
    assert not fit.poisson_limit and 0.1 < fit.dispersion < 0.4


@pytest.mark.parametrize(
    "fn",
    ["fit_seasonal", "detect_breaks", "detect_anomalies", "day_change"],
    ids=["fit_seasonal", "detect_breaks", "detect_anomalies", "day_change"],
)
def test_all_zero_series_is_insufficient_data(fn):
    s = _series(np.zeros(90))
    with pytest.raises(InsufficientDataError, match="above zero"):
        if fn == "day_change":
            intensity.day_change(s, s.index[-1])
        else:
            getattr(intensity, fn)(s)


def test_business_day_index_is_refused():
    s = pd.Series(5.0, pd.bdate_range("2024-01-01", periods=120))
    for fn in (intensity.fit_seasonal, intensity.detect_breaks, intensity.detect_anomalies):
        with pytest.raises(SeriesValidationError, match="freq must be daily, got 'B'"):
            fn(s)


def test_weekdays_never_observed_cannot_give_weekly_effects():
    s = pd.Series(
        np.random.default_rng(1).poisson(20, 120).astype(float),
        pd.DatetimeIndex(list(pd.bdate_range("2024-01-01", periods=120))),
    )
    with pytest.raises(InsufficientDataError, match="Saturday, Sunday"):
        intensity.fit_seasonal(s)


@pytest.mark.parametrize("scale", [1e12, 1e10], ids=["one-1e12", "times-1e10"])
def test_counts_beyond_a_billion_are_refused(scale):
    rng = np.random.default_rng(2)
    v = rng.poisson(20, 90).astype(float)
    v = v * scale if scale == 1e10 else np.r_[v[:-1], scale]
    s = _series(v)
    for fn in (intensity.fit_seasonal, intensity.detect_breaks, intensity.detect_anomalies):
        with pytest.raises(SeriesValidationError, match="at most 1e\\+09"):
            fn(s)


def test_day_change_on_large_counts_is_fast_and_exact():
    from scipy import stats

    from intensity.anomalies import _change_tail

    # exact reference: the full convolution, feasible at this size
    m1, m0, a, c = 300.0, 200.0, 0.05, 150
    k = 1 / a
    x = np.arange(0, 3000)
    p1 = stats.nbinom.pmf(x, k, k / (k + m1))
    p0 = stats.nbinom.pmf(x, k, k / (k + m0))
    conv = np.convolve(p1, p0[::-1])
    diffs = np.arange(-x[-1], x[-1] + 1)
    assert _change_tail(m1, m0, a, c) == pytest.approx(conv[diffs >= c].sum(), rel=1e-9)
    s = _series(np.random.default_rng(4).poisson(20, 120) * 1e7)
    t0 = time.perf_counter()
    r = intensity.day_change(s, s.index[-1])
    assert 0 <= r.p_value <= 1 and time.perf_counter() - t0 < 5


def test_detect_breaks_on_a_sparse_series_is_refused():
    rng = np.random.default_rng(5)
    s = pd.Series(np.nan, pd.date_range("2024-01-01", periods=165))
    s.iloc[np.sort(rng.choice(165, 20, replace=False))] = rng.poisson(50, 20)
    with pytest.raises(InsufficientDataError, match="at least 30 observed days.*got 20"):
        intensity.detect_breaks(s)
    with pytest.raises(InsufficientDataError):
        intensity.penalty_path(s)


def test_detect_breaks_needs_neighbouring_days_for_the_nb_dispersion():
    s = pd.Series(np.nan, pd.date_range("2024-01-01", periods=200))
    s.iloc[::3] = np.random.default_rng(6).poisson(50, len(s.iloc[::3]))
    with pytest.raises(InsufficientDataError, match="neighbouring"):
        intensity.detect_breaks(s)
    assert intensity.detect_breaks(s, size=20.0).breaks is not None


# ----------------------------------------------------------------------------- reports
_TEXT = (
    "Оперативна інформація станом на 08.00 15.12.2024 щодо російського вторгнення. "
    "Загалом протягом минулої доби зафіксовано 251 бойове зіткнення."
)


@pytest.mark.parametrize(
    "published",
    ["garbage", "", "NaT", "9999-12-31T23:00:00", 12345, float("nan"), [1], b"2024"],
    ids=["garbage", "empty", "NaT", "year-9999", "int", "nan", "list", "bytes"],
)
def test_parse_report_bad_published_is_a_parameter_error(published):
    with pytest.raises(ParameterError, match="published"):
        intensity.parse_report(_TEXT, published=published)


def test_parse_report_number_longer_than_pythons_int_limit():
    head = "Оперативна інформація. Загалом протягом минулої доби зафіксовано "
    text = head + "9" * 5000 + " бойових зіткнень."
    r = intensity.parse_report(text, published="2024-12-15T08:05:00")
    assert r is not None and r.total is None
    joined = head + " ".join(["100"] * 2000) + " бойових зіткнень."
    assert intensity.parse_report(joined, published="2024-12-15T08:05:00").total is None


def _export(tmp_path: Path, messages: list) -> Path:
    p = tmp_path / "result.json"
    p.write_text(json.dumps({"name": "GS", "messages": messages}))
    return p


def test_telegram_export_with_odd_ids_dates_and_nesting(tmp_path):
    msgs = [
        {"id": [1], "type": "message", "date": "2024-12-15T08:05:00", "text": _TEXT},
        {"id": {"a": 1}, "type": "message", "date": "2024-12-15T08:05:00", "text": _TEXT},
        {"id": 3, "type": "message", "date": "garbage", "text": _TEXT},
    ]
    table = intensity.read_telegram_export(_export(tmp_path, msgs))
    assert len(table) == 1 and table.attrs["skipped_messages"] == 2
    assert any("publication time ignored" in w for w in table["report"][0].warnings)
    deep = tmp_path / "deep.json"
    deep.write_text('{"messages": ' + "[" * 100000 + "]" * 100000 + "}")
    with pytest.raises(DataFormatError, match="nested too deeply"):
        intensity.read_telegram_export(deep)


def test_engagements_daily_days_without_a_report_are_nan_rows():
    reps = [
        intensity.parse_report(_TEXT.replace("15.12.2024", f"{d}.12.2024")) for d in ("15", "17")
    ]
    daily = intensity.engagements_daily(reps)
    assert _days(daily) == ["2024-12-14", "2024-12-15", "2024-12-16"]
    assert daily["engagements"].tolist()[0] == 251 and np.isnan(daily["engagements"].iloc[1])
    assert np.isnan(daily.loc["2024-12-15", "partial_other"])


def test_implausible_report_dates_are_findings_not_rows():
    good = intensity.parse_report(_TEXT)
    far = intensity.parse_report(_TEXT.replace("15.12.2024", "31.12.9999"))
    t0 = time.perf_counter()
    daily = intensity.engagements_daily([good, far])
    assert time.perf_counter() - t0 < 2 and len(daily) == 1
    q = intensity.quality_events(daily)
    assert (q["kind"] == "implausible_date").sum() == 1
    with pytest.raises(InsufficientDataError, match="plausible"):
        intensity.engagements_daily([far])


# ----------------------------------------------------------------------------- outputs
def test_output_files_honour_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "a.csv", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.csv").stat().st_mode) == 0o644


def test_stale_temporaries_of_a_killed_run_are_removed(tmp_path):
    dead_pid = 2**22 + 4321  # above Linux's default pid_max: no such process
    stale = tmp_path / f".losses.csv.{dead_pid}.abc123.tmp"
    stale.write_bytes(b"half")
    legacy = tmp_path / ".losses.csv.abc123.tmp"  # older naming, no pid: stale after an hour
    legacy.write_bytes(b"half")
    os.utime(legacy, (time.time() - 7200, time.time() - 7200))
    other = tmp_path / ".notes.tmp"
    other.write_bytes(b"not ours")
    atomic_write_bytes(tmp_path / "losses.csv", b"whole")
    assert not stale.exists() and not legacy.exists() and other.exists()
    assert (tmp_path / "losses.csv").read_bytes() == b"whole"


def test_build_with_one_bad_file_writes_the_others_and_exits_2(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a_good.csv").write_text("date,x\n2024-12-01,1\n2024-12-02,2\n")
    (raw / "b_bad.csv").write_text("date,x\n2024-12-01,1\n02.12.2024,2\n")
    (raw / "c_good.csv").write_text("date,y\n2024-12-01,3\n")
    res = build(raw, tmp_path / "out")
    assert sorted(res.frames) == ["a_good", "c_good"]
    assert [f for f, _ in res.failed] == ["b_bad.csv"]
    capsys.readouterr()
    rc = cli.main(["build", "--raw", str(raw), "--processed", str(tmp_path / "out2")])
    err = capsys.readouterr().err
    assert rc == 2 and "b_bad.csv" in err and "1 of 3 datasets" in err
    assert (tmp_path / "out2" / "a_good.csv").exists() and (
        tmp_path / "out2" / "c_good.csv"
    ).exists()
    assert not (tmp_path / "out2" / "b_bad.csv").exists()


@pytest.mark.parametrize("where", ["file", "under-file"], ids=["file", "under-file"])
def test_cli_output_path_problems_are_one_line_exit_2(tmp_path, capsys, where):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.csv").write_text("date,x\n2024-12-01,1\n")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file")
    target = blocker if where == "file" else blocker / "sub"
    rc = cli.main(["build", "--raw", str(raw), "--processed", str(target)])
    err = capsys.readouterr().err.strip()
    errors = [line for line in err.splitlines() if line.startswith("intensity: error")]
    assert rc == 2 and len(errors) == 1 and "Traceback" not in err
    assert str(blocker) in err and "choose another path" in err
    with pytest.raises(OSError):
        cli.main(["--debug", "build", "--raw", str(raw), "--processed", str(target)])


def test_cli_read_only_folder_is_one_line(tmp_path, capsys, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.csv").write_text("date,x\n2024-12-01,1\n")

    def refuse(*_a, **_k):
        raise PermissionError(13, "Permission denied", str(tmp_path / "ro"))

    monkeypatch.setattr("tempfile.mkstemp", refuse)  # root ignores mode bits: simulate
    rc = cli.main(["build", "--raw", str(raw), "--processed", str(tmp_path / "ro")])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "Permission denied" in err and "write to" in err
    assert len([line for line in err.splitlines() if line.startswith("intensity: error")]) == 1
    assert "Traceback" not in err


def test_report_goes_on_when_one_metric_fails(tmp_path):
    rng = np.random.default_rng(7)
    idx = pd.date_range("2023-01-01", periods=400)
    frame = pd.DataFrame(
        {
            "good": rng.negative_binomial(10, 10 / 110, 400).astype(float),
            "zeros": np.zeros(400),
            "short": np.r_[np.full(360, np.nan), rng.poisson(5, 40)],
        },
        index=idx,
    )
    # the default selection leaves out a metric of zeros and one under a year, saying why
    from intensity.report import runner

    assert runner._choose_metrics(frame, None) == (["good"], ["zeros", "short"])
    assert "0 days above zero of 400" in runner._short_row(frame, "zeros")["not_done"]
    assert "40 observed days" in runner._short_row(frame, "short")["not_done"]
    # named, the metric of zeros is analysed and each step that cannot run says why
    res = run_report(frame, tmp_path, ["good", "zeros"], n_boot=19, n_sim=19)
    summ = res.summary
    # 400 days: every question but the winter one, which says why (issue 26: a report
    # on a window shorter than two years dropped it silently and said "complete")
    assert summ.loc["good", "status"] == "partial"
    assert summ.loc["good", "not_done"].startswith("winter question: ")
    assert "needs two years" in summ.loc["good", "not_done"]
    assert summ.loc["zeros", "status"] == "partial"
    assert "above zero" in summ.loc["zeros", "not_done"]
    assert (tmp_path / "good_report.pdf").exists() and (tmp_path / "zeros_report.pdf").exists()
    written = pd.read_csv(tmp_path / "summary.csv", index_col=0)
    assert list(written.loc[["good", "zeros"], "status"]) == ["partial", "partial"]


def test_whole_real_losses_report_metrics_that_failed_before(shared_dir, tmp_path):
    # aircraft aborted the all-metric report ("no segmentation with min_size=14 fits");
    # its counts are not overdispersed, now fitted in the Poisson limit
    losses = intensity.read_losses(shared_dir / "petroivaniuk_losses")
    res = run_report(
        losses, tmp_path, ["aircraft", "naval ship", "submarines"], n_boot=19, n_sim=19
    )
    st = res.summary["status"]
    assert st["aircraft"] == "complete" and st["naval ship"] == "complete", res.summary
    # one submarine in three years: no seasonal model, said so; the rest is done
    assert st["submarines"] == "partial"
    assert "seasonal model" in res.summary.loc["submarines", "not_done"]
    assert "1 of" in res.summary.loc["submarines", "not_done"]
    assert "internal error" not in " ".join(res.summary["not_done"])
    assert (tmp_path / "aircraft_report.pdf").exists()


def test_fetch_offline_says_so_at_once(monkeypatch):
    import socket
    import urllib.error
    import urllib.request

    from intensity.exceptions import FetchError
    from intensity.fetch import http_get

    def no_dns(*_a, **_k):
        raise urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(urllib.request, "urlopen", no_dns)
    waits: list[float] = []
    with pytest.raises(FetchError, match="offline"):
        http_get("https://example.invalid/x.json", retries=3, sleep=waits.append)
    assert waits == []  # no back-off: the answer comes at once
