"""What the notebooks add to a batch, as a ratio measured in one run (see README, "Benchmarks").

    python benchmarks/bench_notebooks.py          # about a minute on 2 cores

Prints the time to make one variant's two notebooks (student and executed solution) against
the time to lay out its worksheet and key PDFs, in one process, alternating so that machine
noise hits both sides alike (target <= 0.05x: `ipynb` in --format costs at most a twentieth
of the PDFs). Absolute milliseconds are printed for the record only.
"""

from __future__ import annotations

import statistics
import time

from generator.exercise.batch import make_batch
from generator.outputs import FORMATS
from generator.outputs.base import Work
from generator.render.templates import DocumentOptions

VARIANTS = 6
ROUNDS = 3
TARGET = 0.05


def per_variant(render, count: int) -> float:
    start = time.perf_counter()
    for k in range(count):
        render(k)
    return (time.perf_counter() - start) / count


def main() -> None:
    batch = make_batch(count=VARIANTS * 5, seed=20261128)
    options = DocumentOptions(worked_examples=True)
    pdfs = Work(batch, options, [FORMATS["pdf"]])
    notebooks = Work(batch, options, [FORMATS["ipynb"]])
    pdfs(0), notebooks(0)  # warm up: fonts, templates, imports
    pdf_times, notebook_times = [], []
    for _ in range(ROUNDS):
        pdf_times.append(per_variant(pdfs, VARIANTS))
        notebook_times.append(per_variant(notebooks, VARIANTS * 5))
    pdf, notebook = statistics.median(pdf_times), statistics.median(notebook_times)
    ratio = notebook / pdf
    print(f"notebooks/PDFs per variant: {ratio:.3f}x (target <= {TARGET}x)  "
          f"[{notebook * 1000:.1f} ms against {pdf * 1000:.0f} ms]")


if __name__ == "__main__":
    main()
