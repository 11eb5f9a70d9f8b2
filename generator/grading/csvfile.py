"""Reading typed-in answers from a CSV file, as spreadsheets save it (responses-template.csv filled in).

Comma, semicolon or tab separated (a spreadsheet in a decimal-comma locale saves semicolons;
Excel's first line ``sep=;`` says which), UTF-8 with or without a byte order mark, or UTF-16
with one (Excel's "Unicode text"). A header row names the columns: ``student``,
``code`` and/or ``variant``, and one column per answer named as in answers.json. Each row is a
``Response`` with its cells as typed; whether they are numbers is the grader's business.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

from .. import utf8
from ..exchange.responsesheet import META
from .responses import MAX_CSV_BYTES, MAX_RESPONSES, Reading, Refused, Response, ResponsesError, clip

DELIMITERS = (",", ";", "\t")


def _delimiter(first_line: str) -> str:
    # Answer names hold none of these, so the header shows which one separates cells.
    return max(DELIMITERS, key=first_line.count)


# Excel writes (and reads) a first line "sep=;" naming the separator.
_EXCEL_SEPARATOR = re.compile(r"sep=(.)\r?\n")


def parse(text: str, name: str = "RESPONSES") -> Reading:
    """The responses in a CSV file's text; ``name`` is how messages call the file."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ResponsesError(f"{name} is empty")
    if excel := _EXCEL_SEPARATOR.match(text):
        delimiter = excel.group(1)
        text = "\n" + text[excel.end():]  # a blank line in its place keeps the line numbers
    else:
        delimiter = _delimiter(text.lstrip().partition("\n")[0])
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header, header_line = [], 0
        while not any(cell.strip() for cell in header):  # blank lines above the header
            header = next(rows, None)
            if header is None:
                raise ResponsesError(f"{name} has no header row naming the columns")
            header_line = rows.line_num
        columns = [cell.strip() for cell in header]
        meta = {c.lower(): i for i, c in enumerate(columns) if c.lower() in META}
        seen: set[str] = set()
        for c in columns:
            folded = c.lower() if c.lower() in META else c
            if folded and folded in seen:
                raise ResponsesError(f"{name}, line {header_line}: column {c!r} appears twice")
            seen.add(folded)
        if "code" not in meta and "variant" not in meta:
            raise ResponsesError(f"{name}, line {header_line}: no 'code' or 'variant' column, so no row says "
                                 "which variant it answers (the header names the columns)")
        answers = [(i, c) for i, c in enumerate(columns) if c and i not in meta.values()]

        student_at, code_at, variant_at = (meta.get(c, len(columns)) for c in META)
        responses: list[Response] = []
        refused: list[Refused] = []
        line = rows.line_num + 1
        for row in rows:
            first, where, line = line, f"line {line}", rows.line_num + 1
            if not any(row) or not any(cell.strip() for cell in row):
                continue  # spreadsheets save empty rows below the data
            broken = next((i for i, cell in enumerate(row) if "\n" in cell or "\r" in cell), None)
            if broken is not None:
                # A stray quote ("Jo) opens a cell that swallows the rows below it, up to the
                # next quote or the end of the file: none of them may be graded as one row.
                column = columns[broken] if broken < len(columns) else f"cell {broken + 1}"
                refused.append(Refused(where, f"a quote opens the {column!r} cell and it runs to line {rows.line_num}, "
                                              f"so lines {first} to {rows.line_num} were not graded; remove the "
                                              "stray \" and grade again"))
                continue
            if len(row) > len(columns) and any(cell.strip() for cell in row[len(columns):]):
                refused.append(Refused(where, f"{len(row)} cells, but the header names {len(columns)} columns"))
                continue
            row += [""] * (len(columns) + 1 - len(row))  # short rows: the missing cells are empty
            variant = row[variant_at].strip()
            if variant and not (variant.isascii() and variant.isdigit()):  # "²" is a digit to Python
                refused.append(Refused(where, f"variant {clip(variant)!r} is not a whole number"))
                continue
            cells = {c: clip(text) for i, c in answers if (text := row[i].strip())}
            student = clip(row[student_at].strip())
            if not cells and not student:
                continue  # a row of responses-template.csv that nobody filled in
            if len(responses) + len(refused) >= MAX_RESPONSES:
                raise ResponsesError(f"{name} has more than {MAX_RESPONSES} rows of answers; grade it in parts")
            responses.append(Response(where, student, clip(row[code_at].strip()), int(variant) if variant else None,
                                      cells))
    except csv.Error as e:
        raise ResponsesError(f"{name}, line {rows.line_num}: not a CSV file ({e})") from None
    if not responses and not refused:
        raise ResponsesError(f"{name} has a header but no rows of answers")
    return Reading(tuple(responses), tuple(refused))


def read(path: Path) -> Reading:
    try:
        data = utf8.read_bytes(path, MAX_CSV_BYTES)
        # Excel's "Unicode text" is UTF-16 with a byte order mark.
        text = data.decode("utf-16") if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else utf8.decode(data)
    except utf8.TooLarge as e:
        raise ResponsesError(f"{path} {e}; at most {MAX_RESPONSES} rows of answers are graded at once") from None
    except UnicodeDecodeError:
        raise ResponsesError(f"{path} starts as UTF-16 text but is not; save it as \"CSV UTF-8\"") from None
    except utf8.NotUtf8 as e:
        raise ResponsesError(f"{path}: {e}; save it from the spreadsheet as \"CSV UTF-8\"") from None
    except OSError as e:
        raise ResponsesError(f"cannot read {path}: {e.strerror or e}") from None
    return parse(text, str(path))
