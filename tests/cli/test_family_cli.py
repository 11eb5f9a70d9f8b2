"""The exercise family on the command line: --activation, --bias, --output, --loss; answers.json
records the exercise, --given and `grade` read it back, and every bad combination is one line."""

import json

import pytest

from generator.exchange.answers import parse

from course import COURSE_GIVEN


def test_answers_json_records_the_exercise_and_a_given_file_renders_it_again(gen, tmp_path):
    code, _, err = gen("--count", "3", "--seed", "5", "--activation", "relu", "--bias", "--format", "json",
                       "--out", tmp_path / "a")
    assert code == 0, err
    first = json.loads((tmp_path / "a" / "answers.json").read_text())
    assert {k: first[k] for k in ("layers", "activation", "output", "loss", "bias")} == {
        "layers": [2, 2, 2, 1], "activation": "relu", "output": "linear", "loss": "squared", "bias": True}
    # Each variant's given data name what differs from the course's exercise, biases as row 0.
    given = first["variants"][0]["given"]
    assert (given["activation"], given["bias"], len(given["W"]), len(given["V"])) == ("relu", True, 3, 3)
    assert "loss" not in given and "output" not in given
    # The whole file, or one variant copied out, renders the same exercise without any option.
    (tmp_path / "one.json").write_text(json.dumps(given))
    for source, out in ((tmp_path / "a" / "answers.json", "b"), (tmp_path / "one.json", "c")):
        code, _, err = gen("--given", source, "--seed", "5", "--format", "json", "--out", tmp_path / out)
        assert code == 0, err
        again = json.loads((tmp_path / out / "answers.json").read_text())
        assert again["activation"] == "relu" and again["bias"] is True
        assert again["variants"][0]["answers"] == first["variants"][0]["answers"]
    # The key keeps it for the grader.
    key = parse((tmp_path / "a" / "answers.json").read_text())
    assert key.exercise.activation.name == "relu" and key.layout.bias
    assert "W_01" in key.layout.given_names and "L_partial_W_01" in key.layout.answer_names


def test_an_answers_json_from_before_the_family_is_the_course_s_exercise(tmp_path, gen):
    assert gen("--count", "2", "--seed", "9", "--format", "json", "--out", tmp_path / "a")[0] == 0
    document = json.loads((tmp_path / "a" / "answers.json").read_text())
    for field in ("activation", "output", "loss", "bias"):
        del document[field]
    key = parse(json.dumps(document))
    assert key.exercise.names == {"activation": "tanh", "output": "linear", "loss": "squared", "bias": False}


def bad_given(tmp_path, given) -> str:
    path = tmp_path / "given.json"
    path.write_text(json.dumps(given))
    return str(path)


@pytest.mark.parametrize("args, message", [
    (["--loss", "cross-entropy"], "the cross-entropy loss needs an output between 0 and 1: use --output sigmoid"),
    (["--activation", "softmax"],
     "Invalid value for '--activation': 'softmax' is not one of 'tanh', 'sigmoid', 'relu'"),
    (["--output", "relu"], "Invalid value for '--output': 'relu' is not one of 'linear', 'sigmoid'"),
    (["--loss", "hinge"], "Invalid value for '--loss'"),
])
def test_a_bad_combination_of_options_is_one_line(gen, tmp_path, args, message):
    code, _, err = gen(*args, "--out", tmp_path / "o")
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("given, args, message", [
    (COURSE_GIVEN | {"output": "sigmoid", "loss": "cross-entropy", "y": 0.3}, [],
     "the given object.y must be 0 or 1 for the cross-entropy loss, got 0.3"),
    (COURSE_GIVEN | {"loss": "cross-entropy"}, [], "the cross-entropy loss needs an output between 0 and 1"),
    (COURSE_GIVEN | {"activation": "relu"}, ["--activation", "sigmoid"],
     "the file's activation is \"relu\", --activation says \"sigmoid\": leave out --activation, or change the file"),
    (COURSE_GIVEN | {"activation": "swish"}, [], "the given object.activation must be one of tanh, sigmoid, relu"),
    (COURSE_GIVEN | {"bias": "yes"}, [], "the given object.bias must be one of true or false"),
    (COURSE_GIVEN | {"bias": True}, [], "the given object.W must have 3 rows (row 0 for the biases, then one per "
                                        "neuron of the layer before), got 2"),
    ([COURSE_GIVEN | {"loss": "half-squared"}, COURSE_GIVEN], ["--loss", "squared"],
     "the file's loss is \"half-squared\", --loss says \"squared\""),
    ([COURSE_GIVEN | {"loss": "half-squared"}, COURSE_GIVEN | {"loss": "squared"}], [],
     "variant 2 has loss \"squared\", the rest of the file \"half-squared\"; all must match"),
])
def test_a_given_file_s_exercise_against_the_options_is_one_line(gen, tmp_path, given, args, message):
    code, _, err = gen("--given", bad_given(tmp_path, given), *args, "--out", tmp_path / "o")
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert not (tmp_path / "o").exists()


def test_a_given_file_may_take_the_exercise_from_the_options(gen, tmp_path):
    with_bias = COURSE_GIVEN | {"W": [[0.5, -0.5]] + COURSE_GIVEN["W"], "U": [[1, 1]] + COURSE_GIVEN["U"],
                                "V": [[-1]] + COURSE_GIVEN["V"]}
    code, _, err = gen("--given", bad_given(tmp_path, with_bias), "--bias", "--activation", "sigmoid",
                       "--loss", "half-squared", "--format", "json", "--out", tmp_path / "o", "--quiet")
    assert code == 0, err
    document = json.loads((tmp_path / "o" / "answers.json").read_text())
    assert (document["activation"], document["loss"], document["bias"]) == ("sigmoid", "half-squared", True)
    assert document["variants"][0]["given"]["W"][0] == [0.5, -0.5]


def test_grade_reads_the_exercise_from_the_key(gen, tmp_path):
    assert gen("--count", "2", "--seed", "4", "--activation", "sigmoid", "--output", "sigmoid",
               "--loss", "cross-entropy", "--bias", "--format", "json", "--out", tmp_path / "b")[0] == 0
    key = json.loads((tmp_path / "b" / "answers.json").read_text())
    names = list(key["variants"][0]["answers"])
    assert len(names) == 42 and "L_partial_V_01" in names and "W_02_updated" in names
    rows = ["code," + ",".join(names)]
    rows += [v["code"] + "," + ",".join(f"{a:.4f}" for a in v["answers"].values()) for v in key["variants"]]
    (tmp_path / "typed.csv").write_text("\n".join(rows) + "\n")
    code, _, err = gen("grade", tmp_path / "typed.csv", "--key", tmp_path / "b" / "answers.json",
                       "--out", tmp_path / "g", "--format", "csv")
    assert code == 0, err
    assert "mean 42 / 42" in err


def test_given_numbers_that_push_the_loss_beyond_floating_point_are_one_line(gen, tmp_path):
    # A sigmoid output of exactly 1.0 in floating point under cross-entropy: ln(1 - ŷ) is -inf.
    saturated = {"x": [50, 50], "y": 0, "W": [[50, 50], [50, 50]], "U": [[50, 50], [50, 50]], "V": [[50], [50]],
                 "output": "sigmoid", "loss": "cross-entropy", "lr": 0.1}
    code, _, err = gen("--given", bad_given(tmp_path, saturated), "--format", "json", "--out", tmp_path / "o")
    assert code == 1 and err.count("\n") == 1
    assert "variant 1: L is not a finite number, so these given numbers make no exercise" in err
    assert not (tmp_path / "o").exists()
