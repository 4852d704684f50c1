"""Shared fixtures: the real data folder (skip or fail when absent) and the Agg backend."""

from __future__ import annotations

import os
from pathlib import Path

# one BLAS thread per test process: pytest-xdist runs a worker per core, and BLAS threads
# on top of them oversubscribe the machine (the fits' matrices are small: threads only cost)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import matplotlib  # noqa: E402
import pytest  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

matplotlib.use("Agg")
threadpool_limits(1)

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
