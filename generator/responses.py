"""Students' submitted answers, as read from any source (a typed-in CSV, saved notebooks).

Readers turn their source into ``Response``s; the grader takes them from there, so every
source gets the same statuses, marks and outputs.
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
