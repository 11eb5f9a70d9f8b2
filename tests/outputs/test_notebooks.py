"""The notebooks, run on a real Jupyter kernel (nbclient + ipykernel), and read back as
responses without running them.

One kernel serves the whole module (its namespace is reset before each notebook): starting
a kernel costs a second or two, running a notebook on a warm one a fraction of that.
"""

import copy
import json
import os
import re

import nbformat
import pytest

from generator.grading.notebooks import MAX_NOTEBOOK_BYTES, read_notebooks
from generator.outputs import notebooks
from generator.render.templates import builtin_templates

from commands import run, run_ok
from course import COURSE_ANSWERS
from notebookrun import answer_cells, check_report, filled, kernel_fixture, result_text

SEED = "4242"
# (layers, lang, worked examples, decimals): every layout of the issue, both languages.
BATCHES = [
    ("2,2,2,1", "en", True, 4),
    ("2,2,2,1", "ru", False, 4),
    ("3,2,1", "en", False, 5),
    ("3,2,1", "ru", True, 4),
    ("2,3,2,1", "en", True, 4),
    ("2,3,2,1", "ru", False, 6),
    ("2,2,2,2,1", "en", False, 4),
    ("2,2,2,2,1", "ru", True, 4),
]
COUNT = 1

kernel = pytest.fixture(scope="module")(kernel_fixture)


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    out = {}
    for layers, lang, worked, decimals in BATCHES:
        folder = tmp_path_factory.mktemp("nb") / "out"
        args = ["--count", str(COUNT), "--seed", SEED, "--layers", layers, "--lang", lang, "--decimals", str(decimals),
                "--format", "ipynb,json", "--jobs", "1", "--out", str(folder), "--quiet"]
        run_ok(*args, *(["--worked-examples"] if worked else []))
        out[(layers, lang)] = (folder, worked, decimals)
    return out


def each_variant(batches):
    for (layers, lang), (folder, worked, decimals) in batches.items():
        key = json.loads((folder / "answers.json").read_text())
        for variant in key["variants"]:
            name = f"variant-0{variant['variant']}"
            student = nbformat.read(folder / "notebooks" / f"{name}.ipynb", as_version=4)
            solution = nbformat.read(folder / "keys" / f"{name}-solution.ipynb", as_version=4)
            yield (layers, lang, worked, decimals), variant, student, solution


# --- the files ---------------------------------------------------------------------------


def test_every_notebook_is_valid_and_where_it_belongs(batches):
    for folder, _, _ in batches.values():
        assert sorted(p.name for p in (folder / "notebooks").iterdir()) == ["variant-01.ipynb"]
        assert sorted(p.name for p in (folder / "keys").iterdir()) == ["variant-01-solution.ipynb"]
    for (_, lang, _, _), variant, student, solution in each_variant(batches):
        for nb in (student, solution):
            nbformat.validate(nb)
            assert (nb.nbformat, nb.metadata.kernelspec.name) == (4, "python3")
            meta = nb.metadata.gen_worksheets
            assert (meta.variant, meta.code, meta.lang) == (variant["variant"], variant["code"], lang)
            assert [c.metadata.gen_worksheets.answer for c in answer_cells(nb)] == list(variant["answers"])
            assert f"· {variant['code']}" in nb.cells[0].source


def test_same_seed_and_options_give_the_same_bytes(tmp_path):
    def make(out, jobs):
        run_ok("--count", "3", "--seed", "77", "--format", "ipynb", "--worked-examples", "--jobs", jobs,
               "--out", str(out), "--quiet")
        return {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}

    first = make(tmp_path / "a", "1")
    assert len(first) == 7 and first == make(tmp_path / "b", "2")  # 3 notebooks, 3 solutions, answers.json


def test_the_course_example_reads_like_the_course(tmp_path, course_given_file):
    out = tmp_path / "out"
    run_ok("--given", str(course_given_file), "--format", "ipynb", "--lang", "ru", "--worked-examples",
           "--out", str(out), "--quiet")
    solution = nbformat.read(out / "keys" / "variant-01-solution.ipynb", as_version=4)
    student = nbformat.read(out / "notebooks" / "variant-01.ipynb", as_version=4)
    code = {c.id: c.source for c in solution.cells if c.cell_type == "code"}
    # The course notebook's own cells, as it writes them.
    assert code["imports"] == "from math import tanh"
    for line in ("    x_indexing_from_0 = (1, 2)", "y = 5", "    W_indexing_from_0 = ((-1, 1), (1, 1))",
                 "    U_indexing_from_0 = ((2, -4), (-0.5, 1))", "    V_indexing_from_0 = ((1,), (-1,))",
                 "def L(y, y_pred):", "lr = 0.1", "    return W_indexing_from_0[i - 1][j - 1]"):
        assert line in code["given"].splitlines()
    assert code["answer-z_1"] == "z1 = tanh(W(1, 1) * x(1) + W(2, 1) * x(2))\nz1"
    assert code["accessor-z"] == "def z(i):\n    z_indexing_from_0 = (z1, z2)\n    return z_indexing_from_0[i - 1]"
    assert code["answer-y_pred"] == "y_pred = V(1, 1) * q(1) + V(2, 1) * q(2)\ny_pred"
    assert code["answer-L_partial_y_pred"] == "L_partial_y_pred = 2 * (y_pred - y)\nL_partial_y_pred"
    assert code["answer-L_partial_V_11"] == "L_partial_V_11 = L_partial_y_pred * q(1)\nL_partial_V_11"
    assert code["answer-V_11_updated"] == "V_11_updated = V(1, 1) - lr * L_partial_V_11\nV_11_updated"
    assert code["answer-L"] == "L_value = L(y, y_pred)\nL_value"
    # The student's cells: the course's placeholder; worked examples as in the course.
    cells = {c.id: c for c in student.cells}
    assert cells["answer-L_partial_V_21"].source == (
        "L_partial_V_21 = None  # замените None на нужное выражение\nL_partial_V_21")
    assert cells["answer-L_partial_V_11"].source == code["answer-L_partial_V_11"]
    assert float(result_text(cells["answer-L_partial_V_11"])) == pytest.approx(-5.035050768239443, abs=1e-12)
    assert not cells["answer-L_partial_V_21"].outputs
    texts = [c.source for c in student.cells if c.cell_type == "markdown"]
    assert "# Прямой проход" in texts and "# Обратный проход" in texts and "### Подготовка" in texts
    assert "### Последний (третий) слой" in texts and "### Предпоследний (второй) слой" in texts
    assert any("поменять пункты 2 и 3 местами" in t for t in texts)
    # Every stored output is the course's number.
    for cell in answer_cells(solution):
        name = cell.metadata.gen_worksheets.answer
        assert float(result_text(cell)) == pytest.approx(COURSE_ANSWERS[name], rel=1e-12, abs=1e-12), name


def test_the_solution_is_written_from_the_given_functions_not_pasted_numbers(batches):
    for _, _, _, solution in each_variant(batches):
        for cell in answer_cells(solution):
            assert not re.search(r"\d\.\d|\de", cell.source), cell.source
            assert "None" not in cell.source


def test_no_student_notebook_holds_an_answer_it_does_not_show(batches):
    for (_, _, _, decimals), variant, student, _ in each_variant(batches):
        text = nbformat.writes(student)
        worked = {c.metadata.gen_worksheets.answer: result_text(c) for c in answer_cells(student) if c.outputs}
        hidden = [v for name, v in variant["answers"].items() if name not in worked]
        half = 0.5 * 10.0**-decimals
        for mark in (".", ","):
            for match in re.finditer(rf"−?-?\d+\{mark}\d+", text):
                token = match.group().replace("−", "-")
                if token in worked.values() or len(token.split(mark)[1]) < decimals:
                    continue
                value = float(token.replace(",", "."))
                assert all(abs(value - v) > half for v in hidden), (token, variant["code"])
        # (A worked output may equal a hidden answer when the math makes them equal, as
        # ∂L/∂q₁ = ∂L/∂ŷ when V₁₁ = 1: the course's notebook shows it too.)


def test_the_check_stores_hashes_and_windows_from_the_tolerances(batches):
    for (_, _, _, decimals), variant, student, _ in each_variant(batches):
        rows = re.findall(r"\('(\w+)', (\d+), '([0-9a-f]{16})'\)", student.cells[-1].source)
        variables = student.metadata.gen_worksheets.answers
        assert [var for var, _, _ in rows] == [variables[name] for name in variant["answers"]]
        for (var, window, digest), name in zip(rows, variant["answers"]):
            assert int(window) == notebooks.check_window(variant["tolerances"][name], decimals)
            units = notebooks.rounded_units(variant["answers"][name], decimals)
            assert digest == notebooks.check_hash(variant["code"], var, units)


def test_an_interrupted_run_leaves_nothing(tmp_path, monkeypatch):
    calls = []
    original = notebooks.NotebookMaker.__call__

    def interrupted(self, k, view=None):
        calls.append(k)
        if k == 1:
            raise KeyboardInterrupt
        return original(self, k, view)

    monkeypatch.setattr(notebooks.NotebookMaker, "__call__", interrupted)
    code = run("--count", "3", "--seed", "1", "--format", "ipynb,json", "--jobs", "1", "--out", tmp_path / "b",
               "--quiet")
    assert code == 130 and calls == [0, 1]
    assert list(tmp_path.iterdir()) == []


# --- on a real kernel --------------------------------------------------------------------


def test_every_solution_runs_to_the_key_and_checks_all_correct(batches, kernel):
    for _, variant, _, solution in each_variant(batches):
        ran = kernel(solution)
        for stored, cell in zip(answer_cells(solution), answer_cells(ran)):
            name = cell.metadata.gen_worksheets.answer
            value = float(result_text(cell))
            assert value == pytest.approx(variant["answers"][name], rel=1e-12, abs=1e-12), name
            # What the generator stored is what the kernel prints.
            assert result_text(cell) == result_text(stored)
        report, count = check_report(ran)
        assert set(report.values()) == {"✓"} and len(report) == len(variant["answers"])
        assert check_report(solution) == (report, count)
        assert f" {len(report)} " in count


@pytest.mark.parametrize("which", [("2,2,2,1", "en"), ("2,2,2,2,1", "ru"), ("2,3,2,1", "ru")])
def test_a_students_values_are_checked(batches, kernel, which):
    folder, worked, decimals = batches[which]
    variant = json.loads((folder / "answers.json").read_text())["variants"][0]
    student = nbformat.read(folder / "notebooks" / "variant-01.ipynb", as_version=4)
    answers = variant["answers"]
    names = student.metadata.gen_worksheets.answers

    for rounded in (None, decimals):
        report, _ = check_report(kernel(filled(student, answers, rounded)))
        assert report == {var: "✓" for var in names.values()}, rounded

    wrong = dict(answers)
    target = "L_partial_U_12" if "L_partial_U_12" in answers else "L_partial_W_12"
    wrong[target] += 10 * variant["tolerances"][target] + 1
    report, count = check_report(kernel(filled(student, wrong, decimals)))
    assert {var for var, status in report.items() if status != "✓"} == {names[target]}
    assert report[names[target]] == "✗"
    assert f" {len(answers) - 1} " in count


def test_an_untouched_notebook_is_not_done_yet(batches, kernel):
    not_done = {"en": "not done yet", "ru": "ещё не сделано"}
    for which in [("2,2,2,1", "ru"), ("3,2,1", "ru")]:  # without and with worked examples
        folder, worked, _ = batches[which]
        student = nbformat.read(folder / "notebooks" / "variant-01.ipynb", as_version=4)
        # Text instead of a number is wrong, not a crash.
        typed = copy.deepcopy(student)
        last = answer_cells(typed)[-1]
        last.source = "L_after_update = '1.5'\nL_after_update"
        # A worked cell reads neurons that are still None and stops; nothing else does.
        ran = kernel(typed, allow_errors=worked)
        report, count = check_report(ran)
        assert report.pop("L_after_update") == "✗"
        shown = {c.source.split(" ", 1)[0] for c in answer_cells(student) if c.outputs}
        assert bool(shown) == worked
        for var, status in report.items():
            assert status == not_done[which[1]] or (var in shown and status == "✓"), (var, status)
        assert not_done[which[1]] in count


# --- read back for grading, never run ----------------------------------------------------


def test_the_reader_takes_each_answer_from_the_saved_output(batches, kernel, tmp_path):
    folder, worked, decimals = batches[("2,2,2,1", "en")]
    variant = json.loads((folder / "answers.json").read_text())["variants"][0]
    student = nbformat.read(folder / "notebooks" / "variant-01.ipynb", as_version=4)
    wrong = dict(variant["answers"], L_partial_U_12=123.25)
    ran = kernel(filled(student, wrong, decimals))
    saved = tmp_path / "saved"
    saved.mkdir()
    nbformat.write(ran, saved / "anna petrova.ipynb")
    named = copy.deepcopy(ran)
    named.metadata["student"] = "Boris Ivanov"
    nbformat.write(named, saved / "copy.ipynb")
    nbformat.write(student, saved / "untouched.ipynb")  # worked outputs are not the student's
    (saved / "notes.ipynb").write_text("not a notebook")
    (saved / ".ipynb_checkpoints").mkdir()
    nbformat.write(ran, saved / ".ipynb_checkpoints" / "anna petrova-checkpoint.ipynb")

    reading = read_notebooks(saved)
    responses = reading.responses
    assert [r.where for r in responses] == ["anna petrova.ipynb", "copy.ipynb", "untouched.ipynb"]
    assert [(r.where, r.reason) for r in reading.refused] == [("notes.ipynb", "is not a Jupyter notebook")]
    anna, boris, untouched = responses
    assert (anna.student, boris.student, untouched.student) == ("anna petrova", "Boris Ivanov", "untouched")
    assert (anna.variant, anna.code) == (1, variant["code"])
    expected = {c.metadata.gen_worksheets.answer: result_text(c) for c in answer_cells(ran)}
    assert anna.cells == expected == boris.cells
    assert anna.cells["L_partial_U_12"] == "123.25"
    assert set(anna.cells) == set(variant["answers"])
    assert untouched.cells == {} and (untouched.variant, untouched.code) == (1, variant["code"])


def test_the_reader_never_runs_a_students_code(batches, tmp_path):
    folder, _, _ = batches[("3,2,1", "en")]
    solution = nbformat.read(folder / "keys" / "variant-01-solution.ipynb", as_version=4)
    canary = tmp_path / "canary"
    canary.mkdir()
    (canary / "keep.txt").write_text("still here")
    hostile = copy.deepcopy(solution)
    hostile.metadata["gen_worksheets"]["notebook"] = "student"  # a solution is refused as such
    cell = nbformat.v4.new_code_cell(f"import shutil\nshutil.rmtree({str(canary)!r})\ny_pred = 1.5\ny_pred")
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "1.5"}, execution_count=99)]
    hostile.cells.insert(3, cell)
    # A cell that failed shows an error, not a value: no answer.
    failed = next(c for c in hostile.cells if c.get("metadata", {}).get("gen_worksheets", {}).get("answer") == "z_2")
    failed.outputs = [nbformat.v4.new_output("error", ename="TypeError", evalue="x", traceback=[])]
    # numpy 2 shows a scalar as np.float64(...): the number is what the student meant.
    numpy_cell = next(c for c in hostile.cells if c.get("metadata", {}).get("gen_worksheets", {}).get("answer") == "L")
    numpy_cell.outputs[0].data["text/plain"] = "np.float64(2.5)"
    saved = tmp_path / "saved"
    saved.mkdir()
    nbformat.write(hostile, saved / "mallory.ipynb")

    reading = read_notebooks(saved)
    (response,) = reading.responses
    assert reading.refused == () and (canary / "keep.txt").read_text() == "still here"
    expected = {c.metadata.gen_worksheets.answer: result_text(c) for c in answer_cells(solution)}
    del expected["z_2"]
    expected["L"] = "2.5"
    assert response.cells == expected  # the later y_pred cell, from the generator, wins


def test_an_answer_printed_or_displayed_is_read_from_what_the_cell_showed(batches, kernel, tmp_path):
    folder, _, decimals = batches[("3,2,1", "en")]
    variant = json.loads((folder / "answers.json").read_text())["variants"][0]
    student = filled(nbformat.read(folder / "notebooks" / "variant-01.ipynb", as_version=4), variant["answers"],
                     decimals)
    cells = {c.metadata.gen_worksheets.answer: c for c in answer_cells(student)}
    last_line = {name: cell.source.rstrip().splitlines()[-1] for name, cell in cells.items()}
    cells["z_1"].source += f"\nprint({last_line['z_1']})"  # no result: the last line is a print
    cells["L"].source += f"\nprint('the loss is', {last_line['L']})\nprint({last_line['L']})"
    cells["y_pred"].source += f"\ndisplay({last_line['y_pred']})"
    cells["L_partial_y_pred"].source += "\nprint('dL/dy_pred =', L_partial_y_pred)"  # words: unreadable
    ran = kernel(student)
    (z_1,) = [c for c in ran.cells if c.get("id") == cells["z_1"].id]
    assert [o.output_type for o in z_1.outputs] == ["stream"]
    saved = tmp_path / "saved"
    saved.mkdir()
    nbformat.write(ran, saved / "printer.ipynb")
    (response,) = read_notebooks(saved).responses
    shown = {c.metadata.gen_worksheets.answer: result_text(c) for c in answer_cells(kernel(filled(
        nbformat.read(folder / "notebooks" / "variant-01.ipynb", as_version=4), variant["answers"], decimals)))}
    for name in ("z_1", "L", "y_pred"):
        assert response.cells[name] == shown[name], name
    assert response.cells["L_partial_y_pred"] == f"dL/dy_pred = {shown['L_partial_y_pred']}"
    code = run("grade", saved, "--key", folder / "answers.json", "--out", tmp_path / "g", "--format", "json",
               "--quiet")
    answers = json.loads((tmp_path / "g" / "grades.json").read_text())["graded"][0]["answers"]
    assert code == 0 and answers["z_1"]["status"] == answers["L"]["status"] == "correct"
    assert answers["L_partial_y_pred"]["status"] == "unreadable"


@pytest.mark.parametrize("change", [{"nb_check": None}, {"nb_check_count": "{oops}"}])
def test_a_catalog_override_without_the_notebooks_wording_is_refused(tmp_path, capsys, change):
    catalog = json.loads((builtin_templates() / "lang" / "en.json").read_text(encoding="utf-8"))
    for key, value in change.items():
        catalog.pop(key) if value is None else catalog.update({key: value})
    (tmp_path / "tpl" / "lang").mkdir(parents=True)
    (tmp_path / "tpl" / "lang" / "en.json").write_text(json.dumps(catalog), encoding="utf-8")
    code = run("--count", "2", "--seed", "1", "--format", "ipynb", "--templates", tmp_path / "tpl", "--jobs", "1",
               "--out", tmp_path / "b")
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and f"'{next(iter(change))}'" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tpl"]


# --- graded by `gen-worksheets grade`, from a folder of saved notebooks --------------------


def grade_folder(folder, key, out):
    run_ok("grade", str(folder), "--key", str(key), "--out", str(out), "--format", "json,csv", "--quiet")
    return json.loads((out / "grades.json").read_text(encoding="utf-8"))


def test_solution_outputs_score_full_marks_and_a_solution_notebook_is_refused(batches, tmp_path):
    for (layers, lang), (folder, _, _) in batches.items():
        saved = tmp_path / f"{layers}-{lang}"
        saved.mkdir()
        solution = json.loads((folder / "keys" / "variant-01-solution.ipynb").read_text(encoding="utf-8"))
        (saved / "copied.ipynb").write_text(json.dumps(solution), encoding="utf-8")
        # The solution's outputs in a notebook that says it is a student's: read as the answers.
        solution["metadata"]["gen_worksheets"]["notebook"] = "student"
        (saved / "teacher.ipynb").write_text(json.dumps(solution), encoding="utf-8")
        grades = grade_folder(saved, folder / "answers.json", tmp_path / f"grades-{layers}-{lang}")
        (graded,) = grades["graded"]
        assert graded["score"] == graded["max_score"], (layers, lang)
        assert {a["status"] for a in graded["answers"].values()} == {"correct"}
        assert grades["refused"] == [{"where": "copied.ipynb", "reason": "is a solution notebook (the teacher's key), "
                                                                          "not a student's; not graded"}]


def test_only_regular_files_inside_the_folder_are_read(batches, tmp_path):
    folder, _, _ = batches[("3,2,1", "en")]
    saved = tmp_path / "saved"
    saved.mkdir()
    student = (folder / "notebooks" / "variant-01.ipynb").read_text(encoding="utf-8")
    (saved / "anna.ipynb").write_text(student, encoding="utf-8")
    (saved / "link to anna.ipynb").symlink_to(saved / "anna.ipynb")  # inside the folder: read
    (saved / "key.ipynb").symlink_to(folder / "keys" / "variant-01-solution.ipynb")
    (saved / "passwd.ipynb").symlink_to("/etc/passwd")
    (saved / "zero.ipynb").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "fifo")
    (saved / "fifo.ipynb").symlink_to(tmp_path / "fifo")
    os.mkfifo(saved / "pipe.ipynb")  # inside the folder, but no file: opening it must not wait
    (saved / "folder.ipynb").mkdir()
    with open(saved / "huge.ipynb", "wb") as f:
        f.truncate(MAX_NOTEBOOK_BYTES + 1)
    # Malformed files, each refused on its own: nbformat's converters raised UnboundLocalError
    # for the first two, and a nesting deeper than Python's stack reaches RecursionError.
    doc = json.loads(student)
    shapes = {"no version.ipynb": {k: v for k, v in doc.items() if k != "nbformat"}, "v1.ipynb": doc | {"nbformat": 1},
              "cells.ipynb": doc | {"cells": 5}, "meta.ipynb": doc | {"metadata": []}, "deep.ipynb": None}
    for name, shape in shapes.items():
        (saved / name).write_text("[" * 100_000 + "]" * 100_000 if shape is None else json.dumps(shape),
                                  encoding="utf-8")
    reading = read_notebooks(saved)
    refused = dict((r.where, r.reason) for r in reading.refused)
    assert refused == {
        "cells.ipynb": "is not a Jupyter notebook",
        "deep.ipynb": "is not a Jupyter notebook",
        "meta.ipynb": "is not a Jupyter notebook",
        "no version.ipynb": "is not a Jupyter notebook",
        "v1.ipynb": "is not a Jupyter notebook",
        "fifo.ipynb": "is a symbolic link out of the folder; not read",
        "folder.ipynb": "is not a regular file; not read",
        "huge.ipynb": "is larger than 16 MB; not read",
        "key.ipynb": "is a symbolic link out of the folder; not read",
        "passwd.ipynb": "is a symbolic link out of the folder; not read",
        "pipe.ipynb": "is not a regular file; not read",
        "zero.ipynb": "is a symbolic link out of the folder; not read",
    }
    assert [r.where for r in reading.responses] == ["anna.ipynb", "link to anna.ipynb"]


def test_saved_notebooks_graded_without_running_them(batches, kernel, tmp_path):
    folder, _, decimals = batches[("2,2,2,1", "en")]
    key = json.loads((folder / "answers.json").read_text())["variants"][0]
    student = nbformat.read(folder / "notebooks" / "variant-01.ipynb", as_version=4)
    saved = tmp_path / "saved"
    saved.mkdir()
    # One box wrong, typed as a number: the rest typed from the key, so nothing is carried.
    nbformat.write(kernel(filled(student, dict(key["answers"], L_partial_U_12=123.25), decimals)), saved / "anna.ipynb")
    # One slip computed on, as a student working in the notebook does: later cells run on it.
    # (This batch has worked examples: z_1 and dL/dW_11 are the course's, z_2 and dL/dW_12 theirs.)
    slipped = filled(student, dict(key["answers"], z_2=key["answers"]["z_2"] - 0.25))
    for cell in answer_cells(slipped):
        name = cell.metadata["gen_worksheets"]["answer"]
        if name == "L_partial_W_12":
            var = cell.source.split(" ", 1)[0]
            cell.source = f"{var} = L_partial_z_2 * (1 - z(2) ** 2) * x(1)\n{var}"
    nbformat.write(kernel(slipped), saved / "boris.ipynb")
    nbformat.write(student, saved / "never run.ipynb")
    canary = tmp_path / "canary"
    canary.mkdir()
    (canary / "keep.txt").write_text("still here")
    hostile = copy.deepcopy(nbformat.read(folder / "keys" / "variant-01-solution.ipynb", as_version=4))
    hostile.metadata["gen_worksheets"]["notebook"] = "student"
    hostile.cells.insert(3, nbformat.v4.new_code_cell(f"import shutil\nshutil.rmtree({str(canary)!r})"))
    nbformat.write(hostile, saved / "mallory.ipynb")

    grades = grade_folder(saved, folder / "answers.json", tmp_path / "grades")
    by_name = {g["student"]: g for g in grades["graded"]}
    assert set(by_name) == {"anna", "boris", "never run", "mallory"} and grades["refused"] == []
    n = len(key["answers"])

    anna = by_name["anna"]
    assert anna["score"] == n - 1
    assert [k for k, a in anna["answers"].items() if a["status"] != "correct"] == ["L_partial_U_12"]
    assert anna["answers"]["L_partial_U_12"] == dict(anna["answers"]["L_partial_U_12"], status="wrong", value=123.25)

    # z_2 is wrong; dL/dW_12 worked on from it (the only cell computed, the rest typed from
    # the key) is carried, not wrong.
    boris = by_name["boris"]
    assert boris["answers"]["z_2"]["status"] == "wrong"
    assert boris["answers"]["L_partial_W_12"]["status"] == "carried"
    assert boris["score"] == n - 1

    never = by_name["never run"]
    assert never["score"] == 0 and {a["status"] for a in never["answers"].values()} == {"missing"}

    assert by_name["mallory"]["score"] == n and (canary / "keep.txt").read_text() == "still here"


def test_a_huge_output_is_cut_to_a_cell(batches, tmp_path):
    from generator.grading.responses import MAX_CELL_CHARS

    folder, _, _ = batches[("3,2,1", "en")]
    notebook = json.loads((folder / "notebooks" / "variant-01.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in notebook["cells"] if c.get("metadata", {}).get("gen_worksheets", {}).get("answer") == "z_1")
    cell["execution_count"] = 1
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "7" * 900_000}]
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "big.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    (response,) = read_notebooks(saved).responses
    assert response.cells["z_1"] == "7" * MAX_CELL_CHARS + "…"
