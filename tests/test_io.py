"""Loading and validation: read_counts, read_losses, validate."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import intensity
from intensity.exceptions import (
    DataFormatError,
    IntensityError,
    ParameterError,
    SeriesValidationError,
)


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


# ----------------------------------------------------------------------------- read_counts
@pytest.mark.parametrize(
    "name,text",
    [
        ("wide.csv", "date,engagements,shellings\n2024-12-13,190,10\n2024-12-15,201,12\n"),
        (
            "long.csv",
            "date,metric,value\n2024-12-13,engagements,190\n2024-12-13,shellings,10\n"
            "2024-12-15,engagements,201\n2024-12-15,shellings,12\n",
        ),
        (
            "wide.json",
            json.dumps(
                [
                    {"date": "2024-12-13", "engagements": 190, "shellings": 10},
                    {"date": "2024-12-15", "engagements": 201, "shellings": 12},
                ]
            ),
        ),
        (
            "long.json",
            json.dumps(
                [
                    {"date": "2024-12-15", "metric": "engagements", "value": 201},
                    {"date": "2024-12-13", "metric": "engagements", "value": 190},
                    {"date": "2024-12-13", "metric": "shellings", "value": 10},
                    {"date": "2024-12-15", "metric": "shellings", "value": 12},
                ]
            ),
        ),
    ],
    ids=["wide-csv", "long-csv", "wide-json", "long-json"],
)
def test_read_counts_layouts_agree(tmp_path, name, text):
    df = intensity.read_counts(_write(tmp_path, name, text))
    assert df.index.freq == "D"
    assert list(df.index.strftime("%Y-%m-%d")) == ["2024-12-13", "2024-12-14", "2024-12-15"]
    assert df["engagements"].tolist()[0] == 190 and np.isnan(df["engagements"].iloc[1])
    assert df["shellings"].tolist()[2] == 12


def test_read_counts_long_with_direction(tmp_path):
    text = (
        "date,metric,value,direction\n2024-12-14,engagements,274,\n"
        "2024-12-14,attacks,55,Kursk\n2024-12-14,attacks,39,Pokrovsk\n"
    )
    df = intensity.read_counts(_write(tmp_path, "d.csv", text))
    assert set(df.columns) == {"engagements", "attacks/Kursk", "attacks/Pokrovsk"}
    assert df.loc["2024-12-14", "attacks/Kursk"] == 55


_KEYED_WIDE = (
    "date,events/unian,events/ria,dead/unian,dead/ria\n"
    "2024-01-01,3,7,1,0\n2024-01-02,4,,2,\n2024-01-03,5,2,0,1\n"
)


@pytest.mark.parametrize(
    "text",
    [
        "day,source,events,dead\n2024-01-01,unian,3,1\n2024-01-01,ria,7,0\n"
        "2024-01-02,unian,4,2\n2024-01-03,ria,2,1\n2024-01-03,unian,5,0\n",
        # the key in another place, names padded, values quoted with a thousands space
        "events;outlet;dead;day\n3; unian ;1;2024-01-01\n7;ria;0;2024-01-01\n"
        "4;unian;2;2024-01-02\n2;ria;1;2024-01-03\n5;unian;0;2024-01-03\n",
        json.dumps(
            [
                {"day": "2024-01-03", "source": "unian", "events": 5, "dead": 0},
                {"day": "2024-01-01", "source": "ria", "events": 7, "dead": 0},
                {"day": "2024-01-01", "source": "unian", "events": 3, "dead": 1},
                {"day": "2024-01-03", "source": "ria", "events": 2, "dead": 1},
                {"day": "2024-01-02", "source": "unian", "events": 4, "dead": 2},
            ]
        ),
    ],
    ids=["csv", "csv-key-elsewhere", "json"],
)
def test_a_long_table_keyed_by_any_text_column_reads_as_its_wide_twin(tmp_path, text):
    # VIINA's per-outlet table is 'day, source, events', one row per day and outlet: it
    # was refused ("column 'source' must be numeric, got '24tvua'"); now read as the
    # long layout with the outlet as direction, the same frame as the wide file
    name = "keyed.json" if text.startswith("[") else "keyed.csv"
    p = _write(tmp_path, name, text)
    wide = intensity.read_counts(_write(tmp_path, "wide.csv", _KEYED_WIDE))
    from intensity.pipeline import build, read_processed

    for absent in ("missing", "zero"):
        got = intensity.read_counts(p, date_column="day", absent=absent)
        want = wide.fillna(0.0) if absent == "zero" else wide
        pd.testing.assert_frame_equal(
            got[sorted(got.columns)], want[sorted(want.columns)], check_freq=True
        )
        # the processed route reads it the same
        out = tmp_path / f"processed-{absent}"
        build(tmp_path, out, date_column="day", absent=absent)
        again = read_processed(out / p.with_suffix(".csv").name)
        pd.testing.assert_frame_equal(again[sorted(again.columns)], got[sorted(got.columns)])


@pytest.mark.parametrize(
    "text,error",
    [
        # a wide file with a notes column: its notes do not repeat, so not a key
        (
            "date,events,note\n2024-01-01,3,calm\n2024-01-01,4,heavy fighting\n",
            "column 'note' must be numeric",
        ),
        # two text columns: which one is the key cannot be told
        (
            "date,source,region,events\n2024-01-01,a,x,1\n2024-01-01,b,y,2\n"
            "2024-01-02,a,x,3\n2024-01-02,b,y,4\n",
            "must be numeric",
        ),
        # one row without its key
        (
            "date,source,events\n2024-01-01,a,1\n2024-01-01,,2\n2024-01-02,a,3\n"
            "2024-01-02,b,4\n2024-01-03,a,1\n2024-01-03,b,1\n",
            "needs a key on every row, got an empty one on 2024-01-01",
        ),
        # the same day and key twice with different counts
        (
            "date,source,events\n2024-01-01,a,1\n2024-01-01,a,2\n2024-01-02,b,3\n2024-01-02,a,3\n",
            "conflicting|duplicate",
        ),
    ],
    ids=["notes", "two-keys", "empty-key", "conflicting-rows"],
)
def test_what_is_not_a_keyed_long_table_is_refused_as_before(tmp_path, text, error):
    with pytest.raises(DataFormatError, match=error):
        intensity.read_counts(_write(tmp_path, "t.csv", text))


@pytest.mark.parametrize(
    "header", ["date,metric,count", "date,source,value"], ids=["metric-key", "value-column"]
)
def test_a_keyed_table_whose_key_names_the_metrics(tmp_path, header):
    # 'date, metric, count' is the long layout with its value column named otherwise:
    # its metrics are 'engagements' and 'shellings', not 'count/engagements'
    rows = (
        "2024-01-01,engagements,190\n2024-01-01,shellings,10\n2024-01-02,engagements,201\n"
        "2024-01-03,engagements,188\n2024-01-03,shellings,12\n"
    )
    df = intensity.read_counts(_write(tmp_path, "k.csv", header + "\n" + rows))
    assert list(df.columns) == ["engagements", "shellings"]
    assert df["engagements"].tolist() == [190.0, 201.0, 188.0]
    assert np.isnan(df["shellings"].iloc[1]) and df["shellings"].iloc[2] == 12


def test_a_table_of_period_figures_read_as_counts_points_to_periods(tmp_path):
    # gs_engagement_aggregates' layout given as --input: "no 'date' column" said nothing
    # of what the file is for
    text = "period_start,period_end,direction,stat,value\n2025-10-01,2025-10-31,all,total,5480\n"
    with pytest.raises(DataFormatError, match="period figures.*--periods FILE"):
        intensity.read_counts(_write(tmp_path, "aggregates.csv", text))


def test_viina_outlets_sum_to_its_daily_total(shared_dir):
    # SOURCE.md: the per-outlet counts sum to 'total' on every day; read with the days
    # an outlet has no row as zeros, they do, and the partial last day is said of each
    folder = shared_dir / "viina_daily"
    outlets = intensity.read_counts(
        folder / "viina_daily_by_source.csv", date_column="day", absent="zero"
    )
    total = intensity.read_counts(folder / "viina_daily.csv", date_column="day")["total"]
    assert outlets.shape == (1531, 16) and "events/unian" in outlets
    pd.testing.assert_series_equal(outlets.sum(axis=1), total, check_names=False)
    q = intensity.quality_events(outlets)
    assert set(q.loc[q.kind == "absent_zero", "metric"]) == set(outlets.columns)


def test_read_counts_thousands_separator_and_exact_duplicates(tmp_path):
    text = 'date;personnel\n2024-12-14;"1\u202f040"\n2024-12-14;"1\u202f040"\n2024-12-15;1280\n'
    df = intensity.read_counts(_write(tmp_path, "p.csv", text))
    assert df["personnel"].tolist() == [1040, 1280]
    q = intensity.quality_events(df)
    assert (q["kind"] == "duplicate").sum() == 1


@pytest.mark.parametrize(
    "body,values",
    [
        ('"1,500"\n2024-01-02,200', [1500.0, 200.0]),
        ('"1,234,567"\n2024-01-02,1200', [1234567.0, 1200.0]),
        ('"1,234.5"\n2024-01-02,7', [1234.5, 7.0]),
        ('"1,500"\n2024-01-02,1200', "got '1,500'.*thousands separators only"),
        ('"3,5"\n2024-01-02,2', "got '3,5'.*thousands separators only"),
    ],
    ids=["one-group", "two-commas", "with-decimals", "mixed-layouts", "decimal-comma"],
)
def test_read_counts_thousands_commas(tmp_path, body, values):
    # an English-locale spreadsheet quotes "1,500": it was 'must be numeric, got
    # '1,500'' for a plain count; now read by the rule dots follow, and the cases that
    # could be read two ways say why
    p = _write(tmp_path, "c.csv", "date,x\n2024-01-01," + body + "\n")
    if isinstance(values, str):
        with pytest.raises(DataFormatError, match=values):
            intensity.read_counts(p)
    else:
        assert intensity.read_counts(p)["x"].tolist() == values


@pytest.mark.parametrize(
    "text,match",
    [
        ("", "empty"),
        ("when,x\n2024-01-01,1\n", "no 'date' column"),
        ("date,x\nyesterday,1\n", "unrecognised date layout.*'yesterday'"),
        ("date,x\n2024-01-01,many\n", "column 'x' must be numeric, got 'many'"),
        ("date,x\n2024-01-01,1\n2024-01-01,2\n", "conflicting duplicate rows"),
        ("date\n2024-01-01\n", "no metric columns"),
        (b"\x00\x01\x02binary", "binary content"),
        (b"\xff\xfe\xfa date", "not UTF-8"),
        ("date,x\n2024-01-01 13:30,1\n", "time of day"),
    ],
    ids=[
        "empty",
        "no-date",
        "bad-date",
        "bad-value",
        "conflict",
        "no-metric",
        "nul",
        "latin",
        "time",
    ],
)
def test_read_counts_errors_name_file_and_rule(tmp_path, text, match):
    p = _write(tmp_path, "bad.csv", text)
    with pytest.raises(DataFormatError, match=match) as ei:
        intensity.read_counts(p)
    assert str(p) in str(ei.value)
    assert isinstance(ei.value, ValueError)


def test_read_counts_unsupported_suffix(tmp_path):
    with pytest.raises(DataFormatError, match="unsupported file type '.xlsx'"):
        intensity.read_counts(_write(tmp_path, "x.xlsx", "date,x\n2024-01-01,1\n"))


# ----------------------------------------------------------------------------- read_losses
def _loss_dir(tmp_path: Path, personnel: list[int], equipment: list[dict] | None = None) -> Path:
    d = tmp_path / "losses"
    d.mkdir()
    dates = pd.date_range("2022-02-25", periods=len(personnel)).strftime("%Y-%m-%d")
    rows = [
        {"date": t, "day": i + 2, "personnel": v, "personnel*": "about"}
        for i, (t, v) in enumerate(zip(dates, personnel, strict=True))
    ]
    (d / "russia_losses_personnel.json").write_text(json.dumps(rows))
    if equipment is not None:
        for r, t in zip(equipment, dates, strict=True):
            r["date"] = t
        (d / "russia_losses_equipment.json").write_text(json.dumps(equipment))
    return d


def test_read_losses_stall_becomes_missing_and_catch_up_keeps_amount(tmp_path):
    cum = [2800, 4300, 4500, 5300, 5300, 5300, 7900, 8900, 9900, 10900, 11900, 12900]
    df = intensity.read_losses(_loss_dir(tmp_path, cum))
    s = df["personnel"]
    assert s.index.freq == "D" and len(s) == len(cum)
    assert np.isnan(s.iloc[0])  # first row: cumulative since the start, unknown increment
    assert np.isnan(s.iloc[4]) and np.isnan(s.iloc[5])  # stalled, not zero
    assert s.iloc[6] == 2600
    assert s.sum() == cum[-1] - cum[0]
    q = intensity.quality_events(df)
    cu = q[q.kind == "catch_up"]
    assert cu["date"].dt.strftime("%Y-%m-%d").tolist() == ["2022-03-03"]
    assert cu["value"].tolist() == [3.0]
    assert (q.kind == "stall").sum() == 2


def test_read_losses_low_rate_zero_is_not_a_stall(tmp_path):
    cum = [100 * i for i in range(1, 13)]
    eq = [{"aircraft": 10 + (i // 5), "tank": 80 + 7 * i} for i in range(12)]
    df = intensity.read_losses(_loss_dir(tmp_path, cum, eq))
    assert (df["aircraft"].iloc[1:] >= 0).all()
    assert df["aircraft"].iloc[1:].isna().sum() == 0  # zeros of a rare metric are real zeros


def test_read_losses_merge_and_corrections(tmp_path):
    cum = [1000 + 900 * i for i in range(10)]
    eq = []
    for i in range(10):
        r = {"tank": 50 + 5 * i - (8 if i >= 6 else 0)}
        if i < 5:
            r |= {"military auto": 100 + 10 * i, "fuel tank": 60 + i}
        else:
            r["vehicles and fuel tanks"] = 160 + 11 * i
        eq.append(r)
    d = _loss_dir(tmp_path, cum, eq)
    df = intensity.read_losses(d)
    assert "military auto" not in df and "fuel tank" not in df
    assert df["vehicles and fuel tanks"].iloc[5] == (160 + 55) - (100 + 40 + 64)
    assert np.isnan(df["tank"].iloc[6])  # -3 correction masked by default
    q = intensity.quality_events(df)
    corr = q[q.kind == "correction"]
    assert corr["value"].tolist() == [-3.0]
    kept = intensity.read_losses(d, corrections="keep")["tank"]
    assert kept.iloc[6] == -3
    assert kept.sum() == eq[-1]["tank"] - eq[0]["tank"]
    assert (q.kind == "definition_change").sum() == 1


def test_read_losses_missing_rows_are_gaps_with_catch_up(tmp_path):
    d = tmp_path / "g"
    d.mkdir()
    rows = [
        {"date": "2022-03-01", "personnel": 5000},
        {"date": "2022-03-02", "personnel": 6000},
        {"date": "2022-03-05", "personnel": 9300},
        {"date": "2022-03-06", "personnel": 10000},
    ]
    (d / "russia_losses_personnel.json").write_text(json.dumps(rows))
    s = intensity.read_losses(d)["personnel"]
    assert s.tolist()[1:] == [1000, None, None, 3300, 700] or (
        s.iloc[3] != s.iloc[3] and s.iloc[4] == 3300
    )
    assert s.sum() == 10000 - 5000


def test_read_losses_errors(tmp_path):
    with pytest.raises(DataFormatError, match="no loss tables found"):
        intensity.read_losses(tmp_path)
    with pytest.raises(DataFormatError, match="no such file"):
        intensity.read_losses(tmp_path / "nope.json")
    with pytest.raises(Exception) as ei:
        intensity.read_losses(tmp_path, corrections="drop")
    assert "corrections must be one of ['mask', 'keep'], got 'drop'" in str(ei.value)


# ----------------------------------------------------------------------------- real data
def test_real_losses_cover_every_day_and_lose_nothing(shared_dir, losses):
    raw = pd.DataFrame(
        json.loads((shared_dir / "petroivaniuk_losses/russia_losses_personnel.json").read_text())
    )
    assert losses.index[0] == pd.Timestamp("2022-02-25")
    assert losses.index[-1] == pd.Timestamp("2026-08-08")
    assert losses.index.freq == "D" and losses.index.is_unique
    assert len(losses) == (losses.index[-1] - losses.index[0]).days + 1
    s = losses["personnel"]
    assert s.sum() == raw["personnel"].iloc[-1] - raw["personnel"].iloc[0]
    # the early-war stall (totals "more than 11 000 / 12 000") is missing, not zero
    assert s.loc["2022-03-09":"2022-03-14"].isna().all()
    assert (s.dropna() > 0).all()
    q = intensity.quality_events(losses)
    assert {"stall", "catch_up", "correction", "series_start"} <= set(q["kind"])


def test_real_losses_every_metric_sums_to_cumulative_change(shared_dir):
    d = shared_dir / "petroivaniuk_losses"
    kept = intensity.read_losses(d, corrections="keep")
    eq = pd.DataFrame(json.loads((d / "russia_losses_equipment.json").read_text()))
    eq["vehicles and fuel tanks"] = eq["vehicles and fuel tanks"].fillna(
        eq["military auto"] + eq["fuel tank"]
    )
    for col in ["tank", "APC", "drone", "vehicles and fuel tanks", "cruise missiles", "aircraft"]:
        c = eq[col].dropna()
        assert kept[col].sum() == c.iloc[-1] - c.iloc[0], col
    masked = intensity.read_losses(d)
    q = intensity.quality_events(masked)
    for col in ["tank", "APC", "aircraft"]:
        corr = q[(q.kind == "correction") & (q.metric == col)]["value"].sum()
        c = eq[col].dropna()
        assert masked[col].sum() + corr == c.iloc[-1] - c.iloc[0], col
        assert (masked[col].dropna() >= 0).all()


def test_real_losses_validate_report(losses):
    rep = intensity.validate(losses)
    assert list(rep.columns) == ["date", "metric", "kind", "detail", "value"]
    assert not (rep["kind"] == "gap").any()  # every missing day is explained by the reader
    assert rep["date"].is_monotonic_increasing


# ----------------------------------------------------------------------------- validate
def test_validate_flags_each_kind():
    idx = pd.date_range("2024-01-01", periods=60)
    v = np.tile([97.0, 104.0, 99.0], 20)  # not round numbers (those are a finding too)
    v[10:13] = np.nan
    v[20] = -4
    v[30] = 2.5
    v[40] = 5000
    rep = intensity.validate(pd.Series(v, index=idx, name="x"))
    kinds = dict(zip(rep["kind"], rep["date"].dt.strftime("%Y-%m-%d"), strict=True))
    assert kinds == {
        "gap": "2024-01-11",
        "negative": "2024-01-21",
        "non_integer": "2024-01-31",
        "impossible": "2024-02-10",
    }
    assert rep.loc[rep.kind == "gap", "value"].item() == 3


def test_validate_duplicates_weekly_grid_and_irregular_error():
    idx = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-03"])
    rep = intensity.validate(pd.Series([1, 2, 2, 3], index=idx))
    assert rep["kind"].tolist() == ["duplicate"]
    # weekly counts are checked on their own grid (as read_counts now keeps it): a
    # missing week is a gap of one week, not of seven days
    weeks = pd.date_range("2024-01-07", periods=6, freq="W-SUN")
    weekly = pd.Series([5.0, 6.0, np.nan, 7.0, -1.0, 8.0], index=weeks)
    rep = intensity.validate(weekly)
    assert rep["kind"].tolist() == ["gap", "negative"]
    assert rep["detail"].iloc[0] == "1 missing week(s) 2024-01-21 … 2024-01-21"
    # an irregular index stays an error
    odd = pd.Series([1, 2, 3], index=pd.to_datetime(["2024-01-01", "2024-01-04", "2024-01-09"]))
    with pytest.raises(SeriesValidationError, match="freq must be daily"):
        intensity.validate(odd)
    with pytest.raises(SeriesValidationError, match="DatetimeIndex"):
        intensity.validate(pd.Series([1, 2]))


def test_readers_do_not_modify_input(tmp_path):
    p = _write(tmp_path, "c.csv", "date,x\n2024-01-01,1\n2024-01-03,3\n")
    before = p.read_bytes()
    intensity.read_counts(p)
    intensity.validate(p)
    assert p.read_bytes() == before


# ----------------------------------------------------------------------------- properties
_row = st.fixed_dictionaries(
    {
        "date": st.one_of(st.dates().map(str), st.text(max_size=12)),
        "x": st.one_of(
            st.integers(-10, 10**6), st.floats(allow_nan=True), st.text(max_size=6), st.none()
        ),
    }
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_random_bytes_only_raise_package_errors(tmp_path, data):
    for name in ("f.csv", "f.json"):
        p = tmp_path / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
        before = p.read_bytes()
        try:
            df = intensity.read_counts(p)
            assert df.index.freq == "D"
        except IntensityError as exc:
            assert str(p) in str(exc)
        assert p.read_bytes() == before


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(_row, max_size=12),
    fmt=st.sampled_from(["csv", "json", "loss"]),
    cut=st.integers(0, 400),
)
def test_corrupted_tables_only_raise_package_errors(tmp_path, rows, fmt, cut):
    d = tmp_path / "raw"
    d.mkdir(exist_ok=True)
    for f in d.iterdir():
        f.unlink()
    if fmt == "csv":
        text = "date,x\n" + "".join(f"{r['date']},{r['x']}\n" for r in rows)
        p = d / "counts.csv"
    else:
        text = json.dumps([{"date": r["date"], "personnel": r["x"]} for r in rows])
        p = d / ("russia_losses_personnel.json" if fmt == "loss" else "counts.json")
    text = text[: max(cut, len(text) // 2)] if cut % 3 == 0 else text  # sometimes truncate
    p.write_text(text, encoding="utf-8", errors="surrogatepass")
    before = p.read_bytes()
    reader = intensity.read_losses if fmt == "loss" else intensity.read_counts
    try:
        out = reader(d if fmt == "loss" else p)
        assert out.index.freq == "D"
        intensity.validate(out)
    except IntensityError as exc:
        assert str(exc)
    assert p.read_bytes() == before


def test_read_counts_date_column(tmp_path):
    """A date column named otherwise (VIINA's and UCDP's ``day``) is named with
    date_column=; a file without it says which columns it has and how to name it."""
    p = tmp_path / "events.csv"
    p.write_text("day,events\n2024-01-01,3\n2024-01-03,5\n", encoding="utf-8")
    with pytest.raises(
        DataFormatError, match=r"no 'date' column .*\['day', 'events'\].*date_column="
    ):
        intensity.read_counts(p)
    s = intensity.read_counts(p, date_column="day")["events"]
    assert s.tolist()[0] == 3.0 and np.isnan(s.iloc[1]) and s.index.name == "date"
    both = tmp_path / "both.csv"
    both.write_text("date,day,events\n2024-01-01,2024-01-01,3\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match="also has a 'date' column"):
        intensity.read_counts(both, date_column="day")


@pytest.mark.parametrize(
    "text",
    [
        "day,events,dead\n2024-01-01,3,1\n2024-01-04,5,\n2024-01-05,1,0\n",
        "day,metric,value\n2024-01-01,events,3\n2024-01-01,dead,1\n2024-01-04,events,5\n"
        "2024-01-04,dead,\n2024-01-05,events,1\n2024-01-05,dead,0\n",
    ],
    ids=["wide", "long"],
)
def test_read_counts_absent_days_as_zero(tmp_path, text):
    """A file that lists only the days with events (UCDP's daily table): absent days are
    zeros with absent='zero', a cell given empty stays missing, the filled days said."""
    p = tmp_path / "events.csv"
    p.write_text(text, encoding="utf-8")
    df = intensity.read_counts(p, date_column="day", absent="zero")
    assert df["events"].tolist() == [3.0, 0.0, 0.0, 5.0, 1.0]
    assert df["dead"].iloc[:3].tolist() == [1.0, 0.0, 0.0] and np.isnan(df["dead"].iloc[3])
    q = intensity.quality_events(df)
    assert q.loc[q.kind == "absent_zero", "value"].tolist() == [2.0, 2.0]
    default = intensity.read_counts(p, date_column="day")
    assert default["events"].isna().sum() == 2
    with pytest.raises(ParameterError, match=r"absent must be one of \['missing', 'zero'\]"):
        intensity.read_counts(p, date_column="day", absent="0")


def test_validate_says_when_absent_days_may_be_zeros(shared_dir):
    ucdp = shared_dir / "ucdp_ukraine_daily" / "ucdp_ukraine_daily.csv"
    q = intensity.validate(intensity.read_counts(ucdp, date_column="day"))
    hint = q[q.kind == "absent_days"]
    assert hint["metric"].tolist() == ["events"] and hint["value"].item() == 1537
    assert "absent='zero'" in hint["detail"].item()
    q = intensity.validate(intensity.read_counts(ucdp, date_column="day", absent="zero"))
    assert not (q.kind == "absent_days").any() and not (q.kind == "gap").any()
    # a series with gaps but zeros of its own, or far from zero, is not such a list
    idx = pd.date_range("2024-01-01", periods=200)
    y = np.random.default_rng(3).poisson(40, 200).astype(float)
    y[::3] = np.nan
    assert "absent_days" not in set(intensity.validate(pd.Series(y, idx, name="x")).kind)


def test_stacked_first_days_of_the_month(shared_dir):
    # UCDP dates events known only to their month on its first day (SOURCE.md): 33% of
    # the 2022-2024 fatalities fall on a 1st, 38 of the report's 96 spike days
    ucdp = shared_dir / "ucdp_ukraine_daily" / "ucdp_ukraine_daily.csv"
    df = intensity.read_counts(ucdp, date_column="day", absent="zero")
    q = intensity.validate(df)
    stacked = q[q.kind == "stacked_date"]
    assert set(stacked["metric"]) == {"fatalities_best"}  # events: 4.4% on 1sts, not flagged
    assert (stacked["date"].dt.day == 1).all() and len(stacked) > 100
    res = intensity.detect_anomalies(df["fatalities_best"], n_sim=19)
    assert not (res.spikes.index.day == 1).any()
    # an ordinary series has no stacked first days
    s = intensity.simulate_counts(1000, seed=4).counts
    assert "stacked_date" not in set(intensity.validate(s).kind)


def test_real_independent_series_read(shared_dir):
    """VIINA 2.0 and UCDP GED daily tables read with date_column='day': VIINA every day
    2022-02-24 … 2026-05-04, UCDP every day of 2022-02-24 … 2024-12-31."""
    v = intensity.read_counts(shared_dir / "viina_daily" / "viina_daily.csv", date_column="day")
    assert len(v) == 1531 and v["core3"].notna().all()
    u = intensity.read_counts(
        shared_dir / "ucdp_ukraine_daily" / "ucdp_ukraine_daily.csv", date_column="day"
    )
    assert u.loc["2022-02-24":"2024-12-31", "events"].notna().all()


def test_running_totals_are_flagged_not_analysed_as_counts(tmp_path, capsys):
    # a cumulative loss table saved as a counts file gave a 'complete' report: one break
    # and 59 spike days of a total that never goes down
    from intensity import cli
    from intensity.report import run_report

    rng = np.random.default_rng(9)
    idx = pd.date_range("2023-01-01", periods=800)
    daily = rng.negative_binomial(20, 20 / (20 + 800.0), len(idx)).astype(float)
    frame = pd.DataFrame({"total": 50_000 + np.cumsum(daily), "daily": daily}, index=idx)
    rep = intensity.validate(frame)
    flagged = rep[rep["kind"] == "running_total"]
    assert flagged["metric"].tolist() == ["total"]
    assert "never decreases over its 800 observed days" in flagged["detail"].item()
    # the report analyses the counts and says why the totals are left out
    res = run_report(frame, tmp_path / "r", n_boot=19, n_sim=19)
    assert res.summary.loc["daily", "status"] == "complete"
    assert res.summary.loc["total", "status"] == "not analysed"
    assert "running totals" in res.summary.loc["total", "not_done"]
    # named, or the only column of a file: a clear error, no report
    f = tmp_path / "cum.csv"
    frame[["total"]].rename_axis("date").to_csv(f)
    for extra in ([], ["--metric", "total"]):
        assert cli.main(["report", "--input", str(f), "--out", str(tmp_path / "o"), *extra]) == 2
        assert "running totals, not counts" in capsys.readouterr().err
    # counts that trend upwards still go down on some days: not flagged
    rising = pd.Series(daily * np.linspace(1, 3, len(idx)), index=idx, name="rising")
    assert intensity.io.running_total_words(rising) == ""


def test_a_date_error_names_the_column_as_the_file_does(tmp_path):
    """With ``date_column='first_seen_utc'`` (Ukrinform's headlines: publication times)
    the refusal said "column 'date'", a column the file does not have."""
    p = tmp_path / "headlines.csv"
    p.write_text("first_seen_utc,count\n2025-11-29T18:16:31Z,311\n2025-12-01T18:21:04Z,171\n")
    with pytest.raises(DataFormatError, match="column 'first_seen_utc': dates must be calendar"):
        intensity.read_counts(p, date_column="first_seen_utc")
