"""Shared fixtures: the real data folder (skip or fail when absent) and the Agg backend."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from intensity.datasets import shared_data_dir  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"


def _shared() -> Path:
    d = shared_data_dir()
    if d is None or not (d / "petroivaniuk_losses").is_dir():
        reason = (
            "shared data folder not found (set INTENSITY_SHARED_DATA or place it at ../shared/data)"
        )
        if os.environ.get("INTENSITY_REQUIRE_SHARED") == "1":
            pytest.fail(reason + " and INTENSITY_REQUIRE_SHARED=1", pytrace=False)
        pytest.skip(reason)
    return d


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return _shared()


@pytest.fixture(scope="session")
def losses(shared_dir: Path):
    import intensity

    return intensity.read_losses(shared_dir / "petroivaniuk_losses")


@pytest.fixture(scope="session")
def personnel(losses):
    return losses["personnel"]
