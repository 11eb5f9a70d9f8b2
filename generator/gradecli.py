"""``gen-worksheets grade``: parses options, reports, and calls the grading library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import gradefiles, responses
from .documents import default_jobs
from .feedback import write_feedback
from .keyfile import KeyFileError
from .keyfile import parse as parse_key
from .marking import mark
from .commandline import check_out, comma_list, say, warn_refused, writing
from .outdir import staged
from .render import LANGUAGES, PAPER_SIZES, DocumentOptions

FORMATS = ("csv", "json", "pdf")

EXAMPLES = """
\b
Examples:
  gen-worksheets grade typed.csv --key worksheets/answers.json
  gen-worksheets grade typed.csv --key answers.json --carried-credit 0.5 --out week5-grades
  gen-worksheets grade typed.csv --key answers.json --format csv   just grades.csv
"""


@click.command("grade", epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]},
               short_help="Mark the students' answers (typed-in CSV or saved notebooks) against answers.json.")
@click.argument("responses_file", metavar="RESPONSES", type=click.Path(exists=True, path_type=Path))
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The answers.json the generator wrote for these worksheets.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("grades"), show_default=True,
              help="Folder to write into. Refused if it holds files, unless --force.")
@click.option("--carried-credit", type=click.FloatRange(0, 1), default=1.0, show_default=True,
              help="Share of a point for an answer that is wrong against the key but right from the "
                   "student's own earlier answers.")
@click.option("--format", "formats", default=",".join(FORMATS), show_default=True, callback=comma_list(FORMATS),
              help=f"Comma list of outputs: {', '.join(FORMATS)} (grades.csv, grades.json, feedback.pdf).")
@click.option("--show-answers", is_flag=True, help="Print the key's value beside each answer in feedback.pdf.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of feedback.pdf.")
@click.option("--title", help="Course title at the top of every page. Default: the course's, in --lang.")
@click.option("--paper", type=click.Choice(PAPER_SIZES, case_sensitive=False), default="A4", show_default=True,
              help="Paper size.")
@click.option("--templates", "templates_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder searched before the built-in templates (e.g. feedback.html, lang/en.json).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=default_jobs(), show_default="number of CPUs",
              help="Worker processes that lay out feedback.pdf.")
@click.option("--force", is_flag=True, help="Replace the files already in --out (only once the grades are complete).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors, refused rows and warnings about RESPONSES and --key.")
def grade_command(responses_file, key_file, out, carried_credit, formats, show_answers, lang, title, paper,
                  templates_dir, jobs, force, quiet):
    """Mark the students' answers against the key: rounding-aware tolerances, and credit for
    work carried forward from a wrong earlier value. RESPONSES is a CSV file (a row per
    worksheet, with `code` or `variant` and a column per answer named as in answers.json) or a
    folder of the students' saved notebooks (read, never run).

    Writes grades.csv (a row per student), grades.json (every answer's status) and
    feedback.pdf (a page per student)."""
    try:
        key = parse_key(key_file.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise click.BadParameter(f"cannot read {key_file}: {getattr(e, 'strerror', None) or e}",
                                 param_hint="--key") from None
    except KeyFileError as e:
        raise click.BadParameter(f"{key_file}: {e}", param_hint="--key") from None
    inputs = [p for p in (responses_file, key_file, templates_dir) if p is not None]
    check_out(out, force, inputs)  # before the work: fail fast
    try:
        reading = responses.read(responses_file)
    except responses.ResponsesError as e:
        raise click.BadParameter(str(e), param_hint="RESPONSES") from None

    if key.tolerances_recomputed:
        say(f"gen-worksheets: warning: {key_file} records no tolerances (written by an older version); "
            "computed them from its answers")
    report = mark(reading, key, carried_credit)
    for refused in report.refused:
        say(f"gen-worksheets: {responses_file}, {refused.where}: refused: {refused.reason}")
    for name in report.ignored:
        say(f"gen-worksheets: warning: column {name!r} is not an answer of this exercise "
            f"(layers {key.layout.text}); ignored")
    if not len(report):
        raise click.ClickException(f"no row of {responses_file} could be graded ({len(report.refused)} refused)")

    options = DocumentOptions(lang=lang, paper=paper, title=title, decimals=key.decimals, templates=templates_dir)
    show_bar = not quiet and sys.stderr.isatty() and "pdf" in formats
    tell = (lambda line: None) if quiet else say
    with writing(out, force, inputs, tell) as target, staged(target) as stage:
        if "csv" in formats:
            (stage / "grades.csv").write_text(gradefiles.grades_csv(report), encoding="utf-8")
        if "json" in formats:
            (stage / "grades.json").write_text(gradefiles.grades_json(report, str(key_file)), encoding="utf-8")
        if "pdf" in formats:
            with click.progressbar(length=len(report), label="Feedback", file=sys.stderr, show_pos=True,
                                   show_eta=True, hidden=not show_bar) as bar:
                _, refused_urls = write_feedback(report, stage / "feedback.pdf", options, show_answers, jobs,
                                                 progress=lambda done: bar.update(done - bar.pos))
            warn_refused(refused_urls, tell)

    total = len(report) + len(report.refused)
    mean = gradefiles.score_text(round(float(report.marks.score.mean()), 1))
    tell(f"{total} response{'' if total == 1 else 's'}: {len(report)} graded, {len(report.refused)} refused; "
         f"mean {mean} / {report.marks.max_score} -> {out}/")
