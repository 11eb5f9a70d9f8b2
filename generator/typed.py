"""Numbers as people type them into a spreadsheet or a form.

``0.7616``, ``0,7616`` (the decimal comma), ``−0,7088`` (U+2212, as the worksheets print it),
``-0.7088``, spaces anywhere (``1 234,5`` groups digits the Russian way), ``1e-3``. Anything
else is not a number: ``nan``, ``inf``, ``1,234.5`` (which mark is the decimal one?), ``1/2``.
"""

from __future__ import annotations

import math
import re

# Minus signs people paste from documents: U+2212 (the worksheets'), en dash, figure dash.
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-", "\ufe63": "-", "\uff0d": "-"})
_SPACE = re.compile(r"\s+")
_PLAIN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def number(text: str) -> float | None:
    """The number ``text`` holds, or None when it holds something else."""
    if not text.isascii():
        text = text.translate(_MINUS)
    if "," in text:
        if "." in text or text.count(",") > 1:
            return None
        text = text.replace(",", ".")
    try:
        value = float(text)  # reads spaces around, a sign, an exponent
    except ValueError:
        plain = _SPACE.sub("", text)  # spaces inside: "1 234.5", "- 0.5"
        if not _PLAIN.fullmatch(plain):
            return None
        value = float(plain)
    else:
        if "_" in text:  # float() reads "1_000"; nobody types that
            return None
    return value if math.isfinite(value) else None  # float() also reads "nan" and "inf"
