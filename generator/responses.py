"""Students' submitted answers, as read from any source (a typed-in CSV, saved notebooks).

Readers turn their source into ``Response``s; the grader takes them from there, so every
source gets the same statuses, marks and outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Response:
    """One submitted worksheet: who, which variant, and the text given for each answer."""

    where: str  # how messages name it: "line 7", "anna.ipynb"
    student: str = ""
    code: str = ""  # the variant code as written, "" when not given
    variant: int | None = None  # the variant number, when given
    cells: dict[str, str] = field(default_factory=dict)  # answer name -> text as given; absent: not answered


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


def read(path: Path) -> Reading:
    """The responses in ``path``: a CSV file typed in from the worksheets, or a folder of the
    students' saved notebooks (read, never run)."""
    # Imported here, not above: both readers import this module.
    if path.is_dir():
        from .notebook_responses import read_notebooks

        reading = read_notebooks(path)
        if not reading.responses and not reading.refused:
            raise ResponsesError(f"{path} holds no notebooks (*.ipynb) and is not a CSV file")
        return reading
    from . import responsecsv

    return responsecsv.read(path)
