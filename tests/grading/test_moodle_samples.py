"""The real Responses exports of tests/moodle-samples (a Moodle 5.0 site; its README says what
each student typed and how Moodle marked it), re-graded against the batch regenerated with the
README's command: every student's statuses against what they typed, and Moodle's own grade and
box marks beside ours."""

import csv
import json
import zipfile

import pytest

from generator.exchange.answers import parse

from commands import run, run_ok
from moodleexports import SAMPLES

FORMATS = ("csv", "xlsx", "ods", "json")
# The README's table: boxes Moodle marked right per attempt, en and ru (Student02's two attempts).
MOODLE_RIGHT = {
    "en": [32, 32, 32, 0, 32, 0, 23, 18, 32, 32, 24],
    "ru": [32, 32, 32, 32, 32, 0, 23, 18, 32, 32, 27],
}
# Student10 "mixed": box i typed in kind (i - 1) % 17 of these, and whether our grader and Moodle
# (an English attempt, a Russian one) take it as the key's number.
MIXED = [  # (kind, ours, moodle en, moodle ru); None: right exactly when the key is not negative
    ("exact", True, True, True), ("rounded", True, True, True), ("comma", True, False, True),
    ("inside", True, True, True), ("outside", False, False, False), ("blank", None, False, False),
    ("U+2212", True, None, None), ("padded", True, True, True), ("inner space", True, True, True),
    ("space after the sign", True, True, True), ("e-3", True, True, True), ("E-3", True, True, True),
    ("x10^", True, True, True), (".6495", True, True, True), ("+0.3818", True, True, True),
    ("leading no-break space", True, False, False), ("-0,38180", True, False, True),
]


@pytest.fixture(scope="module", params=["en", "ru"])
def batch(request, tmp_path_factory):
    """The batch the samples were exported from, regenerated with the README's command."""
    lang = request.param
    out = tmp_path_factory.mktemp("batch") / "worksheets"
    run_ok("--count", "30", "--seed", "4242", "--format", "moodle,json", "--lang", lang, "--out", out, "--quiet",
           "--jobs", "1")
    return lang, out / "answers.json"


def grade(gen, export, key_file, out, *options):
    code, _, err = gen("grade", export, "--key", key_file, "--out", out, "--format", "csv,json", *options)
    assert code == 0, err
    return json.loads((out / "grades.json").read_text(encoding="utf-8")), err


@pytest.fixture(scope="module")
def graded(batch, tmp_path_factory):
    """grades.json of each download format of the language's export."""
    lang, key_file = batch
    results = {}
    for kind in FORMATS:
        out = tmp_path_factory.mktemp("grades") / "out"
        assert run("grade", SAMPLES / f"{lang}-responses.{kind}", "--key", key_file, "--out", out,
                   "--format", "csv,json", "--quiet") == 0
        results[kind] = (json.loads((out / "grades.json").read_text(encoding="utf-8")), out)
    return lang, parse(key_file.read_text(encoding="utf-8")), results


def test_every_format_gives_the_same_marks(graded):
    _, _, results = graded

    def strip(g):
        # JSON names the identity columns by its keys ("emailaddress"): the values are the same.
        return [{k: v for k, v in r.items() if k not in ("line", "where", "identity")} | {
            "identity": list(r["identity"].values())} for r in g["graded"]]
    first = strip(results["csv"][0])
    assert len(first) == 11
    for kind in FORMATS[1:]:
        assert strip(results[kind][0]) == first, kind


def test_every_row_is_matched_to_its_variant_by_its_right_answers(graded):
    # The samples were written before the question text started with the code.
    _, key, results = graded
    grades, _ = results["csv"]
    assert [g["variant"] for g in grades["graded"]] == [1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert [g["code"] for g in grades["graded"]][:3] == ["NK14-N", "3R1N-F", "3R1N-F"]
    assert grades["refused"] == []


def test_moodle_s_marks_are_recorded_as_moodle_gave_them(graded):
    lang, _, results = graded
    grades, _ = results["csv"]
    rows = list(csv.reader((SAMPLES / f"{lang}-responses.csv").open(encoding="utf-8-sig")))[1:]
    submitted = [r for r in rows if r[7] != "-"]
    assert [g["moodle_grade"] for g in grades["graded"]] == [float(r[7]) for r in submitted]
    # Our reading of each box as Moodle reads it gives Moodle's own count, attempt by attempt.
    assert [g["moodle_right"] for g in grades["graded"]] == MOODLE_RIGHT[lang]
    for g in grades["graded"]:
        assert g["moodle_grade"] == pytest.approx(g["moodle_right"] / 32 * 10, abs=0.005)
        assert g["max_grade"] == 10 and g["grade"] == pytest.approx(g["score"] / 32 * 10)


def statuses(g):
    return [a["status"] for a in g["answers"].values()]


def test_each_student_s_statuses_follow_what_they_typed(graded):
    lang, key, results = graded
    grades, _ = results["csv"]
    g = {(r["student"], r["attempt"]): r for r in grades["graded"]}
    names = key.layout.answer_names

    def student(n, attempt=1):
        return next(r for (s, a), r in g.items() if s.startswith(f"Student{n:02d} ") and a == attempt)

    for n in (1, 2, 3, 4, 7, 8, 9):  # exact, rounded, comma, inside, U+2212, spaces, e-notation
        assert set(statuses(student(n))) == {"correct"}, n
    assert set(statuses(student(2, 2))) == {"correct"}
    outside = student(5)
    assert statuses(outside)[0] == "wrong" and "correct" not in statuses(outside)
    assert outside["moodle_right"] == 0
    blanks = statuses(student(6))
    assert blanks == ["missing"] * 8 + ["correct"] * 23 + ["missing"]
    # A decimal comma: right to us in both languages; to Moodle only in a Russian attempt, and why.
    comma = student(3)["answers"]
    assert all((a["moodle"] == "right") == (lang == "ru") for a in comma.values())
    if lang == "en":
        assert comma["z_2"]["why"] == f"Moodle read it as {comma['z_2']['moodle_read']:g}"
        assert comma["z_2"]["moodle_read"] > 1000
    # U+2212: right to us, no number to Moodle in either language.
    minus = student(7)["answers"]
    for name in names:
        negative = key.values[name][6] < 0
        assert (minus[name]["moodle"] == "wrong") == negative, name
        if negative:
            assert minus[name]["moodle_read"] is None and minus[name]["why"] == "Moodle read no number in it"
    # e-notation: every form Moodle reads, we read the same.
    for a in student(9)["answers"].values():
        assert a["value"] == a["moodle_read"] and a["moodle"] == "right"


def test_the_mixed_student_box_by_box(graded):
    lang, key, results = graded
    grades, _ = results["csv"]
    mixed = next(r for r in grades["graded"] if r["student"].startswith("Student10"))
    for i, (name, a) in enumerate(mixed["answers"].items()):
        kind, ours, moodle_en, moodle_ru = MIXED[i % 17]
        non_negative = key.values[name][9] >= 0
        moodle = {"en": moodle_en, "ru": moodle_ru}[lang]
        assert (a["moodle"] == "right") == (non_negative if moodle is None else moodle), (i + 1, kind)
        if ours is None:
            assert a["status"] == "missing", (i + 1, kind)
        elif ours:
            assert a["status"] == "correct", (i + 1, kind)
        else:
            assert a["status"] in ("wrong", "carried"), (i + 1, kind)


def test_the_attempt_in_progress_is_skipped_and_the_second_attempt_kept(graded):
    _, _, results = graded
    grades, out = results["csv"]
    assert [s["reason"] for s in grades["moodle"]["skipped"]] == ["attempt not submitted (in progress): skipped"]
    assert not any(r["student"].startswith("Student11") for r in grades["graded"])
    second = [r for r in grades["graded"] if r["student"].startswith("Student02")]
    assert [(r["attempt"], r["counted"]) for r in second] == [(1, True), (2, False)]  # equal: the first
    rows = list(csv.DictReader((out / "grades.csv").open(encoding="utf-8")))
    assert len(rows) == 10
    assert sum(r["student"].startswith("Student02") for r in rows) == 1


def test_grades_csv_has_the_identity_columns_and_moodle_grades_csv_imports(graded):
    lang, _, results = graded
    grades, out = results["csv"]
    rows = list(csv.reader((out / "grades.csv").open(encoding="utf-8")))
    assert rows[0][:4] == ["Last name", "First name", "Email address", "student"]
    assert rows[1][:3] == ["Student01", "exact key", f"{lang}01@example.com"]
    imported = list(csv.reader((out / "moodle-grades.csv").open(encoding="utf-8")))
    assert imported[0][0] == "Email address" and len(imported[0]) == 2
    counted = [r for r in grades["graded"] if r["counted"]]
    assert [r[0] for r in imported[1:]] == [r["identity"]["Email address"] for r in counted]
    assert [float(r[1]) for r in imported[1:]] == pytest.approx([r["score"] / 32 * 10 for r in counted])


@pytest.mark.parametrize("method, student02, student02_attempt", [("last", 2, 2), ("first", 1, 1)])
def test_attempts_option_picks_the_attempt(batch, gen, tmp_path, method, student02, student02_attempt):
    lang, key_file = batch
    grades, _ = grade(gen, SAMPLES / f"{lang}-responses.csv", key_file, tmp_path / "o", "--attempts", method)
    counted = [(r["student"], r["attempt"]) for r in grades["graded"] if r["counted"]]
    assert len(counted) == 10 and ("Student02 rounded to 4", student02_attempt) in counted
    assert grades["moodle"]["attempts"] == method


def test_max_grade_rescales_moodle_grades_csv(batch, gen, tmp_path):
    _, key_file = batch
    grade(gen, SAMPLES / "en-responses.csv", key_file, tmp_path / "o", "--max-grade", "100")
    imported = list(csv.reader((tmp_path / "o" / "moodle-grades.csv").open(encoding="utf-8")))
    assert imported[1] == ["en01@example.com", "100"] and "out of 100" in imported[0][1]


def test_an_export_of_another_quiz_is_refused_in_one_line(gen, tmp_path):
    other = tmp_path / "other"
    run_ok("--count", "30", "--seed", "4243", "--format", "json", "--out", other, "--quiet")
    code, _, err = gen("grade", SAMPLES / "en-responses.xlsx", "--key", other / "answers.json", "--out",
                       tmp_path / "g")
    assert code == 1 and err.count("\n") == 1 and "no attempt" in err and "row 2" in err
    assert not (tmp_path / "g").exists()


@pytest.mark.parametrize("name, damage", [
    ("truncated.xlsx", lambda data: data[: len(data) // 2]),
    ("text.ods", lambda data: b"Last name,First name\nA,B\n"),
    ("document.ods", None),
    ("empty.xlsx", lambda data: b""),
])
def test_a_spreadsheet_that_cannot_be_read_is_refused_in_one_line(batch, gen, tmp_path, name, damage):
    _, key_file = batch
    path = tmp_path / name
    if damage is None:  # a ZIP, but an OpenDocument text, not a spreadsheet
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            z.writestr("content.xml", "<office:document-content/>")
    else:
        path.write_bytes(damage((SAMPLES / "en-responses.xlsx").read_bytes()))
    code, _, err = gen("grade", path, "--key", key_file, "--out", tmp_path / "g")
    assert code == 2 and err.count("\n") == 1 and name in err, err
    assert not (tmp_path / "g").exists()
