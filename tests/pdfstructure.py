"""Reading a tagged PDF's structure tree back, as a screen reader walks it: elements in order,
each with its tag, its alternative text and the text of the marked content it owns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader


@dataclass
class Element:
    tag: str  # without the slash: "H1", "Figure", "TD" ...
    alt: str | None = None
    attributes: dict = field(default_factory=dict)
    id: str | None = None
    children: list[Element | str] = field(default_factory=list)  # elements and text, in order

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        yield self
        for c in self.children:
            if isinstance(c, Element):
                yield from c.walk()


@dataclass
class Tagged:
    reader: PdfReader
    catalog: dict
    root: Element  # the StructTreeRoot's kids under a root element tagged ""

    def elements(self, tag: str | None = None) -> list[Element]:
        return [e for e in self.root.walk() if tag is None or e.tag == tag]

    def headings(self) -> list[tuple[int, str]]:
        """(level, text) of every heading, in reading order."""
        return [(int(e.tag[1]), " ".join(e.text().split())) for e in self.root.walk()
                if len(e.tag) == 2 and e.tag[0] == "H" and e.tag[1].isdigit()]


def marked_text(reader: PdfReader) -> dict[tuple[int, int], str]:
    """The text of each marked-content sequence, by (page object number, MCID)."""
    texts: dict[tuple[int, int], str] = {}
    for page in reader.pages:
        number, stack = page.indirect_reference.idnum, []

        def before(op, args, cm, tm, stack=stack):
            if op == b"BDC":
                props = args[1].get_object() if hasattr(args[1], "get_object") else args[1]
                stack.append(props.get("/MCID") if hasattr(props, "get") else None)
            elif op == b"BMC":
                stack.append(None)
            elif op == b"EMC" and stack:
                stack.pop()

        def text(t, cm, tm, font, size, stack=stack, number=number):
            mcid = next((m for m in reversed(stack) if m is not None), None)
            if mcid is not None:
                texts[number, int(mcid)] = texts.get((number, int(mcid)), "") + t

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return texts


def read(path: Path) -> Tagged:
    reader = PdfReader(path)
    catalog = reader.trailer["/Root"]
    texts = marked_text(reader)

    def element(obj, page) -> Element | str:
        obj = obj.get_object()
        if isinstance(obj, int):
            return texts.get((page, obj), "")
        if obj.get("/Type") == "/MCR":
            return texts.get((obj.raw_get("/Pg").idnum if "/Pg" in obj else page, int(obj["/MCID"])), "")
        if obj.get("/Type") == "/OBJR":
            return ""
        page = obj.raw_get("/Pg").idnum if "/Pg" in obj else page
        kids = obj.get("/K")
        kids = [] if kids is None else kids.get_object()
        kids = kids if isinstance(kids, list) else [kids]
        attributes = obj.get("/A")
        return Element(str(obj.get("/S", ""))[1:], str(obj["/Alt"]) if "/Alt" in obj else None,
                       dict(attributes.get_object()) if attributes is not None else {},
                       str(obj["/ID"]) if "/ID" in obj else None, [element(k, page) for k in kids])

    tree = catalog["/StructTreeRoot"].get_object()
    kids = tree.get("/K")
    kids = [] if kids is None else kids.get_object()
    root = Element("", children=[element(k, None) for k in (kids if isinstance(kids, list) else [kids])])
    return Tagged(reader, catalog, root)
