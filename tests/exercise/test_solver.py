import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.exercise import selfcheck
from generator.exercise.description import Exercise
from generator.exercise.draw import draw
from generator.exercise.layout import Layout
from generator.exercise.solver import Givens, solve

import plain_reference as ref
from course import COURSE_ANSWERS, course_givens

LAYOUTS = [(2, 2, 2, 1), (3, 2, 1), (2, 3, 2, 1), (2, 2, 2, 2, 1), (1, 1, 1), (4, 3, 1)]


def test_course_example_matches_exercise_table():
    answers = solve(course_givens()).answers()
    assert list(answers) == list(COURSE_ANSWERS)  # the course's names, in the course's order
    for name, expected in COURSE_ANSWERS.items():
        assert answers[name][0] == pytest.approx(expected, abs=1e-12, rel=0), name


def test_course_example_matches_what_the_notebook_prints():
    answers = solve(course_givens()).answers()
    printed = {"L_partial_y_pred": -6.520716153538367, "L_partial_V_11": -5.035050768239443,
               "V_11_updated": 1.5035050768239442, "L_partial_U_21": -2.6198200490401398,
               "U_21_updated": -0.23801799509598603, "L_partial_q_1": -6.520716153538367,
               "L_partial_q_2": 6.520716153538367}
    for name, value in printed.items():
        assert answers[name][0] == pytest.approx(value, abs=1e-12, rel=0), name


def test_point_2_uses_the_weights_before_the_update():
    s = solve(course_givens())
    # dL/dq_i = dL/dy_pred * V_i1 with the old V = (1, -1); the updated V would give other numbers.
    assert s.neuron_grads[1][0] == pytest.approx([-6.520716153538366, 6.520716153538366], abs=1e-12)
    with_new_v = s.L_partial_y_pred[0] * s.updated[2][0, :, 0]
    assert not np.allclose(s.neuron_grads[1][0], with_new_v)


def givens_strategy(sizes):
    layout = Layout(sizes)
    num = st.floats(-4, 4, allow_nan=False).filter(lambda v: abs(v) > 1e-3)
    matrices = [st.lists(st.lists(num, min_size=c, max_size=c), min_size=r, max_size=r)
                for r, c in layout.weight_shapes]
    return st.tuples(st.lists(num, min_size=sizes[0], max_size=sizes[0]), num, st.tuples(*matrices),
                     st.floats(0.01, 1))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(data=st.data(), sizes=st.sampled_from(LAYOUTS))
def test_solver_equals_plain_python_reference(data, sizes):
    x, y, weights, lr = data.draw(givens_strategy(sizes))
    layout = Layout(sizes)
    g = Givens(Exercise(layout), np.array([x]), np.array([y]), tuple(np.array([w]) for w in weights), np.array([lr]))
    answers = solve(g).answers()
    expected, _ = ref.solve(x, y, [list(map(list, w)) for w in weights], lr)
    assert set(answers) == set(expected)
    for name, value in expected.items():
        assert answers[name][0] == pytest.approx(value, rel=1e-12, abs=1e-12), name


def _fd(f, v, h=1e-6):
    return (f(v + h) - f(v - h)) / (2 * h)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(sizes=st.sampled_from(LAYOUTS), seed=st.integers(0, 2**64 - 1))
def test_every_gradient_equals_a_finite_difference_of_L(sizes, seed):
    layout = Layout(sizes)
    givens = draw(Exercise(layout), 8, seed, 0.1, 4)
    answers = solve(givens).answers()
    letters = layout.weight_letters
    for k in range(len(givens)):
        x = list(givens.x[k])
        y = float(givens.y[k])
        weights = [w[k].tolist() for w in givens.weights]
        for layer, w in enumerate(weights):
            for i in range(len(w)):
                for j in range(len(w[0])):
                    def f(v, x=x, y=y, weights=weights, layer=layer, i=i, j=j):
                        ws = [[row[:] for row in m] for m in weights]
                        ws[layer][i][j] = v
                        return ref.loss(x, y, ws)
                    g = answers[f"L_partial_{letters[layer]}_{i + 1}{j + 1}"][k]
                    assert g == pytest.approx(_fd(f, w[i][j]), rel=1e-6, abs=1e-6)
        y_pred = answers["y_pred"][k]
        assert answers["L_partial_y_pred"][k] == pytest.approx(_fd(lambda v, y=y: (v - y) ** 2, y_pred), abs=1e-6)


def test_neuron_gradients_equal_finite_differences():
    # dL/dz_i by nudging z_i and running the rest of the network by hand.
    s = solve(course_givens())
    z = [float(v) for v in s.neurons[0][0]]
    U = [[2, -4], [-0.5, 1]]
    V = [1, -1]

    def L_of_z(z_):
        q = [math.tanh(sum(z_[i] * U[i][j] for i in range(2))) for j in range(2)]
        return (sum(q[i] * V[i] for i in range(2)) - 5) ** 2

    for i in range(2):
        def f(v, i=i):
            z_ = list(z)
            z_[i] = v
            return L_of_z(z_)
        assert s.neuron_grads[0][0, i] == pytest.approx(_fd(f, z[i]), abs=1e-6)


@pytest.mark.parametrize("sizes", LAYOUTS)
def test_batched_solve_equals_per_variant_solves(sizes):
    layout = Layout(sizes)
    givens = draw(Exercise(layout), 50, 99, 0.1, 4)
    batched = solve(givens).answers()
    for k in range(len(givens)):
        single = solve(givens.take(np.array([k]))).answers()
        for name in batched:
            assert batched[name][k] == single[name][0], name


def test_other_layer_sizes_give_the_same_kinds_of_quantities():
    names = solve(draw(Exercise(Layout((2, 2, 2, 2, 1))), 1, 1, 0.1, 4)).answers()
    weight_gradients = [n for n in names if n.startswith("L_partial_") and n[10] in "WUTV"]
    assert weight_gradients[:2] == ["L_partial_V_11", "L_partial_V_21"]
    assert {"r_1", "r_2", "L_partial_T_11", "T_22_updated", "L_partial_r_2", "L_partial_z_1"} <= set(names)
    small = solve(draw(Exercise(Layout((3, 2, 1))), 1, 1, 0.1, 4)).answers()
    assert list(small)[:3] == ["z_1", "z_2", "y_pred"]
    assert {"L_partial_W_31", "W_32_updated", "L_partial_z_2", "V_21_updated"} <= set(small)
    assert not any(n.startswith(("q_", "U_", "L_partial_U")) for n in small)


def test_selfcheck_passes_the_solver_and_catches_a_wrong_gradient():
    s = solve(course_givens(3))
    assert (selfcheck.check(s) < 1e-8).all()
    broken_grads = list(s.weight_grads)
    broken_grads[0] = broken_grads[0].copy()
    broken_grads[0][1, 0, 1] += 1e-3
    import dataclasses

    broken = dataclasses.replace(s, weight_grads=tuple(broken_grads))
    r = selfcheck.residuals(broken)
    assert r[1] > 1e-4 and r[0] < 1e-8
    with pytest.raises(selfcheck.SelfCheckError, match="variant 2"):
        selfcheck.check(broken)
