"""Benchmark start-up: `monitor --help` and `monitor hits --since 1d` (on a migrated, empty SQLite database),
each run afresh several times, as `farm-bench` runs commands; the baseline is a bare `python -c pass`.

    python benchmarks/bench_startup.py --runs 10

Goals on the development machine: `--help` ≤ 0.3 s, `hits --since 1d` ≤ 0.8 s. Figures are the median
wall and CPU (user + system) seconds of the runs; a loaded machine moves wall time, CPU time much less.
The last line is `RESULT help_s=… help_cpu_s=… hits_s=… hits_cpu_s=… python_s=…`.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from monitor.storage.database import open_database

BUNDLED = Path(__file__).resolve().parent.parent / "config"
MONITOR = str(Path(sys.executable).parent / "monitor")


def timed(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `runs` runs of `command` (after one unmeasured warm-up)."""
    walls, cpus = [], []
    for number in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if number:
            walls.append(wall)
            cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    try:
        shutil.copytree(BUNDLED, tmp / "config")
        database = f"sqlite:///{tmp / 'monitor.db'}"
        hits = [MONITOR, "--config", str(tmp / "config"), "--db", database, "hits", "--since", "1d"]
        open_database(database).dispose()  # created and migrated: reading commands create none
        python_s, _ = timed([sys.executable, "-c", "pass"], args.runs)
        help_s, help_cpu = timed([MONITOR, "--help"], args.runs)
        hits_s, hits_cpu = timed(hits, args.runs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"baseline python -c pass: {python_s:.3f} s")
    print(f"monitor --help: {help_s:.3f} s wall, {help_cpu:.3f} s CPU (goal 0.3 s)")
    print(f"monitor hits --since 1d: {hits_s:.3f} s wall, {hits_cpu:.3f} s CPU (goal 0.8 s)")
    print(
        f"RESULT help_s={help_s:.3f} help_cpu_s={help_cpu:.3f} hits_s={hits_s:.3f} hits_cpu_s={hits_cpu:.3f} "
        f"python_s={python_s:.3f}"
    )


if __name__ == "__main__":
    main()
