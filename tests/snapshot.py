"""Not a test: the bytes of a fixed set of runs, to show that a change moved code and changed no
output (issue 16: every file byte-identical before and after the move).

    python tests/snapshot.py record before/      # on the old code
    python tests/snapshot.py record after/       # on the new code
    python tests/snapshot.py compare before/ after/

Runs the installed ``gen-worksheets`` (the one beside this Python) on several layer sizes, both
languages, every ``--format``, worked examples, ``--given`` with the course's example, and
``grade`` on a typed-in CSV and on a folder of saved notebooks; keeps every output file, and
each run's exit code, stdout and stderr (the timing in the summary line blanked). PDFs are
compared as bytes too: run both sides on the same machine (WeasyPrint, Pango, HarfBuzz, fonts).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

COMMAND = str(Path(sys.executable).with_name("gen-worksheets"))
EVERY_FORMAT = "pdf,html,json,csv,ipynb,moodle"
COURSE_GIVEN = {"x": [1, 2], "y": 5, "W": [[-1, 1], [1, 1]], "U": [[2, -4], [-0.5, 1]], "V": [[1], [-1]], "lr": 0.1}

GENERATE = {
    "default-en": ["--count", "3", "--seed", "7", "--format", EVERY_FORMAT],
    "321-ru-worked": ["--count", "2", "--seed", "11", "--layers", "3,2,1", "--lang", "ru", "--worked-examples",
                      "--format", EVERY_FORMAT],
    "22221-letter": ["--count", "2", "--seed", "5", "--layers", "2,2,2,2,1", "--paper", "letter",
                     "--format", EVERY_FORMAT, "--decimals", "5", "--title", "Глубокое обучение & <b>x</b>"],
    "441-ru": ["--count", "2", "--seed", "9", "--layers", "4,4,1", "--lang", "ru", "--format", EVERY_FORMAT],
    "44441": ["--count", "1", "--seed", "3", "--layers", "4,4,4,4,1", "--format", EVERY_FORMAT,
              "--worked-examples"],
    "course-en-worked": ["--given", "course.json", "--seed", "42", "--format", EVERY_FORMAT, "--worked-examples"],
    "course-ru": ["--given", "course-no-lr.json", "--seed", "43", "--format", EVERY_FORMAT, "--lang", "ru",
                  "--lr", "0.05"],
    "default-30": ["--count", "30", "--seed", "123456789"],
    "jobs-1": ["--count", "4", "--seed", "8", "--jobs", "1", "--format", "pdf,json,csv,moodle"],
    "bad-layers": ["--layers", "2,5,1"],
    "bad-given-lr": ["--given", "course.json", "--lr", "0.2"],
    "bad-given-count": ["--given", "course.json", "--count", "2"],
}


def _run(args: list[str], cwd: Path) -> dict:
    done = subprocess.run([COMMAND, *args], cwd=cwd, capture_output=True, text=True)
    stderr = re.sub(r" in \d+\.\d s ->", " in T s ->", done.stderr)
    return {"args": args, "exit": done.returncode, "stdout": done.stdout, "stderr": stderr}


def _typed_csv(answers_json: Path, path: Path) -> None:
    """Four students: right to 4 places, a slip carried on, blanks and text, a mistyped code."""
    key = json.loads(answers_json.read_text())
    names = list(key["variants"][0]["answers"])
    rows = []
    for student, v in zip(("Anna", "Boris", "Вера", "Gleb"), key["variants"] * 2):
        cells = {n: f"{a:.4f}" for n, a in v["answers"].items()}
        code = v["code"]
        if student == "Boris":
            cells["L_partial_y_pred"] = f"{-v['answers']['L_partial_y_pred']:.4f}"
            cells[names[-2]] = "0"
        if student == "Вера":
            cells[names[1]] = "-0,6351?"
            cells[names[4]] = ""
            cells[names[0]] = cells[names[0]].replace(".", ",").replace("-", "\u2212")
        if student == "Gleb":
            code = code[:-1] + ("0" if code[-1] != "0" else "1")
        rows.append({"student": student, "variant": v["variant"], "code": code, **cells})
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, ["student", "variant", "code", *names])
        writer.writeheader()
        writer.writerows(rows)


def _notebooks(batch: Path, folder: Path) -> None:
    """Saved notebooks: a solved one, one with a wrong output, an untouched student's, a bad file."""
    folder.mkdir()
    shutil.copy(batch / "keys" / "variant-01-solution.ipynb", folder / "anna.ipynb")
    nb = json.loads((batch / "keys" / "variant-02-solution.ipynb").read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and cell["id"] == "answer-q_1":
            cell["outputs"][-1]["data"]["text/plain"] = ["0.5"]
    (folder / "boris.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    shutil.copy(batch / "notebooks" / "variant-03.ipynb", folder / "vera.ipynb")
    (folder / "notes.ipynb").write_text("not a notebook", encoding="utf-8")


def record(out: Path) -> None:
    out.mkdir(parents=True)
    work = out / "work"
    work.mkdir()
    (work / "course.json").write_text(json.dumps(COURSE_GIVEN))
    (work / "course-no-lr.json").write_text(json.dumps({k: v for k, v in COURSE_GIVEN.items() if k != "lr"}))
    runs = {}
    # Relative paths, run in ``work``: grades.json records the --key as given.
    for name, args in GENERATE.items():
        runs[name] = _run([*args, "--out", name], work)
    answers = "default-en/answers.json"
    _typed_csv(work / answers, work / "typed.csv")
    _notebooks(work / "default-en", work / "saved")
    grade = {
        "grade-csv": ["grade", "typed.csv", "--key", answers, "--show-answers"],
        "grade-csv-ru": ["grade", "typed.csv", "--key", answers, "--lang", "ru", "--carried-credit", "0.5",
                         "--jobs", "1", "--title", "Курс"],
        "grade-notebooks": ["grade", "saved", "--key", answers],
        "grade-bad-key": ["grade", "typed.csv", "--key", "course.json"],
    }
    for name, args in grade.items():
        runs[name] = _run([*args, "--out", name], work)
    (out / "runs.json").write_text(json.dumps(runs, indent=1, ensure_ascii=False))
    files = {str(p.relative_to(work)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(work.rglob("*")) if p.is_file()}
    (out / "files.json").write_text(json.dumps(files, indent=1))
    print(f"{len(runs)} runs, {len(files)} files -> {out}")


def compare(before: Path, after: Path) -> int:
    differ = 0
    runs = [json.loads((side / "runs.json").read_text()) for side in (before, after)]
    for name in sorted(set(runs[0]) | set(runs[1])):
        if runs[0].get(name) != runs[1].get(name):
            differ += 1
            print(f"run {name}: exit code or messages differ\n  {runs[0].get(name)}\n  {runs[1].get(name)}")
    files = [json.loads((side / "files.json").read_text()) for side in (before, after)]
    for name in sorted(set(files[0]) | set(files[1])):
        if files[0].get(name) != files[1].get(name):
            differ += 1
            print(f"{name}: {'differs' if name in files[0] and name in files[1] else 'only on one side'}")
    print(f"{len(runs[0])} runs, {len(files[0])} files: {'all identical' if not differ else f'{differ} differ'}")
    return 1 if differ else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["record"] and len(sys.argv) == 3:
        record(Path(sys.argv[2]).resolve())
    elif sys.argv[1:2] == ["compare"] and len(sys.argv) == 4:
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        sys.exit(__doc__)
