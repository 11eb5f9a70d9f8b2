"""``gen-worksheets grade``: reads the students' responses and the key, marks them, and writes the
marks."""

from __future__ import annotations

from pathlib import Path

import click

from .. import numbertext, utf8
from ..exchange.answers import KeyFileError
from ..exchange.answers import parse as parse_key
from ..exchange.givenfile import MAX_FILE_BYTES, MAX_VARIANTS
from ..grading import moodleexport, moodletable
from ..grading.moodleregrade import ATTEMPT_METHODS
from ..grading.moodleregrade import regrade as regrade_attempts
from ..grading.read import read
from ..grading.report import mark
from ..grading.responses import ResponsesError
from ..outputs import GRADE_FORMATS, GradeJob, write_grades
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

EXAMPLES = """
\b
Examples:
  gen-worksheets grade typed.csv --key worksheets/answers.json
  gen-worksheets grade typed.csv --key answers.json --carried-credit 0.5 --out week5-grades
  gen-worksheets grade typed.csv --key answers.json --format csv   just grades.csv
  gen-worksheets grade responses.xlsx --key answers.json   a Moodle quiz's Responses report
"""


@click.command("grade", epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]},
               short_help="Mark the students' answers (typed-in CSV or saved notebooks) against answers.json.")
@click.argument("responses_file", metavar="RESPONSES", type=click.Path(exists=True, path_type=Path))
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The answers.json the generator wrote for these worksheets.")
@click.option("--carried-credit", type=click.FloatRange(0, 1), default=1.0, show_default=True,
              help="Share of a point for an answer that is wrong against the key but right from the "
                   "student's own earlier answers.")
@click.option("--format", "formats", default=",".join(GRADE_FORMATS), show_default=True,
              callback=comma_list(tuple(GRADE_FORMATS)),
              help=f"Comma list of outputs: {', '.join(GRADE_FORMATS)} (grades.csv, grades.json, feedback.pdf).")
@click.option("--show-answers", is_flag=True, help="Print the key's value beside each answer in feedback.pdf.")
@click.option("--attempts", "attempts_method", type=click.Choice(ATTEMPT_METHODS), default="highest",
              show_default=True,
              help="A Moodle export: which attempt of each student counts in grades.csv and moodle-grades.csv "
                   "(grades.json keeps all), as the quiz's grading method.")
@click.option("--max-grade", type=click.FloatRange(0, 1e9, min_open=True),
              help="A Moodle export: the quiz's maximum grade, for moodle-grades.csv. Default: the report's "
                   "'Grade/<max>' column.")
@document_options(out=Path("grades"), documents="feedback.pdf", templates_example="feedback.html, lang/en.json",
                  done="the grades are complete", quiet=", refused rows and warnings about RESPONSES and --key")
@click.pass_context
def grade(ctx, responses_file, key_file, carried_credit, formats, show_answers, attempts_method, max_grade, out,
          lang, title, paper, templates_dir, accessible, jobs, scheduler, force, quiet):
    """Mark the students' answers against the key: rounding-aware tolerances, and credit for
    work carried forward from a wrong earlier value. RESPONSES is a CSV file (a row per
    worksheet, with `code` or `variant` and a column per answer named as in answers.json), a
    folder of the students' saved notebooks (read, never run), or a Moodle quiz's Responses
    report as downloaded (CSV, XLSX, ODS or JSON; also writes moodle-grades.csv).

    Writes grades.csv (a row per student), grades.json (every answer's status) and
    feedback.pdf (a page per student)."""
    check_text(ctx)
    tell = quiet_or(quiet)
    try:
        key = parse_key(utf8.read_bytes(key_file, MAX_FILE_BYTES).decode("utf-8"))
    except utf8.TooLarge as e:
        raise click.BadParameter(f"{key_file} {e}; no answers.json of {MAX_VARIANTS} variants is",
                                 param_hint="--key") from None
    except (OSError, UnicodeDecodeError) as e:
        raise click.BadParameter(f"cannot read {key_file}: {getattr(e, 'strerror', None) or e}",
                                 param_hint="--key") from None
    except KeyFileError as e:
        raise click.BadParameter(f"{key_file}: {e}", param_hint="--key") from None
    inputs = [p for p in (responses_file, key_file, templates_dir) if p is not None]
    check_out(out, force, inputs)  # before the work: fail fast
    export = None
    try:
        table = moodletable.load(responses_file) if responses_file.is_file() else None
        if table is not None and moodleexport.is_export(table):
            export = moodleexport.read(table, key)
            reading = export.reading
        else:
            reading = read(responses_file)
    except ResponsesError as e:
        raise click.BadParameter(str(e), param_hint="RESPONSES") from None

    if key.tolerances_recomputed:
        say(f"gen-worksheets: warning: {key_file} records no tolerances (written by an older version); "
            "computed them from its answers")
    report = mark(reading, key, carried_credit)
    regrade = None
    if export is not None:
        if not len(report):
            first = report.refused[0] if report.refused else None
            raise click.ClickException(
                f"no attempt of {responses_file} could be graded against {key_file}" + (
                    f" ({len(report.refused)} refused, first {first.where}: {first.reason}; "
                    "is it an export of this batch's quiz?)" if first else " (none was submitted)"))
        for skipped in export.skipped:
            tell(f"gen-worksheets: {responses_file}, {skipped.where}: {skipped.reason}")
        regrade = regrade_attempts(report, export, attempts_method, max_grade)
        if regrade.max_grade is None and "csv" in formats:
            say(f"gen-worksheets: warning: {responses_file} has no 'Grade/<max>' column: give --max-grade to "
                "get moodle-grades.csv")
    for refused in report.refused:
        say(f"gen-worksheets: {responses_file}, {refused.where}: refused: {refused.reason}")
    for duplicate in report.duplicates:
        say(f"gen-worksheets: warning: {responses_file}: {duplicate}; all are graded")
    for name in report.ignored:
        say(f"gen-worksheets: warning: column {name!r} is not an answer of this exercise "
            f"(layers {key.layout.text}); ignored")
    if not len(report):
        raise click.ClickException(f"no row of {responses_file} could be graded ({len(report.refused)} refused)")
    if "pdf" in formats:
        check_pdf_output(title, tell)
        for line in images_without_alt(templates_dir):
            tell(f"gen-worksheets: warning: {line}")
    stop_if_signalled()

    options = DocumentOptions(lang=lang, paper=paper, title=title, decimals=key.decimals, templates=templates_dir,
                              accessible=accessible)
    with (cluster(scheduler if "pdf" in formats else None, options, tell) as workers,
          writing(out, force, inputs, tell) as target, staged(target) as stage,
          progress_bar(len(report), "Feedback", not quiet and "pdf" in formats) as progress):
        job = GradeJob(regrade.counted_report() if regrade else report, stage, options, str(key_file),
                       show_answers, jobs, progress, regrade=regrade, cluster=workers)
        refused_urls = write_grades(job, formats)
        stop_if_signalled()  # before the grades replace --out
    warn_refused(refused_urls, tell)
    if job.left_out:
        say(f"gen-worksheets: warning: not in moodle-grades.csv, as the export names no email address or ID "
            f"number for them: {', '.join(job.left_out)}")

    total = len(report) + len(report.refused)
    mean = numbertext.score(round(float(job.report.marks.score.mean()), 1))
    if regrade is None:
        tell(f"{total} response{'' if total == 1 else 's'}: {len(report)} graded, {len(report.refused)} refused; "
             f"mean {mean} / {report.marks.max_score} -> {out}/")
    else:
        skipped = len(export.skipped)
        tell(f"{total + skipped} attempt{'' if total + skipped == 1 else 's'}: {len(report)} graded, "
             f"{len(report.refused)} refused, {skipped} not submitted; {len(job.report)} students, "
             f"{attempts_method} attempt counted: mean {mean} / {report.marks.max_score} -> {out}/")
