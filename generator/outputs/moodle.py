"""The ``moodle`` driver: ``moodle.xml``, one Cloze question per variant.

Moodle XML (Question bank -> Import -> Moodle XML): the batch's own category first, then a
Cloze (multianswer) question per variant. Every quantity is a NUMERICAL subquestion
``{1:NUMERICAL:=value:tolerance~%0%filler:0}``: the key's value, the rounding-aware tolerance
of answers.json (``Batch.tolerances``), and a zero-credit filler that makes every box of the
batch as wide as the widest (see ``box_filler``). Wording and layout are the templates'
(``templates/moodle/``); this module supplies the numbers in the form Moodle parses.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from markupsafe import Markup

from .. import numbertext
from ..exercise.batch import Batch
from ..render.diagram import Diagram
from ..render.sheets import Sheet, sheet
from ..render.templates import DocumentOptions, Renderer, TemplateError
from .base import Job, Output, Variant, Work

FILE_NAME = "moodle.xml"
DIAGRAM_FILE = "diagram.svg"
# Places of a value in the file: at least decimals + 3, so that printing it moves the accepted
# range by under 1% of the narrowest tolerance (half a unit of the last place), and at least 10
# so that the file agrees with answers.json to 1e-10 whatever --decimals.
MIN_PLACES = 10
EXAMPLE = -1.23456789  # how to type an answer: -1.2346 or -1,2346 at 4 decimals
# PHP stores a number as text with this many significant digits (its ``precision`` setting).
PHP_DIGITS = 14


def value_text(value: float, places: int) -> str:
    """A key value as Moodle's Cloze syntax takes it: fixed point with a dot, never ``-0.0...``."""
    return numbertext.fixed(value, places)


def tolerance_text(tolerance: float) -> str:
    # repr is the shortest text that reads back as the same float: answers.json's number exactly
    # (Moodle's number syntax takes its exponent form too, like 5.05e-05).
    return repr(float(tolerance))


def box_filler(width: int) -> str:
    """A negative number Moodle stores as text ``width`` characters long (4 to 17).

    Moodle sizes a Cloze box by the longest answer of its subquestion as it stores it (the
    number parsed into a PHP float and turned back into text, 14 significant digits), plus 0 to
    15% at random; so by default the box gives away the answer's length and sign. With this
    filler as a zero-credit alternative of every subquestion, every box starts from one width.
    """
    return "-0." + "1" * min(max(width - 3, 1), PHP_DIGITS)


def subquestion(value: str, tolerance: str, filler: str) -> str:
    return f"{{1:NUMERICAL:={value}:{tolerance}~%0%{filler}:0}}"


# "&name;" Moodle would show as a character: its "&" is written "&amp;".
_ENTITY_LIKE = re.compile(r"&(?=[a-zA-Z0-9#]{1,8};)")


def category_name(name: str) -> str:
    """A category name as Moodle keeps it and shows it as typed.

    The importer cleans each name as PARAM_TEXT (tags are stripped: ``<Learning>`` would be
    lost) and the question bank shows it through format_string, which strips tags and turns
    entities into characters: so ``<`` and ``>`` are written as entities, and ``&`` only where
    it would start one."""
    return _ENTITY_LIKE.sub("&amp;", name).replace("<", "&lt;").replace(">", "&gt;")


def title_problem(title: str) -> str | None:
    """Why ``title`` cannot name the batch's category, or None. Moodle trims each name, and
    takes a first level named ``top`` for its own top category (the level is lost)."""
    if not title.strip():
        return "is blank, and Moodle's category would have no name"
    if title.strip() == "top":
        return "is 'top', the name Moodle keeps for the top category of a course (the level would be lost)"
    return None


def category_path(*names: str) -> str:
    """``$course$/a/b`` as Moodle's importer splits it: a slash inside a name is doubled."""
    escaped = []
    for name in names:
        name = category_name(name).replace("/", "//")
        escaped.append((" " + name if name.startswith("/") else name) + (" " if name.endswith("/") else ""))
    return "/".join(["$course$", *escaped])


def _cdata(html: str) -> Markup:
    return Markup("<![CDATA[" + html.replace("]]>", "]]]]><![CDATA[>") + "]]>")


@dataclass(frozen=True)
class Question:
    number: int
    code: str
    questiontext: Markup  # CDATA sections, ready for the XML
    feedback: Markup
    image: str
    image_base64: str


def _typed(value: float, decimals: int, mark: str) -> str:
    """A number as a student types it: hyphen-minus, ``mark`` as the decimal mark."""
    return numbertext.fixed(value, decimals).replace(".", mark)


class MoodleExport:
    """One batch's Moodle file: ``question`` renders a variant (in any worker process), ``xml``
    puts the questions together."""

    def __init__(self, batch: Batch, renderer: Renderer):
        self.batch = batch
        self.renderer = renderer
        self.places = max(batch.decimals + 3, MIN_PLACES)
        largest = max(float(np.max(np.abs(column))) for column in batch.solution.answers().values())
        # As wide as the widest value of the batch can be stored: sign, digits, point.
        self.filler = box_filler(2 + min(len(str(int(largest))) + self.places, PHP_DIGITS))
        self.typed = {"typed_point": _typed(EXAMPLE, batch.decimals, "."),
                      "typed_comma": _typed(EXAMPLE, batch.decimals, ",")}

    def question(self, view: Sheet, diagram: Diagram) -> Question:
        """Variant ``view`` as a Cloze question; ``diagram`` is its worksheet's."""
        tolerances = self.batch.tolerances
        cloze = {name: subquestion(value_text(value, self.places), tolerance_text(tolerances[name][view.number - 1]),
                                   self.filler)
                 for name, value in view.answers.items()}
        questiontext = self.renderer.render("moodle/question.html", sheet=view, diagram=diagram, cloze=cloze,
                                            image=DIAGRAM_FILE, **self.typed)
        feedback = self.renderer.render("moodle/feedback.html", sheet=view)
        svg = self.renderer.render("diagram.svg", diagram=diagram)
        return Question(view.number, view.code, _cdata(questiontext), _cdata(feedback), DIAGRAM_FILE,
                        base64.b64encode(svg.encode("utf-8")).decode("ascii"))

    def xml(self, questions: Sequence[Question]) -> str:
        t = self.renderer.catalog
        title = self.renderer.options.title or t["title"]
        layers = "-".join(map(str, self.batch.layout.sizes))
        try:
            batch_name = t["moodle_batch"].format(layers=layers, code=self.batch.codes[0], count=len(self.batch))
        except (KeyError, IndexError, ValueError):
            raise TemplateError(f"lang/{self.renderer.options.lang}.json: \"moodle_batch\" is missing or is not "
                                "a sentence with {layers}, {code} and {count}") from None
        # In CDATA, as Moodle's own export writes it: Moodle's XML reader drops the space
        # between two entities ("&amp; &lt;b&gt;" came back as "&<b>").
        category = _cdata(category_path(title, batch_name))
        return self.renderer.render("moodle/quiz.xml", category=category, questions=questions)


def moodle_xml(batch: Batch, options: DocumentOptions) -> str:
    """The Moodle XML file of ``batch`` in one process (the ``moodle`` driver renders the
    questions in the worker processes, beside the other documents)."""
    export = MoodleExport(batch, Renderer(options))
    answers = batch.solution.answers()
    views = (sheet(batch, k, answers) for k in range(len(batch)))
    return export.xml([export.question(view, export.renderer.diagram(view)) for view in views])


def _export(work: Work) -> MoodleExport:
    return MoodleExport(work.batch, work.renderer)


class Moodle(Output):
    name = "moodle"
    per_variant = True

    def render(self, variant: Variant) -> Question:
        return variant.work.tool(self.name, _export).question(variant.view, variant.diagram)

    @contextmanager
    def collect(self, job: Job) -> Iterator[Callable[[int, object], None]]:
        questions: list[Question] = []
        yield lambda k, question: questions.append(question)
        xml = MoodleExport(job.batch, Renderer(job.options)).xml(questions)
        (job.folder / FILE_NAME).write_text(xml, encoding="utf-8")
        job.summary.files += 1


MOODLE = Moodle()
