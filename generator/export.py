"""The machine-readable answer key: answers.json and answers.csv."""

from __future__ import annotations

import csv
import io
import json
import re

from . import __version__
from .batch import Batch

GENERATOR = f"gen-worksheets {__version__}"


def _plain(value: float) -> int | float:
    # Given numbers are written as a teacher would type them: 2, not 2.0.
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else float(value)


def given_dict(batch: Batch, k: int) -> dict:
    """Variant ``k``'s given data (0-based), in the layout of a ``--given`` file."""
    givens = batch.givens
    out: dict = {"x": [_plain(v) for v in givens.x[k]], "y": _plain(givens.y[k])}
    for letter, w in zip(batch.layout.weight_letters, givens.weights):
        out[letter] = [[_plain(v) for v in row] for row in w[k]]
    out["lr"] = _plain(givens.lr[k])
    return out


def answers_document(batch: Batch) -> dict:
    answers = batch.solution.answers()
    variants = [
        {
            "variant": k + 1,
            "code": batch.codes[k],
            "given": given_dict(batch, k),
            "answers": {name: float(values[k]) for name, values in answers.items()},
            "tolerances": {name: float(values[k]) for name, values in batch.tolerances.items()},
            "check_residual": float(batch.check_residuals[k]),
        }
        for k in range(len(batch))
    ]
    return {
        "generator": GENERATOR,
        "master_seed": batch.master_seed,
        "layers": list(batch.layout.sizes),
        "decimals": batch.decimals,
        "variants": variants,
    }


# A list holding only numbers, or only such lists: written on one line.
_FLAT_LIST = re.compile(r"\[\s*([^\[\]{}\"]*?)\s*\]")
_LIST_OF_LISTS = re.compile(r"\[\s*((?:\[[^\[\]{}\"]*\],?\s*)+)\]")


def answers_json(batch: Batch) -> str:
    text = json.dumps(answers_document(batch), indent=1, ensure_ascii=False, allow_nan=False)
    text = _FLAT_LIST.sub(lambda m: "[" + ", ".join(v.strip() for v in m.group(1).split(",")) + "]", text)
    text = _LIST_OF_LISTS.sub(lambda m: "[" + ", ".join(re.findall(r"\[[^\]]*\]", m.group(1))) + "]", text)
    return text + "\n"


def answers_csv(batch: Batch) -> str:
    """One row per variant: variant, code, the given numbers, the answers, check_residual."""
    layout = batch.layout
    answers = batch.solution.answers()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["variant", "code", *layout.given_names, *answers, "check_residual"])
    given_rows = batch.givens.flat()
    for k in range(len(batch)):
        writer.writerow(
            [k + 1, batch.codes[k]]
            + [repr(_plain(v)) for v in given_rows[k]]
            + [repr(float(values[k])) for values in answers.values()]
            + [repr(float(batch.check_residuals[k]))]
        )
    return buffer.getvalue()


def responses_template_csv(batch: Batch, lang: str = "en") -> str:
    """The sheet for typing the students' answers in (``gen-worksheets grade`` reads it back):
    the header and a row per variant with its number and code, the rest left empty.

    A byte order mark makes spreadsheets open it as UTF-8 (students' names need it), and
    Russian documents get semicolons: a spreadsheet in a decimal-comma locale expects them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if lang == "ru" else ",", lineterminator="\n")
    names = batch.layout.answer_names
    writer.writerow(["student", "variant", "code", *names])
    for k in range(len(batch)):
        writer.writerow(["", k + 1, batch.codes[k], *([""] * len(names))])
    return "\ufeff" + buffer.getvalue()
