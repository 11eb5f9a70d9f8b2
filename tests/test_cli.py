import json
import os

import pytest

import pdftext
from conftest import COURSE_ANSWERS, COURSE_GIVEN
from generator import cli, export


def run(*args):
    """Run the command in-process; return (exit code, stdout, stderr lines)."""
    try:
        cli.run(list(args))
        code = 0
    except SystemExit as e:
        code = e.code
    return code


@pytest.fixture
def gen(capsys):
    def call(*args):
        code = run(*args)
        out, err = capsys.readouterr()
        return code, out, err
    return call


def test_json_and_csv_for_a_seeded_batch(gen, tmp_path):
    code, _, err = gen("--count", "5", "--seed", "7", "--out", str(tmp_path / "b"), "--format", "json,csv")
    assert code == 0, err
    doc = json.loads((tmp_path / "b" / "answers.json").read_text())
    assert doc["generator"].startswith("gen-worksheets ")
    assert doc["master_seed"] == 7 and doc["layers"] == [2, 2, 2, 1] and doc["decimals"] == 4
    assert [v["variant"] for v in doc["variants"]] == [1, 2, 3, 4, 5]
    first = doc["variants"][0]
    assert list(first["answers"]) == list(COURSE_ANSWERS)
    assert set(first["given"]) == {"x", "y", "W", "U", "V", "lr"}
    assert 0 <= first["check_residual"] <= 1e-6
    rows = (tmp_path / "b" / "answers.csv").read_text().splitlines()
    assert len(rows) == 6
    header = rows[0].split(",")
    assert header[:5] == ["variant", "code", "x_1", "x_2", "y"] and header[-2:] == ["L_after_update", "check_residual"]
    values = dict(zip(header, rows[1].split(",")))
    assert float(values["L_partial_W_21"]) == first["answers"]["L_partial_W_21"]
    assert values["code"] == first["code"]


def test_same_seed_gives_the_same_bytes_and_a_longer_batch_repeats_it(gen, tmp_path):
    for name, count in (("a", "30"), ("b", "30"), ("c", "40")):
        assert gen("--count", count, "--seed", "99", "--out", str(tmp_path / name), "--format", "json,csv")[0] == 0
    assert (tmp_path / "a" / "answers.json").read_bytes() == (tmp_path / "b" / "answers.json").read_bytes()
    assert (tmp_path / "a" / "answers.csv").read_bytes() == (tmp_path / "b" / "answers.csv").read_bytes()
    thirty = json.loads((tmp_path / "a" / "answers.json").read_text())["variants"]
    forty = json.loads((tmp_path / "c" / "answers.json").read_text())["variants"]
    assert forty[:30] == thirty


def test_without_a_seed_the_recorded_seed_regenerates_the_batch(gen, tmp_path):
    assert gen("--count", "4", "--out", str(tmp_path / "a"), "--format", "json")[0] == 0
    first = (tmp_path / "a" / "answers.json").read_text()
    seed = json.loads(first)["master_seed"]
    assert gen("--count", "4", "--out", str(tmp_path / "b"), "--format", "json")[0] == 0
    assert json.loads((tmp_path / "b" / "answers.json").read_text())["master_seed"] != seed
    assert gen("--count", "4", "--seed", str(seed), "--out", str(tmp_path / "c"), "--format", "json")[0] == 0
    assert (tmp_path / "c" / "answers.json").read_text() == first


def test_given_course_example(gen, tmp_path, course_given_file):
    code, _, err = gen("--given", str(course_given_file), "--out", str(tmp_path / "b"), "--format", "json")
    assert code == 0, err
    assert "warning" not in err  # the course's example meets every rule
    (variant,) = json.loads((tmp_path / "b" / "answers.json").read_text())["variants"]
    assert variant["given"] == COURSE_GIVEN
    for name, value in COURSE_ANSWERS.items():
        assert variant["answers"][name] == pytest.approx(value, abs=1e-12)


def test_given_data_that_break_the_rules_warn_and_still_render(gen, tmp_path):
    # The course's example, then the same with lr 0.2: V_21 moves by 0.2 * 6.3087 > 1.
    path = tmp_path / "given.json"
    path.write_text(json.dumps([COURSE_GIVEN, {**COURSE_GIVEN, "lr": 0.2}]))
    out = tmp_path / "b"
    code, _, err = gen("--given", str(path), "--out", str(out), "--format", "pdf,json", "--jobs", "1", "--quiet")
    assert code == 0, err
    # Warnings are not progress: --quiet keeps them.
    assert err.splitlines() == ["gen-worksheets: warning: variant 2: V_21 moves by 1.26 in the step (limit 1)"]
    variants = json.loads((out / "answers.json").read_text())["variants"]
    assert [v["given"]["lr"] for v in variants] == [0.1, 0.2]
    assert (out / "worksheets" / "variant-02.pdf").is_file()
    assert "−2.2617" in pdftext.numbers(out / "keys" / "variant-02-key.pdf")  # V_21 - 0.2 * 6.3087


def test_a_variant_copied_out_of_answers_json_renders_again(gen, tmp_path):
    assert gen("--count", "3", "--seed", "5", "--layers", "3,2,1", "--out", str(tmp_path / "a"), "--format", "json")[0] == 0
    doc = json.loads((tmp_path / "a" / "answers.json").read_text())
    (tmp_path / "one.json").write_text(json.dumps(doc["variants"][2]["given"]))
    assert gen("--given", str(tmp_path / "one.json"), "--out", str(tmp_path / "b"), "--format", "json")[0] == 0
    again = json.loads((tmp_path / "b" / "answers.json").read_text())
    assert again["layers"] == [3, 2, 1]
    assert again["variants"][0]["answers"] == doc["variants"][2]["answers"]
    # the whole answers.json is accepted too
    assert gen("--given", str(tmp_path / "a" / "answers.json"), "--out", str(tmp_path / "c"), "--format", "json")[0] == 0
    assert len(json.loads((tmp_path / "c" / "answers.json").read_text())["variants"]) == 3


def bad_given(tmp_path, text):
    path = tmp_path / "given.json"
    path.write_text(text)
    return str(path)


def with_field(**changes):
    g = dict(COURSE_GIVEN)
    g.update(changes)
    return json.dumps(g)


@pytest.mark.parametrize(
    "args, exit_code, message",
    [
        (["--count", "0"], 2, "0 is not in the range 1<=x<=10000"),
        (["--count", "-3"], 2, "-3 is not in the range"),
        (["--count", "2.5"], 2, "'2.5' is not a valid integer"),
        (["--count", "10001"], 2, "10001 is not in the range"),
        (["--seed", "abc"], 2, "'abc' is not a valid integer"),
        (["--seed", "-1"], 2, "--seed"),
        (["--given", "missing.json"], 2, "'missing.json' does not exist"),
        (["--format", "json,docx"], 2, "unknown format 'docx'"),
        (["--layers", "2,2,2,2,2,1"], 2, "2 to 4 weight layers"),
        (["--layers", "2,5,1"], 2, "1 to 4 neurons"),
        (["--layers", "2,2,2"], 2, "output layer has exactly 1 neuron"),
        (["--layers", "2,x,1"], 2, "whole numbers separated by commas"),
        (["--layers", "4,4,4,4,1", "--lr", "10000", "--count", "1"], 1, "could not draw 1 good variants"),
        (["--lr", "0"], 2, "greater than 0"),
        (["--lr", "nan"], 2, "finite number greater than 0"),
        (["--decimals", "9"], 2, "9 is not in the range 1<=x<=8"),
        (["--lang", "de"], 2, "'de' is not one of"),
    ],
)
def test_bad_options_get_one_clear_line(gen, tmp_path, args, exit_code, message):
    code, out, err = gen(*args, "--out", str(tmp_path / "out"))
    assert code == exit_code
    assert message in err
    assert err.count("\n") == 1 and err.startswith("gen-worksheets: error: ")
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "not valid JSON"),
        ("[]", "empty list"),
        ("42", "must be an object"),
        (with_field(W=[[1, 1]]), "the given object.W must have 2 rows"),
        (with_field(U=[[1, 1], [1]]), "U: every row must have the same length"),
        (with_field(x=[1, "2"]), 'x[2] must be a number, got "2"'),
        (with_field(y=True), "y must be a number, got true"),
        (with_field(lr=-0.1), "lr must be greater than 0"),
        (with_field(lr=0), "lr must be greater than 0"),
        (with_field(V=[[1, 2], [3, 4]]), "output layer has exactly 1 neuron"),
        (with_field(w=[[1]]), "unknown field 'w'"),
        (json.dumps({k: v for k, v in COURSE_GIVEN.items() if k != "y"}), "field 'y' is missing"),
        (with_field(y=float("nan")), "y must be a finite number"),
        (with_field(W=[[1, float("inf")], [1, 1]]), "W[1][2] must be a finite number"),
        (json.dumps([COURSE_GIVEN, {"x": [1, 2, 3], "y": 1, "W": [[1]] * 3, "V": [[1]]}]),
         "variant 2 has layers 3,1,1, variant 1 has 2,2,2,1"),
    ],
)
def test_bad_given_files_name_the_field(gen, tmp_path, text, message):
    code, _, err = gen("--given", bad_given(tmp_path, text), "--out", str(tmp_path / "out"))
    assert code == 2
    assert message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_given_cannot_be_mixed_with_count(gen, tmp_path, course_given_file):
    code, _, err = gen("--given", str(course_given_file), "--count", "3", "--out", str(tmp_path / "o"))
    assert code == 2 and "--count cannot be used with --given" in err


def test_out_that_is_a_file_is_refused(gen, tmp_path):
    target = tmp_path / "file"
    target.write_text("mine")
    code, _, err = gen("--count", "1", "--out", str(target))
    assert code == 2 and "is a file" in err
    assert target.read_text() == "mine"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_out_that_cannot_be_written_is_refused(gen, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, _, err = gen("--count", "1", "--out", str(locked / "b"), "--format", "json")
    assert code == 1 and "cannot write to" in err


def test_out_under_a_file_cannot_be_written(gen, tmp_path):
    (tmp_path / "file").write_text("mine")
    code, _, err = gen("--count", "1", "--out", str(tmp_path / "file" / "b"), "--format", "json")
    assert code == 1 and "cannot write to" in err and err.count("\n") == 1


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_existing_batch_is_kept_without_force_and_replaced_with_it(gen, tmp_path):
    out = tmp_path / "b"
    assert gen("--count", "2", "--seed", "1", "--out", str(out), "--format", "json,csv")[0] == 0
    before = snapshot(out)
    code, _, err = gen("--count", "2", "--seed", "2", "--out", str(out), "--format", "json")
    assert code == 2 and "--force" in err
    assert snapshot(out) == before
    assert gen("--count", "2", "--seed", "2", "--out", str(out), "--format", "json", "--force")[0] == 0
    assert json.loads((out / "answers.json").read_text())["master_seed"] == 2
    assert not (out / "answers.csv").exists()  # replaced, not mixed
    assert not (out / "responses-template.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]  # no staging folders left


@pytest.mark.parametrize("failure", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_a_run_that_fails_midway_leaves_the_previous_batch_intact(gen, tmp_path, monkeypatch, failure):
    out = tmp_path / "b"
    assert gen("--count", "2", "--seed", "1", "--out", str(out), "--format", "json,csv")[0] == 0
    before = snapshot(out)

    def explode(batch):
        raise failure

    monkeypatch.setattr(export, "answers_csv", explode)
    code, _, err = gen("--count", "3", "--seed", "2", "--out", str(out), "--format", "json,csv", "--force")
    if isinstance(failure, KeyboardInterrupt):
        assert code == 130 and "interrupted; nothing was written" in err
    else:
        assert code == 1 and "internal error (RuntimeError: disk on fire)" in err
    # (click ends the terminal's "^C" line first)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]


def test_version_and_help(gen):
    code, out, _ = gen("--version")
    assert code == 0 and "gen-worksheets" in out
    code, out, _ = gen("--help")
    assert code == 0 and "Examples:" in out and "--given" in out
