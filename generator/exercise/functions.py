"""The functions of the exercise: a neuron's activation and the loss, each with its value and its
derivative side by side, as micrograd states an operation's forward value beside its local
gradient.

Each states, for every part of the tool that needs it: the value and the derivative on numpy
arrays (complex ones too, for the self-check's complex step); their interval extension (the
rounding-aware tolerances); how the course's notebook writes them in Python; and how the
documents print them. The solver, the formula graph, the templates, the notebooks and the Moodle
questions all read them from here, so a new activation or loss is a new member, nothing else.

Printed forms are format strings. Operands: ``{s}`` a weighted sum, ``{n}`` a neuron's value,
``{yhat}`` and ``{y}`` the prediction and the target. Tokens the notation supplies (the PDFs'
Unicode text, Moodle's HTML; ``templates/steps.html``): ``{minus}``, ``{dot}``, ``{sq}`` (a
superscript 2).
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
    python: str  # the notebook's expression of n, from the Python of s
    python_slope: str  # ... of dn/ds, from the Python of n
    python_import: str  # what the notebook imports for it ("" if nothing)
    printed: str  # n from s
    printed_slope: str  # dn/ds from n, as a factor of a path of the chain rule
    printed_derivative: str  # the derivative as the given data state it
    linear: bool = False  # n = s: a derivative of 1, so no factor in the chain rule to print or compute

    def at(self, s):
        """The neuron's value for a sum, or the interval of its values for an interval of sums."""
        return self.interval(s) if isinstance(s, Interval) else self.value(s)


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
    printed: str  # L from ŷ and y
    printed_derivative: str  # dL/dŷ from ŷ and y
    substituted_derivative: str  # ... with the numbers put in

    def at(self, y_pred, y):
        return self.interval(y_pred, y) if isinstance(y_pred, Interval) else self.value(y_pred, y)

    def derivative_at(self, y_pred, y):
        return self.interval_derivative(y_pred, y) if isinstance(y_pred, Interval) else self.derivative(y_pred, y)


# --- the activations -----------------------------------------------------------------------

def _tanh_slope(n):
    return 1 - n**2


def _tanh_interval(s: Interval) -> Interval:
    return Interval(np.tanh(s.lo), np.tanh(s.hi))  # tanh is increasing


TANH = Activation(
    name="tanh",
    value=np.tanh,
    slope=_tanh_slope,
    interval=_tanh_interval,
    python="tanh({s})",
    python_slope="(1 - {n} ** 2)",
    python_import="from math import tanh",
    printed="tanh({s})",
    printed_slope="(1{minus}{n}{sq})",
    printed_derivative="tanh′({s}) = 1 − tanh{sq}({s})",
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
    python="{s}",
    python_slope="",
    python_import="",
    printed="{s}",
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
    printed="({yhat}{minus}{y}){sq}",
    printed_derivative="2({yhat}{minus}{y})",
    substituted_derivative="2{dot}({yhat}{minus}{y})",
)
