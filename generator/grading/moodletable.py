"""A report as Moodle downloads it, as rows of text: CSV (UTF-8 with a byte order mark), Excel
(XLSX), OpenDocument (ODS) or JSON, whichever the teacher picked in the download menu.

Spreadsheets are read with python-calamine (the Rust calamine reader: one well-kept library
for both XLSX and ODS, the one pandas uses, no XML parsing of our own); CSV with the csv
module; JSON with json. Every cell comes back as the text Moodle wrote.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from .. import utf8
from .responses import ResponsesError

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
SPREADSHEETS = {".xlsx": "an Excel (XLSX)", ".ods": "an OpenDocument (ODS)"}


@dataclass(frozen=True)
class Table:
    """A downloaded report: its header, its rows, and how messages name each row."""

    name: str  # the file, as messages call it
    kind: str  # "csv", "xlsx", "ods", "json"
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    where: tuple[str, ...]  # "line 7" (CSV), "row 7" (a spreadsheet's row number), "attempt 7" (JSON)


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _spreadsheet(data: bytes, name: str, kind: str) -> Table:
    # A Moodle download always starts the ZIP with these members; anything else is not ours.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = set(archive.namelist())
            if kind == "ods" and ("mimetype" not in members or archive.read("mimetype").strip() != ODS_MIMETYPE):
                raise ResponsesError(f"{name} is not an OpenDocument spreadsheet (ODS)")
            if kind == "xlsx" and "xl/workbook.xml" not in members:
                raise ResponsesError(f"{name} is not an Excel workbook (XLSX)")
            archive.testzip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as e:
        raise ResponsesError(f"{name} cannot be read as {SPREADSHEETS['.' + kind]} file (truncated or damaged: "
                             f"{e}); download it from Moodle again") from None
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (python_calamine.CalamineError, ValueError, IndexError) as e:
        raise ResponsesError(f"{name} cannot be read as {SPREADSHEETS['.' + kind]} file ({e})") from None
    rows = [[_text(c) for c in row] for row in rows]
    if not rows:
        raise ResponsesError(f"{name} is empty")
    header, *body = rows
    return Table(name, kind, tuple(header), tuple(map(tuple, body)), tuple(f"row {k + 2}" for k in range(len(body))))


def _json(text: str, name: str) -> Table:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ResponsesError(f"{name} is not JSON ({e})") from None
    # Moodle's JSON download is a list of sheets, each a list of rows, each an object.
    if isinstance(data, list) and data and isinstance(data[0], list):
        data = data[0]
    if not isinstance(data, list) or not data or not all(isinstance(r, dict) for r in data):
        raise ResponsesError(f"{name} is not a report as Moodle downloads it as JSON (a list of rows)")
    header = tuple(data[0])
    rows = tuple(tuple(_text(r.get(c)) for c in header) for r in data)
    return Table(name, "json", header, rows, tuple(f"attempt {k + 1}" for k in range(len(rows))))


def _csv(text: str, name: str) -> Table:
    # Moodle writes commas; a spreadsheet that saved it again in a decimal-comma locale, semicolons.
    first = text.partition("\n")[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=max((",", ";", "\t"), key=first.count))
    try:
        header = next(reader, None)
        rows, where, line = [], [], reader.line_num + 1
        for row in reader:
            if any(c.strip() for c in row):
                rows.append(tuple(row))
                where.append(f"line {line}")
            line = reader.line_num + 1
    except csv.Error as e:
        raise ResponsesError(f"{name}, line {reader.line_num}: not a CSV file ({e})") from None
    if not header:
        raise ResponsesError(f"{name} is empty")
    return Table(name, "csv", tuple(header), tuple(rows), tuple(where))


def load(path: Path) -> Table | None:
    """The table in ``path`` when it is a spreadsheet or JSON (only Moodle's reports come that
    way), or a CSV file; None for a file that is none of these (it may be one typed by hand)."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ResponsesError(f"cannot read {path}: {e.strerror or e}") from None
    suffix = path.suffix.lower()
    if data.startswith(b"PK\x03\x04") or suffix in SPREADSHEETS:
        if suffix not in SPREADSHEETS:
            suffix = ".ods" if data[30:38] == b"mimetype" else ".xlsx"
        if not data.startswith(b"PK"):
            raise ResponsesError(f"{name} is not {SPREADSHEETS[suffix]} file (not a ZIP archive)")
        return _spreadsheet(data, name, suffix[1:])
    try:
        text = utf8.decode(data).removeprefix("\ufeff")
    except utf8.NotUtf8:
        return None
    if text.lstrip()[:1] == "[":
        return _json(text, name)
    if not text.strip():
        return None
    return _csv(text, name)
