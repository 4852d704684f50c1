"""The report's text pages (facts under headings, as many A4 pages as they need)."""

from __future__ import annotations

from typing import Any


def _text_pages(title: str, facts: list[tuple[str, str]], note: str) -> list[Any]:
    """A4 pages listing *facts* under *title*: as many pages as the facts need (nothing is
    cut at the bottom of a page)."""
    from matplotlib.figure import Figure

    from ..plotting import house_style

    pages: list[Any] = []
    with house_style():

        def new_page(first: bool) -> tuple[Any, float]:
            fig = Figure(figsize=(8.27, 11.69))  # A4 portrait
            head = title if first else f"{title} (continued)"
            fig.text(0.08, 0.95, head, fontsize=16, weight="bold", va="top")
            # wrapped here: matplotlib's wrap=True measures the text word by word on
            # every draw (a tenth of a second per page)
            fig.text(0.08, 0.92, _note_lines(note), fontsize=7, color="#555555", va="top")
            pages.append(fig)
            return fig, 0.88

        fig, y = new_page(True)
        for k, v in facts:
            lines = _wrapped(str(v))
            # a row is 0.0175 of the page; each further line of a wrapped value 9.6 pt
            need = 0.034 if k.startswith("#") else 0.0175 + 0.0115 * (len(lines) - 1)
            if y - need < 0.05:
                fig, y = new_page(False)
            if k.startswith("#"):
                y -= 0.012
                fig.text(0.08, y, k.lstrip("# "), fontsize=10, weight="bold", va="top")
                y -= 0.022
                continue
            fig.text(0.10, y, k, fontsize=8, va="top")
            fig.text(
                0.45,
                y,
                "\n".join(lines),
                fontsize=8,
                va="top",
                family="DejaVu Sans Mono",
                linespacing=1.2,
            )
            y -= need
    return pages


#: characters of a 7 pt caption line across an A4 page (84% of its width, with margin)
_NOTE_CHARS = 125


def _note_lines(note: str) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(note, _NOTE_CHARS)) or note


#: characters of the monospaced value column (8 pt DejaVu Sans Mono from 45% to 93% of an
#: A4 page's width: 0.6 em a character)
_VALUE_CHARS = 57


def _wrapped(value: str) -> list[str]:
    """A fact's value as the lines that fit its column (a long list of findings or a
    reason ran off the page, issue 26); breaks at spaces, commas and semicolons."""
    import textwrap

    out: list[str] = []
    for para in value.split("\n") or [""]:
        out += textwrap.wrap(para, _VALUE_CHARS, break_on_hyphens=False) or [""]
    return out


def section_pages(
    title: str,
    heading: str,
    summary: list[tuple[str, str]],
    parts: list[tuple[str, list[tuple[str, str]], list[Any]]],
    note: str,
) -> list[Any]:
    """A report's pages: the summary (*summary* facts under *title*), then for each part
    ``(page title, facts, figures)`` a page of its facts (``"<heading>: <page title>"``)
    followed by its figures; a part with neither is left out, one with figures only says
    ``not done``."""
    pages = _text_pages(title, summary, note)
    for page, facts, figs in parts:
        if not facts and not figs:
            continue
        pages += _text_pages(f"{heading}: {page}", facts or [("# " + page, "not done")], note)
        pages += figs
    return pages
