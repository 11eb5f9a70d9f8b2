"""HTML to PDF with WeasyPrint (``pdfjoin`` joins the finished PDFs into print jobs).

WeasyPrint is imported on first use: it costs half a second and is not needed for JSON/CSV.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import inspect
import io
import logging
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import cssselect2

from . import fasthtml, useragent


class RenderError(Exception):
    """WeasyPrint could not be loaded or could not make a PDF."""


_weasyprint = None
_fast = None  # WeasyPrint's HTML, parsing with generator/fasthtml.py where it can, once loaded
_lean = None  # (HTML class, TrimmedSheet) once WeasyPrint is loaded, if its sheet could be trimmed
_bundled = False  # whether WeasyPrint subsets fonts with uharfbuzz where the system has no subsetter


def load_weasyprint():
    """Import WeasyPrint once, quietly; a missing Pango becomes a clear ``RenderError``."""
    global _weasyprint, _fast, _lean, _bundled
    if _weasyprint is None:
        try:
            # Without Pango WeasyPrint prints a banner to stdout before raising OSError;
            # without HarfBuzz's subsetter it warns (``_bundled_subsetter`` stands in).
            with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import weasyprint
        except OSError as e:
            raise RenderError(f"WeasyPrint cannot load Pango ({e}); install it, e.g. "
                              "apt-get install libpango-1.0-0 libpangoft2-1.0-0") from None
        # Font and subsetting chatter is not for the teacher's terminal.
        for name in ("weasyprint", "fontTools"):
            logging.getLogger(name).setLevel(logging.ERROR)
        # An image without alt text is an error of PDF/UA, logged once per document: the command
        # says it once per template instead (templates.images_without_alt).
        logging.getLogger("weasyprint").addFilter(
            lambda record: "has no required alt description" not in record.getMessage())
        # here, so that forked workers have them ready (~2 + ~25 ms)
        _fast = _fast_html(weasyprint)
        _lean = _lean_html(weasyprint, _fast)
        _bundled = _bundled_subsetter()
        _weasyprint = weasyprint
    return _weasyprint


# WeasyPrint's HTML.__init__ (version 70), without its whitespace: what ``_fast_html`` does in
# its stead for a string, and so requires of it; a WeasyPrint that does more parses on its own.
_HTML_INIT_SETS = {"base_url", "url_fetcher", "media_type", "wrapper_element", "etree_element"}
_HTML_INIT_DOES = ("kwargs={'namespace_html_elements':False}", "result=tinyhtml5.parse(file_obj,**kwargs)",
                   "self.base_url=_find_base_url(result,base_url)",
                   "self.wrapper_element=cssselect2.ElementWrapper.from_html_root(result,content_language=None)",
                   "self.etree_element=self.wrapper_element.etree_element")


def _fast_html(weasyprint):
    """WeasyPrint's HTML, reading a document given as a string with ``fasthtml.parse`` rather than
    tinyhtml5 wherever that vouches for building the same tree, else as WeasyPrint does; WeasyPrint's
    own HTML if its ``__init__`` is not the one this replicates.

    Measured (WeasyPrint 70, CPU time, default variant, as PdfMaker passes it): making the HTML
    of a key takes ~7.4 ms with tinyhtml5 and ~1.6 ms with fasthtml, of a worksheet ~5.4 and
    ~1.3 ms; laying out and writing either, alternately in one process, ~5 ms less of ~80-100.
    The trees are the same (tag, attributes, text, tail, comments) and so are the PDFs
    (tests/test_fasthtml.py)."""
    try:
        source = "".join(inspect.getsource(weasyprint.HTML.__init__).split())
    except (OSError, TypeError):
        return weasyprint.HTML
    if set(re.findall(r"self\.(\w+)=", source)) != _HTML_INIT_SETS or not all(s in source for s in _HTML_INIT_DOES):
        return weasyprint.HTML

    class FastHTML(weasyprint.HTML):
        def __init__(self, guess=None, filename=None, url=None, file_obj=None, string=None, encoding=None,
                     base_url=None, url_fetcher=None, media_type="print"):
            root = None
            if isinstance(string, str) and all(a is None for a in (guess, filename, url, file_obj, encoding)):
                try:
                    root = fasthtml.parse(string)
                except fasthtml.Refused:  # a document it cannot vouch for: tinyhtml5's tree
                    pass
            if root is None:
                super().__init__(guess, filename, url, file_obj, string, encoding, base_url, url_fetcher, media_type)
                return
            # What WeasyPrint's HTML.__init__ does with a string, tinyhtml5 aside.
            weasyprint.PROGRESS_LOGGER.info("Step 1 - Fetching and parsing HTML - %s", "HTML string")
            if isinstance(base_url, Path):
                base_url = str(base_url)
            if base_url is not None:
                base_url = weasyprint.urls.ensure_url(base_url)
            self.base_url = weasyprint._find_base_url(root, base_url)
            self.url_fetcher = weasyprint.urls.URLFetcher() if url_fetcher is None else url_fetcher
            self.media_type = media_type
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
            self.etree_element = self.wrapper_element.etree_element

    return FastHTML


def _lean_html(weasyprint, base):
    """WeasyPrint's HTML with only the part of its user-agent stylesheet our documents can use,
    and the test of a document for it; None if WeasyPrint's sheet could not be trimmed.

    Measured (WeasyPrint 70, CPU time, default variant): the style phase of a key takes ~15 ms
    with the whole sheet and ~7 ms with the trimmed one, of a worksheet ~11 and ~5 ms; layout
    and writing together ~130 -> ~120 ms a key, ~98 -> ~93 ms a worksheet. Most of it is six
    pseudo-element styles (::marker, ::footnote-call, ...) that the whole sheet makes WeasyPrint
    compute for every element. The PDFs are the same bytes (tests/test_useragent.py)."""
    try:
        sheet = useragent.trim(useragent.weasyprint_ua())
        css = weasyprint.CSS(string=sheet.css)
    except Exception:  # a WeasyPrint whose sheet we cannot read: its own, slower, still right
        return None

    class LeanHTML(base):
        """Laid out with the trimmed sheet if it covers the parsed document (``trimmed``), else
        with WeasyPrint's: a teacher's own templates may use lists, links, ``hidden`` ..."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.trimmed = sheet.covers(self.etree_element)

        # How WeasyPrint's own tests give a document another user-agent stylesheet.
        def _ua_stylesheets(self, forms=False):
            return [css] if self.trimmed and not forms else super()._ua_stylesheets(forms)

    return LeanHTML, sheet


# WeasyPrint's Font.subset and Font._harfbuzz_subset (version 70), whitespace removed, hashed:
# where the first would take fontTools, ``_bundled_subsetter`` does what the second does.
_SUBSET_CODE = {"subset": "3242dfa536f37d4069cb29c9b824188951395f1007e91fa31f1132ecfbf06908",
                "_harfbuzz_subset": "ecfe92f28e4c55d0b6b56d7efab468a58770382273dc71209644193c319ea983"}


def _system_subsetter() -> bool:
    """Whether WeasyPrint finds HarfBuzz's subsetter in the system's libraries (as it asks)."""
    from weasyprint.pdf import fonts

    return bool(fonts.harfbuzz_subset) and bool(fonts.harfbuzz.hb_version_atleast(4, 1, 0))


def _bundled_subsetter() -> bool:
    """Has WeasyPrint subset fonts with uharfbuzz's HarfBuzz (``fontsubset``) wherever it would
    fall back to fontTools for want of the system's subsetter (where it has one, WeasyPrint uses
    it as before); False, WeasyPrint left alone, if its code is not the one this replicates or
    uharfbuzz is missing.

    Measured (WeasyPrint 70, 10 default worksheets and keys in one process, CPU time): 1.4 s with
    either HarfBuzz, 6.5-7 s with fontTools. Pages drawn from the two HarfBuzz paths are the
    same pixels; the files differ in bytes and by under 0.5% in size (uharfbuzz 0.57 brings
    HarfBuzz 15, Debian 12 has 6)."""
    from weasyprint.pdf import fonts

    font = fonts.Font
    if hasattr(font.subset, "weasyprints"):  # done already
        return True
    try:
        code = {name: "".join(inspect.getsource(getattr(font, name)).split()) for name in _SUBSET_CODE}
    except (OSError, TypeError, AttributeError):
        return False
    if any(hashlib.sha256(code[name].encode()).hexdigest() != digest for name, digest in _SUBSET_CODE.items()):
        return False
    if not _system_subsetter():
        try:  # here, so that forked workers have it ready (~25 ms)
            from . import fontsubset  # noqa: F401
        except ImportError:
            return False
    weasyprints = font.subset

    def subset(self, to_unicode, hinting):
        if not to_unicode or _system_subsetter():
            return weasyprints(self, to_unicode, hinting)
        try:
            from . import fontsubset  # loaded above, unless the system had its subsetter then
        except ImportError:
            return weasyprints(self, to_unicode, hinting)
        try:
            self.file_content = fontsubset.subset(self.file_content, self.index, to_unicode, hinting,
                                                  notdef_outline=bool(self.missing))
        except fontsubset.SubsetFailed:  # as WeasyPrint's: the whole font, and a warning
            fonts.LOGGER.warning('Unable to subset "%s" with HarfBuzz', self.family)

    subset.weasyprints = weasyprints
    font.subset = subset
    return True


def subsets_fonts_with_harfbuzz() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz, the system's (Debian: libharfbuzz-subset0)
    or uharfbuzz's, rather than with fontTools: measured, a --count 30 run then takes ~3x the CPU
    time, and no two runs give the same bytes."""
    load_weasyprint()
    return _system_subsetter() or _bundled


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
    """Lays out HTML documents and writes their PDFs; one per process.

    ``tagged``: PDF/UA-1 (a structure tree: headings, paragraphs, tables with header cells, the
    diagram a figure with its alternative text; the language of ``<html lang>``, the
    ``<title>`` in the metadata), for screen readers. Not the default: measured
    (benchmarks/bench_render.py, section 6), a --count 30 batch takes ~1.2x the CPU time and
    its PDFs ~1.9x the bytes, the print jobs 2-3x (``pdfjoin`` copies every structure element)."""

    def __init__(self, template_folders: Sequence[Path], tagged: bool = False):
        self.variant = "pdf/ua-1" if tagged else None
        self.weasyprint = load_weasyprint()
        self.base_url = Path(template_folders[0]).resolve().as_uri() + "/"
        self.fetcher = _fetcher_class()(template_folders)
        # Fonts are discovered once per process, not once per document.
        from weasyprint.text.fonts import FontConfiguration

        self.font_config = FontConfiguration()
        self._stylesheets: dict[str, object] = {}

    @property
    def refused(self) -> list[str]:
        return self.fetcher.refused

    def pdf(self, html: str) -> tuple[bytes, int]:
        """The PDF of an HTML document, and its number of pages."""
        html_class = self.html_class(html)
        html, stylesheets = self._parsed_style(html)
        document = html_class(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
            font_config=self.font_config, stylesheets=stylesheets)
        data, pages = document.write_pdf(pdf_variant=self.variant), len(document.pages)
        del document
        if pages > LONG_DOCUMENT_PAGES:
            _return_freed_memory()
        return data, pages

    def html_class(self, html: str):
        """WeasyPrint's HTML (parsing faster where it can, ``_fast_html``), or one that lays
        ``html`` out with a trimmed user-agent stylesheet (``_lean_html``) where that gives the
        same PDF: only its elements, once parsed, can tell; its text tells whether its CSS may
        need what the trimmed sheet dropped."""
        return _lean[0] if _lean and _lean[1].allows(html) else _fast

    def _parsed_style(self, html: str) -> tuple[str, list]:
        """The document without its <style>, and that stylesheet parsed: every variant of a
        batch has the same one, and parsing it per document cost ~5 ms of a worksheet's ~110.
        Only a head with one plain <style> and no <link> qualifies, so that moving the
        stylesheet to the end of the author's sheets cannot change the cascade."""
        head = html[:max(html.find("</head>"), 0)]
        match = _STYLE.search(head)
        if not match or head.count("<style") != 1 or "<link" in head:
            return html, []
        css = self._stylesheets.get(match[1])
        if css is None:
            if len(self._stylesheets) >= 16:  # a batch has one per language; bound it anyway
                self._stylesheets.clear()
            css = self._stylesheets[match[1]] = self.weasyprint.CSS(
                string=match[1], base_url=self.base_url, url_fetcher=self.fetcher, font_config=self.font_config)
        return html[:match.start()] + html[match.end():], [css]


_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


# A long document (the grading sheet of a large batch: 12 pages for 300 variants) leaves its
# worker ~40 MB larger for the rest of the run: freed, but kept by malloc for reuse. Measured
# here: malloc_trim gives back ~26 MB of it. Variant documents (2-5 pages) leave nothing.
LONG_DOCUMENT_PAGES = 6


def _return_freed_memory() -> None:
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass
