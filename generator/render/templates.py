"""Jinja templates to HTML (``pdf`` turns the HTML into PDF).

Templates are searched in ``--templates DIR`` first, then in the built-in folder, so a
teacher overrides one template by giving a file of the same name. Wording comes from the
per-language catalog ``lang/<lang>.json``, found the same way.

A template pack is something teachers download and share, so it is treated as untrusted:
templates run in Jinja's sandbox (no reaching Python internals through attributes), and
every template, include and file a document uses must really lie inside the search folders
(a symbolic link out of them is refused).
"""

from __future__ import annotations

import base64
import json
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import jinja2
import jinja2.sandbox
from markupsafe import Markup, escape

from .. import numbertext, utf8
from . import mathtext
from .diagram import RADIUS, Diagram, layout_diagram
from .embed import embed_resources, inside
from .sheets import GradingTable, Sheet

PAPER_SIZES = ("A4", "letter")
LANGUAGES = ("en", "ru")
DIAGRAM_WIDTH = 300.0  # beside the given text
WIDE_DIAGRAM_WIDTH = 620.0  # the page's width, below it: for layers of 3 or 4 neurons, or 5 layers
BOXES_PER_ROW = 4
MAX_TITLE_LENGTH = 100  # wide letters (W, Ж) still leave "Variant N · code" its place in the header


def builtin_templates() -> Path:
    """The installed templates (inside the package), or the source tree's ``templates/``."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "templates"
    return installed if (installed / "base.html").is_file() else package.parent / "templates"


class TemplateError(Exception):
    """A template could not be loaded or rendered; the message names the file and line."""


class Sandbox(jinja2.sandbox.SandboxedEnvironment):
    """Jinja's sandbox, where an unsafe attribute is an error at once rather than an empty
    value that prints as nothing: a template trying it is broken or hostile, and says so."""

    def unsafe_undefined(self, obj, attribute):
        raise jinja2.exceptions.SecurityError(
            f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe")


class FolderLoader(jinja2.BaseLoader):
    """Templates from the search folders, the first holding the name winning; a name that
    leads (through a symbolic link) outside every folder is refused, not followed."""

    def __init__(self, folders: Sequence[Path]):
        self.folders = tuple(Path(f).resolve() for f in folders)

    def get_source(self, environment, template):
        pieces = jinja2.loaders.split_template_path(template)  # refuses ".." in the name
        for folder in self.folders:
            path = folder.joinpath(*pieces)
            if not path.is_file():
                continue
            if not inside(path, self.folders):
                raise TemplateError(f"{path} leads to {path.resolve()}, outside the template folders; "
                                    "refused")
            data = path.read_bytes()
            try:
                source = utf8.decode(data)
            except utf8.NotUtf8 as e:
                raise TemplateError(f"{path}, line {e.line}: not UTF-8 text") from None
            return source, str(path), _unchanged(path)
        raise jinja2.TemplateNotFound(template)


def _unchanged(path: Path):
    """Jinja's check that a template it compiled is still the file's."""
    mtime = path.stat().st_mtime
    return lambda: path.stat().st_mtime == mtime


@dataclass(frozen=True)
class DocumentOptions:
    lang: str = "en"
    paper: str = "A4"
    title: str | None = None  # None: the catalog's title for the language
    decimals: int = 4
    worked_examples: bool = False
    templates: Path | None = None  # searched before the built-in templates


def _css_string(value) -> Markup:
    """A CSS string literal, safe inside <style> whatever the text."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ").replace("<", "\\3C ")
    return Markup(f'"{text}"')


def _data_url(text, mime: str) -> str:
    """``text`` (e.g. the diagram's SVG) as a ``data:`` URL: WeasyPrint lays out an <img> of it
    ~5 ms faster than the same SVG inline, whose every element it would style as HTML."""
    return f"data:{mime};base64," + base64.b64encode(str(text).strip().encode("utf-8")).decode("ascii")


def _fill(template, **values) -> Markup:
    """A catalog sentence with its {placeholders} filled; text is escaped, markup kept."""
    return Markup(escape(template)).format(**values)


def _formula(text: str, notation, words=None, **operands) -> Markup:
    """A printed form of the exercise's functions (``exercise.functions``) in a notation (the
    ``notation`` of macros.html or moodle/macros.html): its {minus}, {plus}, {dot} and {sq} from
    there unless ``operands`` give them, its words ({if}, {otherwise}) from the catalog's
    ``words``, its operands filled in."""
    tokens = {name: notation[name] for name in ("minus", "plus", "dot", "sq")}
    return _fill(text, **(tokens | dict(words or {}) | operands))


def _result_pad(text: str, digits: int) -> str:
    """The class that pads a result on the left to the width of a negative number with
    ``digits`` digits before the mark (style.css: ``pad``, ``s`` for a missing sign, then the
    missing digits), so that the equals signs before right-aligned results line up."""
    negative, whole = numbertext.shape(text)
    return f"pad{'' if negative else 's'}{max(digits - whole, 0)}"


@dataclass
class Renderer:
    """Renders one batch's documents; build one per process and reuse it (templates compile once)."""

    options: DocumentOptions = field(default_factory=DocumentOptions)

    @cached_property
    def search_path(self) -> tuple[Path, ...]:
        builtin = builtin_templates()
        return ((self.options.templates.resolve(),) if self.options.templates else ()) + (builtin,)

    @cached_property
    def env(self) -> jinja2.Environment:
        env = Sandbox(
            loader=FolderLoader(self.search_path),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        lang, decimals = self.options.lang, self.options.decimals
        env.filters.update(
            answer=lambda v: numbertext.answer(v, decimals, lang),
            result_pad=lambda v, digits: _result_pad(numbertext.answer(v, decimals, lang), digits),
            integer_digits=lambda values: max(numbertext.shape(numbertext.answer(v, decimals, lang))[1]
                                              for v in values),
            given=lambda v: numbertext.given(v, lang),
            typeable=lambda v: numbertext.typeable(v, lang),
            score=lambda v: numbertext.given(round(v, 4), lang),
            fill=_fill,
            formula=_formula,
            css_string=_css_string,
            subscript=mathtext.subscript,
            superscript=mathtext.superscript,
            italic=mathtext.italic,
            data_url=_data_url,
        )
        return env

    @cached_property
    def catalog(self) -> dict:
        name = f"lang/{self.options.lang}.json"
        try:
            source, filename, _ = self.env.loader.get_source(self.env, name)
        except jinja2.TemplateNotFound:
            raise TemplateError(f"no wording for language {self.options.lang!r}: {name} is missing") from None
        try:
            return json.loads(source)
        except json.JSONDecodeError as e:
            raise TemplateError(f"{filename}, line {e.lineno}: not valid JSON ({e.msg})") from None

    @cached_property
    def context(self) -> dict:
        t = self.catalog
        return {
            "t": t,
            "title": self.options.title or t["title"],
            "paper": self.options.paper,
            "decimals": self.options.decimals,
            "boxes_per_row": BOXES_PER_ROW,
            "radius": RADIUS,
        }

    def _render(self, name: str, **values) -> str:
        try:
            return self.env.get_template(name).render(**self.context, **values)
        except TemplateError:
            raise
        except jinja2.exceptions.SecurityError as e:
            raise TemplateError(f"{_template_location(e)}refused by the template sandbox: {e}") from None
        except jinja2.TemplateSyntaxError as e:
            raise TemplateError(f"{e.filename or e.name}, line {e.lineno}: {e.message}") from None
        except jinja2.TemplateNotFound as e:
            raise TemplateError(f"template {e.name!r} not found in {', '.join(map(str, self.search_path))}") from None
        except Exception as e:
            raise TemplateError(f"{_template_location(e)}{type(e).__name__}: {e}") from None

    def render(self, name: str, **values) -> str:
        """Any template on the search path, with the documents' context (the Moodle export's way in)."""
        return self._render(name, **values)

    def diagram(self, sheet: Sheet) -> Diagram:
        """The network diagram of a variant, shared by its worksheet and key."""
        wide = max(sheet.sizes) > 2 or len(sheet.sizes) > 4
        width = WIDE_DIAGRAM_WIDTH if wide else DIAGRAM_WIDTH
        return layout_diagram(sheet, width, lambda v: len(numbertext.given(v, self.options.lang)))

    def worksheet_html(self, sheet: Sheet, diagram: Diagram | None = None) -> str:
        return self._render("worksheet.html", sheet=sheet, diagram=diagram or self.diagram(sheet))

    def key_html(self, sheet: Sheet, diagram: Diagram | None = None) -> str:
        return self._render("key.html", sheet=sheet, diagram=diagram or self.diagram(sheet))

    def grading_html(self, grading: GradingTable) -> str:
        return self._render("grading.html", grading=grading, landscape=grading.landscape)

    def feedback_html(self, feedback) -> str:
        """One student's marks (``outputs.feedback.Feedback``)."""
        return self._render("feedback.html", feedback=feedback)

    def self_contained(self, document: str) -> tuple[str, list[str]]:
        """``document`` with every file it uses inside the template folders embedded as a
        ``data:`` URL, and every other reference (the network, other files) dropped; the
        dropped URLs are returned. The same rule as for PDFs (``pdf``)."""
        return embed_resources(document, self.search_path)


def _template_location(error: Exception) -> str:
    """'file, line N: ' of the innermost template frame of ``error``'s traceback."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.endswith((".html", ".svg", ".css")):
            return f"{frame.filename}, line {frame.lineno}: "
    return ""
