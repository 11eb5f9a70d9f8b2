"""Accessible documents (issue 20): with --accessible, every PDF tagged PDF/UA-1 in the language of --lang, with
its title, headings in order, header cells, the diagram described in words, a key that reads
in order; checked by reading the structure tree back with pypdf, and by page-validation's
PDF/UA-1 profile (a second, independent reader of the same rules)."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import page
import pytest
from pdfstructure import read
from pypdf import PdfReader

from generator import numbertext
from generator.render.templates import builtin_templates

from commands import run_ok

CASES = [("2,2,2,1", "en"), ("2,2,2,1", "ru"), ("4,4,1", "en"), ("4,4,1", "ru")]
SEED = 20
# the document kinds, as files of a batch folder
KINDS = {"worksheet": "worksheets/variant-01.pdf", "key": "keys/variant-01-key.pdf", "handouts": "handouts.pdf",
         "answer keys": "answer-keys.pdf", "grading sheet": "grading-sheet.pdf", "feedback": "grades/feedback.pdf"}


def _typed(folder: Path) -> Path:
    """Each variant's key typed in by a student, the second one with a wrong last answer."""
    with open(folder / "answers.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    text = (folder / "responses-template.csv").read_text(encoding="utf-8")
    delimiter = ";" if ";" in text.splitlines()[0] else ","
    header = next(csv.reader(text.splitlines(), delimiter=delimiter))
    typed = folder.parent / f"{folder.name}-typed.csv"
    with open(typed, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for n, row in enumerate(rows):
            cells = [f"Student {n + 1}" if h == "student" else row.get(h, "") for h in header]
            if n:
                cells[-1] = "7.5"
            writer.writerow(cells)
    return typed


@pytest.fixture(scope="module")
def batches(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """A batch of two variants per case, with `grade`'s feedback.pdf in grades/."""
    folders = {}
    for layers, lang in CASES:
        out = tmp_path_factory.mktemp("a11y") / f"{layers}-{lang}"
        run_ok("--count", 2, "--seed", SEED, "--layers", layers, "--lang", lang, "--format", "pdf,html,json,csv",
               "--out", out, "--quiet", "--jobs", 1, "--accessible")
        run_ok("grade", _typed(out), "--key", out / "answers.json", "--out", out / "grades", "--lang", lang,
               "--quiet", "--jobs", 1, "--accessible")
        folders[layers, lang] = out
    return folders


def _catalog(lang: str) -> dict:
    return json.loads((builtin_templates() / "lang" / f"{lang}.json").read_text(encoding="utf-8"))


def _variant(folder: Path, n: int = 0) -> dict:
    return json.loads((folder / "answers.json").read_text(encoding="utf-8"))["variants"][n]


def _xmp(reader: PdfReader) -> str:
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")


@pytest.mark.parametrize("case", CASES, ids="-".join)
@pytest.mark.parametrize("kind", KINDS)
def test_every_pdf_is_tagged_in_the_language_of_lang(batches, case, kind):
    path = batches[case] / KINDS[kind]
    tagged = read(path)
    catalog = tagged.catalog
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert catalog["/Lang"] == case[1]
    assert 'pdfuaid:part="1"' in _xmp(tagged.reader)
    # every page's content is reachable from the tree: its key is in the parent tree
    assert all("/StructParents" in p for p in tagged.reader.pages if p.get_contents())
    assert len(tagged.elements("P")) > 0 and tagged.root.text().strip()
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"^Tagged:\s+yes$", info, re.M)


@pytest.mark.parametrize("case", CASES, ids="-".join)
def test_titles_name_the_course_the_kind_the_variant_and_its_code(batches, case):
    folder, t = batches[case], _catalog(case[1])
    code = _variant(folder)["code"]
    variant = t["variant"].format(n=1)
    expected = {
        "worksheet": f"{t['title']} · {t['worksheet']} · {variant} · {code}",
        "key": f"{t['title']} · {t['answer_key']} · {variant} · {code}",
        "handouts": f"{t['title']} · {t['worksheets']}",
        "answer keys": f"{t['title']} · {t['answer_keys']}",
        "grading sheet": f"{t['title']} · {t['grading_sheet']}",
        "feedback": f"{t['title']} · {t['feedback']}",
    }
    for kind, title in expected.items():
        reader = PdfReader(folder / KINDS[kind])
        assert reader.metadata.title == title, kind
        assert f'<rdf:li xml:lang="x-default">{title}</rdf:li>' in _xmp(reader), kind


def _headings_in_order(headings: list[tuple[int, str]]) -> None:
    """One h1 first, and no level skipped on the way down."""
    assert headings and headings[0][0] == 1, headings
    assert [level for level, _ in headings].count(1) == 1, headings
    for (before, _), (level, text) in zip(headings, headings[1:]):
        assert level <= before + 1, headings
        assert text, headings


@pytest.mark.parametrize("case", CASES, ids="-".join)
def test_headings_are_real_and_in_order(batches, case):
    folder, t = batches[case], _catalog(case[1])
    code, weight_layers = _variant(folder)["code"], len(case[0].split(",")) - 1
    variant = t["variant"].format(n=1)
    layer_headings = [(3, h) for h, in zip(t["layer_from_end"][:weight_layers])]
    for kind, h1, last in (("worksheet", t["worksheet"], [(2, t["task3"])]),
                           ("key", t["answer_key"], [(2, t["task3"]), (2, t["updated_weights"])])):
        headings = read(folder / KINDS[kind]).headings()
        _headings_in_order(headings)
        assert headings[0] == (1, f"{h1} · {variant} · {code}")
        assert headings[1:5] == [(2, t["given"]), (2, t["task1"]), (2, t["task2"]), (3, t["preparation"])]
        layers = headings[5:5 + weight_layers]
        assert [(level, text.split(" · ")[0]) for level, text in layers] == [
            (level, h.format(ord=t["ordinals"][weight_layers - 1 - n])) for n, (level, h) in enumerate(layer_headings)]
        assert headings[5 + weight_layers:] == last
    for kind in ("grading sheet", "feedback"):
        headings = read(folder / KINDS[kind]).headings()
        if kind == "feedback":  # a page per student: each part of the print job in order on its own
            parts = [e for e in read(folder / KINDS[kind]).elements("Part")]
            assert len(parts) == 2
            for part in parts:
                part_headings = [(int(e.tag[1]), e.text()) for e in part.walk() if re.fullmatch(r"H\d", e.tag)]
                _headings_in_order(part_headings)
                assert part_headings[0] == (1, t["feedback"])
        else:
            _headings_in_order(headings)
            assert headings == [(1, t["grading_sheet"])]
    # the print jobs: each variant a Part of one Document, starting with its own h1
    for kind, h1 in (("handouts", t["worksheet"]), ("answer keys", t["answer_key"])):
        tagged = read(folder / KINDS[kind])
        assert [e.tag for e in tagged.root.children] == ["Document"]
        parts = tagged.elements("Part")
        assert len(parts) == 2
        for n, part in enumerate(parts):
            first = next(e for e in part.walk() if re.fullmatch(r"H\d", e.tag))
            assert (first.tag, " ".join(first.text().split())) == (
                "H1", f"{h1} · {t['variant'].format(n=n + 1)} · {_variant(folder, n)['code']}")


def _spoken(value: float, lang: str) -> str:
    """A given number as the alternative text says it: "minus 0.5", "минус 0,5"."""
    text = f"{abs(value):g}"
    text = text.replace(".", ",") if lang == "ru" else text
    return ("minus " if lang == "en" else "минус ") + text if value < 0 else text


@pytest.mark.parametrize("case", CASES, ids="-".join)
def test_the_diagram_is_one_figure_whose_alt_text_names_every_connection_and_weight(batches, case):
    folder, (layers, lang) = batches[case], case
    given = _variant(folder)["given"]
    n_weights = len(layers.split(",")) - 1
    matrices = ["W", "U", "T"][:n_weights - 1] + ["V"]
    neurons = ["x", "z", "q", "r"][:n_weights] + ["y-hat" if lang == "en" else "игрек с крышкой"]
    connections = []
    for k, letter in enumerate(matrices):
        for i, row in enumerate(given[letter]):
            for j, value in enumerate(row):
                a = f"{neurons[k]}{i + 1}"
                b = neurons[k + 1] if k == n_weights - 1 else f"{neurons[k + 1]}{j + 1}"
                said = _spoken(value, lang)
                connections.append(f"{a} to {b}: {said}" if lang == "en" else f"от {a} к {b}: {said}")
    for kind in ("worksheet", "key"):
        figures = read(folder / KINDS[kind]).elements("Figure")
        assert len(figures) == 1
        alt = figures[0].alt
        positions = [alt.find(c + ";") if c != connections[-1] else alt.find(c + ".") for c in connections]
        assert -1 not in positions, (alt, [c for c, p in zip(connections, positions) if p < 0])
        assert positions == sorted(positions)  # in the order of the matrices, row by row
        assert alt.count(":") == len(connections) + n_weights  # and no other: the layers' colons
    handouts = read(folder / KINDS["handouts"]).elements("Figure")
    assert len(handouts) == 2 and all(f.alt for f in handouts)


def test_biases_are_named_as_biases_in_the_alt_text(tmp_path):
    out = tmp_path / "bias"
    run_ok("--count", 1, "--seed", SEED, "--bias", "--out", out, "--format", "pdf,json", "--quiet", "--jobs", 1,
           "--accessible")
    given = _variant(out)["given"]
    alt = read(out / "worksheets" / "variant-01.pdf").elements("Figure")[0].alt
    for j, value in enumerate(given["W"][0]):
        assert f"bias of z{j + 1}: {_spoken(value, 'en')};" in alt
    assert f"bias of y-hat: {_spoken(given['V'][0][0], 'en')};" in alt


@pytest.mark.parametrize("case", CASES, ids="-".join)
def test_a_key_reads_every_answer_in_order(batches, case):
    folder, lang = batches[case], case[1]
    for n, kind in ((0, "key"), (1, None)):
        tagged = read(folder / (KINDS["key"] if kind else "keys/variant-02-key.pdf"))
        text, position = tagged.root.text(), 0
        for name, value in _variant(folder, n)["answers"].items():
            printed = numbertext.answer(value, 4, lang)
            found = text.find(printed, position)
            assert found >= 0, (name, printed, text[position:position + 200])
            position = found + len(printed)


def _cells(table):
    """The cells of a table, not of the tables inside them."""
    for child in table.children:
        if not isinstance(child, str) and child.tag != "Table":
            if child.tag in ("TD", "TH"):
                yield child
            else:
                yield from _cells(child)


@pytest.mark.parametrize("case", CASES, ids="-".join)
def test_tables_have_header_cells_for_their_data(batches, case):
    folder = batches[case]
    for kind in ("worksheet", "key", "grading sheet", "feedback"):
        tagged = read(folder / KINDS[kind])
        ids = {e.id for e in tagged.elements("TH")}
        assert ids and None not in ids, kind
        tables = [t for t in tagged.elements("Table") if any(e.tag == "TH" for e in _cells(t))]
        assert tables, kind
        for table in tables:
            for cell in (e for e in _cells(table) if e.tag == "TD" and e.text().strip()):
                headers = cell.attributes.get("/Headers", [])
                assert headers and set(map(str, headers)) <= ids, (kind, cell.text())
    # the given matrices: a header cell per row and column label
    given = _variant(folder)["given"]
    labels = sum(len(m) + len(m[0]) for letter, m in given.items() if isinstance(m, list) and letter != "x")
    assert len(read(folder / KINDS["worksheet"]).elements("TH")) == labels


@pytest.mark.parametrize("case", CASES[:2], ids="-".join)
def test_print_jobs_keep_each_sources_keys_and_ids_apart(batches, case):
    """Joined: every page's marked content maps, through the one parent tree, to elements on that
    page; header IDs are unique in the file and every cell's headers exist."""
    for kind in ("handouts", "answer keys", "feedback"):
        reader = PdfReader(batches[case] / KINDS[kind])
        tree = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
        nums = tree["/ParentTree"].get_object()["/Nums"]
        parent_tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        keys = []
        for page_ in reader.pages:
            if "/StructParents" not in page_:
                assert not page_.get_contents()  # a blank page that starts a sheet
                continue
            key = int(page_["/StructParents"])
            keys.append(key)
            elements = parent_tree[key].get_object()
            assert elements and all(e.get_object().raw_get("/Pg").idnum == page_.indirect_reference.idnum
                                    for e in elements if e is not None), kind
        assert len(set(keys)) == len(keys) and int(tree["/ParentTreeNextKey"]) > max(keys)
        tagged = read(batches[case] / KINDS[kind])
        ids = [e.id for e in tagged.elements("TH")]
        assert len(set(ids)) == len(ids), kind
        for cell in tagged.elements("TD"):
            assert set(map(str, cell.attributes.get("/Headers", []))) <= set(ids), kind


@pytest.mark.parametrize("case", CASES, ids="-".join)
def test_page_validation_finds_every_document_pdf_ua_1_compliant(batches, case):
    """page-validation (PyPI, alpha; veraPDF, the reference, cannot be installed here)."""
    for kind, name in KINDS.items():
        report = page.validate_pdf(str(batches[case] / name), profile="ua1")
        findings = sorted({f"{f.rule_id}: {f.message}" for f in report.failures})
        assert report.is_compliant and not findings, (kind, findings)


def test_pdfs_are_untagged_unless_asked_and_tagged_ones_are_the_same_bytes_run_after_run(batches, tmp_path):
    """--accessible is an option: tagging costs ~1.2x the time and ~2x the bytes (bench_render
    section 6). Tagged, the same seed gives the same bytes, whatever --jobs."""
    plain = tmp_path / "plain"
    run_ok("--count", 2, "--seed", SEED, "--format", "pdf", "--out", plain, "--quiet", "--jobs", 1)
    for name in KINDS.values():
        if (plain / name).exists():
            reader = PdfReader(plain / name)
            assert "/StructTreeRoot" not in reader.trailer["/Root"] and "/MarkInfo" not in reader.trailer["/Root"]
    again = tmp_path / "again"
    run_ok("--count", 2, "--seed", SEED, "--layers", "2,2,2,1", "--format", "pdf,json,csv", "--out", again,
           "--quiet", "--jobs", 2, "--accessible")
    first = batches["2,2,2,1", "en"]
    for name in KINDS.values():
        if name.startswith("grades/"):
            continue
        assert (again / name).read_bytes() == (first / name).read_bytes(), name


def test_an_image_without_alt_in_a_teachers_template_gets_one_warning_line(tmp_path, gen):
    templates = tmp_path / "mine"
    templates.mkdir()
    (templates / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                                        '<rect width="10" height="10"/></svg>', encoding="utf-8")
    worksheet = (builtin_templates() / "worksheet.html").read_text(encoding="utf-8")
    assert worksheet.count("{% block content %}\n") == 1
    (templates / "worksheet.html").write_text(worksheet.replace(
        "{% block content %}\n", '{% block content %}\n<img src="logo.svg" width="8" height="8">\n'), encoding="utf-8")
    line = worksheet.splitlines().index("{% block content %}") + 2
    out = tmp_path / "out"
    code, _, err = gen("--count", 2, "--seed", SEED, "--templates", templates, "--out", out, "--format", "pdf,html",
                       "--jobs", 1, "--accessible")
    assert code == 0
    warnings = [w for w in err.splitlines() if "warning" in w or "error" in w.lower() or "alt description" in w]
    assert warnings == [f"gen-worksheets: warning: {templates / 'worksheet.html'}, line {line}: <img> without alt: "
                        'screen readers get no description of it (give it alt="...")'], err
    # the image is there, as the teacher asked, an untagged figure: no text to give it
    figures = read(out / "worksheets" / "variant-01.pdf").elements("Figure")
    assert len(figures) == 2 and [f.alt is None for f in figures].count(True) == 1
    # the built-in templates have none to warn about
    code, _, err = gen("--count", 1, "--seed", SEED, "--out", tmp_path / "plain", "--format", "html")
    assert code == 0 and "warning" not in err


class _Html(HTMLParser):
    """What a screen reader takes from an HTML document: language, title, headings, images,
    header cells, the answer boxes' text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lang, self.title, self.headings, self.images, self.headers, self.boxes = None, "", [], [], [], []
        self._open: list[tuple[str, list[str]]] = []  # elements whose text is being collected

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "img":
            self.images.append(attrs)
        elif tag == "th":
            self.headers.append(attrs)
        if tag in ("title", "h1", "h2", "h3", "h4") or (tag == "span" and attrs.get("class") == "box"):
            self._open.append((tag, []))
        elif self._open:
            self._open.append((tag, None))

    def handle_endtag(self, tag):
        if not self._open:
            return
        name, parts = self._open.pop()
        if parts is None:
            return
        text = " ".join("".join(parts).split())
        if name == "title":
            self.title = text
        elif name == "span":
            self.boxes.append(text)
        else:
            self.headings.append((int(name[1]), text))

    def handle_data(self, data):
        for _, parts in self._open:
            if parts is not None:
                parts.append(data)


@pytest.mark.parametrize("case", CASES, ids="-".join)
def test_html_documents_have_language_title_headings_alt_text_header_scopes_and_labelled_boxes(batches, case):
    folder, lang = batches[case], case[1]
    for kind in ("worksheet", "key"):
        pdf = folder / KINDS[kind]
        doc = _Html()
        doc.feed(pdf.with_suffix(".html").read_text(encoding="utf-8"))
        assert doc.lang == lang
        assert doc.title == PdfReader(pdf).metadata.title
        _headings_in_order(doc.headings)
        assert doc.headings == read(pdf).headings()  # the PDF's, from the same templates
        assert [image.get("alt") for image in doc.images] == [f.alt for f in read(pdf).elements("Figure")]
        assert doc.headers and all(h.get("scope") in ("row", "col") for h in doc.headers)
    # every box of the worksheet says which quantity it takes, as a reader says it
    doc = _Html()
    doc.feed((folder / KINDS["worksheet"]).with_suffix(".html").read_text(encoding="utf-8"))
    answers = _variant(folder)["answers"]
    assert len(doc.boxes) == len(answers) == len(set(doc.boxes))
    prefix = "answer box for " if lang == "en" else "поле ответа для "
    assert all(box.startswith(prefix) for box in doc.boxes)
    said = [box[len(prefix):] for box in doc.boxes]
    assert said[:2] == ["z1", "z2"]
    assert ("derivative of L by W11" if lang == "en" else "производная L по W11") in said
    assert said[-1] == ("L after the step" if lang == "en" else "L после шага")
