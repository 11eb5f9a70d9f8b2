"""Writing a batch's documents: per-variant worksheets and keys, the combined print jobs,
the grading sheet, and the machine-readable key.

Variants are laid out in worker processes (``jobs``), each building its templates and
WeasyPrint once; the combined PDFs are joined from the finished per-variant PDFs, never laid
out a second time.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import export
from .batch import Batch
from .pdf import PdfMaker, join
from .render import DocumentOptions, Renderer
from .sheets import grading_table, sheet

FORMATS = ("pdf", "html", "json", "csv")
# A worker is replaced after this many variants: WeasyPrint's memory creeps ~0.2 MB a document.
VARIANTS_PER_WORKER = 200


@dataclass
class Summary:
    files: int = 0
    pages: int = 0
    refused: list[str] = field(default_factory=list)  # URLs the templates asked for and did not get

    def add_refused(self, urls: Sequence[str]) -> None:
        self.refused += [u for u in urls if u not in self.refused]


@dataclass
class VariantDocuments:
    """One variant's worksheet and key, as HTML and/or PDF."""

    worksheet_html: str | None
    key_html: str | None
    worksheet_pdf: bytes | None
    key_pdf: bytes | None
    pages: int
    refused: list[str]


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

    def __call__(self, k: int) -> VariantDocuments:
        view = sheet(self.batch, k, self.answers, self.options.worked_examples)
        worksheet, key = self.renderer.worksheet_html(view), self.renderer.key_html(view)
        worksheet_pdf = key_pdf = None
        pages = 0
        if self.maker:
            worksheet_pdf, worksheet_pages = self.maker.pdf(worksheet)
            key_pdf, key_pages = self.maker.pdf(key)
            pages = worksheet_pages + key_pages
        keep_html = "html" in self.formats
        return VariantDocuments(worksheet if keep_html else None, key if keep_html else None,
                                worksheet_pdf, key_pdf, pages, list(self.maker.refused) if self.maker else [])


_worker: _VariantRenderer | None = None


def _start_worker(batch: Batch, options: DocumentOptions, formats: Sequence[str]) -> None:
    global _worker
    _worker = _VariantRenderer(batch, options, formats)


def _render_in_worker(k: int) -> VariantDocuments:
    return _worker(k)


def _render_all(batch: Batch, options: DocumentOptions, formats: Sequence[str], jobs: int) -> Iterator[VariantDocuments]:
    """Every variant's documents, in order."""
    if jobs == 1 or len(batch) == 1:
        render = _VariantRenderer(batch, options, formats)
        yield from map(render, range(len(batch)))
        return
    # forkserver: workers start from a clean process, not a copy of this one's threads.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["generator.documents", "weasyprint"])
    with context.Pool(min(jobs, len(batch)), initializer=_start_worker, initargs=(batch, options, formats),
                      maxtasksperchild=VARIANTS_PER_WORKER) as pool:
        yield from pool.imap(_render_in_worker, range(len(batch)))


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
        summary.files += 1
    if "pdf" not in formats and "html" not in formats:
        return summary

    (folder / "worksheets").mkdir()
    (folder / "keys").mkdir()
    names = variant_names(len(batch))
    worksheet_pdfs, key_pdfs = [], []
    for k, docs in enumerate(_render_all(batch, options, formats, jobs)):
        worksheet, key = folder / "worksheets" / names[k], folder / "keys" / f"{names[k]}-key"
        if docs.worksheet_html is not None:
            worksheet.with_suffix(".html").write_text(docs.worksheet_html, encoding="utf-8")
            key.with_suffix(".html").write_text(docs.key_html, encoding="utf-8")
            summary.files += 2
        if docs.worksheet_pdf is not None:
            worksheet.with_suffix(".pdf").write_bytes(docs.worksheet_pdf)
            key.with_suffix(".pdf").write_bytes(docs.key_pdf)
            worksheet_pdfs.append(worksheet.with_suffix(".pdf"))
            key_pdfs.append(key.with_suffix(".pdf"))
            summary.files += 2
            summary.pages += docs.pages
        summary.add_refused(docs.refused)
        progress(k + 1)

    if "pdf" in formats:
        summary.pages += join(worksheet_pdfs, folder / "handouts.pdf", odd_start=True)
        summary.pages += join(key_pdfs, folder / "answer-keys.pdf", odd_start=True)
        renderer = Renderer(options)
        maker = PdfMaker(renderer.search_path)
        data, pages = maker.pdf(renderer.grading_html(grading_table(batch, batch.solution.answers())))
        (folder / "grading-sheet.pdf").write_bytes(data)
        summary.files += 3
        summary.pages += pages
        summary.add_refused(maker.refused)
    return summary
