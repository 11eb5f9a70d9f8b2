"""The printed documents: ``pdf`` (a worksheet and a key per variant, the print jobs that join
them, the grading sheet) and ``html`` (the same worksheets and keys as self-contained HTML)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ..render.pdfjoin import PdfJoiner
from ..render.sheets import GradingTable, grading_table
from ..render.templates import Renderer
from .base import Job, Output, Tools, Variant

# A print job holds at most this many variants (2,000+ pages): past it, numbered parts a print
# shop's queue takes, and a teacher can send to several printers (README: Large batches).
VARIANTS_PER_PRINT_JOB = 1000


def print_jobs(count: int) -> list[range]:
    """The variants (0-based) of each print job of a batch of ``count``."""
    per_job = VARIANTS_PER_PRINT_JOB
    return [range(start, min(start + per_job, count)) for start in range(0, count, per_job)]


def print_job_name(stem: str, variants: range, count: int) -> str:
    """``handouts.pdf`` for the only part; ``handouts-1001-2000.pdf``, numbered by the variants it
    holds, as the variants' files are, for one of several."""
    if len(variants) == count:
        return f"{stem}.pdf"
    width = max(2, len(str(count)))
    return f"{stem}-{variants.start + 1:0{width}d}-{variants.stop:0{width}d}.pdf"


class Pdf(Output):
    name = "pdf"
    folders = ("worksheets", "keys")
    per_variant = True
    makes_pdf = True

    def render(self, variant: Variant) -> tuple[bytes, bytes, int, list[str]]:
        """The worksheet's and the key's PDF, their pages, and the URLs refused so far."""
        maker = variant.work.pdf
        worksheet, key = variant.documents
        (worksheet_pdf, worksheet_pages), (key_pdf, key_pages) = maker.pdf(worksheet), maker.pdf(key)
        return worksheet_pdf, key_pdf, worksheet_pages + key_pages, list(maker.refused)

    def grading_sheet(self, work: Tools, table: GradingTable) -> tuple[bytes, int, list[str]]:
        maker = work.pdf
        data, pages = maker.pdf(work.renderer.grading_html(table))
        return data, pages, list(maker.refused)

    @contextmanager
    def collect(self, job: Job) -> Iterator[Callable[[int, object], None]]:
        """Takes the variants in any order (a cluster's come as they are done); the print jobs are
        joined from the files on disk, in order, as far as the variants are there: memory holds
        one variant at a time, whatever the count."""
        summary, folder, count = job.summary, job.folder, len(job.names)
        parts = print_jobs(count)
        grading_sheets: list[Callable[[], tuple[bytes, int, list[str]]]] = []  # one a part, waited for at the end
        arrived: set[int] = set()
        joined = 0  # variants joined into the print jobs
        with ExitStack() as stack:
            joiners: list[PdfJoiner] = []
            title = Renderer(job.options).print_job_title

            def join(k: int) -> None:
                nonlocal joiners
                part = parts[k // VARIANTS_PER_PRINT_JOB]
                if k == part.start:
                    # laid out alongside the part's variants
                    grading_sheets.append(job.submit(self.name, "grading_sheet",
                                                     grading_table(job.batch, job.answers, part)))
                    joiners = [stack.enter_context(PdfJoiner(folder / print_job_name(stem, part, count),
                                                               title(kind)))
                               for stem, kind in (("handouts", "worksheets"), ("answer-keys", "answer_keys"))]
                handouts, keys = joiners
                handouts.add_sheet(self._worksheet(job, k))
                keys.add_sheet(self._key(job, k))
                if k == part.stop - 1:  # the part is complete: written out now, not at the end
                    stack.close()
                    summary.files += 2
                    summary.pages += handouts.pages + keys.pages

            def add(k: int, result) -> None:
                nonlocal joined
                worksheet, key, pages, refused = result
                self._worksheet(job, k).write_bytes(worksheet)
                self._key(job, k).write_bytes(key)
                summary.files += 2
                summary.pages += pages
                summary.add_refused(refused)
                arrived.add(k)
                while joined in arrived:
                    arrived.remove(joined)
                    join(joined)
                    joined += 1

            yield add
        for part, grading_sheet in zip(parts, grading_sheets):
            data, pages, refused = grading_sheet()
            (folder / print_job_name("grading-sheet", part, count)).write_bytes(data)
            summary.files += 1
            summary.pages += pages
            summary.add_refused(refused)

    @staticmethod
    def _worksheet(job: Job, k: int) -> Path:
        return job.folder / "worksheets" / f"{job.names[k]}.pdf"

    @staticmethod
    def _key(job: Job, k: int) -> Path:
        return job.folder / "keys" / f"{job.names[k]}-key.pdf"


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
