"""Which characters of a text no installed font can draw (they print as empty boxes).

Pango falls back to any installed font that has a character, so the question is asked of
fontconfig, which Pango uses: is there a font whose character set holds it?
"""

from __future__ import annotations

import ctypes
import ctypes.util
import unicodedata
from functools import cache


class _FontSet(ctypes.Structure):
    _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int), ("fonts", ctypes.c_void_p)]


@cache
def _fontconfig():
    name = ctypes.util.find_library("fontconfig")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    for function, result, arguments in (
        ("FcInitLoadConfigAndFonts", ctypes.c_void_p, []),
        ("FcPatternCreate", ctypes.c_void_p, []),
        ("FcPatternDestroy", None, [ctypes.c_void_p]),
        ("FcCharSetCreate", ctypes.c_void_p, []),
        ("FcCharSetDestroy", None, [ctypes.c_void_p]),
        ("FcCharSetAddChar", ctypes.c_int, [ctypes.c_void_p, ctypes.c_uint32]),
        ("FcPatternAddCharSet", ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]),
        ("FcObjectSetCreate", ctypes.c_void_p, []),
        ("FcObjectSetDestroy", None, [ctypes.c_void_p]),
        ("FcFontList", ctypes.POINTER(_FontSet), [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]),
        ("FcFontSetDestroy", None, [ctypes.POINTER(_FontSet)]),
    ):
        getattr(lib, function).restype = result
        getattr(lib, function).argtypes = arguments
    return lib, lib.FcInitLoadConfigAndFonts()


def _has_font(character: str) -> bool:
    fc = _fontconfig()
    if fc is None:
        return True  # cannot tell: say nothing rather than something wrong
    lib, config = fc
    pattern, charset, objects = lib.FcPatternCreate(), lib.FcCharSetCreate(), lib.FcObjectSetCreate()
    try:
        lib.FcCharSetAddChar(charset, ord(character))
        lib.FcPatternAddCharSet(pattern, b"charset", charset)
        fonts = lib.FcFontList(config, pattern, objects)
        found = bool(fonts) and fonts.contents.nfont > 0
        if fonts:
            lib.FcFontSetDestroy(fonts)
        return found
    finally:
        lib.FcObjectSetDestroy(objects)
        lib.FcCharSetDestroy(charset)
        lib.FcPatternDestroy(pattern)


def missing(text: str) -> list[str]:
    """The characters of ``text`` no installed font has, each as ``😀 (U+1F600)``."""
    seen = dict.fromkeys(c for c in text if not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf"))
    return [f"{c} (U+{ord(c):04X})" for c in seen if not _has_font(c)]
