"""Every docstring example in the package runs and prints what it shows (numpydoc
examples are documentation only while they are true)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import intensity

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(intensity.__path__, prefix="intensity.")
    if not m.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES, ids=MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_api_reference_builds_without_warnings(tmp_path):
    """The API reference (docs/, Sphinx with numpydoc) builds from the docstrings with
    warnings as errors."""
    import subprocess
    import sys
    from pathlib import Path

    docs = Path(__file__).resolve().parents[1] / "docs"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(docs),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    page = (tmp_path / "html" / "api" / "models.html").read_text()
    assert "detect_breaks" in page and "seasonal_excess" in page
