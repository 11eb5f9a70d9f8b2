"""Solver and generator speed, as ratios measured in one run (see README, "Benchmarks").

    python benchmarks/bench_solver.py

Prints: seconds to solve 1,000,000 variants of 2-2-2-1 in one batched call (target < 1 s),
the speed-up over solving them one by one in a Python loop (target >= 50x), and seconds to
draw 10,000 good variants of 2-2-2-1, every rule checked (target < 2 s); then, for every member
of the exercise family, the seconds to solve 1,000,000 and to draw 10,000 (the same targets).
"""

from __future__ import annotations

import statistics
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.exercise.description import COURSE, Exercise  # noqa: E402
from generator.exercise.draw import candidates, draw  # noqa: E402
from generator.exercise.solver import Givens, solve  # noqa: E402

N_BATCH = 1_000_000
N_LOOP = 3_000  # the per-variant loop is timed on a sample and scaled per variant
REPEATS = 5


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    n = np.arange(N_BATCH)
    givens = candidates(COURSE, 2024, n, np.zeros_like(n), 0.1)
    sample = givens.take(np.arange(N_LOOP))
    singles: list[Givens] = [sample.take(np.array([k])) for k in range(N_LOOP)]

    batch_times, loop_times = [], []
    for _ in range(REPEATS):  # alternate so that machine noise hits both alike
        batch_times.append(timed(lambda: solve(givens)))
        loop_times.append(timed(lambda: [solve(g) for g in singles]) / N_LOOP * N_BATCH)
    batch, loop = statistics.median(batch_times), statistics.median(loop_times)
    draw_time = statistics.median(timed(partial(draw, COURSE, 10_000, s, 0.1, 4)) for s in range(3))

    print(f"solve {N_BATCH:,} variants (2-2-2-1), batched:      {batch:7.3f} s   (target < 1 s)")
    print(f"the same one by one in a Python loop (scaled): {loop:7.1f} s")
    print(f"speed-up of the batched solver:                {loop / batch:7.0f}x   (target >= 50x)")
    print(f"draw 10,000 good variants (2-2-2-1):           {draw_time:7.3f} s   (target < 2 s)")

    print("every member of the family, 2-2-2-1: solve 1,000,000 (target < 1 s), draw 10,000 (target < 2 s)")
    for activation in ("tanh", "sigmoid", "relu"):
        for output, loss in (("linear", "squared"), ("linear", "half-squared"), ("sigmoid", "cross-entropy")):
            for bias in (False, True):
                exercise = Exercise.named(activation=activation, output=output, loss=loss, bias=bias)
                member = candidates(exercise, 2024, n, np.zeros_like(n), 0.1)
                solving = statistics.median(timed(partial(solve, member)) for _ in range(3))
                drawing = statistics.median(timed(partial(draw, exercise, 10_000, s, 0.1, 4)) for s in range(3))
                name = f"{activation} {output} {loss}{' bias' if bias else ''}"
                print(f"  {name:36} solve {solving:6.3f} s   draw {drawing:6.3f} s", flush=True)


if __name__ == "__main__":
    main()
