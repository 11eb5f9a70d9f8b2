"""The README's worked grading example is what the command really does: three students made
here from the formula graph, graded by the real command, compared with the README's text."""

import csv
import io
import json
import re
from pathlib import Path

import numpy as np

from generator.exercise import formulas
from generator.exercise.description import Exercise
from generator.exercise.layout import Layout

import students
from commands import run_ok

README = Path(__file__).resolve().parents[2] / "README.md"


def worked(exercise, given, slip=None):
    """Every answer as a student who rounds each box to 4 places and carries it on; ``slip``
    changes the value of one step (name -> function of the right value)."""
    values = {name: np.array([float(v)]) for name, v in given.items()}

    def slipped(f, written):
        return slip[f.name](formulas.evaluate(exercise, f, written)) if slip and f.name in slip else None

    written, _ = students.work(exercise, values, 4, "rounded", slip=slipped)
    return {name: f"{written[name][0]:.4f}" for name in exercise.layout.answer_names}


def readme_block(after: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index(after)
    block = re.search(r"```\n(.*?)```", text[start:], re.S).group(1)
    return block.strip().splitlines()


def test_readme_grading_example(tmp_path, capsys):
    batch = tmp_path / "worksheets"
    run_ok("--count", "3", "--seed", "2024", "--format", "json,csv", "--out", str(batch), "--quiet")
    key = json.loads((batch / "answers.json").read_text())
    exercise = Exercise(Layout(tuple(key["layers"])))
    layout = exercise.layout
    flat = {}
    for v in key["variants"]:
        with open(batch / "answers.csv", newline="") as f:
            row = next(r for r in csv.DictReader(f) if r["variant"] == str(v["variant"]))
        flat[v["variant"]] = {name: row[name] for name in layout.given_names}

    anna = worked(exercise, flat[1])
    boris = worked(exercise, flat[2], slip={"L_partial_y_pred": lambda v: -v})  # the sign of ∂L/∂ŷ
    vera = worked(exercise, flat[3])
    vera["L"] = ""
    vera["z_2"] = vera["z_2"].replace(".", ",") + "?"
    vera["W_12_updated"] = vera["W_11_updated"]  # the wrong box copied
    header = ["student", "variant", "code", *layout.answer_names]
    rows = [[name, str(v["variant"]), v["code"], *(cells[n] for n in layout.answer_names)]
            for name, v, cells in zip(("Anna", "Boris", "Vera"), key["variants"], (anna, boris, vera))]
    typed = tmp_path / "typed.csv"
    with open(typed, "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([header, *rows])

    capsys.readouterr()
    run_ok("grade", str(typed), "--key", str(batch / "answers.json"), "--out", str(tmp_path / "grades"),
           "--format", "csv")
    summary = capsys.readouterr().err.strip()
    grades = (tmp_path / "grades" / "grades.csv").read_text(encoding="utf-8").strip().splitlines()

    # The README shows the first 10 columns of each line, as the file writes them.
    with open(typed, newline="") as f:
        shown = [_csv_line(cells[:10]) + ", ..." for cells in csv.reader(f)]
    assert readme_block("Their `typed.csv`") == shown
    assert readme_block("and `grades/grades.csv` is") == grades
    assert f"`{summary.replace(str(tmp_path / 'grades'), 'grades')}`" in README.read_text(encoding="utf-8")


def _csv_line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()
