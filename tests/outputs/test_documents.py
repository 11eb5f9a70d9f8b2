"""The printed documents, read back from the PDFs the command writes."""

import json
import re
import socket
import subprocess
import sys
import threading
import unicodedata

import pytest
from pypdf import PdfReader

from generator import numbertext

import pdftext
from commands import run, run_ok
from course import COURSE_ROUNDED

SEED = "918273645546372819"  # long enough to be found if it leaked onto a page


@pytest.fixture(scope="module", params=["en", "ru"])
def batch_dir(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"batch-{request.param}") / "out"
    run_ok("--count", "3", "--seed", SEED, "--lang", request.param, "--format", "pdf,html,json,csv",
           "--jobs", "1", "--out", str(out), "--quiet")
    return request.param, out


def answers_of(out):
    return json.loads((out / "answers.json").read_text())


def test_every_file_is_there(batch_dir):
    _, out = batch_dir
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    expected = {"answers.json", "answers.csv", "responses-template.csv", "handouts.pdf", "answer-keys.pdf",
                "grading-sheet.pdf"}
    for k in (1, 2, 3):
        expected |= {f"worksheets/variant-0{k}.pdf", f"worksheets/variant-0{k}.html",
                     f"keys/variant-0{k}-key.pdf", f"keys/variant-0{k}-key.html"}
    assert names == expected


def test_each_key_shows_each_answer_exactly_as_formatted(batch_dir):
    lang, out = batch_dir
    for variant in answers_of(out)["variants"]:
        key = out / "keys" / f"variant-0{variant['variant']}-key.pdf"
        printed = pdftext.numbers(key)
        assert len(variant["answers"]) == 32
        for name, value in variant["answers"].items():
            assert numbertext.answer(value, 4, lang) in printed, (key.name, name)
        assert variant["code"] in pdftext.text(key)


def test_no_worksheet_shows_an_answer_or_the_seed(batch_dir):
    lang, out = batch_dir
    doc = answers_of(out)
    every_answer = {numbertext.answer(v, 4, lang) for variant in doc["variants"] for v in variant["answers"].values()}
    for variant in doc["variants"]:
        sheet = out / "worksheets" / f"variant-0{variant['variant']}.pdf"
        text = pdftext.text(sheet)
        assert not (pdftext.numbers(text) & every_answer)
        assert SEED not in text.replace(" ", "")
        html = sheet.with_suffix(".html").read_text()
        assert SEED not in html
        assert variant["code"] in text
    assert SEED not in pdftext.text(out / "handouts.pdf").replace(" ", "")


def test_worksheet_shows_the_given_numbers_and_the_minus_sign(batch_dir):
    lang, out = batch_dir
    variant = answers_of(out)["variants"][0]
    text = pdftext.text(out / "worksheets" / "variant-01.pdf")
    given = variant["given"]
    for v in [*given["x"], given["y"], *sum(given["W"] + given["U"] + given["V"], [])]:
        assert numbertext.given(v, lang) in text
    assert not re.search(r"-\d", text)  # every printed minus is U+2212
    words = {"en": ["Variant 1", "Forward pass", "Backward pass", "Point 1.", "Name"],
             "ru": ["Вариант 1", "Прямой проход", "Обратный проход", "Пункт 1.", "Пункт 2.", "Фамилия"]}
    for word in words[lang]:
        assert word in text


def test_default_network_page_counts(batch_dir):
    """The course's network: a worksheet of two pages (one sheet, duplex) and a key of at most two."""
    _, out = batch_dir
    for k in (1, 2, 3):
        assert len(PdfReader(out / "worksheets" / f"variant-0{k}.pdf").pages) == 2
        assert len(PdfReader(out / "keys" / f"variant-0{k}-key.pdf").pages) <= 2


@pytest.mark.parametrize("combined, kind", [("handouts.pdf", "worksheets"), ("answer-keys.pdf", "keys")])
def test_combined_pdf_has_every_variant_each_on_an_odd_page(batch_dir, combined, kind):
    lang, out = batch_dir
    doc = answers_of(out)
    pages = pdftext.pages(out / combined)
    variant_word = {"en": "Variant", "ru": "Вариант"}[lang]
    firsts = []
    for variant in doc["variants"]:
        marker = f"{variant_word} {variant['variant']} · {variant['code']}"
        on = [i for i, page in enumerate(pages) if marker in page]
        assert on, marker
        firsts.append(on[0])
        single = PdfReader(next((out / kind).glob(f"variant-0{variant['variant']}*.pdf")))
        assert len(on) == len(single.pages)  # the whole variant, and nothing of it elsewhere
    assert firsts == sorted(firsts)
    assert all(i % 2 == 0 for i in firsts), f"a variant starts on page {[i + 1 for i in firsts]}"
    # "page x of y" counts within the variant
    page_word = {"en": "page 1 of", "ru": "стр. 1 из"}[lang]
    assert all(page_word in pages[i] for i in firsts)


def test_grading_sheet_has_a_row_per_variant(batch_dir):
    lang, out = batch_dir
    text = pdftext.text(out / "grading-sheet.pdf")
    printed = pdftext.numbers(text)
    for variant in answers_of(out)["variants"]:
        assert variant["code"] in text
        for name in ["y_pred", "L", "L_after_update"] + [n for n in variant["answers"] if n.endswith("_updated")]:
            assert numbertext.answer(variant["answers"][name], 4, lang) in printed, name


def test_html_is_self_contained(batch_dir):
    _, out = batch_dir
    for html in [*(out / "worksheets").glob("*.html"), *(out / "keys").glob("*.html")]:
        text = html.read_text()
        assert "<style>" in text and 'src="data:image/svg+xml;base64,' in text  # the diagram, embedded
        assert not re.search(r"""(src|href)\s*=\s*"(?!data:)|url\(|@import""", text), html.name


def test_course_example_key_shows_the_exercise_numbers(tmp_path, course_given_file):
    for lang in ("en", "ru"):
        out = tmp_path / lang
        run_ok("--given", str(course_given_file), "--lang", lang, "--out", str(out), "--quiet", "--jobs", "1")
        printed = pdftext.numbers(out / "keys" / "variant-01-key.pdf")
        for name, rounded in COURSE_ROUNDED.items():
            expected = rounded.replace("-", "−").replace(".", "," if lang == "ru" else ".")
            assert expected in printed, (lang, name)


def test_worked_examples_show_one_quantity_per_group(tmp_path, course_given_file):
    run_ok("--given", str(course_given_file), "--worked-examples", "--out", str(tmp_path / "o"), "--quiet",
           "--format", "pdf")
    printed = pdftext.numbers(tmp_path / "o" / "worksheets" / "variant-01.pdf")
    shown = {"z_1", "q_1", "L_partial_V_11", "L_partial_q_1", "V_11_updated", "L_partial_U_11",
             "L_partial_z_1", "U_11_updated", "L_partial_W_11", "W_11_updated"}
    for name, rounded in COURSE_ROUNDED.items():
        if name in shown:
            assert rounded.replace("-", "−") in printed, name
    # A worked example substitutes earlier answers (q_1's uses z_2), as the notebook does; these
    # enter no worked example and stay hidden.
    hidden = {"y_pred", "L", "L_partial_V_21", "L_partial_U_22", "U_22_updated", "L_partial_W_22",
              "W_22_updated", "L_after_update"}
    for name in hidden:
        assert COURSE_ROUNDED[name].replace("-", "−") not in printed, name


def test_letter_paper(tmp_path, course_given_file):
    run_ok("--given", str(course_given_file), "--paper", "letter", "--out", str(tmp_path / "o"), "--quiet",
           "--format", "pdf")
    box = PdfReader(tmp_path / "o" / "worksheets" / "variant-01.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    grading = PdfReader(tmp_path / "o" / "grading-sheet.pdf").pages[0].mediabox
    assert float(grading.width) > float(grading.height)  # landscape: 13 columns of numbers


def test_title_is_on_every_page(tmp_path, course_given_file):
    run_ok("--given", str(course_given_file), "--title", 'Week 5 <"quiz">', "--out", str(tmp_path / "o"),
           "--quiet", "--format", "pdf,html")
    for page in pdftext.pages(tmp_path / "o" / "keys" / "variant-01-key.pdf"):
        assert 'Week 5 <"quiz">' in page
    assert "Week 5 &lt;&#34;quiz&#34;&gt;" in (tmp_path / "o" / "worksheets" / "variant-01.html").read_text()


def test_templates_folder_overrides_one_template(tmp_path, course_given_file):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "header.html").write_text("<p>Lyceum 2 · {{ header_right }}</p>\n")
    run_ok("--given", str(course_given_file), "--templates", str(mine), "--out", str(tmp_path / "o"), "--quiet",
           "--format", "pdf")
    sheet = pdftext.text(tmp_path / "o" / "worksheets" / "variant-01.pdf")
    assert "Lyceum 2 · Variant 1 ·" in sheet
    assert "Multidimensional backpropagation" not in sheet  # the built-in header is gone ...
    key = tmp_path / "o" / "keys" / "variant-01-key.pdf"
    assert "Lyceum 2 · Answer key · Variant 1" in pdftext.text(key)
    assert COURSE_ROUNDED["L_partial_W_21"].replace("-", "−") in pdftext.numbers(key)  # ... and nothing else changed


@pytest.fixture
def listener():
    """A local TCP server that only counts who connects to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    hits = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                hits.append(1)
                conn.close()
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stop.set()
    thread.join()
    server.close()


def test_templates_cannot_fetch_from_the_network_or_other_files(tmp_path, course_given_file, listener, capsys):
    port, hits = listener
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "header.html").write_text(
        f'<img src="http://127.0.0.1:{port}/logo.png"><img src="file:///etc/hostname">'
        f'<img src="../../../../../etc/passwd">{{{{ title }}}}\n')
    run_ok("--given", str(course_given_file), "--templates", str(mine), "--out", str(tmp_path / "o"),
           "--format", "pdf", "--jobs", "1")
    assert hits == []
    err = capsys.readouterr().err
    assert f"refused to fetch http://127.0.0.1:{port}/logo.png" in err
    assert "refused to fetch file:///etc/hostname" in err
    assert "refused to fetch file:///etc/passwd" in err
    assert (tmp_path / "o" / "worksheets" / "variant-01.pdf").exists()


def test_a_template_error_names_the_file_and_line(tmp_path, course_given_file, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "header.html").write_text("<p>ok</p>\n<p>{{ title | nosuchfilter }}</p>\n")
    code = run("--given", str(course_given_file), "--templates", str(mine), "--out", str(tmp_path / "o"))
    err = capsys.readouterr().err
    assert code == 1
    assert re.search(r"header\.html, line 2: .*nosuchfilter", err), err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_terminal_shows_only_the_summary(tmp_path, course_given_file):
    """A real process, with worker processes: no WeasyPrint, font or fontTools chatter."""
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--count", "2", "--seed", "1", "--out", str(tmp_path / "o"), "--jobs", "2"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and re.fullmatch(r"2 variants: 10 files, \d+ pages in [\d.]+ s -> .*", lines[0]), lines


def test_the_index_convention_names_z_i_as_the_input_of_U(batch_dir):
    lang, out = batch_dir
    # NFKC reads the mathematical italics and subscripts (𝑈ᵢⱼ) as the plain letters they are.
    text = " ".join(unicodedata.normalize("NFKC", pdftext.text(out / "worksheets" / "variant-01.pdf")).split())
    assert {"en": "likewise Uij connects zi to qj.", "ru": "так же Uij соединяет zi с qj."}[lang] in text
