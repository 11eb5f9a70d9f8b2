"""Joining finished PDFs into one print job (handouts, answer keys, feedback), streaming.

pypdf is imported on first use, as WeasyPrint is (``pdf``): ~0.1 s that a run writing no PDF
need not pay.
"""

from __future__ import annotations

import io
from pathlib import Path


class PdfJoiner:
    """Streams the pages of many small PDFs into one file.

    Each source's objects are renumbered and written out as soon as it is read, so memory
    holds one source at a time however many are joined (pypdf's PdfWriter keeps every page
    until the end). The output has no /ID and no dates: the same sources give the same bytes.
    """

    def __init__(self, out: Path):
        self._file = open(out, "wb")
        self._file.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self._offsets: list[int | None] = [None]  # by object number; 0 is the free head
        self._kids: list[int] = []
        self._pages_root = self._new_number()
        self.last_page_size = (0.0, 0.0)  # of the last source added

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
        from pypdf import PdfReader
        from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

        reader = PdfReader(io.BytesIO(source) if isinstance(source, bytes) else source)
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
        while pending:
            ref = pending.pop()
            obj = reader.get_object(ref)
            is_page = isinstance(obj, DictionaryObject) and obj.get("/Type") == "/Page"
            if is_page:
                del obj[parent]  # not followed: it leads to the source's whole page tree
            renumbered(obj)
            if is_page:
                obj[parent] = IndirectObject(self._pages_root, 0, None)
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
        from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NumberObject

        self._write(self._pages_root, DictionaryObject({
            NameObject("/Type"): NameObject("/Pages"),
            NameObject("/Kids"): ArrayObject([IndirectObject(k, 0, None) for k in self._kids]),
            NameObject("/Count"): NumberObject(len(self._kids)),
        }))
        catalog = self._new_number()
        self._write(catalog, DictionaryObject({
            NameObject("/Type"): NameObject("/Catalog"),
            NameObject("/Pages"): IndirectObject(self._pages_root, 0, None),
        }))
        xref = self._file.tell()
        self._file.write(b"xref\n0 %d\n0000000000 65535 f \n" % len(self._offsets))
        for offset in self._offsets[1:]:
            self._file.write(b"%010d 00000 n \n" % offset)
        self._file.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                         % (len(self._offsets), catalog, xref))
        self._file.close()

    def __enter__(self) -> PdfJoiner:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.close()
        else:
            self._file.close()
