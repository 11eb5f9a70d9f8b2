"""Carried credit that cannot be gamed (issue 21): sheets that copy given numbers, write 0 or
tiny numbers, or saturate a neuron, and carry "honestly" from there, earn nothing after the
shortcut, on many variants of several layouts and members; honest slips keep their credit
(tests/grading/test_grading.py, test_family_grading.py)."""

import numpy as np
import pytest

from generator.exchange.answers import answers_json, parse
from generator.exercise import formulas
from generator.exercise.batch import make_batch
from generator.exercise.description import Exercise
from generator.exercise.layout import Layout
from generator.grading.report import mark
from generator.grading.responses import Reading, Response
from generator.grading.statuses import CARRIED, CORRECT, WRONG

import students

DECIMALS = 4
COUNT = 60
MEMBERS = {
    "2221": ((2, 2, 2, 1), {}),
    "321": ((3, 2, 1), {}),
    "22221": ((2, 2, 2, 2, 1), {}),
    "relu-bias-2221": ((2, 2, 2, 1), {"activation": "relu", "bias": True}),
    "sigmoid-ce-321": ((3, 2, 1), {"activation": "sigmoid", "output": "sigmoid", "loss": "cross-entropy"}),
}


@pytest.fixture(scope="module", params=list(MEMBERS))
def key(request):
    sizes, named = MEMBERS[request.param]
    exercise = Exercise.named(Layout(sizes), **named)
    return parse(answers_json(make_batch(count=COUNT, seed=21, exercise=exercise, decimals=DECIMALS)))


def graded(key, answers, names=None, carried_credit=1.0):
    """Every answer in ``names`` (all by default) typed rounded, as a sheet would show it."""
    names = key.layout.answer_names if names is None else names
    reading = Reading(tuple(
        Response(f"line {k + 2}", f"student {k + 1}", key.codes[k], key.numbers[k],
                 {n: f"{answers[n][k]:.{DECIMALS}f}" for n in names}) for k in range(len(key))))
    report = mark(reading, key, carried_credit)
    assert not report.refused
    return report.marks


def shortcut(name, value):
    """A slip that writes ``value(written)`` for ``name`` and works honestly from there."""
    def slip(f, written):
        return value(written) if f.name == name else None
    return slip


def after(key, name) -> list[str]:
    names = key.layout.answer_names
    return list(names[names.index(name) + 1:])


def carried_boxes(marks, names) -> np.ndarray:
    return (marks.status[:, [marks.names.index(n) for n in names]] == CARRIED)


def vanishing(key, answers, name) -> np.ndarray:
    """Where the box's own work is under a tenth of the key's: a gradient or a loss near 0, an
    update near the weight before it, ŷ near y."""
    step = {f.name: f for f in formulas.graph(key.exercise)}[name]
    if step.kind == "update":
        own, right = answers[name] - key.values[step.old], key.values[name] - key.values[step.old]
    elif name in ("L", "L_partial_y_pred"):
        own, right = answers["y_pred"] - key.values["y"], key.values["y_pred"] - key.values["y"]
    elif name.startswith("L_partial_"):
        own, right = answers[name], key.values[name]
    else:
        return np.zeros(len(key), dtype=bool)
    return np.abs(own) < 0.1 * np.abs(right)


def test_nothing_computed_but_copied_numbers_earns_only_coincidences(key):
    # ŷ = y, L = 0 and every gradient 0 (what ŷ = y gives), the given weights as "updated",
    # L_after_update = L of the unchanged network: before issue 21, 26/32 on every variant.
    answers, _ = students.work(key.exercise, key.values, DECIMALS, slip=shortcut("y_pred", lambda w: w["y"]))
    neurons = [f.name for f in formulas.graph(key.exercise) if f.kind == "neuron"]
    marks = graded(key, answers, [n for n in key.layout.answer_names if n not in neurons])
    assert not (marks.status == CARRIED).any()
    # What is right by coincidence: a ReLU's exact 0s and their updates, a weight that hardly moves.
    assert (marks.score == (marks.status == CORRECT).sum(1)).all()
    coincidences = sum(np.abs(answers[n] - key.values[n]) <= key.tolerances[n] for n in key.layout.answer_names
                       if n not in neurons)
    assert (marks.score == coincidences).all()


@pytest.mark.parametrize("carried_credit", [1.0, 0.5])
def test_the_forward_pass_and_the_target_copied_as_y_pred_earn_the_forward_pass(key, carried_credit):
    # Before issue 21: 31/32 (17.5 at --carried-credit 0.5).
    answers, _ = students.work(key.exercise, key.values, DECIMALS, slip=shortcut("y_pred", lambda w: w["y"]))
    marks = graded(key, answers, carried_credit=carried_credit)
    assert not carried_boxes(marks, after(key, "y_pred")).any()
    neurons = sum(f.kind == "neuron" for f in formulas.graph(key.exercise))
    coincidences = sum(np.abs(answers[n] - key.values[n]) <= key.tolerances[n] for n in after(key, "y_pred"))
    assert (marks.score == neurons + coincidences).all()


@pytest.mark.parametrize("offset", [3e-4, -2e-3, 1e-2])
def test_y_pred_a_hair_from_the_target_earns_nothing_after_it(key, offset):
    answers, _ = students.work(key.exercise, key.values, DECIMALS,
                               slip=shortcut("y_pred", lambda w: w["y"] + offset))
    marks = graded(key, answers)
    assert not carried_boxes(marks, after(key, "y_pred")).any()


@pytest.mark.parametrize("size", [1e-4, 3e-3])
def test_a_tiny_loss_gradient_earns_nothing_after_it(key, size):
    # ∂L/∂ŷ with the right sign but tiny: every later gradient vanishes, every update ≈ the weight.
    answers, _ = students.work(key.exercise, key.values, DECIMALS,
                               slip=shortcut("L_partial_y_pred", lambda w: size * np.sign(w["y_pred"] - w["y"])))
    marks = graded(key, answers)
    later = after(key, "L_partial_y_pred")
    assert not carried_boxes(marks, later).any()
    assert (marks.status[:, [marks.names.index(n) for n in later]] != WRONG).sum(1).max() <= 0.5 * len(later)


def test_the_loss_copied_as_0_costs_the_loss_only(key):
    answers, _ = students.work(key.exercise, key.values, DECIMALS)
    answers = answers | {"L": np.zeros(len(key))}
    marks = graded(key, answers)
    assert (marks.status[:, marks.names.index("L")] == WRONG).all()
    assert (marks.score == marks.max_score - 1).all()


def test_half_the_neuron_gradients_zero_earns_only_the_work_done(key):
    # In every layer's point 2 the first neuron's gradient is written as 0, and everything after
    # it worked out from there: the products by that 0 and the updates they leave in place earn
    # nothing; the rest (other neurons' paths, other layers) keeps its credit.
    first = {formulas.partial(key.layout.neuron_names(layer)[0]) for layer in range(len(key.layout.hidden_letters))}

    def slip(f, written):
        return np.zeros(len(key)) if f.name in first else None

    answers, slipped = students.work(key.exercise, key.values, DECIMALS, slip=slip)
    marks = graded(key, answers)
    names = key.layout.answer_names
    for name in names:
        carried = marks.status[:, names.index(name)] == CARRIED
        assert not (carried & vanishing(key, answers, name)).any(), name
    # (A ReLU neuron that is off passes no gradient on: a 0 written for it takes nothing away.)
    shortcut_taken = np.stack([(np.abs(answers[n] - key.values[n]) > key.tolerances[n])
                               & (key.values[n.removeprefix("L_partial_")] != 0) for n in first]).any(axis=0)
    assert shortcut_taken.mean() > 0.5
    assert marks.easier.any(axis=1)[shortcut_taken].all()
    # Some honest work after the zeros is carried: the paths through the other neurons.
    assert (marks.status == CARRIED).any(axis=1).mean() > 0.5


def test_carried_boxes_never_vanish_whatever_the_shortcut(key):
    # Every shortcut above, and one more: the first hidden neuron written as saturated, which
    # makes its derivative (and every gradient through it) vanish.
    rng = np.random.default_rng(21)
    first = key.layout.neuron_names(0)[0]
    saturated = {"tanh": 1.0, "sigmoid": 1.0, "relu": 0.0}[key.exercise.activation.name]
    shortcuts = [shortcut("y_pred", lambda w: w["y"] + rng.choice([-1, 1], len(key)) * 1e-3),
                 shortcut("L_partial_y_pred", lambda w: 1e-3 * np.ones(len(key))),
                 shortcut(first, lambda w: np.full(len(key), saturated))]
    for slip in shortcuts:
        answers, slipped = students.work(key.exercise, key.values, DECIMALS, slip=slip)
        marks = graded(key, answers)
        for name in key.layout.answer_names:
            carried = marks.status[:, marks.names.index(name)] == CARRIED
            assert not (carried & vanishing(key, answers, name)).any(), (slipped, name)


def test_grades_json_says_where_the_error_made_a_step_easier(key):
    import json

    from generator.outputs.grades import grades_json

    answers, _ = students.work(key.exercise, key.values, DECIMALS, slip=shortcut("y_pred", lambda w: w["y"]))
    reading = Reading(tuple(Response(f"line {k + 2}", "", key.codes[k], None,
                                     {n: f"{answers[n][k]:.{DECIMALS}f}" for n in key.layout.answer_names})
                            for k in range(len(key))))
    report = mark(reading, key)
    doc = json.loads(grades_json(report, "answers.json"))
    for graded, easier in zip(doc["graded"], report.marks.easier):
        flagged = [n for n, a in graded["answers"].items() if a.get("made_easier")]
        assert flagged == [n for n, e in zip(report.marks.names, easier) if e]
        assert all(graded["answers"][n]["status"] == "wrong" for n in flagged)
    assert report.marks.easier[:, report.marks.names.index("L")].all()
