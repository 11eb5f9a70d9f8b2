"""The rules of a good variant (generator/rules.py): every drawn variant meets them, the
course's example does, and a variant that breaks one of them is rejected by that rule alone."""

import json
import math
from dataclasses import replace

import numpy as np
import pytest

from generator.exchange import givenfile
from generator.exercise import tolerance
from generator.exercise.description import COURSE, Exercise
from generator.exercise.draw import DrawError, draw
from generator.exercise.layout import Layout
from generator.exercise.rules import ORDER, RULES, Tally, judge, warnings
from generator.exercise.solver import solve

import plain_reference as ref
from course import COURSE_GIVEN

# Pinned seeds; 2,000 variants each, checked with the plain-Python reference.
DRAWN = {(2, 2, 2, 1): 11, (3, 2, 1): 12, (2, 3, 2, 1): 13, (2, 2, 2, 2, 1): 14}
COUNT = 2000


@pytest.fixture(scope="module", params=list(DRAWN), ids=lambda s: "-".join(map(str, s)))
def drawn(request):
    layout = Layout(request.param)
    givens = draw(Exercise(layout), COUNT, DRAWN[request.param], 0.1, 4)
    return givens, tolerance.of_solution(solve(givens), 4)


def test_every_drawn_variant_meets_every_rule(drawn):
    givens, tolerances = drawn
    assert len({row.tobytes() for row in givens.flat()}) == COUNT
    for k in range(COUNT):
        x, y, lr = list(givens.x[k]), float(givens.y[k]), float(givens.lr[k])
        weights = [w[k].tolist() for w in givens.weights]
        answers, pres = ref.solve(x, y, weights, lr)
        assert all(math.isfinite(v) for v in answers.values())
        assert max(abs(s) for layer in pres for s in layer) <= 3
        assert abs(answers["y_pred"] - y) >= 0.5
        gradients = {name: v for name, v in answers.items() if name.startswith("L_partial_")}
        assert "L_partial_y_pred" in gradients and len(gradients) > 8
        assert max(abs(v) for v in gradients.values()) <= 10, "a gradient larger than 10"
        weight_names = [name for name in answers if name.endswith("_updated")]
        for w in weight_names:  # the step, from the reference's own update
            old = w.removesuffix("_updated")
            assert abs(lr * gradients[f"L_partial_{old}"]) <= 1, f"{old} moves by more than 1"
        assert answers["L_after_update"] < answers["L"]
        for name, value in answers.items():
            assert tolerances[name][k] <= 0.02 * abs(value), f"{name}: its tolerance is over 2% of its size"


def test_the_step_limit_scales_with_the_learning_rate():
    # At lr 0.5 a weight moves by at most 1 only if its gradient is at most 2.
    givens = draw(COURSE, 200, 3, 0.5, 4)
    solution = solve(givens)
    for g in solution.weight_grads:
        assert np.abs(g).max() <= 2
    assert np.abs(solution.weight_grads[-1]).max() > 1  # the limit is reached, not far below it


def parsed(given: dict):
    return givenfile.parse(json.dumps(given), default_lr=0.1)


def test_the_course_example_meets_every_rule():
    givens = parsed(COURSE_GIVEN)
    tally = Tally()
    assert judge(givens, 4, tally=tally).tolist() == [True]
    assert sum(tally.rejected.values()) == 0 and tally.judged["rounding"] == 1
    solution = solve(givens)
    tolerances = tolerance.of_solution(solution, 4)
    assert warnings(solution, 4) == []
    # Its loosest answer, through the nearly saturated z_2 = 0.9951.
    ratios = {name: tolerances[name][0] / abs(v[0]) for name, v in solution.answers().items()}
    worst = max(ratios, key=ratios.get)
    assert worst == "L_partial_W_12" and 0.012 < ratios[worst] < 0.016


def with_(**changes) -> dict:
    return {**COURSE_GIVEN, **changes}


# The course's example with one number changed (two for the error), so that it breaks one rule.
BREAKING = {
    "saturation": (with_(x=[-1, 2]), "variant 1: q_2 = tanh(s) with |s| = 3.22 is saturated (limit 3)"),
    "error": (with_(W=[[-1, -1], [1, 1]], y=2), "variant 1: y_pred is only 0.205 from y (at least 0.5)"),
    "gradient": (with_(U=[[2, -3], [-0.5, 1]]), "variant 1: L_partial_z_1 is 10.7 in size (limit 10)"),
    "step": (with_(lr=0.2), "variant 1: V_21 moves by 1.26 in the step (limit 1)"),
    "descent": (with_(V=[[-1], [-1]]), "variant 1: the step does not lower L (23.08 before, 42.25 after)"),
    "rounding": (with_(y=0), "variant 1: L_after_update = 0.0643 has a rounding tolerance of 0.0022, "
                             "3.49% of its size (limit 2%)"),
}
# The rules only some members of the family call for: ReLU's (no dead layer, sums clear of the
# kink) and a sigmoid's own saturation limit, each broken alone by a given variant.
BREAKING_FAMILY = {
    "dead": ({"activation": "relu", "bias": True, "x": [1, 2], "y": 3, "W": [[0.5, 0.5], [-1, -1], [-1, -1]],
              "U": [[1, 0.5], [2, 1], [1, 2]], "V": [[0.5], [1], [-1]], "lr": 0.1},
             "variant 1: every neuron of layer z is off (its largest weighted sum is -2.5): no gradient reaches "
             "the layers before it"),
    "kink": ({"activation": "relu", "x": [1, 2], "y": 2, "W": [[1, 0.9997], [0.5, -0.5]], "U": [[0.5, 0.5], [0.5, 0.5]],
              "V": [[0.5], [0.5]], "lr": 0.1},
             "variant 1: z_2's weighted sum is within 3 units of the last place of 0 (rounding may put a careful "
             "student on the other side of the kink; at least 5)"),
    "after": ({"activation": "relu", "x": [1.5, -2.5], "y": -2, "W": [[2, -1], [1, 0.5]], "U": [[2, 0.5], [-2, 2]],
               "V": [[0.5], [-0.5]], "lr": 0.1},
              "variant 1: after the step, every neuron of layer z is off"),
    "saturation": ({"activation": "sigmoid", "x": [1, 2], "y": 5, "W": [[2, 1], [1.5, 1]], "U": [[2, -1], [-0.5, 1]],
                    "V": [[1], [-1]], "lr": 0.1},
                   "variant 1: z_1 = sigmoid(s) with |s| = 5 is saturated (limit 4.6)"),
}
# Each rule's limit set so that it never rejects (the descent and dead rules have no limit).
LOOSE = {"saturation": {"max_pre_activation": math.inf}, "error": {"min_error": 0.0},
         "gradient": {"max_gradient": math.inf}, "step": {"max_step": math.inf},
         "rounding": {"max_relative_tolerance": math.inf}, "kink": {"min_kink_distance": 0.0}}


@pytest.mark.parametrize("rule, given, line",
                         [(r, g, line) for r, (g, line) in BREAKING.items()]
                         + [(r, g, line) for r, (g, line) in BREAKING_FAMILY.items()],
                         ids=list(BREAKING) + [f"{r}-family" for r in BREAKING_FAMILY])
def test_a_variant_that_breaks_one_rule_is_rejected_by_that_rule_alone(rule, given, line):
    givens = parsed(given)
    tally = Tally()
    assert judge(givens, 4, tally=tally).tolist() == [False]
    assert {r: n for r, n in tally.rejected.items() if n} == {rule: 1}
    solution = solve(givens)
    assert warnings(solution, 4) == [line]
    if rule in LOOSE:
        assert judge(givens, 4, replace(RULES, **LOOSE[rule])).tolist() == [True]


def test_the_course_example_at_two_decimals_breaks_the_rounding_rule_only():
    solution = solve(parsed(COURSE_GIVEN))
    assert warnings(solution, 2) == [
        "variant 1: L_partial_W_12 = 0.0171 has a rounding tolerance of 0.026, 151% of its size (limit 2%)"]


def test_every_rule_is_tested_in_isolation_but_finiteness():
    # No finite given numbers make an answer infinite without breaking other rules too.
    assert set(BREAKING) | set(BREAKING_FAMILY) == set(ORDER) - {"finite"}


def test_warnings_name_every_broken_rule_of_every_variant():
    givens = parsed([COURSE_GIVEN, with_(x=[-1, 2], lr=0.2), BREAKING["gradient"][0]])
    solution = solve(givens)
    lines = warnings(solution, 4)
    assert [line.split(":")[0] for line in lines] == ["variant 2", "variant 2", "variant 3"]
    assert "q_2 = tanh(s)" in lines[0] and "moves by" in lines[1] and "L_partial_z_1" in lines[2]


@pytest.mark.parametrize("options, rule, hint", [
    ((Layout((2, 2, 2, 1)), 0.1, 2), "every answer's rounding tolerance at most 2% of its size", "more --decimals"),
    ((Layout((4, 4, 4, 4, 1)), 1e4, 4), "every weight moves by at most 1 in the step", "a smaller --lr"),
])
def test_an_undrawable_layout_fails_naming_the_rule_that_rejected_the_most(options, rule, hint):
    layout, lr, decimals = options
    with pytest.raises(DrawError) as error:
        draw(Exercise(layout), 1, 3, lr, decimals)
    message = str(error.value)
    assert message.startswith(f"could not draw 1 good variants for layers {layout.text}: 0 of ")
    assert f"the rule that rejected the most: {rule} (100% of the " in message
    assert f"; try {hint}" in message
