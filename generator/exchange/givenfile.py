"""Reading given values from a ``--given`` JSON file.

The file holds one object ``{"x": [...], "y": ..., "W": [[...]], "U": ..., "V": ..., "lr": ...}``
(matrix rows are the first index; with biases, row 0 of each matrix holds them), a list of
them, or a whole answers.json (its variants' ``given`` objects). ``lr`` may be left out; the
command's ``--lr`` is used then. The exercise's functions (``activation``, ``output``, ``loss``,
``bias``) may be named in each object or at the top of an answers.json, or left to the options.

Every number is bounded (``MAX_ABS_GIVEN``, ``lr`` in (0, ``MAX_LR``]): beyond them tanh,
the loss and the printed key stop meaning anything, and the float arithmetic overflows.
A file holds at most ``MAX_VARIANTS`` variants; parsing stops as soon as it has more.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from .. import utf8
from ..exercise.description import COURSE, Exercise, ExerciseError
from ..exercise.functions import ACTIVATIONS, LOSSES, OUTPUTS
from ..exercise.layout import MAX_NEURONS, MAX_WEIGHT_LAYERS, MIN_WEIGHT_LAYERS, Layout, LayoutError
from ..exercise.solver import Givens

_WEIGHT_ORDER = ("W", "U", "T", "V")
MAX_VARIANTS = 10_000  # as --count
# Every given number but lr. Beyond 50, rounding in the gradients of a 4-layer network
# (terms of 1e7 and more) approaches the self-check's tolerance; tanh is saturated long before.
MAX_ABS_GIVEN = 50.0
MAX_LR = 10.0
MAX_FILE_BYTES = 128 * 2**20  # 10,000 variants of 4-4-4-4-1 as answers.json: about 60 MB


class GivenError(ValueError):
    """The given values are not a valid exercise; the message names the field."""


def _number(value: Any, where: str, limit: float = MAX_ABS_GIVEN) -> float:
    # bool is an int to Python, but `true` is no weight.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise GivenError(f"{where} must be a number, got {_short(json.dumps(value))}")
    if isinstance(value, float) and not math.isfinite(value):
        raise GivenError(f"{where} must be a finite number, got {value}")
    if not -limit <= value <= limit:  # compared before float(): a 401-digit int overflows it
        raise GivenError(f"{where} must be between {-limit:g} and {limit:g}, got {_short(str(value))}")
    return float(value)


def _short(text: str) -> str:
    return text if len(text) <= 20 else f"{text[:12]}... ({len(text)} characters)"


def check_lr(value: float, where: str) -> float:
    """A learning rate the exercise can use: in (0, ``MAX_LR``]."""
    if not 0 < value <= MAX_LR:
        raise GivenError(f"{where} must be greater than 0 and at most {MAX_LR:g}, got {_short(f'{value:g}')}")
    return value


# The fields that name the exercise, and what each may be.
EXERCISE_FIELDS = {"activation": tuple(ACTIVATIONS), "output": tuple(OUTPUTS), "loss": tuple(LOSSES),
                   "bias": (False, True)}


def exercise_fields(obj: dict, where: str) -> dict:
    """The exercise's fields ``obj`` names, checked."""
    out = {}
    for field, choices in EXERCISE_FIELDS.items():
        if field in obj:
            value = obj[field]
            if field == "bias" and not isinstance(value, bool) or field != "bias" and value not in choices:
                shown = "true or false" if field == "bias" else ", ".join(choices)
                raise GivenError(f"{where}.{field} must be one of {shown}, got {_short(json.dumps(value))}")
            out[field] = value
    return out


def _matrix(value: Any, where: str, rows: int, bias: bool = False) -> np.ndarray:
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        raise GivenError(f"{where} must be a matrix: a list of rows, each a list of numbers")
    if len(value) != rows:
        per = "row 0 for the biases, then one per neuron of the layer before" if bias else \
            "one per neuron of the layer before"
        raise GivenError(f"{where} must have {rows} rows ({per}), got {len(value)}")
    cols = len(value[0])
    if any(len(r) != cols for r in value):
        raise GivenError(f"{where}: every row must have the same length")
    if not 1 <= cols <= MAX_NEURONS:  # its columns are the next layer's neurons
        raise GivenError(f"{where} must have 1 to {MAX_NEURONS} columns (one per neuron of its layer), got {cols}")
    first = 1 - bias  # the biases' row is row 0
    return np.array([[_number(v, f"{where}[{i + first}][{j + 1}]") for j, v in enumerate(r)]
                     for i, r in enumerate(value)])


def parse_variant(obj: Any, where: str, default_lr: float, bias: bool = False) -> tuple[Layout, np.ndarray]:
    """One given object -> its layout and its row of given numbers (``Givens.flat`` order);
    with ``bias``, each matrix has the biases' row 0 first."""
    if not isinstance(obj, dict):
        raise GivenError(f"{where} must be an object with x, y, W, ..., V and lr")
    letters = [k for k in _WEIGHT_ORDER if k in obj]
    n_layers = len(letters)
    expected = _WEIGHT_ORDER[: n_layers - 1] + ("V",) if n_layers else ()
    unknown = sorted(set(obj) - {"x", "y", "lr"} - set(_WEIGHT_ORDER) - set(EXERCISE_FIELDS))
    if unknown:
        raise GivenError(f"{where}: unknown field {unknown[0]!r} (fields are x, y, W, U, T, V, lr, "
                         f"{', '.join(EXERCISE_FIELDS)})")
    for field in ("x", "y", "V", "W"):
        if field not in obj:
            raise GivenError(f"{where}: field {field!r} is missing")
    if not MIN_WEIGHT_LAYERS <= n_layers <= MAX_WEIGHT_LAYERS or tuple(letters) != expected:
        raise GivenError(f"{where}: weight matrices must be W, V or W, U, V or W, U, T, V; got {', '.join(letters)}")
    x = obj["x"]
    if not isinstance(x, list) or not 1 <= len(x) <= MAX_NEURONS:
        raise GivenError(f"{where}.x must be a list of 1 to {MAX_NEURONS} numbers")
    row = [_number(v, f"{where}.x[{i + 1}]") for i, v in enumerate(x)]
    row.append(_number(obj["y"], f"{where}.y"))
    sizes = [len(x)]
    for letter in letters:
        m = _matrix(obj[letter], f"{where}.{letter}", sizes[-1] + bias, bias)
        sizes.append(m.shape[1])
        row.extend(m.ravel())
    lr = check_lr(_number(obj["lr"], f"{where}.lr", math.inf), f"{where}.lr") if "lr" in obj else default_lr
    row.append(lr)
    try:
        layout = Layout(tuple(sizes), bias)
    except LayoutError as e:
        raise GivenError(f"{where}: {e}") from None
    return layout, np.array(row)


def _object(pairs: list[tuple[str, Any]], counter: list[int]) -> dict:
    """json's object hook: refuses duplicate keys, and stops a file with too many variants
    before it is all in memory (a million variants took 15 GB)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        duplicate = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise GivenError(f"key {duplicate!r} appears twice in one object")
    if "x" in obj:
        counter[0] += 1
        if counter[0] > MAX_VARIANTS:
            raise GivenError(f"the file holds more than {MAX_VARIANTS} variants (at most {MAX_VARIANTS}, as --count)")
    return obj


def parse_file(path: Path, default_lr: float, lr_option: bool = False, names: dict | None = None,
               named_by_options: frozenset[str] = frozenset()) -> Givens:
    """``parse`` of a file; OSError if it cannot be read."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise GivenError(f"the file has {size / 2**20:.0f} MB; at most {MAX_FILE_BYTES // 2**20} MB "
                         f"({MAX_VARIANTS} variants)")
    data = path.read_bytes()
    try:
        text = utf8.decode(data)
    except utf8.NotUtf8 as e:
        raise GivenError(str(e)) from None
    return parse(text, default_lr, lr_option=lr_option, names=names, named_by_options=named_by_options)


def parse(text: str, default_lr: float, lr_option: bool = False, names: dict | None = None,
          named_by_options: frozenset[str] = frozenset()) -> Givens:
    """Every variant of a ``--given`` file's text; all must have the same layer sizes.

    ``lr_option``: ``default_lr`` is the teacher's ``--lr``, so a variant setting its own
    ``lr`` is refused rather than one of the two silently ignored. ``names``: the exercise's
    functions as the options name them (``Exercise.names``; the course's by default); the file
    sets the layout and may name the functions too, but not against those the teacher gave
    (``named_by_options``)."""
    counter = [0]
    try:
        data = json.loads(text, object_pairs_hook=lambda pairs: _object(pairs, counter))
    except GivenError:
        raise
    except json.JSONDecodeError as e:
        raise GivenError(f"not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})") from None
    except RecursionError:
        raise GivenError("not valid given data: lists or objects nested too deeply") from None
    except ValueError as e:  # e.g. an integer of more than 4300 digits
        raise GivenError(f"not valid JSON ({e})") from None
    named: dict = {}  # the exercise's fields the whole file names
    if isinstance(data, dict) and "variants" in data:  # an answers.json
        variants = data["variants"]
        if not isinstance(variants, list) or not all(isinstance(v, dict) and "given" in v for v in variants):
            raise GivenError("'variants' must be a list of objects, each with a 'given' object")
        named = exercise_fields(data, "the file")
        data = [v["given"] for v in variants]
    objects = data if isinstance(data, list) else [data]
    if not objects:
        raise GivenError("the file holds an empty list; give at least one variant")
    if len(objects) > MAX_VARIANTS:
        raise GivenError(f"the file holds {len(objects)} variants; at most {MAX_VARIANTS} (as --count)")
    where = [f"variant {i + 1}" if isinstance(data, list) else "the given object" for i in range(len(objects))]
    if lr_option:
        setting = next((name for name, o in zip(where, objects) if isinstance(o, dict) and "lr" in o), None)
        if setting:
            raise GivenError(f"{setting} sets its own lr: leave out --lr, or remove lr from the file")
    fields = _agreed_fields(objects, where, named, names or COURSE.names, named_by_options)
    try:
        exercise = Exercise.named(**fields)
    except ExerciseError as e:
        raise GivenError(str(e)) from None
    bias = exercise.layout.bias
    parsed = [parse_variant(o, name, default_lr, bias) for name, o in zip(where, objects)]
    layout = parsed[0][0]
    for i, (other, _) in enumerate(parsed):
        if other != layout:
            raise GivenError(f"variant {i + 1} has layers {other.text}, variant 1 has {layout.text}; all must match")
    rows = np.stack([row for _, row in parsed])
    if exercise.loss.binary:
        for name, y in zip(where, rows[:, layout.sizes[0]]):
            if y not in (0, 1):
                raise GivenError(f"{name}.y must be 0 or 1 for the {exercise.loss.name} loss, got {y:g}")
    return Givens.from_flat(replace(exercise, layout=layout), rows)


def _agreed_fields(objects: list, where: list[str], named: dict, options: dict, given: frozenset[str]) -> dict:
    """The exercise's fields: those the file names (every variant alike), the ``options``' for
    the rest; a field the file names and a ``given`` option contradicts is refused."""
    for name, obj in zip(where, objects):
        own = exercise_fields(obj, name) if isinstance(obj, dict) else {}
        for field, value in own.items():
            if named.setdefault(field, value) != value:
                raise GivenError(f"{name} has {field} {json.dumps(value)}, the rest of the file "
                                 f"{json.dumps(named[field])}; all must match")
    fields = dict(options)
    for field, value in named.items():
        if field in given and fields[field] != value:
            raise GivenError(f"the file's {field} is {json.dumps(value)}, --{field} says {json.dumps(fields[field])}: "
                             f"leave out --{field}, or change the file")
        fields[field] = value
    return fields
