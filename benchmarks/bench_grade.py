"""Grading speed, as ratios measured in one run (see README, "Benchmarks").

    python benchmarks/bench_grade.py

Prints: seconds for ``gen-worksheets grade`` on 10,000 responses of 2-2-2-1 without
feedback.pdf (answers.json and the CSV read, grades.csv and grades.json written; target
< 2 s), also as CPU time (the wall clock on a busy machine overstates it), each stage's
share, and the speed-up of the batched grader over grading the same responses one by one
in a Python loop.
"""

from __future__ import annotations

import csv
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator import numbertext  # noqa: E402
from generator.exchange.answers import Key, answers_json, parse  # noqa: E402
from generator.exercise import formulas  # noqa: E402
from generator.exercise.batch import make_batch  # noqa: E402
from generator.grading import statuses  # noqa: E402
from generator.grading.read import read  # noqa: E402
from generator.grading.report import mark  # noqa: E402
from generator.outputs.grades import grades_csv, grades_json  # noqa: E402

N = 10_000
N_LOOP = 500  # the per-response loop is timed on a sample and scaled
REPEATS = 3


def class_csv(key: Key, seed: int = 1) -> str:
    """A response per variant, as a spreadsheet in a decimal-comma locale saves it: most
    students careful, some with a sign slip carried forward, some boxes blank or mistyped."""
    layout = key.layout
    rng = np.random.default_rng(seed)
    slipped = rng.random(N) < 0.2
    written = dict(key.values)
    for f in formulas.graph(key.exercise):
        value = formulas.evaluate(key.exercise, f, written)
        if f.name == "L_partial_y_pred":
            value = np.where(slipped, -value, value)
        written[f.name] = np.round(value, key.decimals)
    names = layout.answer_names
    cells = [[numbertext.answer(v, key.decimals, "ru") for v in written[name].tolist()] for name in names]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    # With the variant number: until codes are unique within a batch, 10,000 codes of 20 bits
    # hold some duplicates, which only the number tells apart.
    writer.writerow(["student", "variant", "code", *names])
    blank = rng.random((N, len(names))) < 0.03
    for k in range(N):
        row = [cells[j][k] if not blank[k, j] else "" for j in range(len(names))]
        writer.writerow([f"Student {k + 1}", key.numbers[k], key.codes[k], *row])
    return "\ufeff" + buffer.getvalue()


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def cpu_timed(fn) -> tuple[float, float]:
    """Wall-clock and CPU seconds: on a machine shared with other work, the CPU time is what
    the run would take alone (it is single-threaded)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        key_path, csv_path = folder / "answers.json", folder / "typed.csv"
        key_path.write_text(answers_json(make_batch(count=N, seed=2024)), encoding="utf-8")
        csv_path.write_text(class_csv(parse(key_path.read_text(encoding="utf-8"))), encoding="utf-8")

        stages: dict[str, list[float]] = {}

        def stage(name, fn):
            start = time.perf_counter()
            result = fn()
            stages.setdefault(name, []).append(time.perf_counter() - start)
            return result

        def command():
            key = stage("read answers.json", lambda: parse(key_path.read_text(encoding="utf-8")))
            reading = stage("read the CSV", lambda: read(csv_path))
            report = stage("mark", lambda: mark(reading, key))
            stage("write grades.csv", lambda: (folder / "grades.csv").write_text(grades_csv(report)))
            stage("write grades.json", lambda: (folder / "grades.json").write_text(
                grades_json(report, str(key_path))))
            return report

        totals = [cpu_timed(command) for _ in range(REPEATS)]
        report = command()
        assert len(report) == N and not report.refused

        # The grader alone: all at once, and one response at a time.
        key = parse(key_path.read_text(encoding="utf-8"))
        at = report.variant_index
        marks = report.marks
        key_values = {name: v[at] for name, v in key.values.items()}
        tolerances = {name: v[at] for name, v in key.tolerances.items()}
        unreadable = marks.status == statuses.UNREADABLE
        singles = [({n: v[k : k + 1] for n, v in key_values.items()}, {n: v[k : k + 1] for n, v in tolerances.items()},
                    marks.value[k : k + 1], unreadable[k : k + 1]) for k in range(N_LOOP)]
        batched, loop = [], []
        for _ in range(REPEATS):  # alternate so that machine noise hits both alike
            batched.append(timed(lambda: statuses.grade(key.exercise, key_values, tolerances, marks.value, unreadable)))
            loop.append(timed(lambda: [statuses.grade(key.exercise, *s) for s in singles]) / N_LOOP * N)

    wall, cpu = (statistics.median(t) for t in zip(*totals))
    print(f"grade {N:,} responses (2-2-2-1), CSV in, grades.csv + grades.json out: {wall:6.3f} s   (target < 2 s)")
    print(f"  of which CPU time of this process: {cpu:6.3f} s   (load average {os.getloadavg()[0]:.1f})")
    for name, times in stages.items():
        print(f"  {name:<20} {statistics.median(times):6.3f} s")
    all_at_once, one_by_one = statistics.median(batched), statistics.median(loop)
    print(f"the grader, all {N:,} at once:      {all_at_once:7.3f} s")
    print(f"one response at a time (scaled):     {one_by_one:7.3f} s")
    print(f"speed-up of the batched grader:      {one_by_one / all_at_once:7.0f}x")


if __name__ == "__main__":
    main()
