"""Writing CSV that a spreadsheet opens safely.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets: a student named ``=HYPERLINK("http://…","y")`` would run
in the teacher's spreadsheet. Such a cell gets a leading ``'`` (OWASP's rule for CSV
injection), which spreadsheets show as text; numbers (``-0.7616``, ``1e-05``) are left as they
are, so every column of numbers still reads as numbers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def safe(cell):
    """``cell`` as it may be written: text that a spreadsheet would take for a formula, quoted."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


class Writer:
    """``csv.writer`` whose every cell is ``safe``."""

    def __init__(self, buffer, **options):
        self._writer = csv.writer(buffer, **options)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([safe(cell) for cell in row])
