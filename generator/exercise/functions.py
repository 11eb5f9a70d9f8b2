"""The functions of the exercise: a neuron's activation and the loss, each with its value and its
derivative side by side, as micrograd states an operation's forward value beside its local
gradient.

Each states, for every part of the tool that needs it: the value and the derivative on numpy
arrays (complex ones too where the function is analytic, for the self-check's complex step);
their interval extension (the rounding-aware tolerances); how the course's notebook writes them
in Python; and how the documents print them. The solver, the formula graph, the rules, the
templates, the notebooks and the Moodle questions all read them from here, so a new activation
or loss is a new member, nothing else.

Printed forms are format strings. Operands: ``{s}`` a weighted sum, ``{n}`` a neuron's value,
``{yhat}`` and ``{y}`` the prediction and the target. Tokens the notation supplies (the PDFs'
Unicode text, Moodle's HTML; ``templates/steps.html``): ``{minus}``, ``{plus}``, ``{dot}``,
``{sq}`` (a superscript 2); words the language supplies: ``{if}``, ``{otherwise}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .interval import Interval


@dataclass(frozen=True)
class Activation:
    """What a neuron applies to its weighted sum s, giving its value n."""

    name: str
    value: Callable  # s -> n
    slope: Callable  # n -> dn/ds: the derivative from the neuron's value, as the course writes it
    interval: Callable  # Interval of s -> Interval of n
    interval_slope: Callable  # Interval of n -> Interval of dn/ds
    python: str  # the notebook's expression of n, from the Python of s
    python_slope: str  # ... of dn/ds, from the Python of n
    python_math: tuple[str, ...]  # what the notebook imports for it from math
    python_definition: str  # what the notebook defines for it ("" if nothing)
    printed: str  # n from s
    printed_definition: str  # what ``printed`` stands for, where it is not a function everyone knows ("")
    printed_slope: str  # dn/ds from n, as a factor of a path of the chain rule
    printed_derivative: str  # the derivative as the given data state it
    linear: bool = False  # n = s: a derivative of 1, so no factor in the chain rule to print or compute
    analytic: bool = True  # a complex argument gives the derivative (the self-check's complex step)
    saturation: float | None = None  # |s| beyond which dn/ds is too small to be worth a box (the rules)
    kink: bool = False  # dn/ds jumps at s = 0: the rules keep every s clear of it
    bounded: bool = False  # every value lies in (0, 1), as a probability's

    def at(self, s):
        """The neuron's value for a sum, or the interval of its values for an interval of sums."""
        return self.interval(s) if isinstance(s, Interval) else self.value(s)

    def slope_at(self, n):
        return self.interval_slope(n) if isinstance(n, Interval) else self.slope(n)


@dataclass(frozen=True)
class Loss:
    """How far the prediction ŷ is from the target y, and its derivative by ŷ."""

    name: str
    value: Callable  # (y_pred, y) -> L
    derivative: Callable  # (y_pred, y) -> dL/dy_pred
    interval: Callable  # the same, for an Interval of y_pred
    interval_derivative: Callable
    python: str  # the body of the notebook's loss function L(y, y_pred)
    python_derivative: str  # the notebook's expression of dL/dy_pred
    python_math: tuple[str, ...]  # what the notebook imports for it from math
    printed: str  # L from ŷ and y
    printed_derivative: str  # dL/dŷ from ŷ and y
    substituted_derivative: str  # ... with the numbers put in
    # The given data state dL/dŷ too: the course's sheet leaves it to the preparation step.
    derivative_stated: bool = True
    binary: bool = False  # y is 0 or 1, and ŷ must be a probability (an output with ``bounded``)

    def at(self, y_pred, y):
        return self.interval(y_pred, y) if isinstance(y_pred, Interval) else self.value(y_pred, y)

    def derivative_at(self, y_pred, y):
        return self.interval_derivative(y_pred, y) if isinstance(y_pred, Interval) else self.derivative(y_pred, y)


# --- the activations -----------------------------------------------------------------------

def _tanh_slope(n):
    return 1 - n**2  # on an Interval too: squares are tight there


def _tanh_interval(s: Interval) -> Interval:
    return Interval(np.tanh(s.lo), np.tanh(s.hi))  # tanh is increasing


TANH = Activation(
    name="tanh",
    value=np.tanh,
    slope=_tanh_slope,
    interval=_tanh_interval,
    interval_slope=_tanh_slope,
    python="tanh({s})",
    python_slope="(1 - {n} ** 2)",
    python_math=("tanh",),
    python_definition="",
    printed="tanh({s})",
    printed_definition="",
    printed_slope="(1{minus}{n}{sq})",
    printed_derivative="tanh′({s}) = 1 − tanh{sq}({s})",
    saturation=3.0,  # 1 - tanh(3)^2 = 0.0099
)


def _sigmoid(s):
    with np.errstate(over="ignore"):  # far below 0, exp(-s) is inf and σ(s) is 0, as it should be
        return 1 / (1 + np.exp(-s))


def _sigmoid_slope(n):
    return n * (1 - n)


def _sigmoid_interval(s: Interval) -> Interval:
    return Interval(_sigmoid(s.lo), _sigmoid(s.hi))  # increasing


def _sigmoid_interval_slope(n: Interval) -> Interval:
    # n(1 - n) is concave, largest at n = 1/2: its range is its ends' and, inside, that peak.
    ends = (_sigmoid_slope(n.lo), _sigmoid_slope(n.hi))
    return Interval(np.minimum(*ends), _sigmoid_slope(np.clip(0.5, n.lo, n.hi)))


SIGMOID = Activation(
    name="sigmoid",
    value=_sigmoid,
    slope=_sigmoid_slope,
    interval=_sigmoid_interval,
    interval_slope=_sigmoid_interval_slope,
    python="sigmoid({s})",
    python_slope="{n} * (1 - {n})",
    python_math=("exp",),
    # Far below 0, exp(-s) overflows in Python (numpy says inf): the same value, the other way.
    python_definition=("def sigmoid(s):\n    if s >= 0:\n        return 1 / (1 + exp(-s))\n"
                       "    return exp(s) / (1 + exp(s))"),
    printed="σ({s})",
    printed_definition="1/(1 + exp(−{s}))",
    printed_slope="{n}{dot}(1{minus}{n})",
    printed_derivative="σ′({s}) = σ({s})(1 − σ({s}))",
    saturation=4.6,  # σ'(4.6) = 0.0098, as tanh's limit
    bounded=True,
)


def _relu(s):
    return np.maximum(s, 0.0)


def _relu_slope(n):
    return (n > 0).astype(float)


def _relu_interval(s: Interval) -> Interval:
    return Interval(_relu(s.lo), _relu(s.hi))  # increasing: across 0, the hull of both branches


def _relu_interval_slope(n: Interval) -> Interval:
    return Interval(_relu_slope(n.lo), _relu_slope(n.hi))


RELU = Activation(
    name="relu",
    value=_relu,
    slope=_relu_slope,
    interval=_relu_interval,
    interval_slope=_relu_interval_slope,
    python="relu({s})",
    python_slope="(1 if {n} > 0 else 0)",
    python_math=(),
    python_definition="def relu(s):\n    return max(0.0, s)",
    printed="ReLU({s})",
    printed_definition="max(0, {s})",
    printed_slope="[{n}\u202f>\u202f0]",  # narrow spaces: a justified line stretches only plain ones
    printed_derivative="ReLU′({s}) = 1 {if} {s} > 0, {otherwise} 0",
    analytic=False,
    kink=True,
)


def _identity(s):
    return s


def _one(n):
    return 1.0


LINEAR = Activation(
    name="linear",
    value=_identity,
    slope=_one,
    interval=_identity,
    interval_slope=_one,
    python="{s}",
    python_slope="",
    python_math=(),
    python_definition="",
    printed="{s}",
    printed_definition="",
    printed_slope="",
    printed_derivative="",
    linear=True,
)


# --- the losses ----------------------------------------------------------------------------

def _squared(y_pred, y):
    return (y_pred - y) ** 2


def _squared_derivative(y_pred, y):
    return 2 * (y_pred - y)


SQUARED = Loss(
    name="squared",
    value=_squared,
    derivative=_squared_derivative,
    # Polynomials: the same expressions, on Intervals, are their interval extensions.
    interval=_squared,
    interval_derivative=_squared_derivative,
    python="(y_pred - y) ** 2  # MSE",
    python_derivative="2 * (y_pred - y)",
    python_math=(),
    printed="({yhat}{minus}{y}){sq}",
    printed_derivative="2({yhat}{minus}{y})",
    substituted_derivative="2{dot}({yhat}{minus}{y})",
    derivative_stated=False,
)


def _half_squared(y_pred, y):
    return 0.5 * (y_pred - y) ** 2


def _half_squared_derivative(y_pred, y):
    return y_pred - y


HALF_SQUARED = Loss(
    name="half-squared",
    value=_half_squared,
    derivative=_half_squared_derivative,
    interval=_half_squared,
    interval_derivative=_half_squared_derivative,
    python="0.5 * (y_pred - y) ** 2",
    python_derivative="y_pred - y",
    python_math=(),
    printed="½({yhat}{minus}{y}){sq}",
    printed_derivative="{yhat}{minus}{y}",
    substituted_derivative="{yhat}{minus}{y}",
)


def _y_log(y, p):
    """y · ln p, with 0 · ln p = 0 whatever p (the term a target of 0 or 1 drops)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y == 0, 0.0, y * np.log(np.where(y == 0, 1.0, p)))


def _cross_entropy(y_pred, y):
    return -(_y_log(y, y_pred) + _y_log(1 - y, 1 - y_pred))


def _cross_entropy_derivative(y_pred, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return (y_pred - y) / (y_pred * (1 - y_pred))


def _cross_entropy_interval(y_pred: Interval, y) -> Interval:
    # Convex in ŷ, smallest at ŷ = y: its range is its ends' and, inside, that minimum.
    ends = (_cross_entropy(y_pred.lo, y), _cross_entropy(y_pred.hi, y))
    return Interval(_cross_entropy(np.clip(y, y_pred.lo, y_pred.hi), y), np.maximum(*ends))


def _cross_entropy_interval_derivative(y_pred: Interval, y) -> Interval:
    # (ŷ − y)/(ŷ(1 − ŷ)) increases with ŷ for y in [0, 1]: its numerator's derivative over the
    # denominator's square is ((ŷ − y)² + y(1 − y)) / (ŷ(1 − ŷ))² ≥ 0.
    return Interval(_cross_entropy_derivative(y_pred.lo, y), _cross_entropy_derivative(y_pred.hi, y))


CROSS_ENTROPY = Loss(
    name="cross-entropy",
    value=_cross_entropy,
    derivative=_cross_entropy_derivative,
    interval=_cross_entropy_interval,
    interval_derivative=_cross_entropy_interval_derivative,
    python="-(y * log(y_pred) + (1 - y) * log(1 - y_pred))",
    python_derivative="(y_pred - y) / (y_pred * (1 - y_pred))",
    python_math=("log",),
    # A word joiner keeps the leading minus with its bracket; a narrow space after ln, unbreakable.
    printed="−\u2060({y}{dot}ln\u202f{yhat}{plus}(1{minus}{y}){dot}ln(1{minus}{yhat}))",
    printed_derivative="({yhat}{minus}{y})/({yhat}{dot}(1{minus}{yhat}))",
    substituted_derivative="({yhat}{minus}{y})/({yhat}{dot}(1{minus}{yhat}))",
    binary=True,
)


# The members each option names (--activation, --output, --loss), the course's first.
ACTIVATIONS = {f.name: f for f in (TANH, SIGMOID, RELU)}
OUTPUTS = {f.name: f for f in (LINEAR, SIGMOID)}
LOSSES = {f.name: f for f in (SQUARED, HALF_SQUARED, CROSS_ENTROPY)}
