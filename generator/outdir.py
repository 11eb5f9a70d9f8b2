"""Writing a batch's files so that a failed run never leaves half a batch.

Everything goes into a hidden folder beside ``--out`` and is moved into place only when
complete; an existing batch is replaced only then (``--force``), never lost on failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class OutputError(Exception):
    """The output folder cannot be used; the message says why."""


def check_target(out: Path, force: bool) -> None:
    """Refuse, before any work is done, an ``--out`` that cannot or may not be written."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise OutputError(f"{out} already holds files; use --force to replace them, or choose another --out")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """Yield an empty folder to write into; on success it becomes ``out``."""
    out = out.absolute()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    except OSError as e:
        raise OutputError(f"cannot write to {out.parent}: {e.strerror}") from None
    try:
        yield stage
        stage.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a batch folder is not
        _replace(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _replace(stage: Path, out: Path) -> None:
    if not out.exists():
        os.rename(stage, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rename(out, old / "batch")
    try:
        os.rename(stage, out)
    except BaseException:
        os.rename(old / "batch", out)
        shutil.rmtree(old, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
