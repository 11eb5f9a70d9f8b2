"""moodle.xml, read back the way Moodle's importer reads it (question/format/xml and the
Cloze grammar of question/type/multianswer, restated in MOODLE.md)."""

import base64
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html import unescape

import pytest

from generator import numbertext
from generator.grading.moodlenumber import moodle_reads
from generator.numbertext import DECIMAL_MARK
from generator.render.templates import DocumentOptions, Renderer

from commands import run, run_ok

SEED = "20261128"

# Moodle's number: an optional minus, digits with one optional "." or "," decimal mark, an
# optional exponent; a NUMERICAL alternative is NUMBER or NUMBER:NUMBER (value:tolerance).
NUMBER = r"-?(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+)(?:[eE][-+]?[0-9]+)?"
SUBQUESTION = re.compile(r"\{([0-9]*):(NUMERICAL|NM):(.*?)(?<!\\)\}", re.S)
ALTERNATIVE = re.compile(r"(=|%(-?[0-9]+(?:[.,][0-9]*)?)%)?(.+?)(?:(?<!\\)#(.*))?", re.S)
NUMERICAL = re.compile(f"({NUMBER})(?::({NUMBER}))?")


@dataclass
class Alternative:
    fraction: float  # percent
    value: str
    tolerance: str


def parse_cloze(text):
    """(the subquestions, each a (weight, alternatives) pair; the text Moodle would keep around them).
    A subquestion that does not parse fails the test, as it makes Moodle reject the question."""
    subquestions = []
    for m in SUBQUESTION.finditer(text):
        alternatives = []
        for part in re.split(r"(?<!\\)~", m.group(3)):
            alt = ALTERNATIVE.fullmatch(part)
            assert alt, f"alternative {part!r} does not parse"
            fraction = 100.0 if alt.group(1) == "=" else float((alt.group(2) or "0").replace(",", "."))
            number = NUMERICAL.fullmatch(alt.group(3))
            assert number, f"{alt.group(3)!r} is not a number or number:tolerance"
            alternatives.append(Alternative(fraction, number.group(1), number.group(2) or "0"))
        subquestions.append((int(m.group(1) or 1), alternatives))
    rest = SUBQUESTION.sub("{#}", text)
    assert not re.search(r"\{[0-9]*:", rest), "something looks like a subquestion and is not one"
    return subquestions, rest


def php_string(value: float) -> str:
    """PHP's float to string (precision 14): how Moodle stores the number of an answer, and so
    what it measures to size the box."""
    text = f"{value:.14G}"
    if "E" in text:
        mantissa, exponent = text.split("E")
        text = (mantissa if "." in mantissa else mantissa + ".0") + "E" + ("-" if exponent[0] == "-" else "+") \
            + exponent[1:].lstrip("0")
    return text


# (lang, layers, decimals, the exercise's options): the course's exercise, and the family's members.
CASES = [("en", "2,2,2,1", 4, ()), ("ru", "2,2,2,1", 4, ()), ("en", "3,2,1", 6, ()), ("ru", "2,2,2,2,1", 4, ()),
         ("en", "4,4,1", 4, ()), ("en", "2,2,2,1", 4, ("--activation", "relu", "--bias")),
         ("ru", "3,2,1", 4, ("--activation", "sigmoid", "--output", "sigmoid", "--loss", "cross-entropy", "--bias")),
         ("en", "2,2,2,1", 4, ("--activation", "sigmoid", "--loss", "half-squared"))]


@pytest.fixture(scope="module", params=CASES,
                ids=[f"{lang}-{layers}{''.join(extra[1::2])}" for lang, layers, _, extra in CASES])
def export(request, tmp_path_factory):
    lang, layers, decimals, extra = request.param
    out = tmp_path_factory.mktemp("moodle") / "out"
    run_ok("--count", "3", "--seed", SEED, "--lang", lang, "--layers", layers, "--decimals", str(decimals), *extra,
           "--format", "moodle,json,html", "--jobs", "1", "--out", str(out), "--quiet")
    root = ET.parse(out / "moodle.xml").getroot()
    return lang, out, root, json.loads((out / "answers.json").read_text())


def clozes(root):
    return [q for q in root if q.get("type") == "cloze"]


def test_category_first_then_a_named_question_per_variant_in_order(export):
    lang, _, root, key = export
    assert root.tag == "quiz"
    first, *rest = list(root)
    assert first.get("type") == "category"
    path = first.findtext("category/text").split("/")
    layers = "-".join(map(str, key["layers"]))
    assert path[:2] == ["$course$", Renderer(DocumentOptions(lang=lang)).catalog["title"]]
    assert len(path) == 3 and layers in path[2] and key["variants"][0]["code"] in path[2]
    assert all(q.get("type") == "cloze" for q in rest)
    word = {"en": "Variant", "ru": "Вариант"}[lang]
    assert [q.findtext("name/text") for q in rest] == [f"{word} {v['variant']} · {v['code']}" for v in key["variants"]]
    for q, v in zip(rest, key["variants"]):
        assert q.findtext("idnumber") == v["code"] and q.findtext("hidden") == "0"
        assert 0 <= float(q.findtext("penalty")) <= 1


def test_every_subquestion_parses_with_the_key_and_its_tolerance(export):
    _, _, root, key = export
    places = key["decimals"] + 3
    for q, v in zip(clozes(root), key["variants"]):
        subquestions, _ = parse_cloze(q.findtext("questiontext/text"))
        assert len(subquestions) == len(v["answers"])
        widths = set()
        for (weight, alternatives), name in zip(subquestions, v["answers"]):
            right, *others = alternatives
            assert weight == 1 and right.fraction == 100 and all(a.fraction == 0 for a in others), name
            assert len(right.value.partition(".")[2]) >= places, name
            assert float(right.value) == pytest.approx(v["answers"][name], abs=1e-9, rel=0), name
            assert float(right.tolerance) == v["tolerances"][name], name
            widths.add(max(len(php_string(float(a.value))) for a in alternatives))
        assert len(widths) == 1, f"boxes of different widths: {sorted(widths)}"


def test_question_text_has_the_given_numbers_and_no_answer(export):
    lang, _, root, key = export
    for q, v in zip(clozes(root), key["variants"]):
        _, text = parse_cloze(q.findtext("questiontext/text"))
        given = v["given"]
        # Printed as a student types them into Moodle (hyphen-minus), and read back by Moodle's
        # number reader as the given number, in an attempt in the batch's language.
        for value in [*given["x"], given["y"], given["lr"]]:
            assert numbertext.typeable(value, lang) in text, value
            assert moodle_reads(numbertext.typeable(value, lang), DECIMAL_MARK[lang]) == value
        # The weight matrices, cell by cell, in the order of layers, rows and columns.
        # (The value cells are the bordered ones: a bias row's label "1" is a cell of text too.)
        cells = re.findall(r"<td style=\"border:1px solid[^\"]*\">([^<]*)</td>", text)
        weights = [w for m in "WUTV" for row in given.get(m, []) for w in row]
        assert cells == [numbertext.typeable(w, lang) for w in weights]
        assert [moodle_reads(c, DECIMAL_MARK[lang]) for c in cells] == weights
        for name, value in v["answers"].items():
            assert numbertext.answer(value, key["decimals"], lang) not in text, name


def test_feedback_works_out_every_answer(export):
    lang, _, root, key = export
    for q, v in zip(clozes(root), key["variants"]):
        feedback = q.findtext("generalfeedback/text")
        for name, value in v["answers"].items():
            assert numbertext.answer(value, key["decimals"], lang) in feedback, name


def test_the_diagram_is_the_documents_svg(export):
    _, out, root, key = export
    for q, v in zip(clozes(root), key["variants"]):
        files = q.findall("questiontext/file")
        assert len(files) == 1 and files[0].get("encoding") == "base64"
        assert f'src="@@PLUGINFILE@@/{files[0].get("name")}"' in q.findtext("questiontext/text")
        worksheet = (out / "worksheets" / f"variant-0{v['variant']}.html").read_text(encoding="utf-8")
        (svg,) = re.findall(r'src="data:image/svg\+xml;base64,([^"]*)"', worksheet)
        assert base64.b64decode(files[0].text).decode("utf-8").strip() == base64.b64decode(svg).decode("utf-8")


def test_html_is_what_moodle_keeps(export):
    _, _, root, _ = export
    for q in clozes(root):
        for html in (q.findtext("questiontext/text"), q.findtext("generalfeedback/text")):
            ET.fromstring(f"<div>{html}</div>")  # well-formed: every tag closed, no named entities
            assert not re.search(r"<script|<style|<link|class=|\\\(|https?:|//", html, re.I)
            assert re.findall(r'src="([^"]*)"', html) in ([], ["@@PLUGINFILE@@/diagram.svg"])


def html2text(text: str) -> str:
    """The text of question HTML roughly as the Responses report's html2text gives it: tags
    gone, a line per paragraph."""
    return unescape(re.sub(r"<[^>]+>", "", re.sub(r"</p>|<br/?>", "\n", text)))


def test_question_text_starts_with_the_variant_and_its_code(export):
    lang, _, root, key = export
    word = {"en": "Variant", "ru": "Вариант"}[lang]
    for q, v in zip(clozes(root), key["variants"]):
        first = html2text(q.findtext("questiontext/text")).strip().splitlines()[0]
        assert first == f"{word} {v['variant']} · {v['code']}"


def test_no_table_cell_is_left_to_the_theme_s_borders(export):
    _, _, root, _ = export
    for q in clozes(root):
        for text in (q.findtext("questiontext/text"), q.findtext("generalfeedback/text")):
            cells = re.findall(r"<(?:td|table)\b[^>]*>", text)
            assert cells and all(re.search(r'style="border:', c) for c in cells), \
                [c for c in cells if 'style="border:' not in c][:3]


def test_the_typing_note_is_true_in_every_language(export):
    lang, _, root, key = export
    text = html2text(clozes(root)[0].findtext("questiontext/text"))
    point = numbertext.fixed(-1.23456789, key["decimals"])
    comma = point.replace(".", ",")
    assert point in text and comma in text and numbertext.MINUS + "1" not in text
    # A decimal point is read in an attempt of any language; the comma only where the language writes one.
    assert moodle_reads(point, ".") == moodle_reads(point, ",") == float(point)
    assert moodle_reads(comma, ".") != float(point) and moodle_reads(comma, ",") == float(point)
    sentence = {"en": "a decimal comma", "ru": "запятая"}[lang]
    condition = {"en": "only when your Moodle's language", "ru": "только если язык вашего Moodle"}[lang]
    assert sentence in text and condition in text


def moodle_category(path: str) -> list[str]:
    """The category names Moodle makes of a path and shows (split_category_path's PARAM_TEXT
    cleaning, then format_string: tags stripped, entities shown as characters)."""
    names = [n.replace("//", "/") for n in re.split(r"(?<!/)/(?!/)", path)]
    return [unescape(re.sub(r"<[^>]*>", "", n).strip()) for n in names]


@pytest.mark.parametrize("title", ['R&D "Deep" <Learning>', "& <b>x</b>", "a / b", "&amp; &lt;", " spaced  out "])
def test_a_title_is_the_category_moodle_shows(tmp_path, title):
    run_ok("--count", "1", "--seed", SEED, "--format", "moodle", "--title", title, "--out", str(tmp_path / "o"),
           "--quiet")
    xml = (tmp_path / "o" / "moodle.xml").read_text(encoding="utf-8")
    assert "<category><text><![CDATA[$course$/" in xml  # one piece of text: no entity boundaries
    path = ET.fromstring(xml)[0].findtext("category/text")
    assert moodle_category(path)[:2] == ["$course$", title.strip()]


@pytest.mark.parametrize("title", ["top", " top ", " ", "\t"])
def test_a_title_that_cannot_be_a_category_is_refused(tmp_path, capsys, title):
    assert run("--count", "1", "--format", "moodle", "--title", title, "--out", tmp_path / "o") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--title" in err and "category" in err
    assert not (tmp_path / "o").exists()
    run_ok("--count", "1", "--format", "json", "--title", title, "--out", tmp_path / "p", "--quiet")
