"""What one variant's documents show, step by step, read from the solution object.

Each ``Step`` is one quantity of the exercise with the operands its formula needs
(symbols and their values): a formula of the exercise's graph (``exercise.formulas``) with one
variant's numbers attached, and the functions it applies (``exercise.functions``, which say how
they print). Templates decide how a step looks; every number here is read from the
``Solution``, none is computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..exercise import formulas
from ..exercise.batch import Batch
from ..exercise.description import Exercise
from ..exercise.functions import Activation, Loss


@dataclass(frozen=True)
class Symbol:
    """A letter of the course's notation: ``z`` with index ``1``, ``ŷ``, ``L``; ``prime``
    marks the value after the update (``V′₁₁``, ``L′``)."""

    letter: str
    index: str = ""
    prime: bool = False

    def after(self) -> Symbol:
        return Symbol(self.letter, self.index, True)

    @property
    def name(self) -> str:
        """The course's name of the quantity, as in answers.json: ``z_1``, ``U_21``, ``y_pred``."""
        return "y_pred" if self.letter == "ŷ" else f"{self.letter}_{self.index}"


Y_PRED = Symbol("ŷ")
Y = Symbol("y")
LOSS = Symbol("L")
LR = Symbol("lr")
ONE = Symbol("1")  # the constant input of the biases


@dataclass(frozen=True)
class Operand:
    symbol: Symbol
    value: float


@dataclass(frozen=True)
class Term:
    """One path of a sum: ``upstream`` · (the activation's derivative at ``local``) · ``factor``;
    ``local`` is None where the neuron is linear, ``factor`` where it is a bias's constant 1."""

    upstream: Operand  # ∂L/∂(neuron), the value is the derivative
    local: Operand | None  # the neuron whose activation's derivative enters
    factor: Operand | None  # the input neuron (point 1) or the weight (point 2)


@dataclass(frozen=True)
class Step:
    """One quantity, named as in answers.json (``name``), with what its formula needs.

    kinds: ``neuron`` (a hidden neuron's activation of a weighted sum), ``output`` (the output
    neuron's), ``loss``, ``loss_partial_y_pred``, ``weight_partial``, ``neuron_partial``,
    ``update``, ``loss_after``, as in ``formulas.Formula``.
    """

    name: str
    kind: str
    target: Symbol
    value: float
    sums: tuple[tuple[Operand, Operand | None], ...] = ()  # (weight, input) pairs of a forward sum; None: a bias's 1
    terms: tuple[Term, ...] = ()  # backward: the paths of the chain rule
    old: Operand | None = None  # update: the weight before the step
    grad: float | None = None  # update: its derivative
    lr: float | None = None
    y_pred: Operand | None = None  # loss, loss_partial_y_pred, loss_after
    y: float | None = None
    activation: Activation | None = None  # as in ``formulas.Formula``: how the step prints
    loss: Loss | None = None
    worked: bool = False  # shown with its solution on the worksheet (worked examples)


@dataclass(frozen=True)
class Group:
    """Steps the course does together: a layer's neurons, or one point of a backward step."""

    kind: str  # forward_layer, output, loss, preparation, point1, point2, point3, loss_after
    steps: tuple[Step, ...]
    layer: str = ""  # the weight letter for backward points, the neuron letter forward
    layer_index: int = -1  # the weight layer (0 = W), as in ``formulas.Formula.layer``


@dataclass(frozen=True)
class BackwardLayer:
    letter: str  # weight letter: V, U, W
    number: int  # 1-based, from the input
    is_last: bool
    groups: tuple[Group, ...]  # point 1, point 2 (not for the first layer), point 3


@dataclass(frozen=True)
class Matrix:
    symbol: str  # W, U, V
    rows: tuple[Symbol, ...]  # the neurons it connects from (after ``ONE``, the biases' row, if any)
    cols: tuple[Symbol, ...]  # ... and to
    values: tuple[tuple[float, ...], ...]
    updated: tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class Sheet:
    """Everything the worksheet and key of one variant show."""

    number: int  # 1-based
    code: str
    exercise: Exercise
    sizes: tuple[int, ...]
    x: tuple[Operand, ...]
    y: float
    lr: float
    matrices: tuple[Matrix, ...]
    layers: tuple[tuple[Symbol, ...], ...]  # neuron symbols, input to output
    forward: tuple[Group, ...]
    preparation: Group
    backward: tuple[BackwardLayer, ...]  # from the end
    after: Group
    y_pred_after: float
    L: float
    L_after: float
    answers: dict[str, float] = field(default_factory=dict)

    def steps(self):
        """Every step with an answer, in the course's order."""
        for group in self.forward:
            yield from group.steps
        yield from self.preparation.steps
        for layer in self.backward:
            for group in layer.groups:
                yield from group.steps
        yield from self.after.steps


def _mark_worked(groups: list[Group], worked: bool) -> list[Group]:
    # The notebook works one quantity of each group and leaves the rest to the student;
    # a group of one would give its whole answer away.
    if not worked:
        return groups
    out = []
    for g in groups:
        if len(g.steps) > 1:
            first = g.steps[0]
            g = replace(g, steps=(replace(first, worked=True),) + g.steps[1:])
        out.append(g)
    return out


def symbol(name: str) -> Symbol:
    """The notation of a named quantity: ``W_21`` is W₂₁, ``W_21_updated`` W′₂₁, and
    ``L_partial_q_1`` is ∂L/∂q₁, written with q₁'s symbol (a step says it is a derivative)."""
    if name.startswith("L_partial_"):
        return symbol(name.removeprefix("L_partial_"))
    if name.endswith("_updated"):
        return symbol(name.removesuffix("_updated")).after()
    special = {"y_pred": Y_PRED, "L": LOSS, "y": Y, "lr": LR, "L_after_update": LOSS.after()}
    if name in special:
        return special[name]
    letter, _, index = name.partition("_")
    return Symbol(letter, index)


def _step(f: formulas.Formula, value: dict[str, float], y_pred_after: float) -> Step:
    """Formula ``f`` with this variant's numbers attached."""

    def operand(name: str | None) -> Operand | None:
        return None if name is None else Operand(symbol(name), value[name])

    common = dict(name=f.name, kind=f.kind, value=value[f.name], activation=f.activation, loss=f.loss)
    if f.kind in ("neuron", "output"):
        return Step(target=symbol(f.name), sums=tuple((operand(w), operand(a)) for w, a in f.sums), **common)
    if f.kind in ("loss", "loss_partial_y_pred"):
        target = LOSS if f.kind == "loss" else Y_PRED
        return Step(target=target, y_pred=operand("y_pred"), y=value["y"], **common)
    if f.kind in ("weight_partial", "neuron_partial"):
        terms = tuple(Term(operand(t.upstream), operand(t.local), operand(t.factor)) for t in f.terms)
        return Step(target=symbol(f.name), terms=terms, **common)
    if f.kind == "update":
        return Step(target=symbol(f.name), old=operand(f.old), grad=value[f.grad], lr=value["lr"], **common)
    if f.kind == "loss_after":
        return Step(target=LOSS.after(), y_pred=Operand(Y_PRED.after(), y_pred_after), y=value["y"], **common)
    raise ValueError(f"unknown kind of step {f.kind!r}")


def sheet(batch: Batch, k: int, answers: dict[str, np.ndarray], worked_examples: bool = False) -> Sheet:
    """Variant ``k`` (0-based); ``answers`` is ``batch.solution.answers()``, computed once per batch."""
    s = batch.solution
    layout = batch.layout
    givens = batch.givens
    value = {name: float(v) for name, v in zip(layout.given_names, givens.flat()[k])}
    value |= {name: float(v[k]) for name, v in answers.items()}
    y_pred_after = float(s.y_pred_after_update[k])

    # Neuron symbols per layer, input to output.
    layers = tuple(tuple(symbol(formulas.neuron_name(layout, layer, i)) for i in range(n))
                   for layer, n in enumerate(layout.sizes))

    # The graph in the course's order, cut into the groups the course works together.
    groups: list[Group] = []
    for f in formulas.graph(batch.exercise):
        step = _step(f, value, y_pred_after)
        if groups and (groups[-1].kind, groups[-1].layer_index) == (f.group, f.layer):
            groups[-1] = replace(groups[-1], steps=groups[-1].steps + (step,))
            continue
        if f.group in ("forward_layer", "output"):
            letter = layers[f.layer + 1][0].letter
        elif f.layer >= 0:
            letter = layout.weight_letters[f.layer]
        else:
            letter = ""
        groups.append(Group(f.group, (step,), letter, f.layer))

    forward = [g for g in groups if g.kind in ("forward_layer", "output", "loss")]
    (preparation,) = [g for g in groups if g.kind == "preparation"]
    (after,) = [g for g in groups if g.kind == "loss_after"]
    backward = []
    for layer in reversed(range(layout.n_weight_layers)):
        points = [g for g in groups if g.kind.startswith("point") and g.layer_index == layer]
        backward.append(BackwardLayer(layout.weight_letters[layer], layer + 1, layer == layout.n_weight_layers - 1,
                                      tuple(_mark_worked(points, worked_examples))))

    matrices = tuple(
        Matrix(letter, ((ONE,) if layout.bias else ()) + layers[layer], layers[layer + 1],
               tuple(tuple(map(float, row)) for row in givens.weights[layer][k]),
               tuple(tuple(map(float, row)) for row in s.updated[layer][k]))
        for layer, letter in enumerate(layout.weight_letters)
    )
    return Sheet(
        number=k + 1,
        code=batch.codes[k],
        exercise=batch.exercise,
        sizes=layout.sizes,
        x=tuple(Operand(sym, value[sym.name]) for sym in layers[0]),
        y=value["y"],
        lr=value["lr"],
        matrices=matrices,
        layers=layers,
        forward=tuple(_mark_worked(forward, worked_examples)),
        preparation=preparation,
        backward=tuple(backward),
        after=after,
        y_pred_after=y_pred_after,
        L=value["L"],
        L_after=value["L_after_update"],
        answers={name: value[name] for name in layout.answer_names},
    )


@dataclass(frozen=True)
class GradingColumn:
    name: str  # answer name
    symbol: Symbol


@dataclass(frozen=True)
class GradingRow:
    number: int
    code: str
    answers: dict[str, float]


@dataclass(frozen=True)
class GradingTable:
    """The teacher's marking table: ŷ, L, L′ and every updated weight, a row per variant."""

    columns: tuple[GradingColumn, ...]
    rows: tuple[GradingRow, ...]
    columns_per_table: int

    @property
    def column_blocks(self) -> list[tuple[GradingColumn, ...]]:
        """Columns split into tables that fit the page width."""
        n = self.columns_per_table
        return [self.columns[i : i + n] for i in range(0, len(self.columns), n)]

    @property
    def landscape(self) -> bool:
        return len(self.columns) > PORTRAIT_COLUMNS


PORTRAIT_COLUMNS = 8
LANDSCAPE_COLUMNS = 14


def grading_table(batch: Batch, answers: dict[str, np.ndarray], variants: range | None = None) -> GradingTable:
    """The grading sheet's table of the ``variants`` (0-based; default all)."""
    layout = batch.layout
    columns = [GradingColumn("y_pred", Y_PRED), GradingColumn("L", LOSS),
               GradingColumn("L_after_update", LOSS.after())]
    for layer, letter in enumerate(layout.weight_letters):
        for name in layout.weight_names(layer):
            columns.append(GradingColumn(f"{name}_updated", Symbol(letter, name.split("_")[1], prime=True)))
    names = [c.name for c in columns]
    rows = tuple(
        GradingRow(k + 1, batch.codes[k], {name: float(answers[name][k]) for name in names})
        for k in (range(len(batch)) if variants is None else variants)
    )
    per_table = PORTRAIT_COLUMNS if len(columns) <= PORTRAIT_COLUMNS else LANDSCAPE_COLUMNS
    return GradingTable(tuple(columns), rows, per_table)
