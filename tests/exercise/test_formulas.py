"""The formula graph reproduces the solver, names what each formula reads, and prints Python that
the course's notebook accessors evaluate to the key; tolerances bound real rounding students."""

import math

import numpy as np
import pytest

from generator.exercise import formulas, tolerance
from generator.exercise.description import COURSE, Exercise
from generator.exercise.draw import draw
from generator.exercise.layout import Layout
from generator.exercise.solver import solve

import students
from course import COURSE_ANSWERS, course_givens

EXERCISES = [Exercise(Layout(s)) for s in ((2, 2, 2, 1), (3, 2, 1), (2, 3, 2, 1), (2, 2, 2, 2, 1), (4, 4, 1))]


@pytest.fixture(scope="module", params=EXERCISES, ids=lambda e: e.layout.text)
def solved(request):
    exercise = request.param
    solution = solve(draw(exercise, 200, seed=11, lr=0.1, decimals=4))
    return exercise, solution, tolerance.key_values(solution)


def test_graph_names_every_answer_in_the_course_order(solved):
    exercise, _, _ = solved
    assert tuple(f.name for f in formulas.graph(exercise)) == exercise.layout.answer_names


def test_every_formula_reproduces_the_solver(solved):
    exercise, _, values = solved
    for f in formulas.graph(exercise):
        np.testing.assert_allclose(formulas.evaluate(exercise, f, values), values[f.name], rtol=1e-12, atol=1e-12,
                                   err_msg=f.name)


def test_each_formula_reads_only_its_operands_and_they_come_before_it(solved):
    exercise, _, values = solved
    known = set(exercise.layout.given_names)
    for f in formulas.graph(exercise):
        assert set(f.operands) <= known, f"{f.name} reads {set(f.operands) - known} before they are known"
        only = {name: values[name] for name in f.operands}
        np.testing.assert_array_equal(formulas.evaluate(exercise, f, only), formulas.evaluate(exercise, f, values),
                                      err_msg=f.name)
        known.add(f.name)


def _accessor(values, letter, k):
    return lambda *index: values[f"{letter}_{''.join(map(str, index))}"][k]


def _notebook_namespace(values, k):
    """The course notebook's accessors for variant k: x(i), W(i, j), z(i), y, lr, L(y, y_pred)."""
    ns = {"tanh": math.tanh, "L": lambda y, y_pred: (y_pred - y) ** 2}
    letters = {name.partition("_")[0] for name in values if name.partition("_")[2].isdigit()}
    for letter in letters:
        ns[letter] = _accessor(values, letter, k)
    # No formula reads the loss's value; the name L is the loss function, as in the notebook.
    ns |= {name: float(v[k]) for name, v in values.items() if not name.partition("_")[2].isdigit() and name != "L"}
    return ns


def test_python_expressions_evaluate_to_the_key(solved):
    exercise, _, values = solved
    for k in range(3):
        ns = _notebook_namespace(values, k)
        for f in formulas.graph(exercise):
            assert eval(formulas.python(exercise, f), ns) == pytest.approx(values[f.name][k], rel=1e-12, abs=1e-12), \
                f.name


def test_course_notebook_expressions():
    by_name = {f.name: formulas.python(COURSE, f) for f in formulas.graph(COURSE)}
    # As the course's notebook writes them.
    assert by_name["L_partial_y_pred"] == "2 * (y_pred - y)"
    assert by_name["L_partial_V_11"] == "L_partial_y_pred * q(1)"
    assert by_name["L_partial_q_1"] == "L_partial_y_pred * V(1, 1)"
    assert by_name["V_11_updated"] == "V(1, 1) - lr * L_partial_V_11"
    assert by_name["U_21_updated"] == "U(2, 1) - lr * L_partial_U_21"
    assert by_name["z_1"] == "tanh(W(1, 1) * x(1) + W(2, 1) * x(2))"
    assert by_name["y_pred"] == "V(1, 1) * q(1) + V(2, 1) * q(2)"
    assert by_name["L_partial_U_11"] == "L_partial_q_1 * (1 - q(1) ** 2) * z(1)"


# --- tolerances ------------------------------------------------------------------------


def _student(exercise, values, decimals, rng, mode):
    return students.work(exercise, values, decimals, mode, rng)[0]


@pytest.mark.parametrize("mode", ["full", "rounded", "mixed"])
@pytest.mark.parametrize("decimals", [2, 4])
def test_rounding_students_stay_within_the_tolerance(solved, mode, decimals):
    exercise, solution, values = solved
    tol = tolerance.tolerances(exercise, values, decimals)
    student = _student(exercise, values, decimals, np.random.default_rng(5), mode)
    for name in exercise.layout.answer_names:
        error = np.abs(student[name] - values[name])
        assert (error <= tol[name]).all(), f"{name}: {error.max()} > {tol[name][np.argmax(error - tol[name])]}"
        assert (tol[name] >= tolerance.half_unit(decimals)).all()


def test_tolerance_is_tight_enough_to_catch_rounding_to_fewer_places(solved):
    # A student asked for 4 places who writes 2 must not pass every box.
    exercise, _, values = solved
    tol = tolerance.tolerances(exercise, values, 4)
    student = _student(exercise, values, 2, np.random.default_rng(5), "rounded")
    inside = np.stack([np.abs(student[n] - values[n]) <= tol[n] for n in exercise.layout.answer_names], axis=1)
    assert not inside.all(axis=1).any()


def test_course_example_tolerances():
    solution = solve(course_givens())
    values = tolerance.key_values(solution)
    tol = tolerance.of_solution(solution, 4)
    relative = {name: tol[name][0] / abs(COURSE_ANSWERS[name]) for name in COURSE_ANSWERS}
    # Its worst answer: dL/dW_12 = 0.0171 through the nearly saturated z_2 = 0.9951.
    assert max(relative, key=relative.get) == "L_partial_W_12"
    assert 0.01 < relative["L_partial_W_12"] < 0.02
    assert sorted(relative.values())[-2] < 0.015
    # z_1 depends only on given numbers: only its own rounding.
    assert tol["z_1"][0] == pytest.approx(tolerance.SAFETY * 0.5e-4)
    assert values["z_1"][0] == pytest.approx(COURSE_ANSWERS["z_1"])


def test_answers_json_records_every_tolerance():
    import json

    from generator.exchange.answers import answers_json
    from generator.exercise.batch import make_batch

    batch = make_batch(count=3, seed=4, decimals=3)
    document = json.loads(answers_json(batch))
    expected = tolerance.of_solution(batch.solution, 3)
    for k, variant in enumerate(document["variants"]):
        assert list(variant["tolerances"]) == list(batch.layout.answer_names)
        for name, value in variant["tolerances"].items():
            assert value == expected[name][k] >= tolerance.half_unit(3)
