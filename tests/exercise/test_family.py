"""Every member of the exercise family (issue 18) against the independent plain-Python reference:
tanh, sigmoid and ReLU hidden neurons, with and without biases, a linear output with (½·)squared
error or a sigmoid output with squared error or cross-entropy, on 2-2-2-1, 3-2-1 and 2-2-2-2-1.

Drawn variants are solved by the package and by ``plain_reference`` (every answer, same names,
same order, to 1e-12); every gradient agrees with central differences of the reference's loss;
the formula graph reproduces the solver; every rule holds on the reference's numbers; the
self-check stays below its bound; and the course's exercise still draws the variants it drew
before the family existed.
"""

import hashlib
import math
from dataclasses import replace
from functools import cache

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from generator.exercise import formulas, selfcheck, tolerance
from generator.exercise.description import COURSE, Exercise
from generator.exercise.draw import draw
from generator.exercise.layout import Layout
from generator.exercise.solver import Givens, solve

import plain_reference as ref
import students
from course import COURSE_ANSWERS, COURSE_GIVEN

LAYOUTS = [(2, 2, 2, 1), (3, 2, 1), (2, 2, 2, 2, 1)]
OUTPUT_LOSS = [("linear", "squared"), ("linear", "half-squared"), ("sigmoid", "squared"), ("sigmoid", "cross-entropy")]
# activation, bias, output, loss: every combination the options allow
COMBOS = [(a, b, o, loss) for a in ("tanh", "sigmoid", "relu") for b in (False, True) for o, loss in OUTPUT_LOSS]


def combo_id(combo) -> str:
    activation, bias, output, loss = combo
    return f"{activation}{'-bias' if bias else ''}-{output}-{loss}"


def named(combo) -> dict:
    """The combination as the reference's keywords."""
    activation, bias, output, loss = combo
    return {"activation": activation, "output": output, "loss": loss, "bias": bias}


def exercise_of(combo, sizes) -> Exercise:
    return Exercise.named(Layout(sizes), **named(combo))


COUNT = 25  # variants drawn per combination and layout
SEED = 1818
LR, DECIMALS = 0.1, 4


@cache
def drawn(combo, sizes):
    """A pinned batch of drawn variants, solved: (exercise, givens, the solver's answers)."""
    exercise = exercise_of(combo, sizes)
    givens = draw(exercise, COUNT, SEED + COMBOS.index(combo), LR, DECIMALS)
    return exercise, givens, solve(givens).answers()


def variant(givens: Givens, k: int):
    """Variant k's given numbers as the reference takes them: lists, the biases as row 0."""
    return (list(map(float, givens.x[k])), float(givens.y[k]), [w[k].tolist() for w in givens.weights],
            float(givens.lr[k]))


every_case = pytest.mark.parametrize(
    "combo, sizes", [(c, s) for c in COMBOS for s in LAYOUTS],
    ids=[f"{combo_id(c)}-{Layout(s).text.replace(',', '')}" for c in COMBOS for s in LAYOUTS])
RELU = [c for c in COMBOS if c[0] == "relu"]
every_relu_case = pytest.mark.parametrize(
    "combo, sizes", [(c, s) for c in RELU for s in LAYOUTS],
    ids=[f"{combo_id(c)}-{Layout(s).text.replace(',', '')}" for c in RELU for s in LAYOUTS])


# --- the reference itself -------------------------------------------------------------------

def test_the_reference_solves_the_course_example_as_exercise_md_does():
    g = COURSE_GIVEN
    answers, _ = ref.solve(g["x"], g["y"], [g["W"], g["U"], g["V"]], g["lr"])
    assert list(answers) == list(COURSE_ANSWERS)
    for name, value in COURSE_ANSWERS.items():
        assert answers[name] == pytest.approx(value, rel=1e-12, abs=1e-12), name


def test_the_reference_knows_the_textbook_shortcuts():
    # A sigmoid output with cross-entropy gives dL/ds = ŷ − y, and ½(ŷ − y)² gives dL/dŷ = ŷ − y:
    # the reference reaches both the long way (−y/ŷ + (1 − y)/(1 − ŷ) times ŷ(1 − ŷ)).
    x, weights = [1.0, -2.0], [[[0.5, -1.0], [1.5, 0.5]], [[1.0], [-2.0]]]
    for y in (0.0, 1.0):
        answers, _ = ref.solve(x, y, weights, 0.1, "sigmoid", "sigmoid", "cross-entropy")
        y_pred = answers["y_pred"]
        for i in (1, 2):
            assert answers[f"L_partial_V_{i}1"] == pytest.approx((y_pred - y) * answers[f"z_{i}"], rel=1e-12)
    answers, _ = ref.solve(x, 3.0, weights, 0.1, loss="half-squared")
    assert answers["L_partial_y_pred"] == pytest.approx(answers["y_pred"] - 3.0, rel=1e-15)
    assert answers["L"] == pytest.approx(0.5 * (answers["y_pred"] - 3.0) ** 2, rel=1e-15)


def test_the_reference_names_biases_as_row_0():
    x, weights = [1.0, 2.0], [[[0.5, -0.5], [1.0, 1.0], [-1.0, 0.5]], [[0.5], [1.0], [-1.0]]]
    answers, pres = ref.solve(x, 1.0, weights, 0.1, "relu", bias=True)
    assert pres == [[0.5 + 1 - 2, -0.5 + 1 + 1]]  # z_1's sum is below 0: off
    assert answers["z_1"] == 0.0 and answers["z_2"] == 1.5
    assert [n for n in answers if n.startswith("L_partial_W")] == [
        "L_partial_W_01", "L_partial_W_02", "L_partial_W_11", "L_partial_W_12", "L_partial_W_21", "L_partial_W_22"]
    assert answers["L_partial_W_01"] == answers["L_partial_W_11"] == answers["L_partial_W_21"] == 0.0
    assert answers["L_partial_V_01"] == answers["L_partial_y_pred"]  # the bias's input is 1
    assert "L_partial_x_1" not in answers  # no gradient of the inputs, nor of the biases' 1


# --- the solver, the reference and finite differences ---------------------------------------

@every_case
def test_drawn_variants_solve_as_the_reference_does(combo, sizes):
    exercise, givens, answers = drawn(combo, sizes)
    assert list(answers) == list(exercise.layout.answer_names)
    for k in range(len(givens)):
        x, y, weights, lr = variant(givens, k)
        expected, _ = ref.solve(x, y, weights, lr, **named(combo))
        assert list(expected) == list(answers), "the reference names other answers, or orders them otherwise"
        for name, value in expected.items():
            assert answers[name][k] == pytest.approx(value, rel=1e-12, abs=1e-12), (k, name)


def _central(f, v, h=1e-6):
    return (f(v + h) - f(v - h)) / (2 * h)


def central_differences(layout, kw, x, y, weights, y_pred, neurons) -> dict:
    """∂L/∂ŷ, ∂L/∂(every weight and bias) and ∂L/∂(every hidden neuron) of one variant, by central
    differences of the reference's loss; ``neurons``: each hidden layer's values."""
    fd = {"L_partial_y_pred": _central(lambda p: ref.loss_of_prediction(p, y, kw["loss"]), y_pred)}
    for layer, w in enumerate(weights):
        for i in range(len(w)):
            for j in range(len(w[0])):
                def L_of(v, layer=layer, i=i, j=j):
                    moved = [[row[:] for row in m] for m in weights]
                    moved[layer][i][j] = v
                    return ref.loss(x, y, moved, **kw)

                name = ref.weight_name(layout.weight_letters[layer], i, j, kw["bias"])
                fd[f"L_partial_{name}"] = _central(L_of, w[i][j])
    for hidden, values in enumerate(neurons):
        for i, name in enumerate(layout.neuron_names(hidden)):
            def L_of(v, hidden=hidden, values=values, i=i):
                moved = values[:]
                moved[i] = v
                return ref.loss_from_layer(hidden, moved, y, weights, **kw)

            fd[f"L_partial_{name}"] = _central(L_of, values[i])
    return fd


@every_case
def test_every_gradient_equals_central_differences_of_the_reference_loss(combo, sizes):
    exercise, givens, answers = drawn(combo, sizes)
    layout = exercise.layout
    gradients = [n for n in layout.answer_names if n.startswith("L_partial_")]
    for k in range(len(givens)):
        x, y, weights, _ = variant(givens, k)
        neurons = [[answers[n][k] for n in layout.neuron_names(h)] for h in range(len(layout.hidden_letters))]
        fd = central_differences(layout, named(combo), x, y, weights, answers["y_pred"][k], neurons)
        assert sorted(fd) == sorted(gradients)
        for name in gradients:
            assert answers[name][k] == pytest.approx(fd[name], rel=1e-6, abs=1e-6), (k, name)


SOLVED_ANYWHERE = 12  # random given numbers per combination, not only drawn ones


@pytest.mark.parametrize("combo", COMBOS, ids=list(map(combo_id, COMBOS)))
@settings(max_examples=SOLVED_ANYWHERE, deadline=None, derandomize=True)
@given(data=st.data(), sizes=st.sampled_from(LAYOUTS))
def test_the_solver_equals_the_reference_on_any_numbers(combo, data, sizes):
    # Beyond the draw's grid and rules: saturated neurons, ReLU neurons far off, any lr.
    exercise = exercise_of(combo, sizes)
    num = st.floats(-4, 4, allow_nan=False)
    shapes = exercise.layout.weight_shapes
    x = data.draw(st.lists(num, min_size=sizes[0], max_size=sizes[0]))
    y = data.draw(st.sampled_from([0.0, 1.0]) if combo[3] == "cross-entropy" else num)
    weights = [data.draw(st.lists(st.lists(num, min_size=c, max_size=c), min_size=r, max_size=r)) for r, c in shapes]
    lr = data.draw(st.floats(0.01, 1))
    if combo[2] == "sigmoid":
        # ŷ within float reach of 0 and 1 (σ(±6) is 0.0025 from them), where ln(1 − ŷ) and
        # 1/(1 − ŷ) are well conditioned: else two correct exps differing in their last bit
        # differ in ∂L/∂ŷ by far more than 1e-12.
        kw = named(combo)
        del kw["loss"]
        # The step itself needs ŷ strictly inside (0, 1), so the numbers before come first.
        assume(abs(ref.output_sum(x, weights, **kw)) <= 6)
        after = ref.step(x, y, weights, lr, **named(combo))
        assume(abs(ref.output_sum(x, after, **kw)) <= 6)
    givens = Givens(exercise, np.array([x]), np.array([y]), tuple(np.array([w]) for w in weights), np.array([lr]))
    answers = solve(givens).answers()
    expected, _ = ref.solve(x, y, weights, lr, **named(combo))
    assert list(expected) == list(answers)
    for name, value in expected.items():
        assert answers[name][0] == pytest.approx(value, rel=1e-12, abs=1e-12), name


# --- the formula graph --------------------------------------------------------------------

@every_case
def test_the_formula_graph_reproduces_the_solver(combo, sizes):
    exercise, givens, answers = drawn(combo, sizes)
    key = formulas.given_values(givens) | answers
    # Each step from the key's own operands ...
    for f in formulas.graph(exercise):
        np.testing.assert_allclose(formulas.evaluate(exercise, f, key), key[f.name], rtol=1e-12, atol=1e-12,
                                   err_msg=f.name)
    # ... and the whole sheet worked from the given numbers alone, at full precision.
    worked, slipped = students.work(exercise, key, DECIMALS, "full")
    assert not slipped
    for name in exercise.layout.answer_names:
        np.testing.assert_allclose(worked[name], key[name], rtol=1e-12, atol=1e-12, err_msg=name)


# --- the rules, on the reference's numbers ------------------------------------------------

def is_half(v):
    return float(v * 2).is_integer()


SATURATION = {"tanh": 3.0, "sigmoid": 4.6}  # |s| beyond which the neuron's derivative is below 0.01
MAX_WEIGHT = {  # by the hidden neurons' activation and how many inputs (a bias counts) a neuron sums
    "tanh": {1: 4, 2: 4, 3: 1.5, 4: 1, 5: 1},
    "sigmoid": {1: 4, 2: 4, 3: 1.5, 4: 1, 5: 1},
    "relu": {1: 2, 2: 2, 3: 1.5, 4: 1, 5: 1},
}
KINK_UNITS = 5  # last places every ReLU sum keeps clear of 0, beyond what rounding can move it


def structural_zeros(answers, sums, layout, bias) -> set[str]:
    """The answers that an off ReLU neuron (weighted sum <= 0) makes exactly 0: the neuron, the
    gradients of the weights into it, and of the weights out of it."""
    off = {f"{layout.hidden_letters[h]}_{j + 1}" for h, s in enumerate(sums) for j, v in enumerate(s) if v <= 0}
    zeros = set(off)
    for layer, letter in enumerate(layout.weight_letters):
        rows, cols = layout.weight_shapes[layer]
        for i in range(rows):
            for j in range(cols):
                into = layer < len(sums) and f"{layout.hidden_letters[layer]}_{j + 1}" in off
                source = i - bias
                from_off = layer > 0 and source >= 0 and f"{layout.hidden_letters[layer - 1]}_{source + 1}" in off
                if into or from_off:
                    zeros.add(f"L_partial_{ref.weight_name(letter, i, j, bias)}")
    return zeros


def check_rules(combo, givens: Givens, decimals: int):
    """Every rule of a good variant, measured on the reference's numbers; the tolerances are the
    package's (what the rules bound)."""
    activation, bias, output, loss = combo
    exercise = givens.exercise
    layout = exercise.layout
    count = len(givens)
    assert len({row.tobytes() for row in givens.flat()}) == count, "two variants share their given data"
    tolerances = tolerance.of_solution(solve(givens), decimals)
    unit = 10.0**-decimals
    zeros_seen = 0
    for k in range(count):
        x, y, weights, lr = variant(givens, k)
        # The given numbers: halves a person types, no zero weight, targets that suit the output.
        assert all(is_half(v) and v != 0 and abs(v) <= 3 for v in x)
        if output == "sigmoid":
            assert y in (0.0, 1.0)
        else:
            assert is_half(y) and abs(y) <= 5
        for w in weights:
            limit = MAX_WEIGHT[activation][len(w)]
            assert all(is_half(v) and v != 0 and abs(v) <= limit for row in w for v in row), (k, w)

        answers, sums = ref.solve(x, y, weights, lr, **named(combo))
        out_s = ref.output_sum(x, weights, activation, output, bias)
        # Saturation, per member: no hidden neuron, and no sigmoid output, past its own limit.
        if activation in SATURATION:
            assert max(abs(s) for layer in sums for s in layer) <= SATURATION[activation], (k, sums)
        if output == "sigmoid":
            assert abs(out_s) <= SATURATION["sigmoid"]
            # So ŷ stays between σ(−4.6) and σ(4.6): ln ŷ and ln(1 − ŷ) print as numbers.
            assert 0.0099 < answers["y_pred"] < 0.9901
        if activation == "relu":
            # No dead layer: some neuron of every hidden layer is on, so gradients reach W.
            assert all(max(layer) > 0 for layer in sums), (k, sums)
            # Every weighted sum clear of the kink by 5 last places beyond what careful rounding
            # moves it: each neuron it reads that is on may be off by that neuron's tolerance; one
            # that is off is exactly 0 for everybody; x and the weights are given exactly.
            for h, layer in enumerate(sums):
                w = weights[h]
                before = layout.neuron_names(h - 1) if h > 0 else []
                for j, s in enumerate(layer):
                    moved = sum(abs(w[i + bias][j]) * tolerances[n][k] for i, n in enumerate(before) if answers[n] != 0)
                    assert abs(s) - moved >= KINK_UNITS * unit * (1 - 1e-9), (k, h, j, s, moved)
        assert all(math.isfinite(v) for v in answers.values())
        assert abs(answers["y_pred"] - y) >= 0.5
        gradients = {n: v for n, v in answers.items() if n.startswith("L_partial_")}
        assert max(abs(v) for v in gradients.values()) <= 10, "a gradient larger than 10"
        for name in answers:
            if name.endswith("_updated"):  # every weight and bias moves by at most 1
                assert abs(lr * gradients[f"L_partial_{name.removesuffix('_updated')}"]) <= 1, name
        assert answers["L_after_update"] < answers["L"]
        # Two significant digits survive rounding, but for ReLU's exact zeros: exactly the
        # answers an off neuron zeroes, which every careful student writes as 0.
        zeros = structural_zeros(answers, sums, layout, bias) if activation == "relu" else set()
        for name, value in answers.items():
            if name in zeros:
                assert value == 0 and tolerances[name][k] <= unit, (k, name, value)
                zeros_seen += 1
            else:
                assert tolerances[name][k] <= 0.02 * abs(value), f"variant {k}: {name}'s tolerance is over 2% of it"
                assert abs(value) >= 25 * unit
    return zeros_seen


@pytest.mark.parametrize("combo", COMBOS, ids=list(map(combo_id, COMBOS)))
@settings(max_examples=10, deadline=None, derandomize=True)
@given(sizes=st.sampled_from(LAYOUTS + [(2, 3, 2, 1), (4, 3, 1)]), seed=st.integers(0, 2**64 - 1),
       count=st.integers(1, 30), decimals=st.sampled_from([4, 6]))
def test_every_drawn_variant_of_every_member_meets_every_rule(combo, sizes, seed, count, decimals):
    check_rules(combo, draw(exercise_of(combo, sizes), count, seed, LR, decimals), decimals)


@pytest.mark.parametrize("combo", RELU, ids=combo_id)
def test_drawn_relu_variants_have_off_neurons_and_their_exact_zeros(combo):
    # The rules let ReLU's off neurons through (their zeros are exact): the draw does give them,
    # so the check of the zeros above is not vacuous.
    exercise = exercise_of(combo, (2, 2, 2, 1))
    assert check_rules(combo, draw(exercise, 60, SEED, LR, DECIMALS), DECIMALS) > 0


# (combination, layout, seed, count): draws whose last variant has L_after_update = 0 today.
ZERO_AFTER_THE_STEP = [
    (("relu", False, "linear", "squared"), (2, 2, 2, 1), 1, 8),
    (("relu", False, "sigmoid", "cross-entropy"), (2, 2, 2, 1), 0, 384),
    (("relu", False, "sigmoid", "squared"), (2, 2, 2, 2, 1), 1, 640),
]


@pytest.mark.parametrize("combo, sizes, seed, count", ZERO_AFTER_THE_STEP,
                         ids=[f"{combo_id(c)}-{Layout(s).text.replace(',', '')}" for c, s, _, _ in ZERO_AFTER_THE_STEP])
def test_no_drawn_variant_has_a_loss_of_zero_after_the_step(combo, sizes, seed, count):
    # The zeros the rounding rule exempts are an off neuron's value and the gradients through it,
    # not a loss. An L_after_update of 0 (or -0.0, as answers.json then writes it) has a tolerance of
    # half a unit, over 2% of its size; the step that gives it kills a whole layer (ŷ = 0 = y), or
    # pushes ŷ to 1 in floating point, where ln(1 − ŷ) is no longer printable, as the issue asks
    # of cross-entropy.
    givens = draw(exercise_of(combo, sizes), count, seed, LR, DECIMALS)
    tolerances = tolerance.of_solution(solve(givens), DECIMALS)
    for k in range(count):
        x, y, weights, lr = variant(givens, k)
        answers, _ = ref.solve(x, y, weights, lr, **named(combo))
        loss_after = answers["L_after_update"]
        assert loss_after != 0 and tolerances["L_after_update"][k] <= 0.02 * abs(loss_after), (
            f"variant {k + 1}: L_after_update = {loss_after!r}, tolerance {tolerances['L_after_update'][k]:.3g}")


@every_relu_case
def test_rounding_students_stay_on_the_keys_side_of_every_kink(combo, sizes):
    # The kink rule's promise, acted out: students who round every box (or some) and carry their
    # numbers on compute every ReLU sum with the key's sign.
    exercise, givens, answers = drawn(combo, sizes)
    key = formulas.given_values(givens) | answers
    rng = np.random.default_rng(3)
    for mode in ("rounded", "mixed"):
        written, _ = students.work(exercise, key, DECIMALS, mode, rng)
        for f in formulas.graph(exercise):
            if f.kind == "neuron":
                s_key = formulas.weighted_sum(f, key)
                s_student = formulas.weighted_sum(f, written)
                assert (np.sign(s_student) == np.sign(s_key)).all(), f.name
                assert (np.abs(s_key) > 0).all()


# --- the self-check ------------------------------------------------------------------------

@every_case
def test_the_self_check_of_drawn_variants_stays_below_its_bound(combo, sizes):
    exercise, givens, _ = drawn(combo, sizes)
    solution = solve(givens)
    residuals = selfcheck.residuals(solution)
    assert residuals.shape == (COUNT,) and (residuals < 1e-6).all(), residuals.max()
    # ReLU is checked by central differences (max is not analytic), the rest by the complex step.
    assert exercise.activation.analytic == (combo[0] != "relu")


@pytest.mark.parametrize("combo", RELU, ids=combo_id)
def test_the_relu_self_check_catches_a_wrong_gradient(combo):
    # A ReLU gradient off by 1e-5 (below what 4 decimals print) fails the central differences.
    _, givens, _ = drawn(combo, (2, 2, 2, 1))
    solution = solve(givens)
    grads = [g.copy() for g in solution.weight_grads]
    grads[0][:, -1, -1] += 1e-5
    wrong = replace(solution, weight_grads=tuple(grads))
    assert (selfcheck.residuals(wrong) > 1e-6).all()
    with pytest.raises(selfcheck.SelfCheckError, match="variant 1's gradients differ"):
        selfcheck.check(wrong)


# --- the course's exercise is unchanged -----------------------------------------------------

# SHA-256 of draw(COURSE's exercise on the layout, 200, seed, 0.1, 4).flat().tobytes(), recorded
# on branch main at 89b9382, before the family: the given numbers are halves, so their bytes are
# exact, and the same bytes mean the same variants, in the same order.
BEFORE_THE_FAMILY = {
    ((2, 2, 2, 1), 2024): "5233c4722dae18ca7d720ae7fa3ef7390ca5bb6250ab9e9bec8358eb76522c11",
    ((2, 2, 2, 1), 18): "98c7960dcac7b6105ab82945aeae6bdb9a9e07494ee8c92a838f98d52bb482e8",
    ((3, 2, 1), 2024): "7da4adefd526a018d2164a3ce141addc8120dac782c22092d794323639ed1480",
    ((3, 2, 1), 18): "ba2981ea60f6a498c6f1d3f447fe6ba32db270f131c838a1d6afec6346ecb4e5",
}


@pytest.mark.parametrize("sizes, seed", list(BEFORE_THE_FAMILY), ids=lambda v: str(v).replace(", ", "-"))
def test_the_course_exercise_draws_the_variants_it_drew_before_the_family(sizes, seed):
    exercise = Exercise(Layout(sizes))
    assert exercise == Exercise.named(Layout(sizes))  # the options' defaults are the course's
    if sizes == (2, 2, 2, 1):
        assert exercise == COURSE
    flat = draw(exercise, 200, seed, 0.1, 4).flat()
    assert flat.dtype == np.float64 and flat.shape == (200, len(exercise.layout.given_names))
    assert hashlib.sha256(flat.tobytes()).hexdigest() == BEFORE_THE_FAMILY[(sizes, seed)]
