"""The marks as files: grades.csv for a gradebook, grades.json with every answer's detail."""

from __future__ import annotations

import csv
import io
import json
import re

import numpy as np

from .grading import CARRIED, CORRECT, MISSING, STATUSES, UNREADABLE, WRONG
from .marking import Report

COUNTS = (("correct", CORRECT), ("carried", CARRIED), ("wrong", WRONG), ("missing", MISSING),
          ("unreadable", UNREADABLE))


def score_text(score: float) -> str:
    """A score as a gradebook takes it: ``30``, ``30.5``."""
    return f"{round(float(score), 4):g}"


def grades_csv(report: Report) -> str:
    """A row per graded response: who, which variant, the score and how it came about."""
    marks = report.marks
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "variant", "code", "score", "max_score", *(name for name, _ in COUNTS)])
    counts = np.stack([marks.count(status) for _, status in COUNTS], axis=1).tolist()
    for r, variant, code, score, row in zip(report.responses, report.variants, report.codes, marks.score.tolist(),
                                            counts):
        writer.writerow([r.student, variant, code, score_text(score), marks.max_score, *row])
    return buffer.getvalue()


def _where(where: str) -> dict:
    # A CSV row is cited by its line; other sources by their own name ("anna.ipynb").
    m = re.fullmatch(r"line (\d+)", where)
    return {"line": int(m.group(1))} if m else {"where": where}


def grades_json(report: Report, key_path: str) -> str:
    """Every graded answer with its status, value, key, carried value and tolerance; the
    refused rows with their reasons. A graded response per line: large classes stay readable
    and quick to write."""
    marks = report.marks
    names = marks.names
    status = marks.status.tolist()
    value, expected, carried, tol = (np.where(np.isfinite(m), m, None).tolist()
                                     for m in (marks.value, marks.expected, marks.carried_expected, marks.tolerance))
    lines = []
    for i, (r, variant, code, score) in enumerate(zip(report.responses, report.variants, report.codes,
                                                      marks.score.tolist())):
        answers = {}
        for j, name in enumerate(names):
            entry = {"status": STATUSES[status[i][j]], "value": value[i][j], "expected": expected[i][j],
                     "carried_expected": carried[i][j], "tolerance": tol[i][j]}
            if status[i][j] == UNREADABLE:
                entry["text"] = r.cells[name]
            answers[name] = entry
        lines.append(json.dumps(_where(r.where) | {"student": r.student, "variant": variant, "code": code,
                                                   "score": score, "max_score": marks.max_score,
                                                   "answers": answers}, ensure_ascii=False))
    refused = [json.dumps(_where(x.where) | {"reason": x.reason}, ensure_ascii=False) for x in report.refused]
    head = json.dumps({"key": key_path, "layers": list(report.key.layout.sizes), "decimals": report.key.decimals,
                       "carried_credit": marks.carried_credit,
                       "tolerances_recomputed": report.key.tolerances_recomputed}, ensure_ascii=False)[:-1]

    def block(items):
        return "[\n  " + ",\n  ".join(items) + "\n ]" if items else "[]"

    return f"{head},\n \"graded\": {block(lines)},\n \"refused\": {block(refused)}}}\n"
