"""Simulated students, worked from the exercise's graph on drawn variants, marked through the
real chain: answers.json -> Key, typed cells -> Responses -> marks."""

from dataclasses import replace

import numpy as np
import pytest

from generator.exchange.answers import answers_json, parse
from generator.exercise import formulas
from generator.exercise.batch import make_batch
from generator.exercise.description import Exercise
from generator.exercise.layout import Layout
from generator.grading.report import mark
from generator.grading.responses import Reading, Response
from generator.grading.statuses import CARRIED, CORRECT, STATUSES, WRONG

import students

DECIMALS = 4
COUNTS = {(2, 2, 2, 1): 200, (3, 2, 1): 40, (2, 2, 2, 2, 1): 40}


@pytest.fixture(scope="module", params=list(COUNTS), ids=lambda s: Layout(s).text)
def key(request):
    layout = Layout(request.param)
    batch = make_batch(count=COUNTS[request.param], seed=31, exercise=Exercise(layout), decimals=DECIMALS)
    return parse(answers_json(batch))


def work(key, mode="rounded", rng=None, slip=None):
    """A student's answers on the key's variants, each box rounded to ``DECIMALS`` (see
    ``students.work``). Returns (written, slipped names)."""
    return students.work(key.exercise, key.values, DECIMALS, mode, rng, slip)


def typed(value: float) -> str:
    return repr(float(value))


def responses(key, answers, text=typed):
    """A response per variant, every answer typed in."""
    return Reading(tuple(
        Response(f"line {k + 2}", f"student {k + 1}", key.codes[k], key.numbers[k],
                 {name: text(answers[name][k]) for name in key.layout.answer_names})
        for k in range(len(key))))


def graded(key, answers, text=typed, carried_credit=1.0):
    report = mark(responses(key, answers, text), key, carried_credit)
    assert not report.refused and len(report) == len(key)
    return report.marks


def status_of(marks, names):
    return marks.status[:, [marks.names.index(n) for n in names]]


@pytest.mark.parametrize("mode", ["full", "rounded", "mixed"])
def test_careful_students_get_every_point(key, mode):
    answers, _ = work(key, mode, np.random.default_rng(1))
    marks = graded(key, answers, text=lambda v: f"{v:.{DECIMALS}f}" if mode == "rounded" else typed(v))
    assert (marks.status == CORRECT).all()
    assert (marks.score == marks.max_score).all() and marks.max_score == len(key.layout.answer_names)


def check_consistent_after_slip(key, slip, min_wrong_share=0.9):
    """The slipped answers are wrong; every answer worked consistently from them is correct
    or carried (carried exactly when it is off the key), never wrong.

    Except after a slip that makes a box vanish (under a tenth of the key's: paths of a sum
    can cancel on the halves grid): the later steps it takes the work out of are not carried
    (no error carried forward where the error makes the later work easier), so those sheets
    are left out, and must be few."""
    answers, slipped = work(key, "rounded", slip=slip)
    assert slipped
    marks = graded(key, answers)
    others = [n for n in key.layout.answer_names if n not in slipped]
    s = status_of(marks, slipped)
    assert np.isin(s, [WRONG, CORRECT, CARRIED]).all()
    assert (s == WRONG).mean() >= min_wrong_share, f"only {(s == WRONG).mean():.0%} of {slipped} wrong"
    vanished = np.stack([(np.abs(answers[n]) < 0.1 * np.abs(key.values[n]))
                         & (marks.status[:, marks.names.index(n)] == WRONG) for n in slipped], axis=1).any(axis=1)
    assert vanished.mean() <= 0.1  # measured: 3% (points 2 and 3 swapped) to 10% (z for q, 2-2-2-2-1)
    assert not marks.easier[~vanished].any()
    rest = status_of(marks, others)[~vanished]
    assert np.isin(rest, [CORRECT, CARRIED]).all(), [others[j] for j in np.nonzero((rest == WRONG).any(0))[0]]
    off_key = np.stack([np.abs(answers[n] - key.values[n]) > key.tolerances[n] for n in others], axis=1)[~vanished]
    assert ((rest == CARRIED) == off_key).all()
    return marks, slipped, off_key


def test_points_2_and_3_swapped(key):
    # The student updates the weights first and then uses the updated ones in point 2.
    layout = key.layout
    updates = {f.old: f for f in formulas.graph(key.exercise) if f.kind == "update"}

    def slip(f, written):
        if f.kind != "neuron_partial":
            return None
        weights = {t.factor for t in f.terms}
        return formulas.evaluate(key.exercise, f, written | {w: formulas.evaluate(key.exercise, updates[w], written)
                                                       for w in weights})

    marks, slipped, off_key = check_consistent_after_slip(key, slip)
    graph = formulas.graph(key.exercise)
    assert all(n.startswith("L_partial_") and graph[layout.answer_names.index(n)].group == "point2" for n in slipped)
    # Everything after the first point 2 depends on it: most of it is off the key, and carried.
    assert off_key.mean() > 0.3
    first = layout.answer_names.index(slipped[0])
    assert (marks.status[:, first] == WRONG).mean() > 0.9
    assert (status_of(marks, ["L_after_update"]) == CARRIED).mean() > 0.75


@pytest.mark.parametrize("letter_index", [0, -1], ids=["first-hidden", "last-hidden"])
def test_tanh_derivative_forgotten_in_a_layer(key, letter_index):
    layout = key.layout
    letter = layout.hidden_letters[letter_index]

    def slip(f, written):
        if f.kind not in ("weight_partial", "neuron_partial"):
            return None
        terms = tuple(replace(t, local=None) if t.local and t.local.startswith(f"{letter}_") else t for t in f.terms)
        return formulas.evaluate(key.exercise, replace(f, terms=terms), written) if terms != f.terms else None

    check_consistent_after_slip(key, slip)


def test_sign_slip_in_L_partial_y_pred(key):
    def slip(f, written):
        return -formulas.evaluate(key.exercise, f, written) if f.name == "L_partial_y_pred" else None

    marks, slipped, _ = check_consistent_after_slip(key, slip, min_wrong_share=1.0)
    assert slipped == ["L_partial_y_pred"]
    # Every gradient and update after it is off the key (the sign runs through them all), and carried.
    assert (status_of(marks, ["L_partial_V_11", "V_11_updated", "L_after_update"]) == CARRIED).all()


def test_z_used_for_q(key):
    # In the last layer's point 1 the student multiplies by the neurons one layer too early
    # (z for q; x for z in 3-2-1).
    layout = key.layout
    last = layout.n_weight_layers - 1

    def slip(f, written):
        if f.kind != "weight_partial" or f.layer != last:
            return None
        (t,) = f.terms
        i = int(t.factor.rpartition("_")[2]) - 1
        if i >= layout.sizes[last - 1]:
            return None
        earlier = formulas.neuron_name(layout, last - 1, i)
        return formulas.evaluate(key.exercise, replace(f, terms=(replace(t, factor=earlier),)), written)

    marks, slipped, _ = check_consistent_after_slip(key, slip)
    assert all(n.startswith("L_partial_V_") for n in slipped)
    updated = [n.removeprefix("L_partial_") + "_updated" for n in slipped]
    assert (status_of(marks, updated) == CARRIED).mean() > 0.9


def swap_first_digits(text: str) -> str:
    """The most significant two neighbouring different digits swapped (across the point too)."""
    at = [i for i, c in enumerate(text) if c.isdigit()]
    for i, j in zip(at, at[1:]):
        if text[i] != text[j]:
            chars = list(text)
            chars[i], chars[j] = chars[j], chars[i]
            return "".join(chars)
    raise ValueError(text)


def test_a_typo_in_one_box_changes_only_that_box(key):
    answers, _ = work(key, "rounded")
    names = key.layout.answer_names
    rng = np.random.default_rng(7)
    typo = rng.integers(len(names), size=len(key))
    texts = {name: [f"{v:.{DECIMALS}f}" for v in answers[name]] for name in names}
    for k, j in enumerate(typo):
        texts[names[j]][k] = swap_first_digits(texts[names[j]][k])
    reading = Reading(tuple(Response(f"line {k + 2}", "", key.codes[k], None, {n: texts[n][k] for n in names})
                            for k in range(len(key))))
    marks = mark(reading, key).marks
    expected = np.full(marks.status.shape, CORRECT)
    expected[np.arange(len(key)), typo] = WRONG
    assert (marks.status == expected).all()
    assert (marks.score == marks.max_score - 1).all()


def test_zero_gradients_and_given_weights_score_only_the_forward_pass_and_final_loss(key):
    layout = key.layout
    answers, _ = work(key, "rounded")
    forward = [f.name for f in formulas.graph(key.exercise) if f.group in ("forward_layer", "output", "loss")]
    gaming = {name: answers[name] for name in forward}
    for f in formulas.graph(key.exercise):
        if f.name.startswith("L_partial_"):
            gaming[f.name] = np.zeros(len(key))
        elif f.kind == "update":
            gaming[f.name] = key.values[f.old]  # "updated" = given
    gaming["L_after_update"] = answers["L"]  # the loss of the unchanged network
    marks = graded(key, gaming, text=lambda v: f"{v:.{DECIMALS}f}")
    # A given weight within tolerance of its update is honestly right; nothing else is earned.
    honest = sum(np.abs(key.values[f.old] - key.values[f.name]) <= key.tolerances[f.name]
                 for f in formulas.graph(key.exercise) if f.kind == "update")
    assert (marks.score <= len(forward) + 1 + honest).all()
    assert (status_of(marks, forward) == CORRECT).all()
    gradients = [n for n in layout.answer_names if n.startswith("L_partial_")]
    assert (status_of(marks, gradients) == WRONG).all()
    # Without the rule, every update and gradient after L_partial_y_pred would be carried.
    assert marks.score.mean() < len(forward) + 1.5


def test_two_places_when_four_are_asked_is_not_all_correct(key):
    marks = graded(key, work_at(key, 2), text=lambda v: f"{v:.2f}")
    assert not (marks.status == CORRECT).all(axis=1).any()


def work_at(key, decimals):
    layout = key.layout
    written = {name: key.values[name] for name in layout.given_names}
    for f in formulas.graph(key.exercise):
        written[f.name] = np.round(formulas.evaluate(key.exercise, f, written), decimals)
    return written


def test_carried_credit_scales_carried_answers_only(key):
    def slip(f, written):
        return -formulas.evaluate(key.exercise, f, written) if f.name == "L_partial_y_pred" else None

    answers, _ = work(key, "rounded", slip=slip)
    marks = graded(key, answers, carried_credit=0.25)
    expected = (marks.status == CORRECT).sum(1) + 0.25 * (marks.status == CARRIED).sum(1)
    np.testing.assert_allclose(marks.score, expected)
    assert marks.carried_credit == 0.25


def test_missing_and_unreadable_answers_use_the_key_for_later_steps(key):
    answers, _ = work(key, "rounded")
    names = key.layout.answer_names
    first = names[0]

    def text(k, name):
        if name == first:
            return "n/a" if k % 2 else None
        return f"{answers[name][k]:.{DECIMALS}f}"

    reading = Reading(tuple(
        Response(f"line {k + 2}", "", key.codes[k], None,
                 {n: t for n in names if (t := text(k, n)) is not None}) for k in range(len(key))))
    marks = mark(reading, key).marks
    column = marks.status[:, 0]
    assert [STATUSES[s] for s in column[:2]] == ["missing", "unreadable"]
    assert (marks.status[:, 1:] == CORRECT).all()
