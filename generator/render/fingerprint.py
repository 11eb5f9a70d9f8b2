"""What the bytes of a PDF depend on besides the batch and the options: the versions of the
libraries that lay it out and write it, how its fonts are subset, and the fonts themselves.

Two machines with the same fingerprint make the same bytes from the same batch (the README's
"What the bytes depend on"); a Dask worker whose fingerprint differs from the command's would
not, so the cluster refuses it (``outputs.cluster``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import zlib
from functools import cache
from importlib import metadata

from .. import __version__
from .pdf import _system_subsetter, load_weasyprint, subsets_fonts_with_harfbuzz

# Python packages whose code turns a batch's view into PDF bytes: templates to HTML (Jinja,
# MarkupSafe), HTML and CSS to boxes (WeasyPrint and its parsers), boxes to PDF (pydyf), fonts.
# (uharfbuzz counts only where it subsets: ``_subsetter``.)
PACKAGES = ("weasyprint", "pydyf", "tinycss2", "cssselect2", "tinyhtml5", "jinja2", "markupsafe", "fonttools")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "none"


def _harfbuzz() -> str:
    """The system HarfBuzz's version, which shapes every line of text (through Pango)."""
    name = ctypes.util.find_library("harfbuzz")
    if name is None:
        return "unknown"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return "unknown"
    lib.hb_version_string.restype = ctypes.c_char_p
    return lib.hb_version_string().decode()


def _pango() -> str:
    from weasyprint.text.ffi import pango

    v = pango.pango_version()
    return f"{v // 10000}.{v // 100 % 100}.{v % 100}"


def _subsetter() -> str:
    """Who cuts the fonts down: the system's HarfBuzz, uharfbuzz's (bytes differ between the
    two: README), or fontTools (other bytes every run)."""
    if not subsets_fonts_with_harfbuzz():
        return "fontTools"
    return "system HarfBuzz" if _system_subsetter() else f"uharfbuzz {_version('uharfbuzz')}"


def _fonts() -> str:
    """A hash of every font file fontconfig offers Pango (its fallbacks too: a character missing
    from DejaVu is drawn from whichever font has it), by content, so that where they are installed
    does not matter."""
    from weasyprint.text.ffi import ffi, fontconfig

    config = fontconfig.FcInitLoadConfigAndFonts()
    digests = set()
    try:
        fonts = fontconfig.FcConfigGetFonts(config, fontconfig.FcSetSystem)
        file = ffi.new("FcChar8 **")
        for i in range(fonts.nfont if fonts != ffi.NULL else 0):
            if fontconfig.FcPatternGetString(fonts.fonts[i], b"file", 0, file) == 0:  # FcResultMatch
                path = ffi.string(file[0]).decode("utf-8", "surrogateescape")
                try:
                    with open(path, "rb") as f:
                        digests.add(hashlib.file_digest(f, "sha256").hexdigest())
                except OSError:
                    digests.add(f"unreadable {path}")
    finally:
        fontconfig.FcConfigDestroy(config)
    return f"{len(digests)} files, sha256 " + hashlib.sha256("\n".join(sorted(digests)).encode()).hexdigest()[:16]


@cache
def fingerprint() -> dict[str, str]:
    """This process's fingerprint: name -> what it is here (names read as "X differs")."""
    load_weasyprint()
    return {
        "gen-worksheets": __version__,
        **{p: _version(p) for p in PACKAGES},
        "Pango": _pango(),
        "HarfBuzz": _harfbuzz(),
        "font subsetter": _subsetter(),
        "zlib": zlib.ZLIB_RUNTIME_VERSION,  # compresses every stream of the PDF
        "fonts": _fonts(),
    }


def difference(local: dict[str, str], other: dict[str, str]) -> str | None:
    """The first thing ``other`` has otherwise than ``local``, as 'NAME X (here Y)'; None if none."""
    for name in dict.fromkeys([*local, *other]):
        if local.get(name) != other.get(name):
            return f"{name} {other.get(name, 'missing')} (here {local.get(name, 'missing')})"
    return None
