"""Each function of the exercise (an activation, a loss) states its value and its derivative side
by side, their interval extension, their Python and their printed forms: every statement is
checked against the others, so a new member gets the same checks by being listed here."""

import math

import numpy as np
import pytest

from generator.exercise.functions import (
    ACTIVATIONS,
    CROSS_ENTROPY,
    HALF_SQUARED,
    LINEAR,
    LOSSES,
    OUTPUTS,
    RELU,
    SIGMOID,
    SQUARED,
    TANH,
)
from generator.exercise.interval import Interval

MEMBERS = {**ACTIVATIONS, **OUTPUTS}
ACTIVATION_LIST = list(MEMBERS.values())
LOSS_LIST = list(LOSSES.values())
RNG_SEED = 20261203
# Sums clear of ReLU's kink at 0, where its derivative is not defined.
S = np.random.default_rng(RNG_SEED).uniform(-4, 4, 500)
S = S[np.abs(S) > 1e-3]
Y = np.random.default_rng(RNG_SEED + 1).uniform(-5, 5, len(S))
P = np.random.default_rng(RNG_SEED + 2).uniform(0.02, 0.98, len(S))  # predictions of a probability
CLASSES = np.random.default_rng(RNG_SEED + 3).integers(0, 2, len(S)).astype(float)


def predictions(loss):
    """(ŷ, y) a loss is defined on: a probability and a class for a binary loss."""
    return (P, CLASSES) if loss.binary else (S, Y)


def derivative(f, x, analytic=True):
    """f'(x) numerically: the complex step where f is analytic, else central differences."""
    if analytic:
        return f(x + 1j * 1e-30).imag / 1e-30
    h = 1e-7
    return (f(x + h) - f(x - h)) / (2 * h)


def notebook_namespace(*functions):
    """What the notebook's imports cell gives its code: math's names and the definitions."""
    namespace = {name: getattr(math, name) for f in functions for name in f.python_math}
    for f in functions:
        exec(getattr(f, "python_definition", ""), namespace)
    return namespace


@pytest.mark.parametrize("activation", ACTIVATION_LIST, ids=lambda a: a.name)
def test_an_activation_s_slope_is_the_derivative_of_its_value(activation):
    expected = derivative(activation.value, S, activation.analytic)
    np.testing.assert_allclose(activation.slope(activation.value(S)), expected, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("activation", ACTIVATION_LIST, ids=lambda a: a.name)
def test_an_activation_s_interval_extensions_hold_every_value(activation):
    lo, hi = np.minimum(S, S[::-1]), np.maximum(S, S[::-1])
    reach = activation.at(Interval(lo, hi))
    slopes = activation.slope_at(Interval(activation.value(lo), activation.value(hi)))
    for t in np.linspace(0, 1, 11):
        s = np.clip(lo + t * (hi - lo), lo, hi)
        value, slope = activation.value(s), activation.slope(activation.value(s))
        assert (reach.lo <= value).all() and (value <= reach.hi).all()
        assert (Interval.of(slopes).lo <= slope).all() and (slope <= Interval.of(slopes).hi).all()
    np.testing.assert_array_equal(activation.at(S), activation.value(S))


@pytest.mark.parametrize("activation", ACTIVATION_LIST, ids=lambda a: a.name)
def test_an_activation_s_python_computes_its_value_and_slope(activation):
    # The notebook puts in names and calls (z(1), W(1, 1) * x(1) + ...), as here.
    namespace = notebook_namespace(activation)
    for s in S[:40]:
        n = eval(activation.python.format(s="s"), namespace | {"s": float(s)})
        assert n == pytest.approx(float(activation.value(s)), rel=1e-14, abs=1e-15)
        slope = activation.python_slope.format(n="n") or "1"
        assert eval(slope, namespace | {"n": n}) == pytest.approx(float(activation.slope(np.float64(n))), rel=1e-14)


def test_the_notebook_s_sigmoid_holds_where_exp_overflows():
    namespace = notebook_namespace(SIGMOID)
    for s in (-800.0, -40.0, 0.0, 40.0, 800.0):
        assert eval("sigmoid(s)", namespace | {"s": s}) == pytest.approx(float(SIGMOID.value(np.float64(s))),
                                                                       rel=1e-15, abs=1e-300)


def test_a_linear_activation_has_nothing_to_print_in_the_chain_rule():
    assert LINEAR.linear and LINEAR.printed_slope == "" and LINEAR.printed.format(s="a") == "a"
    assert not any(f.linear for f in ACTIVATIONS.values())


def test_what_the_rules_and_the_self_check_read_of_each_activation():
    assert (TANH.saturation, SIGMOID.saturation, RELU.saturation, LINEAR.saturation) == (3.0, 4.6, None, None)
    # σ'(4.6) is about tanh'(3): each saturates where its derivative falls below 0.01.
    assert SIGMOID.slope(SIGMOID.value(4.6)) < 0.01 < SIGMOID.slope(SIGMOID.value(4.5))
    assert [f.name for f in ACTIVATION_LIST if not f.analytic] == ["relu"] and RELU.kink
    assert [f.name for f in ACTIVATION_LIST if f.bounded] == ["sigmoid"]
    assert RELU.slope_at(Interval(-0.1, 0.2)).lo == 0 and RELU.slope_at(Interval(-0.1, 0.2)).hi == 1


@pytest.mark.parametrize("loss", LOSS_LIST, ids=lambda f: f.name)
def test_a_loss_s_derivative_is_the_derivative_of_its_value(loss):
    y_pred, y = predictions(loss)
    expected = derivative(lambda p: loss.value(p, y), y_pred)
    np.testing.assert_allclose(loss.derivative(y_pred, y), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("loss", LOSS_LIST, ids=lambda f: f.name)
def test_a_loss_s_interval_extensions_hold_every_value(loss):
    centre, y = predictions(loss)
    lo, hi = centre - 0.01, centre + 0.01
    reach, slope = loss.at(Interval(lo, hi), y), loss.derivative_at(Interval(lo, hi), y)
    for t in np.linspace(0, 1, 11):
        y_pred = np.clip(lo + t * (hi - lo), lo, hi)
        assert (reach.lo <= loss.value(y_pred, y)).all() and (loss.value(y_pred, y) <= reach.hi).all()
        assert (slope.lo <= loss.derivative(y_pred, y)).all() and (loss.derivative(y_pred, y) <= slope.hi).all()


@pytest.mark.parametrize("loss", LOSS_LIST, ids=lambda f: f.name)
def test_a_loss_s_python_computes_its_value_and_derivative(loss):
    namespace = notebook_namespace(loss)
    for y_pred, y in zip(*(v[:40] for v in predictions(loss))):
        scope = namespace | {"y_pred": float(y_pred), "y": float(y)}
        assert eval(loss.python, scope) == pytest.approx(float(loss.value(y_pred, y)), rel=1e-14)
        assert eval(loss.python_derivative, scope) == pytest.approx(float(loss.derivative(y_pred, y)), rel=1e-14)


def test_the_losses_of_the_family():
    assert SQUARED.derivative(3.0, 1.0) == 4.0 and HALF_SQUARED.derivative(3.0, 1.0) == 2.0  # the ½
    assert CROSS_ENTROPY.value(0.25, 1.0) == pytest.approx(math.log(4))
    assert CROSS_ENTROPY.value(0.25, 0.0) == pytest.approx(-math.log(0.75))
    assert CROSS_ENTROPY.binary and not SQUARED.binary and not HALF_SQUARED.binary
    assert not SQUARED.derivative_stated and HALF_SQUARED.derivative_stated  # the course's sheet leaves it out


UNICODE = {"minus": "\u202f−\u202f", "plus": "\u202f+\u2005", "dot": "\u202f·\u202f", "sq": "²",
           "if": "if", "otherwise": "otherwise"}


def test_the_course_s_functions_print_as_the_course_writes_them():
    assert TANH.printed.format(s="𝑠", **UNICODE) == "tanh(𝑠)"
    assert TANH.printed_slope.format(n="𝑧₁", **UNICODE) == "(1\u202f−\u202f𝑧₁²)"
    assert TANH.printed_derivative.format(s="𝑠", **UNICODE) == "tanh′(𝑠) = 1 − tanh²(𝑠)"
    assert SQUARED.printed.format(yhat="𝑦̂", y="𝑦", **UNICODE) == "(𝑦̂\u202f−\u202f𝑦)²"
    assert SQUARED.printed_derivative.format(yhat="𝑦̂", y="𝑦", **UNICODE) == "2(𝑦̂\u202f−\u202f𝑦)"


def test_the_new_members_print_as_textbooks_write_them():
    plain = {**UNICODE, "minus": " − ", "plus": " + ", "dot": "·"}
    assert SIGMOID.printed.format(s="s", **plain) == "σ(s)"
    assert SIGMOID.printed_slope.format(n="q", **plain) == "q·(1 − q)"
    assert SIGMOID.printed_derivative.format(s="s", **plain) == "σ′(s) = σ(s)(1 − σ(s))"
    assert RELU.printed_definition.format(s="s", **plain) == "max(0, s)"
    assert RELU.printed_slope.format(n="z", **plain) == "[z\u202f>\u202f0]"
    assert RELU.printed_derivative.format(s="s", **plain) == "ReLU′(s) = 1 if s > 0, otherwise 0"
    assert HALF_SQUARED.printed.format(yhat="ŷ", y="y", **plain) == "½(ŷ − y)²"
    assert CROSS_ENTROPY.printed.format(yhat="ŷ", y="y", **plain) == "−\u2060(y·ln\u202fŷ + (1 − y)·ln(1 − ŷ))"
