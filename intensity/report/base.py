"""What the sections of a report share: the options, one metric's context, the step runner
that isolates failures, and the :class:`Section` every question implements.

A section answers one question about one metric. The runner (:mod:`.runner`) calls, for
every section in page order, :meth:`Section.analyse` (the analysis, each step through
:class:`Steps` so that a failing step is recorded with its reason and the others go on),
then :meth:`Section.figures`, :meth:`Section.facts`, :meth:`Section.tables` and
:meth:`Section.summary`. Sections see each other's results through
:attr:`MetricContext.results` (the overview figure draws the breaks, the anomalies and the
winters). A new question is a new module with a new :class:`Section`, listed in
:data:`.runner.SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..exceptions import IntensityError

#: a fact of a text page: (label, value); a label starting with ``#`` is a heading
Fact = tuple[str, str]


@dataclass(frozen=True)
class Options:
    """The analysis options of :func:`~intensity.report.run_report`, checked."""

    model: str = "auto"
    penalty: str | float = "mbic"
    n_boot: int = 299
    n_sim: int = 199
    seed: int = 0
    formats: tuple[str, ...] = ("pdf",)
    dpi: int = 200


class Steps:
    """Runs the steps of one metric's report: a step that fails is recorded with the
    package's reason (and said), and the other steps go on."""

    def __init__(self, metric: str, say: Callable[[str], None]) -> None:
        self.metric = metric
        self.say = say
        self.problems: dict[str, str] = {}

    def __call__(self, step: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        try:
            return fn(*args, **kw)
        except IntensityError as exc:
            self.problems[step] = str(exc)
        except Exception as exc:  # noqa: BLE001 - one step must not end the whole report
            self.problems[step] = f"internal error {type(exc).__name__}: {exc} (please report)"
        self.say(f"[{self.metric}] {step}: not done: {self.problems[step]}")
        return None

    def not_done(self) -> list[Fact]:
        """The steps that failed, under their heading (nothing when all ran)."""
        if not self.problems:
            return []
        return [
            ("# Not done (the reason, as the package said it)", ""),
            *[(f"  {step}", why[:70]) for step, why in self.problems.items()],
        ]


@dataclass
class MetricContext:
    """One metric's report in the making: its series (trimmed to its first and last
    observed day, with its own quality findings), the whole input, the options, the step
    runner and the results of the sections analysed so far."""

    metric: Any
    series: pd.Series
    frame: pd.DataFrame
    columns: list[Any]
    options: Options
    run: Steps
    version: str
    hashes: list[tuple[str, str]]
    stem: str
    results: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        """A section's result (``None`` when the step failed or did not run)."""
        return self.results.get(key)

    def shifts(self) -> Any:
        """The sustained level shifts both anomaly baselines use (their default
        ``max_days``, 90), found once; ``'auto'`` when that step fails (each analysis then
        finds them itself)."""
        if "shifts" not in self.results:
            from ..baselines import per_year, periods, sustained_shifts

            s = self.series
            # the analyses' max_days=90 in periods of the series, as they convert it (read
            # as 90 periods, weekly counts needed 180-week segments and found no shift)
            longest = periods(90, per_year(pd.DatetimeIndex(s.index)))
            found = self.run("level shifts", sustained_shifts, s, longest)
            self.results["shifts"] = "auto" if found is None else [s.index[p] for p in found]
        return self.results["shifts"]

    def figure(self, name: str, draw: Callable[..., Any], *args: Any, **kw: Any) -> list:
        """``[(name, figure)]`` drawn by *draw* as a step, or ``[]`` when it fails."""
        fig = self.run(f"{name} figure", draw, *args, **kw)
        return [] if fig is None else [(name, fig)]

    def plots(self, *names: str) -> list:
        """The ``.plot()`` figure of each named result that exists, in that order."""
        out: list = []
        for name in names:
            res = self.get(name)
            if res is not None:
                out += self.figure(name, res.plot)
        return out


class Section:
    """One question of a metric's report. Subclasses set :attr:`name` (the progress
    line) and :attr:`page` (the title of the page its facts and figures go on; sections
    with the same page share it) and override what they provide."""

    name: str = ""
    page: str = ""

    def applies(self, ctx: MetricContext) -> bool:
        """Whether the section has anything to do for this input (a section for one kind
        of input, e.g. hand-collected figures, says no to the others: no progress line)."""
        return True

    def analyse(self, ctx: MetricContext) -> None:
        """Run the analysis, storing results in ``ctx.results`` (each step via ``ctx.run``)."""

    def figures(self, ctx: MetricContext) -> list[tuple[str, Any]]:
        """``(name, figure)`` pairs; each is saved as ``<stem>_<name>.<format>``."""
        return []

    def facts(self, ctx: MetricContext) -> list[Fact]:
        """The section's lines on the summary page and on its own page."""
        return []

    def tables(self, ctx: MetricContext) -> dict[str, pd.DataFrame | None]:
        """Tables written as ``<stem>_<name>.csv`` (``None``: not written)."""
        return {}

    def summary(self, ctx: MetricContext) -> dict[str, Any]:
        """The section's columns of the report's ``summary.csv`` row."""
        return {}

    def captions(self, ctx: MetricContext) -> dict[str, str]:
        """A caption per figure name: what is drawn, with which model, on which data."""
        return {}

    def methods(self, ctx: MetricContext) -> list[Fact]:
        """The section's lines on the methods page: how its results were computed, from
        the results themselves (their notes), and the works it cites (``("ref", text)``)."""
        return []


def result_notes(result: Any) -> list[Fact]:
    """A result's own notes (what was run, with which options) as methods lines."""
    notes = getattr(result, "_notes", None)
    return [("", str(n)) for n in (notes() if callable(notes) else [])]


def method_lines(result: Any, heading: str, method: str) -> list[Fact]:
    """A section's methods lines: *heading*, the *method* sentence (with its citations)
    and the result's own notes; nothing when the result was not computed."""
    if result is None:
        return []
    return [(f"# {heading}", ""), ("method", method), *result_notes(result)]
