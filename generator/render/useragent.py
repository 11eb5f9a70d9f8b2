"""The part of WeasyPrint's HTML user-agent stylesheet that our documents can use.

WeasyPrint matches every element of a document against every rule of its user-agent
stylesheet (html5_ua.css: lists, forms, right-to-left text, footnotes, ...). The rules no
element name narrows cost most: `::marker`, `::footnote-call` and four more pseudo-elements
give every element six extra styles to compute, and `[hidden]` or `[dir=rtl i] :is(...)`
are tried on every element. ``trim`` keeps, verbatim and in their order, the selectors that
can match an element of a document made only of ``TAGS``, and says which attributes and CSS
keywords a document must not use for that to hold (``TrimmedSheet.allows``, ``.covers``).

Derived from WeasyPrint's own file when first needed, so that an upgrade of WeasyPrint cannot
make it diverge; the tests compare our documents' PDFs with both sheets byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

import cssselect2.parser as selectors
import tinycss2

# Every element of templates/*.html (Moodle's are not laid out by WeasyPrint), and those the
# HTML parser adds by itself: html, head, body, tbody around a table's rows, colgroup
# around <col>, p for a stray </p>, br for </br>.
TAGS = frozenset({
    "html", "head", "meta", "title", "style", "body", "header", "section", "div", "p", "span", "b", "i",
    "sub", "sup", "br", "h1", "h2", "h3", "img", "table", "colgroup", "col", "thead", "tbody", "tr", "th", "td",
})

# Pseudo-elements whose boxes exist only where a style asks for them (a list item's marker,
# a footnote's call and marker, a note's), and the CSS keyword that asks.
_PSEUDO_ELEMENT_KEYWORDS = {
    "marker": "list-item",
    "footnote-call": "footnote", "footnote-marker": "footnote",
    "note-call": "note(", "note-marker": "note(", "note-callback": "note(",
}
# The keywords are looked for in the document's text: a stylesheet it imports is not in it,
# and a backslash may be a CSS escape hiding a keyword.
_ALWAYS_REFUSED = ("@import", "\\")
_KNOWN_PSEUDO_ELEMENTS = {None, "before", "after", *_PSEUDO_ELEMENT_KEYWORDS}
_LINK_PSEUDO_CLASSES = frozenset({"link", "any-link", "local-link", "visited"})  # only a, area, link


@dataclass(frozen=True)
class TrimmedSheet:
    """A trimmed user-agent stylesheet, and what a document must be for it to give the same PDF."""

    css: str
    tags: frozenset[str]  # a document may have no other element
    attributes: frozenset[str]  # ... no such attribute (the dropped selectors test them)
    keywords: tuple[str, ...]  # ... and no such text (the dropped pseudo-elements need them)

    def allows(self, html: str) -> bool:
        """Whether no CSS of the document (in <style>, in style="") may ask for a pseudo-element
        the trimmed sheet dropped. Cautious: the word "footnote" anywhere refuses it."""
        text = html.lower()
        return not any(k in text for k in self.keywords)

    def covers(self, root) -> bool:
        """Whether every element of a parsed document (WeasyPrint's tree, with the elements
        its HTML parser added, as tbody) is one of the tags with none of the attributes.
        ~0.05 ms for a key; a regular expression over the HTML cannot tell text from tags."""
        tags, attributes = self.tags, self.attributes
        for element in root.iter():
            tag = element.tag
            if isinstance(tag, str) and (tag not in tags or not attributes.isdisjoint(element.attrib)):
                return False  # (a comment's tag is a function: no style, no matter)
        return True


def weasyprint_ua() -> str:
    """The text of WeasyPrint's HTML user-agent stylesheet, as WeasyPrint reads it."""
    return files("weasyprint.css").joinpath("html5_ua.css").read_text("utf-8")


def trim(ua: str, tags: frozenset[str] = TAGS) -> TrimmedSheet:
    """The rules of ``ua`` that can apply to a document of ``tags``; at-rules (@page and its
    margin boxes, @counter-style) all kept."""
    attributes: set[str] = set()
    kept: list[str] = []
    pseudo: list[tuple[str, str, int]] = []  # (rule, the keyword it needs, where it goes)
    for rule in tinycss2.parse_stylesheet(ua, skip_comments=True, skip_whitespace=True):
        parsed = _selector_list(rule) if rule.type == "qualified-rule" else None
        if parsed is None:  # an at-rule, or a rule WeasyPrint rejects (in part): read as it is
            kept.append(tinycss2.serialize([rule]))
            continue
        block = " {" + tinycss2.serialize(rule.content) + "}"
        parts, pseudo_parts = [], []
        for tokens, selector in parsed:
            text = tinycss2.serialize(tokens).strip()
            tested: set[str] = set()
            if not _may_match(selector.parsed_tree, tags, tested):
                attributes |= tested
            elif selector.pseudo_element in _PSEUDO_ELEMENT_KEYWORDS:
                pseudo_parts.append((text + block, _PSEUDO_ELEMENT_KEYWORDS[selector.pseudo_element]))
            else:
                parts.append(text)
        if parts:
            kept.append(", ".join(parts) + block)
        pseudo += [(text, keyword, len(kept)) for text, keyword in pseudo_parts]
    # A pseudo-element rule stays if a kept rule asks for it (as `li { display: list-item }`
    # would, were li one of the tags); otherwise the documents must not ask.
    qualified = " ".join(k for k in kept if not k.startswith("@")).lower()
    keywords = set(_ALWAYS_REFUSED)
    for text, keyword, at in reversed(pseudo):
        if keyword in qualified:
            kept.insert(at, text)
        else:
            keywords.add(keyword)
    return TrimmedSheet("\n".join(kept), frozenset(tags), frozenset(attributes), tuple(sorted(keywords)))


def _selector_list(rule) -> list[tuple[list, selectors.Selector]] | None:
    """Each selector of a rule's list with its tokens; None if WeasyPrint would not take them
    all (a syntax error, a pseudo-element it does not know), so that the rule stays as it is."""
    try:
        parsed = list(selectors.parse(rule.prelude))
    except selectors.SelectorError:
        return None
    pieces = _split_list(rule.prelude)
    if len(pieces) != len(parsed) or any(s.pseudo_element not in _KNOWN_PSEUDO_ELEMENTS for s in parsed):
        return None
    return list(zip(pieces, parsed))


def _split_list(prelude: list) -> list[list]:
    """A selector list's selectors, as tokens (commas inside :is() are in function tokens)."""
    parts: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def _may_match(node, tags: frozenset[str], tested: set[str]) -> bool:
    """False only if ``node`` cannot match an element of a document made of ``tags`` that has
    no attribute a selector tests; the attributes that decided it are added to ``tested``."""
    if isinstance(node, selectors.CombinedSelector):
        return _may_match(node.left, tags, tested) and _may_match(node.right, tags, tested)
    if isinstance(node, selectors.CompoundSelector):
        simple = node.simple_selectors
        named = [s.lower_name for s in simple if isinstance(s, selectors.AttributeSelector)]
        if not all(_may_match(s, tags, tested) for s in simple if not isinstance(s, selectors.AttributeSelector)):
            return False  # an element name not in the tags: no need to refuse its attributes
        tested.update(named)
        return not named
    if isinstance(node, selectors.LocalNameSelector):
        return node.lower_local_name in tags
    if isinstance(node, selectors.AttributeSelector):
        tested.add(node.lower_name)
        return False
    if isinstance(node, selectors.PseudoClassSelector) and node.name in _LINK_PSEUDO_CLASSES:
        return bool({"a", "area", "link"} & tags)
    if isinstance(node, (selectors.MatchesAnySelector, selectors.SpecificityAdjustmentSelector)):
        return any(_may_match(s.parsed_tree if isinstance(s, selectors.Selector) else s, tags, tested)
                   for s in node.selector_list)
    return True  # :not(), :has(), other pseudo-classes, ids, classes: may match
