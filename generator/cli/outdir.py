"""Writing a batch's files so that a failed run never leaves half a batch.

Everything goes into a hidden folder beside ``--out`` and is moved into place only when
complete; an existing batch is replaced only then (``--force``), never lost on failure.
One run at a time writes a folder: ``locked`` holds a lock file beside it for the whole
run, and, once held, whatever hidden folders a killed run left beside it can be removed.

For a command that writes a folder (``gen-worksheets``, the grading command)::

    target = check_target(out, force, inputs)       # before any work: nothing is written
    with locked(target):
        removed = remove_leftovers(target)          # of runs that were killed
        check_target(out, force, inputs)            # again: another run may have written it
        ...                                         # the work
        with staged(target) as folder:
            ...                                     # write into folder
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

_RANDOM_SUFFIX = 8  # tempfile.mkdtemp's
_LEFTOVER = r"\.{name}\.(?:partial|old)-[a-z0-9_]{{{n}}}"


class OutputError(Exception):
    """The output folder cannot be written; the message says why (exit code 1)."""


class BadOutput(OutputError):
    """The ``--out`` given cannot or may not be used: a bad option (exit code 2)."""


class OutputBusy(OutputError):
    """Another run is writing the same folder."""


def resolve_target(out: Path) -> Path:
    """The real folder ``out`` names: ``..`` and symbolic links resolved, so that a link to a
    folder has its target replaced and keeps pointing there."""
    try:
        return Path(os.path.realpath(out.expanduser()))
    except (OSError, ValueError) as e:
        raise BadOutput(f"{out}: {getattr(e, 'strerror', None) or e}") from None


def check_target(out: Path, force: bool, inputs: Iterable[Path] = ()) -> Path:
    """Refuse, before any work and without writing anything, an ``--out`` that cannot or may
    not be written; return the real folder to write (``resolve_target``)."""
    target = resolve_target(out)
    try:
        existing = next(p for p in (target, *target.parents) if os.path.lexists(p))
        if not existing.is_dir():
            raise BadOutput(f"{existing} is a file, not a folder")
        if target.parent == target or os.path.ismount(target) or target in _mount_points():
            raise BadOutput(f"{out} is a mount point, which cannot be replaced as a whole; "
                            "choose a folder inside it")
        if Path.cwd().resolve().is_relative_to(target):
            raise BadOutput(f"{out} holds the current folder; choose a folder beside or inside it")
        for given in inputs:
            if resolve_target(given).is_relative_to(target):
                raise BadOutput(f"{out} holds {given}, which this run reads; choose another folder")
        name_max = os.pathconf(existing, "PC_NAME_MAX")
        longest = len(os.fsencode(f".{target.name}.partial-")) + _RANDOM_SUFFIX
        if longest > name_max:
            raise BadOutput(f"the folder name {target.name[:20]}... is too long: at most "
                            f"{name_max - longest + len(os.fsencode(target.name))} bytes")
        if target.is_dir() and any(target.iterdir()) and not force:
            raise BadOutput(f"{out} already holds files; use --force to replace them, or choose another --out")
    except OSError as e:
        if e.errno in (errno.ENAMETOOLONG, errno.ENOTDIR, errno.ELOOP):
            raise BadOutput(f"{out}: {e.strerror}") from None
        raise OutputError(f"cannot use {out}: {e.strerror}") from None
    return target


def _mount_points() -> set[Path]:
    """Every mount point the system lists, bind mounts too: ``os.path.ismount`` sees only those
    whose device differs from their parent's, and a bind mount of a folder of the same disk
    (a container's volume) was refused only at the end, when the finished batch could not be
    moved into its place."""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as f:
            lines = f.read().splitlines()
    except OSError:  # not Linux: ismount is all there is
        return set()
    # The fifth field, with space, tab, newline and backslash written as octal escapes.
    unescape = re.compile(r"\\([0-7]{3})")
    return {Path(unescape.sub(lambda m: chr(int(m.group(1), 8)), line.split(" ")[4]))
            for line in lines if line.count(" ") >= 4}


def lock_path(target: Path) -> Path:
    return target.parent / f".{target.name}.lock"


@contextmanager
def locked(target: Path) -> Iterator[None]:
    """Hold the lock for writing ``target`` (a lock file beside it, gone afterwards); raise
    ``OutputBusy`` at once if another run holds it. Folders it creates to hold the lock
    are removed again if the run fails."""
    try:
        created = _make_parents(target.parent)
    except OSError as e:
        raise OutputError(f"cannot write to {target.parent}: {e.strerror}") from None
    path = lock_path(target)
    try:
        fd = _lock(path, target)
    except BaseException:
        _remove_empty(created)
        raise
    done = False
    try:
        yield
        done = True
    finally:
        # Unlinked while still held: a run that opened it meanwhile sees it is gone (``_lock``).
        with _quietly():
            os.unlink(path)
        os.close(fd)
        if not done:
            _remove_empty(created)


def _lock(path: Path, target: Path) -> int:
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as e:
            raise OutputError(f"cannot write to {path.parent}: {e.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.read(fd, 32).decode(errors="replace").strip()
            os.close(fd)
            raise OutputBusy(f"{target} is being written by another gen-worksheets run "
                             f"(process {other or 'unknown'}); wait for it, or choose another --out") from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        os.close(fd)  # its holder removed it as we opened it: take the new one


def remove_leftovers(target: Path) -> list[Path]:
    """Remove the hidden staging folders that killed runs left beside ``target`` (a previous
    batch moved aside goes back first if ``target`` is missing); call it holding
    ``locked(target)``, when no live run has one. Returns what was removed."""
    pattern = re.compile(_LEFTOVER.format(name=re.escape(target.name), n=_RANDOM_SUFFIX))
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        if pattern.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
            previous = Path(entry.path) / "batch"
            if ".old-" in entry.name and previous.is_dir() and not os.path.lexists(target):
                # killed between moving the previous batch aside and the new one in
                os.rename(previous, target)
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return sorted(removed)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def staged(target: Path) -> Iterator[Path]:
    """Yield an empty folder to write into; on success it becomes ``target`` (a real path:
    ``resolve_target``), taking over the owner and mode of a folder it replaces."""
    try:
        created = _make_parents(target.parent)
        stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    except OSError as e:
        raise OutputError(f"cannot write to {target.parent}: {e.strerror}") from None
    try:
        yield stage
        _take_over_mode(stage, target)
        _replace(stage, target)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        _remove_empty(created)
        raise


def _take_over_mode(stage: Path, target: Path) -> None:
    try:
        old = target.stat()
    except FileNotFoundError:
        stage.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a new batch folder is not
        return
    stage.chmod(stat.S_IMODE(old.st_mode))
    if (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
        with _quietly():  # only root may give a folder away; others keep what they can
            os.chown(stage, old.st_uid, old.st_gid)


def _replace(stage: Path, target: Path) -> None:
    if not target.exists():
        os.rename(stage, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    try:
        os.rename(target, old / "batch")
    except BaseException:
        os.rmdir(old)
        raise
    try:
        os.rename(stage, target)
    except BaseException:
        os.rename(old / "batch", target)
        shutil.rmtree(old, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _make_parents(folder: Path) -> list[Path]:
    """``mkdir -p``; returns the folders it made, outermost first."""
    missing = []
    while not os.path.lexists(folder):
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        made.mkdir()
    return list(reversed(missing))


def _remove_empty(folders: list[Path]) -> None:
    for folder in reversed(folders):
        with _quietly():
            folder.rmdir()


@contextmanager
def _quietly() -> Iterator[None]:
    try:
        yield
    except OSError:
        pass
