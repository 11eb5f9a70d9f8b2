"""What one variant's documents show, step by step, read from the solution object.

Each ``Step`` is one quantity of the exercise with the operands its formula needs
(symbols and their values). Templates decide how a step looks; every number here is read
from the ``Solution``, none is computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .batch import Batch


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


@dataclass(frozen=True)
class Operand:
    symbol: Symbol
    value: float


@dataclass(frozen=True)
class Term:
    """One path of a sum: ``upstream`` · (1 − ``local``²) · ``factor``; ``local`` is None
    where the neuron is the linear output."""

    upstream: Operand  # ∂L/∂(neuron), the value is the derivative
    local: Operand | None  # the tanh neuron whose derivative 1 − n² enters
    factor: Operand  # the input neuron (point 1) or the weight (point 2)


@dataclass(frozen=True)
class Step:
    """One quantity, named as in answers.json (``name``), with what its formula needs.

    kinds: ``neuron`` (tanh of a weighted sum), ``output`` (linear weighted sum), ``loss``,
    ``loss_partial_y_pred``, ``weight_partial``, ``neuron_partial``, ``update``, ``loss_after``.
    """

    name: str
    kind: str
    target: Symbol
    value: float
    sums: tuple[tuple[Operand, Operand], ...] = ()  # (weight, input) pairs of a forward sum
    terms: tuple[Term, ...] = ()  # backward: the paths of the chain rule
    old: Operand | None = None  # update: the weight before the step
    grad: float | None = None  # update: its derivative
    lr: float | None = None
    y_pred: Operand | None = None  # loss, loss_partial_y_pred, loss_after
    y: float | None = None
    worked: bool = False  # shown with its solution on the worksheet (worked examples)


@dataclass(frozen=True)
class Group:
    """Steps the course does together: a layer's neurons, or one point of a backward step."""

    kind: str  # forward_layer, output, loss, preparation, point1, point2, point3, loss_after
    steps: tuple[Step, ...]
    layer: str = ""  # the weight letter for backward points, the neuron letter forward


@dataclass(frozen=True)
class BackwardLayer:
    letter: str  # weight letter: V, U, W
    number: int  # 1-based, from the input
    is_last: bool
    groups: tuple[Group, ...]  # point 1, point 2 (not for the first layer), point 3


@dataclass(frozen=True)
class Matrix:
    symbol: str  # W, U, V
    rows: tuple[Symbol, ...]  # the neurons it connects from
    cols: tuple[Symbol, ...]  # ... and to
    values: tuple[tuple[float, ...], ...]
    updated: tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class Sheet:
    """Everything the worksheet and key of one variant show."""

    number: int  # 1-based
    code: str
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


def sheet(batch: Batch, k: int, answers: dict[str, np.ndarray], worked_examples: bool = False) -> Sheet:
    """Variant ``k`` (0-based); ``answers`` is ``batch.solution.answers()``, computed once per batch."""
    s = batch.solution
    layout = batch.layout
    givens = batch.givens
    value = {name: float(v[k]) for name, v in answers.items()}
    lr = float(givens.lr[k])
    y = float(givens.y[k])

    # Neuron symbols per layer, input to output, and their values.
    layers: list[tuple[Symbol, ...]] = [tuple(Symbol("x", str(i + 1)) for i in range(layout.sizes[0]))]
    for letter, n in zip(layout.hidden_letters, layout.sizes[1:-1]):
        layers.append(tuple(Symbol(letter, str(i + 1)) for i in range(n)))
    layers.append((Y_PRED,))
    neuron_values = [givens.x[k]] + [a[k] for a in s.neurons] + [np.array([s.y_pred[k]])]

    def neuron(layer: int, i: int) -> Operand:
        return Operand(layers[layer][i], float(neuron_values[layer][i]))

    def weight(layer: int, i: int, j: int) -> Operand:
        return Operand(Symbol(layout.weight_letters[layer], f"{i + 1}{j + 1}"), float(givens.weights[layer][k, i, j]))

    n_layers = layout.n_weight_layers
    y_pred = Operand(Y_PRED, float(s.y_pred[k]))

    # Forward pass: each layer's neurons, then the output and the loss.
    forward: list[Group] = []
    for layer in range(n_layers):
        rows, cols = layout.weight_shapes[layer]
        steps = []
        for j in range(cols):
            target = layers[layer + 1][j]
            is_output = layer == n_layers - 1
            steps.append(Step(
                name=target.name,
                kind="output" if is_output else "neuron",
                target=target,
                value=value[target.name],
                sums=tuple((weight(layer, i, j), neuron(layer, i)) for i in range(rows)),
            ))
        forward.append(Group("output" if layer == n_layers - 1 else "forward_layer", tuple(steps),
                             layers[layer + 1][0].letter))
    forward.append(Group("loss", (Step("L", "loss", LOSS, value["L"], y_pred=y_pred, y=y),)))

    preparation = Group("preparation", (Step("L_partial_y_pred", "loss_partial_y_pred", Y_PRED,
                                             value["L_partial_y_pred"], y_pred=y_pred, y=y),))

    def upstream(layer: int, j: int) -> tuple[Operand, Operand | None]:
        """∂L/∂(neuron j fed by weight layer ``layer``) and the tanh neuron itself, if tanh."""
        target = layers[layer + 1][j]
        grad = Operand(target, value[f"L_partial_{target.name}"])
        return grad, (None if layer == n_layers - 1 else neuron(layer + 1, j))

    backward: list[BackwardLayer] = []
    for layer in reversed(range(n_layers)):
        rows, cols = layout.weight_shapes[layer]
        letter = layout.weight_letters[layer]
        point1, point3 = [], []
        for i in range(rows):
            for j in range(cols):
                w = weight(layer, i, j)
                grad_name, new_name = f"L_partial_{w.symbol.name}", f"{w.symbol.name}_updated"
                up, local = upstream(layer, j)
                point1.append(Step(grad_name, "weight_partial", w.symbol, value[grad_name],
                                   terms=(Term(up, local, neuron(layer, i)),)))
                point3.append(Step(new_name, "update", w.symbol.after(), value[new_name], old=w,
                                   grad=value[grad_name], lr=lr))
        groups = [Group("point1", tuple(point1), letter)]
        if layer > 0:
            point2 = []
            for i in range(rows):
                target = layers[layer][i]
                terms = tuple(Term(*upstream(layer, j), weight(layer, i, j)) for j in range(cols))
                grad_name = f"L_partial_{target.name}"
                point2.append(Step(grad_name, "neuron_partial", target, value[grad_name], terms=terms))
            groups.append(Group("point2", tuple(point2), letter))
        groups.append(Group("point3", tuple(point3), letter))
        backward.append(BackwardLayer(letter, layer + 1, layer == n_layers - 1,
                                      tuple(_mark_worked(groups, worked_examples))))

    y_pred_after = float(s.y_pred_after_update[k])
    after = Group("loss_after", (Step("L_after_update", "loss_after", LOSS.after(), value["L_after_update"],
                                      y_pred=Operand(Y_PRED.after(), y_pred_after), y=y),))

    matrices = tuple(
        Matrix(letter, layers[layer], layers[layer + 1],
               tuple(tuple(map(float, row)) for row in givens.weights[layer][k]),
               tuple(tuple(map(float, row)) for row in s.updated[layer][k]))
        for layer, letter in enumerate(layout.weight_letters)
    )
    return Sheet(
        number=k + 1,
        code=batch.codes[k],
        sizes=layout.sizes,
        x=tuple(neuron(0, i) for i in range(layout.sizes[0])),
        y=y,
        lr=lr,
        matrices=matrices,
        layers=tuple(layers),
        forward=tuple(_mark_worked(forward, worked_examples)),
        preparation=preparation,
        backward=tuple(backward),
        after=after,
        y_pred_after=y_pred_after,
        L=value["L"],
        L_after=value["L_after_update"],
        answers=value,
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


def grading_table(batch: Batch, answers: dict[str, np.ndarray]) -> GradingTable:
    layout = batch.layout
    columns = [GradingColumn("y_pred", Y_PRED), GradingColumn("L", LOSS),
               GradingColumn("L_after_update", LOSS.after())]
    for layer, letter in enumerate(layout.weight_letters):
        for name in layout.weight_names(layer):
            columns.append(GradingColumn(f"{name}_updated", Symbol(letter, name.split("_")[1], prime=True)))
    names = [c.name for c in columns]
    rows = tuple(
        GradingRow(k + 1, batch.codes[k], {name: float(answers[name][k]) for name in names})
        for k in range(len(batch))
    )
    per_table = PORTRAIT_COLUMNS if len(columns) <= PORTRAIT_COLUMNS else LANDSCAPE_COLUMNS
    return GradingTable(tuple(columns), rows, per_table)
