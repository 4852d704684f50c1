"""Layout checks of drawn figures and report pages (issue 26): text that runs off its
figure, texts that overlap each other, a legend drawn over the data.

The checks read the drawn positions of matplotlib's own artists (window extents after a
draw), so they see what a reader sees on the page.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np

#: pixels of slack: antialiasing and rounding put glyph boxes a pixel beyond their anchor
SLACK = 1.5


def _renderer(fig: Any) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    return fig.canvas.get_renderer()


def _tick_labels(fig: Any) -> tuple[set[int], set[int]]:
    """Every tick label's id, and the ids of those drawn (ticks inside the view limits)."""
    every: set[int] = set()
    drawn: set[int] = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not ax.axison:  # an axes drawn without its axes (a strip of labels)
                for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                    every.update((id(tick.label1), id(tick.label2)))
                continue
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                every.update((id(tick.label1), id(tick.label2)))
            # the ticks matplotlib draws (inside the view limits): Axis._update_ticks,
            # which Axis.draw itself uses
            for tick in axis._update_ticks():
                drawn.update(id(lbl) for lbl in (tick.label1, tick.label2) if lbl.get_visible())
    return every, drawn


def _texts(fig: Any) -> list[Any]:
    from matplotlib.text import Text

    ticks, drawn = _tick_labels(fig)
    out = []
    for t in fig.findobj(Text):
        if id(t) in ticks and id(t) not in drawn:
            continue  # a tick outside the view limits: not drawn
        if not t.get_visible() or not t.get_text().strip():
            continue
        if t.axes is not None and not t.get_in_layout() and t.get_clip_on():
            continue  # clipped inside its axes: cannot leave the page
        out.append(t)
    return out


def _box(t: Any, r: Any) -> Any:
    return t.get_window_extent(r)


def text_off_page(fig: Any) -> list[str]:
    """Texts whose box leaves the figure."""
    r = _renderer(fig)
    W, H = fig.bbox.width, fig.bbox.height
    out = []
    for t in _texts(fig):
        b = _box(t, r)
        if b.x0 < -SLACK or b.y0 < -SLACK or b.x1 > W + SLACK or b.y1 > H + SLACK:
            out.append(f"text off the page: {t.get_text()[:60]!r}")
    return out


def overlapping_texts(fig: Any) -> list[str]:
    """Pairs of texts whose boxes overlap by more than the slack."""
    r = _renderer(fig)
    boxes = [(t, _box(t, r)) for t in _texts(fig)]
    out = []
    for (t1, b1), (t2, b2) in combinations(boxes, 2):
        w = min(b1.x1, b2.x1) - max(b1.x0, b2.x0)
        h = min(b1.y1, b2.y1) - max(b1.y0, b2.y0)
        if w > SLACK and h > SLACK:
            out.append(f"texts overlap: {t1.get_text()[:40]!r} / {t2.get_text()[:40]!r}")
    return out


def _display_points(line: Any) -> np.ndarray:
    """A line's finite data points in display (pixel) coordinates."""
    xy = np.asarray(line.get_xydata(), dtype=float)
    return line.get_transform().transform(xy[np.isfinite(xy).all(axis=1)])


def _inside(pts: np.ndarray, box: Any, margin: float = 0.0) -> np.ndarray:
    """Which points lie inside *box* shrunk by *margin* pixels on every side."""
    return (
        (pts[:, 0] > box.x0 + margin)
        & (pts[:, 0] < box.x1 - margin)
        & (pts[:, 1] > box.y0 + margin)
        & (pts[:, 1] < box.y1 - margin)
    )


def legends_over_data(fig: Any, share: float = 0.0) -> list[str]:
    """Legends under which more than *share* of an axes' plotted points lie."""
    r = _renderer(fig)
    out = []
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is None or not leg.get_visible():
            continue
        b = leg.get_window_extent(r)
        for line in ax.get_lines():
            xy = np.asarray(line.get_xydata(), dtype=float)
            if not len(xy) or not line.get_visible():
                continue
            pts = _display_points(line)
            inside = _inside(pts, b)
            if inside.sum() > max(0, share * len(pts)):
                label = ax.get_title() or ax.get_ylabel()
                out.append(
                    f"legend over data in {label[:40]!r}: {int(inside.sum())} points of "
                    f"{line.get_label()[:30]!r}"
                )
                break
    return out


def labels_over_data(fig: Any) -> list[str]:
    """Texts placed inside an axes (labels, annotations; not the legend, title or ticks)
    whose box holds points of a plotted series (a line of more than two points: not the
    vertical break markers)."""
    r = _renderer(fig)
    out = []
    for ax in fig.axes:
        series = []
        for line in ax.get_lines():
            xy = np.asarray(line.get_xydata(), dtype=float)
            if len(xy) > 2 and line.get_visible():
                series.append((line, _display_points(line)))
        for t in ax.texts:
            if not t.get_visible() or not t.get_text().strip():
                continue
            b = _box(t, r)
            for line, pts in series:
                inside = _inside(pts, b, SLACK)
                if inside.any():
                    out.append(
                        f"label over data: {t.get_text()[:40]!r} over {int(inside.sum())} "
                        f"points of {line.get_label()[:30]!r}"
                    )
                    break
    return out


def layout_problems(fig: Any) -> list[str]:
    return (
        text_off_page(fig) + overlapping_texts(fig) + legends_over_data(fig) + labels_over_data(fig)
    )
