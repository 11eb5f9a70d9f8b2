"""generator/render/fasthtml.py: our documents parsed into exactly tinyhtml5's tree (the parser WeasyPrint
uses), and the same PDF bytes; anything it cannot vouch for refused, and parsed by tinyhtml5."""

import random
from pathlib import Path

import pytest
import tinyhtml5

from generator.exercise.batch import make_batch
from generator.exercise.description import Exercise
from generator.exercise.layout import Layout
from generator.render import fasthtml, pdf
from generator.render.pdf import PdfMaker
from generator.render.sheets import grading_table, sheet
from generator.render.templates import DocumentOptions, Renderer, builtin_templates

from feedback_page import feedback_html

# (layers, language, worked examples): every kind of document in each
CASES = [("2,2,2,1", "en", False), ("2,2,2,1", "ru", False), ("2,2,2,2,1", "en", True), ("2,2,2,2,1", "ru", True)]
KINDS = ("worksheet", "key", "grading", "feedback")
NAMES = [f"{kind}-{layers}-{lang}" for layers, lang, _ in CASES for kind in KINDS]


@pytest.fixture(scope="module")
def documents():
    out = {}
    for layers, lang, worked in CASES:
        batch = make_batch(count=2, seed=11, exercise=Exercise(Layout.parse(layers)))
        answers = batch.solution.answers()
        renderer = Renderer(DocumentOptions(lang=lang, worked_examples=worked))
        view = sheet(batch, 1, answers, worked)
        out.update({f"worksheet-{layers}-{lang}": renderer.worksheet_html(view),
                    f"key-{layers}-{lang}": renderer.key_html(view),
                    f"grading-{layers}-{lang}": renderer.grading_html(grading_table(batch, answers)),
                    f"feedback-{layers}-{lang}": feedback_html(renderer, batch, show_answers=lang == "en")})
    return out


@pytest.fixture(scope="module")
def maker():
    return PdfMaker([builtin_templates()])


def _tree(element):
    """All that WeasyPrint and cssselect2 read of a tree, comments included (their tag is a function)."""
    return (element.tag, list(element.attrib.items()), element.text, element.tail, [_tree(e) for e in element])


def _tinyhtml5_tree(html):
    return _tree(tinyhtml5.parse(html, namespace_html_elements=False))  # as WeasyPrint parses


def _fast_tree(html):
    try:
        return _tree(fasthtml.parse(html))
    except fasthtml.Refused as e:
        pytest.fail(f"fasthtml refuses it, so it is parsed by tinyhtml5 (~5x slower): {e}")


def _plain_pdf(maker, html):
    """Plain WeasyPrint: its parser, its whole user-agent stylesheet, the <style> in the document."""
    return maker.weasyprint.HTML(string=html, base_url=maker.base_url, url_fetcher=maker.fetcher).render(
        font_config=maker.font_config).write_pdf(pdf_variant=maker.variant)


def _not_tinyhtml5(*args, **kwargs):
    raise AssertionError("parsed with tinyhtml5, not fasthtml")


@pytest.mark.parametrize("name", NAMES)
def test_our_documents_take_the_fast_path_to_tinyhtml5s_tree(maker, documents, name):
    html = documents[name]
    parsed = maker._parsed_style(html)[0]  # what PdfMaker hands WeasyPrint: the <style> taken out
    assert parsed != html
    for document in (parsed, html):
        assert _fast_tree(document) == _tinyhtml5_tree(document)


# Every kind in both languages and both networks; the trees above are the proof for the rest.
@pytest.mark.parametrize("name", [n for n in NAMES if n.endswith(("2,2,2,1-en", "2,2,2,2,1-ru"))])
def test_our_documents_are_the_same_pdf_bytes(maker, documents, name, monkeypatch):
    html = documents[name]
    with monkeypatch.context() as patch:
        patch.setattr(tinyhtml5, "parse", _not_tinyhtml5)  # WeasyPrint calls it as tinyhtml5.parse
        ours = maker.pdf(html)[0]
    assert ours == _plain_pdf(maker, html)


def test_the_fast_path_sets_what_weasyprint_sets(maker, documents, monkeypatch):
    html = maker._parsed_style(documents["key-2,2,2,1-en"])[0]
    for base_url in (maker.base_url, Path(builtin_templates()), "relative/", None):
        for kwargs in ({}, {"url_fetcher": maker.fetcher, "media_type": "screen"}):
            with monkeypatch.context() as patch:
                patch.setattr(tinyhtml5, "parse", _not_tinyhtml5)
                ours = pdf._fast(string=html, base_url=base_url, **kwargs)
            theirs = maker.weasyprint.HTML(string=html, base_url=base_url, **kwargs)
            assert ours.base_url == theirs.base_url and ours.media_type == theirs.media_type
            assert type(ours.url_fetcher) is type(theirs.url_fetcher)
            assert ours.etree_element is ours.wrapper_element.etree_element
            assert _tree(ours.etree_element) == _tree(theirs.etree_element)
    assert pdf._fast(string=html, url_fetcher=maker.fetcher).url_fetcher is maker.fetcher


def _document(body, head='<meta charset="utf-8"><title>t</title>', before="", after=""):
    return f'<!DOCTYPE html>\n<html lang="en">{before}<head>{head}</head>\n<body>{body}</body>{after}\n</html>\n'


# The rules of HTML5's tree construction fasthtml follows: accepted, and tinyhtml5's tree.
EMULATED = [
    _document("<table>\n<tr><td>a</td></tr>\n<tr><td>b</td></tr>\n</table>"),  # an implied <tbody>
    _document("<table><tr><td>a</td></tr></tbody><tr><td>b</td></tr></table>"),  # ... and another
    _document("<table> <colgroup> <col> </colgroup>\n<thead><tr> <th>a</th> </tr></thead> <tbody><tr><td>b</td>"
              "</tr></tbody> </table>"),  # whitespace in a table's parts
    _document("<p>x</p>\n", before="\n \n", after="\n "),  # whitespace before <head> dropped, after </body> in it
    _document("<p>x</p>", head='\n<meta charset="utf-8">\n<title>a &amp; b &lt;c&gt;</title>\n') + " \n\n",
    _document("<!--a--><p>x<!-- b --></p><table><!--c--><tr><!--d--><td>y</td></tr></table>",
              head="<!--h--><title>t</title>", before="<!--before head-->"),
    _document("&nbsp;&#x202F;&#8201;&ensp;&amp;&quot;&#39;&lt;&gt; 𝑊₁₁ ∂𝐿/∂𝑦̂ Вера"),
    _document('<P CLASS="a" Id=b>x<BR>y<br/><img src="data:," alt=\'a "b"\' hidden></P>'
              '<span title="&lt;&amp;">z</span>'),
    _document("<div><b><i>a</i></b><b><b><b><b>deep</b></b></b></b><h2>h<sub>1</sub><sup>2</sup></h2></div>"),
    _document("<header><table><tr><td><div><p>a</p><table><tr><td>b</td></tr></table></div></td></tr></table>"
              "</header><section><h1>x</h1><h3>y</h3></section>"),
]


@pytest.mark.parametrize("html", EMULATED)
def test_what_fasthtml_emulates_is_tinyhtml5s_tree(html):
    assert _fast_tree(html) == _tinyhtml5_tree(html)


# (document, what the refusal says): each a way the naive tree may differ from HTML5's.
REFUSED = [
    (_document("<ul><li>a<li>b</ul>"), "<ul> in <body>"),  # an element it does not know
    (_document("<pre>\nx</pre>"), "<pre> in <body>"),  # HTML5 drops the newline after <pre>
    (_document("<textarea>\nx</textarea>"), "<textarea>"),
    (_document("<b><i>x</b></i>"), "</b> in 'in body', where <i> is open"),  # misnested
    (_document("<div><span>x</div>"), "</div> in 'in body', where <span> is open"),  # unclosed
    (_document("x</p>y"), "</p> in 'in body', where <body> is open"),  # HTML5 adds a <p>
    (_document("x</br>y"), "</br>"),  # HTML5 makes it a <br>
    (_document("<img src=a></img>"), "</img>"),
    (_document('<p class="a" class="b">x</p>'), "repeated attribute"),  # HTML5 keeps the first
    (_document("<div/>x"), "<div/>"),  # HTML5 leaves the <div> open
    (_document("a\r\nb"), "a character HTML5 replaces"),  # HTML5 makes it \n
    (_document("a\x00b"), "a character HTML5 replaces"),
    (_document("a\x01b"), "a character HTML5 replaces"),
    ("\ufeff" + _document("x"), "a character HTML5 replaces"),
    (_document("<table>x<tr><td>a</td></tr></table>"), "text in <table>"),  # moved before the table
    (_document("<table><tr>x<td>a</td></tr></table>"), "text in <tr>"),
    (_document("<table><td>a</td></table>"), "<td> in <table>"),  # HTML5 implies <tbody><tr>
    (_document("<table><col><tr><td>a</td></tr></table>"), "<col> in <table>"),  # ... <colgroup>
    (_document("<table><tr><td>a</td></tr><tbody><tr><td>b</td></tr></tbody></table>"),
     "<tbody> in <tbody, implied>"),
    (_document("<table><tbody></tbody><div>b</div></table>"), "<div> in <table>"),  # moved before it
    (_document("<tr><td>a</td></tr>"), "<tr> in <body>"),  # HTML5 drops the tags
    (_document("<p>a<div>b</div></p>"), "<div> inside an open <p>"),  # HTML5 closes the <p>
    (_document("<p>a<table><tr><td>b</td></tr></table></p>"), "<table> inside an open <p>"),
    (_document("<p><span>a<h2>b</h2></span></p>"), "<h2> inside an open <p>"),
    (_document("<h2>a<h3>b</h3></h2>"), "<h3> in <h2>"),  # HTML5 closes the <h2>
    (_document("&copy 2026"), "an & that is not a character reference"),
    (_document('<span title="a&copy=b">x</span>'), "an & that is not a character reference"),  # HTML5 keeps it
    (_document("a & b"), "an & that is not a character reference"),
    (_document("&#1;"), "the character reference &#1;"),  # html.unescape drops U+0001
    (_document("&bogus;"), "the character reference &bogus;"),
    (_document('<span title="a\u00a0b" class=a\u2009b>x</span>'), "a start tag HTML5 may read differently"),
    (_document('<span title="a<b">x</span>'), "a start tag HTML5 may read differently"),
    (_document("a < b"), "a `<` that html.parser read as text"),
    (_document("<div>x</div >"), "an end tag or comment end"),
    (_document("<!--a-- >b-->"), "an end tag or comment end"),  # html.parser ends it at `-- >`
    (_document("<!-->x<!--y-->"), "a comment HTML5 may end elsewhere"),  # HTML5: <!--> is one
    (_document("<!--x"), "unfinished markup at the end"),
    (_document("<!--a--b-->"), "a comment HTML5 may end elsewhere"),
    (_document("x", after="<!--c-->"), "a comment in 'after body'"),  # HTML5 puts it in <html>
    (_document("x", head="<title>t<!--c--></title>"), "a comment in 'in head'"),  # text in HTML5
    (_document("x", after="</html><p>y</p>"), "<p> in 'after after body'"),
    (_document("x", after="</html>y"), "text in 'after after body'"),
    (_document("x", before="y"), "text in 'before head'"),
    (_document("x", head="<title>t</title>y"), "text in 'in head'"),  # HTML5 closes <head>
    (_document("x", head="<base href='http://example.org/'>"), "<base> in 'in head'"),
    (_document("x", head="<title>t</title><div>y</div>"), "<div> in 'in head'"),
    (_document("<title>t</title>x"), "<title> in <body>"),
    (_document("<body>x"), "<body> in <body>"),  # HTML5 adds the attributes to the first
    (_document("x").replace("<!DOCTYPE html>\n", ""), "<html> in 'initial'"),  # quirks mode
    (_document("x").replace("<!DOCTYPE html>", "<!DOCTYPE html SYSTEM 'about:legacy-compat'>"), "<!DOCTYPE"),
    (_document("x").replace("<head>", "").replace("</head>", ""), "<meta> in 'before head'"),  # implied
    (_document("x").replace("</body>", "").replace("</html>", ""), "no </body>"),
    (_document("x").replace("</html>\n", "</html>\n<?php ?>"), "<?php"),
]


@pytest.mark.parametrize("html, reason", REFUSED, ids=[reason for _, reason in REFUSED])
def test_what_may_differ_is_refused_and_parsed_by_tinyhtml5(maker, html, reason):
    with pytest.raises(fasthtml.Refused) as refused:
        fasthtml.parse(html)
    assert reason in str(refused.value)
    assert _tree(pdf._fast(string=html).etree_element) == _tinyhtml5_tree(html)


# Those whose HTML5 tree moves or adds what is printed.
REFUSED_PDF = [case for case in REFUSED if case[1] in (
    "text in <table>", "<td> in <table>", "<div> inside an open <p>", "</b> in 'in body', where <i> is open",
    "</p> in 'in body', where <body> is open", "an & that is not a character reference", "a character HTML5 replaces")]


@pytest.mark.parametrize("html, reason", REFUSED_PDF, ids=[reason for _, reason in REFUSED_PDF])
def test_a_refused_document_is_plain_weasyprints_pdf(maker, html, reason):
    assert maker.pdf(html)[0] == _plain_pdf(maker, html)


def test_input_other_than_a_string_is_parsed_by_weasyprint(maker, documents, tmp_path, monkeypatch):
    html = documents["worksheet-2,2,2,1-en"]
    path = tmp_path / "worksheet.html"
    path.write_text(html, encoding="utf-8")
    expected = _tinyhtml5_tree(html)
    parsed = []
    real_parse = tinyhtml5.parse
    monkeypatch.setattr(tinyhtml5, "parse", lambda *a, **k: parsed.append(1) or real_parse(*a, **k))
    for kwargs in ({"string": html.encode()}, {"filename": str(path)}, {"guess": path},
                   {"string": html, "encoding": "utf-8"}):
        assert _tree(pdf._fast(**kwargs).etree_element) == expected
    assert len(parsed) == 4


# A random document: the elements, text, references, comments and misnestings of REFUSED and
# EMULATED, mixed; mostly well formed, so that many are accepted.
_TEXT = ["x", " ", "\n", " a b ", "&amp;", "&nbsp;", "&#x202F;", "Вера 𝑊₁₁", "&#1;", "&#128;", "&copy", "a&b", "\r\n",
         "\t", "<", "a < b", "</", "<!--c-->", "<!-->", "<!-- a -- >", "<!--a--!>", "-->", "\u00a0", "\x00", "</ x>",
         "</>", "<!x>", "<?pi?>", "<![CDATA[x]]>", "&#9;", "\ufeff", "<br>", "<br/>", "</br>", "</p>", "<img src=x />",
         "</img>"]
_TAGS = ["div", "p", "span", "b", "i", "sub", "sup", "h1", "h2", "h3", "header", "section",
         "em", "a", "ul", "li", "pre", "textarea", "title", "style", "td", "tr", "tbody"]
_ATTRIBUTES = [' class="a"', " class='b c'", " class=d", " hidden", ' class="x" class="y"', ' CLASS="Q"',
               ' title="a&copy=b"', ' a="x"b="y"', ' a = "v"', " a=b/", ' a="<"', " a=\u00a0b", " a=b\u2009c", " /"]


def _random_flow(r, depth):
    out = []
    for _ in range(r.randint(0, 4)):
        k = r.random()
        if k < 0.35:
            out.append(r.choice(_TEXT) if r.random() < 0.05 else r.choice(["x", " ", "\n", "ab", " c "]))
        elif k < 0.5 and depth < 5:
            out.append(_random_table(r, depth + 1))
        elif depth < 5:
            tag = r.choice(_TAGS[:12]) if r.random() < 0.9 else r.choice(_TAGS)
            tag = tag.upper() if r.random() < 0.05 else tag
            attributes = r.choice(_ATTRIBUTES) if r.random() < 0.2 else ""
            end = f"</{tag}>" if r.random() < 0.95 else r.choice(["", f"</{r.choice(_TAGS)}>"])
            out.append(f"<{tag}{attributes}>{_random_flow(r, depth + 1)}{end}")
    return "".join(out)


def _random_space(r):
    return r.choice(["", "", " ", "\n", "\n  ", "x" if r.random() < 0.05 else ""])


def _random_table(r, depth):
    out = ["<table>", _random_space(r)]
    if r.random() < 0.2:
        out.append(f"<colgroup>{_random_space(r)}<col>{_random_space(r)}</colgroup>{_random_space(r)}")
    for section in r.choice([["implied"], ["tbody"], ["thead", "tbody"], ["implied", "tbody"], ["tbody", "implied"]]):
        rows = []
        for _ in range(r.randint(0, 3)):
            cells = "".join(f"<{c}>{_random_flow(r, depth + 1)}</{c}>{_random_space(r)}"
                            for c in (r.choice(["td", "td", "th"]) for _ in range(r.randint(0, 3))))
            rows.append(f"<tr>{_random_space(r)}{cells}</tr>{_random_space(r)}")
        body = "".join(rows)
        out.append(body if section == "implied" else f"<{section}>{_random_space(r)}{body}</{section}>")
        out.append(_random_space(r))
    out.append("</table>" if r.random() < 0.97 else "")
    return "".join(out)


def _random_document(r):
    head = ["\n", '<meta charset="utf-8">', "\n", "<title>T &amp; t</title>", "\n"]
    if r.random() < 0.1:
        head.insert(r.randint(0, len(head)), r.choice(["<!--h-->", "x", "<div>", "<title><b>x</b></title>"]))
    parts = ["<!DOCTYPE html>", _random_space(r), '<html lang="en">', _random_space(r), "<head>", *head, "</head>",
             _random_space(r), "<body>", _random_flow(r, 0), "</body>", _random_space(r), "</html>", _random_space(r)]
    if r.random() < 0.1:
        parts[r.randrange(len(parts))] = r.choice(["", "<!--c-->", " x ", "<p>", "</html>", "\n"])
    return "".join(parts)


def test_a_random_document_is_refused_or_tinyhtml5s_tree():
    r = random.Random(20261128)
    accepted, reasons = 0, set()
    for _ in range(1000):
        html = _random_document(r)
        try:
            tree = _tree(fasthtml.parse(html))
        except fasthtml.Refused as e:
            reasons.add(str(e).split(":")[0].split(" in ")[0])
            continue
        assert tree == _tinyhtml5_tree(html), html
        accepted += 1
    assert accepted > 250 and len(reasons) > 30, (accepted, sorted(reasons))
