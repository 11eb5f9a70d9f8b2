"""A student's feedback page as HTML, for the tests that compare our documents' PDFs or trees
with WeasyPrint's own: right answers, a wrong one, an unreadable one, a blank."""

from generator.exchange.answers import answers_json, parse
from generator.grading.report import mark
from generator.grading.responses import Reading, Response
from generator.outputs.feedback import feedback_view


def feedback_html(renderer, batch, show_answers):
    key = parse(answers_json(batch))
    names = key.layout.answer_names
    cells = {name: f"{key.values[name][0]:.4f}" for name in names}
    cells[names[1]], cells[names[4]], cells[names[9]] = "7.5", "zwei", ""
    report = mark(Reading((Response("row 2", "Вера", key.codes[0], None, cells),)), key)
    return renderer.feedback_html(feedback_view(report, 0, show_answers))
