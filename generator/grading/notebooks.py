"""Students' saved notebooks as responses for the grader.

A notebook is read, never run: a student's code is not trusted. Each answer is the text its
cell showed when the student last ran it (the cell ends with the variable's name, so the
saved output is the value); a cell never run, or run while still ``None``, or that stopped
with an error, has no answer. The variant comes from the metadata the generator wrote.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ..exchange.notebookmeta import METADATA_KEY
from .responses import MAX_RESPONSES, Reading, Refused, Response, ResponsesError, clip


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _answer_of(cell, answers: dict[str, str]) -> str | None:
    """Which answer a code cell holds: the generator marks it in the cell's metadata; a cell
    the student copied or retyped still ends with the variable's name."""
    name = cell.get("metadata", {}).get(METADATA_KEY, {}).get("answer")
    if name in answers:
        return name
    lines = [line.strip() for line in _text(cell.get("source", "")).splitlines() if line.strip()]
    by_variable = {var: name for name, var in answers.items()}
    return by_variable.get(lines[-1]) if lines else None


# A student's notebook is tens of kilobytes; with plots a few megabytes.
MAX_NOTEBOOK_BYTES = 16 * 2**20


# numpy 2 shows its scalars as ``np.float64(0.7616)``: a student who used np.tanh means 0.7616.
_NUMPY_SCALAR = re.compile(r"(?:np|numpy)\.(?:float|int)\d*\((.*)\)", re.DOTALL)


def _shown(cell) -> str | None:
    """The value a cell showed when the student ran it, or None: the cell's result (its last
    line, the variable's name), else the last line it displayed or printed (``print(z1)``). A
    worked example comes with its output but was never run (no execution count): that is the
    generator's, not theirs. A cell that stopped with an error shows no value."""
    outputs = [o for o in cell.get("outputs", []) if isinstance(o, dict)]
    if any(o.get("output_type") == "error" for o in outputs):
        return None
    ran = isinstance(cell.get("execution_count"), int)
    text = None
    for output in outputs:
        kind = output.get("output_type")
        if kind == "execute_result" and isinstance(output.get("execution_count"), int):
            text = _text(output.get("data", {}).get("text/plain", "")).strip()
            break
        if ran and kind == "display_data" and "text/plain" in output.get("data", {}):
            text = _last_line(output["data"]["text/plain"]) or text
        elif ran and kind == "stream" and output.get("name") == "stdout":
            text = _last_line(output.get("text", "")) or text
    if text and (match := _NUMPY_SCALAR.fullmatch(text)):
        text = match.group(1).strip()
    return clip(text) if text and text != "None" else None


def _last_line(value) -> str | None:
    lines = [line.strip() for line in _text(value).splitlines() if line.strip()]
    return lines[-1] if lines else None


def _read(path: Path, folder: Path) -> str:
    """A notebook file's text: a regular file inside ``folder`` (a symbolic link may point
    within it, not out: a link to the teacher's solution is no submission), at most
    ``MAX_NOTEBOOK_BYTES``. Opened without blocking, so that a FIFO cannot hang the run."""
    if path.is_symlink() and not path.resolve().is_relative_to(folder.resolve()):
        raise ValueError("is a symbolic link out of the folder; not read")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        raise ValueError(f"cannot be read ({e.strerror or e})") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ValueError("is not a regular file; not read")
    with os.fdopen(fd, "rb") as f:
        data = f.read(MAX_NOTEBOOK_BYTES + 1)
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB; not read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("is not UTF-8 text, so not a Jupyter notebook") from None


def read_notebook(path: Path, folder: Path | None = None) -> Response:
    """One saved notebook as a ``Response``; ``ValueError`` says why it cannot be read."""
    text = _read(path, path.parent if folder is None else folder)
    try:
        return _response(path, text)
    except (TypeError, AttributeError, KeyError, RecursionError):
        # A hand-edited file whose parts have the wrong shapes (cells that are no list, a
        # cell that is no object, a nesting deeper than the parser goes).
        raise ValueError("is not a Jupyter notebook (its parts have the wrong shapes)") from None


def _response(path: Path, text: str) -> Response:
    import nbformat  # ~0.1 s that only reading notebooks needs, not every start of the command

    try:
        # Parsed, not validated: validation would log every oddity of a hand-edited file,
        # and nothing below needs more than the cells' sources and outputs.
        notebook = nbformat.reader.reads(text)
        if notebook.get("nbformat") != 4:
            notebook = nbformat.convert(notebook, 4)
    except Exception:  # nbformat's converters fail on odd files in many ways (an
        # UnboundLocalError for a notebook without "nbformat"): any of them means not a notebook.
        raise ValueError("is not a Jupyter notebook") from None
    if not isinstance(notebook, dict):
        raise ValueError("is not a Jupyter notebook")
    metadata = notebook.get("metadata", {})
    ours = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    if not isinstance(ours, dict) or not isinstance(ours.get("answers"), dict):
        raise ValueError("is not a notebook from gen-worksheets (no variant in its metadata)")
    if ours.get("notebook") == "solution":
        raise ValueError("is a solution notebook (the teacher's key), not a student's; not graded")
    answers = {str(k): str(v) for k, v in ours["answers"].items()}
    variant = ours.get("variant")
    cells: dict[str, str] = {}
    for cell in notebook.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        name = _answer_of(cell, answers)
        shown = _shown(cell) if name else None
        if shown is not None:
            cells[name] = shown  # a later cell for the same answer wins: it is further down
    student = metadata.get("student") or ours.get("student") or path.stem
    return Response(
        where=path.name,
        student=clip(str(student).strip()),
        code=clip(str(ours.get("code", ""))),
        variant=variant if isinstance(variant, int) and not isinstance(variant, bool) else None,
        cells=cells,
    )


def read_notebooks(folder: Path) -> Reading:
    """Every ``*.ipynb`` in ``folder`` (not its subfolders, so Jupyter's checkpoints stay out),
    in file-name order, and a refusal for each file that could not be read."""
    responses, refused = [], []
    paths = sorted(Path(folder).glob("*.ipynb"))
    if len(paths) > MAX_RESPONSES:
        raise ResponsesError(f"{folder} holds {len(paths)} notebooks; at most {MAX_RESPONSES} are graded at once")
    for path in paths:
        try:
            responses.append(read_notebook(path, Path(folder)))
        except ValueError as e:
            refused.append(Refused(path.name, str(e)))
    return Reading(tuple(responses), tuple(refused))
