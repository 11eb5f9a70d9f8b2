"""HTML to PDF with WeasyPrint, and joining finished PDFs into one print job.

WeasyPrint is imported on first use: it costs half a second and is not needed for JSON/CSV.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname


class RenderError(Exception):
    """WeasyPrint could not be loaded or could not make a PDF."""


_weasyprint = None


def load_weasyprint():
    """Import WeasyPrint once, quietly; a missing Pango becomes a clear ``RenderError``."""
    global _weasyprint
    if _weasyprint is None:
        try:
            # Without Pango WeasyPrint prints a banner to stdout before raising OSError.
            with contextlib.redirect_stdout(io.StringIO()):
                import weasyprint
        except OSError as e:
            raise RenderError(f"WeasyPrint cannot load Pango ({e}); install it, e.g. "
                              "apt-get install libpango-1.0-0 libpangoft2-1.0-0") from None
        # Font and subsetting chatter is not for the teacher's terminal.
        for name in ("weasyprint", "fontTools"):
            logging.getLogger(name).setLevel(logging.ERROR)
        _weasyprint = weasyprint
    return _weasyprint


def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class TemplateFolderFetcher(URLFetcher):
        """Lets documents read ``data:`` URLs and files inside the template folders, nothing
        else: no network, no other local file. Refusals are kept in ``refused``."""

        def __init__(self, roots: Sequence[Path]):
            super().__init__(timeout=5, allow_redirects=False)
            self.roots = [Path(r).resolve() for r in roots]
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(url2pathname(urlsplit(url).path)).resolve()
                if any(path.is_relative_to(root) for root in self.roots):
                    return super().fetch(url, headers)
            if url not in self.refused:
                self.refused.append(url)
            raise ValueError(f"refused to fetch {url}: documents may only use files inside the template folders")

    return TemplateFolderFetcher


class PdfMaker:
    """Lays out HTML documents and writes their PDFs; one per process."""

    def __init__(self, template_folders: Sequence[Path]):
        self.weasyprint = load_weasyprint()
        self.base_url = Path(template_folders[0]).resolve().as_uri() + "/"
        self.fetcher = _fetcher_class()(template_folders)

    @property
    def refused(self) -> list[str]:
        return self.fetcher.refused

    def pdf(self, html: str) -> tuple[bytes, int]:
        """The PDF of an HTML document, and its number of pages."""
        document = self.weasyprint.HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render()
        return document.write_pdf(), len(document.pages)


def join(pdfs: Sequence[Path], out: Path, odd_start: bool) -> int:
    """Write the PDF files one after another into ``out``; with ``odd_start`` a blank page
    follows each odd-length one, so each starts on an odd page (a new sheet when printed
    duplex). Returns the number of pages written."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for n, path in enumerate(pdfs):
        reader = PdfReader(path)
        writer.append(reader)
        if odd_start and len(reader.pages) % 2 and n < len(pdfs) - 1:
            box = reader.pages[-1].mediabox
            writer.add_blank_page(width=box.width, height=box.height)
    pages = len(writer.pages)
    with open(out, "wb") as f:
        writer.write(f)
    return pages
