"""The print jobs: joined from the variants' files on disk in order, whatever order the variants
arrive in (a cluster's come as they are done), in parts past VARIANTS_PER_PRINT_JOB."""

from generator.exercise.batch import make_batch
from generator.outputs import printed
from generator.outputs.base import Job, Summary, Work, variant_names
from generator.render.templates import DocumentOptions

from pdftext import text


def write(folder, batch, order, work):
    folder.mkdir()
    for name in printed.PDF.folders:
        (folder / name).mkdir()
    results = {k: printed.PDF.render(printed.Variant(work, k)) for k in order}
    job = Job(batch, folder, work.options, Summary(), variant_names(len(batch)),
              submit=lambda output, method, *args: (lambda: getattr(printed.PDF, method)(work, *args)))
    with printed.PDF.collect(job) as add:
        for k in order:
            add(k, results[k])
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}, \
        job.summary


def test_variants_arriving_in_any_order_give_the_print_jobs_of_a_run_in_order(tmp_path, monkeypatch):
    batch = make_batch(count=5, seed=12)
    work = Work(batch, DocumentOptions(), [printed.PDF])
    in_order, summary = write(tmp_path / "a", batch, [0, 1, 2, 3, 4], work)
    shuffled, shuffled_summary = write(tmp_path / "b", batch, [3, 0, 4, 2, 1], work)
    assert shuffled == in_order
    assert (shuffled_summary.files, shuffled_summary.pages) == (summary.files, summary.pages)
    assert summary.files == 10 + 3
    monkeypatch.setattr(printed, "VARIANTS_PER_PRINT_JOB", 2)
    parts, summary = write(tmp_path / "c", batch, [4, 1, 0, 3, 2], work)
    assert sorted(name for name in parts if "/" not in name) == [
        f"{stem}-{a}-{b}.pdf" for stem in ("answer-keys", "grading-sheet", "handouts")
        for a, b in (("01", "02"), ("03", "04"), ("05", "05"))]
    assert summary.files == 10 + 9
    # each part's grading sheet has the rows of its own variants
    sheet = text(tmp_path / "c" / "grading-sheet-03-04.pdf")
    assert [code in sheet for code in batch.codes] == [False, False, True, True, False]
