"""The ``grade`` command's files for a re-graded Moodle quiz: ``moodle-grades.csv`` for the
gradebook's CSV import, and Moodle's marks beside ours in grades.json."""

from __future__ import annotations

import csv
import io
import json

import numpy as np

from .. import numbertext
from ..grading.moodleregrade import Regrade
from ..grading.statuses import CARRIED, CORRECT

FILE_NAME = "moodle-grades.csv"


def grade_header(regrade: Regrade) -> str:
    return f"Re-graded with error carried forward (out of {numbertext.score(regrade.max_grade)})"


def moodle_grades_csv(regrade: Regrade) -> tuple[str, list[str]]:
    """(the file for Grades -> Import -> CSV file, the students left out of it).

    Moodle's importer maps one identity column to its users (ID number where the export has
    one, else email address) and refuses a row whose user it does not know: so a student with
    neither is left out, to be named in a warning, not imported as a stranger."""
    columns = regrade.export.columns
    identity = columns.id_number if columns.id_number is not None else columns.email
    header = regrade.export.table.header
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([header[identity].strip() if identity is not None else "Email address", grade_header(regrade)])
    left_out = []
    grades = regrade.grade
    for i in regrade.counted.tolist():
        response = regrade.report.responses[i]
        who = dict(response.identity)
        value = who.get(header[identity].strip(), "") if identity is not None else ""
        if not value:
            left_out.append(response.student or response.where)
            continue
        writer.writerow([value, numbertext.score(round(float(grades[i]), 5))])
    return buffer.getvalue(), left_out


def _why(status: int, read: float, right: bool) -> str | None:
    """Why our mark of a box differs from Moodle's, in the teacher's words; None where they agree."""
    ours = status in (CORRECT, CARRIED)
    if ours == right:
        return None
    if status == CARRIED:
        return "carried forward: right from the student's own earlier answers"
    if ours:
        return "Moodle read no number in it" if np.isnan(read) else f"Moodle read it as {read:g}"
    return "Moodle marked it right"


class MoodleDetail:
    """What grades.json adds for each attempt and box of a Moodle export (``grades_json``'s
    ``detail``)."""

    def __init__(self, regrade: Regrade):
        self.regrade = regrade
        self.counted = set(regrade.counted.tolist())
        self.grade = regrade.grade

    def top(self) -> dict:
        r = self.regrade
        return {"moodle": {"attempts": r.method, "max_grade": r.max_grade,
                           "skipped": [{"where": s.where, "reason": s.reason} for s in r.export.skipped]}}

    def head(self, i: int) -> dict:
        r = self.regrade
        return {"identity": dict(r.report.responses[i].identity), "attempt": r.attempt_number[i],
                "counted": i in self.counted, "moodle_grade": r.moodle_grade[i],
                "grade": None if np.isnan(self.grade[i]) else round(float(self.grade[i]), 5),
                "max_grade": r.max_grade, "moodle_right": int(r.moodle_right[i].sum())}

    def answer(self, i: int, j: int) -> str:
        r = self.regrade
        read = float(r.moodle_read[i, j])
        right = bool(r.moodle_right[i, j])
        number = "null" if np.isnan(read) else repr(read)
        text = f', "moodle": "{"right" if right else "wrong"}", "moodle_read": {number}'
        why = _why(int(r.report.marks.status[i, j]), read, right)
        return text + (f', "why": {json.dumps(why)}' if why else "")
