"""The ``gen-worksheets`` command: parses options, reports, and calls the library."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import time
from pathlib import Path

import click

from . import __version__
from . import glyphs
from .batch import MAX_SEED, make_batch
from .documents import FORMATS, default_jobs, write_documents
from .givenfile import MAX_VARIANTS, GivenError, check_lr, parse_file
from .gradecli import grade_command
from .layout import DEFAULT_LAYOUT, Layout, LayoutError
from .commandline import check_out, comma_list, warn_refused, writing
from .commandline import say as _say
from .outdir import staged
from .pdf import RenderError, has_harfbuzz_subsetter
from .render import LANGUAGES, MAX_TITLE_LENGTH, PAPER_SIZES, DocumentOptions
from .selfcheck import SelfCheckError
from .variants import DrawError

DEFAULT_FORMATS = "pdf,json,csv"
MAX_COUNT = MAX_VARIANTS

EXAMPLES = """
\b
Examples:
  gen-worksheets --count 30                  30 variants into ./worksheets
  gen-worksheets --count 30 --seed 2024      the same 30 variants every time
  gen-worksheets --given example.json        the course's own example
  gen-worksheets --layers 3,2,1 --out week5  a smaller network
  gen-worksheets --lang ru --paper letter    Russian documents on US Letter
  gen-worksheets --format html,json          keys as HTML for a course website
  gen-worksheets --format pdf,json,csv,ipynb a Jupyter notebook per student too
  gen-worksheets grade typed.csv --key worksheets/answers.json   marks, after class
"""


def _layers(ctx, param, value: str) -> Layout:
    try:
        return Layout.parse(value)
    except LayoutError as e:
        raise click.BadParameter(str(e)) from None


def _lr(ctx, param, value: float) -> float:
    try:
        return check_lr(value, "the learning rate")
    except GivenError as e:
        raise click.BadParameter(str(e)) from None


def _title(ctx, param, value: str | None) -> str | None:
    if value is not None and len(value) > MAX_TITLE_LENGTH:
        raise click.BadParameter(f"at most {MAX_TITLE_LENGTH} characters (it shares a line with "
                                 f"\"Variant N\" at the top of every page), got {len(value)}")
    return value


def _check_text(ctx) -> None:
    """Refuse option values that are not text: bytes that are not UTF-8 reach Python as
    lone surrogates, which no document, file name or message can hold."""
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        if isinstance(value, (str, Path)) and any("\ud800" <= c <= "\udfff" for c in str(value)):
            raise click.BadParameter("is not valid UTF-8 text", param_hint=param.opts[0])


@click.group(epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]},
             invoke_without_command=True, subcommand_metavar="[grade RESPONSES --key answers.json ...]")
@click.option("--count", type=click.IntRange(1, MAX_COUNT), default=30, show_default=True,
              help="How many variants (one per student).")
@click.option("--seed", type=click.IntRange(0, MAX_SEED),
              help="Master seed: the same seed and options give the same batch. Default: drawn at random "
                   "and recorded in answers.json.")
@click.option("--given", "given_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON file with fixed given values (one object or a list) instead of random draws.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("worksheets"), show_default=True,
              help="Folder to write into. Refused if it holds files, unless --force.")
@click.option("--layers", default=DEFAULT_LAYOUT.text, show_default=True, callback=_layers,
              help="Neurons per layer, input first, output (1) last: 2 to 4 weight layers, 1 to 4 neurons each.")
@click.option("--lr", type=float, default=0.1, show_default=True, callback=_lr, help="Learning rate.")
@click.option("--decimals", type=click.IntRange(1, 8), default=4, show_default=True,
              help="Decimal places of the printed answers.")
@click.option("--format", "formats", default=DEFAULT_FORMATS, show_default=True, callback=comma_list(FORMATS),
              help=f"Comma list of outputs: {', '.join(FORMATS)}.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of the documents.")
@click.option("--title", callback=_title, help="Course title at the top of every page. Default: the course's, in --lang.")
@click.option("--paper", type=click.Choice(PAPER_SIZES, case_sensitive=False), default="A4", show_default=True,
              help="Paper size.")
@click.option("--worked-examples", is_flag=True,
              help="Show one quantity of each group worked out on the worksheets, as the course notebook does.")
@click.option("--templates", "templates_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder searched before the built-in templates: a file there replaces the built-in one "
                   "of the same name (e.g. worksheet.html, style.css, lang/en.json).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=default_jobs(), show_default="number of CPUs",
              help="Worker processes that lay out PDFs; the output is the same whatever the number.")
@click.option("--force", is_flag=True, help="Replace the files already in --out (only once the new batch is complete).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors and the warnings about --given numbers.")
@click.version_option(__version__, prog_name="gen-worksheets")
@click.pass_context
def main(ctx, count, seed, given_file, out, layers, lr, decimals, formats, lang, title, paper, worked_examples,
         templates_dir, jobs, force, quiet):
    """Draw COUNT random variants of the course exercise "multidimensional backpropagation",
    solve each one, and write the worksheets and their answer keys.

    After class, `gen-worksheets grade` marks the students' typed-in answers
    (`gen-worksheets grade --help`)."""
    if ctx.invoked_subcommand is not None:
        # "gen-worksheets --count 3 grade ...": the generator's options would be silently dropped.
        misplaced = [p.opts[0] for p in ctx.command.params if p.expose_value
                     and ctx.get_parameter_source(p.name) is not click.core.ParameterSource.DEFAULT]
        if misplaced:
            raise click.UsageError(f"{misplaced[0]} is an option of the generator, not of "
                                   f"'{ctx.invoked_subcommand}'; put the command's options after its name")
        return
    started = time.perf_counter()
    _check_text(ctx)
    say = (lambda line: None) if quiet else _say
    givens = None
    if given_file is not None:
        for name in ("count", "layers"):
            if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT:
                raise click.UsageError(f"--{name} cannot be used with --given: the file sets it")
        lr_option = ctx.get_parameter_source("lr") is not click.core.ParameterSource.DEFAULT
        try:
            givens = parse_file(given_file, default_lr=lr, lr_option=lr_option)
        except OSError as e:
            raise click.BadParameter(f"cannot read {given_file}: {e.strerror or e}", param_hint="--given") from None
        except GivenError as e:
            raise click.BadParameter(f"{given_file}: {e}", param_hint="--given") from None
    inputs = [p for p in (given_file, templates_dir) if p is not None]
    check_out(out, force, inputs)  # before the work: fail fast
    if title and "pdf" in formats and (missing := glyphs.missing(title)):
        say(f"gen-worksheets: warning: no installed font has {', '.join(missing)} of --title; "
            "they will print as boxes")
    try:
        slow_fonts = "pdf" in formats and not has_harfbuzz_subsetter()
    except RenderError as e:  # no Pango: WeasyPrint cannot start at all
        raise click.ClickException(str(e)) from None
    if slow_fonts:
        say("gen-worksheets: notice: HarfBuzz's font subsetter is missing, so making PDFs takes about "
            "twice as long; install it (Debian, Ubuntu: apt-get install libharfbuzz-subset0)")

    options = DocumentOptions(lang=lang, paper=paper, title=title,
                              decimals=decimals, worked_examples=worked_examples, templates=templates_dir)
    show_bar = (not quiet and sys.stderr is not None and sys.stderr.isatty()
                and bool({"pdf", "html", "ipynb", "moodle"} & set(formats)))
    with writing(out, force, inputs, say) as target:
        try:
            batch = make_batch(count=count, seed=seed, layout=layers, lr=lr, decimals=decimals, givens=givens)
        except (DrawError, SelfCheckError) as e:
            raise click.ClickException(str(e)) from None
        _stop_if_signalled()
        # Not progress: the teacher chose these numbers and should know, --quiet or not.
        for line in batch.broken_rules:
            _say(f"gen-worksheets: warning: {line}")
        with staged(target) as stage, click.progressbar(length=len(batch), label="Rendering", file=sys.stderr,
                                                        show_pos=True, show_eta=True, hidden=not show_bar) as bar:
            summary = write_documents(batch, stage, formats, options, jobs=jobs,
                                      progress=lambda done: (_stop_if_signalled(), bar.update(done - bar.pos)))
            _stop_if_signalled()  # before the batch replaces --out

    warn_refused(summary.refused, say)
    seconds = time.perf_counter() - started
    say(f"{len(batch)} variants: {summary.files} files, {summary.pages} pages in {seconds:.1f} s -> {out}/")


main.add_command(grade_command)


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


def _stop_if_signalled() -> None:
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
    _say(f"gen-worksheets: error: cannot write to standard output: {e.strerror or e}")
    return 1


def run(argv: list[str] | None = None) -> None:
    """Console entry point: one line per error, never a traceback."""
    global _stopped_by
    _stopped_by = None
    _open_standard_streams()
    previous_hook, sys.unraisablehook = sys.unraisablehook, _unraisable
    previous = {signum: signal.signal(signum, _interrupt) for signum in _STOP_SIGNALS}
    try:
        main.main(args=argv, standalone_mode=False, prog_name="gen-worksheets")
    except click.exceptions.Exit as e:
        sys.exit(_finish_stdout() or e.exit_code)
    except click.ClickException as e:
        _say(f"gen-worksheets: error: {e.format_message()}")
        sys.exit(e.exit_code)
    except Interrupted as e:
        _say("gen-worksheets: interrupted; nothing was written")
        sys.exit(128 + e.signum)
    except (click.Abort, KeyboardInterrupt):
        _say("gen-worksheets: interrupted; nothing was written")
        sys.exit(128 + signal.SIGINT)
    except OSError as e:
        if e.filename is None and e.errno in (errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EBADF):
            sys.exit(_stdout_failed(e))  # --help or --version to a full or closed stdout
        _internal_error(e)
    except Exception as e:
        _internal_error(e)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sys.unraisablehook = previous_hook
    sys.exit(_finish_stdout())


def _internal_error(e: Exception) -> None:
    # A bug, not bad input: still one line, with a way to see the details.
    if os.environ.get("GEN_WORKSHEETS_DEBUG"):
        raise e
    _say(f"gen-worksheets: internal error ({type(e).__name__}: {e}); nothing was written. "
         "Run again with GEN_WORKSHEETS_DEBUG=1 for the details and please report it.")
    sys.exit(1)
