"""Wall time of the main job on the real personnel series (target: under 30 s for one
metric of about 1,600 days on a 2-core machine).

    python benchmarks/report.py

Runs ``intensity report --input <shared>/petroivaniuk_losses --metric personnel`` in a
fresh process (so imports and numba's cache load count) into a temporary folder, twice,
and prints both times and whether the outputs are byte-identical.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    from intensity.datasets import shared_data_dir

    base = shared_data_dir()
    if base is None:
        print("shared data not found (set INTENSITY_SHARED_DATA)", file=sys.stderr)
        return 1
    digests = []
    for k in range(2):
        out = Path(tempfile.mkdtemp()) / "report"
        t = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "intensity.cli",
                "report",
                "--input",
                str(base / "petroivaniuk_losses"),
                "--metric",
                "personnel",
                "--out",
                str(out),
            ],
            check=True,
            capture_output=True,
        )
        dt = time.perf_counter() - t
        files = sorted(out.iterdir())
        digests.append({f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files})
        print(f"run {k + 1}: {dt:.1f} s for {len(files)} files (target < 30 s)")
    print(f"byte-identical: {digests[0] == digests[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
