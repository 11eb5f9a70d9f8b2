"""Math notation as plain Unicode text: 𝑊₁₁, 𝑧₁², 𝐿′, ∂𝐿/∂𝑦̂.

Every <i>, <sub> and <sup> element costs WeasyPrint layout time, and a key has hundreds of
them; characters cost next to nothing. DejaVu Serif (the documents' math font) has the
mathematical italic letters (U+1D434 ...), the subscript digits and i, j, the superscript
digits and the prime. pypdf reads them back as the same characters.
"""

from __future__ import annotations

import unicodedata

# U+1D434 (𝐴) ... U+1D467 (𝑧); the italic h sits apart, at U+210E (ℎ).
_ITALIC = {chr(ord("A") + k): chr(0x1D434 + k) for k in range(26)}
_ITALIC.update({chr(ord("a") + k): chr(0x1D44E + k) for k in range(26)})
_ITALIC["h"] = "\u210e"
_ITALIC = str.maketrans(_ITALIC)
_SUBSCRIPT = str.maketrans("0123456789ij", "₀₁₂₃₄₅₆₇₈₉ᵢⱼ")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def italic(text) -> str:
    """Latin letters as mathematical italics; ŷ becomes 𝑦 with a combining circumflex."""
    return unicodedata.normalize("NFD", str(text)).translate(_ITALIC)


def subscript(text) -> str:
    return str(text).translate(_SUBSCRIPT)


def superscript(text) -> str:
    return str(text).translate(_SUPERSCRIPT)
