"""responses-template.csv: the sheet the generator writes for typing the students' answers in,
and the columns the grader reads back (``grading.csvfile``)."""

from __future__ import annotations

import io
from typing import TextIO

from .. import csvcells
from ..exercise.batch import Batch

# Who and which variant, before a column per answer named as in answers.json.
META = ("student", "code", "variant")


def responses_template_csv(batch: Batch, lang: str = "en") -> str:
    """The header and a row per variant with its number and code, the rest left empty.

    A byte order mark makes spreadsheets open it as UTF-8 (students' names need it), and
    Russian documents get semicolons: a spreadsheet in a decimal-comma locale expects them."""
    buffer = io.StringIO()
    write_responses_template_csv(batch, buffer, lang)
    return buffer.getvalue()


def write_responses_template_csv(batch: Batch, out: TextIO, lang: str = "en") -> None:
    """``responses_template_csv`` into ``out``, a row at a time."""
    out.write("\ufeff")
    writer = csvcells.Writer(out, delimiter=";" if lang == "ru" else ",", lineterminator="\n")
    names = batch.layout.answer_names
    writer.writerow(["student", "variant", "code", *names])
    for k in range(len(batch)):
        writer.writerow(["", k + 1, batch.codes[k], *([""] * len(names))])
