"""Reading produced PDFs back, as a person reading the page would find the numbers."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader

NUMBER = re.compile(r"[−-]?\d+[.,]\d+")


def pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def text(path: Path) -> str:
    return "\n".join(pages(path))


def numbers(path_or_text) -> set[str]:
    """Every decimal number printed, as printed (U+2212 minus and decimal comma kept)."""
    source = text(path_or_text) if isinstance(path_or_text, Path) else path_or_text
    return set(NUMBER.findall(source))
