"""From read responses to marks: find each response's variant in the key, read its numbers,
grade them all at once. Whatever the responses were read from, everything after ``mark`` is
the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .. import numbertext
from ..exchange.answers import Key
from ..exercise.codes import is_valid_code
from . import statuses
from .responses import Reading, Refused, Response


@dataclass(frozen=True)
class Report:
    """The graded responses (in the order read) with their marks, and the refused ones."""

    key: Key
    responses: tuple[Response, ...]
    variant_index: np.ndarray  # (n,) index of each response's variant in the key
    marks: statuses.Marks
    refused: tuple[Refused, ...]
    ignored: tuple[str, ...]  # cell names that are no answer of the key's exercise
    duplicates: tuple[str, ...] = ()  # a variant or a student graded more than once, where

    def __len__(self) -> int:
        return len(self.responses)

    @property
    def variants(self) -> list[int]:
        return [self.key.numbers[k] for k in self.variant_index]

    @property
    def codes(self) -> list[str]:
        return [self.key.codes[k] for k in self.variant_index]


def _variant_range(numbers: Sequence[int]) -> str:
    low, high = min(numbers), max(numbers)
    return f"variants {low} to {high}" if len(numbers) == high - low + 1 else f"{len(numbers)} variants"


class _Locator:
    """Finds a response's variant by the codes and numbers the key records."""

    def __init__(self, key: Key):
        self.key = key
        self.by_number = key.by_number()
        self.by_code = key.by_code()

    def __call__(self, r: Response) -> int | str:
        """The variant's index, or why there is none."""
        numbered = self.by_number.get(r.variant) if r.variant is not None else None
        if r.variant is not None and numbered is None:
            return f"variant {r.variant} is not in the key (it has {_variant_range(self.key.numbers)})"
        if not r.code:
            return "no code and no variant" if r.variant is None else numbered
        if not is_valid_code(r.code):
            return f"code {r.code!r} is not a valid code: a character is mistyped (not guessed)"
        coded = self.by_code.get(r.code.upper())
        if coded is None:
            return f"unknown code {r.code!r}: no variant of the key has it"
        if numbered is not None:
            if numbered in coded:
                return numbered
            numbers = " or ".join(str(self.key.numbers[k]) for k in coded)
            return f"code {r.code!r} is variant {numbers}, not variant {r.variant}"
        if len(coded) > 1:
            numbers = " and ".join(str(self.key.numbers[k]) for k in coded)
            return f"code {r.code!r} belongs to variants {numbers} of the key; give the variant number too"
        return coded[0]


def mark(reading: Reading, key: Key, carried_credit: float = 1.0) -> Report:
    """Grade every response of ``reading`` that names a variant of ``key``."""
    locate = _Locator(key)
    graded: list[Response] = []
    index: list[int] = []
    refused = list(reading.refused)
    for r in reading.responses:
        found = locate(r)
        if isinstance(found, str):
            refused.append(Refused(r.where, found))
        else:
            graded.append(r)
            index.append(found)
    refused.sort(key=lambda r: _order(r.where))

    column = {name: j for j, name in enumerate(key.layout.answer_names)}
    submitted = np.full((len(graded), len(column)), np.nan)
    unreadable = np.zeros(submitted.shape, dtype=bool)
    ignored: dict[str, None] = {}
    for i, r in enumerate(graded):
        for name, text in r.cells.items():
            j = column.get(name)
            if j is None:
                ignored[name] = None
                continue
            value = numbertext.typed(text)
            if value is None:
                unreadable[i, j] = True
            else:
                submitted[i, j] = value

    at = np.array(index, dtype=np.intp)
    marks = statuses.grade(key.exercise, {name: v[at] for name, v in key.values.items()},
                           {name: v[at] for name, v in key.tolerances.items()}, submitted, unreadable, carried_credit)
    return Report(key, tuple(graded), at, marks, tuple(refused), tuple(ignored), _duplicates(key, graded, index))


def _duplicates(key: Key, graded: list[Response], index: list[int]) -> tuple[str, ...]:
    """Each variant and each student name that more than one graded response has: all are
    graded, but a copied row or a name typed twice should not pass unseen."""
    by_variant: dict[int, list[str]] = {}
    by_student: dict[str, list[str]] = {}
    for r, k in zip(graded, index):
        by_variant.setdefault(k, []).append(r.where)
        if r.student:
            by_student.setdefault(" ".join(r.student.casefold().split()), []).append(r.where)
    out = [f"variant {key.numbers[k]} ({key.codes[k]}) is answered by {_and(wheres)}"
           for k, wheres in by_variant.items() if len(wheres) > 1]
    names: dict[str, str] = {}
    for r in graded:
        names.setdefault(" ".join(r.student.casefold().split()), r.student)
    out += [f"student {names[name]!r} appears in {_and(wheres)}" for name, wheres in by_student.items()
            if len(wheres) > 1]
    return tuple(out)


def _and(wheres: list[str], shown: int = 5) -> str:
    """``line 2, line 4 and line 9``; past ``shown`` of them, how many more."""
    if len(wheres) > shown:
        return ", ".join(wheres[:shown]) + f" and {len(wheres) - shown} more"
    return ", ".join(wheres[:-1]) + " and " + wheres[-1]


def _order(where: str) -> tuple:
    # "line 7" before "line 12"; other sources' names in text order.
    word, _, number = where.partition(" ")
    return (word, int(number)) if number.isdigit() else (where, 0)
