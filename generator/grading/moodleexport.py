"""A Moodle quiz's Responses report (Quiz -> Results -> Responses, downloaded) as responses to
grade, and what Moodle made of each of them.

Columns are recognised by their structure, not their words (the headers are in the site's
language and differ across versions: ``Surname``/``Last name``, ``State``/``Status``): the grade
column is ``<word>/<maximum>`` (JSON: ``grade1000``); after it, a group of columns per question
slot, each header ending with the slot's number, in the report's order: question text,
response, right answer (whichever are ticked); before it, the attempt's state, start, finish
and duration; and before those, the student's identity columns (names, email address, ID
number...). One row is one attempt.

A row's variant: the code at the start of ``Question N`` (questions written since the variant
line was added), else the ``Right answer N`` numbers matched to answers.json (a file written
before). ``Response N`` reads ``part 1: <typed>; part 2: <typed>; ...``: split anchored on the
part numbers in order, so a typed ``;`` cannot split a part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..exchange.answers import Key
from ..exercise.codes import is_valid_code
from .moodlenumber import moodle_reads
from .moodletable import Table
from .responses import Reading, Refused, Response, ResponsesError

_GRADE = re.compile(r"/\s*(\d+(?:[.,]\d+)?)\s*$")  # "Grade/10.00", "Оценка/10,00"
_JSON_GRADE = re.compile(r"grade(\d+)")  # JSON keys are the headers in lower-case letters and digits
_SLOT = re.compile(r"(\D*?)\s*(\d+)")  # "Response 1", "rightanswer1"
_CODE = re.compile(r"\b([0-9A-Z]{4}-[0-9A-Z])\b")
NOT_SUBMITTED = "-"  # Moodle's cell for a time or grade an attempt does not have (yet)
# What PHP's trim() removes, and Moodle from the ends of a typed answer: a no-break space stays.
PHP_TRIM = " \t\n\r\0\x0b"
RIGHT_ANSWER_DIGITS = 1e-9  # Right answer N prints the stored key to 10 places, trailing zeros dropped

# Header words by kind, for the languages we know; other languages go by position.
KINDS = {
    "right": ("right answer", "rightanswer", "правильный ответ"),
    "response": ("response", "ответ"),
    "question": ("question", "вопрос"),
}
EMAIL_WORDS = ("email", "e-mail", "почт")
ID_NUMBER_WORDS = ("id number", "idnumber", "идентификационный номер")


@dataclass(frozen=True)
class Columns:
    """Where things are in a Responses report."""

    identity: tuple[int, ...]  # the student's columns, in the report's order
    names: tuple[int, ...]  # the first of them: the student's name (last and first, in the site's order)
    email: int | None
    id_number: int | None
    completed: int | None  # the attempt's finish time, "-" while it is not submitted
    grade: int | None
    max_grade: float | None  # from the grade column's header
    question: int | None
    response: int
    right: int | None


@dataclass(frozen=True)
class Attempt:
    """What a row says beyond the typed answers: who, Moodle's grade, what Moodle read."""

    where: str
    student_key: tuple[str, ...]  # who it is, to tell a student's attempts apart from another's
    identity: tuple[tuple[str, str], ...]  # (header, value) of the identity columns
    moodle_grade: float | None  # Moodle's grade, out of the quiz's maximum
    decimal: str  # the attempt's decimal separator (from its right answers)
    parts: tuple[str, ...]  # the typed text of each box, in the course's order
    right: tuple[float, ...] | None  # the key Moodle marked against, from Right answer N


def _number(text: str) -> float | None:
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None


def _kind(header: str) -> str | None:
    words = header.strip().lower()
    for kind, names in KINDS.items():
        if any(words.startswith(n) for n in names):
            return kind
    return None


def _looks_like(table: Table, column: int, test, empty: bool = False) -> bool:
    """Whether every cell of ``column`` with something in it passes ``test``; ``empty``: the
    answer when none has (a Response column while no attempt is submitted)."""
    cells = [r[column] for r in table.rows if column < len(r) and r[column].strip() not in ("", NOT_SUBMITTED)]
    return all(test(c) for c in cells) if cells else empty


def columns(table: Table) -> Columns:
    """The report's columns, recognised by structure; ResponsesError if it has no responses."""
    header = [h.strip() for h in table.header]
    grade = next((i for i, h in enumerate(header) if _GRADE.search(h) or _JSON_GRADE.fullmatch(h.lower())), None)
    start = grade + 1 if grade is not None else 0
    slots: dict[str, list[int]] = {}
    for i in range(start, len(header)):
        m = _SLOT.fullmatch(header[i])
        if m and m.group(1):
            slots.setdefault(m.group(2), []).append(i)
    parts = re.compile(r"\S.*? 1:")  # "part 1: ...", whatever the word for "part"
    for group in slots.values():
        kinds = {k: i for i in group if (k := _kind(header[i]))}
        if "response" not in kinds:
            # Other languages: the report's order is question, response, right answer; a
            # question column holds the text of the boxes ("_____"), the others "part 1: ...".
            answers = [i for i in group if _looks_like(table, i, lambda c: bool(parts.match(c)))]
            questions = [i for i in group if _looks_like(table, i, lambda c: "_____" in c)]
            if not answers:
                continue
            kinds = {"response": answers[0]} | ({"right": answers[1]} if len(answers) > 1 else {}) \
                | ({"question": questions[0]} if questions else {})
        if _looks_like(table, kinds["response"], lambda c: bool(parts.match(c)), empty=True):
            break
    else:
        raise ResponsesError(f"{table.name} has no 'Response N' column of a Cloze question: download the quiz's "
                             "Responses report with 'Response' ticked (and 'Question text' and 'Right answer')")
    max_grade = None
    if grade is not None:
        m = _GRADE.search(header[grade])
        if m:
            max_grade = _number(m.group(1))
        else:  # JSON: "grade1000" is Grade/10.00; the grades' own places say where the point goes
            digits = _JSON_GRADE.fullmatch(header[grade].lower()).group(1)
            places = {len(c.partition(".")[2]) for r in table.rows if grade < len(r) and
                      _number(c := r[grade]) is not None}
            max_grade = int(digits) / 10 ** (places.pop() if len(places) == 1 else 2)
    # Before the grade: state, started, completed, duration; before those, the student.
    before = grade if grade is not None else min(kinds.values())
    identity = tuple(range(max(before - 4, 0))) or tuple(range(before))
    completed = before - 2 if before >= 4 else None
    lower = [h.lower() for h in header]
    email = next((i for i in identity if any(w in lower[i] for w in EMAIL_WORDS)), None)
    if email is None:
        email = next((i for i in identity if _looks_like(table, i, lambda c: "@" in c)), None)
    id_number = next((i for i in identity if lower[i] in ID_NUMBER_WORDS), None)
    names = tuple(i for i in identity[:2] if i not in (email, id_number))
    return Columns(identity, names, email, id_number, completed, grade, max_grade, kinds.get("question"),
                   kinds["response"], kinds.get("right"))


def is_export(table: Table) -> bool:
    """Whether ``table`` is a Responses report; a CSV file without its structure is one typed
    by hand (``csvfile``). A spreadsheet or JSON file can only be a report: ResponsesError
    says why it is not one."""
    try:
        columns(table)
    except ResponsesError:
        grades = [h for h in table.header if _GRADE.search(h.strip())]
        if table.kind == "csv" and not grades:
            return False
        if grades:  # Results -> Grades, or the gradebook's export: marks, but no responses
            raise ResponsesError(f"{table.name} has grades ({grades[0].strip()!r}) but no 'Response N' column: "
                                 "download Quiz -> Results -> Responses, with 'Response' ticked") from None
        raise
    return True


def split_parts(text: str, count: int) -> tuple[str, ...] | None:
    """``part 1: a; part 2: b; ...`` as ``(a, b, ...)``, each with only its ends trimmed, or
    None when it is not ``count`` parts. Anchored on the part numbers in order: a typed ``;``
    or even ``; part 3:`` inside a box cannot split it, as the next part's label is looked for
    only where the next part number is due, and the last part runs to the end."""
    m = re.match(r"(\S+) 1:", text)
    if not m:
        return None
    label, position, parts = m.group(1), m.end(), []
    for k in range(2, count + 1):
        at = text.find(f"; {label} {k}:", position)
        if at < 0:
            return None
        parts.append(text[position:at].strip(PHP_TRIM))
        position = at + len(f"; {label} {k}:")
    last = text[position:]
    if re.search(f"; {re.escape(label)} {count + 1}:", last):
        return None
    parts.append(last.strip(PHP_TRIM))
    return tuple(parts)


def _code(question: str) -> str:
    """The variant code on the question text's first line ("Variant 3 · K7QF-3")."""
    first = next((line for line in question.splitlines() if line.strip()), "")
    return next((c for c in _CODE.findall(first) if is_valid_code(c)), "")


class _RightAnswers:
    """Finds the variant whose key a row's Right answer N prints."""

    def __init__(self, key: Key):
        self.key = key
        self.values = np.stack([key.values[name] for name in key.layout.answer_names], axis=1)

    def __call__(self, right: Sequence[float]) -> list[int]:
        close = np.abs(self.values - np.asarray(right)) <= RIGHT_ANSWER_DIGITS * np.maximum(1, np.abs(self.values))
        return np.flatnonzero(close.all(axis=1)).tolist()


@dataclass(frozen=True)
class Export:
    """A Responses report read: the attempts to grade (``reading``), what Moodle did with each
    (``attempts``, by ``where``), the attempts not submitted, and the quiz's maximum grade."""

    reading: Reading
    attempts: dict[str, Attempt]
    skipped: tuple[Refused, ...]
    columns: Columns
    table: Table


def read(table: Table, key: Key) -> Export:
    """Every submitted attempt of ``table`` as a ``Response`` naming its variant of ``key``."""
    c = columns(table)
    names = key.layout.answer_names
    find_by_right = _RightAnswers(key)
    by_code = key.by_code()
    header = [h.strip() for h in table.header]
    responses: list[Response] = []
    refused: list[Refused] = []
    skipped: list[Refused] = []
    attempts: dict[str, Attempt] = {}
    for row, where in zip(table.rows, table.where):
        row = tuple(row) + ("",) * (len(header) - len(row))
        response = row[c.response].strip()
        if (c.completed is not None and row[c.completed].strip() in ("", NOT_SUBMITTED)) or response == NOT_SUBMITTED:
            skipped.append(Refused(where, "attempt not submitted (in progress): skipped"))
            continue
        parts = split_parts(response, len(names)) if response else ("",) * len(names)
        if parts is None:
            refused.append(Refused(where, f"{header[c.response]} is not {len(names)} parts 'part 1: ...; "
                                          f"part {len(names)}: ...' (the key's exercise has {len(names)} answers)"))
            continue
        right, decimal = None, "."
        if c.right is not None and (text := row[c.right].strip()):
            decimal = "," if re.search(r"\d,\d", text) else "."
            right_parts = split_parts(text, len(names))
            numbers = [_number(p) for p in right_parts] if right_parts else None
            if numbers is None or None in numbers:
                refused.append(Refused(where, f"{header[c.right]} is not {len(names)} numbers 'part 1: ...' "
                                              f"(the key's exercise has {len(names)} answers)"))
                continue
            right = tuple(numbers)
        code = _code(row[c.question]) if c.question is not None else ""
        variant = None
        if not code:
            if right is None:
                refused.append(Refused(where, "no variant code at the start of the question text and no right "
                                              "answers to find its variant by: download the report with "
                                              "'Question text' or 'Right answer' ticked"))
                continue
            found = find_by_right(right)
            if len(found) != 1:
                refused.append(Refused(where, "the right answers are those of no variant of the key"
                                       if not found else "the right answers are those of variants "
                                       + " and ".join(str(key.numbers[k]) for k in found) + " of the key"))
                continue
            variant = key.numbers[found[0]]
        elif right is not None and (coded := by_code.get(code)) and not set(coded) & set(find_by_right(right)):
            refused.append(Refused(where, f"the question's code {code} is variant "
                                          f"{' or '.join(str(key.numbers[k]) for k in coded)} of the key, but its "
                                          "right answers are another key's (answers.json of another batch?)"))
            continue
        identity = tuple((header[i], row[i].strip()) for i in c.identity)
        student = " ".join(row[i].strip() for i in c.names if row[i].strip())
        who = tuple(row[i].strip() for i in c.identity)
        grade = _number(row[c.grade]) if c.grade is not None else None
        cells = {name: text for name, text in zip(names, parts) if text}
        responses.append(Response(where, student, code, variant, cells, identity))
        attempts[where] = Attempt(where, who, identity, grade, decimal, parts, right)
    if not responses and not refused and not skipped:
        raise ResponsesError(f"{table.name} has a header but no attempts")
    return Export(Reading(tuple(responses), tuple(refused)), attempts, tuple(skipped), c, table)


def moodle_marks(attempt: Attempt, expected: np.ndarray, tolerance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the number Moodle read from each box, NaN for none; whether Moodle marked it right):
    within the tolerance of the key Moodle holds (Right answer N, else answers.json's)."""
    read = np.array([v if (v := moodle_reads(t, attempt.decimal)) is not None else np.nan
                     for t in attempt.parts] if attempt.parts else [], dtype=float)
    right = np.asarray(attempt.right, dtype=float) if attempt.right is not None else expected
    with np.errstate(invalid="ignore"):
        return read, np.abs(read - right) <= tolerance * (1 + 1e-12)
