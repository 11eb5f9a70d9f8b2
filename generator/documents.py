"""Writing a batch's documents: per-variant worksheets and keys, the combined print jobs,
the grading sheet, the machine-readable key, and the Moodle questions.

Variants are laid out in worker processes (``jobs``), each building its templates and
WeasyPrint once; the combined PDFs are joined from the finished per-variant PDFs, never laid
out a second time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from . import export, moodle
from .batch import Batch
from .notebook import NotebookMaker
from .pdf import PdfJoiner, PdfMaker, load_weasyprint
from .render import DocumentOptions, Renderer
from .sheets import grading_table, sheet
from .workers import in_workers

FORMATS = ("pdf", "html", "json", "csv", "ipynb", "moodle")


@dataclass
class Summary:
    files: int = 0
    pages: int = 0
    refused: list[str] = field(default_factory=list)  # URLs the templates asked for and did not get

    def add_refused(self, urls: Sequence[str]) -> None:
        self.refused += [u for u in urls if u not in self.refused]


@dataclass
class VariantDocuments:
    """One variant's worksheet and key, as HTML and/or PDF, and its notebooks."""

    worksheet_html: str | None
    key_html: str | None
    worksheet_pdf: bytes | None
    key_pdf: bytes | None
    pages: int
    refused: list[str]
    notebook: str | None = None  # the student's
    solution_notebook: str | None = None
    moodle_question: moodle.Question | None = None


def variant_names(count: int) -> list[str]:
    """``variant-01`` ...: zero-padded to the count's width, so the files sort in order."""
    width = max(2, len(str(count)))
    return [f"variant-{k:0{width}d}" for k in range(1, count + 1)]


class _VariantRenderer:
    """What a worker process keeps between variants: the batch, the templates, WeasyPrint."""

    def __init__(self, batch: Batch, options: DocumentOptions, formats: Sequence[str]):
        self.batch = batch
        self.options = options
        self.formats = formats
        self.answers = batch.solution.answers()
        self.renderer = Renderer(options)
        self.maker = PdfMaker(self.renderer.search_path) if "pdf" in formats else None
        self.moodle = moodle.MoodleExport(batch, self.renderer) if "moodle" in formats else None

    def __call__(self, k: int) -> VariantDocuments:
        view = sheet(self.batch, k, self.answers, self.options.worked_examples)
        notebook = solution_notebook = None
        if "ipynb" in self.formats:
            notebook, solution_notebook = self.notebooks(k, view)
        question = None
        if self.moodle or "pdf" in self.formats or "html" in self.formats:
            diagram = self.renderer.diagram(view)
            question = self.moodle.question(view, diagram) if self.moodle else None
        if "pdf" not in self.formats and "html" not in self.formats:
            return VariantDocuments(None, None, None, None, 0, [], notebook, solution_notebook, question)
        worksheet, key = self.renderer.worksheet_html(view, diagram), self.renderer.key_html(view, diagram)
        worksheet_pdf = key_pdf = None
        pages = 0
        if self.maker:
            worksheet_pdf, worksheet_pages = self.maker.pdf(worksheet)
            key_pdf, key_pages = self.maker.pdf(key)
            pages = worksheet_pages + key_pages
        refused = self._refused()
        worksheet_html = key_html = None
        if "html" in self.formats:  # self-contained: what it uses embedded, the rest dropped
            (worksheet_html, dropped), (key_html, dropped_too) = map(self.renderer.self_contained, (worksheet, key))
            refused += [url for url in dropped + dropped_too if url not in refused]
        return VariantDocuments(worksheet_html, key_html, worksheet_pdf, key_pdf, pages, refused,
                                notebook, solution_notebook, question)

    @cached_property
    def notebooks(self) -> NotebookMaker:
        # Made on first use, not in a worker's initializer: a bad catalog must fail a task
        # (and reach the command as one error), not kill the worker on start.
        return NotebookMaker(self.batch, self.options, self.renderer.catalog)

    def grading_sheet(self) -> tuple[bytes, int, list[str]]:
        data, pages = self.maker.pdf(self.renderer.grading_html(grading_table(self.batch, self.answers)))
        return data, pages, self._refused()

    def _refused(self) -> list[str]:
        return list(self.maker.refused) if self.maker else []


@contextmanager
def _renderers(batch: Batch, options: DocumentOptions, formats: Sequence[str], jobs: int):
    """(every variant's documents in order, a callable giving the grading sheet), laid out in
    ``jobs`` worker processes; the grading sheet is laid out alongside the variants."""
    if "pdf" in formats and jobs > 1:
        load_weasyprint()  # imported once, before the workers fork
    with in_workers(_VariantRenderer, (batch, options, formats), len(batch), jobs) as (variants, submit):
        yield variants, (submit("grading_sheet") if "pdf" in formats else None)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def write_documents(
    batch: Batch,
    folder: Path,
    formats: Sequence[str],
    options: DocumentOptions,
    jobs: int = 1,
    progress: Callable[[int], None] = lambda done: None,
) -> Summary:
    """Write every file ``formats`` asks for into ``folder``; ``progress`` hears of each variant."""
    summary = Summary()
    if "json" in formats:
        (folder / "answers.json").write_text(export.answers_json(batch), encoding="utf-8")
        summary.files += 1
    if "csv" in formats:
        (folder / "answers.csv").write_text(export.answers_csv(batch), encoding="utf-8")
        (folder / "responses-template.csv").write_text(export.responses_template_csv(batch, options.lang),
                                                       encoding="utf-8")
        summary.files += 2
    if not {"pdf", "html", "ipynb", "moodle"} & set(formats):
        return summary

    # Notebooks for the students go into a folder of their own; their solutions live with
    # the keys, never in a folder a teacher hands out.
    for name, wanted in (("worksheets", {"pdf", "html"}), ("notebooks", {"ipynb"}), ("keys", {"pdf", "html", "ipynb"})):
        if wanted & set(formats):
            (folder / name).mkdir()
    names = variant_names(len(batch))
    questions = []  # moodle.xml's, in order
    with ExitStack() as stack:
        variants, grading_sheet = stack.enter_context(_renderers(batch, options, formats, jobs))
        if "pdf" in formats:
            # The print jobs grow as the variants arrive, one variant in memory at a time.
            handouts = stack.enter_context(PdfJoiner(folder / "handouts.pdf"))
            keys = stack.enter_context(PdfJoiner(folder / "answer-keys.pdf"))
        for k, docs in enumerate(variants):
            if docs.moodle_question is not None:
                questions.append(docs.moodle_question)
            worksheet, key = folder / "worksheets" / names[k], folder / "keys" / f"{names[k]}-key"
            if docs.worksheet_html is not None:
                worksheet.with_suffix(".html").write_text(docs.worksheet_html, encoding="utf-8")
                key.with_suffix(".html").write_text(docs.key_html, encoding="utf-8")
                summary.files += 2
            if docs.worksheet_pdf is not None:
                worksheet.with_suffix(".pdf").write_bytes(docs.worksheet_pdf)
                key.with_suffix(".pdf").write_bytes(docs.key_pdf)
                summary.files += 2
                summary.pages += docs.pages
                handouts.add_sheet(docs.worksheet_pdf)
                keys.add_sheet(docs.key_pdf)
            if docs.notebook is not None:
                (folder / "notebooks" / f"{names[k]}.ipynb").write_text(docs.notebook, encoding="utf-8")
                (folder / "keys" / f"{names[k]}-solution.ipynb").write_text(docs.solution_notebook, encoding="utf-8")
                summary.files += 2
            summary.add_refused(docs.refused)
            progress(k + 1)
        if "pdf" in formats:
            data, pages, refused = grading_sheet()
            (folder / "grading-sheet.pdf").write_bytes(data)
            summary.files += 3
            summary.pages += pages + handouts.pages + keys.pages
            summary.add_refused(refused)
    if "moodle" in formats:
        xml = moodle.MoodleExport(batch, Renderer(options)).xml(questions)
        (folder / moodle.FILE_NAME).write_text(xml, encoding="utf-8")
        summary.files += 1
    return summary
