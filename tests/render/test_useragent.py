"""WeasyPrint's user-agent stylesheet trimmed to our documents' elements: the same PDF bytes as
with WeasyPrint's whole sheet, and the whole sheet for any document it may not cover."""

import io
import re

import pytest
from pypdf import PdfReader

from generator.exercise.batch import make_batch
from generator.exercise.description import Exercise
from generator.exercise.layout import Layout
from generator.render import useragent
from generator.render.pdf import PdfMaker
from generator.render.sheets import grading_table, sheet
from generator.render.templates import DocumentOptions, Renderer, builtin_templates

from feedback_page import feedback_html

# (layers, language, worked examples, documents)
CASES = [
    ("2,2,2,1", "en", False, ("worksheet", "key", "grading", "feedback")),
    ("2,2,2,1", "ru", False, ("worksheet", "key")),
    ("2,2,2,2,1", "en", True, ("worksheet", "key")),
    ("2,2,2,2,1", "ru", True, ("worksheet", "key", "grading", "feedback")),
]


def _name(kind, layers, lang, worked):
    return f"{kind}-{layers}-{lang}{'-worked' if worked else ''}"


NAMES = [_name(kind, layers, lang, worked) for layers, lang, worked, kinds in CASES for kind in kinds]


@pytest.fixture(scope="module")
def documents():
    out = {}
    for layers, lang, worked, kinds in CASES:
        batch = make_batch(count=2, seed=11, exercise=Exercise(Layout.parse(layers)))
        answers = batch.solution.answers()
        renderer = Renderer(DocumentOptions(lang=lang, worked_examples=worked))
        view = sheet(batch, 1, answers, worked)
        for kind in kinds:
            if kind == "worksheet":
                html = renderer.worksheet_html(view)
            elif kind == "key":
                html = renderer.key_html(view)
            elif kind == "grading":
                html = renderer.grading_html(grading_table(batch, answers))
            else:
                html = feedback_html(renderer, batch, show_answers=lang == "en")
            out[_name(kind, layers, lang, worked)] = html
    return out


@pytest.fixture(scope="module")
def maker():
    return PdfMaker([builtin_templates()])


def _trimmed(maker, html):
    """Whether ``maker`` lays ``html`` out with the trimmed sheet."""
    return getattr(maker.html_class(html)(string=html), "trimmed", False)


def _whole_sheet_pdf(maker, html):
    """Plain WeasyPrint: its whole user-agent stylesheet."""
    return maker.weasyprint.HTML(string=html, base_url=maker.base_url, url_fetcher=maker.fetcher).render(
        font_config=maker.font_config).write_pdf(pdf_variant=maker.variant)


@pytest.mark.parametrize("name", NAMES)
def test_our_documents_are_the_same_bytes_with_the_trimmed_sheet(maker, documents, name):
    html = documents[name]
    assert _trimmed(maker, html), "the trimmed sheet does not cover this document"
    assert maker.pdf(html)[0] == _whole_sheet_pdf(maker, html)


def test_a_document_with_other_elements_keeps_the_whole_sheet(maker, documents):
    html = documents["key-2,2,2,1-en"].replace("</body>", "<ul><li>one</li><li><em>two</em></li></ul></body>")
    assert not _trimmed(maker, html)
    assert maker.pdf(html)[0] == _whole_sheet_pdf(maker, html)


@pytest.mark.parametrize("snippet", [
    '<p hidden>x</p>', '<p class="a" dir="rtl">x</p>', "<table\nrules='all'><tr><td>x</td></tr></table>",
    '<p style="display: list-item">x</p>', '<p style="float: footnote">x</p>', '<p style="position: note(n)">x</p>',
    '<p style="display: list\\-item">x</p>', '<style>@import "more.css";</style>', '<UL><LI>x</LI></UL>'])
def test_what_the_trimmed_sheet_may_not_cover_is_refused(maker, documents, snippet):
    html = documents["worksheet-2,2,2,1-en"].replace("</body>", snippet + "</body>")
    assert snippet in html and not _trimmed(maker, html)


def test_the_trimmed_sheet_is_the_one_weasyprint_uses(maker):
    """WeasyPrint's whole sheet hides a `hidden` element, the trimmed one does not (it is not
    used for a document with that attribute): so WeasyPrint really lays out with ours."""
    html = "<!DOCTYPE html><html><head></head><body><p>shown</p><p hidden>secret</p></body></html>"
    lean = maker.html_class(html)(string=html)
    assert not lean.trimmed
    lean.trimmed = True  # as if it covered it
    for document, expected in ((lean, "shown\nsecret"), (maker.weasyprint.HTML(string=html), "shown")):
        pdf = document.write_pdf(font_config=maker.font_config)
        assert PdfReader(io.BytesIO(pdf)).pages[0].extract_text().strip() == expected


def test_every_element_of_our_templates_is_covered():
    """A template with a new element would silently cost every document the whole sheet."""
    folder = builtin_templates()
    used = {tag.lower() for path in folder.glob("*.html")
            for tag in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", path.read_text(encoding="utf-8"))}
    assert used <= useragent.TAGS, used - useragent.TAGS


def test_a_pseudo_element_a_kept_rule_needs_is_kept():
    whole = useragent.weasyprint_ua()
    ours = useragent.trim(whole)
    assert "::marker" not in ours.css and "list-item" in ours.keywords
    assert "@page" in ours.css and "@bottom-right" in ours.css and "br::before" in ours.css
    with_lists = useragent.trim(whole, useragent.TAGS | {"li"})
    assert "::marker" in with_lists.css and "list-item" not in with_lists.keywords
