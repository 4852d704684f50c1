"""Figures: content of the returned figures (Agg backend) and reproducible PDFs."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest
from matplotlib.figure import Figure

import intensity
from intensity import plotting
from intensity.simulate import simulate_counts

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def sim():
    return simulate_counts(800, seed=12)


def test_plot_decomposition_panels(sim):
    fig = intensity.decompose(sim.counts).plot()
    assert isinstance(fig, Figure)
    axes = fig.get_axes()
    assert len(axes) == 4
    assert "MSTL decomposition" in axes[0].get_title()
    assert [a.get_ylabel() for a in axes[1:]] == ["period 7", "period 365", "remainder"]
    assert any("General Staff" in t.get_text() for t in fig.texts)


def test_plot_seasonal_fit_on_given_axes(sim):
    fig0 = Figure()
    ax = fig0.add_subplot()
    fit = intensity.fit_seasonal(sim.counts)
    fig = fit.plot(ax=ax)
    assert fig is fig0
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["95% prediction interval", "observed", "expected", "trend (deseasonalised)"]
    assert len(ax.lines) == 3 and len(ax.collections) == 1


@pytest.mark.parametrize("by", ["weekday", "month"])
def test_plot_profile(sim, by):
    fig = intensity.seasonal_profile(sim.counts, by=by).plot()
    ax = fig.get_axes()[0]
    assert len(ax.get_xticklabels()) == (7 if by == "weekday" else 12)
    assert by in ax.get_title()


def test_pdf_is_byte_identical(sim, tmp_path):
    fig = intensity.decompose(sim.counts, periods=(7,)).plot()
    a = plotting.save_pdf(fig, tmp_path / "a.pdf").read_bytes()
    b = plotting.save_pdf(fig, tmp_path / "b.pdf").read_bytes()
    assert a == b and a.startswith(b"%PDF")


def test_plot_breaks_content(sim):
    res = intensity.detect_breaks(
        simulate_counts(600, seed=3, breaks=[(300, 1.6)], annual_amplitude=0).counts, n_boot=49
    )
    fig = res.plot()
    ax = fig.get_axes()[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:3] == ["daily", "28-day mean", "segment level"]
    assert "break, 95% interval" in labels
    assert "1 break(s)" in ax.get_title()
    # one vertical dashed line per break
    assert sum(1 for ln in ax.lines if ln.get_linestyle() == "--") == 1


def test_plot_anomalies_marks_spikes_surges_and_artefacts():
    sim = simulate_counts(700, seed=21, size=45, spikes=[(150, 3.0)], surges=[(400, 40, 1.35)])
    q = pd.DataFrame(
        {
            "date": [sim.counts.index[50]],
            "metric": ["simulated"],
            "kind": ["stall"],
            "detail": ["x"],
            "value": [0.0],
        }
    )
    res = intensity.detect_anomalies(sim.counts, artefacts=q, n_sim=49)
    fig = res.plot()
    ax = fig.get_axes()[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"observed", "spike", "surge", "reporting artefact"} <= set(labels)
    assert any(lab.startswith("baseline (") for lab in labels)  # which baseline, named
    assert "anomalies against the seasonal baseline" in ax.get_title()


def test_plot_day_change():
    s = simulate_counts(200, seed=1).counts
    fig = intensity.day_change(s, s.index[100]).plot()
    ax = fig.get_axes()[0]
    assert len(ax.patches) == 4 and "change" in ax.get_title()


def test_overview_figure_content():
    sim = simulate_counts(700, seed=5, breaks=[(350, 1.5)], spikes=[(100, 3.0)], size=45)
    brk = intensity.detect_breaks(sim.counts, n_boot=49)
    ano = intensity.detect_anomalies(sim.counts, n_sim=49)
    fig = plotting.plot_overview(sim.counts, breaks=brk, anomalies=ano)
    ax = fig.get_axes()[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:3] == ["daily", "7-day mean", "28-day mean"]
    assert "break (95% interval)" in labels and "spike" in labels
    assert "2022-03-01 – 2024-01-29" in ax.get_title()
    with plotting.source_label("SIMULATED"):
        fig2 = plotting.plot_overview(sim.counts)
    assert any(t.get_text() == "SIMULATED" for t in fig2.texts)


def test_direction_figures():
    rows = []
    for i, d in enumerate(pd.date_range("2024-11-01", periods=60)):
        for j, name in enumerate(["pokrovsk", "kurakhove", "kursk"]):
            rows.append(
                {
                    "date": d,
                    "complete": True,
                    "direction": name,
                    "name": name,
                    "attacks": 10 * (j + 1) + i % 5,
                }
            )
    table = pd.DataFrame(rows)
    fig = plotting.plot_direction_heatmap(table)
    ax = fig.get_axes()[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["kursk", "kurakhove", "pokrovsk"]
    assert len(fig.get_axes()) == 2  # heatmap and colour bar
    fig = plotting.plot_direction_shares(table)
    assert len(fig.get_axes()[0].collections) == 3


def test_metrics_figure(losses):
    fig = plotting.plot_metrics(losses, ["personnel", "tank", "drone"])
    ax = fig.get_axes()[0]
    assert [ln.get_label() for ln in ax.get_lines()][:3] == ["personnel", "tank", "drone"]


def test_plot_breaks_linear_trend_draws_the_continuous_trend():
    import numpy as np

    u = np.arange(400)
    rng = np.random.default_rng(2)
    mu = np.exp(np.log(300) + np.interp(u, [0, 200, 399], [0, 0.5, 0.1]))
    s = pd.Series(
        rng.negative_binomial(40, 40 / (40 + mu)).astype(float),
        index=pd.date_range("2024-01-01", periods=400),
        name="x",
    )
    res = intensity.detect_breaks(s, model="linear_trend")
    ax = res.plot().get_axes()[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "continuous trend" in labels and "segment level" not in labels
