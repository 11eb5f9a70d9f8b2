"""gen-worksheets: printable backpropagation exercises, a different variant per student.

The library behind the command, by stage (each a package): ``exercise`` (the mathematics:
draw, solve, check a batch), ``exchange`` (the files the generator writes and the grader
reads), ``render`` (templates, HTML, PDF), ``outputs`` (a driver per ``--format``), ``grading``
(responses in, marks out) and ``cli`` (the command). The names below are its public surface::

    from generator import make_batch, write_batch, DocumentOptions
    batch = make_batch(count=30, seed=2024)
    write_batch(batch, folder, ["pdf", "json"], DocumentOptions(lang="ru"))

They are loaded on first use, so that importing one stage (reading saved notebooks, say) does
not load the others (Jinja, WeasyPrint).
"""

from importlib import import_module

__version__ = "0.1.0"

_PUBLIC = {
    # the exercise
    "Exercise": "exercise.description", "COURSE": "exercise.description", "Layout": "exercise.layout",
    "TANH": "exercise.functions", "LINEAR": "exercise.functions", "SQUARED": "exercise.functions",
    "Givens": "exercise.solver", "Solution": "exercise.solver", "solve": "exercise.solver",
    "Batch": "exercise.batch", "make_batch": "exercise.batch", "Rules": "exercise.rules",
    # the files between generator and grader
    "parse_given": ("exchange.givenfile", "parse"), "parse_key": ("exchange.answers", "parse"),
    "Key": "exchange.answers", "answers_json": "exchange.answers", "answers_csv": "exchange.answers",
    # documents and every output
    "DocumentOptions": "render.templates", "FORMATS": "outputs", "write_batch": "outputs",
    "GRADE_FORMATS": "outputs", "GradeJob": "outputs", "write_grades": "outputs",
    "grades_csv": "outputs.grades", "grades_json": "outputs.grades",
    # grading
    "Response": "grading.responses", "Reading": "grading.responses",
    "read_responses": ("grading.read", "read"), "read_notebooks": "grading.notebooks",
    "mark": "grading.report", "Report": "grading.report",
    "load_moodle_report": ("grading.moodletable", "load"), "read_moodle_export": ("grading.moodleexport", "read"),
    "regrade": "grading.moodleregrade",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'generator' has no attribute {name!r}")
    module, attribute = _PUBLIC[name] if isinstance(_PUBLIC[name], tuple) else (_PUBLIC[name], name)
    value = getattr(import_module(f".{module}", __name__), attribute)
    globals()[name] = value
    return value
