"""Numbers as Moodle reads what a student typed into a NUMERICAL box, to tell the teacher where
Moodle's mark and ours differ because Moodle read the text otherwise.

Restated from qtype_numerical's answer processor (question/type/numerical/questiontype.php)
and checked against a real Moodle 5.0 site (``tests/moodle-samples``): ASCII spaces anywhere are
dropped; ``e``, ``E``, ``x10^``, ``*10^``, ``×10^`` (and ``**``) start an exponent; a text with a
``.`` (or with several ``,``) has its commas dropped as thousands separators; any other text has
the attempt's thousands separator dropped and its decimal separator made a ``.``. The separators
are fixed when the attempt starts, from the student's language: ``.`` and ``,`` in English, so
``0,7616`` is 7616; ``,`` and a no-break space in Russian, so both ``0,7616`` and ``0.7616``
are 0.7616. Then a number is matched at the start: an optional ``+``/``-``, digits, ``.`` and
digits, an exponent. A U+2212 minus, or a no-break space before the sign, matches no number.
"""

from __future__ import annotations

import math
import re

_EXPONENT = re.compile(r"(?:e|E|(?:x|\*|\u00d7)10(?:\^|\*\*))([+-]?\d+)")
_NUMBER = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?")
THOUSANDS = {".": ",", ",": "\u00a0"}  # the thousands separator that goes with a decimal separator


def moodle_reads(text: str, decimal: str = ".") -> float | None:
    """The number Moodle reads from ``text`` in an attempt whose decimal separator is ``decimal``,
    or None where it reads none (the box is then marked wrong)."""
    text = _EXPONENT.sub(r"e\1", text.replace(" ", ""))
    if "." in text or text.count(",") > 1:
        text = text.replace(",", "")
    else:
        text = text.replace(THOUSANDS[decimal], "").replace(decimal, ".").replace(",", ".")
    number = _NUMBER.match(text)
    sign, before, decimals, exponent = number.groups()
    if not before and not decimals:
        return None
    # Moodle takes what follows the number as a unit; our questions have none, so any is wrong.
    if number.end() != len(text):
        return None
    value = float(f"{sign}{before or '0'}.{decimals or '0'}e{exponent or '0'}")
    return value if math.isfinite(value) else None
