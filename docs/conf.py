"""Sphinx configuration of the API reference (built from the numpydoc docstrings; the test
suite builds it with warnings as errors: tests/test_docs.py)."""

from __future__ import annotations

import intensity

project = "intensity"
author = "The intensity developers"
release = intensity.__version__
version = release
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
]
autosummary_generate = False
autodoc_typehints = "none"  # numpydoc sections carry the types
numpydoc_show_class_members = False
numpydoc_validation_checks: set[str] = set()
exclude_patterns = ["_build"]
html_theme = "alabaster"
nitpicky = False
