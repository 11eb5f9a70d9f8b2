"""Every output, one driver per format, as R/exams has one exercise and an ``exams2*`` driver per
format: a new output is one module and one entry below.

``FORMATS``: the generator's ``--format`` (``base.Output`` drivers over a batch, run together by
``write_batch``); ``GRADE_FORMATS``: the ``grade`` command's (functions of a ``base.GradeJob``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..exercise.batch import Batch
from ..render.templates import DocumentOptions
from . import base, feedback, grades
from .answerfiles import CSV, JSON
from .base import GradeJob, Output, Summary
from .cluster import Cluster
from .moodle import MOODLE
from .notebooks import IPYNB
from .printed import HTML, PDF

FORMATS: dict[str, Output] = {o.name: o for o in (PDF, HTML, JSON, CSV, IPYNB, MOODLE)}

GRADE_FORMATS: dict[str, Callable[[GradeJob], None]] = {
    "csv": grades.write_csv,  # grades.csv
    "json": grades.write_json,  # grades.json
    "pdf": feedback.write,  # feedback.pdf
}


def write_batch(batch: Batch, folder: Path, formats: Sequence[str], options: DocumentOptions, jobs: int = 1,
                progress: Callable[[int], None] = lambda done: None, cluster: Cluster | None = None) -> Summary:
    """Write every file ``formats`` (``FORMATS``' names) asks for into ``folder``; ``progress``
    hears of each variant. With a ``cluster`` (``cluster.Cluster``), its workers lay out the PDFs."""
    return base.write(batch, folder, [o for name, o in FORMATS.items() if name in formats], options, jobs, progress,
                      cluster)


def write_grades(job: GradeJob, formats: Sequence[str]) -> list[str]:
    """Write every file ``formats`` (``GRADE_FORMATS``' names) asks for into ``job.folder``;
    returns the URLs the templates were refused."""
    for name, write in GRADE_FORMATS.items():
        if name in formats:
            write(job)
    return job.refused
