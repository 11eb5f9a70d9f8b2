"""answers.json and answers.csv: the machine-readable key the generator writes, and the reader
the grader marks against.

The grader uses only the file, never a batch regenerated from its seed: the key is what the
teacher handed out. Variants are looked up by the numbers and codes the file records.
"""

from __future__ import annotations

import io
import json
import math
import operator
import re
from dataclasses import dataclass, replace
from typing import Any, TextIO

import numpy as np

from .. import __version__, csvcells, numbertext
from ..exercise import tolerance
from ..exercise.batch import Batch
from ..exercise.description import COURSE, Exercise, ExerciseError
from ..exercise.layout import Layout, LayoutError
from ..exercise.solver import Givens, solve
from .givenfile import MAX_VARIANTS, GivenError, exercise_fields, parse_variant

GENERATOR = f"gen-worksheets {__version__}"


# --- writing -------------------------------------------------------------------------------

def _own_fields(exercise: Exercise) -> dict:
    """The exercise's fields where it differs from the course's: what each variant's given data
    name, so that one variant copied out renders the same exercise again."""
    course = replace(COURSE, layout=replace(exercise.layout, bias=False)).names
    return {field: value for field, value in exercise.names.items() if course[field] != value}


def given_dict(batch: Batch, k: int) -> dict:
    """Variant ``k``'s given data (0-based), in the layout of a ``--given`` file."""
    givens, plain = batch.givens, numbertext.plain
    out: dict = {"x": [plain(v) for v in givens.x[k]], "y": plain(givens.y[k])}
    for letter, w in zip(batch.layout.weight_letters, givens.weights):
        out[letter] = [[plain(v) for v in row] for row in w[k]]
    out["lr"] = plain(givens.lr[k])
    return out | _own_fields(batch.exercise)


def _variant_document(batch: Batch, answers: dict[str, np.ndarray], k: int) -> dict:
    return {
        "variant": k + 1,
        "code": batch.codes[k],
        "given": given_dict(batch, k),
        "answers": {name: float(values[k]) for name, values in answers.items()},
        "tolerances": {name: float(values[k]) for name, values in batch.tolerances.items()},
        "check_residual": float(batch.check_residuals[k]),
    }


def _header(batch: Batch) -> dict:
    return {
        "generator": GENERATOR,
        "master_seed": batch.master_seed,
        "layers": list(batch.layout.sizes),
        **batch.exercise.names,
        "decimals": batch.decimals,
    }


def answers_document(batch: Batch) -> dict:
    answers = batch.solution.answers()
    return _header(batch) | {"variants": [_variant_document(batch, answers, k) for k in range(len(batch))]}


# A list holding only numbers, or only such lists: written on one line.
_FLAT_LIST = re.compile(r"\[\s*([^\[\]{}\"]*?)\s*\]")
_LIST_OF_LISTS = re.compile(r"\[\s*((?:\[[^\[\]{}\"]*\],?\s*)+)\]")


def _json(obj) -> str:
    text = json.dumps(obj, indent=1, ensure_ascii=False, allow_nan=False)
    text = _FLAT_LIST.sub(lambda m: "[" + ", ".join(v.strip() for v in m.group(1).split(",")) + "]", text)
    return _LIST_OF_LISTS.sub(lambda m: "[" + ", ".join(re.findall(r"\[[^\]]*\]", m.group(1))) + "]", text)


def write_answers_json(batch: Batch, out: TextIO) -> None:
    """answers.json into ``out``, a variant at a time: the text of ``answers_document`` as
    ``json.dumps(indent=1)`` lays it out, with lists of numbers on one line, never held whole
    (a batch of 100,000 variants is ~3 GB of Python objects as one document)."""
    answers = batch.solution.answers()
    out.write(_json(_header(batch)).removesuffix("\n}") + ',\n "variants": [\n')
    for k in range(len(batch)):
        if k:
            out.write(",\n")
        out.write("\n".join("  " + line for line in _json(_variant_document(batch, answers, k)).split("\n")))
    out.write("\n ]\n}\n")


def answers_json(batch: Batch) -> str:
    buffer = io.StringIO()
    write_answers_json(batch, buffer)
    return buffer.getvalue()


def write_answers_csv(batch: Batch, out: TextIO) -> None:
    """One row per variant: variant, code, the given numbers, the answers, check_residual."""
    layout = batch.layout
    answers = batch.solution.answers()
    writer = csvcells.Writer(out, lineterminator="\n")
    writer.writerow(["variant", "code", *layout.given_names, *answers, "check_residual"])
    given_rows = batch.givens.flat()
    for k in range(len(batch)):
        writer.writerow(
            [k + 1, batch.codes[k]]
            + [repr(numbertext.plain(v)) for v in given_rows[k]]
            + [repr(float(values[k])) for values in answers.values()]
            + [repr(float(batch.check_residuals[k]))]
        )


def answers_csv(batch: Batch) -> str:
    buffer = io.StringIO()
    write_answers_csv(batch, buffer)
    return buffer.getvalue()


# --- reading -------------------------------------------------------------------------------

MIN_DECIMALS, MAX_DECIMALS = 1, 8  # as the generator's --decimals


class KeyFileError(ValueError):
    """Not an answers.json the generator wrote; the message says what is wrong."""


@dataclass(frozen=True)
class Key:
    exercise: Exercise
    decimals: int
    numbers: tuple[int, ...]  # each variant's number, as recorded
    codes: tuple[str, ...]  # each variant's code, as recorded
    values: dict[str, np.ndarray]  # every given number and answer by name, one value per variant
    tolerances: dict[str, np.ndarray]  # per answer, one value per variant
    tolerances_recomputed: bool = False  # the file had none (written before they were recorded)

    @property
    def layout(self) -> Layout:
        return self.exercise.layout

    def __len__(self) -> int:
        return len(self.numbers)

    def by_number(self) -> dict[int, int]:
        """Variant number -> index."""
        return {n: k for k, n in enumerate(self.numbers)}

    def by_code(self) -> dict[str, list[int]]:
        """Code (upper case) -> indices; more than one only in a batch made before codes were
        kept unique."""
        out: dict[str, list[int]] = {}
        for k, code in enumerate(self.codes):
            out.setdefault(code.upper(), []).append(k)
        return out


def _finite(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise KeyFileError(f"{where} must be a finite number, got {json.dumps(value)}")
    return float(value)


def _numbers_by_name(obj: Any, names: tuple[str, ...], where: str, positive: bool = False) -> list[float]:
    if not isinstance(obj, dict):
        raise KeyFileError(f"{where} must be an object with a number per answer")
    missing = [name for name in names if name not in obj]
    if missing:
        raise KeyFileError(f"{where} has no {missing[0]!r}")
    values = [_finite(obj[name], f"{where}.{name}") for name in names]
    if positive and any(v <= 0 for v in values):
        raise KeyFileError(f"{where}: tolerances must be greater than 0")
    return values


def parse(text: str) -> Key:
    """The key in an answers.json's text; ``KeyFileError`` says what is wrong with it."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise KeyFileError(f"not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})") from None
    except RecursionError:
        raise KeyFileError("not an answers.json written by gen-worksheets (nested too deeply)") from None
    if not isinstance(data, dict) or not str(data.get("generator", "")).startswith("gen-worksheets"):
        raise KeyFileError("not an answers.json written by gen-worksheets (no \"generator\": \"gen-worksheets ...\")")
    try:
        layout = Layout(tuple(data["layers"]))
    except (KeyError, TypeError):
        raise KeyFileError("'layers' must be a list of layer sizes, like [2, 2, 2, 1]") from None
    except LayoutError as e:
        raise KeyFileError(f"layers: {e}") from None
    try:  # an answers.json from before the exercise had members names none: the course's
        exercise = Exercise.named(layout, **(COURSE.names | exercise_fields(data, "the file")))
    except (GivenError, ExerciseError) as e:
        raise KeyFileError(str(e)) from None
    layout = exercise.layout
    decimals = data.get("decimals")
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not MIN_DECIMALS <= decimals <= MAX_DECIMALS:
        raise KeyFileError(f"'decimals' must be a whole number from {MIN_DECIMALS} to {MAX_DECIMALS}")
    variants = data.get("variants")
    if not isinstance(variants, list) or not variants:
        raise KeyFileError("'variants' must be a non-empty list")
    if len(variants) > MAX_VARIANTS:
        raise KeyFileError(f"the file holds {len(variants)} variants; at most {MAX_VARIANTS}, as --count")

    read = _fast(variants, exercise) or _checked(variants, exercise)
    numbers, codes, given, answers, tolerances = read
    if len(set(numbers)) < len(numbers):
        raise KeyFileError("two variants have the same number")
    _same(numbers, layout.answer_names, "answers", answers, solve(Givens.from_flat(exercise, given)).answers(),
          "its given numbers give")
    values = dict(zip(layout.given_names, given.T))
    values |= dict(zip(layout.answer_names, answers.T))
    computed = tolerance.tolerances(exercise, values, decimals)
    recomputed = tolerances is None
    if not recomputed:
        _same(numbers, layout.answer_names, "tolerances", tolerances, computed,
              f"its answers at {decimals} decimals give")
    return Key(exercise, decimals, tuple(numbers), tuple(codes), values, computed, recomputed)


# A key is read back on another machine: its numpy may round tanh or exp a unit of the last
# place differently, nothing more.
SAME = {"rtol": 1e-9, "atol": 1e-12}


def _same(numbers, names, field: str, recorded: np.ndarray, computed: dict[str, np.ndarray], source: str) -> None:
    """Refuse a key whose ``field`` (answers, tolerances) is not what the tool computes: a
    tolerance of 1000 would mark every sheet right, an answer changed by hand every honest
    sheet wrong. The grader marks against what the file's given numbers give, or nothing."""
    expected = np.stack([computed[name] for name in names], axis=1)
    with np.errstate(invalid="ignore"):
        differ = ~np.isclose(recorded, expected, **SAME)
    if differ.any():
        i, j = np.argwhere(differ)[0]
        raise KeyFileError(f"variant {numbers[i]}.{field}.{names[j]} is {float(recorded[i, j])!r}, but "
                           f"{source} {float(expected[i, j])!r}: the key was changed after gen-worksheets wrote it")


_Read = tuple  # (numbers, codes, given (n, given names), answers (n, answers), tolerances or None)


def _fast(variants: list, exercise: Exercise) -> _Read | None:
    """The arrays at once, for a well-formed file (10,000 variants in a fraction of a second);
    None at the first irregularity, which ``_checked`` then names."""
    layout = exercise.layout
    n = len(variants)
    own = _own_fields(exercise)
    fields = 3 + layout.n_weight_layers + len(own)  # x, y, lr, the weight matrices, the exercise's own
    try:
        numbers = [v["variant"] for v in variants]
        codes = [v["code"] for v in variants]
        given = [v["given"] for v in variants]
        if not (all(type(x) is int for x in numbers) and all(type(c) is str for c in codes)
                and all(len(g) == fields for g in given)
                and all(g[field] == value for g in given for field, value in own.items())):
            return None
        parts = [np.array([g["x"] for g in given], dtype=float),
                 np.array([g["y"] for g in given], dtype=float)[:, None]]
        for letter, shape in zip(layout.weight_letters, layout.weight_shapes):
            m = np.array([g[letter] for g in given], dtype=float)
            if m.shape != (n, *shape):
                return None
            parts.append(m.reshape(n, -1))
        parts.append(np.array([g["lr"] for g in given], dtype=float)[:, None])
        if parts[0].shape != (n, layout.sizes[0]):
            return None
        by_name = operator.itemgetter(*layout.answer_names)
        answer_rows = [by_name(v["answers"]) for v in variants]
        with_tolerances = sum("tolerances" in v for v in variants)
        tolerance_rows = [by_name(v["tolerances"]) for v in variants] if with_tolerances else []
        # numpy would read "0.5" and true as numbers: only JSON numbers are.
        if not (_all_numbers(answer_rows) and _all_numbers(tolerance_rows)
                and all(_all_numbers([g[field] for field in ("x", "y", "lr", *layout.weight_letters)]) for g in given)):
            return None
        answers = np.array(answer_rows, dtype=float)
        tolerances = np.array(tolerance_rows, dtype=float) if with_tolerances else None
    except (KeyError, TypeError, ValueError):
        return None
    flat = np.concatenate(parts, axis=1)
    if not (np.isfinite(flat).all() and np.isfinite(answers).all() and (flat[:, -1] > 0).all()):
        return None
    if tolerances is not None and not (with_tolerances == n and np.isfinite(tolerances).all()
                                       and (tolerances > 0).all()):
        return None
    return numbers, codes, flat, answers, tolerances


def _all_numbers(value) -> bool:
    """Every leaf of nested lists and tuples is a JSON number (not a bool, not text)."""
    if isinstance(value, (list, tuple)):
        return all(_all_numbers(v) for v in value)
    return type(value) is float or type(value) is int


def _checked(variants: list, exercise: Exercise) -> _Read:
    """Variant by variant, naming the first field that is wrong."""
    layout = exercise.layout
    numbers, codes, given_rows, answer_rows, tolerance_rows = [], [], [], [], []
    for i, v in enumerate(variants):
        where = f"variant {i + 1}"
        if not isinstance(v, dict):
            raise KeyFileError(f"{where} must be an object")
        number, code = v.get("variant"), v.get("code")
        if isinstance(number, bool) or not isinstance(number, int):
            raise KeyFileError(f"{where}: 'variant' must be a whole number")
        if not isinstance(code, str):
            raise KeyFileError(f"{where}: 'code' must be text")
        where = f"variant {number}"
        try:
            variant_layout, given_row = parse_variant(v.get("given"), f"{where}.given", math.nan, layout.bias)
            own = exercise_fields(v["given"], f"{where}.given")
        except GivenError as e:
            raise KeyFileError(str(e)) from None
        for field, value in own.items():
            if exercise.names[field] != value:
                raise KeyFileError(f"{where}.given has {field} {json.dumps(value)}, the file "
                                   f"{json.dumps(exercise.names[field])}")
        if variant_layout != layout:
            raise KeyFileError(f"{where} has layers {variant_layout.text}, the file says {layout.text}")
        numbers.append(number)
        codes.append(code)
        given_rows.append(given_row)
        answer_rows.append(_numbers_by_name(v.get("answers"), layout.answer_names, f"{where}.answers"))
        if "tolerances" in v:
            tolerance_rows.append(_numbers_by_name(v["tolerances"], layout.answer_names, f"{where}.tolerances",
                                                   positive=True))
    if tolerance_rows and len(tolerance_rows) < len(variants):
        raise KeyFileError("some variants have tolerances and some do not")
    given = np.array(given_rows)
    if not np.isfinite(given).all():  # lr left out: a --given file, not an answers.json
        raise KeyFileError("every variant's given data must include lr")
    return numbers, codes, given, np.array(answer_rows), np.array(tolerance_rows) if tolerance_rows else None
