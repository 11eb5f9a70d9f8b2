"""Font subsetting with the HarfBuzz that uharfbuzz's wheel brings along, for machines whose
system HarfBuzz has no subsetter (Debian's libharfbuzz-subset0 is a package of its own).

WeasyPrint would subset with fontTools there instead: measured, a PDF took ~4.5x the CPU time
(parsing each font's GSUB and GPOS once per document), and every font's ``head`` table took the
time of day, so no two runs gave the same bytes. HarfBuzz's subsetter takes about a millisecond
a font and writes no time; ``pdf._bundled_subsetter`` hands WeasyPrint this one in that case.
"""

from __future__ import annotations

from collections.abc import Iterable

import uharfbuzz as hb

# What WeasyPrint 70's Font._harfbuzz_subset drops: layout tables (text is already shaped),
# bitmaps and signatures a PDF viewer never reads.
_DROPPED = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")


class SubsetFailed(Exception):
    """HarfBuzz could not subset the font (WeasyPrint then embeds it whole)."""


def subset(font_file: bytes, index: int, glyphs: Iterable[int], hinting: bool, notdef_outline: bool) -> bytes:
    """The font (face ``index`` of ``font_file``) with only ``glyphs`` (glyph ids), as WeasyPrint's
    own HarfBuzz subsetting makes it: the glyphs keep their ids, so the PDF's text needs no
    remapping, and a second pass drops the empty ids after the last glyph used."""
    glyphs = sorted(glyphs)
    if not glyphs:  # as WeasyPrint: nothing to subset to, the whole font
        return font_file
    flags = hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED | hb.SubsetFlags.DESUBROUTINIZE
    if notdef_outline:  # characters no font has are drawn as .notdef: keep its outline
        flags |= hb.SubsetFlags.NOTDEF_OUTLINE
    request = hb.SubsetInput()
    request.glyph_set.update(glyphs)
    request.drop_table_tag_set.update(int.from_bytes(tag, "big") for tag in _DROPPED)
    try:
        request.flags = flags | hb.SubsetFlags.RETAIN_GIDS
        kept = hb.subset(hb.Face(hb.Blob(font_file), index), request)
        request.glyph_set.add_range(0, glyphs[-1])
        request.flags = flags if hinting else flags | hb.SubsetFlags.NO_HINTING
        data = hb.subset(kept, request).blob.data
    except RuntimeError as e:  # uharfbuzz's word for hb_subset_or_fail's NULL
        raise SubsetFailed(str(e)) from None
    if not data:
        raise SubsetFailed("HarfBuzz made an empty font")
    return data
