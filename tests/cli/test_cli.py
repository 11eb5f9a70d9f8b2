import glob
import json
import os
import subprocess
import sys

import pytest
from pypdf import PdfReader

from generator.outputs import answerfiles

import pdftext
from commands import run_ok
from course import COURSE_ANSWERS, COURSE_GIVEN


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
    assert gen("--count", "3", "--seed", "5", "--layers", "3,2,1", "--out", tmp_path / "a", "--format", "json")[0] == 0
    doc = json.loads((tmp_path / "a" / "answers.json").read_text())
    (tmp_path / "one.json").write_text(json.dumps(doc["variants"][2]["given"]))
    assert gen("--given", str(tmp_path / "one.json"), "--out", str(tmp_path / "b"), "--format", "json")[0] == 0
    again = json.loads((tmp_path / "b" / "answers.json").read_text())
    assert again["layers"] == [3, 2, 1]
    assert again["variants"][0]["answers"] == doc["variants"][2]["answers"]
    # the whole answers.json is accepted too
    assert gen("--given", tmp_path / "a" / "answers.json", "--out", tmp_path / "c", "--format", "json")[0] == 0
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
        # 1e-20 moves no weight by a representable amount: L never drops, whatever the seed
        (["--layers", "4,4,4,4,1", "--lr", "1e-20", "--count", "1", "--seed", "1"], 1,
         "could not draw 1 good variants"),
        (["--layers", "4,4,4,4,1", "--lr", "10000", "--count", "1", "--seed", "1"], 2, "--lr"),
        (["--lr", "10.5"], 2, "--lr"),
        (["--lr", "-1"], 2, "--lr"),
        (["--lr", "0"], 2, "greater than 0"),
        (["--lr", "nan"], 2, "greater than 0 and at most 10"),
        (["--lr", "inf"], 2, "greater than 0 and at most 10"),
        (["--decimals", "9"], 2, "9 is not in the range 1<=x<=8"),
        (["--title", "Week\x0b5", "--format", "moodle"], 2, "--title: holds the control character U+000B"),
        (["--title", "Week\x855"], 2, "--title: holds the control character U+0085"),
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
        # bounds on every number: |value| <= 50, lr in (0, 10]
        (with_field(y=1e308), "the given object.y must be between -50 and 50, got 1e+308"),
        (with_field(y=10000), "the given object.y must be between -50 and 50, got 10000"),
        (with_field(y=-50.5), "y must be between -50 and 50"),
        (with_field(x=[1e308, 2]), "x[1] must be between -50 and 50"),
        (with_field(V=[[1], [-51]]), "V[2][1] must be between -50 and 50"),
        (with_field(U=[[2, int("9" * 401)], [1, 1]]),
         "U[1][2] must be between -50 and 50, got 999999999999... (401 characters)"),
        (with_field(lr=1e308), "lr must be greater than 0 and at most 10, got 1e+308"),
        (with_field(lr=10.01), "lr must be greater than 0 and at most 10"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"x": [' + "1" * 5000 + "]}", "not valid JSON"),
        # the field that is wrong is the one named
        (with_field(W=[[], []]), "the given object.W must have 1 to 4 columns (one per neuron of its layer), got 0"),
        (with_field(W=[[1] * 5, [1] * 5]), "W must have 1 to 4 columns"),
        (with_field(x=[1] * 5, W=[[1, 1]] * 5), "x must be a list of 1 to 4 numbers"),
        (with_field()[:-1] + ', "y": 4}', "key 'y' appears twice in one object"),
        ('{"variants": [{"given": ' + with_field()[:-1] + ', "W": [[1, 1], [1, 1]]}}]}', "key 'W' appears twice"),
        (json.dumps([COURSE_GIVEN] * 10_001), "more than 10000 variants"),
    ],
)
def test_bad_given_files_name_the_field(gen, tmp_path, text, message):
    code, _, err = gen("--given", bad_given(tmp_path, text), "--out", str(tmp_path / "out"))
    assert code == 2
    assert message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_given_numbers_at_the_bounds_are_solved_and_checked(gen, tmp_path):
    # the four-point finite difference was off by 77 here (its step is 1e-4 in W, 0.005 in s);
    # the self-check must hold across the bounds, or a teacher is told the key would be wrong
    extreme = {"x": [50, 50], "y": -25, "W": [[-1, -2], [1, 2]], "U": [[25, 50], [25, 10]],
               "V": [[10], [-25]], "lr": 1}
    saturated = {"x": [50, -50], "y": -50, "W": [[50, -50], [0.001, 50]], "U": [[-50, 50], [50, 50]],
                 "V": [[50], [-50]], "lr": 10}
    small = {"x": [0.001, -0.001], "y": 50, "W": [[0.5, -1], [1, 1]], "U": [[2, -4], [-0.5, 1]],
             "V": [[1e-9], [-1]], "lr": 1e-9}
    code, _, err = gen("--given", bad_given(tmp_path, json.dumps([extreme, saturated, small])), "--out", tmp_path / "o",
                       "--format", "json,pdf", "--jobs", "1")
    assert code == 0, err
    variants = json.loads((tmp_path / "o" / "answers.json").read_text())["variants"]
    assert [v["given"] for v in variants] == [extreme, saturated, small]
    assert all(v["check_residual"] <= 1e-6 for v in variants)
    *warnings, summary = err.splitlines()  # the rules these break, the summary, no numpy warning
    assert all(line.startswith("gen-worksheets: warning: variant ") for line in warnings), err
    assert summary.startswith("3 variants: ")


def test_a_given_file_too_big_to_hold_is_refused_before_it_is_read(gen, tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as f:
        f.truncate(129 * 2**20)  # sparse: takes no room
    code, _, err = gen("--given", str(path), "--out", str(tmp_path / "o"))
    assert code == 2 and "the file has 129 MB; at most 128 MB" in err and err.count("\n") == 1


def test_given_file_that_is_not_utf8_names_its_line(gen, tmp_path):
    path = tmp_path / "g.json"
    path.write_bytes(b'{"x": [1, 2],\n "y": 5,\n "W": "\xff"}')
    code, _, err = gen("--given", str(path), "--out", str(tmp_path / "o"))
    assert code == 2 and "g.json: line 3 is not UTF-8 text" in err


def test_lr_with_given_is_used_where_the_file_has_none_and_refused_where_it_has(gen, tmp_path):
    without = {k: v for k, v in COURSE_GIVEN.items() if k != "lr"}
    code, _, err = gen("--given", bad_given(tmp_path, json.dumps(without)), "--lr", "0.5", "--out",
                       str(tmp_path / "a"), "--format", "json")
    assert code == 0, err
    assert json.loads((tmp_path / "a" / "answers.json").read_text())["variants"][0]["given"]["lr"] == 0.5
    for text in (json.dumps(COURSE_GIVEN), json.dumps([without, COURSE_GIVEN])):
        code, _, err = gen("--given", bad_given(tmp_path, text), "--lr", "0.5", "--out", str(tmp_path / "b"))
        assert code == 2 and err.count("\n") == 1
        assert "sets its own lr: leave out --lr, or remove lr from the file" in err
    assert not (tmp_path / "b").exists()


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


def test_out_under_a_file_is_refused(gen, tmp_path):
    (tmp_path / "file").write_text("mine")
    code, _, err = gen("--count", "1", "--out", str(tmp_path / "file" / "b" / "c"), "--format", "json")
    assert code == 2 and f"{tmp_path / 'file'} is a file, not a folder" in err and err.count("\n") == 1
    assert (tmp_path / "file").read_text() == "mine"


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

    def explode(batch, out):
        raise failure

    monkeypatch.setattr(answerfiles, "write_answers_csv", explode)
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


def command(*args, **kwargs):
    """The installed command in its own process: real argv bytes and real file descriptors."""
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, **kwargs)


@pytest.mark.parametrize("option", [b"--title", b"--out", b"--layers", b"--templates"])
def test_option_values_that_are_not_utf8_are_refused(tmp_path, option):
    value = bytes(tmp_path) + b"/caf\xe9" if option in (b"--out", b"--templates") else b"caf\xe9"
    if option == b"--templates":
        os.mkdir(value)
    done = command(b"--count", b"1", b"--format", b"json", option, value, cwd=tmp_path)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert err.count("\n") == 1 and err.startswith("gen-worksheets: error: ")
    assert "internal error" not in err and option.decode() in err
    assert os.listdir(bytes(tmp_path)) == ([b"caf\xe9"] if option == b"--templates" else [])


def test_out_names_too_long_for_the_file_system_are_refused(gen, tmp_path):
    for out in (tmp_path / ("x" * 300), tmp_path / ("x" * 240), tmp_path / ("y" * 300) / "b"):
        code, _, err = gen("--count", "1", "--format", "json", "--out", str(out))
        assert code == 2 and err.count("\n") == 1 and "--out" in err, err
        assert "too long" in err
    assert os.listdir(tmp_path) == []


def test_a_title_is_at_most_100_characters_and_the_header_keeps_its_place(gen, tmp_path):
    code, _, err = gen("--count", "1", "--title", "W" * 101, "--out", str(tmp_path / "o"))
    assert code == 2 and "--title" in err and "at most 100 characters" in err and "got 101" in err
    for lang, letter in (("en", "W"), ("ru", "Ж")):  # the widest letters of each language
        out = tmp_path / lang
        code, _, err = gen("--count", "1", "--seed", "2", "--lang", lang, "--title", letter * 100,
                           "--format", "pdf,json", "--jobs", "1", "--out", out)
        assert code == 0, err
        code = json.loads((out / "answers.json").read_text())["variants"][0]["code"]
        for name in ("worksheets/variant-01.pdf", "keys/variant-01-key.pdf"):
            for page in PdfReader(out / name).pages:
                found = []

                def visit(text, cm, tm, font, size, code=code, found=found):
                    if code in text:  # "Variant 1 · CODE": where it starts on the page
                        found.append((text.strip(), tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

                page.extract_text(visitor_text=visit)
                assert found, f"{name}: no {code} on a page"
                text, x, y = found[0]
                # all of it inside the page (a bold 8.5pt letter is at least 4.5pt wide)
                assert 0 < x and x + 4.5 * len(text) < float(page.mediabox.width), f"{name}: {text} left the page"
                assert 0 < y < float(page.mediabox.height), f"{name}: {text} left the page"


def test_a_title_with_characters_no_font_has_gets_one_warning(gen, tmp_path):
    title = "Backprop \U0001F9E0 week 5 \U0001F9E0 ∂ŷ"  # U+1F9E0: no installed font has it; ∂ŷ: DejaVu
    code, _, err = gen("--count", "1", "--seed", "1", "--title", title, "--format", "pdf", "--jobs", "1",
                       "--out", str(tmp_path / "o"))
    assert code == 0
    warnings = [line for line in err.splitlines() if "warning" in line]
    assert warnings == ["gen-worksheets: warning: no installed font has \U0001F9E0 (U+1F9E0) of --title; "
                        "they will print as boxes"]
    code, _, err = gen("--count", "1", "--seed", "1", "--title", title, "--format", "pdf", "--jobs", "1",
                       "--out", str(tmp_path / "q"), "--quiet")
    assert code == 0 and err == ""


def test_closed_or_full_output_streams(tmp_path):
    # --help into a full stdout: an error on stderr, exit 1, no traceback
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "generator", "--help"], stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 1
    assert done.stderr == b"gen-worksheets: error: cannot write to standard output: No space left on device\n"
    # a run whose stderr is full or closed still writes its whole batch and says 0
    for name, stderr in (("full", open("/dev/full", "wb")), ("closed", None)):
        out = tmp_path / name
        formats = "json,pdf" if name == "closed" else "json"  # WeasyPrint's own output has nowhere to go
        args = ["--count", "2", "--seed", "3", "--format", formats, "--jobs", "2", "--out", str(out)]
        if stderr is None:
            done = subprocess.run(["sh", "-c", 'exec "$@" 2>&-', "sh", sys.executable, "-m", "generator", *args])
        else:
            with stderr:
                done = subprocess.run([sys.executable, "-m", "generator", *args], stderr=stderr)
        assert done.returncode == 0
        assert sorted(p.name for p in out.iterdir()) == (["answer-keys.pdf", "answers.json", "grading-sheet.pdf",
                                                          "handouts.pdf", "keys", "worksheets"]
                                                         if name == "closed" else ["answers.json"])
        assert (out / "answers.json").read_text().endswith("}\n")  # nothing else landed in it
        # and a bad option still exits 2 with nothing written
        done = subprocess.run(["sh", "-c", 'exec "$@" 2>&-', "sh", sys.executable, "-m", "generator", "--count", "0",
                               "--out", str(tmp_path / "bad")])
        assert done.returncode == 2 and not (tmp_path / "bad").exists()


def _without_system_subsetter(args: list[str]) -> list[str]:
    """The command as on a machine without Debian's libharfbuzz-subset0: /dev/null in its place, in a
    mount namespace of its own (a machine that has none runs the command as it is)."""
    libraries = sorted(glob.glob("/usr/lib/*/libharfbuzz-subset.so.0"))
    if not libraries:
        return args
    return ["unshare", "-m", "sh", "-c", 'mount --bind /dev/null "$0" && exec "$@"', libraries[0], *args]


def test_without_the_system_subsetter_nothing_is_said_and_every_run_gives_the_same_bytes(tmp_path):
    probe = subprocess.run(_without_system_subsetter(
        [sys.executable, "-c", "from weasyprint.pdf.fonts import harfbuzz_subset; print(harfbuzz_subset is None)"]),
        capture_output=True, text=True)
    if probe.stdout.strip() != "True":
        pytest.skip(f"cannot hide the system's font subsetter here (needs root and unshare): {probe.stderr}")
    runs = {}
    for name, jobs in (("a", "2"), ("b", "2"), ("c", "1")):
        args = ["--count", "2", "--seed", "1", "--format", "pdf", "--out", str(tmp_path / name), "--jobs", jobs]
        done = subprocess.run(_without_system_subsetter([sys.executable, "-m", "generator", *args]),
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert done.stderr.startswith("2 variants: ") and done.stderr.count("\n") == 1  # the summary alone
        runs[name] = {p.relative_to(tmp_path / name): p.read_bytes() for p in (tmp_path / name).rglob("*.pdf")}
    assert len(runs["a"]) == 7 and runs["a"] == runs["b"] == runs["c"]


@pytest.mark.parametrize("formats", ["ipynb", "moodle", "pdf"])
def test_the_key_is_always_written(tmp_path, formats):
    # Notebooks or a Moodle file handed out without answers.json could never be graded, nor the
    # batch made again: the master seed is recorded nowhere else.
    out = tmp_path / "b"
    run_ok("--count", "1", "--format", formats, "--jobs", "1", "--out", out, "--quiet")
    key = json.loads((out / "answers.json").read_text())
    assert isinstance(key["master_seed"], int) and len(key["variants"]) == 1
    assert not (out / "answers.csv").exists()
