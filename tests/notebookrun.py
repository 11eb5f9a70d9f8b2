"""Running notebooks on a real Jupyter kernel (nbclient + ipykernel), and reading what they show.

One kernel serves a whole test module (its namespace is reset before each notebook): starting a
kernel costs a second or two, running a notebook on a warm one a fraction of that.
"""

import copy

from jupyter_client.manager import KernelManager
from nbclient import NotebookClient


def kernel_fixture():
    """A module-scoped fixture: ``kernel(nb, allow_errors=False)`` runs ``nb`` and returns a copy."""
    km = KernelManager(kernel_name="python3")
    km.start_kernel()
    try:
        yield lambda nb, allow_errors=False: _execute(km, nb, allow_errors)
    finally:
        km.shutdown_kernel(now=True)


def _execute(km, nb, allow_errors):
    """``nb`` run top to bottom on the kernel, in a fresh namespace; a copy is returned."""
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        kc.execute_interactive("%reset -f", timeout=60)
    finally:
        kc.stop_channels()
    client = NotebookClient(copy.deepcopy(nb), km=km, timeout=120, allow_errors=allow_errors)
    try:
        return client.execute()
    finally:
        if client.kc is not None:
            client.kc.stop_channels()


def answer_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and "answer" in c.metadata.get("gen_worksheets", {})]


def result_text(cell):
    (out,) = [o for o in cell.outputs if o.output_type == "execute_result"]
    return out.data["text/plain"]


def check_report(nb):
    """The check cell's printout: quantity -> status, and the count line."""
    cell = nb.cells[-1]
    assert cell.id == "check"
    assert not [o for o in cell.outputs if o.output_type == "error"], "the check cell raised"
    text = "".join(o.text for o in cell.outputs if o.output_type == "stream")
    *lines, count = text.strip().splitlines()
    return dict(line.split(maxsplit=1) for line in lines), count


def filled(student, values, decimals=None):
    """The student notebook with every None replaced by a value (rounded to ``decimals``)."""
    nb = copy.deepcopy(student)
    for cell in answer_cells(nb):
        if cell.source.split("=", 1)[1].lstrip().startswith("None"):
            var = cell.source.split(" ", 1)[0]
            value = values[cell.metadata["gen_worksheets"]["answer"]]
            literal = repr(value) if decimals is None else f"{value:.{decimals}f}"
            cell.source = f"{var} = {literal}\n{var}"
    return nb
