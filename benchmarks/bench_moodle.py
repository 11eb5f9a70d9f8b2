"""Speed of the Moodle export, as ratios measured in one run (see README, "Benchmarks").

    python benchmarks/bench_moodle.py            # about a minute on 2 cores

Prints, each a median of alternating runs so that machine noise hits both sides alike:
  1. per layout (2-2-2-1, 4-4-1): seconds for moodle.xml of 1,000 variants (for the record),
     1,000 against 100 variants (target <= 11x: linear, nothing quadratic in the file), the
     Moodle file against answers.json of the same batch, and KB a variant;
  2. `gen-worksheets --count 1000 --format moodle` end to end against `--format json` (drawing,
     solving and checking are common to both), and the speed-up of the default --jobs over 1.
Absolute seconds depend on the machine.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.exchange import answers as export  # noqa: E402
from generator.exercise.batch import make_batch  # noqa: E402
from generator.exercise.description import Exercise  # noqa: E402
from generator.exercise.layout import Layout  # noqa: E402
from generator.outputs import moodle  # noqa: E402
from generator.render.templates import DocumentOptions  # noqa: E402

SEED = 20261128
REPEATS = 3


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def library(layers: str) -> None:
    layout = Layout.parse(layers)
    big, small = (make_batch(count=n, seed=SEED, exercise=Exercise(layout)) for n in (1000, 100))
    options = DocumentOptions()
    times: dict[str, list[float]] = {"1000": [], "100": [], "json": []}
    size = 0
    for _ in range(REPEATS):
        seconds, text = timed(lambda: moodle.moodle_xml(big, options))
        times["1000"].append(seconds)
        size = len(text.encode("utf-8"))
        times["100"].append(timed(lambda: moodle.moodle_xml(small, options))[0])
        times["json"].append(timed(lambda: export.answers_json(big))[0])
    t = {k: statistics.median(v) for k, v in times.items()}
    print(f"{layers}: moodle.xml of 1,000 variants {t['1000']:.2f} s, {size / 1000 / 1000:.0f} KB a variant; "
          f"1,000 vs 100: {t['1000'] / t['100']:.1f}x (target <= 11x); "
          f"against answers.json: {t['1000'] / t['json']:.0f}x")


def command() -> None:
    runs = {"moodle": ["--format", "moodle"], "moodle --jobs 1": ["--format", "moodle", "--jobs", "1"],
            "json": ["--format", "json"]}
    times: dict[str, list[float]] = {name: [] for name in runs}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(REPEATS):
            for name, args in runs.items():
                out = Path(tmp) / f"{len(times[name])}-{name.replace(' ', '')}"
                cmd = [sys.executable, "-m", "generator", "--count", "1000", "--seed", str(SEED), *args,
                       "--out", str(out), "--quiet"]
                seconds, _ = timed(partial(subprocess.run, cmd, check=True, cwd=Path(__file__).resolve().parents[1]))
                times[name].append(seconds)
    t = {k: statistics.median(v) for k, v in times.items()}
    print(f"gen-worksheets --count 1000: --format moodle {t['moodle']:.2f} s ({t['moodle'] / t['json']:.1f}x "
          f"--format json), with --jobs 1 {t['moodle --jobs 1']:.2f} s: --jobs speed-up "
          f"{t['moodle --jobs 1'] / t['moodle']:.2f}x")


def main() -> None:
    for layers in ("2,2,2,1", "4,4,1"):
        library(layers)
    command()


if __name__ == "__main__":
    main()
