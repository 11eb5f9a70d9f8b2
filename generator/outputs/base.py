"""What every output driver of a batch is, and the run that drives them together; and what the
drivers of a class's marks are given.

A driver (``Output``) renders each variant in a worker process (``render``, beside the other
drivers, sharing the variant's view, diagram and HTML) and, in the main process, takes the
results in order and writes its files (``collect``). Variants are laid out in worker processes
(``workers``), each building its templates and WeasyPrint once; the print jobs are joined from
the finished per-variant PDFs, never laid out a second time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..exercise.batch import Batch
from ..grading.moodleregrade import Regrade
from ..grading.report import Report
from ..render.diagram import Diagram
from ..render.pdf import PdfMaker, load_weasyprint
from ..render.sheets import Sheet, sheet
from ..render.templates import DocumentOptions, Renderer
from .workers import in_workers

if TYPE_CHECKING:
    from .cluster import Cluster


@dataclass
class Summary:
    files: int = 0
    pages: int = 0
    refused: list[str] = field(default_factory=list)  # URLs the templates asked for and did not get

    def add_refused(self, urls: Sequence[str]) -> None:
        self.refused += [u for u in urls if u not in self.refused]


def variant_names(count: int) -> list[str]:
    """``variant-01`` ...: zero-padded to the count's width, so the files sort in order."""
    width = max(2, len(str(count)))
    return [f"variant-{k:0{width}d}" for k in range(1, count + 1)]


class Tools:
    """What a process that lays out documents keeps between them: the templates, and each driver's
    own tools (WeasyPrint, the notebook maker), made on first use: a tool that cannot be made
    (a bad catalog) must fail a task, and reach the command as one error, not kill the worker."""

    def __init__(self, options: DocumentOptions):
        self.options = options
        self.renderer = Renderer(options)
        self._tools: dict[str, object] = {}

    def tool(self, name: str, make: Callable[[Tools], object]):
        """The tool ``name``, made by ``make(self)`` once per process."""
        if name not in self._tools:
            self._tools[name] = make(self)
        return self._tools[name]

    @property
    def pdf(self) -> PdfMaker:
        """WeasyPrint with this process's templates, tagged or not as the options say: the one
        maker of the worksheets, keys, grading sheets and feedback pages."""
        return self.tool("pdf", lambda tools: PdfMaker(tools.renderer.search_path, tools.options.accessible))


class Work(Tools):
    """What a local worker process keeps between variants: the batch besides the tools."""

    def __init__(self, batch: Batch, options: DocumentOptions, outputs: Sequence[Output]):
        super().__init__(options)
        self.batch = batch
        self.outputs = outputs
        self.answers = batch.solution.answers()

    def __call__(self, k: int) -> dict[str, object]:
        """Variant ``k``'s result of every driver that renders variants."""
        variant = Variant(self, k)
        return {o.name: o.render(variant) for o in self.outputs if o.per_variant}

    def call(self, output: str, method: str, *args):
        """A driver's batch-wide work (the grading sheet), run in a worker beside the variants."""
        return getattr(next(o for o in self.outputs if o.name == output), method)(self, *args)


class Variant:
    """One variant as the drivers see it in a worker: its view, and what several drivers use,
    made once (the diagram: PDF, HTML and Moodle; the HTML: PDF and HTML)."""

    def __init__(self, work: Tools, k: int, view: Sheet | None = None):
        """``view`` made elsewhere (the command's process, for a cluster's worker), else here."""
        self.work, self.k = work, k
        self.view: Sheet = view or sheet(work.batch, k, work.answers, work.options.worked_examples)

    @cached_property
    def diagram(self) -> Diagram:
        return self.work.renderer.diagram(self.view)

    @cached_property
    def documents(self) -> tuple[str, str]:
        """The worksheet's and the key's HTML."""
        renderer = self.work.renderer
        return renderer.worksheet_html(self.view, self.diagram), renderer.key_html(self.view, self.diagram)


@dataclass
class Job:
    """One batch being written, as the drivers see it in the main process."""

    batch: Batch
    folder: Path
    options: DocumentOptions
    summary: Summary
    names: list[str]  # each variant's file name, without folder and suffix
    submit: Callable[..., Callable[[], object]]  # (driver, method, *args) -> wait for its result

    @cached_property
    def answers(self) -> dict[str, np.ndarray]:
        return self.batch.solution.answers()


class Output:
    """One ``--format``: a driver over the batch, as R/exams has one ``exams2*`` driver per format."""

    name = ""
    folders: tuple[str, ...] = ()  # where its per-variant files go, made before the variants come
    per_variant = False  # renders each variant in a worker (``render``)
    makes_pdf = False  # lays documents out with WeasyPrint

    def render(self, variant: Variant) -> object:
        """In a worker: this driver's result for one variant, sent to ``collect``'s function."""
        raise NotImplementedError

    @contextmanager
    def collect(self, job: Job) -> Iterator[Callable[[int, object], None]]:
        """In the main process: a function taking each variant's result in order, and the files
        written around it (before the first: batch-wide files; after the last: what joins them)."""
        yield lambda k, result: None


def write(batch: Batch, folder: Path, outputs: Sequence[Output], options: DocumentOptions, jobs: int = 1,
          progress: Callable[[int], None] = lambda done: None, cluster: Cluster | None = None) -> Summary:
    """Every driver's files into ``folder``; ``progress`` hears of each variant. With a ``cluster``,
    the drivers that make PDFs lay them out on its workers, the others here."""
    summary = Summary()
    job = Job(batch, folder, options, summary, variant_names(len(batch)), submit=lambda output, method, *args: None)
    rendering = [o for o in outputs if o.per_variant]
    remote = [o for o in rendering if cluster is not None and o.makes_pdf]
    local = [o for o in rendering if o not in remote]
    for name in dict.fromkeys(f for o in rendering for f in o.folders):
        (folder / name).mkdir()
    with ExitStack() as stack:
        if local:
            if jobs > 1 and any(o.makes_pdf for o in local):
                load_weasyprint()  # imported once, before the workers fork
            variants, submit = stack.enter_context(in_workers(Work, (batch, options, local), len(batch), jobs))
            job.submit = lambda output, method, *args: submit("call", output, method, *args)
        if remote:
            drivers = {o.name: o for o in remote}
            job.submit = lambda output, method, *args: cluster.submit(getattr(drivers[output], method), *args)
        # Entered after the workers, so left before them: a print job is finished while they live.
        adders = {o.name: stack.enter_context(o.collect(job)) for o in outputs}
        if local:
            for k, results in enumerate(variants):
                for o in local:
                    adders[o.name](k, results[o.name])
                if not remote:
                    progress(k + 1)
        if remote:
            answers = job.answers
            views = ((k, sheet(batch, k, answers, options.worked_examples)) for k in range(len(batch)))
            calls = ((k, render_variant, (remote, k, view)) for k, view in views)
            for done, (k, results) in enumerate(cluster.results(calls), 1):
                for o in remote:
                    adders[o.name](k, results[o.name])
                progress(done)
    return summary


def render_variant(work: Tools, outputs: Sequence[Output], k: int, view: Sheet) -> dict[str, object]:
    """On a cluster's worker: variant ``k``'s result of each of ``outputs``, from its view."""
    variant = Variant(work, k, view)
    return {o.name: o.render(variant) for o in outputs}


@dataclass
class GradeJob:
    """A class's marks being written, as the drivers of ``grade`` see it."""

    report: Report
    folder: Path
    options: DocumentOptions
    key_path: str  # as given: grades.json records it
    show_answers: bool = False
    jobs: int = 1
    progress: Callable[[int], None] = lambda done: None
    refused: list[str] = field(default_factory=list)  # URLs the templates asked for and did not get
    regrade: Regrade | None = None  # a Moodle export re-graded: ``report`` is then its counted attempts
    left_out: list[str] = field(default_factory=list)  # students moodle-grades.csv cannot name
    cluster: Cluster | None = None  # lays out the PDFs, if given
