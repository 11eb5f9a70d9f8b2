"""Other network sizes lay out inside the page: nothing overflows, no diagram is clipped."""

import pytest

from generator.exercise.batch import make_batch
from generator.exercise.description import Exercise
from generator.exercise.layout import Layout
from generator.render.pdf import load_weasyprint
from generator.render.sheets import sheet
from generator.render.templates import DocumentOptions, Renderer


def boxes(box):
    """The box and its descendants, leaving out the page margins (header, page numbers) and what
    a box clips to nothing (text for screen readers only: style.css, .reader-only)."""
    yield box
    if box.style["overflow"] == "hidden" and (box.width == 0 or box.height == 0):
        return
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


HEADINGS = {"h1", "h2", "h3"}
HEADING_CLASSES = {"point-text", "task-text"}  # a point's or task's title line: it belongs with what follows


def _is_heading(box) -> bool:
    element = getattr(box, "element", None)
    if element is None or box.element_tag is None:
        return False
    classes = set((element.get("class") or "").split())
    return box.element_tag in HEADINGS or bool(classes & HEADING_CLASSES)


def pages_ending_with_a_heading(document) -> list[tuple[int, str]]:
    """(page, text) of each page whose last line of text belongs to a heading: a heading left
    alone at the bottom of the page, its content on the next."""
    bad = []
    for n, page in enumerate(document.pages, 1):
        last = None  # (inside a heading, text) of the last text box in document order

        def walk(box, in_heading):
            nonlocal last
            in_heading = in_heading or _is_heading(box)
            if type(box).__name__ == "TextBox" and box.text.strip():
                last = (in_heading, box.text)
            for child in getattr(box, "children", ()):
                if type(child).__name__ != "MarginBox":
                    walk(child, in_heading)

        walk(page._page_box, False)
        if n < len(document.pages) and last and last[0]:
            bad.append((n, last[1]))
    return bad


SIZES = [(3, 2, 1), (2, 3, 2, 1), (2, 2, 2, 2, 1), (4, 4, 1), (2, 2, 2, 1), (4, 4, 4, 4, 1)]
# Members of the family (Exercise.named's options) on the course's sizes, and biases on a wide one.
MEMBERS = [((2, 2, 2, 1), {"activation": "relu", "bias": True}),
           ((2, 2, 2, 1), {"activation": "sigmoid", "output": "sigmoid", "loss": "cross-entropy", "bias": True}),
           ((3, 2, 1), {"activation": "sigmoid", "loss": "half-squared"}), ((4, 4, 1), {"bias": True})]
# Pages at most, with worked examples (the longer worksheet): README, "What comes out".
PAGE_LIMITS = {(2, 2, 2, 1): (2, 2), (4, 4, 4, 4, 1): (4, 5)}
DEFAULT_PAGE_LIMITS = (3, 3)
CASES = [(s, m, lang) for s, m in [(s, {}) for s in SIZES] + MEMBERS for lang in ("en", "ru")]


@pytest.fixture(scope="module", params=CASES,
                ids=lambda p: "-".join(map(str, p[0])) + "".join(f"-{v}" for v in p[1].values()) + "-" + p[2])
def documents(request):
    """The worksheet (with worked examples) and key of one variant, laid out once per module."""
    sizes, names, lang = request.param
    weasyprint = load_weasyprint()
    batch = make_batch(count=1, seed=11, exercise=Exercise.named(Layout(sizes), **names))
    renderer = Renderer(DocumentOptions(lang=lang, worked_examples=True))
    view = sheet(batch, 0, batch.solution.answers(), worked_examples=True)
    return sizes, {name: weasyprint.HTML(string=html).render()
                   for name, html in (("worksheet", renderer.worksheet_html(view)), ("key", renderer.key_html(view)))}


def test_documents_fit_the_page(documents):
    sizes, docs = documents
    for name, document in docs.items():
        assert overflow(document) == [], name
        diagram = [b for page in document.pages for b in boxes(page._page_box) if b.element_tag == "img"]
        assert len(diagram) == 1  # the diagram, once, laid out whole


def test_page_counts(documents):
    sizes, docs = documents
    worksheet, key = PAGE_LIMITS.get(sizes, DEFAULT_PAGE_LIMITS)
    assert len(docs["worksheet"].pages) <= worksheet
    assert len(docs["key"].pages) <= key


def step_edges(document):
    """For each derivation (a ``p.step``): the right edge of its quantity's box, which the first
    equals sign follows, and the left and right edges of its bold result, which the last
    equals sign precedes (in CSS px, page by page alike)."""
    edges = []
    for page in document.pages:
        for box in boxes(page._page_box):
            element = getattr(box, "element", None)
            if (type(box).__name__ != "BlockBox" or box.element_tag != "p"
                    or "step" not in (element.get("class") or "").split()):
                continue
            inner = list(boxes(box))
            lhs = [b for b in inner if b.element_tag == "span" and b.element.get("class") == "lhs"
                   and type(b).__name__ == "InlineBlockBox"]
            result = [b for b in inner if b.element_tag == "b" and type(b).__name__ == "InlineBox"]
            edges.append((lhs[0].position_x + lhs[0].margin_width() if lhs else None,
                          result[-1].position_x, result[-1].position_x + result[-1].margin_width()))
    return edges


def test_equals_signs_and_results_line_up(documents):
    # The quantities' boxes have one width, the results are padded to the widest one's width
    # and set flush right: every equals sign before a result, and every result's last digit,
    # stands at one x on every page; so does every equals sign after a quantity.
    _, docs = documents
    for name, document in docs.items():
        edges = step_edges(document)
        assert edges, name
        for column in range(3):
            xs = [e[column] for e in edges if e[column] is not None]
            assert max(xs) - min(xs) < 0.05, (name, column, sorted(set(round(x, 2) for x in xs)))


def test_no_page_ends_with_a_heading(documents):
    _, docs = documents
    for name, document in docs.items():
        assert pages_ending_with_a_heading(document) == [], name


def test_the_heading_check_catches_a_heading_alone_at_the_bottom():
    weasyprint = load_weasyprint()
    html = ('<html><body><div style="height: 235mm">first page</div><h2 style="break-after: auto">Task 2</h2>'
            '<p style="height: 30mm; break-inside: avoid">what follows</p></body></html>')
    document = weasyprint.HTML(string=html).render()
    assert pages_ending_with_a_heading(document) == [(1, "Task 2")]
    html = html.replace("break-after: auto", "break-after: avoid")
    assert pages_ending_with_a_heading(weasyprint.HTML(string=html).render()) == []


def test_the_overflow_check_catches_overflow():
    weasyprint = load_weasyprint()
    html = '<html><body><svg width="2000" height="20" xmlns="http://www.w3.org/2000/svg"></svg></body></html>'
    assert overflow(weasyprint.HTML(string=html).render())
