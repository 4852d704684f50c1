"""Shared behaviour of result objects: text and HTML forms built from ``summary()``."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

__all__ = ["ResultMixin"]


class ResultMixin:
    """Mixin for frozen result dataclasses.

    Subclasses implement :meth:`summary` (a DataFrame), :meth:`_title` and
    :meth:`_notes`; text and HTML forms are built from them.
    """

    def summary(self) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def _title(self) -> str:  # pragma: no cover - abstract
        return type(self).__name__

    def _notes(self) -> list[str]:
        return []

    def __str__(self) -> str:
        table = self.summary()
        with pd.option_context(
            "display.width", 120, "display.max_columns", 30, "display.max_rows", 60
        ):
            body = table.to_string() if len(table) else "(empty)"
        lines = [self._title(), "=" * len(self._title()), body]
        lines += [f"- {n}" for n in self._notes()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self._title()}>"

    def _repr_html_(self) -> str:
        table = self.summary()
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self._notes())
        return (
            f"<div><strong>{html.escape(self._title())}</strong>"
            f"{table.to_html(float_format=lambda v: f'{v:.4g}')}"
            + (f"<ul>{notes}</ul>" if notes else "")
            + "</div>"
        )

    def plot(self, ax: Any = None, **kw: Any) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError
