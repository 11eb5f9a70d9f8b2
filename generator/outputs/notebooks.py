"""The ``ipynb`` driver: Jupyter notebooks, the course's own medium. A student notebook per
variant, laid out cell for cell like the course notebook, and its solution notebook, filled in
and executed.

Every expression comes from the exercise's graph (``formulas.python``) and its functions (the
imports, the loss function); the given data are written as the course's 1-indexed accessor
functions. The solution's outputs are what its own
cells print: its code is run here, in a plain namespace, the way a kernel runs it (same
interpreter, same ``math.tanh``), and each value is checked against the solver before it is
stored. The check cell holds salted one-way hashes of the answers rounded to ``decimals``,
never the answers.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

from .. import numbertext
from ..exchange.answers import GENERATOR
from ..exchange.notebookmeta import LOSS_VALUE, METADATA_KEY, variables
from ..exercise import formulas
from ..exercise.batch import Batch
from ..render.sheets import Group, Sheet, sheet
from ..render.templates import DocumentOptions, TemplateError
from .base import Job, Output, Variant, Work

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
NBFORMAT, NBFORMAT_MINOR = 4, 5  # 4.5: the first with cell ids, which we fix for deterministic files
LINE_WIDTH = 88
HASH_LENGTH = 16  # hex digits kept of each SHA-256: 64 bits, no false match in practice
# A stored output may differ from the solver's float in the last bits (another order of
# operations); more than this is a bug, not rounding.
OUTPUT_AGREEMENT = 1e-9

def check_hash(code: str, var: str, units: int) -> str:
    """The stored hash of an answer: salted with the variant's code and the variable, of the
    answer rounded to ``decimals`` and written as a whole number of units of the last place."""
    return hashlib.sha256(f"{code}|{var}|{units}".encode()).hexdigest()[:HASH_LENGTH]


def rounded_units(value: float, decimals: int) -> int:
    """``value`` rounded to ``decimals`` places as printed (``numbertext.answer``), in units of
    the last place: 0.7616 -> 7616 at 4 decimals."""
    return int(numbertext.fixed(value, decimals).replace(".", ""))


def check_window(tolerance: float, decimals: int) -> int:
    """How far from the rounded key the check accepts, in thousandths of a unit of the last
    place, rounded up: the answer's tolerance plus half a unit (the key itself lies within
    half a unit of its rounding), so the check never refuses what the grader accepts."""
    return math.ceil((tolerance + 0.5 * 10.0**-decimals) * 10**decimals * 1000) + 1


# The check cell. Its wording comes in as string literals from the catalog; the rest is
# code, the same in every language.
_CHECK = '''\
import hashlib
import math
import numbers

_CODE, _DECIMALS = {code!r}, {decimals}
_ANSWERS = (
{answers}
)
_NOT_DONE, _COUNT = {not_done!r}, {count!r}


def _matches(name, value, window, digest):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not abs(value) < 1e100:
        return False
    scaled = float(value) * 10**_DECIMALS * 1000
    for units in range(math.ceil((scaled - window) / 1000), math.floor((scaled + window) / 1000) + 1):
        if hashlib.sha256(f"{{_CODE}}|{{name}}|{{units}}".encode()).hexdigest()[:{length}] == digest:
            return True
    return False


_correct = _not_done = 0
for _name, _window, _digest in _ANSWERS:
    _value = globals().get(_name)
    if _value is None:
        _not_done += 1
        _status = _NOT_DONE
    elif _matches(_name, _value, _window, _digest):
        _correct += 1
        _status = "✓"
    else:
        _status = "✗"
    print(f"{{_name:<{width}}}  {{_status}}")
print(_COUNT.format(correct=_correct, total=len(_ANSWERS), not_done=_not_done))
'''


@dataclass(frozen=True)
class _Cell:
    """One cell of both notebooks. An answer cell has the solution's ``source`` and, unless
    it is a worked example, the student's placeholder."""

    id: str
    kind: str  # markdown, code
    source: str
    answer: str = ""  # answers.json's name, for an answer cell
    student_source: str = ""  # a non-worked answer cell's placeholder
    locked: bool = False  # the check cell: not to be edited or deleted by accident

    @property
    def worked(self) -> bool:
        return bool(self.answer) and not self.student_source


def _lines(text: str) -> list[str]:
    """Text as nbformat stores it: a list of lines, each keeping its newline."""
    return text.splitlines(True)


def _tex(name: str) -> str:
    """LaTeX for a quantity: ``q_1``, ``V_{11}``, ``L'_{q_1}``, ``\\hat y``."""
    if name.startswith("L_partial_"):
        return f"L'_{{{_tex(name.removeprefix('L_partial_'))}}}"
    if name == "y_pred":
        return r"\hat y"
    letter, _, index = name.partition("_")
    return f"{letter}_{{{index}}}" if len(index) > 1 else name


def _tuple(values) -> str:
    """A Python tuple literal of given numbers, as a teacher types them: ``(1,)``, ``(-0.5, 2)``."""
    items = [v if isinstance(v, str) else repr(numbertext.plain(v)) for v in values]
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _wrap(target: str, rhs: str) -> str:
    """``target = rhs``; when too long, in parentheses over several lines, broken at its
    arguments and sums, the outermost first (the loss after the update is the whole forward
    pass in one expression)."""
    line = f"{target} = {rhs}"
    return line if len(line) <= LINE_WIDTH else f"{target} = (\n    {_broken(rhs, 4)}\n)"


def _top_level(expr: str, sep: str) -> list[str]:
    """``expr`` split at ``sep`` outside any parentheses."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(expr):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and expr.startswith(sep, i):
            parts.append(expr[start:i])
            start = i + len(sep)
    return parts + [expr[start:]]


def _broken(expr: str, indent: int) -> str:
    if indent + len(expr) <= LINE_WIDTH:
        return expr
    pad = "\n" + " " * indent
    args = _top_level(expr, ", ")
    if len(args) > 1:
        return ("," + pad).join(_broken(a, indent) for a in args)
    terms = _top_level(expr, " + ")
    if len(terms) > 1:
        return (pad + "+ ").join(_broken(t, indent + 2) for t in terms)
    # One product or call: open its widest parenthesis.
    groups, depth, opened = [], 0, 0
    for i, char in enumerate(expr):
        if char == "(":
            depth += 1
            opened = i if depth == 1 else opened
        elif char == ")":
            depth -= 1
            if depth == 0:
                groups.append((i - opened, opened, i))
    if not groups:
        return expr
    _, start, end = max(groups)
    inner = _broken(expr[start + 1 : end], indent + 4)
    return f"{expr[: start + 1]}{pad}    {inner}{pad}{expr[end:]}"


class NotebookMaker:
    """Builds one batch's notebooks; make one per process and call it per variant."""

    def __init__(self, batch: Batch, options: DocumentOptions, catalog: dict):
        self.batch = batch
        self.options = options
        self.catalog = catalog
        self.exercise = batch.exercise
        self.layout = batch.layout
        self.answers = batch.solution.answers()
        self.formulas = {f.name: f for f in formulas.graph(self.exercise)}
        self.vars = variables(self.layout)
        try:  # the check cell fills it in the student's kernel: a bad override must fail here
            self._text("nb_check_count").format(correct=1, total=1, not_done=0)
        except (KeyError, IndexError, ValueError) as e:
            raise TemplateError(f"lang/{options.lang}.json: 'nb_check_count' may use only {{correct}}, {{total}} "
                                f"and {{not_done}} ({type(e).__name__}: {e})") from None

    def _text(self, key: str):
        try:
            return self.catalog[key]
        except KeyError:
            raise TemplateError(f"lang/{self.options.lang}.json has no wording for {key!r}, "
                                "which the notebooks need") from None

    def _member_text(self, key: str, member: str) -> str:
        """The wording of one member of the exercise's functions (a loss, an activation)."""
        words = self._text(key)
        if not isinstance(words, dict) or not isinstance(words.get(member), str):
            raise TemplateError(f"lang/{self.options.lang}.json has no wording for {member!r} in {key!r}, "
                                "which the notebooks need")
        return words[member]

    def _fill(self, key: str, **values) -> str:
        # Placeholders by name only: the wording is Markdown with LaTeX braces of its own.
        text = self._text(key)
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    def _math_list(self, names) -> str:
        items = [f"${_tex(n)}$" for n in names]
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + self._text("and") + items[-1]

    @cached_property
    def _placeholder(self) -> str:
        return f"None  # {self._text('nb_replace')}"

    # --- the cells, in the course notebook's order -----------------------------------------

    def cells(self, view: Sheet) -> list[_Cell]:
        layout, t = self.layout, self._text
        k = view.number - 1
        markdown_count = 0

        def md(text: str) -> _Cell:
            nonlocal markdown_count
            markdown_count += 1
            return _Cell(f"md-{markdown_count:02d}", "markdown", text)

        def answers(group: Group) -> list[_Cell]:
            out = []
            for step in group.steps:
                var = self.vars[step.name]
                rhs = formulas.python(self.exercise, self.formulas[step.name])
                out.append(_Cell(f"answer-{step.name}", "code", f"{_wrap(var, rhs)}\n{var}", step.name,
                                 "" if step.worked else f"{var} = {self._placeholder}\n{var}"))
            return out

        title = self.options.title or t("title")
        cells = [
            md(f"# {title}\n\n### {self._fill('variant', n=view.number)} · {view.code}\n\n{t('nb_intro')}"),
            _Cell("imports", "code", self._imports()),
            md(self._fill("nb_init", w=self._math_list(layout.weight_letters),
                          loss=self._member_text("nb_loss_name", self.exercise.loss.name)) + "\n\n" + t("nb_indexing")
               + ("\n\n" + self._fill("nb_bias_indexing", w=f"`{layout.weight_letters[0]}(0, 1)`",
                                        b=f"${_tex(layout.weight_names(0)[0])}$",
                                        z=f"${_tex(layout.neuron_names(0)[0])}$")
                  if layout.bias else "")),
            _Cell("given", "code", self._given(k)),
            md(f"# {t('nb_forward')}"),
        ]
        for group in view.forward:
            if group.kind == "forward_layer":
                cells.append(md(self._fill("nb_layer_neurons", ord=t("nb_ordinals_in")[group.layer_index])))
                cells += answers(group)
                letter = group.layer
                names = ", ".join(self.vars[s.name] for s in group.steps)
                names = f"{names}," if len(group.steps) == 1 else names
                cells.append(_Cell(f"accessor-{letter}", "code", self._accessor(letter, f"({names})")))
            elif group.kind == "output":
                cells += [md(t("nb_output"))] + answers(group)
            else:
                cells += [md(self._fill("nb_loss", v=f"`{LOSS_VALUE}`"))] + answers(group)

        cells += [md(f"# {t('nb_backward')}"), md(f"### {t('preparation')}")] + answers(view.preparation)
        for from_end, layer in enumerate(view.backward):
            heading = t("layer_from_end")[from_end].replace("{ord}", t("ordinals")[layer.number - 1])
            cells.append(md(f"### {heading}"))
            for group in layer.groups:
                cells.append(md(f"**{t(group.kind)}** {self._point_text(group, layer.is_last)}"))
                cells += answers(group)
        first_update = formulas.updated(layout.weight_names(0)[0])
        cells += [md(f"# {t('nb_after')}\n\n" + self._fill("nb_after_text", v=f"`{first_update}`"))]
        cells += answers(view.after)
        cells += [md(f"# {t('nb_check')}\n\n" + self._fill("nb_check_text", d=self.batch.decimals)),
                  _Cell("check", "code", self._check(k), locked=True)]
        return cells

    def _point_text(self, group: Group, is_last: bool) -> str:
        layout, layer = self.layout, group.layer_index
        inputs = [formulas.neuron_name(layout, layer, i) for i in range(layout.sizes[layer])]
        letter = f"${group.layer}$"
        if group.kind == "point1":
            if is_last:
                # "$q_1, q_2$ and $\hat y$", as the course writes it
                return self._fill("nb_point1_last", w=letter, n=f"${', '.join(map(_tex, inputs))}$")
            fed = [formulas.partial(formulas.neuron_name(layout, layer + 1, j)) for j in range(layout.sizes[layer + 1])]
            return self._fill("nb_point1", w=letter, p=self._math_list(fed))
        if group.kind == "point2":
            return self._fill("nb_point2_last" if is_last else "nb_point2", n=self._math_list(inputs))
        first = f"`{group.steps[0].name}`"
        if is_last:
            weights = self._math_list(layout.weight_names(layer))
            return self._fill("nb_point3_last", w=weights) + "\n\n" + self._fill("nb_update_note", v=first)
        return self._fill("nb_point3", w=letter)

    def _imports(self) -> str:
        """What the exercise's functions need from math, and the ones the notebook defines."""
        ex = self.exercise
        names = dict.fromkeys(name for f in (ex.activation, ex.output, ex.loss) for name in f.python_math)
        parts = [f"from math import {', '.join(names)}"] if names else []
        parts += list(dict.fromkeys(f.python_definition for f in (ex.activation, ex.output) if f.python_definition))
        return "\n\n\n".join(parts)

    def _accessor(self, name: str, literal: str, matrix: bool = False) -> str:
        """The course's 1-indexed accessor of a tuple (``x(i)``, ``z(i)``) or of a weight matrix
        (``W(i, j)``). With biases, row 0 of a matrix is theirs, and every accessor refuses an
        index it has no value for: Python would read index 0 of a 1-indexed tuple as the last."""
        table = f"{name}_indexing_from_0"
        if not self.layout.bias:
            index = "[i - 1][j - 1]" if matrix else "[i - 1]"
            return f"def {name}({'i, j' if matrix else 'i'}):\n    {table} = {literal}\n    return {table}{index}"
        if matrix:
            message = self._fill("nb_index_error", f=name, args="{i}, {j}", first="0")
            return (f"def {name}(i, j):\n    {table} = {literal}  # row 0: the biases\n"
                    f"    if not (0 <= i < len({table}) and 1 <= j <= len({table}[0])):\n"
                    f"        raise IndexError({message!r}.format(i=i, j=j))\n"
                    f"    return {table}[i][j - 1]")
        message = self._fill("nb_index_error", f=name, args="{i}", first="1")
        return (f"def {name}(i):\n    {table} = {literal}\n"
                f"    if not 1 <= i <= len({table}):\n"
                f"        raise IndexError({message!r}.format(i=i))\n"
                f"    return {table}[i - 1]")

    def _given(self, k: int) -> str:
        """The given data as the course writes them: 1-indexed accessor functions."""
        givens = self.batch.givens
        parts = [self._accessor("x", _tuple(givens.x[k])), f"y = {numbertext.plain(givens.y[k])!r}"]
        for letter, w in zip(self.layout.weight_letters, givens.weights):
            parts.append(self._accessor(letter, _tuple([_tuple(row) for row in w[k]]), matrix=True))
        parts.append(f"\ndef L(y, y_pred):\n    return {self.exercise.loss.python}")
        parts.append(f"lr = {numbertext.plain(givens.lr[k])!r}")
        return "\n\n".join(parts)

    def _check(self, k: int) -> str:
        decimals, code = self.batch.decimals, self.batch.codes[k]
        rows = []
        for name, var in self.vars.items():
            units = rounded_units(float(self.answers[name][k]), decimals)
            window = check_window(float(self.batch.tolerances[name][k]), decimals)
            rows.append(f"    ({var!r}, {window}, {check_hash(code, var, units)!r}),")
        return _CHECK.format(code=code, decimals=decimals, answers="\n".join(rows),
                             not_done=self._text("nb_check_not_done"), count=self._text("nb_check_count"),
                             length=HASH_LENGTH, width=max(map(len, self.vars.values())))

    # --- running the solution and writing both notebooks ----------------------------------

    def _run(self, cells: list[_Cell], k: int) -> dict[str, list]:
        """Every code cell's outputs, running the solution's code as a kernel would."""
        namespace: dict = {"__name__": "__main__"}
        outputs: dict[str, list] = {}
        for count, cell in enumerate((c for c in cells if c.kind == "code"), start=1):
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(compile(cell.source, f"<cell {cell.id}>", "exec"), namespace)  # our own code
            out = []
            if printed.getvalue():
                out.append({"name": "stdout", "output_type": "stream", "text": _lines(printed.getvalue())})
            if cell.answer:
                value = namespace[self.vars[cell.answer]]
                key = float(self.answers[cell.answer][k])
                if not abs(value - key) <= OUTPUT_AGREEMENT * max(1.0, abs(key)):
                    raise RuntimeError(f"variant {k + 1}: the notebook computes {cell.answer} = {value!r}, "
                                       f"the solver {key!r}")
                out.append({"data": {"text/plain": _lines(repr(value))}, "execution_count": count, "metadata": {},
                            "output_type": "execute_result"})
            outputs[cell.id] = out
        return outputs

    def _notebook(self, cells: list[_Cell], k: int, outputs: dict[str, list], solution: bool) -> str:
        """The notebook as nbformat writes it (4.5, cell ids, one-space indent, sorted keys).
        Built as plain data: nbformat's node helpers validate every node against the schema,
        which took nine tenths of the time; the tests validate every notebook instead."""
        metadata = {
            "kernelspec": KERNELSPEC,
            "language_info": {"name": "python"},
            METADATA_KEY: {
                "generator": GENERATOR,
                "notebook": "solution" if solution else "student",
                "variant": k + 1,
                "code": self.batch.codes[k],
                "layers": list(self.layout.sizes),
                "decimals": self.batch.decimals,
                "lang": self.options.lang,
                "answers": self.vars,
            },
        }
        out = []
        count = 0
        for cell in cells:
            if cell.kind == "markdown":
                out.append({"cell_type": "markdown", "id": cell.id, "metadata": {}, "source": _lines(cell.source)})
                continue
            count += 1
            meta: dict = {}
            if cell.answer:
                meta = {"deletable": False, METADATA_KEY: {"answer": cell.answer, "worked": cell.worked}}
            elif cell.locked:
                meta = {"deletable": False, "editable": False, "jupyter": {"source_hidden": True}}
            source, shown, executed = cell.student_source or cell.source, [], None
            if solution:
                source, shown, executed = cell.source, outputs[cell.id], count
            elif cell.worked:
                # As in the course: the worked example's output is shown, though nothing was run.
                shown = [{**o, "execution_count": None} for o in outputs[cell.id]]
            out.append({"cell_type": "code", "execution_count": executed, "id": cell.id, "metadata": meta,
                        "outputs": shown, "source": _lines(source)})
        notebook = {"cells": out, "metadata": metadata, "nbformat": NBFORMAT, "nbformat_minor": NBFORMAT_MINOR}
        return json.dumps(notebook, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False) + "\n"

    def __call__(self, k: int, view: Sheet | None = None) -> tuple[str, str]:
        """Variant ``k``'s (0-based) student notebook and solution notebook, as JSON text."""
        view = view or sheet(self.batch, k, self.answers, self.options.worked_examples)
        cells = self.cells(view)
        outputs = self._run(cells, k)
        return self._notebook(cells, k, outputs, solution=False), self._notebook(cells, k, outputs, solution=True)


def _maker(work: Work) -> NotebookMaker:
    return NotebookMaker(work.batch, work.options, work.renderer.catalog)


class Ipynb(Output):
    name = "ipynb"
    folders = ("notebooks", "keys")  # the students' in a folder of their own; the solutions with the keys
    per_variant = True

    def render(self, variant: Variant) -> tuple[str, str]:
        return variant.work.tool(self.name, _maker)(variant.k, variant.view)

    @contextmanager
    def collect(self, job: Job) -> Iterator[Callable[[int, object], None]]:
        def add(k: int, result) -> None:
            notebook, solution = result
            (job.folder / "notebooks" / f"{job.names[k]}.ipynb").write_text(notebook, encoding="utf-8")
            (job.folder / "keys" / f"{job.names[k]}-solution.ipynb").write_text(solution, encoding="utf-8")
            job.summary.files += 2

        yield add


IPYNB = Ipynb()
