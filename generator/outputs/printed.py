"""The printed documents: ``pdf`` (a worksheet and a key per variant, the print jobs that join
them, the grading sheet) and ``html`` (the same worksheets and keys as self-contained HTML)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from ..render.pdf import PdfMaker
from ..render.pdfjoin import PdfJoiner
from ..render.sheets import grading_table
from ..render.templates import Renderer
from .base import Job, Output, Variant, Work


def _maker(work: Work) -> PdfMaker:
    return PdfMaker(work.renderer.search_path, work.renderer.options.accessible)


class Pdf(Output):
    name = "pdf"
    folders = ("worksheets", "keys")
    per_variant = True
    makes_pdf = True

    def render(self, variant: Variant) -> tuple[bytes, bytes, int, list[str]]:
        """The worksheet's and the key's PDF, their pages, and the URLs refused so far."""
        maker = variant.work.tool("pdf", _maker)
        worksheet, key = variant.documents
        (worksheet_pdf, worksheet_pages), (key_pdf, key_pages) = maker.pdf(worksheet), maker.pdf(key)
        return worksheet_pdf, key_pdf, worksheet_pages + key_pages, list(maker.refused)

    def grading_sheet(self, work: Work) -> tuple[bytes, int, list[str]]:
        maker = work.tool("pdf", _maker)
        data, pages = maker.pdf(work.renderer.grading_html(grading_table(work.batch, work.answers)))
        return data, pages, list(maker.refused)

    @contextmanager
    def collect(self, job: Job) -> Iterator[Callable[[int, object], None]]:
        summary, folder = job.summary, job.folder
        with ExitStack() as stack:
            # The print jobs grow as the variants arrive, one variant in memory at a time.
            title = Renderer(job.options).print_job_title
            handouts = stack.enter_context(PdfJoiner(folder / "handouts.pdf", title("worksheets")))
            keys = stack.enter_context(PdfJoiner(folder / "answer-keys.pdf", title("answer_keys")))
            grading_sheet = job.submit(self.name, "grading_sheet")  # laid out alongside the variants

            def add(k: int, result) -> None:
                worksheet, key, pages, refused = result
                (folder / "worksheets" / f"{job.names[k]}.pdf").write_bytes(worksheet)
                (folder / "keys" / f"{job.names[k]}-key.pdf").write_bytes(key)
                summary.files += 2
                summary.pages += pages
                summary.add_refused(refused)
                handouts.add_sheet(worksheet)
                keys.add_sheet(key)

            yield add
            data, pages, refused = grading_sheet()
            (folder / "grading-sheet.pdf").write_bytes(data)
            summary.files += 3
            summary.pages += pages + handouts.pages + keys.pages
            summary.add_refused(refused)


class Html(Output):
    name = "html"
    folders = ("worksheets", "keys")
    per_variant = True

    def render(self, variant: Variant) -> tuple[str, str, list[str]]:
        """The worksheet and the key, self-contained: what they use embedded, the rest dropped."""
        (worksheet, dropped), (key, dropped_too) = map(variant.work.renderer.self_contained, variant.documents)
        return worksheet, key, dropped + [url for url in dropped_too if url not in dropped]

    @contextmanager
    def collect(self, job: Job) -> Iterator[Callable[[int, object], None]]:
        def add(k: int, result) -> None:
            worksheet, key, dropped = result
            (job.folder / "worksheets" / f"{job.names[k]}.html").write_text(worksheet, encoding="utf-8")
            (job.folder / "keys" / f"{job.names[k]}-key.html").write_text(key, encoding="utf-8")
            job.summary.files += 2
            job.summary.add_refused(dropped)

        yield add


PDF, HTML = Pdf(), Html()
