"""Reading given values from a ``--given`` JSON file.

The file holds one object ``{"x": [...], "y": ..., "W": [[...]], "U": ..., "V": ..., "lr": ...}``
(matrix rows are the first index), a list of them, or a whole answers.json (its variants'
``given`` objects). ``lr`` may be left out; the command's ``--lr`` is used then.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from .layout import MAX_WEIGHT_LAYERS, MIN_WEIGHT_LAYERS, Layout, LayoutError
from .solver import Givens

_WEIGHT_ORDER = ("W", "U", "T", "V")


class GivenError(ValueError):
    """The given values are not a valid exercise; the message names the field."""


def _number(value: Any, where: str) -> float:
    # bool is an int to Python, but `true` is no weight.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise GivenError(f"{where} must be a number, got {json.dumps(value)}")
    if not math.isfinite(value):
        raise GivenError(f"{where} must be a finite number, got {value}")
    return float(value)


def _matrix(value: Any, where: str, rows: int) -> np.ndarray:
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        raise GivenError(f"{where} must be a matrix: a list of rows, each a list of numbers")
    if len(value) != rows:
        raise GivenError(f"{where} must have {rows} rows (one per neuron of the layer before), got {len(value)}")
    cols = len(value[0])
    if any(len(r) != cols for r in value):
        raise GivenError(f"{where}: every row must have the same length")
    return np.array([[_number(v, f"{where}[{i + 1}][{j + 1}]") for j, v in enumerate(r)] for i, r in enumerate(value)])


def parse_variant(obj: Any, where: str, default_lr: float) -> tuple[Layout, np.ndarray]:
    """One given object -> its layout and its row of given numbers (``Givens.flat`` order)."""
    if not isinstance(obj, dict):
        raise GivenError(f"{where} must be an object with x, y, W, ..., V and lr")
    letters = [k for k in _WEIGHT_ORDER if k in obj]
    n_layers = len(letters)
    expected = _WEIGHT_ORDER[: n_layers - 1] + ("V",) if n_layers else ()
    unknown = sorted(set(obj) - {"x", "y", "lr"} - set(_WEIGHT_ORDER))
    if unknown:
        raise GivenError(f"{where}: unknown field {unknown[0]!r} (fields are x, y, W, U, T, V, lr)")
    for field in ("x", "y", "V", "W"):
        if field not in obj:
            raise GivenError(f"{where}: field {field!r} is missing")
    if not MIN_WEIGHT_LAYERS <= n_layers <= MAX_WEIGHT_LAYERS or tuple(letters) != expected:
        raise GivenError(f"{where}: weight matrices must be W, V or W, U, V or W, U, T, V; got {', '.join(letters)}")
    x = obj["x"]
    if not isinstance(x, list) or not x:
        raise GivenError(f"{where}.x must be a list of numbers")
    row = [_number(v, f"{where}.x[{i + 1}]") for i, v in enumerate(x)]
    row.append(_number(obj["y"], f"{where}.y"))
    sizes = [len(x)]
    for letter in letters:
        m = _matrix(obj[letter], f"{where}.{letter}", sizes[-1])
        sizes.append(m.shape[1])
        row.extend(m.ravel())
    lr = _number(obj["lr"], f"{where}.lr") if "lr" in obj else default_lr
    if lr <= 0:
        raise GivenError(f"{where}.lr must be greater than 0, got {lr:g}")
    row.append(lr)
    try:
        layout = Layout(tuple(sizes))
    except LayoutError as e:
        raise GivenError(f"{where}: {e}") from None
    return layout, np.array(row)


def parse(text: str, default_lr: float) -> Givens:
    """Every variant of a ``--given`` file's text; all must have the same layer sizes."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise GivenError(f"not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})") from None
    if isinstance(data, dict) and "variants" in data:  # an answers.json
        variants = data["variants"]
        if not isinstance(variants, list) or not all(isinstance(v, dict) and "given" in v for v in variants):
            raise GivenError("'variants' must be a list of objects, each with a 'given' object")
        data = [v["given"] for v in variants]
    objects = data if isinstance(data, list) else [data]
    if not objects:
        raise GivenError("the file holds an empty list; give at least one variant")
    parsed = [parse_variant(o, f"variant {i + 1}" if isinstance(data, list) else "the given object", default_lr)
              for i, o in enumerate(objects)]
    layout = parsed[0][0]
    for i, (other, _) in enumerate(parsed):
        if other != layout:
            raise GivenError(f"variant {i + 1} has layers {other.text}, variant 1 has {layout.text}; all must match")
    return Givens.from_flat(layout, np.stack([row for _, row in parsed]))
