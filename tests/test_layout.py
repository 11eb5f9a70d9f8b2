"""Other network sizes lay out inside the page: nothing overflows, no diagram is clipped."""

import pytest

from generator.batch import make_batch
from generator.layout import Layout
from generator.pdf import load_weasyprint
from generator.render import DocumentOptions, Renderer
from generator.sheets import sheet


def boxes(box):
    """The box and its descendants, leaving out the page margins (header, page numbers)."""
    yield box
    for child in getattr(box, "children", ()):
        if type(child).__name__ != "MarginBox":
            yield from boxes(child)


def overflow(document):
    """(page, box) pairs that stick out of the page's content area."""
    bad = []
    for n, page in enumerate(document.pages, 1):
        root = page._page_box
        right = root.margin_width() - root.margin_right - root.padding_right
        bottom = root.margin_height() - root.margin_bottom - root.padding_bottom
        for box in boxes(root):
            if box is root:
                continue
            # Border boxes: a margin may run into the page margin, a visible edge may not.
            if (box.border_box_x() + box.border_width() > right + 1
                    or box.border_box_y() + box.border_height() > bottom + 1):
                bad.append((n, box.element_tag, type(box).__name__))
    return bad


@pytest.mark.parametrize("sizes", [(3, 2, 1), (2, 3, 2, 1), (2, 2, 2, 2, 1), (4, 4, 1), (2, 2, 2, 1)])
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_documents_fit_the_page(sizes, lang):
    weasyprint = load_weasyprint()
    batch = make_batch(count=1, seed=11, layout=Layout(sizes))
    renderer = Renderer(DocumentOptions(lang=lang, worked_examples=True))
    view = sheet(batch, 0, batch.solution.answers(), worked_examples=True)
    # The default network's worksheet fits on 2 pages even with worked examples.
    worksheet_pages = 2 if sizes == (2, 2, 2, 1) else 3
    for html, limit in ((renderer.worksheet_html(view), worksheet_pages), (renderer.key_html(view), 4)):
        document = weasyprint.HTML(string=html).render()
        assert overflow(document) == []
        assert len(document.pages) <= limit
        svg = [b for page in document.pages for b in boxes(page._page_box) if str(b.element_tag).endswith("svg")]
        assert len(svg) == 1  # the diagram, once, laid out whole


def test_the_overflow_check_catches_overflow():
    weasyprint = load_weasyprint()
    html = '<html><body><svg width="2000" height="20" xmlns="http://www.w3.org/2000/svg"></svg></body></html>'
    assert overflow(weasyprint.HTML(string=html).render())
