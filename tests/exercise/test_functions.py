"""Each function of the exercise (an activation, a loss) states its value and its derivative side
by side, their interval extension, their Python and their printed forms: every statement is
checked against the others, so a new member gets the same checks by being listed here."""

import math

import numpy as np
import pytest

from generator.exercise.functions import LINEAR, SQUARED, TANH
from generator.exercise.interval import Interval

ACTIVATIONS = [TANH, LINEAR]
LOSSES = [SQUARED]
RNG_SEED = 20261203
S = np.random.default_rng(RNG_SEED).uniform(-3, 3, 500)
Y = np.random.default_rng(RNG_SEED + 1).uniform(-5, 5, 500)


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=lambda a: a.name)
def test_an_activation_s_slope_is_the_derivative_of_its_value(activation):
    h = 1e-30  # the complex step: exact to rounding
    derivative = activation.value(S + 1j * h).imag / h
    np.testing.assert_allclose(activation.slope(activation.value(S)), derivative, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=lambda a: a.name)
def test_an_activation_s_interval_extension_holds_every_value(activation):
    lo, hi = np.minimum(S, S[::-1]), np.maximum(S, S[::-1])
    reach = activation.at(Interval(lo, hi))
    for t in np.linspace(0, 1, 11):
        inside = activation.value(np.clip(lo + t * (hi - lo), lo, hi))
        assert (reach.lo <= inside).all() and (inside <= reach.hi).all()
    np.testing.assert_array_equal(activation.at(S), activation.value(S))


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=lambda a: a.name)
def test_an_activation_s_python_computes_its_value_and_slope(activation):
    # The notebook puts in names and calls (z(1), W(1, 1) * x(1) + ...), as here.
    namespace = {}
    exec(activation.python_import, namespace)
    for s in S[:20]:
        n = eval(activation.python.format(s="s"), namespace | {"s": float(s)})
        assert n == pytest.approx(float(activation.value(s)), rel=1e-15, abs=1e-15)
        slope = activation.python_slope.format(n="n") or "1"
        assert eval(slope, namespace | {"n": n}) == pytest.approx(float(activation.slope(np.float64(n))), rel=1e-14)


def test_a_linear_activation_has_nothing_to_print_in_the_chain_rule():
    assert LINEAR.linear and LINEAR.printed_slope == "" and LINEAR.printed.format(s="a") == "a"
    assert not TANH.linear


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.name)
def test_a_loss_s_derivative_is_the_derivative_of_its_value(loss):
    h = 1e-30
    derivative = loss.value(S + 1j * h, Y).imag / h
    np.testing.assert_allclose(loss.derivative(S, Y), derivative, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.name)
def test_a_loss_s_interval_extensions_hold_every_value(loss):
    lo, hi = S - 0.3, S + 0.3
    reach, slope = loss.at(Interval(lo, hi), Y), loss.derivative_at(Interval(lo, hi), Y)
    for t in np.linspace(0, 1, 11):
        y_pred = np.clip(lo + t * (hi - lo), lo, hi)
        assert (reach.lo <= loss.value(y_pred, Y)).all() and (loss.value(y_pred, Y) <= reach.hi).all()
        assert (slope.lo <= loss.derivative(y_pred, Y)).all() and (loss.derivative(y_pred, Y) <= slope.hi).all()


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.name)
def test_a_loss_s_python_computes_its_value_and_derivative(loss):
    for y_pred, y in zip(S[:20], Y[:20]):
        scope = {"y_pred": float(y_pred), "y": float(y), "math": math}
        assert eval(loss.python, scope) == pytest.approx(float(loss.value(y_pred, y)), rel=1e-14)
        assert eval(loss.python_derivative, scope) == pytest.approx(float(loss.derivative(y_pred, y)), rel=1e-14)


def test_the_course_s_functions_print_as_the_course_writes_them():
    unicode = {"minus": "\u202f−\u202f", "dot": "\u202f·\u202f", "sq": "²"}
    assert TANH.printed.format(s="𝑠", **unicode) == "tanh(𝑠)"
    assert TANH.printed_slope.format(n="𝑧₁", **unicode) == "(1\u202f−\u202f𝑧₁²)"
    assert TANH.printed_derivative.format(s="𝑠", **unicode) == "tanh′(𝑠) = 1 − tanh²(𝑠)"
    assert SQUARED.printed.format(yhat="𝑦̂", y="𝑦", **unicode) == "(𝑦̂\u202f−\u202f𝑦)²"
    assert SQUARED.printed_derivative.format(yhat="𝑦̂", y="𝑦", **unicode) == "2(𝑦̂\u202f−\u202f𝑦)"
