"""`gen-worksheets grade`: responses typed into a spreadsheet, marked against a real answers.json,
outputs read back the way their consumers read them (csv module, json, pypdf)."""

import contextlib
import csv
import io
import json
import re
import subprocess
import sys

import numpy as np
import pytest
from pypdf import PdfReader

from generator import numbertext
from generator.exchange import answers
from generator.exercise import codes, formulas

import pdftext
from commands import run, run_ok

SEED = 4242


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("batch") / "b"
    run_ok("--count", "4", "--seed", SEED, "--format", "json,csv", "--out", out, "--quiet")
    return out


@pytest.fixture(scope="module")
def key(batch):
    return answers.parse((batch / "answers.json").read_text())


def typed(value, decimals=4, lang="ru"):
    """As a Russian spreadsheet shows it: decimal comma, U+2212."""
    return numbertext.answer(value, decimals, lang)


def sign_slip_answers(key, k):
    """Variant k worked through with the sign of L_partial_y_pred flipped, rounded, carried on."""
    layout = key.layout
    written = {name: key.values[name][k : k + 1] for name in layout.given_names}
    for f in formulas.graph(key.exercise):
        value = formulas.evaluate(key.exercise, f, written)
        written[f.name] = np.round(-value if f.name == "L_partial_y_pred" else value, 4)
    return {name: float(written[name][0]) for name in layout.answer_names}


def spreadsheet(rows, delimiter=";", bom=True):
    """A CSV the way a spreadsheet saves it."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" if bom else "") + buffer.getvalue()


@pytest.fixture(scope="module")
def class_file(batch, key, tmp_path_factory):
    """Three students: Anna all right; Boris a typo, a blank and junk; Vera a sign slip carried on.
    A blank row between, empty rows below, as spreadsheets leave them."""
    names = list(key.layout.answer_names)
    answers = {name: key.values[name] for name in names}
    anna = [typed(answers[n][0]) for n in names]
    boris = [typed(answers[n][1]) for n in names]
    boris[names.index("z_1")] = "  " + boris[names.index("z_1")].replace(",", ".") + " "  # a point, spaces
    boris[names.index("q_1")] = boris[names.index("q_1")].replace("−", "-")  # a hyphen for the minus
    boris[names.index("L")] = ""
    boris[names.index("y_pred")] = "zwei"
    wrong = names.index("V_11_updated")
    boris[wrong] = typed(answers["V_11_updated"][1] + 0.5)
    vera_values = sign_slip_answers(key, 2)
    vera = [f"{vera_values[n]:.6e}" for n in names]  # scientific notation
    rows = [["Student", "code", "variant", *names],
            ["Анна Иванова", key.codes[0], "", *anna],
            [],
            ["Boris Smith", key.codes[1].lower(), str(key.numbers[1]), *boris],
            ["Вера", "", str(key.numbers[2]), *vera],
            [""] * (3 + len(names)),
            [""] * (3 + len(names))]
    path = tmp_path_factory.mktemp("typed") / "typed.csv"
    path.write_text(spreadsheet(rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=["en", "ru"])
def graded(request, batch, class_file, tmp_path_factory):
    lang = request.param
    out = tmp_path_factory.mktemp(f"grades-{lang}") / "g"
    args = ["grade", str(class_file), "--key", str(batch / "answers.json"), "--out", str(out), "--lang", lang]
    args += ["--show-answers", "--jobs", "2"] if lang == "en" else ["--jobs", "1"]
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run(*args)
    return lang, out, code, err.getvalue()


def test_summary_line_and_files(graded):
    lang, out, code, err = graded
    assert code == 0, err
    mean = round((32 + 29 + 31) / 3, 1)
    assert err.splitlines() == [f"3 responses: 3 graded, 0 refused; mean {mean} / 32 -> {out}/"]
    assert sorted(p.name for p in out.iterdir()) == ["feedback.pdf", "grades.csv", "grades.json"]


def test_grades_csv_reads_into_a_gradebook(graded, key):
    _, out, _, _ = graded
    rows = list(csv.DictReader(io.StringIO((out / "grades.csv").read_text(encoding="utf-8"))))
    assert [r["student"] for r in rows] == ["Анна Иванова", "Boris Smith", "Вера"]
    assert [r["code"] for r in rows] == list(key.codes[:3])
    assert [int(r["variant"]) for r in rows] == list(key.numbers[:3])
    anna, boris, vera = rows
    assert (anna["score"], anna["max_score"], anna["correct"]) == ("32", "32", "32")
    assert (boris["score"], boris["correct"], boris["wrong"], boris["missing"], boris["unreadable"]) == \
        ("29", "29", "1", "1", "1")
    assert int(vera["wrong"]) == 1 and int(vera["carried"]) > 10
    assert float(vera["score"]) == 31
    for r in rows:
        assert sum(int(r[c]) for c in ("correct", "carried", "wrong", "missing", "unreadable")) == 32


def test_grades_json_has_every_answer(graded, key, batch):
    _, out, _, _ = graded
    doc = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    assert doc["key"] == str(batch / "answers.json") and doc["decimals"] == 4 and doc["carried_credit"] == 1.0
    assert doc["refused"] == []
    anna, boris, vera = doc["graded"]
    assert [g["line"] for g in doc["graded"]] == [2, 4, 5]
    assert list(anna["answers"]) == list(key.layout.answer_names)
    z1 = anna["answers"]["z_1"]
    assert z1["status"] == "correct" and z1["value"] == round(key.values["z_1"][0], 4)
    assert z1["expected"] == key.values["z_1"][0] and z1["tolerance"] == key.tolerances["z_1"][0]
    assert boris["answers"]["y_pred"] == {"status": "unreadable", "value": None, "text": "zwei",
                                          "expected": key.values["y_pred"][1],
                                          "carried_expected": boris["answers"]["y_pred"]["carried_expected"],
                                          "tolerance": key.tolerances["y_pred"][1]}
    assert boris["answers"]["L"]["status"] == "missing" and boris["answers"]["L"]["value"] is None
    assert boris["answers"]["V_11_updated"]["status"] == "wrong"
    assert vera["answers"]["L_partial_y_pred"]["status"] == "wrong"
    carried = vera["answers"]["L_partial_V_11"]
    assert carried["status"] == "carried"
    assert abs(carried["value"] - carried["carried_expected"]) <= carried["tolerance"] < \
        abs(carried["value"] - carried["expected"])
    assert vera["score"] == 31.0 and vera["max_score"] == 32


def test_feedback_pdf_has_each_student_on_their_own_pages(graded, key):
    lang, out, _, _ = graded
    reader = PdfReader(out / "feedback.pdf")
    pages = [p.extract_text() for p in reader.pages]
    starts = [i for i, text in enumerate(pages) if ("Marks" if lang == "en" else "Результаты проверки") in text]
    assert len(starts) == 3 and all(i % 2 == 0 for i in starts)  # each on an odd page
    words = {"en": {"correct": "correct", "carried": "carried forward", "wrong": "wrong", "missing": "no answer",
                    "unreadable": "not a number"},
             "ru": {"correct": "верно", "carried": "верно по вашим данным", "wrong": "неверно",
                    "missing": "нет ответа", "unreadable": "не число"}}[lang]
    row = re.compile(r"^\S+ [✓✗–?]\s+(.+) (\d+)$", re.M)  # quantity, mark, status, points
    doc = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    for g, start, end in zip(doc["graded"], starts, starts[1:] + [len(pages)]):
        text = "\n".join(pages[start:end])
        assert g["student"] in text and g["code"] in text
        assert f"{numbertext.given(g['score'], lang)} / 32" in text
        printed = row.findall(text)
        assert [status for status, _ in printed] == [words[a["status"]] for a in g["answers"].values()]
        assert [int(points) for _, points in printed] == [a["status"] in ("correct", "carried")
                                                          for a in g["answers"].values()]
        if lang == "en":  # --show-answers: the key beside each answer
            numbers_printed = pdftext.numbers(text)
            k = key.codes.index(g["code"])
            assert all(numbertext.answer(key.values[n][k], 4, lang) in numbers_printed for n in key.layout.answer_names)
    assert "«zwei»" in "\n".join(pages)


def test_responses_template_is_the_sheet_to_type_into(batch, key, tmp_path, gen):
    text = (batch / "responses-template.csv").read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["student", "variant", "code", *key.layout.answer_names]
    assert [(r[1], r[2]) for r in rows[1:]] == [(str(n), c) for n, c in zip(key.numbers, key.codes)]
    assert all(not cell for r in rows[1:] for cell in r[3:] + r[:1])
    # filled in for one student and graded as it is
    rows[1][0] = "Anna"
    rows[1][3:] = [typed(key.values[n][0], lang="en") for n in key.layout.answer_names]
    filled = tmp_path / "filled.csv"
    filled.write_text(spreadsheet(rows, delimiter=","), encoding="utf-8")
    code, _, err = gen("grade", str(filled), "--key", str(batch / "answers.json"),
                         "--out", str(tmp_path / "g"), "--format", "csv")
    assert code == 0, err
    # the rows nobody filled in are not students
    assert "1 response: 1 graded, 0 refused; mean 32 / 32" in err
    # Russian batches get semicolons, as a decimal-comma spreadsheet expects
    code, _, err = gen("--given", str(batch / "answers.json"), "--lang", "ru", "--format", "csv",
                         "--out", str(tmp_path / "ru"), "--quiet")
    assert code == 0, err
    template = (tmp_path / "ru" / "responses-template.csv").read_text(encoding="utf-8")
    assert template.startswith("\ufeffstudent;variant;code;")


@pytest.fixture
def key_path(batch):
    return str(batch / "answers.json")


def test_bad_rows_are_refused_with_their_line_and_the_rest_graded(key, key_path, tmp_path, gen):
    names = list(key.layout.answer_names)
    right = [typed(key.values[n][0]) for n in names]
    other_code = codes.variant_code(SEED + 1, 1)
    mistyped = key.codes[0][:-1] + ("0" if key.codes[0][-1] != "0" else "1")
    rows = [["student", "code", "variant", *names],
            ["ok", key.codes[0], "", *right],
            ["unknown", other_code, "", *right],
            ["mistyped", mistyped, "", *right],
            ["too far", "", "5", *right],
            ["nothing", "", "", *right],
            ["disagree", key.codes[0], "2", *right],
            ["not a number", "", "zwei", *right],
            ["too long", key.codes[0], "", *right, "", "9"]]
    path = tmp_path / "r.csv"
    path.write_text(spreadsheet(rows), encoding="utf-8")
    out = tmp_path / "g"
    code, _, err = gen("grade", str(path), "--key", key_path, "--out", str(out), "--format", "json")
    assert code == 0
    lines = err.splitlines()
    expected = [
        (3, f"unknown code '{other_code}'"),
        (4, f"code '{mistyped}' is not a valid code: a character is mistyped (not guessed)"),
        (5, "variant 5 is not in the key (it has variants 1 to 4)"),
        (6, "no code and no variant"),
        (7, f"code '{key.codes[0]}' is variant 1, not variant 2"),
        (8, "variant 'zwei' is not a whole number"),
        (9, f"{len(names) + 5} cells, but the header names {len(names) + 3} columns"),
    ]
    assert len(lines) == len(expected) + 1
    for line, (number, reason) in zip(lines, expected):
        assert line.startswith(f"gen-worksheets: {path}, line {number}: refused: {reason}"), line
    assert lines[-1].startswith("8 responses: 1 graded, 7 refused; mean 32 / 32")
    doc = json.loads((out / "grades.json").read_text())
    assert [r["line"] for r in doc["refused"]] == [n for n, _ in expected]
    assert doc["refused"][0]["reason"].startswith(expected[0][1])


def test_no_row_graded_is_exit_1_and_writes_nothing(key_path, tmp_path, gen):
    path = tmp_path / "r.csv"
    path.write_text("student,code,z_1\nx,AAAA-0,1\n", encoding="utf-8")
    code, _, err = gen("grade", str(path), "--key", key_path, "--out", str(tmp_path / "g"))
    assert code == 1
    assert err.splitlines()[-1] == f"gen-worksheets: error: no row of {path} could be graded (1 refused)"
    assert not (tmp_path / "g").exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is empty"),
        (b"\xef\xbb\xbf \r\n\r\n", "is empty"),
        (b"student,code,z_1\r\n", "has a header but no rows of answers"),
        (b"student,z_1\nAnna,0.5\n", "no 'code' or 'variant' column"),
        ("student;code;z_1\nАнна;X;0,5\n".encode("cp1251"), "r.csv: line 2 is not UTF-8 text; save it"),
        (b"code,z_1,z_1\nX,1,2\n", "column 'z_1' appears twice"),
    ],
)
def test_bad_responses_files(key_path, tmp_path, gen, content, message):
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    code, _, err = gen("grade", str(path), "--key", key_path, "--out", str(tmp_path / "g"))
    assert code == 2, err
    assert message in err and err.count("\n") == 1 and err.startswith("gen-worksheets: error: "), err
    assert not (tmp_path / "g").exists()


def test_bad_keys_and_options(batch, key_path, class_file, tmp_path, gen, course_given_file):
    notjson = tmp_path / "notes.json"
    notjson.write_text('{"variants": []}')
    cases = [
        (["--key", str(batch / "answers.csv")], "not valid JSON"),
        (["--key", str(course_given_file)], "not an answers.json written by gen-worksheets"),
        (["--key", str(notjson)], "not an answers.json written by gen-worksheets"),
        (["--key", str(tmp_path / "none.json")], "does not exist"),
        (["--key", key_path, "--carried-credit", "1.5"], "1.5 is not in the range 0<=x<=1"),
        (["--key", key_path, "--carried-credit", "nan"], "--carried-credit: must be a finite number, got nan"),
        (["--key", key_path, "--carried-credit", "-inf"], "-inf is not in the range 0<=x<=1"),
        (["--key", key_path, "--title", "Week\x0b5"], "--title: holds the control character U+000B"),
        (["--key", key_path, "--title", "x" * 101], "at most 100 characters"),
        (["--key", key_path, "--format", "csv,docx"], "unknown format 'docx'"),
        (["--key", key_path, "--lang", "de"], "'de' is not one of"),
        ([], "Missing option '--key'"),
    ]
    for args, message in cases:
        code, _, err = gen("grade", str(class_file), *args, "--out", str(tmp_path / "g"))
        assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err, (args, err)
    code, _, err = gen("grade", str(tmp_path), "--key", key_path, "--out", str(tmp_path / "g"))
    assert code == 2 and "holds no notebooks (*.ipynb) and is not a CSV file" in err and err.count("\n") == 1
    code, _, err = gen("--count", "3", "grade", str(class_file), "--key", key_path)
    assert code == 2 and "--count is an option of the generator, not of 'grade'" in err
    assert not (tmp_path / "g").exists()


def test_key_with_wrong_layers_or_fields(batch, class_file, tmp_path, gen):
    doc = json.loads((batch / "answers.json").read_text())
    del doc["variants"][1]["answers"]["L_partial_W_21"]
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(doc))
    code, _, err = gen("grade", str(class_file), "--key", str(path), "--out", str(tmp_path / "g"))
    assert code == 2 and "variant 2.answers has no 'L_partial_W_21'" in err


def test_existing_grades_kept_without_force_replaced_with_it(key_path, class_file, tmp_path, gen):
    out = tmp_path / "g"
    out.mkdir()
    (out / "mine.txt").write_text("mine")
    code, _, err = gen("grade", str(class_file), "--key", key_path, "--out", str(out), "--format", "csv")
    assert code == 2 and "--force" in err and (out / "mine.txt").read_text() == "mine"
    code, _, err = gen("grade", str(class_file), "--key", key_path, "--out", str(out), "--format", "csv",
                         "--force", "--quiet")
    assert code == 0 and err == ""
    assert sorted(p.name for p in out.iterdir()) == ["grades.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g"]  # no staging folders left


def test_key_without_tolerances_is_recomputed_and_said_so(batch, class_file, tmp_path, gen):
    doc = json.loads((batch / "answers.json").read_text())
    for v in doc["variants"]:
        del v["tolerances"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc))
    results = []
    for name, key in (("new", batch / "answers.json"), ("old", old)):
        code, _, err = gen("grade", str(class_file), "--key", str(key), "--out", str(tmp_path / name),
                             "--format", "json")
        assert code == 0
        results.append((json.loads((tmp_path / name / "grades.json").read_text()), err))
    (new, _), (recomputed, err) = results
    assert "records no tolerances (written by an older version); computed them from its answers" in err
    assert recomputed["tolerances_recomputed"] and not new["tolerances_recomputed"]
    assert [g["answers"] for g in recomputed["graded"]] == [g["answers"] for g in new["graded"]]


def test_unknown_columns_are_named_and_ignored(key, key_path, tmp_path, gen):
    path = tmp_path / "r.csv"
    path.write_text(f"code,z1,email,z_1\n{key.codes[0]},0.5,a@b.c,{key.values['z_1'][0]:.4f}\n", encoding="utf-8")
    code, _, err = gen("grade", str(path), "--key", key_path, "--out", str(tmp_path / "g"),
                         "--format", "csv")
    assert code == 0
    assert "warning: column 'z1' is not an answer of this exercise (layers 2,2,2,1); ignored" in err
    assert "warning: column 'email'" in err
    assert "mean 1 / 32" in err


def test_help_mentions_grade_and_the_generator_still_works(batch, gen):
    code, out, _ = gen("--help")
    assert code == 0 and "grade" in out and "--count" in out and "Examples:" in out
    code, out, _ = gen("grade", "--help")
    assert code == 0 and "RESPONSES" in out and "--carried-credit" in out and "--key" in out


def test_a_code_shared_by_two_variants_needs_the_number(batch, key, tmp_path, gen):
    # Batches made before codes were kept unique may repeat one; it is never guessed which.
    doc = json.loads((batch / "answers.json").read_text())
    doc["variants"][2]["code"] = doc["variants"][0]["code"]
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(doc))
    shared = key.codes[0]
    typed_in = tmp_path / "r.csv"
    typed_in.write_text(f"code,variant,z_1\n{shared},,0.5\n{shared},3,0.5\n", encoding="utf-8")
    code, _, err = gen("grade", str(typed_in), "--key", str(path), "--out", str(tmp_path / "g"),
                           "--format", "json")
    assert code == 0
    assert f"line 2: refused: code '{shared}' belongs to variants 1 and 3 of the key; give the variant number too" \
        in err
    (graded,) = json.loads((tmp_path / "g" / "grades.json").read_text())["graded"]
    assert graded["variant"] == 3 and graded["line"] == 3


FORMULAS = ['=HYPERLINK("http://example.invalid/x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "\tTab",
            "\rReturn"]


def test_names_a_spreadsheet_would_run_are_written_as_text_and_numbers_as_numbers(key, key_path, tmp_path, gen):
    names = list(key.layout.answer_names)
    right = [typed(key.values[n][0]) for n in names]
    typed_names = FORMULAS[:5]  # a name with a line break is refused (test_a_stray_quote...)
    rows = [["student", "code", *names]] + [[name, key.codes[0], *right] for name in typed_names]
    path = tmp_path / "r.csv"
    path.write_text(spreadsheet(rows), encoding="utf-8")
    out = tmp_path / "g"
    code, _, err = gen("grade", str(path), "--key", key_path, "--out", str(out), "--format", "csv,json")
    assert code == 0, err
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    # Every name is the text typed, behind a quote that makes a spreadsheet show it as text.
    # (The reader strips spaces around cells: the tab goes.)
    assert [row["student"] for row in table] == ["'" + name for name in FORMULAS[:4]] + ["Tab"]
    assert [row["score"] for row in table] == ["32"] * len(typed_names)
    assert json.loads((out / "grades.json").read_text())["graded"][0]["student"] == FORMULAS[0]


def test_csv_cells_that_start_a_formula_are_quoted_numbers_are_not():
    from generator.csvcells import safe

    for text in FORMULAS:
        assert safe(text) == "'" + text
    for number in ["-0.7616", "+1.5", "-1e-05", "2.5E+3", "-3", ".5", "0.1", 7, -0.5]:
        assert safe(number) == number
    for text in ["Anna", "", "K7QF-T", "'=already"]:
        assert safe(text) == text


def test_every_csv_the_generator_writes_keeps_its_numbers(batch):
    # answers.csv is all numbers and codes: a quote would turn a negative number into text.
    with open(batch / "answers.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert all(not cell.startswith("'") for row in rows for cell in row)
    assert any(cell.startswith("-") for row in rows[1:] for cell in row)


def tampered(batch, change):
    doc = json.loads((batch / "answers.json").read_text())
    change(doc)
    return doc


@pytest.mark.parametrize("change, message", [
    (lambda d: d["variants"][0]["tolerances"].update(z_1=1000),
     "variant 1.tolerances.z_1 is 1000.0, but its answers at 4 decimals give 5."),
    (lambda d: [v["tolerances"].update({k: 1000 for k in v["tolerances"]}) for v in d["variants"]],
     "variant 1.tolerances.z_1 is 1000.0"),
    (lambda d: d["variants"][2]["answers"].update(L=0.5), "variant 3.answers.L is 0.5, but its given numbers give "),
    (lambda d: d["variants"][1]["answers"].update(z_2="0.5"),
     "variant 2.answers.z_2 must be a finite number, got \"0.5\""),
    (lambda d: d["variants"][1]["tolerances"].update(z_2=True),
     "variant 2.tolerances.z_2 must be a finite number, got true"),
    (lambda d: d["variants"][0]["answers"].update(y_pred=1e300), "variant 1.answers.y_pred is 1e+300"),
    (lambda d: d["variants"][0]["given"].update(y="5"), "variant 1.given"),
    (lambda d: d.update(decimals=2), "but its answers at 2 decimals give"),
])
def test_a_tampered_key_is_refused_naming_the_field(batch, class_file, tmp_path, gen, change, message):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(tampered(batch, change)))
    code, _, err = gen("grade", str(class_file), "--key", str(path), "--out", str(tmp_path / "g"))
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert "the key was changed after gen-worksheets wrote it" in err or "finite number" in err or "given" in err
    assert not (tmp_path / "g").exists()


def test_a_deeply_nested_key_is_exit_2(class_file, tmp_path, gen):
    path = tmp_path / "answers.json"
    path.write_text('{"generator": "gen-worksheets", "layers": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, _, err = gen("grade", str(class_file), "--key", str(path), "--out", str(tmp_path / "g"))
    assert code == 2 and "nested too deeply" in err and err.count("\n") == 1, err


def test_a_stray_quote_is_refused_with_the_lines_it_swallows(key, key_path, tmp_path, gen):
    names = list(key.layout.answer_names)
    right = ",".join(repr(float(key.values[n][0])) for n in names)
    lines = ["student,code," + ",".join(names)]
    stray = '"Jo'
    lines += [f"{stray if i == 5 else f'student {i}'},{key.codes[(i - 1) % 4]},{right}" for i in range(1, 31)]
    path = tmp_path / "r.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = gen("grade", str(path), "--key", key_path, "--out", str(tmp_path / "g"), "--format", "csv")
    assert code == 0
    refused, summary = err.splitlines()
    assert refused == (f"gen-worksheets: {path}, line 6: refused: a quote opens the 'student' cell and it runs to "
                       "line 31, so lines 6 to 31 were not graded; remove the stray \" and grade again")
    assert summary.startswith("5 responses: 4 graded, 1 refused")


def test_a_variant_or_a_student_twice_is_graded_and_named_in_a_warning(key, key_path, tmp_path, gen):
    names = list(key.layout.answer_names)
    right = [typed(key.values[n][0]) for n in names]
    other = [typed(key.values[n][1]) for n in names]
    rows = [["student", "code", "variant", *names],
            ["Anna", key.codes[0], "", *right],
            ["Boris", key.codes[1], "", *other],
            ["Vera", "", "1", *right],
            ["boris ", key.codes[2], "", *right]]
    path = tmp_path / "r.csv"
    path.write_text(spreadsheet(rows), encoding="utf-8")
    code, _, err = gen("grade", str(path), "--key", key_path, "--out", str(tmp_path / "g"), "--format", "csv",
                       "--quiet")
    assert code == 0
    assert err.splitlines() == [
        f"gen-worksheets: warning: {path}: variant 1 ({key.codes[0]}) is answered by line 2 and line 4; all are graded",
        f"gen-worksheets: warning: {path}: student 'Boris' appears in line 3 and line 5; all are graded",
    ]
    assert len((tmp_path / "g" / "grades.csv").read_text().splitlines()) == 5


def test_grade_with_stderr_closed_writes_every_file(batch, class_file, tmp_path):
    # As from cron (2>&-): sys.stderr is None; messages are lost, not the grades.
    out = tmp_path / "g"
    args = ["grade", str(class_file), "--key", str(batch / "answers.json"), "--out", str(out), "--jobs", "2"]
    done = subprocess.run(["sh", "-c", 'exec "$@" 2>&-', "sh", sys.executable, "-m", "generator", *args])
    assert done.returncode == 0
    assert sorted(p.name for p in out.iterdir()) == ["feedback.pdf", "grades.csv", "grades.json"]
    assert json.loads((out / "grades.json").read_text())["graded"]


def test_one_bad_variant_cell_is_refused_and_the_rest_graded(key, key_path, tmp_path, gen):
    names = list(key.layout.answer_names)
    right = [typed(key.values[n][0]) for n in names]
    rows = [["student", "variant", *names], ["a", "1", *right], ["b", "²", *right], ["c", "1", *right]]
    path = tmp_path / "r.csv"
    path.write_text(spreadsheet(rows), encoding="utf-8")
    code, _, err = gen("grade", str(path), "--key", key_path, "--out", str(tmp_path / "g"), "--format", "csv",
                       "--quiet")
    assert code == 0 and f"{path}, line 3: refused: variant '²' is not a whole number" in err, err
    assert len((tmp_path / "g" / "grades.csv").read_text().splitlines()) == 3


def test_limits_of_what_is_read(key, key_path, class_file, tmp_path, gen):
    from generator.grading.responses import MAX_CELL_CHARS, MAX_RESPONSES

    def grade(responses, *args, key=key_path):
        return gen("grade", str(responses), "--key", str(key), "--out", str(tmp_path / "g"), *args)

    big = tmp_path / "big.csv"
    big.write_bytes(b"student,code,z_1\n" + b"x" * (16 * 2**20))
    cases = [(grade("/dev/zero"), "/dev/zero is larger than 16 MB; at most 10000 rows of answers are graded at once"),
             (grade(big), f"{big} is larger than 16 MB; at most 10000 rows of answers are graded at once"),
             (grade(class_file, key="/dev/zero"), "/dev/zero is larger than 128 MB"),
             ]
    rows = tmp_path / "rows.csv"
    rows.write_text("student,code,z_1\n" + f"x,{key.codes[0]},1\n" * (MAX_RESPONSES + 1), encoding="utf-8")
    cases.append((grade(rows), f"has more than {MAX_RESPONSES} rows of answers; grade it in parts"))
    many = tmp_path / "many.json"
    many.write_text(json.dumps({"generator": "gen-worksheets", "layers": [2, 2, 2, 1], "decimals": 4,
                                "variants": [{}] * 10_001}), encoding="utf-8")
    cases.append((grade(class_file, key=many), "the file holds 10001 variants; at most 10000, as --count"))
    for (code, _, err), message in cases:
        assert code == 2 and message in err and err.count("\n") == 1, err
    assert not (tmp_path / "g").exists()

    # A cell longer than any number is cut, and unreadable: the feedback stays a page a student.
    names = list(key.layout.answer_names)
    long = tmp_path / "long.csv"
    cells = [typed(key.values[n][0]) for n in names]
    cells[0] = "1" * 100_000
    long.write_text(spreadsheet([["student", "code", *names], ["x" * 100_000, key.codes[0], *cells]]), encoding="utf-8")
    code, _, err = grade(long, "--format", "json,pdf")
    assert code == 0, err
    (graded,) = json.loads((tmp_path / "g" / "grades.json").read_text())["graded"]
    assert graded["student"] == "x" * MAX_CELL_CHARS + "…"
    assert graded["answers"]["z_1"]["status"] == "unreadable"
    assert graded["answers"]["z_1"]["text"] == "1" * MAX_CELL_CHARS + "…"
    assert len(PdfReader(tmp_path / "g" / "feedback.pdf").pages) <= 2


def test_a_right_to_left_override_in_a_name_ends_with_the_name(key, key_path, tmp_path, gen):
    # U+202E reverses what follows it until the end of its paragraph: without isolation the
    # variant code beside the name in the page header printed backwards.
    names = list(key.layout.answer_names)
    right = [typed(key.values[n][0]) for n in names]
    right[0] = "\u202e1,5"  # and in an unreadable cell
    path = tmp_path / "r.csv"
    path.write_text(spreadsheet([["student", "code", *names], ["Eve\u202e", key.codes[0], *right]]), encoding="utf-8")
    code, _, err = gen("grade", str(path), "--key", key_path, "--out", str(tmp_path / "g"), "--format", "pdf",
                       "--jobs", "1")
    assert code == 0, err
    text = PdfReader(tmp_path / "g" / "feedback.pdf").pages[0].extract_text()
    assert f"Variant 1 · {key.codes[0]}" in text, text
    assert key.codes[0][::-1] not in text


@pytest.mark.parametrize("encoding, delimiter, first_line", [
    ("utf-16", "\t", ""),  # Excel's "Unicode text": UTF-16 with a byte order mark, tabs
    ("utf-16-be", "\t", "\ufeff"),
    ("utf-8", ";", "sep=;\r\n"),  # Excel's line naming the separator
    ("utf-8", ",", "sep=,\n"),
])
def test_excel_files_are_read(key, key_path, tmp_path, gen, encoding, delimiter, first_line):
    names = list(key.layout.answer_names)
    rows = [["student", "code", *names], ["Анна", key.codes[0], *(typed(key.values[n][0]) for n in names)],
            ["Boris", "", *(typed(key.values[n][1]) for n in names)]]
    path = tmp_path / "r.csv"
    path.write_bytes((first_line + spreadsheet(rows, delimiter=delimiter, bom=False)).encode(encoding))
    code, _, err = gen("grade", str(path), "--key", key_path, "--out", str(tmp_path / "g"), "--format", "json")
    assert code == 0, err
    # Boris names no variant: refused with his line, counted as in the file.
    assert f"{path}, line {3 + bool(first_line.startswith('sep'))}: refused: no code and no variant" in err
    (graded,) = json.loads((tmp_path / "g" / "grades.json").read_text())["graded"]
    assert graded["student"] == "Анна" and graded["score"] == 32


def test_a_variant_answered_many_times_is_one_warning_line_of_bounded_length(key, key_path, tmp_path, gen):
    names = list(key.layout.answer_names)
    right = [typed(key.values[n][0]) for n in names]
    rows = [["student", "variant", *names]] + [[f"s{i}", "1", *right] for i in range(40)]
    path = tmp_path / "r.csv"
    path.write_text(spreadsheet(rows), encoding="utf-8")
    code, _, err = gen("grade", str(path), "--key", key_path, "--out", str(tmp_path / "g"), "--format", "csv")
    (warning,) = [line for line in err.splitlines() if "warning" in line]
    assert code == 0 and warning.endswith(
        f"variant 1 ({key.codes[0]}) is answered by line 2, line 3, line 4, line 5, line 6 and 35 more; all are graded")
