"""The machine-readable key: ``json`` (answers.json) and ``csv`` (answers.csv, and
responses-template.csv for typing the students' answers in). Their formats are
``exchange``'s, where the grader's readers sit beside the writers; written a variant at a time,
never held whole."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..exchange.answers import write_answers_csv, write_answers_json
from ..exchange.responsesheet import write_responses_template_csv
from .base import Job, Output


class Json(Output):
    name = "json"

    @contextmanager
    def collect(self, job: Job) -> Iterator[Callable[[int, object], None]]:
        with open(job.folder / "answers.json", "w", encoding="utf-8", newline="") as f:
            write_answers_json(job.batch, f)
        job.summary.files += 1
        yield lambda k, result: None


class Csv(Output):
    name = "csv"

    @contextmanager
    def collect(self, job: Job) -> Iterator[Callable[[int, object], None]]:
        with open(job.folder / "answers.csv", "w", encoding="utf-8", newline="") as f:
            write_answers_csv(job.batch, f)
        with open(job.folder / "responses-template.csv", "w", encoding="utf-8", newline="") as f:
            write_responses_template_csv(job.batch, f, job.options.lang)
        job.summary.files += 2
        yield lambda k, result: None


JSON, CSV = Json(), Csv()
