"""generator/render/fontsubset.py, and WeasyPrint handed it where the system has no HarfBuzz subsetter
(generator/render/pdf.py): every glyph the pages use drawn as WeasyPrint's own fontTools subsetting
draws it, nothing of the time of day in the fonts, and the same bytes every time."""

import io
import re

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from generator.exercise.batch import make_batch
from generator.render import fontsubset, pdf
from generator.render.pdf import PdfMaker
from generator.render.sheets import sheet
from generator.render.templates import DocumentOptions, Renderer


@pytest.fixture(scope="module")
def maker():
    return PdfMaker(Renderer(DocumentOptions()).search_path)


@pytest.fixture(scope="module")
def documents():
    """A key and a worksheet in both languages: every face our documents use (serif, sans, bold,
    italic, the diagram's labels), Latin, Cyrillic and the math signs."""
    batch = make_batch(count=1, seed=5)
    view = sheet(batch, 0, batch.solution.answers())
    out = {}
    for lang in ("en", "ru"):
        renderer = Renderer(DocumentOptions(lang=lang))
        out[f"key-{lang}"], out[f"worksheet-{lang}"] = renderer.key_html(view), renderer.worksheet_html(view)
    return out


@pytest.fixture
def fonts_module():
    from weasyprint.pdf import fonts

    return fonts


@pytest.fixture
def without_system_subsetter(monkeypatch, fonts_module):
    """WeasyPrint as on a machine without libharfbuzz-subset0: it found no subsetter to load."""
    monkeypatch.setattr(fonts_module, "harfbuzz_subset", None)


def _embedded(data: bytes) -> dict[str, tuple[TTFont, list[int]]]:
    """Each font program in a PDF by name, with the glyph ids its text uses (its ToUnicode map)."""
    found = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            program = descendant["/FontDescriptor"]["/FontFile2"].get_object().get_data()
            used = re.findall(rb"<([0-9a-f]{4})> <", font["/ToUnicode"].get_object().get_data())
            found[str(font["/BaseFont"])] = (TTFont(io.BytesIO(program)), sorted({int(g, 16) for g in used}))
    return found


def _drawn(font: TTFont, gid: int):
    """What a viewer draws for a glyph: its outline (points, contour ends, on/off curve) and advance."""
    name = font.getGlyphOrder()[gid]
    coordinates, ends, flags = font["glyf"][name].getCoordinates(font["glyf"])
    return list(coordinates), list(ends), [f & 1 for f in flags], font["hmtx"][name][0]


def test_weasyprints_font_code_is_the_one_the_bundled_subsetter_stands_in_for(maker):
    # A WeasyPrint whose Font.subset or Font._harfbuzz_subset changed is left alone (and, without the
    # system's subsetter, slow again): this says so on the day it is installed.
    assert pdf._bundled, "WeasyPrint's font subsetting is not the code generator/render/pdf.py knows"
    assert pdf.subsets_fonts_with_harfbuzz()


@pytest.mark.parametrize("name", ["key-en", "worksheet-ru"])
def test_without_the_system_subsetter_fonts_keep_every_glyph_fonttools_keeps(
        maker, documents, name, without_system_subsetter, fonts_module, monkeypatch):
    calls = []
    real = fontsubset.subset

    def recorded(font_file, index, glyphs, hinting, notdef_outline):
        result = real(font_file, index, glyphs, hinting, notdef_outline)
        calls.append((font_file, result))
        return result

    with monkeypatch.context() as patch:
        patch.setattr(fontsubset, "subset", recorded)
        patch.setattr(fonts_module.Font, "_fonttools_subset", lambda *a: pytest.fail("subset with fontTools"))
        ours = maker.pdf(documents[name])[0]
    assert len(calls) == 6  # DejaVu Serif, its bold and italic, Sans, its bold and bold oblique
    with monkeypatch.context() as patch:  # WeasyPrint alone: fontTools
        patch.setattr(fonts_module.Font, "subset", fonts_module.Font.subset.weasyprints)
        theirs = maker.pdf(documents[name])[0]

    ours_fonts, their_fonts = _embedded(ours), _embedded(theirs)
    assert sorted(ours_fonts) == sorted(their_fonts)
    for font_name, (font, used) in ours_fonts.items():
        reference, their_used = their_fonts[font_name]
        assert used == their_used and used
        for gid in used:
            assert _drawn(font, gid) == _drawn(reference, gid), (font_name, gid)
    assert PdfReader(io.BytesIO(ours)).pages[0].extract_text() == PdfReader(io.BytesIO(theirs)).pages[0].extract_text()
    for whole, subset in calls:
        original, kept = TTFont(io.BytesIO(whole)), TTFont(io.BytesIO(subset))
        assert len(subset) < len(whole) / 4  # a subset, not the whole font
        # the font's own dates, not the time of day (fontTools writes now into head.modified)
        assert (kept["head"].created, kept["head"].modified) == (original["head"].created, original["head"].modified)
    assert maker.pdf(documents[name])[0] == ours


def test_a_font_harfbuzz_cannot_subset_is_refused_in_one_exception():
    with pytest.raises(fontsubset.SubsetFailed):
        fontsubset.subset(b"not a font", 0, [1, 2], hinting=False, notdef_outline=False)
    assert fontsubset.subset(b"not a font", 0, [], hinting=False, notdef_outline=False) == b"not a font"


def test_a_weasyprint_whose_font_code_differs_is_left_alone(maker, monkeypatch, fonts_module):
    installed = fonts_module.Font.subset
    monkeypatch.setattr(fonts_module.Font, "subset", installed.weasyprints)  # WeasyPrint as loaded
    with monkeypatch.context() as patch:
        patch.setattr(pdf, "_SUBSET_CODE", {**pdf._SUBSET_CODE, "_harfbuzz_subset": "0" * 64})
        assert pdf._bundled_subsetter() is False
        assert fonts_module.Font.subset is installed.weasyprints
    assert pdf._bundled_subsetter() is True  # the code it knows: handed over
    assert fonts_module.Font.subset.weasyprints is installed.weasyprints
