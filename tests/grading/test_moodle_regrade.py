"""Re-grading Moodle exports of simulated students who slip once and carry on: wrong where they
slipped, carried after, whatever the download format and the site's language; the export is
made the way Moodle makes it from a moodle.xml written now (the variant's code leads Question N)."""

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from generator.exchange.answers import parse
from generator.exercise import formulas
from generator.grading.moodleexport import split_parts

import students
from commands import run_ok
from moodleexports import HEADERS, html2text, responses, right_answers, write

DECIMALS = 4
COUNT = 6


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("batch") / "worksheets"
    run_ok("--count", COUNT, "--seed", "190", "--format", "moodle,json", "--out", out, "--quiet", "--jobs", "1")
    key = parse((out / "answers.json").read_text(encoding="utf-8"))
    questions = [q.findtext("questiontext/text") for q in ET.parse(out / "moodle.xml").getroot()
                 if q.get("type") == "cloze"]
    return key, out / "answers.json", [html2text(q) for q in questions]


def swapped_points(exercise):
    """Points 2 and 3 swapped: the weights updated first, and the updated ones used in point 2."""
    updates = {f.old: f for f in formulas.graph(exercise) if f.kind == "update"}

    def slip(f, written):
        if f.kind != "neuron_partial":
            return None
        return formulas.evaluate(exercise, f, written | {t.factor: formulas.evaluate(exercise, updates[t.factor],
                                                                                     written) for t in f.terms})

    return slip


def typo(exercise, name):
    """Two digits of one box swapped, and the later steps worked from the typo."""

    def slip(f, written):
        if f.name != name:
            return None
        text = f"{formulas.evaluate(exercise, f, written)[0]:.{DECIMALS}f}"
        digits = [i for i, c in enumerate(text) if c.isdigit()]
        i, j = next((i, j) for i, j in zip(digits, digits[1:]) if text[i] != text[j])
        chars = list(text)
        chars[i], chars[j] = chars[j], chars[i]
        return np.array([float("".join(chars))])

    return slip


SLIPS = {
    "forgotten derivative": lambda exercise: students.forgotten_derivative(exercise, "q"),
    "points 2 and 3 swapped": swapped_points,
    "a typo": lambda exercise: typo(exercise, "L_partial_V_11"),
}


def attempt(key, k, slip=None):
    """(the boxes typed by a student who rounds to DECIMALS and carries on, the names that slipped)
    for variant k."""
    given = {name: values[k: k + 1] for name, values in key.values.items()}
    written, slipped = students.work(key.exercise, given, DECIMALS, "rounded", slip=slip)
    return [f"{written[name][0]:.{DECIMALS}f}" for name in key.layout.answer_names], slipped


def export_rows(key, questions, lang, with_right=True):
    """A row per student: variant k+1's student slips in SLIPS' order (one careful student last)."""
    rows, slips = [], []
    decimal = "," if lang == "ru" else "."
    kinds = [*SLIPS, None]
    for k in range(len(kinds)):
        kind = kinds[k]
        typed, slipped = attempt(key, k, SLIPS[kind](key.exercise) if kind else None)
        right = right_answers([key.values[name][k] for name in key.layout.answer_names], decimal)
        row = [f"Student{k + 1:02d}", kind or "careful", f"s{k + 1}@example.com", "Finished",
               "1 December 2026  5:26 PM", "1 December 2026  5:57 PM", "31 mins", "9.00", questions[k],
               responses(typed)] + ([right] if with_right else [])
        rows.append(row)
        slips.append((kind, slipped))
    return rows, slips


CASES = [("csv", "en", True), ("xlsx", "ru", True), ("ods", "en", True), ("ods", "ru", True),
         ("csv", "de", False), ("xlsx", "de", True), ("json", "en", True), ("semicolon.csv", "ru", True)]


@pytest.mark.parametrize("kind, lang, with_right", CASES, ids=[f"{k}-{lang}" for k, lang, _ in CASES])
def test_a_slip_is_wrong_and_what_follows_is_carried(batch, gen, tmp_path, kind, lang, with_right):
    key, key_file, questions = batch
    rows, slips = export_rows(key, questions, lang, with_right)
    header = HEADERS[lang][: len(rows[0])]
    export = write(tmp_path / f"responses.{kind}", header, rows)
    code, _, err = gen("grade", export, "--key", key_file, "--out", tmp_path / "g", "--format", "csv,json")
    assert code == 0, err
    grades = json.loads((tmp_path / "g" / "grades.json").read_text(encoding="utf-8"))
    assert grades["refused"] == [] and len(grades["graded"]) == len(rows)
    assert [g["code"] for g in grades["graded"]] == list(key.codes[: len(rows)])  # by the code in Question N
    for g, (slip, slipped) in zip(grades["graded"], slips):
        answers = g["answers"]
        if slip is None:
            assert {a["status"] for a in answers.values()} == {"correct"} and g["moodle_right"] == 32
            continue
        assert slipped, slip
        first = key.layout.answer_names.index(slipped[0])
        for j, (name, a) in enumerate(answers.items()):
            if j < first:
                assert a["status"] == "correct", (slip, name)
            elif name in slipped[:1]:
                assert a["status"] == "wrong", (slip, name)
            elif name not in slipped:
                off_key = abs(a["value"] - a["expected"]) > a["tolerance"]
                assert a["status"] == ("carried" if off_key else "correct"), (slip, name)
                if off_key:  # Moodle marked it wrong, and grades.json says why ours differs
                    assert a["moodle"] == "wrong" and a["why"].startswith("carried forward"), (slip, name)
        carried = sum(a["status"] == "carried" for a in answers.values())
        assert carried >= 1 and g["score"] > g["moodle_right"], slip
        assert g["moodle_grade"] == 9.0 and g["grade"] == pytest.approx(g["score"] / 32 * 10)


def test_a_row_of_no_variant_of_the_key_is_refused_with_its_line(batch, gen, tmp_path):
    key, key_file, questions = batch
    rows, _ = export_rows(key, questions, "en")
    other = [*rows[0]]
    # Another batch's question: a valid code this key does not have, and other right answers.
    other[8] = "Variant 1 · NK14-N\n\nGIVEN ..."
    other[10] = right_answers([0.5] * 32)
    export = write(tmp_path / "responses.csv", HEADERS["en"], [*rows, other])
    code, _, err = gen("grade", export, "--key", key_file, "--out", tmp_path / "g", "--format", "json")
    assert code == 0
    grades = json.loads((tmp_path / "g" / "grades.json").read_text(encoding="utf-8"))
    (refused,) = grades["refused"]
    lines = export.read_text(encoding="utf-8-sig").count("\n")
    assert "NK14-N" in refused["reason"] and refused["line"] > 1 and refused["line"] < lines
    assert f"line {refused['line']}: refused" in err and len(grades["graded"]) == len(rows)


def test_a_code_whose_right_answers_are_another_variant_s_is_refused(batch, gen, tmp_path):
    key, key_file, questions = batch
    rows, _ = export_rows(key, questions, "en")
    rows[0][10] = rows[1][10]  # variant 1's question with variant 2's right answers
    export = write(tmp_path / "responses.xlsx", HEADERS["en"], rows)
    code, _, err = gen("grade", export, "--key", key_file, "--out", tmp_path / "g", "--format", "json")
    assert code == 0 and f"row 2: refused: the question's code {key.codes[0]} is variant 1" in err


def test_an_export_with_no_submitted_attempt_stops_in_one_line(batch, gen, tmp_path):
    key, key_file, questions = batch
    rows, _ = export_rows(key, questions, "en")
    for row in rows:
        row[5:8], row[9] = ["-", "-", "-"], "-"  # in progress: no finish, no grade, no response yet
    export = write(tmp_path / "responses.ods", HEADERS["en"], rows)
    code, _, err = gen("grade", export, "--key", key_file, "--out", tmp_path / "g")
    assert code == 1 and err.strip().endswith("(none was submitted)") and err.count("\n") == 1, err
    assert not (tmp_path / "g").exists()


def test_response_parts_are_anchored_on_their_numbers():
    assert split_parts("part 1: 0.5; part 2: ; part 3: 1;2; part 4:", 4) == ("0.5", "", "1;2", "")
    # A typed "; part 3:" inside box 3 is box 3's text; the label is looked for where it is due.
    assert split_parts("part 1: a; part 2: b; part 3: x; part 3: y; part 4: z", 4) == ("a", "b", "x; part 3: y",
                                                                                          "z")
    assert split_parts("part 1: \u00a0-0.5 ; part 2: 1", 2) == ("\u00a0-0.5", "1")  # Moodle keeps a no-break space
    assert split_parts("part 1: 1; part 2: 2", 3) is None and split_parts("part 1: 1; part 2: 2; part 3: 3", 2) is None
    assert split_parts("-", 2) is None
