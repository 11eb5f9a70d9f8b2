"""Jinja templates to HTML (``pdf.py`` turns the HTML into PDF).

Templates are searched in ``--templates DIR`` first, then in the built-in folder, so a
teacher overrides one template by giving a file of the same name. Wording comes from the
per-language catalog ``lang/<lang>.json``, found the same way.
"""

from __future__ import annotations

import json
import traceback
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from . import numbers
from .diagram import RADIUS, Diagram, layout_diagram
from .sheets import GradingTable, Sheet

PAPER_SIZES = ("A4", "letter")
LANGUAGES = ("en", "ru")
DIAGRAM_WIDTH = 300.0  # beside the given text
WIDE_DIAGRAM_WIDTH = 620.0  # the page's width, below it: for layers of 3 or 4 neurons, or 5 layers
BOXES_PER_ROW = 4
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def builtin_templates() -> Path:
    """The installed templates (inside the package), or the source tree's ``templates/``."""
    here = Path(__file__).resolve().parent
    installed = here / "templates"
    return installed if (installed / "base.html").is_file() else here.parent / "templates"


class TemplateError(Exception):
    """A template could not be loaded or rendered; the message names the file and line."""


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


def _fill(template, **values) -> Markup:
    """A catalog sentence with its {placeholders} filled; text is escaped, markup kept."""
    return Markup(escape(template)).format(**values)


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
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(p) for p in self.search_path]),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        lang, decimals = self.options.lang, self.options.decimals
        env.filters.update(
            answer=lambda v: numbers.answer(v, decimals, lang),
            given=lambda v: numbers.given(v, lang),
            score=lambda v: numbers.given(round(v, 4), lang),
            fill=_fill,
            css_string=_css_string,
            subscript=lambda s: str(s).translate(_SUBSCRIPTS),
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
        return layout_diagram(sheet, width, lambda v: len(numbers.given(v, self.options.lang)))

    def worksheet_html(self, sheet: Sheet, diagram: Diagram | None = None) -> str:
        return self._render("worksheet.html", sheet=sheet, diagram=diagram or self.diagram(sheet))

    def key_html(self, sheet: Sheet, diagram: Diagram | None = None) -> str:
        return self._render("key.html", sheet=sheet, diagram=diagram or self.diagram(sheet))

    def grading_html(self, grading: GradingTable) -> str:
        return self._render("grading.html", grading=grading, landscape=grading.landscape)

    def feedback_html(self, feedback) -> str:
        """One student's marks (``feedback.Feedback``)."""
        return self._render("feedback.html", feedback=feedback)


def _template_location(error: Exception) -> str:
    """'file, line N: ' of the innermost template frame of ``error``'s traceback."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.endswith((".html", ".svg", ".css")):
            return f"{frame.filename}, line {frame.lineno}: "
    return ""
