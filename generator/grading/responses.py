"""Students' submitted answers, as read from any source (a typed-in CSV, saved notebooks).

Readers (``csvfile``, ``notebooks``; ``read`` picks one) turn their source into ``Response``s;
the grader takes them from there, so every source gets the same statuses, marks and outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Response:
    """One submitted worksheet: who, which variant, and the text given for each answer."""

    where: str  # how messages name it: "line 7", "anna.ipynb"
    student: str = ""
    code: str = ""  # the variant code as written, "" when not given
    variant: int | None = None  # the variant number, when given
    cells: dict[str, str] = field(default_factory=dict)  # answer name -> text as given; absent: not answered
    identity: tuple[tuple[str, str], ...] = ()  # (column, value): who it is, as an export names them


@dataclass(frozen=True)
class Refused:
    """A submission that cannot be graded, and why (said to the teacher, so in their words)."""

    where: str
    reason: str


@dataclass(frozen=True)
class Reading:
    """What a reader made of its source: the responses, and what it had to refuse."""

    responses: tuple[Response, ...]
    refused: tuple[Refused, ...] = ()


class ResponsesError(ValueError):
    """The source cannot be read at all (not a file of responses, empty, not text)."""
