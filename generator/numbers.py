"""How numbers look in documents: fixed decimals, the true minus sign, the decimal comma in Russian."""

from __future__ import annotations

MINUS = "\u2212"
DECIMAL_MARK = {"en": ".", "ru": ","}


def _finish(text: str, lang: str) -> str:
    if text.startswith("-"):
        text = MINUS + text[1:]
    return text.replace(".", DECIMAL_MARK[lang])


def answer(value: float, decimals: int, lang: str = "en") -> str:
    """An answer rounded to ``decimals`` places, trailing zeros kept: ``−0.2380``.

    A value that rounds to zero prints as ``0.0000``, never ``−0.0000``.
    """
    text = f"{value:.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return _finish(text, lang)


def given(value: float, lang: str = "en") -> str:
    """A given number as a teacher types it: ``2``, ``−0.5``, ``0.1``."""
    text = str(int(value)) if float(value).is_integer() else repr(float(value))
    return _finish(text, lang)


def shape(text: str) -> tuple[bool, int]:
    """Whether a printed number has a minus sign, and how many digits before its decimal mark:
    what its width in a column of numbers with the same decimals depends on."""
    negative = text.startswith(MINUS)
    whole = text.lstrip(MINUS).replace(",", ".").split(".")[0]
    return negative, len(whole)
