"""The print jobs' joiner: WeasyPrint's untagged PDFs copied object by object as bytes (the fast
path), anything else read by pypdf, the same pages either way."""

from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from generator.render import pdfjoin
from generator.render.pdfjoin import PdfJoiner

from commands import run_ok


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, list[Path]]:
    """Every PDF of three small runs: en; ru with biases and worked examples; tagged."""
    folder = tmp_path_factory.mktemp("runs")
    for name, extra in (("en", ()), ("ru", ("--lang", "ru", "--bias", "--worked-examples")),
                        ("tagged", ("--accessible",))):
        run_ok("--count", "2", "--seed", "12", "--format", "pdf", "--jobs", "1", "--quiet",
               "--out", str(folder / name), *extra)
    return {name: sorted((folder / name).glob("*/*.pdf")) + [folder / name / "grading-sheet.pdf"]
            for name in ("en", "ru", "tagged")}


def test_weasyprint_s_untagged_pdfs_take_the_fast_path(documents):
    # Worksheets, keys and grading sheets: a change in how WeasyPrint writes them must show here,
    # not as print jobs silently joined at a seventh of the speed.
    for path in documents["en"] + documents["ru"]:
        source = pdfjoin._Untagged(path.read_bytes())
        assert len(source.pages) == len(PdfReader(path).pages)
    for path in documents["tagged"]:
        with pytest.raises(pdfjoin._Unsupported, match="tagged"):
            pdfjoin._Untagged(path.read_bytes())


def plain(obj, seen: dict[int, int]):
    """``obj`` as plain values, its references followed (each object once: a second visit is its
    order of first visit), streams decoded, and the page tree's /Parent left out."""
    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return ("seen", seen[obj.idnum])
        seen[obj.idnum] = len(seen)
        obj = obj.get_object()
    if isinstance(obj, StreamObject):
        return ("stream", obj.get_data(), {k: plain(v, seen) for k, v in obj.items() if k not in ("/Length",
                                                                                                   "/Filter")})
    if isinstance(obj, DictionaryObject):
        return {k: plain(v, seen) for k, v in obj.items() if k != "/Parent"}
    if isinstance(obj, ArrayObject):
        return [plain(v, seen) for v in obj]
    return obj


def joined_pages(path: Path) -> list:
    reader = PdfReader(path, strict=True)
    seen: dict[int, int] = {}
    return [plain(page.indirect_reference, seen) for page in reader.pages]


def test_the_fast_path_joins_the_pages_pypdf_joins(documents, tmp_path, monkeypatch):
    sources = documents["en"] + documents["ru"]
    with PdfJoiner(tmp_path / "fast.pdf", "Handouts") as joiner:
        for path in sources:
            joiner.add_sheet(path)
    fast_size = joiner.last_page_size

    def unsupported(data):
        raise pdfjoin._Unsupported("as if WeasyPrint wrote otherwise")

    monkeypatch.setattr(pdfjoin, "_Untagged", unsupported)
    with PdfJoiner(tmp_path / "pypdf.pdf", "Handouts") as joiner:
        for path in sources:
            joiner.add_sheet(path)
    assert joiner.last_page_size == fast_size
    fast, by_pypdf = joined_pages(tmp_path / "fast.pdf"), joined_pages(tmp_path / "pypdf.pdf")
    assert len(fast) == sum(len(PdfReader(p).pages) + len(PdfReader(p).pages) % 2 for p in sources) - (
        len(PdfReader(sources[-1]).pages) % 2)
    assert fast == by_pypdf
    # and nothing else: the same objects (a source's own page tree and catalog left out)
    sizes = [PdfReader(tmp_path / name).trailer["/Size"] for name in ("fast.pdf", "pypdf.pdf")]
    assert sizes[0] == sizes[1]
    # every page's parent is the job's one page tree
    reader = PdfReader(tmp_path / "fast.pdf", strict=True)
    assert {page.raw_get("/Parent").idnum for page in reader.pages} == {
        reader.trailer["/Root"].raw_get("/Pages").idnum}


def test_a_pdf_written_otherwise_is_joined_by_way_of_pypdf(documents, tmp_path):
    # A print job (a classic cross-reference table, objects not in streams) joined into another.
    with PdfJoiner(tmp_path / "first.pdf") as joiner:
        for path in documents["en"][:2]:
            joiner.add_sheet(path)
    with pytest.raises(pdfjoin._Unsupported):
        pdfjoin._Untagged((tmp_path / "first.pdf").read_bytes())
    with PdfJoiner(tmp_path / "second.pdf") as joiner:
        joiner.add(tmp_path / "first.pdf")
        joiner.add(documents["en"][2])
    first, second = PdfReader(tmp_path / "first.pdf"), PdfReader(tmp_path / "second.pdf", strict=True)
    assert len(second.pages) == len(first.pages) + len(PdfReader(documents["en"][2]).pages)
    assert [p.extract_text() for p in second.pages[:len(first.pages)]] == [p.extract_text() for p in first.pages]


@pytest.mark.parametrize("change", [
    (b"/W [", b"/X ["),  # the cross-reference stream's widths missing
    (b"/Length ", b"/Lxngth "),  # a stream without a length
    (b" 0 obj", b" 1 obj"),  # offsets that do not match their objects
])
def test_what_the_fast_path_does_not_know_goes_to_pypdf_not_to_an_error(documents, change):
    data = documents["en"][0].read_bytes()
    assert change[0] in data
    with pytest.raises(pdfjoin._Unsupported):
        pdfjoin._Untagged(data.replace(change[0], change[1], 1))


@pytest.mark.parametrize("added, reason", [
    (b"/Was 999999 0 R", "does not hold"),  # a reference the copy could not follow
    (b"/Was (a)b)", "would not write"),  # a parenthesis outside any string
    (b"/StructParents 0", "marked content"),  # a tagged document's mark
])
def test_objects_the_byte_level_copy_could_get_wrong_are_refused(documents, added, reason):
    # Inside the compressed object stream, so changed as parsed: the check that follows parsing.
    source = pdfjoin._Untagged(documents["en"][0].read_bytes())
    page = source.objects[source.pages[0]][0]
    source.objects[source.pages[0]] = (page[:-2] + added + b">>", None)
    with pytest.raises(pdfjoin._Unsupported, match=reason):
        source._check()
