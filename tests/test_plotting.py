"""Figures: content of the returned figures (Agg backend) and reproducible PDFs."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest
from matplotlib.figure import Figure

import intensity
import intensity.metrics
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
    # each panel says its period and unit, and the scale it is on (issue 26)
    assert [a.get_ylabel().replace("\n", " ") for a in axes[1:]] == [
        "7-day cycle log(1+y)",
        "365-day cycle log(1+y)",
        "remainder log(1+y)",
    ]
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
    assert "break" in labels and "95% interval of a break date" in labels
    assert "1 break(s)" in ax.get_title()
    # one vertical dashed line per break
    assert sum(1 for ln in ax.lines if ln.get_linestyle() == "--") == 1


def test_break_band_reaching_far_dates_is_faint_and_labelled():
    """A break whose date interval reaches dates a drift burst took (``date_refound``
    below the level) is drawn as a faint band with its own legend entry, beside the
    ordinary band of a settled one."""
    import matplotlib.pyplot as plt

    idx = pd.date_range("2022-01-01", periods=2)
    table = pd.DataFrame(
        {
            "ci_lower": pd.to_datetime(["2022-03-13", "2023-10-07"]),
            "ci_upper": pd.to_datetime(["2024-12-24", "2023-10-13"]),
            "date_refound": [0.87, 0.99],
        },
        index=pd.to_datetime(["2022-03-19", "2023-10-11"]),
    )
    fig, ax = plt.subplots()
    ax.plot(idx, [1, 2])
    plotting.layer_breaks(ax, table)
    bands = list(ax.patches)
    assert [round(b.get_alpha(), 2) for b in bands] == [0.12, 0.35]
    labels = [b.get_label() for b in bands]
    assert labels == [
        "95% interval reaching dates where drift outdid the break",
        "95% interval of a break date",
    ]
    plt.close(fig)


def test_plot_anomalies_marks_spikes_surges_and_artefacts():
    # under two years the baseline is the level, which has no annual terms: a series
    # without an annual cycle (with one, the default null reads the cycle as slow noise)
    sim = simulate_counts(
        700, seed=21, size=45, annual_amplitude=0.0, spikes=[(150, 3.0)], surges=[(400, 40, 1.35)]
    )
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
    # the title names the baseline the episodes were measured against (under two years
    # of data: the level)
    assert res.baseline_kind == "level"
    assert "anomalies against the level baseline" in ax.get_title()


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
    assert "break" in labels and "95% interval of a break date" in labels and "spike" in labels
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


# ------------------------------------------------------------------ sizes and legends
def _outside_text(fig: Figure) -> list[str]:
    """Texts whose window extent leaves the figure (tick labels of ticks outside the view,
    which matplotlib does not draw, are left out)."""
    import matplotlib.text
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    r = canvas.get_renderer()
    hidden = set()
    for ax in fig.axes:
        for axis, lim in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            lo, hi = min(lim), max(lim)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                    hidden.update({id(tick.label1), id(tick.label2)})
    w, h = fig.bbox.width, fig.bbox.height
    out = []
    for t in fig.findobj(matplotlib.text.Text):
        if id(t) in hidden or not t.get_visible() or not t.get_text().strip():
            continue
        bb = t.get_window_extent(r)
        if bb.x0 < -0.5 or bb.y0 < -0.5 or bb.x1 > w + 0.5 or bb.y1 > h + 0.5:
            out.append(t.get_text()[:50])
    return out


def _same_legend_entries(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of legend entries with the same colour (RGB) and style."""
    import numpy as np
    from matplotlib.colors import to_rgba_array

    pairs = []
    for ax in fig.axes:
        lg = ax.get_legend()
        if lg is None:
            continue
        keys = []
        for handle, text in zip(lg.legend_handles, lg.get_texts(), strict=True):
            colour = None
            for getter in ("get_color", "get_facecolor", "get_edgecolor"):
                if hasattr(handle, getter):
                    rgba = np.ravel(to_rgba_array(getattr(handle, getter)()))
                    colour = tuple(np.round(rgba[:3], 3))
                    break
            style = tuple(
                str(getattr(handle, g, lambda: None)())
                for g in ("get_linestyle", "get_marker", "get_hatch")
            )
            keys.append(((type(handle).__name__, colour, style), text.get_text()))
        for i, (ki, ti) in enumerate(keys):
            for kj, tj in keys[i + 1 :]:
                if ki == kj:
                    pairs.append((ti, tj))
    return pairs


@pytest.fixture(scope="module")
def report_results():
    from intensity.report import demo_series

    s = demo_series()["simulated"]
    fit = intensity.fit_seasonal(s)
    brk = intensity.detect_breaks(s, seasonal=fit, n_boot=19)
    ano = intensity.detect_anomalies(s, n_sim=19)
    win = intensity.seasonal_excess(s)
    return {
        "overview": lambda **k: plotting.plot_overview(
            s, breaks=brk, anomalies=ano, trend=fit.trend, winters=win, **k
        ),
        "decomposition": intensity.decompose(s, periods=(7, 365), robust=False).plot,
        "seasonal_fit": fit.plot,
        "weekday_profile": intensity.seasonal_profile(s, "weekday").plot,
        "month_profile": intensity.seasonal_profile(s, "month").plot,
        "breaks": brk.plot,
        "penalty_path": intensity.penalty_path(s, seasonal=fit).plot,
        "anomalies": ano.plot,
        "winters": win.plot,
        "day_change": intensity.day_change(s, s.index[700]).plot,
    }


@pytest.mark.parametrize("width", [3.5, 7.0], ids=["single-column", "double-column"])
def test_report_figures_fit_their_width(report_results, width):
    """Every figure of the report at a single (3.5 in) and a double column (7 in): no text
    outside the figure, no two legend entries alike."""
    problems = {}
    for name, draw in report_results.items():
        fig = draw(figsize=(width, width * (0.9 if width < 5 else 0.62)))
        outside, alike = _outside_text(fig), _same_legend_entries(fig)
        if outside or alike:
            problems[name] = (outside, alike)
    assert not problems, problems


def test_labels_name_the_metric_and_say_deseasonalised(losses):
    """Axis labels come from the metric registry; the breaks figure says its levels are
    deseasonalised; the overview draws the largest breaks only and says how many exist."""
    s = losses["personnel"]
    fit = intensity.fit_seasonal(s)
    brk = intensity.detect_breaks(s, seasonal=fit, n_boot=0, penalty="aic")
    assert len(brk.breaks) > 8  # a loose penalty: many breaks
    fig = plotting.plot_overview(s, breaks=brk)
    ax = fig.axes[0]
    assert "claimed Russian personnel losses per day" in ax.get_ylabel().replace("\n", " ")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"largest 8 of {len(brk.breaks)} breaks (all in the table)" in labels
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == 8
    fb = brk.plot()
    legend = [t.get_text() for t in fb.axes[0].get_legend().get_texts()]
    assert "segment level (deseasonalised)" in legend
    assert "tanks destroyed" in intensity.metrics.metric_label("tank")


def test_penalty_path_marks_the_penalty_used():
    """The penalty path figure says which segmentation the breaks use (issue 26: it was
    not marked), and its labels neither overlap nor leave the figure."""
    import sys
    from dataclasses import replace
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from layout import layout_problems

    sim = simulate_counts(1600, seed=1, breaks=[(400, 1.5), (900, 0.7), (1200, 1.3)])
    brk = intensity.detect_breaks(sim.counts, n_boot=0)
    path = replace(
        intensity.penalty_path(sim.counts, dependence=brk.dependence),
        chosen_penalty=brk.penalty,
    )
    fig = path.plot()
    texts = [t.get_text() for t in fig.axes[0].texts]
    used = [t for t in texts if "(used:" in t]
    assert len(used) == 1 and f"{brk.penalty:.0f})" in used[0]
    assert layout_problems(fig) == []
