"""The ``grade`` command's ``csv`` (grades.csv for a gradebook) and ``json`` (grades.json, with
every answer's detail)."""

from __future__ import annotations

import csv
import io
import json
import re
from itertools import chain

import numpy as np

from .. import numbertext
from ..grading.report import Report
from ..grading.statuses import CARRIED, CORRECT, MISSING, STATUSES, UNREADABLE, WRONG
from . import moodlegrades
from .base import GradeJob

COUNTS = (("correct", CORRECT), ("carried", CARRIED), ("wrong", WRONG), ("missing", MISSING),
          ("unreadable", UNREADABLE))


def grades_csv(report: Report) -> str:
    """A row per graded response: who, which variant, the score and how it came about."""
    marks = report.marks
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    # A source that names students by several columns (a Moodle export) keeps them, first.
    identity = [name for name, _ in report.responses[0].identity] if report.responses else []
    writer.writerow([*identity, "student", "variant", "code", "score", "max_score", *(name for name, _ in COUNTS)])
    counts = np.stack([marks.count(status) for _, status in COUNTS], axis=1).tolist()
    for r, variant, code, score, row in zip(report.responses, report.variants, report.codes, marks.score.tolist(),
                                            counts):
        who = dict(r.identity)
        writer.writerow([*(who.get(name, "") for name in identity), r.student, variant, code,
                         numbertext.score(score), marks.max_score, *row])
    return buffer.getvalue()


def _where(where: str) -> dict:
    # A CSV row is cited by its line; other sources by their own name ("anna.ipynb").
    m = re.fullmatch(r"line (\d+)", where)
    return {"line": int(m.group(1))} if m else {"where": where}


def _json_numbers(matrix: np.ndarray) -> list[str]:
    """Every number of ``matrix`` as JSON (row by row); NaN (no number) and overflowed carried
    values as null."""
    flat = matrix.ravel()
    out = list(map(float.__repr__, flat.tolist()))
    for k in np.flatnonzero(~np.isfinite(flat)).tolist():
        out[k] = "null"
    return out


def grades_json(report: Report, key_path: str, detail=None) -> str:
    """Every graded answer with its status, value, key, carried value and tolerance; the
    refused rows with their reasons. A graded response per line: large classes stay readable.
    ``detail`` (e.g. ``moodlegrades.MoodleDetail``) adds fields: ``top()`` to the file,
    ``head(i)`` to response i, ``answer(i, j)`` (JSON text) to its answer j.

    The answers of a response are filled into one format string rather than built as dicts
    for ``json.dumps``: for 10,000 students that is 320,000 dicts fewer (and 3x faster)."""
    marks = report.marks
    n, m = marks.status.shape
    answers_format = "{" + ", ".join(
        f'"{name}": {{"status": "%s", "value": %s, "expected": %s, "carried_expected": %s, "tolerance": %s%s}}'
        for name in marks.names) + "}"
    statuses = np.array(STATUSES)[marks.status].ravel().tolist()
    value, expected, carried, tol = (_json_numbers(x) for x in
                                     (marks.value, marks.expected, marks.carried_expected, marks.tolerance))
    text = [""] * (n * m)
    for i, j in np.argwhere(marks.status == UNREADABLE).tolist():
        text[i * m + j] = ', "text": ' + json.dumps(report.responses[i].cells[marks.names[j]], ensure_ascii=False)
    if detail is not None:
        text = [t + detail.answer(k // m, k % m) for k, t in enumerate(text)]
    lines = []
    for i, (r, variant, code, score) in enumerate(zip(report.responses, report.variants, report.codes,
                                                      marks.score.tolist())):
        row = slice(i * m, (i + 1) * m)
        answers = answers_format % tuple(chain.from_iterable(zip(statuses[row], value[row], expected[row], carried[row],
                                                                 tol[row], text[row])))
        head = json.dumps(_where(r.where) | {"student": r.student, "variant": variant, "code": code, "score": score,
                                             "max_score": marks.max_score} | (detail.head(i) if detail else {}),
                          ensure_ascii=False)
        lines.append(f'{head[:-1]}, "answers": {answers}}}')
    refused = [json.dumps(_where(x.where) | {"reason": x.reason}, ensure_ascii=False) for x in report.refused]
    head = json.dumps({"key": key_path, "layers": list(report.key.layout.sizes), "decimals": report.key.decimals,
                       "carried_credit": marks.carried_credit,
                       "tolerances_recomputed": report.key.tolerances_recomputed} | (detail.top() if detail else {}),
                      ensure_ascii=False)[:-1]

    def block(items):
        return "[\n  " + ",\n  ".join(items) + "\n ]" if items else "[]"

    return f"{head},\n \"graded\": {block(lines)},\n \"refused\": {block(refused)}}}\n"


def write_csv(job: GradeJob) -> None:
    (job.folder / "grades.csv").write_text(grades_csv(job.report), encoding="utf-8")
    if job.regrade is not None and job.regrade.max_grade is not None:
        text, job.left_out = moodlegrades.moodle_grades_csv(job.regrade)
        (job.folder / moodlegrades.FILE_NAME).write_text(text, encoding="utf-8")


def write_json(job: GradeJob) -> None:
    # A Moodle export: every attempt, the ones that do not count too, with Moodle's marks.
    if job.regrade is not None:
        text = grades_json(job.regrade.report, job.key_path, moodlegrades.MoodleDetail(job.regrade))
    else:
        text = grades_json(job.report, job.key_path)
    (job.folder / "grades.json").write_text(text, encoding="utf-8")
