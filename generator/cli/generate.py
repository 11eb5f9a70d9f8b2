"""``gen-worksheets``: draws and solves a batch, and writes its files (the group's own command)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from .. import __version__
from ..exchange.givenfile import MAX_VARIANTS, GivenError, check_lr, parse_file
from ..exercise.batch import MAX_SEED, make_batch
from ..exercise.description import COURSE, Exercise, ExerciseError
from ..exercise.draw import DrawError
from ..exercise.functions import ACTIVATIONS, LOSSES, OUTPUTS
from ..exercise.layout import Layout, LayoutError
from ..exercise.selfcheck import SelfCheckError
from ..outputs import FORMATS, write_batch
from ..outputs.moodle import title_problem
from ..render.templates import DocumentOptions, images_without_alt
from .outdir import staged
from .shell import (
    check_out,
    check_pdf_output,
    check_text,
    cluster,
    comma_list,
    document_options,
    progress_bar,
    quiet_or,
    say,
    stop_if_signalled,
    warn_refused,
    writing,
)

DEFAULT_FORMATS = "pdf,json,csv"
MAX_COUNT = MAX_VARIANTS  # on this machine
MAX_CLUSTER_COUNT = 1_000_000  # with --scheduler

EXAMPLES = """
\b
Examples:
  gen-worksheets --count 30                  30 variants into ./worksheets
  gen-worksheets --count 30 --seed 2024      the same 30 variants every time
  gen-worksheets --given example.json        the course's own example
  gen-worksheets --layers 3,2,1 --out week5  a smaller network
  gen-worksheets --activation sigmoid --bias --loss half-squared    Nielsen's exercise
  gen-worksheets --output sigmoid --loss cross-entropy              a classifier
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


def _set(ctx: click.Context, name: str) -> bool:
    return ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT


@click.group(epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]},
             invoke_without_command=True, subcommand_metavar="[grade RESPONSES --key answers.json ...]")
@click.option("--count", type=int, default=30, show_default=True,
              help=f"How many variants (one per student): 1 to {MAX_COUNT}, to {MAX_CLUSTER_COUNT} with --scheduler.")
@click.option("--seed", type=click.IntRange(0, MAX_SEED),
              help="Master seed: the same seed and options give the same batch. Default: drawn at random "
                   "and recorded in answers.json.")
@click.option("--given", "given_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON file with fixed given values (one object or a list) instead of random draws.")
@click.option("--layers", default=COURSE.layout.text, show_default=True, callback=_layers,
              help="Neurons per layer, input first, output (1) last: 2 to 4 weight layers, 1 to 4 neurons each.")
@click.option("--activation", type=click.Choice(tuple(ACTIVATIONS)), default=COURSE.activation.name,
              show_default=True, help="Activation of the hidden neurons.")
@click.option("--bias", is_flag=True,
              help="Every neuron has a bias: the weight from a constant input 1, row 0 of each matrix (W_01 ...).")
@click.option("--output", type=click.Choice(tuple(OUTPUTS)), default=COURSE.output.name, show_default=True,
              help="Activation of the output neuron.")
@click.option("--loss", type=click.Choice(tuple(LOSSES)), default=COURSE.loss.name, show_default=True,
              help="squared: (ŷ − y)²; half-squared: ½(ŷ − y)²; cross-entropy: binary, for --output sigmoid.")
@click.option("--lr", type=float, default=0.1, show_default=True, callback=_lr, help="Learning rate.")
@click.option("--decimals", type=click.IntRange(1, 8), default=4, show_default=True,
              help="Decimal places of the printed answers.")
@click.option("--format", "formats", default=DEFAULT_FORMATS, show_default=True, callback=comma_list(tuple(FORMATS)),
              help=f"Comma list of outputs: {', '.join(FORMATS)}. answers.json (json) is always written: it is "
                   "the key that grades the batch and the master seed that makes it again.")
@click.option("--worked-examples", is_flag=True,
              help="Show one quantity of each group worked out on the worksheets, as the course notebook does.")
@document_options(out=Path("worksheets"), documents="the documents",
                  templates_example="worksheet.html, style.css, lang/en.json",
                  done="the new batch is complete", quiet=" and the warnings about --given numbers")
@click.version_option(__version__, prog_name="gen-worksheets")
@click.pass_context
def generate(ctx, count, seed, given_file, layers, activation, bias, output, loss, lr, decimals, formats,
             worked_examples, out, lang, title, paper, templates_dir, accessible, jobs, scheduler, force, quiet):
    """Draw COUNT random variants of the course exercise "multidimensional backpropagation",
    solve each one, and write the worksheets and their answer keys.

    After class, `gen-worksheets grade` marks the students' typed-in answers
    (`gen-worksheets grade --help`)."""
    if ctx.invoked_subcommand is not None:
        # "gen-worksheets --count 3 grade ...": the generator's options would be silently dropped.
        misplaced = [p.opts[0] for p in ctx.command.params if p.expose_value and _set(ctx, p.name)]
        if misplaced:
            raise click.UsageError(f"{misplaced[0]} is an option of the generator, not of "
                                   f"'{ctx.invoked_subcommand}'; put the command's options after its name")
        return
    started = time.perf_counter()
    check_text(ctx)
    limit = MAX_CLUSTER_COUNT if scheduler else MAX_COUNT
    if not 1 <= count <= limit:
        beyond = "" if scheduler or count < 1 else f" ({MAX_CLUSTER_COUNT} with --scheduler)"
        raise click.BadParameter(f"{count} is not in the range 1<=x<={limit}{beyond}", param_hint="'--count'")
    tell = quiet_or(quiet)
    # Without answers.json, notebooks or a Moodle file handed out could never be graded, nor the
    # batch made again: its master seed is recorded nowhere else.
    formats = formats if "json" in formats else [*formats, "json"]
    names = {"activation": activation, "output": output, "loss": loss, "bias": bias}
    givens = None
    if given_file is None:
        try:
            exercise = Exercise.named(layers, **names)
        except ExerciseError as e:
            raise click.UsageError(str(e)) from None
    else:
        for name in ("count", "layers"):
            if _set(ctx, name):
                raise click.UsageError(f"--{name} cannot be used with --given: the file sets it")
        try:
            givens = parse_file(given_file, default_lr=lr, lr_option=_set(ctx, "lr"), names=names,
                                named_by_options=frozenset(name for name in names if _set(ctx, name)))
        except OSError as e:
            raise click.BadParameter(f"cannot read {given_file}: {e.strerror or e}", param_hint="--given") from None
        except GivenError as e:
            raise click.BadParameter(f"{given_file}: {e}", param_hint="--given") from None
    if "moodle" in formats and title and (problem := title_problem(title)):
        raise click.BadParameter(f"{problem}: choose another title for the Moodle category", param_hint="--title")
    inputs = [p for p in (given_file, templates_dir) if p is not None]
    check_out(out, force, inputs)  # before the work: fail fast
    pdf = any(FORMATS[name].makes_pdf for name in formats)
    if pdf:
        check_pdf_output(title, tell)
    for line in images_without_alt(templates_dir):
        tell(f"gen-worksheets: warning: {line}")

    options = DocumentOptions(lang=lang, paper=paper, title=title,
                              decimals=decimals, worked_examples=worked_examples, templates=templates_dir,
                              accessible=accessible)
    # Before anything is drawn: a cluster that cannot make the same bytes stops the run.
    with cluster(scheduler if pdf else None, options, tell) as workers, writing(out, force, inputs, tell) as target:
        try:
            batch = make_batch(count=count, seed=seed, exercise=givens.exercise if givens else exercise, lr=lr,
                               decimals=decimals, givens=givens)
        except (DrawError, SelfCheckError) as e:
            raise click.ClickException(str(e)) from None
        stop_if_signalled()
        # Not progress: the teacher chose these numbers and should know, --quiet or not.
        for line in batch.broken_rules:
            say(f"gen-worksheets: warning: {line}")
        rendering = not quiet and any(FORMATS[name].per_variant for name in formats)
        with staged(target) as stage, progress_bar(len(batch), "Rendering", rendering) as progress:
            summary = write_batch(batch, stage, formats, options, jobs=jobs, progress=progress, cluster=workers)
            stop_if_signalled()  # before the batch replaces --out

    warn_refused(summary.refused, tell)
    seconds = time.perf_counter() - started
    tell(f"{len(batch)} variants: {summary.files} files, {summary.pages} pages in {seconds:.1f} s -> {out}/")
