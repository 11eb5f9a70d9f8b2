"""The ``gen-worksheets`` command: parses options, reports, and calls the library."""

from __future__ import annotations

import math
import os
import signal
import sys
import time
from pathlib import Path

import click

from . import __version__
from .batch import MAX_SEED, make_batch
from .documents import FORMATS, default_jobs, write_documents
from .givenfile import GivenError
from .givenfile import parse as parse_given
from .gradecli import grade_command
from .layout import DEFAULT_LAYOUT, Layout, LayoutError
from .outdir import OutputError, check_target, staged
from .pdf import RenderError
from .render import LANGUAGES, PAPER_SIZES, DocumentOptions, TemplateError
from .selfcheck import SelfCheckError
from .variants import DrawError

DEFAULT_FORMATS = "pdf,json,csv"
MAX_COUNT = 10_000

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


def _formats(ctx, param, value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}"
                                 if unknown else f"name at least one of {', '.join(FORMATS)}")
    return chosen


def _lr(ctx, param, value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise click.BadParameter(f"the learning rate must be a finite number greater than 0, got {value:g}")
    return value


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
@click.option("--format", "formats", default=DEFAULT_FORMATS, show_default=True, callback=_formats,
              help=f"Comma list of outputs: {', '.join(FORMATS)}.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of the documents.")
@click.option("--title", help="Course title at the top of every page. Default: the course's, in --lang.")
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
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors and warnings.")
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
    givens = None
    if given_file is not None:
        for name in ("count", "layers"):
            if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT:
                raise click.UsageError(f"--{name} cannot be used with --given: the file sets it")
        try:
            givens = parse_given(given_file.read_text(encoding="utf-8"), default_lr=lr)
        except (OSError, UnicodeDecodeError) as e:
            raise click.BadParameter(f"cannot read {given_file}: {e}", param_hint="--given") from None
        except GivenError as e:
            raise click.BadParameter(f"{given_file}: {e}", param_hint="--given") from None
    try:
        check_target(out, force)
    except OutputError as e:
        raise click.BadParameter(str(e), param_hint="--out") from None

    try:
        batch = make_batch(count=count, seed=seed, layout=layers, lr=lr, decimals=decimals, givens=givens)
    except (DrawError, SelfCheckError) as e:
        raise click.ClickException(str(e)) from None
    # Not progress: the teacher chose these numbers and should know, --quiet or not.
    for line in batch.broken_rules:
        click.echo(f"gen-worksheets: warning: {line}", err=True)

    options = DocumentOptions(lang=lang, paper=paper, title=title,
                              decimals=decimals, worked_examples=worked_examples, templates=templates_dir)
    show_bar = not quiet and sys.stderr.isatty() and bool({"pdf", "html", "ipynb", "moodle"} & set(formats))
    try:
        with staged(out) as stage, click.progressbar(length=len(batch), label="Rendering", file=sys.stderr,
                                                     show_pos=True, show_eta=True, hidden=not show_bar) as bar:
            summary = write_documents(batch, stage, formats, options, jobs=jobs,
                                      progress=lambda done: bar.update(done - bar.pos))
    except (OutputError, TemplateError, RenderError) as e:
        raise click.ClickException(str(e)) from None
    except OSError as e:
        raise click.ClickException(f"cannot write {out}: {e.strerror or e}") from None

    for url in summary.refused:
        click.echo(f"gen-worksheets: warning: refused to fetch {url}: documents may only use files "
                   "inside the template folders", err=True)
    if not quiet:
        seconds = time.perf_counter() - started
        click.echo(f"{len(batch)} variants: {summary.files} files, {summary.pages} pages in {seconds:.1f} s -> {out}/",
                   err=True)


main.add_command(grade_command)


def _terminate(signum, frame):
    # Turn SIGTERM into an exception so that the staged output folder is cleaned up.
    raise KeyboardInterrupt


def run(argv: list[str] | None = None) -> None:
    """Console entry point: one line per error, never a traceback."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        main.main(args=argv, standalone_mode=False, prog_name="gen-worksheets")
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.ClickException as e:
        click.echo(f"gen-worksheets: error: {e.format_message()}", err=True)
        sys.exit(e.exit_code)
    except (click.Abort, KeyboardInterrupt):
        click.echo("gen-worksheets: interrupted; nothing was written", err=True)
        sys.exit(130)
    except Exception as e:
        # A bug, not bad input: still one line, with a way to see the details.
        if os.environ.get("GEN_WORKSHEETS_DEBUG"):
            raise
        click.echo(f"gen-worksheets: internal error ({type(e).__name__}: {e}); nothing was written. "
                   "Run again with GEN_WORKSHEETS_DEBUG=1 for the details and please report it.", err=True)
        sys.exit(1)
