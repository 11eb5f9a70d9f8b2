"""The README's library examples run as printed: every ```python block, in order, in a folder
holding what they read (a batch's answers.json, a typed-in CSV, saved notebooks, the course's
given data), through the package's public names."""

import csv
import json
import os
import re
from pathlib import Path

from commands import run_ok
from course import COURSE_GIVEN

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_python_block_of_the_readme_runs(tmp_path, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 2
    run_ok("--count", "3", "--seed", "2024", "--format", "json,csv,ipynb", "--out", tmp_path / "worksheets",
           "--quiet", "--jobs", "1")
    (tmp_path / "course.json").write_text(json.dumps(COURSE_GIVEN))
    key = json.loads((tmp_path / "worksheets" / "answers.json").read_text())
    with open(tmp_path / "typed.csv", "w", newline="") as f:
        rows = [{"student": "Anna", "code": v["code"], **{n: f"{a:.4f}" for n, a in v["answers"].items()}}
                for v in key["variants"]]
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (tmp_path / "collected").mkdir()
    # A notebook filled in as the solution is (a solution notebook itself is refused).
    notebook = json.loads((tmp_path / "worksheets" / "keys" / "variant-02-solution.ipynb").read_text())
    notebook["metadata"]["gen_worksheets"]["notebook"] = "student"
    (tmp_path / "collected" / "boris.ipynb").write_text(json.dumps(notebook))

    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        namespace: dict = {}
        for block in blocks:
            exec(compile(block, "README.md", "exec"), namespace)
    finally:
        os.chdir(here)
    assert (namespace["report"].marks.score == 32).all()
    assert list(namespace["mark"](namespace["reading"], namespace["key"]).marks.score) == [32]
    assert sorted(p.name for p in (tmp_path / "week5").iterdir()) == [
        "answer-keys.pdf", "answers.json", "grading-sheet.pdf", "handouts.pdf", "keys", "worksheets"]
    assert capsys.readouterr().out.startswith("student,variant,code,score")
