"""A batch of variants: drawn (or given), solved and self-checked, ready for every output."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import numpy as np

from . import selfcheck, tolerance
from .codes import batch_codes
from .description import COURSE, Exercise
from .draw import draw
from .layout import Layout
from .rules import RULES, Rules
from .rules import warnings as broken_rules
from .solver import Givens, Solution, solve

MAX_SEED = 2**64 - 1


def new_master_seed() -> int:
    """An unpredictable seed from the OS's entropy (18 decimal digits: easy to copy)."""
    return secrets.randbelow(10**18)


@dataclass(frozen=True)
class Batch:
    master_seed: int
    decimals: int
    solution: Solution
    codes: tuple[str, ...]
    check_residuals: np.ndarray  # per variant, from selfcheck.residuals
    tolerances: dict[str, np.ndarray]  # per answer and variant, from tolerance.of_solution
    broken_rules: tuple[str, ...] = ()  # given data only: one line per rule a variant breaks (rules.warnings)

    @property
    def exercise(self) -> Exercise:
        return self.solution.exercise

    @property
    def layout(self) -> Layout:
        return self.solution.layout

    @property
    def givens(self) -> Givens:
        return self.solution.givens

    def __len__(self) -> int:
        return len(self.solution)


def make_batch(
    *,
    count: int = 30,
    seed: int | None = None,
    exercise: Exercise = COURSE,
    lr: float = 0.1,
    decimals: int = 4,
    givens: Givens | None = None,
    rules: Rules = RULES,
) -> Batch:
    """Draw ``count`` good variants of ``exercise`` (or take ``givens``, which name their own),
    solve and self-check them. Given data skip the ``rules``; ``Batch.broken_rules`` says which
    ones each variant breaks.

    Raises ``draw.DrawError`` when no good variants can be drawn for these options and
    ``selfcheck.SelfCheckError`` when a gradient disagrees with its numerical derivative.
    """
    master_seed = new_master_seed() if seed is None else seed
    given_by_teacher = givens is not None
    if givens is None:
        givens = draw(exercise, count, master_seed, lr, decimals, rules)
    solution = solve(givens)
    residuals = selfcheck.check(solution)
    codes = batch_codes(master_seed, len(givens))
    tolerances = tolerance.of_solution(solution, decimals)
    broken = tuple(broken_rules(solution, decimals, rules)) if given_by_teacher else ()
    return Batch(master_seed, decimals, solution, codes, residuals, tolerances, broken)
