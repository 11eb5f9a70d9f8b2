"""A Moodle quiz re-graded: which attempt of each student counts, and Moodle's marks beside ours.

Every submitted attempt is graded (``mark``); ``--attempts`` picks the one that counts for each
student, as the quiz's grading method would: ``highest`` (Moodle's default), ``first`` or
``last`` (in the report's order, which is the order the attempts were started in).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .moodleexport import Export, moodle_marks
from .report import Report

ATTEMPT_METHODS = ("highest", "last", "first")


@dataclass(frozen=True)
class Regrade:
    """Every graded attempt (``report``, in the report's order) with Moodle's view of it."""

    report: Report
    export: Export
    method: str
    counted: np.ndarray  # (students,) rows of ``report`` that count, in order of each student's first attempt
    attempt_number: tuple[int, ...]  # each row's attempt number for its student, from 1
    moodle_read: np.ndarray  # (n, answers): the number Moodle read from the box; NaN for none
    moodle_right: np.ndarray  # (n, answers) bool: Moodle marked the box right
    moodle_grade: tuple[float | None, ...]  # from the report's grade column
    max_grade: float | None  # the quiz's maximum grade (the grade column's, or --max-grade)

    @property
    def grade(self) -> np.ndarray:
        """Our grade of every attempt on the quiz's scale (NaN without a maximum grade)."""
        marks = self.report.marks
        return marks.score / marks.max_score * (self.max_grade if self.max_grade is not None else np.nan)

    def counted_report(self) -> Report:
        """The report of the attempts that count, a row per student."""
        return subset(self.report, self.counted)


def subset(report: Report, rows: np.ndarray) -> Report:
    m = report.marks
    marks = replace(m, status=m.status[rows], value=m.value[rows], expected=m.expected[rows],
                    carried_expected=m.carried_expected[rows], tolerance=m.tolerance[rows], points=m.points[rows])
    return replace(report, responses=tuple(report.responses[k] for k in rows.tolist()),
                   variant_index=report.variant_index[rows], marks=marks)


def regrade(report: Report, export: Export, method: str = "highest", max_grade: float | None = None) -> Regrade:
    if method not in ATTEMPT_METHODS:
        raise ValueError(f"unknown method {method!r}")
    attempts = [export.attempts[r.where] for r in report.responses]
    n, m = report.marks.status.shape
    read, right = np.full((n, m), np.nan), np.zeros((n, m), dtype=bool)
    for i, attempt in enumerate(attempts):
        read[i], right[i] = moodle_marks(attempt, report.marks.expected[i], report.marks.tolerance[i])
    students: dict[tuple[str, ...], list[int]] = {}
    for i, attempt in enumerate(attempts):
        students.setdefault(attempt.student_key, []).append(i)
    number = [0] * n
    counted = []
    score = report.marks.score
    for rows in students.values():
        for k, i in enumerate(rows):
            number[i] = k + 1
        if method == "first":
            counted.append(rows[0])
        elif method == "last":
            counted.append(rows[-1])
        else:  # the first of the highest, as Moodle keeps the earlier of equal attempts
            counted.append(max(rows, key=lambda i: (score[i], -i)))
    return Regrade(report, export, method, np.array(counted, dtype=np.intp), tuple(number), read, right,
                   tuple(a.moodle_grade for a in attempts),
                   max_grade if max_grade is not None else export.columns.max_grade)
