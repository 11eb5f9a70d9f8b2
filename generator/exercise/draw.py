"""Drawing good random variants of the exercise.

Variant ``k`` of a batch depends only on (master seed, k): its candidates come from a
counter-based hash of (seed, k, attempt, slot), so a batch of 40 repeats the 30 of a batch
of 30, and how many candidates a round draws changes nothing. Candidates are drawn for many
variants at once and filtered with the batched solver.
"""

from __future__ import annotations

import numpy as np

from .description import Exercise
from .rules import RULES, Rules, Tally, judge
from .solver import Givens

# Numbers a person types into a calculator: halves, no zero weight. The course's example
# (x = (1, 2), y = 5, weights in {±0.5, ±1, ±2, ±4}) is a possible draw.
_HALVES_TO_3 = np.arange(1, 7) / 2
X_VALUES = np.concatenate([-_HALVES_TO_3[::-1], _HALVES_TO_3])  # ±0.5 .. ±3
Y_VALUES = np.arange(-10, 11) / 2  # -5 .. 5
Y_CLASSES = np.array([0.0, 1.0])  # the targets of an output between 0 and 1 (sigmoid): a class
WEIGHT_VALUES = np.concatenate([-np.arange(8, 0, -1) / 2, np.arange(1, 9) / 2])  # ±0.5 .. ±4
# The largest |weight| into a neuron summing ``fan_in`` inputs (a bias counts as one), by the
# hidden neurons' activation. With tanh, a neuron summing 3 or 4 inputs gets smaller weights,
# or |s| <= 3 would almost never hold and its gradients would outgrow the rules (measured with
# the rules of benchmarks/acceptance.py: 4-4-4-4-1 keeps 1 candidate in 970 with ±2 and ±1.5,
# 1 in 57 with ±1.5 and ±1). ReLU never saturates, so its gradients grow with the weights:
# with ±2 at most, 2-2-2-1 keeps 1 candidate in 35 of the rules before the step (1 in 392 with
# ±4), 1 in 58 of them all; ±1.5 would leave fewer numbers to draw from for a small gain.
MAX_WEIGHT_BY_FAN_IN = {
    "tanh": {1: 4.0, 2: 4.0, 3: 1.5, 4: 1.0, 5: 1.0},
    "sigmoid": {1: 4.0, 2: 4.0, 3: 1.5, 4: 1.0, 5: 1.0},
    "relu": {1: 2.0, 2: 2.0, 3: 1.5, 4: 1.0, 5: 1.0},
}


def weight_values(fan_in: int, activation: str = "tanh") -> np.ndarray:
    """The weights a layer whose neurons sum ``fan_in`` inputs is drawn from."""
    return WEIGHT_VALUES[np.abs(WEIGHT_VALUES) <= MAX_WEIGHT_BY_FAN_IN[activation][fan_in]]


def y_values(exercise: Exercise) -> np.ndarray:
    """The targets drawn: a class, 0 or 1, where the output is between 0 and 1."""
    return Y_CLASSES if exercise.output.bounded else Y_VALUES

MAX_ATTEMPTS_PER_VARIANT = 50_000
# Candidates judged at once: their arrays (~350 bytes each, at the solver's peak) are the most
# memory a batch's drawing takes, the same for 200 variants as for a million (measured: 25,000
# costs 2-2-2-2-1's 20,000 variants 0.5 s more than 200,000 did, of 6 s, and 100 MB less).
MAX_CANDIDATES_PER_ROUND = 25_000
# Candidates, none of them accepted, after which the rules are taken to be unmeetable.
MAX_CANDIDATES_NONE_ACCEPTED = 800_000


class DrawError(RuntimeError):
    """The rules cannot be met for these options."""


# --- the counter-based generator -------------------------------------------------------

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(h: np.ndarray) -> np.ndarray:
    # SplitMix64's finalizer: every input bit affects every output bit.
    h = (h ^ (h >> np.uint64(30))) * _M1
    h = (h ^ (h >> np.uint64(27))) * _M2
    return h ^ (h >> np.uint64(31))


def _hash(seed: int, variant: np.ndarray, attempt: np.ndarray, n_slots: int) -> np.ndarray:
    """64-bit hashes of (seed, variant, attempt, slot): shape ``variant.shape + (n_slots,)``."""
    with np.errstate(over="ignore"):
        h = _mix(np.full(variant.shape, seed, dtype=np.uint64) + _GOLDEN)
        h = _mix(h ^ (variant.astype(np.uint64) + _GOLDEN))
        h = _mix(h ^ (attempt.astype(np.uint64) + _GOLDEN))
        slots = np.arange(n_slots, dtype=np.uint64) + _GOLDEN
        return _mix(h[..., None] ^ slots)


def candidates(exercise: Exercise, seed: int, variant: np.ndarray, attempt: np.ndarray, lr: float) -> Givens:
    """The candidate given data for each (variant, attempt) pair (1-D arrays, 0-based)."""
    layout = exercise.layout
    sizes = layout.sizes
    n_slots = sizes[0] + 1 + layout.n_weights
    h = _hash(seed, variant, attempt, n_slots)
    pick = lambda values, cols: values[(cols % np.uint64(len(values))).astype(np.intp)]  # noqa: E731
    x = pick(X_VALUES, h[:, : sizes[0]])
    y = pick(y_values(exercise), h[:, sizes[0]])
    weights, at = [], sizes[0] + 1
    for rows, cols in layout.weight_shapes:
        block = h[:, at : at + rows * cols]
        weights.append(pick(weight_values(rows, exercise.activation.name), block).reshape(-1, rows, cols))
        at += rows * cols
    return Givens(exercise, x, y, tuple(weights), np.full(len(variant), float(lr)))


# What to change when a rule rejects (nearly) every candidate.
_HINTS = {
    "saturation": "other layer sizes",
    "error": "other layer sizes",
    "finite": "other layer sizes or a smaller --lr",
    "gradient": "other layer sizes",
    "step": "a smaller --lr",
    "descent": "a smaller --lr",
    "rounding": "more --decimals or other layer sizes",
}


def draw(exercise: Exercise, count: int, seed: int, lr: float, decimals: int, rules: Rules = RULES) -> Givens:
    """``count`` good, pairwise different variants; variant k depends only on (seed, k)."""
    layout = exercise.layout
    n_given = len(layout.given_names)
    chosen = np.empty((count, n_given))
    seen: set[bytes] = set()
    kept: dict[int, list[np.ndarray]] = {}  # accepted candidates of unsettled variants, not used yet
    has_kept = np.zeros(count, dtype=bool)
    next_attempt = np.zeros(count, dtype=np.int64)
    settled = 0  # variants 0..settled-1 are final
    tried = accepted = 0
    tally = Tally()
    while settled < count:
        # The earliest unsettled variants with no accepted candidate left each try the same number
        # of further attempts this round, enough to expect a few acceptances each; a round holds
        # at most MAX_CANDIDATES_PER_ROUND candidates, so that memory does not grow with the count.
        waiting = np.flatnonzero(~has_kept[settled:]) + settled
        rate = (accepted + 1) / (tried + 4)
        per = int(np.clip(np.ceil(4 / rate), 4, max(4, MAX_CANDIDATES_PER_ROUND // len(waiting))))
        open_ = waiting[: max(1, MAX_CANDIDATES_PER_ROUND // per)]
        starts = next_attempt[open_]
        if starts[0] >= MAX_ATTEMPTS_PER_VARIANT or (tried >= MAX_CANDIDATES_NONE_ACCEPTED and accepted == 0):
            raise DrawError(_draw_error(exercise, count, accepted, tried, tally, rules))
        variant = np.repeat(open_, per)
        attempt = (starts[:, None] + np.arange(per)).ravel()
        batch = candidates(exercise, seed, variant, attempt, lr)
        ok = judge(batch, decimals, rules, tally)
        tried += len(ok)
        accepted += int(ok.sum())
        next_attempt[open_] += per
        if ok.any():
            for k, row in zip(variant[ok].tolist(), batch.take(ok).flat()):
                kept.setdefault(k, []).append(row)
            has_kept[variant[ok]] = True
        # Settle in order: variant k takes its first accepted candidate that no earlier
        # variant has; a variant with none left waits, and so do the ones after it.
        while settled < count and has_kept[settled]:
            row = kept[settled].pop(0)
            if not kept[settled]:
                del kept[settled]
                has_kept[settled] = False
            key = row.tobytes()
            if key in seen:
                continue
            seen.add(key)
            chosen[settled] = row
            kept.pop(settled, None)
            settled += 1
    return Givens.from_flat(exercise, chosen)


def _draw_error(exercise: Exercise, count: int, accepted: int, tried: int, tally: Tally, rules: Rules) -> str:
    text = (f"could not draw {count} good variants for layers {exercise.layout.text}: "
            f"{accepted:,} of {tried:,} random candidates met the rules")
    rule = tally.hardest()
    if rule is None:
        return text
    return (f"{text}; the rule that rejected the most: {rules.describe(rule, exercise)} "
            f"({tally.share(rule):.0%} of the {tally.judged[rule]:,} candidates checked against it); "
            f"try {_HINTS[rule]}")
