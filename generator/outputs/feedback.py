"""The ``grade`` command's ``pdf``: feedback.pdf, a page (or two) per graded response, each
starting on an odd page.

What a page shows is read from the ``Report`` (``feedback_view``); templates present it
(``feedback.html``). Pages are laid out in worker processes, as the worksheets are, and
joined into one print job.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from ..exercise import formulas
from ..grading.report import Report
from ..grading.statuses import STATUSES
from ..render.pdf import load_weasyprint
from ..render.pdfjoin import PdfJoiner
from ..render.sheets import Symbol, symbol
from ..render.templates import DocumentOptions, Renderer
from .base import GradeJob, Tools
from .cluster import Cluster
from .workers import in_workers


@dataclass(frozen=True)
class Line:
    """One answer: which quantity, what the student wrote, how it was marked."""

    name: str
    kind: str  # the formula's kind: how the quantity is written (∂L/∂w or w′)
    target: Symbol
    status: str
    text: str  # as typed; "" when missing
    expected: float
    points: float


@dataclass(frozen=True)
class Section:
    """Answers the worksheet shows together: a task, or a layer of the backward pass."""

    kind: str  # task1, preparation, layer, task3
    lines: tuple[Line, ...]
    letter: str = ""  # layer: its weights' letter
    number: int = 0  # layer: 1-based from the input
    from_end: int = 0  # layer: 0 for the last


@dataclass(frozen=True)
class Feedback:
    student: str
    variant: int
    code: str
    score: float
    max_score: int
    counts: dict[str, int]  # by status
    carried_credit: float
    sections: tuple[Section, ...]
    show_answers: bool


def isolated(text: str) -> str:
    """A student's text between Unicode's first-strong isolate and its pop (U+2068, U+2069): a
    right-to-left override in a name then ends with the name, and cannot reverse the variant
    code printed beside it. The two characters print nothing."""
    return f"\u2068{text}\u2069" if text else text


def feedback_view(report: Report, i: int, show_answers: bool = False) -> Feedback:
    """Response ``i`` of ``report``, ready for the template."""
    marks, r = report.marks, report.responses[i]
    layout = report.key.layout
    sections: list[Section] = []
    for j, f in enumerate(formulas.graph(report.key.exercise)):
        status = STATUSES[marks.status[i, j]]
        line = Line(f.name, f.kind, symbol(f.name), status, isolated(r.cells.get(f.name, "")),
                    float(marks.expected[i, j]), float(marks.points[i, j]))
        if f.group in ("forward_layer", "output", "loss"):
            kind, letter = "task1", ""
        elif f.group in ("preparation", "loss_after"):
            kind, letter = ("preparation" if f.group == "preparation" else "task3"), ""
        else:
            kind, letter = "layer", layout.weight_letters[f.layer]
        if sections and (sections[-1].kind, sections[-1].letter) == (kind, letter):
            last = sections[-1]
            sections[-1] = Section(kind, last.lines + (line,), letter, last.number, last.from_end)
        else:
            sections.append(Section(kind, (line,), letter, f.layer + 1, layout.n_weight_layers - 1 - f.layer))
    counts = {status: int((marks.status[i] == s).sum()) for s, status in enumerate(STATUSES)}
    return Feedback(isolated(r.student), report.variants[i], report.codes[i], float(marks.score[i]), marks.max_score,
                    counts, marks.carried_credit, tuple(sections), show_answers)


def _page(tools: Tools, feedback: Feedback) -> tuple[bytes, list[str]]:
    """One student's page(s), and the URLs refused so far."""
    maker = tools.pdf
    data, _ = maker.pdf(tools.renderer.feedback_html(feedback))
    return data, list(maker.refused)


class _PageRenderer(Tools):
    """What a worker process keeps between pages: the report, the templates, WeasyPrint."""

    def __init__(self, report: Report, options: DocumentOptions, show_answers: bool):
        super().__init__(options)
        self.report, self.show_answers = report, show_answers

    def __call__(self, i: int) -> tuple[bytes, list[str]]:
        return _page(self, feedback_view(self.report, i, self.show_answers))


def write_feedback(
    report: Report,
    path: Path,
    options: DocumentOptions,
    show_answers: bool = False,
    jobs: int = 1,
    progress: Callable[[int], None] = lambda done: None,
    cluster: Cluster | None = None,
) -> tuple[int, list[str]]:
    """Write feedback.pdf; returns its pages and the URLs the templates were refused. With a
    ``cluster``, its workers lay the pages out (the views are made here)."""
    refused: list[str] = []
    with ExitStack() as stack:
        if cluster is None:
            if jobs > 1:
                load_weasyprint()  # imported once, before the workers fork
            pages, _ = stack.enter_context(in_workers(_PageRenderer, (report, options, show_answers), len(report),
                                                      jobs))
        else:
            calls = ((i, _page, (feedback_view(report, i, show_answers),)) for i in range(len(report)))
            pages = (result for _, result in cluster.results(calls, ordered=True))
        joiner = stack.enter_context(PdfJoiner(path, Renderer(options).print_job_title("feedback")))
        for i, (data, urls) in enumerate(pages):
            joiner.add_sheet(data)  # each student on a new sheet
            refused += [u for u in urls if u not in refused]
            progress(i + 1)
    return joiner.pages, refused


def write(job: GradeJob) -> None:
    _, refused = write_feedback(job.report, job.folder / "feedback.pdf", job.options, job.show_answers, job.jobs,
                                job.progress, job.cluster)
    job.refused += refused
