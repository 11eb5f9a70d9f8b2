"""The exercise's dependency graph: each answer's formula, by name, for one exercise.

A ``Formula`` names its operands (answers such as ``q_1``, ``L_partial_q_1``; given numbers
such as ``x_1``, ``U_21``, ``y``, ``lr``) and the functions it applies (an activation, the
loss: ``functions``); its kind says how to evaluate it and how to write it in Python. This is
the one place that knows the formulas as formulas: the documents' steps (``render.sheets``),
the rounding-aware tolerances, the grader's carried values and the notebook's expressions all
read them from here. The solver stays the reference that computes the key; a test checks that
this graph reproduces it.

Every value is a numpy array with a leading variant axis, so one call evaluates a formula for
30 variants or 10,000 students' responses at once; or an ``interval.Interval`` of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np

from .description import Exercise
from .functions import Activation, Loss
from .layout import Layout
from .solver import Givens

Values = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Term:
    """One path of the chain rule: ``upstream`` · (the activation's derivative at ``local``) ·
    ``factor``; ``local`` is None where the neuron is linear (a derivative of 1), ``factor``
    where it is a bias's constant input 1."""

    upstream: str  # L_partial_... of the neuron the path goes through
    local: str | None  # that neuron
    factor: str | None  # the input neuron (point 1) or the weight (point 2)


@dataclass(frozen=True)
class Formula:
    """How one answer is computed from earlier answers and the given numbers.

    kinds: ``neuron`` (a hidden neuron: the activation of a weighted sum), ``output`` (the output
    neuron: the same with the output's activation), ``loss``, ``loss_partial_y_pred``,
    ``weight_partial``, ``neuron_partial``, ``update``, ``loss_after`` (the loss of a forward
    pass with every updated weight).
    """

    name: str
    kind: str
    group: str  # forward_layer, output, loss, preparation, point1, point2, point3, loss_after
    layer: int  # weight layer the step belongs to (0 = the first, W); -1 for loss steps
    sums: tuple[tuple[str, str | None], ...] = ()  # (weight, input) pairs of a forward sum; None: a bias's 1
    terms: tuple[Term, ...] = ()
    old: str = ""  # update: the weight before the step
    grad: str = ""  # update: its derivative
    reads: tuple[str, ...] = ()  # loss_after: every updated weight, then x and y
    # neuron, output: the neuron's activation; weight_partial, neuron_partial: that of the
    # neurons the paths go through (the layer's weights feed them)
    activation: Activation | None = None
    loss: Loss | None = None  # loss, loss_partial_y_pred, loss_after

    @property
    def operands(self) -> tuple[str, ...]:
        """Every name the formula reads, each once, in the order it reads them."""
        if self.kind in ("neuron", "output"):
            return tuple(name for pair in self.sums for name in pair if name)
        if self.kind in ("loss", "loss_partial_y_pred"):
            return ("y_pred", "y")
        if self.kind in ("weight_partial", "neuron_partial"):
            return tuple(dict.fromkeys(n for t in self.terms for n in (t.upstream, t.local, t.factor) if n))
        if self.kind == "update":
            return (self.old, "lr", self.grad)
        return self.reads


def neuron_name(layout: Layout, layer: int, i: int) -> str:
    """Neuron ``i`` (0-based) of neuron layer ``layer`` (0 = the input x)."""
    if layer == 0:
        return layout.input_names[i]
    if layer == layout.n_weight_layers:
        return "y_pred"
    return layout.neuron_names(layer - 1)[i]


def weight_name(layout: Layout, layer: int, i: int, j: int) -> str:
    """The weight in row ``i``, column ``j`` (0-based) of weight layer ``layer``: ``W_11`` for
    (0, 0), or ``W_01`` (a bias) where the layout has biases."""
    return f"{layout.weight_letters[layer]}_{i + layout.first_row}{j + 1}"


def row_input(layout: Layout, layer: int, i: int) -> str | None:
    """What row ``i`` (0-based) of weight layer ``layer`` multiplies: a neuron of the layer
    before, or None for the biases' constant 1."""
    neuron = i - layout.bias
    return None if neuron < 0 else neuron_name(layout, layer, neuron)


def updated(weight: str) -> str:
    return f"{weight}_updated"


def partial(name: str) -> str:
    return f"L_partial_{name}"


@cache
def graph(exercise: Exercise) -> tuple[Formula, ...]:
    """Every answer's formula, in the course's order (``layout.answer_names``)."""
    layout = exercise.layout
    n_layers = layout.n_weight_layers
    out: list[Formula] = []
    for layer in range(n_layers):
        rows, cols = layout.weight_shapes[layer]
        is_output = layer == n_layers - 1
        for j in range(cols):
            out.append(Formula(
                neuron_name(layout, layer + 1, j), "output" if is_output else "neuron",
                "output" if is_output else "forward_layer", layer,
                sums=tuple((weight_name(layout, layer, i, j), row_input(layout, layer, i)) for i in range(rows)),
                activation=exercise.activation_of(layer),
            ))
    out.append(Formula("L", "loss", "loss", -1, loss=exercise.loss))
    out.append(Formula("L_partial_y_pred", "loss_partial_y_pred", "preparation", -1, loss=exercise.loss))

    def path(layer: int, j: int, factor: str) -> Term:
        target = neuron_name(layout, layer + 1, j)
        return Term(partial(target), None if exercise.activation_of(layer).linear else target, factor)

    for layer in reversed(range(n_layers)):
        rows, cols = layout.weight_shapes[layer]
        activation = exercise.activation_of(layer)
        weights = [(weight_name(layout, layer, i, j), i, j) for i in range(rows) for j in range(cols)]
        for w, i, j in weights:
            out.append(Formula(partial(w), "weight_partial", "point1", layer,
                               terms=(path(layer, j, row_input(layout, layer, i)),), activation=activation))
        if layer > 0:
            for i in range(layout.bias, rows):  # the biases' constant input has no gradient
                terms = tuple(path(layer, j, weight_name(layout, layer, i, j)) for j in range(cols))
                out.append(Formula(partial(row_input(layout, layer, i)), "neuron_partial", "point2", layer,
                                   terms=terms, activation=activation))
        for w, _, _ in weights:
            out.append(Formula(updated(w), "update", "point3", layer, old=w, grad=partial(w)))
    every_update = tuple(updated(w) for layer in range(n_layers) for w in layout.weight_names(layer))
    out.append(Formula("L_after_update", "loss_after", "loss_after", -1,
                       reads=every_update + layout.input_names + ("y",), loss=exercise.loss))
    assert tuple(f.name for f in out) == layout.answer_names
    return tuple(out)


def given_values(givens: Givens) -> dict[str, np.ndarray]:
    """The given numbers by name (``x_1``, ``y``, ``W_11``, ..., ``lr``), one value per variant."""
    return dict(zip(givens.layout.given_names, givens.flat().T))


# --- per kind: value and Python -----------------------------------------------------------
# ``py`` maps a name to how the course's notebook writes it (``W(1, 1)``, ``z(2)``, ``L_partial_q_1``).


def weighted_sum(f: Formula, v: Values):
    """The weighted sum s a ``neuron`` or ``output`` formula applies its activation to."""
    return sum(v[w] if a is None else v[w] * v[a] for w, a in f.sums)


class _Sum:
    """``neuron`` and ``output``: the neuron's activation of Σ w·a."""

    def evaluate(self, f, v, exercise):
        return f.activation.at(weighted_sum(f, v))

    def python(self, f, py, exercise):
        return f.activation.python.format(s=" + ".join(py(w) if a is None else f"{py(w)} * {py(a)}"
                                                       for w, a in f.sums))


class _Loss:
    """``loss``: L(ŷ, y)."""

    def evaluate(self, f, v, exercise):
        return f.loss.at(v["y_pred"], v["y"])

    def python(self, f, py, exercise):
        return "L(y, y_pred)"  # the notebook's loss function


class _LossPartial:
    """``loss_partial_y_pred``: ∂L/∂ŷ, the course's "preparation"."""

    def evaluate(self, f, v, exercise):
        return f.loss.derivative_at(v["y_pred"], v["y"])

    def python(self, f, py, exercise):
        return f.loss.python_derivative


class _Chain:
    """``weight_partial`` (one path) and ``neuron_partial`` (a sum over every path):
    Σ ∂L/∂n · (dn/ds at n) · factor."""

    def evaluate(self, f, v, exercise):
        return sum(self._path(f, t, v) for t in f.terms)

    @staticmethod
    def _path(f, t, v):
        value = v[t.upstream] if t.local is None else v[t.upstream] * f.activation.slope_at(v[t.local])
        return value if t.factor is None else value * v[t.factor]

    def python(self, f, py, exercise):
        def one(t):
            slope = "" if t.local is None else " * " + f.activation.python_slope.format(n=py(t.local))
            factor = "" if t.factor is None else f" * {py(t.factor)}"
            return f"{py(t.upstream)}{slope}{factor}"

        return " + ".join(one(t) for t in f.terms)


class _Update:
    """``update``: w − lr · ∂L/∂w, with the weight before the step."""

    def evaluate(self, f, v, exercise):
        return v[f.old] - v["lr"] * v[f.grad]

    def python(self, f, py, exercise):
        return f"{py(f.old)} - lr * {py(f.grad)}"


class _LossAfter:
    """``loss_after``: the loss of the forward pass run again with every updated weight."""

    def evaluate(self, f, v, exercise):
        # The forward formulas themselves, each weight read as its updated value.
        layout = exercise.layout
        at = _Renamed(v, {w: updated(w) for layer in range(layout.n_weight_layers)
                          for w in layout.weight_names(layer)})
        for g in graph(exercise):
            if g.kind in ("neuron", "output"):
                at.computed[g.name] = _KINDS[g.kind].evaluate(g, at, exercise)
        return f.loss.at(at["y_pred"], v["y"])

    def python(self, f, py, exercise):
        # The forward pass written out with the updated weights, as one expression.
        written = {name: py(name) for name in exercise.layout.input_names}
        for g in graph(exercise):
            if g.kind in ("neuron", "output"):
                s = " + ".join(updated(w) if a is None else f"{updated(w)} * {written[a]}" for w, a in g.sums)
                written[g.name] = g.activation.python.format(s=s)
        return f"L(y, {written['y_pred']})"


class _Renamed(Mapping):
    """``values`` with some names read under others, and the neurons computed so far."""

    def __init__(self, values, renames):
        self.values, self.renames, self.computed = values, renames, {}

    def __getitem__(self, name):
        if name in self.computed:
            return self.computed[name]
        return self.values[self.renames.get(name, name)]

    def __iter__(self):
        return iter(self.values)

    def __len__(self):
        return len(self.values)


_KINDS = {
    "neuron": _Sum(),
    "output": _Sum(),
    "loss": _Loss(),
    "loss_partial_y_pred": _LossPartial(),
    "weight_partial": _Chain(),
    "neuron_partial": _Chain(),
    "update": _Update(),
    "loss_after": _LossAfter(),
}


def work(exercise: Exercise, f: Formula, values: Values):
    """How much there is to do in step ``f``: a number that is 0 where the step takes no work.
    A neuron's weighted sum (a sum of 0 makes it the activation at 0), the loss's ŷ − y (a
    prediction equal to the target leaves a loss of 0 and no gradient), a gradient itself (a
    vanishing one gives nothing to multiply), an update's gradient (the weight left where it
    was), and how far the update moves the weights, for the loss after it (the network left
    as it was). The grader compares a student's with the key's."""
    if f.kind in ("neuron", "output"):
        return weighted_sum(f, values)
    if f.kind in ("loss", "loss_partial_y_pred"):
        return values["y_pred"] - values["y"]
    if f.kind in ("weight_partial", "neuron_partial"):
        return _KINDS[f.kind].evaluate(f, values, exercise)
    if f.kind == "update":
        return values[f.grad]
    layout = exercise.layout
    return np.sqrt(sum((values[updated(w)] - values[w]) ** 2 for layer in range(layout.n_weight_layers)
                       for w in layout.weight_names(layer)))


def evaluate(exercise: Exercise, f: Formula, values: Values):
    """The value of ``f`` from ``values`` (every operand by name, one value per variant).
    Values may be numpy arrays or ``interval.Interval``s: the formulas use only +, −, · and
    squares, which both implement, and the exercise's functions, which state their interval
    extensions."""
    return _KINDS[f.kind].evaluate(f, values, exercise)


def course_python(name: str) -> str:
    """How the course's notebook writes a name inside an expression: a given number or a
    neuron through its 1-based accessor (``W(2, 1)``, ``x(1)``, ``z(2)``), the rest as a
    variable (``y``, ``lr``, ``y_pred``, ``L_partial_q_1``, ``V_11_updated``)."""
    letter, _, index = name.partition("_")
    if index.isdigit() and len(letter) == 1:
        return f"{letter}({', '.join(index)})"
    return name


def python(exercise: Exercise, f: Formula, py=course_python) -> str:
    """``f``'s right-hand side as a Python expression, in the course notebook's style."""
    return _KINDS[f.kind].python(f, py, exercise)
