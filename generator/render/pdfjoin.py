"""Joining finished PDFs into one print job (handouts, answer keys, feedback), streaming.

pypdf is imported on first use, as WeasyPrint is (``pdf``): ~0.1 s that a run writing no PDF
need not pay.
"""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path
from xml.sax.saxutils import escape


class PdfJoiner:
    """Streams the pages of many small PDFs into one file.

    Each source's objects are renumbered and written out as soon as it is read, so memory
    holds one source at a time however many are joined (pypdf's PdfWriter keeps every page
    until the end). The output has no /ID and no dates: the same sources give the same bytes.

    Tagged sources (WeasyPrint's PDF/UA) give a tagged print job: each source's structure tree
    becomes a ``Part`` of one ``Document``, its content keys (``StructParents``) and table
    header IDs shifted past the earlier sources'; the language is the first source's, the
    ``title`` the caller's. A job with an untagged source is untagged.
    """

    def __init__(self, out: Path, title: str = ""):
        self._file = open(out, "wb")
        self._file.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self._offsets: list[int | None] = [None]  # by object number; 0 is the free head
        self._kids: list[int] = []
        self._pages_root = self._new_number()
        self.last_page_size = (0.0, 0.0)  # of the last source added
        self.title = title
        self._tagged: bool | None = None  # every source so far has a structure tree (None: none yet)
        self._lang = None
        self._document: int | None = None  # the structure tree's Document element, once a source has one
        self._parts: list[int] = []  # each tagged source's top elements
        self._parent_tree: list = []  # (key, value) pairs of the joined number tree
        self._next_key = 0  # the first StructParents key the next source may use
        self._sources = 0

    @property
    def pages(self) -> int:
        return len(self._kids)

    def _new_number(self) -> int:
        self._offsets.append(None)
        return len(self._offsets) - 1

    def _write(self, number: int, obj) -> None:
        self._offsets[number] = self._file.tell()
        self._file.write(b"%d 0 obj\n" % number)
        obj.write_to_stream(self._file)
        self._file.write(b"\nendobj\n")

    def add_sheet(self, source: Path | bytes) -> int:
        """``add``, starting on an odd page: a new sheet of paper when printed duplex, so that
        two students' (or variants') pages never share one."""
        if self.pages % 2:
            self.add_blank_page(*self.last_page_size)
        return self.add(source)

    def add(self, source: Path | bytes) -> int:
        """Append every page of ``source`` (a file, or a PDF's bytes); returns how many."""
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        try:
            parsed = _Untagged(data)
        except _Unsupported:  # tagged, or not written as pydyf writes: pypdf reads anything
            return self._add_read_by_pypdf(data)
        return self._add_untagged(parsed)

    def _add_untagged(self, source: _Untagged) -> int:
        """``add`` for what WeasyPrint writes untagged (``_Untagged``): each object copied as its
        bytes, only its references renumbered (measured: 2.2 ms a document, 11.8 through pypdf)."""
        numbers = {source.pages_root: self._pages_root}  # each page's /Parent becomes ours
        pending = list(source.pages)
        for page in pending:
            numbers[page] = self._new_number()
        self._kids += [numbers[page] for page in source.pages]
        self._tagged = False
        self._sources += 1
        seen = {*pending, source.pages_root}  # the source's page tree is not copied

        def renumber(match: re.Match) -> bytes:
            if match[1] is None:
                return match[0]  # a string
            number = int(match[1])
            if number not in numbers:
                numbers[number] = self._new_number()
            if number not in seen:
                seen.add(number)
                pending.append(number)
            return b"%d 0 R" % numbers[number]

        while pending:
            number = pending.pop()
            text, stream = source.objects[number]
            self._offsets[numbers[number]] = self._file.tell()
            self._file.write(b"%d 0 obj\n" % numbers[number])
            self._file.write(_TOKENS.sub(renumber, text))
            if stream is not None:
                self._file.write(b"\nstream\n" + stream + b"\nendstream")
            self._file.write(b"\nendobj\n")
        self.last_page_size = source.last_page_size
        return len(source.pages)

    def _add_read_by_pypdf(self, source: bytes) -> int:
        from pypdf import PdfReader
        from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

        reader = PdfReader(io.BytesIO(source))
        numbers: dict[int, int] = {}
        pending: list[IndirectObject] = []

        def renumbered(obj):
            # The reader is thrown away afterwards, so its objects are rewritten in place.
            if isinstance(obj, IndirectObject):
                if obj.idnum not in numbers:
                    numbers[obj.idnum] = self._new_number()
                    pending.append(obj)
                return IndirectObject(numbers[obj.idnum], 0, None)
            if isinstance(obj, DictionaryObject):
                for key, value in list(obj.items()):
                    obj[key] = renumbered(value)
            elif isinstance(obj, ArrayObject):
                for n, value in enumerate(obj):
                    obj[n] = renumbered(value)
            return obj

        parent = NameObject("/Parent")
        for page in reader.pages:  # pypdf has copied inherited attributes into each page
            ref = page.indirect_reference
            self._kids.append(renumbered(ref).idnum)
        catalog = reader.trailer["/Root"]
        tree = catalog.get("/StructTreeRoot")
        self._tagged = tree is not None and self._tagged is not False
        offset, prefix = self._next_key, f"{self._sources}-"
        self._sources += 1
        if self._tagged:
            if self._document is None:
                self._document = self._new_number()
            if self._lang is None and "/Lang" in catalog:
                self._lang = catalog["/Lang"]
            # Whatever pointed at the source's root (its top elements' /P) points at ours.
            numbers[tree.indirect_reference.idnum] = self._document
            tree = tree.get_object()
            for kid in _as_list(tree.get("/K")):
                element = kid.get_object()
                if element.get("/S") == "/Document":
                    element[NameObject("/S")] = NameObject("/Part")
                self._parts.append(renumbered(kid).idnum)
            for key, value in _number_tree(tree.get("/ParentTree")):
                self._parent_tree.append((key + offset, renumbered(value)))
                self._next_key = max(self._next_key, key + offset + 1)
        while pending:
            ref = pending.pop()
            obj = reader.get_object(ref)
            is_page = isinstance(obj, DictionaryObject) and obj.get("/Type") == "/Page"
            if is_page:
                del obj[parent]  # not followed: it leads to the source's whole page tree
            renumbered(obj)
            if is_page:
                obj[parent] = IndirectObject(self._pages_root, 0, None)
            if isinstance(obj, DictionaryObject):
                _shift_structure_keys(obj, offset, prefix)
            self._write(numbers[ref.idnum], obj)
        last = reader.pages[-1].mediabox
        self.last_page_size = (float(last.width), float(last.height))
        return len(reader.pages)

    def add_blank_page(self, width: float, height: float) -> None:
        from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, IndirectObject, NameObject

        number = self._new_number()
        self._write(number, DictionaryObject({
            NameObject("/Type"): NameObject("/Page"),
            NameObject("/Parent"): IndirectObject(self._pages_root, 0, None),
            NameObject("/MediaBox"): ArrayObject([FloatObject(v) for v in (0, 0, width, height)]),
            NameObject("/Resources"): DictionaryObject(),
        }))
        self._kids.append(number)

    def close(self) -> None:
        from pypdf.generic import (
            ArrayObject,
            DictionaryObject,
            IndirectObject,
            NameObject,
            NumberObject,
            TextStringObject,
        )

        self._write(self._pages_root, DictionaryObject({
            NameObject("/Type"): NameObject("/Pages"),
            NameObject("/Kids"): ArrayObject([IndirectObject(k, 0, None) for k in self._kids]),
            NameObject("/Count"): NumberObject(len(self._kids)),
        }))
        entries = {
            NameObject("/Type"): NameObject("/Catalog"),
            NameObject("/Pages"): IndirectObject(self._pages_root, 0, None),
        }
        if self._document is not None:  # written even if a later source was untagged: numbers were given
            structure = self._structure()
            if self._tagged:
                entries.update(structure)
        if self.title:
            entries[NameObject("/Metadata")] = self._metadata()
        catalog = self._new_number()
        self._write(catalog, DictionaryObject(entries))
        info = ""
        if self.title:
            info_number = self._new_number()
            self._write(info_number, DictionaryObject({NameObject("/Title"): TextStringObject(self.title)}))
            info = f" /Info {info_number} 0 R"
        xref = self._file.tell()
        self._file.write(b"xref\n0 %d\n0000000000 65535 f \n" % len(self._offsets))
        for offset in self._offsets[1:]:
            self._file.write(b"%010d 00000 n \n" % offset)
        self._file.write(b"trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n"
                         % (len(self._offsets), catalog, info.encode(), xref))
        self._file.close()

    def _structure(self) -> dict:
        """The catalog's entries of a tagged job: its structure tree, written here, and the
        marks PDF/UA asks of a tagged document."""
        from pypdf.generic import (
            ArrayObject,
            BooleanObject,
            DictionaryObject,
            IndirectObject,
            NameObject,
            NumberObject,
        )

        root, parent_tree = self._new_number(), self._new_number()
        nums = ArrayObject()
        for key, value in self._parent_tree:
            nums += [NumberObject(key), value]
        self._write(parent_tree, DictionaryObject({NameObject("/Nums"): nums}))
        self._write(self._document, DictionaryObject({
            NameObject("/Type"): NameObject("/StructElem"),
            NameObject("/S"): NameObject("/Document"),
            NameObject("/P"): IndirectObject(root, 0, None),
            NameObject("/K"): ArrayObject(IndirectObject(k, 0, None) for k in self._parts),
        }))
        self._write(root, DictionaryObject({
            NameObject("/Type"): NameObject("/StructTreeRoot"),
            NameObject("/K"): ArrayObject([IndirectObject(self._document, 0, None)]),
            NameObject("/ParentTree"): IndirectObject(parent_tree, 0, None),
            NameObject("/ParentTreeNextKey"): NumberObject(self._next_key),
        }))
        entries = {
            NameObject("/StructTreeRoot"): IndirectObject(root, 0, None),
            NameObject("/MarkInfo"): DictionaryObject({NameObject("/Marked"): BooleanObject(True)}),
            NameObject("/ViewerPreferences"): DictionaryObject({
                NameObject("/DisplayDocTitle"): BooleanObject(True)}),
        }
        if self._lang is not None:
            entries[NameObject("/Lang")] = self._lang
        return entries

    def _metadata(self):
        """The XMP stream with the title, and the PDF/UA mark where the job is tagged."""
        from pypdf.generic import IndirectObject, NameObject, StreamObject

        ua = '<rdf:Description rdf:about="" pdfuaid:part="1"/>' if self._tagged else ""
        xmp = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
               '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
               '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
               'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
               f'{ua}<rdf:Description rdf:about=""><dc:title><rdf:Alt><rdf:li xml:lang="x-default">'
               f'{escape(self.title)}</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF>\n'
               '</x:xmpmeta>\n<?xpacket end="r"?>')
        stream = StreamObject()
        stream.set_data(xmp.encode("utf-8"))
        stream[NameObject("/Type")] = NameObject("/Metadata")
        stream[NameObject("/Subtype")] = NameObject("/XML")
        number = self._new_number()
        self._write(number, stream)
        return IndirectObject(number, 0, None)

    def __enter__(self) -> PdfJoiner:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.close()
        else:
            self._file.close()


# In an object's text (never a stream's data): a literal string, which pydyf writes with its
# parentheses and backslashes escaped, kept as it is; a reference, renumbered. A parenthesis
# outside a string, which pydyf never writes, means a text this reader does not know (refused).
_STRINGS = re.compile(rb"\((?:[^()\\]|\\.)*\)", re.S)
_REFERENCE = rb"(?<![\w.#/+-])(\d+) 0 R(?!\w)"
_TOKENS = re.compile(_STRINGS.pattern + b"|" + _REFERENCE, re.S)


class _Unsupported(Exception):
    """Not a PDF as WeasyPrint writes it untagged: joined by way of pypdf instead."""


class _Untagged:
    """An untagged PDF as WeasyPrint writes it with pydyf: a cross-reference stream; every
    object that is not a stream in one object stream; streams with a direct /Length. Its objects'
    texts, its pages in order and their tree's root; anything else raises ``_Unsupported``."""

    def __init__(self, data: bytes):
        try:
            self._read(data)
        except (ValueError, IndexError, KeyError, TypeError, AttributeError, zlib.error) as e:
            raise _Unsupported(str(e)) from None  # an entry missing (a search found None), a bad number

    def _read(self, data: bytes) -> None:
        if not data.startswith(b"%PDF-"):
            raise _Unsupported("not a PDF")
        start = int(data[data.rindex(b"startxref") + 9:data.rindex(b"%%EOF")])
        xref, table = self._stream_at(data, start)
        if not re.search(rb"/Type ?/XRef", xref) or b"/Encrypt" in xref or b"/Prev" in xref:
            raise _Unsupported("no plain cross-reference stream")
        table = _inflated(xref, table)
        widths = [int(w) for w in re.search(rb"/W ?\[(\d+) (\d+) (\d+)\]", xref).groups()]
        first, count = (int(v) for v in re.search(rb"/Index ?\[(\d+) (\d+)\]", xref).groups())
        root = int(re.search(rb"/Root " + _REFERENCE, xref)[1])
        entries, at = {}, 0
        for number in range(first, first + count):
            fields = []
            for width in widths:
                fields.append(int.from_bytes(table[at:at + width], "big"))
                at += width
            entries[number] = fields
        self.objects: dict[int, tuple[bytes, bytes | None]] = {}
        for number, (kind, where, _) in entries.items():
            if kind == 1:
                text, stream = self._stream_at(data, where)
                if int(re.match(rb"(\d+) 0 obj", data[where:where + 20])[1]) != number:
                    raise _Unsupported("cross-reference offsets do not match")
                self.objects[number] = (text, stream)
        for text, stream in list(self.objects.values()):
            if re.search(rb"/Type ?/ObjStm", text):
                self._unpack(text, stream)
        for number, (kind, *_) in entries.items():
            if kind == 2 and number not in self.objects:
                raise _Unsupported(f"object {number} is not in an object stream")
        catalog = self.objects[root][0]
        if b"/StructTreeRoot" in catalog:
            raise _Unsupported("tagged")
        self.pages_root = int(re.search(rb"/Pages " + _REFERENCE, catalog)[1])
        tree = self.objects[self.pages_root][0]
        if set(re.findall(rb"/(\w+)", re.sub(rb"\[[^]]*\]", b"", tree))) != {b"Type", b"Pages", b"Kids", b"Count"}:
            raise _Unsupported("the page tree holds inherited attributes")
        self.pages = [int(n) for n in re.findall(_REFERENCE, re.search(rb"/Kids ?\[([^]]*)\]", tree)[1])]
        box = re.search(rb"/MediaBox ?\[([^]]*)\]", self.objects[self.pages[-1]][0])[1].split()
        self.last_page_size = (float(box[2]) - float(box[0]), float(box[3]) - float(box[1]))
        self._check()

    def _check(self) -> None:
        """Refuse objects the byte-level copy could get wrong: a reference it cannot follow, text
        outside what pydyf writes, marks of a tagged document, a nested page tree."""
        for text, _ in self.objects.values():
            outside_strings = _STRINGS.sub(b"", text)
            if b"/StructParent" in text or b"(" in outside_strings or b")" in outside_strings:
                raise _Unsupported("marked content, or a string pydyf would not write")
            if any(int(n) not in self.objects for n in re.findall(_REFERENCE, outside_strings)):
                raise _Unsupported("a reference to an object it does not hold")
        for page in self.pages:
            if not re.search(rb"/Type ?/Page\b", self.objects[page][0]):
                raise _Unsupported("a nested page tree")

    @staticmethod
    def _stream_at(data: bytes, offset: int) -> tuple[bytes, bytes]:
        """The dictionary and the (still encoded) data of the stream object at ``offset``."""
        head = re.compile(rb"\d+ 0 obj\n(<<.*?>>)\nstream\n", re.S).match(data, offset)
        if head is None:
            raise _Unsupported(f"no stream object at {offset}")
        length = re.findall(rb"/Length (\d+)(?!\d| 0 R)", head[1])
        if len(length) != 1:
            raise _Unsupported("a stream's /Length is not one direct number")
        end = head.end() + int(length[0])
        if not data.startswith(b"\nendstream", end):
            raise _Unsupported("a stream's /Length does not end it")
        return head[1], data[head.end():end]

    def _unpack(self, text: bytes, stream: bytes) -> None:
        body = _inflated(text, stream)
        n, first = int(re.search(rb"/N (\d+)", text)[1]), int(re.search(rb"/First (\d+)", text)[1])
        pairs = [int(v) for v in body[:first].split()]
        numbers, offsets = pairs[0::2], [first + o for o in pairs[1::2]]
        if len(numbers) != n:
            raise _Unsupported("an object stream's header")
        for number, begin, end in zip(numbers, offsets, offsets[1:] + [len(body)]):
            self.objects[number] = (body[begin:end].strip(), None)


def _inflated(dictionary: bytes, stream: bytes) -> bytes:
    """The data of a stream compressed as pydyf compresses (Flate, no predictor)."""
    if not re.search(rb"/Filter ?/FlateDecode", dictionary) or b"/DecodeParms" in dictionary:
        raise _Unsupported("a stream compressed otherwise")
    return zlib.decompress(stream)


def _as_list(value) -> list:
    """A /K entry: one kid or an array of them."""
    if value is None:
        return []
    value = value.get_object() if hasattr(value, "get_object") else value
    return list(value) if isinstance(value, list) else [value]


def _number_tree(node):
    """The (key, value) pairs of a PDF number tree, its /Kids followed."""
    if node is None:
        return
    node = node.get_object()
    nums = node.get("/Nums", [])
    for i in range(0, len(nums), 2):
        yield int(nums[i]), nums[i + 1]
    for kid in node.get("/Kids", []):
        yield from _number_tree(kid)


def _shift_structure_keys(obj, offset: int, prefix: str) -> None:
    """A page's or annotation's key into the parent tree moved past the earlier sources'; a
    structure element's ID (and the IDs a table cell names as its headers) made unique in the
    job: WeasyPrint numbers them by object, alike in every source."""
    from pypdf.generic import ArrayObject, NameObject, NumberObject, TextStringObject

    for key in ("/StructParents", "/StructParent"):
        if key in obj:
            obj[NameObject(key)] = NumberObject(int(obj[key]) + offset)
    if obj.get("/Type") != "/StructElem":
        return
    if "/ID" in obj:
        obj[NameObject("/ID")] = TextStringObject(prefix + str(obj["/ID"]))
    attributes = obj.get("/A")
    for a in (attributes if isinstance(attributes, list) else [attributes]):
        if hasattr(a, "get") and "/Headers" in a:
            a[NameObject("/Headers")] = ArrayObject(TextStringObject(prefix + str(h)) for h in a["/Headers"])
