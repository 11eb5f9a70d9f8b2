"""What both commands share: their common options, one-line messages, the --out folder's checks,
lock and clean-up, the pre-flight of PDF output, and one place for signals, closed streams and
the internal-error line (``invoke``)."""

from __future__ import annotations

import contextlib
import errno
import math
import os
import signal
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import click

from ..outputs.cluster import PROFILER_OFF, Cluster, ClusterError
from ..outputs.workers import default_jobs
from ..render import glyphs
from ..render.pdf import RenderError, subsets_fonts_with_harfbuzz
from ..render.templates import LANGUAGES, MAX_TITLE_LENGTH, PAPER_SIZES, TemplateError
from .outdir import BadOutput, OutputError, check_target, locked, remove_leftovers

PROGRAM = "gen-worksheets"


# --- messages ------------------------------------------------------------------------------

def say(line: str) -> None:
    """One line on stderr; a closed or full stderr loses it but does not fail the run."""
    try:
        click.echo(line, err=True)
    except OSError:
        pass


def quiet_or(quiet: bool) -> Callable[[str], None]:
    """``say``, or nothing for --quiet: progress, not warnings."""
    return (lambda line: None) if quiet else say


def warn_refused(urls: Sequence[str], tell: Callable[[str], None]) -> None:
    for url in urls:
        tell(f"{PROGRAM}: warning: refused to fetch {url}: documents may only use files "
             "inside the template folders")


# --- options -------------------------------------------------------------------------------

def comma_list(choices: Sequence[str]):
    """A click callback reading a comma list of ``choices`` (``--format pdf,json``)."""

    def callback(ctx, param, value: str) -> tuple[str, ...]:
        chosen = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
        unknown = [f for f in chosen if f not in choices]
        if unknown or not chosen:
            raise click.BadParameter(f"unknown format {unknown[0]!r}; choose from {', '.join(choices)}"
                                     if unknown else f"name at least one of {', '.join(choices)}")
        return chosen

    return callback


def _title(ctx, param, value: str | None) -> str | None:
    if value is not None and len(value) > MAX_TITLE_LENGTH:
        raise click.BadParameter(f"at most {MAX_TITLE_LENGTH} characters (it shares a line with "
                                 f"\"Variant N\" at the top of every page), got {len(value)}")
    return value


def document_options(out: Path, documents: str, templates_example: str, done: str, quiet: str):
    """The options both commands have, in the words of each: ``documents`` (what --lang and --jobs
    make), ``templates_example`` (templates worth overriding), ``done`` (when --force replaces
    --out), ``quiet`` (what --quiet still prints)."""
    options = [
        click.option("--out", type=click.Path(path_type=Path), default=out, show_default=True,
                     help="Folder to write into. Refused if it holds files, unless --force."),
        click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
                     help=f"Language of {documents}."),
        click.option("--title", callback=_title,
                     help="Course title at the top of every page. Default: the course's, in --lang."),
        click.option("--paper", type=click.Choice(PAPER_SIZES, case_sensitive=False), default="A4",
                     show_default=True, help="Paper size."),
        click.option("--templates", "templates_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
                     help="Folder searched before the built-in templates: a file there replaces the built-in one "
                          f"of the same name (e.g. {templates_example})."),
        click.option("--accessible", is_flag=True,
                     help="Tagged PDF/UA-1 PDFs, for screen readers: headings, tables, the diagram in words, "
                          "the language (about 1.2x the time, 2x the bytes)."),
        click.option("--jobs", "-j", type=click.IntRange(1, 64), default=default_jobs(),
                     show_default="number of CPUs",
                     help=f"Worker processes that lay out {documents}; the output is the same whatever the number."),
        click.option("--scheduler", envvar="DASK_SCHEDULER_ADDRESS", metavar="ADDRESS",
                     help=f"A Dask scheduler (tcp://HOST:8786) whose workers lay out {documents}, the same bytes "
                          "as here; default: $DASK_SCHEDULER_ADDRESS. Needs gen-worksheets[cluster]."),
        click.option("--force", is_flag=True, help=f"Replace the files already in --out (only once {done})."),
        click.option("--quiet", "-q", is_flag=True, help=f"Print nothing but errors{quiet}."),
    ]

    def decorate(command):
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def check_text(ctx: click.Context) -> None:
    """Refuse option values no file can hold: bytes that are not UTF-8 (they reach Python as
    lone surrogates), control characters in text that is printed into documents (a vertical
    tab pasted from a word processor makes moodle.xml invalid XML), and numbers that are not
    finite (NaN passes every range check and makes grades.json invalid JSON)."""
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        if isinstance(value, (str, Path)) and any("\ud800" <= c <= "\udfff" for c in str(value)):
            raise click.BadParameter("is not valid UTF-8 text", param_hint=param.opts[0])
        if isinstance(value, str) and (control := next((c for c in value if _is_control(c)), None)):
            raise click.BadParameter(f"holds the control character U+{ord(control):04X}; type it as plain text",
                                     param_hint=param.opts[0])
        if isinstance(value, float) and not math.isfinite(value):
            raise click.BadParameter(f"must be a finite number, got {value}", param_hint=param.opts[0])


def _is_control(c: str) -> bool:
    # C0 and C1 controls and DEL; the format characters (bidi marks, ZWJ) are text.
    return unicodedata.category(c) == "Cc"


def check_pdf_output(title: str | None, tell: Callable[[str], None]) -> None:
    """Before PDFs are made: WeasyPrint can start (Pango), a warning for characters of --title
    that no installed font has, a notice when fonts would be subset the slow way (fontTools)."""
    if title and (missing := glyphs.missing(title)):
        tell(f"{PROGRAM}: warning: no installed font has {', '.join(missing)} of --title; "
             "they will print as boxes")
    try:
        slow_fonts = not subsets_fonts_with_harfbuzz()
    except RenderError as e:  # no Pango: WeasyPrint cannot start at all
        raise click.ClickException(str(e)) from None
    if slow_fonts:  # no system subsetter, and uharfbuzz missing or this WeasyPrint's font code unknown
        tell(f"{PROGRAM}: notice: fonts will be subset with fontTools, which takes about 3 times the CPU time "
             "and gives other PDF bytes every run; install HarfBuzz's subsetter (Debian, Ubuntu: apt-get "
             "install libharfbuzz-subset0)")


@contextmanager
def progress_bar(length: int, label: str, shown: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal's stderr, and the callback that moves it (and stops the run
    at once if a signal's exception was lost on the way: ``stop_if_signalled``)."""
    shown = shown and sys.stderr is not None and sys.stderr.isatty()
    with click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True, show_eta=True,
                           hidden=not shown) as bar:
        yield lambda done: (stop_if_signalled(), bar.update(done - bar.pos))


# --- the output folder ---------------------------------------------------------------------

def check_out(out: Path, force: bool, inputs: Sequence[Path]) -> Path:
    """The real folder ``--out`` names, or a one-line error saying why it cannot be written."""
    try:
        return check_target(out, force, list(inputs))
    except BadOutput as e:
        raise click.BadParameter(str(e), param_hint="--out") from None
    except OutputError as e:
        raise click.ClickException(str(e)) from None


@contextmanager
def writing(out: Path, force: bool, inputs: Sequence[Path], tell: Callable[[str], None]) -> Iterator[Path]:
    """The real ``--out`` folder, held by this run alone, with what stopped runs left beside it
    removed (``tell`` says so); what goes wrong while writing becomes one line."""
    target = check_out(out, force, inputs)
    try:
        with locked(target):
            removed = remove_leftovers(target)
            if removed:
                tell(f"{PROGRAM}: removed {len(removed)} unfinished folder(s) that a stopped run left "
                     f"beside {out}: {', '.join(p.name for p in removed)}")
            check_out(out, force, inputs)  # another run may have written it before we held the lock
            yield target
    except (OutputError, TemplateError, RenderError, ClusterError) as e:
        raise click.ClickException(str(e)) from None
    except OSError as e:
        raise click.ClickException(f"cannot write {out}: {e.strerror or e}") from None


@contextmanager
def cluster(address: str | None, options, tell: Callable[[str], None]) -> Iterator[Cluster | None]:
    """The Dask cluster at ``address`` (None: none), its workers checked to make the same bytes as
    this process and given what the run's tasks need; closed at the end, its outstanding work
    cancelled."""
    if not address:
        yield None
        return
    try:
        connection = Cluster(address)
    except ClusterError as e:
        raise click.ClickException(str(e)) from None
    with connection:
        try:
            profiling = connection.check()
            connection.start(options)
        except ClusterError as e:
            raise click.ClickException(str(e)) from None
        if profiling:
            # Measured: ~0.9 MB a second a worker while it lays out PDFs, kept for Dask's 1,000 cycles.
            tell(f"{PROGRAM}: notice: {len(profiling)} of {len(connection.workers())} workers run Dask's "
                 "profiler, which keeps the stack traces of the last 1,000 s: ~0.9 MB a second a worker laying "
                 f"out PDFs; start them with {PROFILER_OFF} (README: Large batches)")
        tell(f"{PROGRAM}: laying out the PDFs on {connection.threads()} worker thread(s) at {address}")
        yield connection


# --- signals, streams, errors: one way for both commands ------------------------------------

class Interrupted(BaseException):
    """SIGINT, SIGTERM or SIGHUP: unwinds like KeyboardInterrupt, so staged output is removed.

    Not a KeyboardInterrupt, which click would answer with an empty line first."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_stopped_by: int | None = None  # the signal that stopped the run


def _interrupt(signum, frame):
    global _stopped_by
    for other in _STOP_SIGNALS:  # a second signal must not cut the clean-up short
        signal.signal(other, signal.SIG_IGN)
    _stopped_by = signum
    raise Interrupted(signum)


def stop_if_signalled() -> None:
    """Raise ``Interrupted`` again if the handler's was lost: raised inside a finalizer or
    an at-fork hook (logging has one), Python prints it and carries on."""
    if _stopped_by is not None:
        raise Interrupted(_stopped_by)


def _unraisable(hook):
    if not isinstance(hook.exc_value, Interrupted):  # that one is raised again, see above
        sys.__unraisablehook__(hook)


def _open_standard_streams() -> None:
    # Started with stdin, stdout or stderr closed, the next file opened would take its
    # number, and anything written "to stderr" would land in an output file.
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            os.dup2(os.open(os.devnull, os.O_RDWR), fd)


def _finish_stdout() -> int:
    """Flush what --help or --version wrote; 1 if stdout could not take it (full, closed)."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
        return 0
    except OSError as e:
        return _stdout_failed(e)


def _stdout_failed(e: OSError) -> int:
    # Python would fail again flushing at exit: point stdout at nothing first.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    say(f"{PROGRAM}: error: cannot write to standard output: {e.strerror or e}")
    return 1


def invoke(command: click.Command, argv: list[str] | None) -> int:
    """Run ``command`` on ``argv`` (None: the process's) and return the exit code: one line per
    error, never a traceback."""
    global _stopped_by
    _stopped_by = None
    _open_standard_streams()
    previous_hook, sys.unraisablehook = sys.unraisablehook, _unraisable
    previous = {signum: signal.signal(signum, _interrupt) for signum in _STOP_SIGNALS}
    try:
        command.main(args=argv, standalone_mode=False, prog_name=PROGRAM)
    except click.exceptions.Exit as e:
        return _finish_stdout() or e.exit_code
    except click.ClickException as e:
        say(f"{PROGRAM}: error: {e.format_message()}")
        return e.exit_code
    except Interrupted as e:
        say(f"{PROGRAM}: interrupted; nothing was written")
        return 128 + e.signum
    except (click.Abort, KeyboardInterrupt):
        say(f"{PROGRAM}: interrupted; nothing was written")
        return 128 + signal.SIGINT
    except OSError as e:
        if e.filename is None and e.errno in (errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EBADF):
            return _stdout_failed(e)  # --help or --version to a full or closed stdout
        return _internal_error(e)
    except Exception as e:
        return _internal_error(e)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sys.unraisablehook = previous_hook
    return _finish_stdout()


def _internal_error(e: Exception) -> int:
    # A bug, not bad input: still one line, with a way to see the details.
    if os.environ.get("GEN_WORKSHEETS_DEBUG"):
        raise e
    say(f"{PROGRAM}: internal error ({type(e).__name__}: {e}); nothing was written. "
        "Run again with GEN_WORKSHEETS_DEBUG=1 for the details and please report it.")
    return 1
