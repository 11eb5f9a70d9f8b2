"""The machine-readable key: ``json`` (answers.json) and ``csv`` (answers.csv, and
responses-template.csv for typing the students' answers in). Their formats are
``exchange``'s, where the grader's readers sit beside the writers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..exchange.answers import answers_csv, answers_json
from ..exchange.responsesheet import responses_template_csv
from .base import Job, Output


class Json(Output):
    name = "json"

    @contextmanager
    def collect(self, job: Job) -> Iterator[Callable[[int, object], None]]:
        (job.folder / "answers.json").write_text(answers_json(job.batch), encoding="utf-8")
        job.summary.files += 1
        yield lambda k, result: None


class Csv(Output):
    name = "csv"

    @contextmanager
    def collect(self, job: Job) -> Iterator[Callable[[int, object], None]]:
        (job.folder / "answers.csv").write_text(answers_csv(job.batch), encoding="utf-8")
        (job.folder / "responses-template.csv").write_text(responses_template_csv(job.batch, job.options.lang),
                                                           encoding="utf-8")
        job.summary.files += 2
        yield lambda k, result: None


JSON, CSV = Json(), Csv()
