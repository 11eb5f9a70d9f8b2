"""Rounding-aware tolerances: how far from the key a careful student can honestly land.

The worksheet asks for every box rounded to ``decimals`` places, and a student carries those
rounded numbers into later steps. An answer's tolerance bounds the error that builds up that
way: the formula of the step (from the exercise's graph) is evaluated on intervals, each
earlier answer ranging over the key ± its own tolerance and the given numbers exact, and half
a unit of the last place is added for rounding the answer itself. Intervals make the bound
hold beyond first order: the linear bound through the derivatives fell short at 2 decimals
on variants with large answers, where the second-order terms are not small.

The grader, the notebook self-check, the Moodle file and the variant rules all read these
numbers; nothing else guesses a tolerance.
"""

from __future__ import annotations

import numpy as np

from . import formulas
from .description import Exercise
from .formulas import Values
from .interval import Interval
from .solver import Solution

# For the floating-point rounding of the bounds themselves and of a student's calculator.
SAFETY = 1.01


def half_unit(decimals: int) -> float:
    """Half a unit of the last printed place: the error of rounding one box."""
    return 0.5 * 10.0**-decimals


def tolerances(exercise: Exercise, values: Values, decimals: int) -> dict[str, np.ndarray]:
    """Each answer's tolerance, in the course's order, from the key's ``values`` (every
    given number and answer by name, one value per variant)."""
    return written(exercise, values, decimals)[1]


def written(exercise: Exercise, values: Values, decimals: int) -> tuple[dict, dict[str, np.ndarray]]:
    """What careful students write, by name (the given numbers exact, each answer an Interval),
    and each answer's tolerance."""
    half = half_unit(decimals)
    out: dict[str, np.ndarray] = {}
    reachable: dict[str, Interval | np.ndarray] = {name: values[name] for name in exercise.layout.given_names}
    # A ReLU neuron that is off is exactly 0 for every careful student, and so are the gradients
    # through it: rounding 0 leaves 0. (With the other activations an exact 0 is a coincidence
    # of the given numbers, and counts as a rounded answer like any other.)
    zeros_exact = exercise.activation.kink
    with np.errstate(all="ignore"):  # a NaN or an infinity is a tolerance the rules refuse
        for f in formulas.graph(exercise):
            value = values[f.name]
            spread = Interval.of(formulas.evaluate(exercise, f, reachable)).distance(value)
            out[f.name] = SAFETY * (spread + half)
            # The key ± its tolerance, or the exact 0.
            exact = (spread == 0) & (value == 0) & zeros_exact
            reachable[f.name] = Interval(np.where(exact, 0.0, value - out[f.name]),
                                         np.where(exact, 0.0, value + out[f.name]))
    return reachable, out


def key_values(solution: Solution) -> dict[str, np.ndarray]:
    """Every given number and answer of a solved batch, by name."""
    return formulas.given_values(solution.givens) | solution.answers()


def of_solution(solution: Solution, decimals: int) -> dict[str, np.ndarray]:
    """``tolerances`` of every variant of a solved batch."""
    return tolerances(solution.exercise, key_values(solution), decimals)
