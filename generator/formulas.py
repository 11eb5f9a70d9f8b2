"""The exercise's dependency graph: each answer's formula, by name, for one layer layout.

A ``Formula`` names its operands (answers such as ``q_1``, ``L_partial_q_1``; given numbers
such as ``x_1``, ``U_21``, ``y``, ``lr``), and its kind says how to evaluate it, differentiate
it by its operands and print it as Python. This is the one place that knows the formulas as
formulas: the documents' steps (``sheets``), the rounding-aware tolerances, the grader's
carried values and the notebook's expressions all read them from here. The solver stays the
reference that computes the key; a test checks that this graph reproduces it.

Every value is a numpy array with a leading variant axis, so one call evaluates a formula for
30 variants or 10,000 students' responses at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np

from . import interval
from .layout import Layout
from .solver import Givens, solve

Values = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Term:
    """One path of the chain rule: ``upstream`` · (1 − ``local``²) · ``factor``; ``local``
    is None where the neuron is the linear output."""

    upstream: str  # L_partial_... of the neuron the path goes through
    local: str | None  # that neuron, when it is tanh
    factor: str  # the input neuron (point 1) or the weight (point 2)


@dataclass(frozen=True)
class Formula:
    """How one answer is computed from earlier answers and the given numbers.

    kinds: ``neuron`` (tanh of a weighted sum), ``output`` (linear weighted sum), ``loss``,
    ``loss_partial_y_pred``, ``weight_partial``, ``neuron_partial``, ``update``,
    ``loss_after`` (the loss of a forward pass with every updated weight).
    """

    name: str
    kind: str
    group: str  # forward_layer, output, loss, preparation, point1, point2, point3, loss_after
    layer: int  # weight layer the step belongs to (0 = the first, W); -1 for loss steps
    sums: tuple[tuple[str, str], ...] = ()  # (weight, input) pairs of a forward sum
    terms: tuple[Term, ...] = ()
    old: str = ""  # update: the weight before the step
    grad: str = ""  # update: its derivative
    reads: tuple[str, ...] = ()  # loss_after: every updated weight, then x and y

    @property
    def operands(self) -> tuple[str, ...]:
        """Every name the formula reads, each once, in the order it reads them."""
        return _KINDS[self.kind].operands(self)


def neuron_name(layout: Layout, layer: int, i: int) -> str:
    """Neuron ``i`` (0-based) of neuron layer ``layer`` (0 = the input x)."""
    if layer == 0:
        return layout.input_names[i]
    if layer == layout.n_weight_layers:
        return "y_pred"
    return layout.neuron_names(layer - 1)[i]


def weight_name(layout: Layout, layer: int, i: int, j: int) -> str:
    return f"{layout.weight_letters[layer]}_{i + 1}{j + 1}"


def updated(weight: str) -> str:
    return f"{weight}_updated"


def partial(name: str) -> str:
    return f"L_partial_{name}"


@cache
def graph(layout: Layout) -> tuple[Formula, ...]:
    """Every answer's formula, in the course's order (``layout.answer_names``)."""
    n_layers = layout.n_weight_layers
    out: list[Formula] = []
    for layer in range(n_layers):
        rows, cols = layout.weight_shapes[layer]
        is_output = layer == n_layers - 1
        for j in range(cols):
            out.append(Formula(
                neuron_name(layout, layer + 1, j), "output" if is_output else "neuron",
                "output" if is_output else "forward_layer", layer,
                sums=tuple((weight_name(layout, layer, i, j), neuron_name(layout, layer, i)) for i in range(rows)),
            ))
    out.append(Formula("L", "loss", "loss", -1))
    out.append(Formula("L_partial_y_pred", "loss_partial_y_pred", "preparation", -1))

    def path(layer: int, j: int, factor: str) -> Term:
        target = neuron_name(layout, layer + 1, j)
        return Term(partial(target), None if layer == n_layers - 1 else target, factor)

    for layer in reversed(range(n_layers)):
        rows, cols = layout.weight_shapes[layer]
        weights = [(weight_name(layout, layer, i, j), i, j) for i in range(rows) for j in range(cols)]
        for w, i, j in weights:
            out.append(Formula(partial(w), "weight_partial", "point1", layer,
                               terms=(path(layer, j, neuron_name(layout, layer, i)),)))
        if layer > 0:
            for i in range(rows):
                out.append(Formula(partial(neuron_name(layout, layer, i)), "neuron_partial", "point2", layer,
                                   terms=tuple(path(layer, j, weight_name(layout, layer, i, j)) for j in range(cols))))
        for w, _, _ in weights:
            out.append(Formula(updated(w), "update", "point3", layer, old=w, grad=partial(w)))
    every_update = tuple(updated(w) for layer in range(n_layers) for w in layout.weight_names(layer))
    out.append(Formula("L_after_update", "loss_after", "loss_after", -1,
                       reads=every_update + layout.input_names + ("y",)))
    assert tuple(f.name for f in out) == layout.answer_names
    return tuple(out)


def given_values(givens: Givens) -> dict[str, np.ndarray]:
    """The given numbers by name (``x_1``, ``y``, ``W_11``, ..., ``lr``), one value per variant."""
    return dict(zip(givens.layout.given_names, givens.flat().T))


def updated_weights(layout: Layout, values: Values) -> tuple[np.ndarray, ...]:
    """The updated weight matrices, ``(n, rows, cols)`` each, assembled from their answers."""
    out = []
    for layer, (rows, cols) in enumerate(layout.weight_shapes):
        names = layout.weight_names(layer)
        out.append(np.stack([values[updated(w)] for w in names], axis=-1).reshape(-1, rows, cols))
    return tuple(out)


def _inputs(layout: Layout, values: Values) -> np.ndarray:
    return np.stack([values[name] for name in layout.input_names], axis=-1)


# --- per kind: operands, value, derivatives by the operands, Python -----------------------
# ``py`` maps a name to how the course's notebook writes it (``W(1, 1)``, ``z(2)``, ``L_partial_q_1``).


class _Sum:
    """``neuron``: tanh(Σ w·a); ``output``: Σ w·a (the output neuron is linear)."""

    def __init__(self, activation: bool):
        self.activation = activation

    def operands(self, f):
        return tuple(name for pair in f.sums for name in pair)

    def evaluate(self, f, v, layout):
        s = sum(v[w] * v[a] for w, a in f.sums)
        return interval.tanh(s) if self.activation else s

    def partials(self, f, v, layout):
        slope = 1 - self.evaluate(f, v, layout) ** 2 if self.activation else 1.0
        out: dict[str, np.ndarray] = {}
        for w, a in f.sums:
            out[w] = out.get(w, 0) + slope * v[a]
            out[a] = out.get(a, 0) + slope * v[w]
        return out

    def python(self, f, py, layout):
        s = " + ".join(f"{py(w)} * {py(a)}" for w, a in f.sums)
        return f"tanh({s})" if self.activation else s


class _Loss:
    """``loss``: (ŷ − y)²."""

    def operands(self, f):
        return ("y_pred", "y")

    def evaluate(self, f, v, layout):
        return (v["y_pred"] - v["y"]) ** 2

    def partials(self, f, v, layout):
        return {"y_pred": 2 * (v["y_pred"] - v["y"]), "y": -2 * (v["y_pred"] - v["y"])}

    def python(self, f, py, layout):
        return "L(y, y_pred)"


class _LossPartial:
    """``loss_partial_y_pred``: 2(ŷ − y), the course's "preparation"."""

    def operands(self, f):
        return ("y_pred", "y")

    def evaluate(self, f, v, layout):
        return 2 * (v["y_pred"] - v["y"])

    def partials(self, f, v, layout):
        return {"y_pred": np.full_like(v["y"], 2.0), "y": np.full_like(v["y"], -2.0)}

    def python(self, f, py, layout):
        return "2 * (y_pred - y)"


class _Chain:
    """``weight_partial`` (one path) and ``neuron_partial`` (a sum over every path):
    Σ ∂L/∂n · (1 − n²) · factor."""

    def operands(self, f):
        return tuple(dict.fromkeys(name for t in f.terms for name in (t.upstream, t.local, t.factor) if name))

    def evaluate(self, f, v, layout):
        return sum(v[t.upstream] * self._slope(t, v) * v[t.factor] for t in f.terms)

    @staticmethod
    def _slope(t, v):
        return 1.0 if t.local is None else 1 - v[t.local] ** 2

    def partials(self, f, v, layout):
        out: dict[str, np.ndarray] = {}

        def add(name, d):
            out[name] = out.get(name, 0) + d

        for t in f.terms:
            slope = self._slope(t, v)
            add(t.upstream, slope * v[t.factor])
            add(t.factor, v[t.upstream] * slope)
            if t.local is not None:
                add(t.local, -2 * v[t.local] * v[t.upstream] * v[t.factor])
        return out

    def python(self, f, py, layout):
        def one(t):
            slope = "" if t.local is None else f" * (1 - {py(t.local)} ** 2)"
            return f"{py(t.upstream)}{slope} * {py(t.factor)}"

        return " + ".join(one(t) for t in f.terms)


class _Update:
    """``update``: w − lr · ∂L/∂w, with the weight before the step."""

    def operands(self, f):
        return (f.old, "lr", f.grad)

    def evaluate(self, f, v, layout):
        return v[f.old] - v["lr"] * v[f.grad]

    def partials(self, f, v, layout):
        return {f.old: np.ones_like(v["lr"]), "lr": -v[f.grad], f.grad: -v["lr"]}

    def python(self, f, py, layout):
        return f"{py(f.old)} - lr * {py(f.grad)}"


class _LossAfter:
    """``loss_after``: the loss of the forward pass run again with every updated weight."""

    def operands(self, f):
        return f.reads

    def evaluate(self, f, v, layout):
        # The forward formulas themselves, each weight read as its updated value.
        at = _Renamed(v, {w: updated(w) for layer in range(layout.n_weight_layers)
                          for w in layout.weight_names(layer)})
        for g in graph(layout):
            if g.kind in ("neuron", "output"):
                at.computed[g.name] = _KINDS[g.kind].evaluate(g, at, layout)
        return (at["y_pred"] - v["y"]) ** 2

    def partials(self, f, v, layout):
        # ∂L′/∂w′ is the gradient of L at the updated weights: the solver's own backward pass.
        at = Givens(layout, _inputs(layout, v), v["y"], updated_weights(layout, v), v["lr"])
        grads = solve(at).weight_grads
        n = len(v["y"])
        return {updated(w): g for layer, grad in enumerate(grads)
                for w, g in zip(layout.weight_names(layer), grad.reshape(n, -1).T)}

    def python(self, f, py, layout):
        # The forward pass written out with the updated weights, as one expression.
        a = [py(name) for name in layout.input_names]
        for layer, (rows, cols) in enumerate(layout.weight_shapes):
            is_output = layer == layout.n_weight_layers - 1
            nxt = []
            for j in range(cols):
                s = " + ".join(f"{updated(weight_name(layout, layer, i, j))} * {a[i]}" for i in range(rows))
                nxt.append(s if is_output else f"tanh({s})")
            a = nxt
        return f"L(y, {a[0]})"


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
    "neuron": _Sum(activation=True),
    "output": _Sum(activation=False),
    "loss": _Loss(),
    "loss_partial_y_pred": _LossPartial(),
    "weight_partial": _Chain(),
    "neuron_partial": _Chain(),
    "update": _Update(),
    "loss_after": _LossAfter(),
}


def evaluate(layout: Layout, f: Formula, values: Values):
    """The value of ``f`` from ``values`` (every operand by name, one value per variant).
    Values may be numpy arrays or ``interval.Interval``s: the formulas use only +, −, ·,
    squares and tanh, which both implement."""
    return _KINDS[f.kind].evaluate(f, values, layout)


def partials(layout: Layout, f: Formula, values: Values) -> dict[str, np.ndarray]:
    """∂f/∂operand at ``values``, for every operand that is an answer (and for some given
    numbers: those are exact, so nothing that propagates errors needs them)."""
    return _KINDS[f.kind].partials(f, values, layout)


def course_python(name: str) -> str:
    """How the course's notebook writes a name inside an expression: a given number or a
    neuron through its 1-based accessor (``W(2, 1)``, ``x(1)``, ``z(2)``), the rest as a
    variable (``y``, ``lr``, ``y_pred``, ``L_partial_q_1``, ``V_11_updated``)."""
    letter, _, index = name.partition("_")
    if index.isdigit() and len(letter) == 1:
        return f"{letter}({', '.join(index)})"
    return name


def python(layout: Layout, f: Formula, py=course_python) -> str:
    """``f``'s right-hand side as a Python expression, in the course notebook's style."""
    return _KINDS[f.kind].python(f, py, layout)
