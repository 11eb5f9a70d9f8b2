"""PdfMaker's stylesheet parsed once per process: the same PDF as WeasyPrint's own reading."""

import pytest

from generator.exercise.batch import make_batch
from generator.render.pdf import PdfMaker
from generator.render.sheets import sheet
from generator.render.templates import DocumentOptions, Renderer


@pytest.fixture(scope="module")
def maker_and_documents():
    batch = make_batch(count=2, seed=5)
    renderer = Renderer(DocumentOptions(lang="ru"))
    answers = batch.solution.answers()
    views = [sheet(batch, i, answers) for i in range(2)]
    documents = [renderer.worksheet_html(v) for v in views] + [renderer.key_html(v) for v in views]
    return PdfMaker(renderer.search_path), documents


def _plain(maker, html):
    return maker.weasyprint.HTML(string=html, base_url=maker.base_url, url_fetcher=maker.fetcher).render(
        font_config=maker.font_config).write_pdf(pdf_variant=maker.variant)


def test_a_stylesheet_parsed_once_gives_the_same_pdfs(maker_and_documents):
    maker, documents = maker_and_documents
    for html in documents:
        assert maker.pdf(html)[0] == _plain(maker, html)
    assert len(maker._stylesheets) == 1  # four documents, one stylesheet parsed


@pytest.mark.parametrize("extra", ['<style>p { color: red }</style>', '<link rel="stylesheet" href="x.css">'])
def test_a_head_with_more_than_one_sheet_is_left_as_it_is(maker_and_documents, extra):
    maker, _ = maker_and_documents
    html = ('<!DOCTYPE html><html><head><style>p { color: blue; font-size: 30pt }</style>' + extra
            + '</head><body><p>text</p></body></html>')
    assert maker._parsed_style(html) == (html, [])
