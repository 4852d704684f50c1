"""The whole analysis as one call: data quality, seasonality, breaks, anomalies, figures.

:func:`run_report` is what ``intensity report`` and ``intensity demo`` run. For each metric
it writes one PDF per figure, one multi-page report PDF that opens with a summary page of
the key numbers, and the result tables as CSV. Outputs contain no time stamps, so the same
input gives byte-identical files.

The report is built from sections, one module per question: :mod:`.quality` (the data
and their quality), :mod:`.engagements` (hand-collected engagement figures),
:mod:`.seasonality`, :mod:`.breaks`, :mod:`.winter`, :mod:`.anomalies` and, across
metrics, :mod:`.joint`. Each is a :class:`~intensity.report.base.Section` that takes the
data and options and returns its facts, figures and tables; :mod:`.runner` loops over
them, isolates failures and writes one page set per metric. :mod:`.inputs` reads what a
report runs on, :mod:`.files` writes tables, PDFs and the manifest, :mod:`.pages` lays
out the text pages.
"""

from __future__ import annotations

from .files import MANIFEST, file_stems, publish, read_manifest
from .inputs import demo_series, engagement_figures, load_input
from .runner import SECTIONS, SIMULATED_NOTE, ReportResult, run_report

__all__ = [
    "run_report",
    "ReportResult",
    "load_input",
    "demo_series",
    "file_stems",
    "engagement_figures",
    "read_manifest",
    "publish",
    "MANIFEST",
    "SECTIONS",
    "SIMULATED_NOTE",
]
