"""Time of the main job on the real personnel series: CPU time (user + system of the
child process; target 10 s, issue 23) and wall time (target 30 s) for one metric of about
1,600 days on a 2-core machine.

    python benchmarks/report.py

Runs ``intensity report --input <shared>/petroivaniuk_losses --metric personnel`` in a
fresh process (so imports and numba's cache load count) into a temporary folder, twice,
and prints both times and whether the outputs are byte-identical.
"""

from __future__ import annotations

import hashlib
import resource
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
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
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
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        files = sorted(out.iterdir())
        digests.append({f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files})
        print(
            f"run {k + 1}: CPU {cpu:.1f} s (target <= 10 s), wall {dt:.1f} s (target < 30 s), "
            f"{len(files)} files"
        )
    print(f"byte-identical: {digests[0] == digests[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
