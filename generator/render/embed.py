"""A document made self-contained: every file it uses inside the template folders embedded as a
``data:`` URL, every other reference (the network, other files) dropped. The same rule as the
PDFs' (``pdf``): documents may use the template folders' files and ``data:`` URLs, nothing else.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname


def inside(path: Path, folders: Sequence[Path]) -> bool:
    """Whether ``path``, with every symbolic link followed, lies inside one of ``folders``."""
    real = path.resolve()
    return any(real.is_relative_to(folder.resolve()) for folder in folders)


# What a document loads: src/href of any element but a link (<a>), CSS url() and @import.
_TAG = re.compile(r"<(?!a[\s>])[a-zA-Z][^>]*>")
_TAG_URL = re.compile(r"""(\s(?:src|href|xlink:href|poster|srcset)\s*=\s*)(?:"([^"]*)"|'([^']*)')""")
_CSS_URL = re.compile(r"""(url\(\s*|@import\s+)(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))""")
_DROPPED = "data:,"
_MAX_EMBED_DEPTH = 4  # a stylesheet's own url()s are embedded too, a few levels deep


def embed_resources(document: str, folders: Sequence[Path]) -> tuple[str, list[str]]:
    """``document`` with what it uses embedded, and the URLs dropped (``Renderer.self_contained``
    for any HTML text and search folders)."""
    roots = [Path(f).resolve() for f in folders]
    refused: list[str] = []
    base = roots[0].as_uri() + "/"

    def resolve(url: str, base_url: str, depth: int) -> str:
        url = url.strip()
        if not url or url.startswith("#") or urlsplit(url).scheme.lower() == "data":
            return url
        absolute = urljoin(base_url, url)
        parts = urlsplit(absolute)
        if parts.scheme.lower() == "file" and depth < _MAX_EMBED_DEPTH:
            path = Path(url2pathname(unquote(parts.path)))
            if path.is_file() and inside(path, roots):
                data = path.read_bytes()
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                if kind == "text/css":
                    data = embed_css(data.decode("utf-8", "replace"), absolute, depth + 1).encode()
                return f"data:{kind};base64,{base64.b64encode(data).decode()}"
        if absolute not in refused:
            refused.append(absolute)
        return _DROPPED

    def embed_css(text: str, base_url: str, depth: int) -> str:
        def one(m: re.Match) -> str:
            url = resolve(html.unescape(next(g for g in m.groups()[1:] if g is not None)), base_url, depth)
            # url(...) unquoted (a data: URL holds no space or bracket), as it may sit in a style="..."
            return f"{m.group(1)}{url}" if m.group(1).startswith("url") else f'{m.group(1)}"{url}"'

        return _CSS_URL.sub(one, text)

    def tag(m: re.Match) -> str:
        def one(a: re.Match) -> str:
            url = a.group(2) if a.group(2) is not None else a.group(3)
            return f'{a.group(1)}"{html.escape(resolve(html.unescape(url), base, 0))}"'

        return embed_css(_TAG_URL.sub(one, m.group(0)), base, 0)

    document = _TAG.sub(tag, document)
    document = re.sub(r"(<style[^>]*>)(.*?)(</style>)", lambda m: m.group(1) + embed_css(m.group(2), base, 0)
                      + m.group(3), document, flags=re.S | re.I)
    return document, refused
