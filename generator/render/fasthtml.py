"""Our documents parsed into the tree WeasyPrint's HTML parser would build, several times faster.

WeasyPrint 70 parses every document with tinyhtml5, a pure-Python HTML5 tokenizer and tree
builder: measured here (CPU time) ~7.5 ms of a key's ~110 ms, ~6 ms of a worksheet's ~90.
Python's own ``html.parser`` feeding an ElementTree ``TreeBuilder`` reads the same documents
in ~1.3 ms, but knows none of HTML5's tree construction: the elements it implies, the repairs of
misnested tags, where stray text goes. ``parse`` accepts a document only where those rules come
down to the few it follows (the <tbody> implied around a table's rows, whitespace before <head>
dropped, text after </body> kept in <body>), and raises ``Refused``, naming the reason, for
anything that could make the trees differ, so that the caller parses with tinyhtml5 instead.
tests/test_fasthtml.py compares every kind of our documents with tinyhtml5's tree.
"""

from __future__ import annotations

import re
from html.entities import html5 as _NAMED_REFERENCES
from html.parser import HTMLParser
from xml.etree.ElementTree import Element, TreeBuilder


class Refused(ValueError):
    """The document's HTML5 tree may differ from the one ``parse`` would build."""


# The elements ``parse`` knows (those of templates/*.html), by what HTML5 does with them.
_VOID = frozenset({"meta", "br", "img", "col"})
_IN_HEAD = frozenset({"meta", "title", "style"})
_TEXT_ONLY = frozenset({"title", "style"})  # their text is raw (style) or escaped only (title)
# A start tag of these closes an open <p> (in a document with <!DOCTYPE html>, <table> too).
_CLOSES_P = frozenset({"header", "section", "div", "p", "h1", "h2", "h3", "table"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})  # one closes another that is open
_FLOW = _CLOSES_P | {"span", "b", "i", "sub", "sup", "br", "img"}
# What a table's own parts may hold without HTML5 moving it out of the table ("foster
# parenting") or implying an element; a <tr> right in a <table> implies a <tbody> around it.
_IMPLIED_TBODY = "tbody, implied"
_TABLE_PARTS = {
    "table": frozenset({"colgroup", "thead", "tbody", "tr"}),
    "thead": frozenset({"tr"}), "tbody": frozenset({"tr"}), _IMPLIED_TBODY: frozenset({"tr"}),
    "tr": frozenset({"td", "th"}), "colgroup": frozenset({"col"}),
}

_WHITESPACE = " \t\n"  # HTML's, less the form feed and carriage return, which are refused
# Characters HTML5 replaces, drops or reads differently: NUL, CR (CRLF becomes LF), controls,
# a byte-order mark, noncharacters, lone surrogates.
_BAD_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufeff\ufffe\uffff]")
# html.parser ends an end tag, and a comment (at `-- >`), where HTML5 may not; only `</name>`,
# and comments ending with `-->` alone, read the same.
_ODD_MARKUP = re.compile(r"</(?![a-zA-Z][a-zA-Z0-9]*>)|--[ \t\n]+>|--!>")
# html.unescape and HTML5 agree on a reference ending in `;` only; without it, HTML5 reads some
# names differently in attribute values, and a stray `&` is one step from such a name.
_BAD_AMPERSAND = re.compile(r"&(?!(?:[a-zA-Z][a-zA-Z0-9]*|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});)")
_REFERENCE = re.compile(r"&(#?[a-zA-Z0-9]+);")
# Attributes as both parsers read them alike: quoted values without < or >, unquoted ones of
# plain characters (html.parser ends them at any Unicode space, HTML5 at ASCII spaces only).
_START_TAG = re.compile(r"""<[a-zA-Z][a-zA-Z0-9]*(?:[ \t\n]+[a-zA-Z_:][-a-zA-Z0-9_:.]*"""
                        r"""(?:[ \t\n]*=[ \t\n]*(?:"[^"<>]*"|'[^'<>]*'|[-a-zA-Z0-9_.:#%]+))?)*[ \t\n]*/?>""")


def parse(html: str) -> Element:
    """The <html> element of ``html`` as tinyhtml5 parses it (``namespace_html_elements=False``),
    as WeasyPrint does; ``Refused`` if it may not be."""
    _check_text(html)
    builder = _Builder()
    builder.feed(html)
    return builder.finish(html)


def _check_text(html: str) -> None:
    """Refuse what can be found in the text alone."""
    for pattern, what in ((_BAD_CHARACTER, "a character HTML5 replaces or drops"),
                          (_ODD_MARKUP, "an end tag or comment end HTML5 may read differently"),
                          (_BAD_AMPERSAND, "an & that is not a character reference ending in ;")):
        match = pattern.search(html)
        if match:
            raise Refused(f"{what}: {match[0]!r} at {match.start()}")
    for name in dict.fromkeys(_REFERENCE.findall(html)):  # each once, in order
        if not _plain_reference(name):
            raise Refused(f"the character reference &{name}; (unknown, or a code point HTML5 reads differently)")


def _plain_reference(name: str) -> bool:
    """Whether html.unescape and HTML5 both read ``&name;`` as the same character(s)."""
    if not name.startswith("#"):
        return name + ";" in _NAMED_REFERENCES
    try:
        code = int(name[2:], 16) if name[1:2] in ("x", "X") else int(name[1:])
    except ValueError:
        return False
    # html.unescape drops the controls and noncharacters HTML5 keeps; the C1 controls, which
    # both read as Windows-1252, are refused all the same: no document of ours needs them.
    return (code in (0x9, 0xA) or 0x20 <= code < 0x7F or 0xA0 <= code <= 0x10FFFF) and not (
        0xD800 <= code <= 0xDFFF or 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE)


def _whitespace(data: str) -> bool:
    return not data.strip(_WHITESPACE)


class _Builder(HTMLParser):
    """html.parser's events into an ElementTree, through HTML5's insertion modes as far as
    our documents go: doctype, <html>, <head> and what it holds, </head>, <body> ... </body>,
    </html>, every element closed by its own end tag (void ones have none)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tree = TreeBuilder(insert_comments=True)
        self.open: list[str] = []  # the names of the open elements; _IMPLIED_TBODY for one
        self.mode = "initial"  # HTML5's insertion modes: initial, before html, ..., after after body
        self.markup = 0  # tags, comments and doctype read: one `<` each

    def finish(self, html: str) -> Element:
        if self.rawdata:
            raise Refused(f"unfinished markup at the end: {self.rawdata[:40]!r}")
        if self.markup != html.count("<"):
            raise Refused("a `<` that html.parser read as text, inside a tag or in <style>")
        if self.mode not in ("after body", "after after body"):
            raise Refused(f"the document ends in {self.mode!r} (no </body>)")
        self.tree.end("body")
        self.tree.end("html")
        return self.tree.close()

    def handle_decl(self, decl):
        self.markup += 1
        if self.mode != "initial" or decl.lower() != "doctype html":
            raise Refused(f"<!{decl}> (only <!DOCTYPE html>, first)")
        self.mode = "before html"

    def unknown_decl(self, data):
        raise Refused(f"<![{data[:20]}")

    def handle_pi(self, data):
        raise Refused(f"<?{data[:20]}")

    def handle_comment(self, data):
        self.markup += 1
        if data.startswith((">", "->")) or "--" in data or data.endswith("-"):
            raise Refused(f"a comment HTML5 may end elsewhere: {data[:40]!r}")
        # Before <html> and after </body> HTML5 puts comments where this tree does not.
        if self.mode not in ("before head", "in head", "after head", "in body") or self.open[-1] in _TEXT_ONLY:
            raise Refused(f"a comment in {self.mode!r}")
        self.tree.comment(data)

    def handle_data(self, data):
        mode = self.mode
        if mode == "in body":
            if self.open[-1] in _TABLE_PARTS and not _whitespace(data):
                raise Refused(f"text in <{self.open[-1]}>: {data.strip()[:40]!r}")
            self.tree.data(data)
        elif not _whitespace(data) and not (mode == "in head" and self.open[-1] in _TEXT_ONLY):
            raise Refused(f"text in {mode!r}: {data.strip()[:40]!r}")
        elif mode not in ("initial", "before html", "before head"):  # there HTML5 drops whitespace
            # after </head> it goes into <html>; after </body> and </html>, into <body>, still open
            self.tree.data(data)

    def handle_startendtag(self, tag, attrs):
        if tag not in _VOID:  # HTML5 ignores the `/` and leaves the element open
            raise Refused(f"<{tag}/>")
        self.handle_starttag(tag, attrs)

    def handle_starttag(self, tag, attrs):
        self.markup += 1
        text = self.get_starttag_text()
        if text != f"<{tag}>":
            if not _START_TAG.fullmatch(text):
                raise Refused(f"a start tag HTML5 may read differently: {text[:60]!r}")
            attrib = {name: "" if value is None else value for name, value in attrs}
            if len(attrib) != len(attrs):  # HTML5 keeps the first, html.parser the last
                raise Refused(f"a repeated attribute in {text[:60]!r}")
        else:
            attrib = {}
        mode = self.mode
        if mode == "in body":
            self._start_in_body(tag)
        elif mode == "in head" and self.open[-1] == "head" and tag in _IN_HEAD:
            pass
        elif (mode, tag) in (("before html", "html"), ("before head", "head"), ("after head", "body")):
            self.mode = {"html": "before head", "head": "in head", "body": "in body"}[tag]
        else:
            raise Refused(f"<{tag}> in {mode!r}")
        self.tree.start(tag, attrib)
        if tag in _VOID:
            self.tree.end(tag)
        else:
            self.open.append(tag)

    def _start_in_body(self, tag):
        current = self.open[-1]
        parts = _TABLE_PARTS.get(current)
        if parts is not None:
            if tag not in parts:
                raise Refused(f"<{tag}> in <{current}>")
            if tag == "tr" and current == "table":
                self.tree.start("tbody", {})
                self.open.append(_IMPLIED_TBODY)
        elif tag not in _FLOW:
            raise Refused(f"<{tag}> in <{current}> (not one of the elements this parser knows there)")
        elif tag in _CLOSES_P and "p" in self.open:
            raise Refused(f"<{tag}> inside an open <p>, which HTML5 closes")
        elif tag in _HEADINGS and current in _HEADINGS:
            raise Refused(f"<{tag}> in <{current}>, which HTML5 closes")

    def handle_endtag(self, tag):
        self.markup += 1
        current = self.open[-1] if self.open else None
        if current == _IMPLIED_TBODY and tag in ("tbody", "table"):
            self.tree.end("tbody")
            self.open.pop()
            if tag == "tbody":
                return
            current = self.open[-1]
        mode = self.mode
        if mode == "after body" and tag == "html":
            self.mode = "after after body"
            return
        if tag != current or mode not in ("in head", "in body"):
            raise Refused(f"</{tag}> in {mode!r}, where <{current}> is open")
        if tag == "body":  # HTML5 keeps <body> open: what follows goes into it
            self.mode = "after body"
            return
        if tag == "head":
            self.mode = "after head"
        self.tree.end(tag)
        self.open.pop()
