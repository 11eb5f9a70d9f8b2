"""Marking typed answers against the key, with credit for error carried forward.

Each answer gets a status:

* ``correct``: within its rounding-aware tolerance (``tolerance``) of the key;
* ``carried``: not correct, but within the same tolerance of the value its own formula (from
  the exercise's graph) gives from the student's earlier answers: the student's value for
  each operand answered, the key's for the others, the variant's given numbers;
* ``wrong``, ``missing``, ``unreadable``.

Error carried forward is not awarded where the error makes the later work easier, as
examiners' mark schemes have it: a step is not carried where, from the student's numbers, its
work (``formulas.work``: a neuron's weighted sum, the loss's ŷ − y, a gradient, an update's
gradient, how far the update moves the weights) vanishes, less than a tenth of the key's,
while from their correct answers (the key's value for every other) it does not. So 0 for
every gradient, ŷ copied from y or engineered to land on it, tiny gradients, a saturated
neuron or the given weights as "updated" ones earn nothing where they take the work away;
the key's own zeros (a ReLU neuron that is off) are no advantage, and a step that keeps its
work (a sum with one term gone) is carried as before.

Every array has a leading response axis, as the solver's have a variant axis: one call marks
10,000 responses with one pass over the graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..exercise import formulas
from ..exercise.description import Exercise
from ..exercise.formulas import Values

STATUSES = ("correct", "carried", "wrong", "missing", "unreadable")
CORRECT, CARRIED, WRONG, MISSING, UNREADABLE = range(len(STATUSES))

# A step's work vanishes where it is less than this share of the key's (``formulas.work``).
VANISHING = 0.1


@dataclass(frozen=True)
class Marks:
    """Statuses and points of ``n`` responses; matrices are ``(n, answers)`` in the course's order."""

    names: tuple[str, ...]  # the answers, in the course's order
    status: np.ndarray  # int8 index into STATUSES
    value: np.ndarray  # the student's number; NaN when missing or unreadable
    expected: np.ndarray  # the key
    carried_expected: np.ndarray  # the answer's formula on the student's earlier answers
    tolerance: np.ndarray
    points: np.ndarray
    carried_credit: float
    easier: np.ndarray  # bool: within tolerance of the carried value, but the error made the step easier

    @property
    def score(self) -> np.ndarray:
        return self.points.sum(axis=1)

    @property
    def max_score(self) -> int:
        return len(self.names)

    def count(self, status: int) -> np.ndarray:
        """How many answers of each response have ``status``."""
        return (self.status == status).sum(axis=1)


def grade(
    exercise: Exercise,
    key: Values,
    tolerances: Values,
    submitted: np.ndarray,
    unreadable: np.ndarray,
    carried_credit: float = 1.0,
) -> Marks:
    """Mark ``n`` responses.

    ``key``: every given number and answer by name, ``(n,)`` each (the variant of each
    response); ``tolerances``: per answer, ``(n,)``; ``submitted``: ``(n, answers)`` numbers
    in ``exercise.layout.answer_names`` order, NaN where there is none; ``unreadable``: ``(n, answers)``
    True where a cell held text that is not a number.
    """
    layout = exercise.layout
    names = layout.answer_names
    n = submitted.shape[0]
    status = np.empty((n, len(names)), dtype=np.int8)
    expected, carried_expected, tol = (np.empty((n, len(names))) for _ in range(3))
    # What later formulas read: the student's answer where there is one (``earlier``), and the
    # student's correct answers with the key's for the rest (``honest``): a shortcut taken
    # early and carried on "honestly" (a neuron engineered so that ŷ lands on y) still counts.
    earlier: dict[str, np.ndarray] = {name: key[name] for name in layout.given_names}
    honest = dict(earlier)
    easier = np.zeros((n, len(names)), dtype=bool)
    with np.errstate(all="ignore"):  # absurd typed numbers may overflow; they are just wrong
        for column, f in enumerate(formulas.graph(exercise)):
            value, right, t = submitted[:, column], key[f.name], tolerances[f.name]
            from_own = formulas.evaluate(exercise, f, earlier)
            answered = ~np.isnan(value)
            correct = np.abs(value - right) <= t
            follows = ~correct & (np.abs(value - from_own) <= t)
            easier[:, column] = follows & _made_easier(exercise, f, earlier, honest, key)
            carried = follows & ~easier[:, column]
            status[:, column] = np.select(
                [correct, carried, answered, unreadable[:, column]], [CORRECT, CARRIED, WRONG, UNREADABLE], MISSING)
            earlier[f.name] = np.where(answered, value, right)
            honest[f.name] = np.where(correct, value, right)
            expected[:, column], carried_expected[:, column], tol[:, column] = right, from_own, t
    points = np.select([status == CORRECT, status == CARRIED], [1.0, carried_credit], 0.0)
    return Marks(names, status, submitted, expected, carried_expected, tol, points, carried_credit, easier)


def _made_easier(exercise: Exercise, f: formulas.Formula, earlier: Values, honest: Values, key: Values) -> np.ndarray:
    """Where the student's errors make ``f``'s work vanish while their correct answers keep it.
    Work that the key lacks too (a ReLU neuron that is off) is no advantage."""
    limit = VANISHING * np.abs(formulas.work(exercise, f, key))
    return (np.abs(formulas.work(exercise, f, earlier)) < limit) & ~(np.abs(formulas.work(exercise, f, honest)) < limit)
