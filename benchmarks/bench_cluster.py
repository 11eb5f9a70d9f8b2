"""PDFs laid out on a Dask cluster (--scheduler) against this machine's own workers (--jobs 2), as
ratios measured in one run (see README, "Large batches").

    python benchmarks/bench_cluster.py               # about 8 minutes on 2 cores
    python benchmarks/bench_cluster.py --no-memory   # 1. to 3. only, about 2 minutes

A local Dask cluster of two worker processes (one thread each: WeasyPrint is laid out in one
thread per process), started once and warmed up by one small run, as a deployed cluster's workers
outlive each run. Then:
  1. overhead: `gen-worksheets --count N --format pdf` with --scheduler against --jobs 2, wall
     seconds, the median of alternating runs (target <= 1.15x);
  2. pages per second on the cluster, and the CPU seconds the command itself spends per variant
     (drawing, views, sending, writing and joining: what one command machine must keep up with;
     its start, the same for any count, left out);
  3. a projection of 100,000 variants on N workers from the measured cost of a variant on a worker
     (2 workers x wall seconds / variants) and the command's own cost per variant, which bounds it;
  4. memory: the command's peak proportional set size at 2,000 variants against 200 (target <=
     1.3x); its workers are the cluster's, not its children. And what the 2,000 variants grew
     each worker by (resident set size, MB a variant).
The workers run without Dask's profiler, as the README says to start them.
Absolute seconds are printed for the record only: they depend on the machine.
"""

from __future__ import annotations

import argparse
import logging
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_render import measure

SEED = "20261204"
WARM = 4  # variants of the run that warms the workers up


def run(count: int, out: Path, *extra: str, memory: bool = False) -> tuple[float, float, float, str]:
    """Wall seconds, peak memory (MB, with ``memory``), the command's CPU seconds, and its stderr."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "generator", "--count", str(count), "--seed", SEED, "--format", "pdf",
           "--out", str(out), *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, peak, err = measure(cmd, memory)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, peak, cpu, err


def resident_mb() -> float:
    """On a worker: its resident set size."""
    with open("/proc/self/status") as status:
        return int(status.read().split("VmRSS:")[1].split()[0]) / 1024


def pages(err: str) -> int:
    return int(err.strip().splitlines()[-1].split(" pages")[0].split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=60, help="variants of each timed run (default 60)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating pairs of runs (default 3)")
    parser.add_argument("--no-memory", action="store_true", help="skip 4. (2,000 variants)")
    args = parser.parse_args()

    import dask
    from distributed import Client, LocalCluster

    workers = 2
    with dask.config.set({"distributed.worker.profile.enabled": False}):  # passed on to the workers
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                               silence_logs=logging.CRITICAL)
    with tempfile.TemporaryDirectory() as tmp, cluster, Client(cluster, set_as_default=False) as client:
        out = Path(tmp)
        remote = ("--scheduler", cluster.scheduler_address)
        warm = run(WARM, out / "warm", *remote)
        cluster_runs, local_runs = [], []
        for _ in range(args.rounds):
            cluster_runs.append(run(args.count, out / "c", *remote))
            local_runs.append(run(args.count, out / "l", "--jobs", "2"))
        same = subprocess.run(["diff", "-r", str(out / "c"), str(out / "l")], capture_output=True).returncode == 0
        wall_cluster = statistics.median(r[0] for r in cluster_runs)
        wall_local = statistics.median(r[0] for r in local_runs)
        # The command's CPU a variant, its start (imports: ~3 s) left out: two counts' difference.
        command_cpu = (statistics.median(r[2] for r in cluster_runs) - warm[2]) / (args.count - WARM)
        n_pages = pages(cluster_runs[0][3])
        print(f"1. overhead, --count {args.count}: --scheduler {wall_cluster:.1f} s, --jobs 2 {wall_local:.1f} s: "
              f"{wall_cluster / wall_local:.2f}x (target <= 1.15x); files byte-identical: {same}")
        print(f"2. {n_pages} pages: {n_pages / wall_cluster:.1f} pages/s on the cluster "
              f"({n_pages / wall_local:.1f} with --jobs 2); the command's own CPU: {command_cpu * 1000:.1f} ms "
              "a variant")
        per_variant = workers * wall_cluster / args.count  # worker-seconds a variant, overheads included
        projection = ", ".join(
            f"{n} workers {max(100_000 * per_variant / n, 100_000 * command_cpu) / 3600:.2f} h" for n in
            (2, 16, 64, 256))
        print(f"3. 100,000 variants ({per_variant:.3f} worker-seconds a variant, the command "
              f"{command_cpu * 1000:.1f} ms): {projection}; the command keeps up with at most "
              f"{per_variant / command_cpu:.0f} workers")
        if not args.no_memory:
            small = run(200, out / "m", *remote, memory=True)
            before = client.run(resident_mb)
            large = run(2000, out / "m", *remote, memory=True)
            after = client.run(resident_mb)
            growth = ", ".join(f"{before[w]:.0f} -> {after[w]:.0f} MB ({(after[w] - before[w]) / 1000:.3f} MB a "
                               "variant)" for w in sorted(after))
            print(f"4. the command's peak memory: 2,000 variants {large[1]:.0f} MB, 200 {small[1]:.0f} MB: "
                  f"{large[1] / small[1]:.2f}x (target <= 1.3x); 2,000 variants in {large[0]:.0f} s, "
                  f"{pages(large[3]) / large[0]:.1f} pages/s; the workers over them (1,000 variants each): {growth}")


if __name__ == "__main__":
    main()
