"""Every page and figure of a report, drawn, has no text off its page, no overlapping
texts and no legend over the data (issue 26). The checks (tests/layout.py) read the
drawn extents of matplotlib's artists; the pages are those the report writes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from layout import layout_problems, legends_over_data, overlapping_texts, text_off_page  # noqa: E402

import intensity.report.files as files  # noqa: E402
from intensity.report import demo_series, load_input, run_report  # noqa: E402


def _pages(monkeypatch, run) -> list[tuple[str, int, object]]:
    """The pages (figures) a report run draws, as (report title, page number, figure)."""
    pages: list[tuple[str, int, object]] = []
    original = files._pdf_bytes

    def record(title, drawn):
        pages.extend((title, i + 1, fig) for i, fig in enumerate(drawn))
        return original(title, drawn)

    monkeypatch.setattr(files, "_pdf_bytes", record)
    run()
    return pages


def _problems(pages) -> list[str]:
    return [f"{title} p{k}: {p}" for title, k, fig in pages for p in layout_problems(fig)]


def test_demo_report_layout(monkeypatch, tmp_path):
    pages = _pages(
        monkeypatch,
        lambda: run_report(demo_series(), tmp_path, simulated=True, n_boot=19, n_sim=19),
    )
    assert len(pages) >= 12
    assert _problems(pages) == []


def test_real_reports_layout(monkeypatch, tmp_path, shared_dir):
    """The personnel report and the joint report of four metrics (the all-metrics run
    draws the same pages per metric)."""
    data = load_input(shared_dir / "petroivaniuk_losses")
    metrics = ["personnel", "field artillery", "APC", "drone"]
    pages = _pages(monkeypatch, lambda: run_report(data, tmp_path, metrics, n_boot=19, n_sim=19))
    titles = {t for t, _, _ in pages}
    assert "intensity report: personnel" in titles and "intensity report: several metrics" in titles
    assert _problems(pages) == []


def test_the_checks_see_each_fault():
    """Each check fails on a figure made with its fault."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2))
    fig.text(0.9, 0.5, "a caption that runs far off the right edge of the page")
    assert text_off_page(fig)
    fig = Figure(figsize=(3, 2))
    fig.text(0.1, 0.5, "first text")
    fig.text(0.12, 0.5, "second text")
    assert overlapping_texts(fig)
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.plot(range(50), [10] * 50, label="flat line at the top")
    ax.set_ylim(0, 10.5)
    ax.legend(loc="upper left", frameon=False)
    assert legends_over_data(fig)


@pytest.mark.parametrize("n_labels", [1, 4, 11], ids=["one", "four", "eleven"])
def test_legend_keeps_its_band_free(n_labels):
    """The package's legend helper raises the y range so its legend sits above the data,
    whatever the number of entries."""
    import numpy as np
    from matplotlib.figure import Figure

    from intensity.plotting import _finish, _legend

    fig = Figure(figsize=(7.2, 3.2))
    ax = fig.add_subplot()
    x = np.arange(400)
    for k in range(n_labels):
        ax.plot(x, 100 + 10 * np.sin(x / 20 + k), label=f"series number {k}")
    _legend(ax)
    _finish(fig, True, "Source: a test")
    assert legends_over_data(fig) == []


def test_long_facts_wrap_inside_the_page():
    """A long value (every quality finding, a step's reason for failing) wraps inside its
    column instead of running off the page, and the rows below move down."""
    from intensity.report.pages import _text_pages

    long = "rounded 117, series_start 17, stall 34, correction 13, catch-up 5, " * 4
    pages = _text_pages("title", [("# head", ""), ("findings", long), ("next", "x")], "note")
    assert layout_problems(pages[0]) == []
