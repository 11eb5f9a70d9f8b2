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
    # The common case first: float() already reads "0.7616", " -1e-3 ".
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        # float() also reads "nan", "inf" and "1_000", which nobody means as an answer.
        return value if math.isfinite(value) and "_" not in text else None
    plain = _SPACE.sub("", text.translate(_MINUS))
    if "," in plain:
        if "." in plain or plain.count(",") > 1:
            return None
        plain = plain.replace(",", ".")
    if not _PLAIN.fullmatch(plain):
        return None
    value = float(plain)
    return value if math.isfinite(value) else None
