"""What a notebook from the generator records for the grader: where our metadata sits, and the
notebook's variable for each answer of answers.json.

The notebook writer (``outputs.notebooks``) and the reader of saved notebooks
(``grading.notebooks``) both use it, so reading a notebook needs nothing of the rendering.
"""

from __future__ import annotations

from ..exercise.layout import Layout

METADATA_KEY = "gen_worksheets"  # the notebook's and each answer cell's metadata from us

# The loss value cannot be called ``L``: in the course, ``L(y, y_pred)`` is the loss function.
LOSS_VALUE = "L_value"


def variable(layout: Layout, name: str) -> str:
    """The notebook's variable for an answer of answers.json: hidden neurons as the course
    writes them (``z_1`` -> ``z1``, read back through ``z(1)``), the loss value ``L_value``,
    every other name as it is (``L_partial_V_11``, ``V_11_updated``, ``y_pred``)."""
    if name == "L":
        return LOSS_VALUE
    letter, _, index = name.partition("_")
    if letter in layout.hidden_letters and index.isdigit():
        return letter + index
    return name


def variables(layout: Layout) -> dict[str, str]:
    """answers.json's name -> the notebook's variable, for every answer in the course's order."""
    return {name: variable(layout, name) for name in layout.answer_names}
