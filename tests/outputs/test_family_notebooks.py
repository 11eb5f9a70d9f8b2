"""The notebooks of each member of the exercise family, run on a real Jupyter kernel: the preamble
defines what the course's `math` does not have, biases are row 0 of the weights' accessors, and
every solution runs to the key."""

import json

import nbformat
import pytest

from commands import run_ok
from notebookrun import answer_cells, check_report, filled, kernel_fixture, result_text

kernel = pytest.fixture(scope="module")(kernel_fixture)

MEMBERS = [
    ("en", "2,2,2,1", ("--activation", "sigmoid", "--bias", "--loss", "half-squared")),
    ("ru", "3,2,1", ("--activation", "relu", "--bias")),
    ("en", "2,2,2,1", ("--output", "sigmoid", "--loss", "cross-entropy")),
    ("ru", "2,2,2,2,1", ("--activation", "relu", "--output", "sigmoid", "--loss", "cross-entropy", "--bias")),
]


@pytest.fixture(scope="module", params=MEMBERS, ids=[" ".join(m[2]) + f" {m[1]} {m[0]}" for m in MEMBERS])
def member(request, tmp_path_factory):
    lang, layers, options = request.param
    out = tmp_path_factory.mktemp("family") / "out"
    run_ok("--count", "1", "--seed", "31", "--lang", lang, "--layers", layers, *options, "--format", "ipynb,json",
           "--jobs", "1", "--out", out, "--quiet", "--worked-examples")
    variant = json.loads((out / "answers.json").read_text())["variants"][0]
    student = nbformat.read(out / "notebooks" / "variant-01.ipynb", as_version=4)
    solution = nbformat.read(out / "keys" / "variant-01-solution.ipynb", as_version=4)
    return options, variant, student, solution


def test_the_solution_runs_on_a_kernel_to_the_key(member, kernel):
    _, variant, _, solution = member
    nbformat.validate(solution)
    ran = kernel(solution)
    for stored, cell in zip(answer_cells(solution), answer_cells(ran)):
        name = cell.metadata.gen_worksheets.answer
        assert float(result_text(cell)) == pytest.approx(variant["answers"][name], rel=1e-12, abs=1e-12), name
        assert result_text(cell) == result_text(stored)
    report, _ = check_report(ran)
    assert set(report.values()) == {"✓"} and len(report) == len(variant["answers"])


def test_a_student_who_rounds_every_answer_gets_every_check(member, kernel):
    _, variant, student, _ = member
    report, _ = check_report(kernel(filled(student, variant["answers"], 4)))
    assert set(report.values()) == {"✓"} and len(report) == len(variant["answers"])


def test_the_preamble_and_the_accessors(member, kernel):
    options, variant, _, solution = member
    code = {c.id: c.source for c in solution.cells if c.cell_type == "code"}
    if "sigmoid" in options:
        assert "def sigmoid(s):\n    if s >= 0:\n        return 1 / (1 + exp(-s))" in code["imports"]
        assert code["imports"].startswith("from math import ")
    if "relu" in options:
        assert "def relu(s):\n    return max(0.0, s)" in code["imports"]
    if "cross-entropy" in options:
        assert "log" in code["imports"].splitlines()[0]
        assert "return -(y * log(y_pred) + (1 - y) * log(1 - y_pred))" in code["given"]
    if "half-squared" in options:
        assert "return 0.5 * (y_pred - y) ** 2" in code["given"]
    if "--bias" in options:
        # Row 0 is the biases: W(0, 1) is W_01; an index the network has not is an error, not the last one.
        assert "W(0, 1) + W(1, 1) * x(1)" in code["answer-z_1"]
        probe = nbformat.v4.new_code_cell("probes = []\nfor call in (lambda: x(0), lambda: W(-1, 1), lambda: z(0)):\n"
                                          "    try:\n        call()\n    except IndexError as e:\n"
                                          "        probes.append(str(e))\n(W(0, 1), probes)")
        probed = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code["imports"]),
                                                 nbformat.v4.new_code_cell(code["given"]),
                                                 *[c for c in solution.cells if c.id in ("answer-z_1", "answer-z_2",
                                                                                         "answer-z_3", "accessor-z")],
                                                 probe])
        shown = result_text(kernel(probed).cells[-1])
        bias, probes = eval(shown)
        assert bias == variant["given"]["W"][0][0]
        assert len(probes) == 3 and all("0" in p or "-1" in p for p in probes)
