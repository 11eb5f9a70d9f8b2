"""A student's feedback page as HTML, for the tests that compare our documents' PDFs or trees
with WeasyPrint's own: right answers, a wrong one, an unreadable one, a blank."""

from generator import export, keyfile, marking
from generator.feedback import feedback_view
from generator.responses import Reading, Response


def feedback_html(renderer, batch, show_answers):
    key = keyfile.parse(export.answers_json(batch))
    names = key.layout.answer_names
    cells = {name: f"{key.values[name][0]:.4f}" for name in names}
    cells[names[1]], cells[names[4]], cells[names[9]] = "7.5", "zwei", ""
    report = marking.mark(Reading((Response("row 2", "Вера", key.codes[0], None, cells),)), key)
    return renderer.feedback_html(feedback_view(report, 0, show_answers))
