"""Numbers as text: as the documents print them, and as people type them back.

The one place that knows the printed forms: fixed decimals, the true minus sign (U+2212), the
decimal comma in Russian, never ``−0.0000``; and what a typed number may look like.
"""

from __future__ import annotations

import math
import re

MINUS = "\u2212"
DECIMAL_MARK = {"en": ".", "ru": ","}


# --- printed -------------------------------------------------------------------------------

def fixed(value: float, places: int) -> str:
    """``value`` with ``places`` decimals, a hyphen-minus and a decimal point (as file formats and
    calculators take it); a value that rounds to zero is ``0.000``, never ``-0.000``."""
    text = f"{value:.{places}f}"
    return text.lstrip("-") if float(text) == 0 else text


def plain(value: float) -> int | float:
    """A given number as a teacher types it: ``2``, not ``2.0`` (as JSON, CSV and Python write it)."""
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else float(value)


def _finish(text: str, lang: str) -> str:
    if text.startswith("-"):
        text = MINUS + text[1:]
    return text.replace(".", DECIMAL_MARK[lang])


def answer(value: float, decimals: int, lang: str = "en") -> str:
    """An answer as the documents print it, rounded to ``decimals`` places, trailing zeros kept:
    ``−0.2380``; a value that rounds to zero prints as ``0.0000``, never ``−0.0000``."""
    return _finish(fixed(value, decimals), lang)


def given(value: float, lang: str = "en") -> str:
    """A given number as the documents print it: ``2``, ``−0.5``, ``0.1``."""
    return _finish(repr(plain(value)), lang)


def typeable(value: float, lang: str = "en") -> str:
    """A given number as a student types it into a form: ``given`` with a hyphen-minus, which
    Moodle reads (it reads U+2212 as no number at all)."""
    return repr(plain(value)).replace(".", DECIMAL_MARK[lang])


def shape(text: str) -> tuple[bool, int]:
    """Whether a printed number has a minus sign, and how many digits before its decimal mark:
    what its width in a column of numbers with the same decimals depends on."""
    negative = text.startswith(MINUS)
    whole = text.lstrip(MINUS).replace(",", ".").split(".")[0]
    return negative, len(whole)


def score(value: float) -> str:
    """A score as a gradebook takes it: ``30``, ``30.5``."""
    return f"{round(float(value), 4):g}"


# --- typed ---------------------------------------------------------------------------------

# Minus signs people paste from documents: U+2212 (the worksheets'), en dash, figure dash.
_TYPED_MINUS = str.maketrans({MINUS: "-", "\u2013": "-", "\u2012": "-", "\ufe63": "-", "\uff0d": "-"})
_SPACE = re.compile(r"\s+")
# Moodle's other ways of writing an exponent (qtype_numerical's answer processor): 8.48x10^-1,
# 8.48*10^-1, 8.48×10**-1.
_TIMES_TEN = re.compile(r"\s*(?:[xX*\u00d7]\s*10\s*(?:\^|\*\*))\s*(?=[+-]?\s*\d)")
_PLAIN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def typed(text: str) -> float | None:
    """The number a person typed into a spreadsheet or a form, or None when ``text`` holds
    something else.

    ``0.7616``, ``0,7616`` (the decimal comma), ``−0,7088`` (U+2212, as the worksheets print it),
    ``-0.7088``, spaces anywhere (``1 234,5`` groups digits the Russian way), ``1e-3``, and the
    exponents Moodle reads (``8.48284x10^-1``, ``*10^``, ``×10**``). Not a number: ``nan``,
    ``inf``, ``1,234.5`` (which mark is the decimal one?), ``1/2``.
    """
    if "10" in text:
        text = _TIMES_TEN.sub("e", text)
    if not text.isascii():
        text = text.translate(_TYPED_MINUS)
    if "," in text:
        if "." in text or text.count(",") > 1:
            return None
        text = text.replace(",", ".")
    try:
        value = float(text)  # reads spaces around, a sign, an exponent
    except ValueError:
        plain_text = _SPACE.sub("", text)  # spaces inside: "1 234.5", "- 0.5"
        if not _PLAIN.fullmatch(plain_text):
            return None
        value = float(plain_text)
    else:
        if "_" in text:  # float() reads "1_000"; nobody types that
            return None
    return value if math.isfinite(value) else None  # float() also reads "nan" and "inf"
