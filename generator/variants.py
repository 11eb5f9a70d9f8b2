"""Drawing good random variants of the exercise.

Variant ``k`` of a batch depends only on (master seed, k): its candidates come from a
counter-based hash of (seed, k, attempt, slot), so a batch of 40 repeats the 30 of a batch
of 30, and how many candidates a round draws changes nothing. Candidates are drawn for many
variants at once and filtered with the batched solver.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layout import Layout
from .solver import Givens, Solution, solve

# Numbers a person types into a calculator: halves, no zero weight. The course's example
# (x = (1, 2), y = 5, weights in {±0.5, ±1, ±2, ±4}) is a possible draw.
_HALVES_TO_3 = np.arange(1, 7) / 2
X_VALUES = np.concatenate([-_HALVES_TO_3[::-1], _HALVES_TO_3])  # ±0.5 .. ±3
Y_VALUES = np.arange(-10, 11) / 2  # -5 .. 5
WEIGHT_VALUES = np.concatenate([-np.arange(8, 0, -1) / 2, np.arange(1, 9) / 2])  # ±0.5 .. ±4
# A neuron summing 3 or 4 inputs gets smaller weights, or |s| <= 3 would almost never hold
# (measured: 4-4-4-4-1 kept 1 draw in 30,000 with ±4 everywhere, 1 in 30 with this).
MAX_WEIGHT_BY_FAN_IN = {1: 4.0, 2: 4.0, 3: 2.0, 4: 1.5}


def weight_values(fan_in: int) -> np.ndarray:
    """The weights a layer whose neurons sum ``fan_in`` inputs is drawn from."""
    return WEIGHT_VALUES[np.abs(WEIGHT_VALUES) <= MAX_WEIGHT_BY_FAN_IN[fan_in]]

MAX_PRE_ACTIVATION = 3.0  # |s| > 3 saturates tanh: 1 - tanh(s)^2 < 0.01
MIN_ERROR = 0.5  # |y_pred - y|
MIN_ABS_ANSWER = 1e-3  # nothing prints as 0.0000 or -0.0000 at 4 decimals

MAX_ATTEMPTS_PER_VARIANT = 50_000
MAX_CANDIDATES_PER_ROUND = 200_000


class DrawError(RuntimeError):
    """The rules cannot be met for these options."""


def min_abs_answer(decimals: int) -> float:
    """Smallest |answer| that still reads as non-zero when printed to ``decimals`` places."""
    return max(MIN_ABS_ANSWER, 10.0**-decimals)


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


def candidates(layout: Layout, seed: int, variant: np.ndarray, attempt: np.ndarray, lr: float) -> Givens:
    """The candidate given data for each (variant, attempt) pair (1-D arrays, 0-based)."""
    sizes = layout.sizes
    n_slots = sizes[0] + 1 + layout.n_weights
    h = _hash(seed, variant, attempt, n_slots)
    pick = lambda values, cols: values[(cols % np.uint64(len(values))).astype(np.intp)]  # noqa: E731
    x = pick(X_VALUES, h[:, : sizes[0]])
    y = pick(Y_VALUES, h[:, sizes[0]])
    weights, at = [], sizes[0] + 1
    for rows, cols in layout.weight_shapes:
        block = h[:, at : at + rows * cols]
        weights.append(pick(weight_values(rows), block).reshape(-1, rows, cols))
        at += rows * cols
    return Givens(layout, x, y, tuple(weights), np.full(len(variant), float(lr)))


def is_good(solution: Solution, decimals: int) -> np.ndarray:
    """Which variants a student should get (the rules of a good variant, per variant)."""
    answers = np.stack(list(solution.answers().values()), axis=1)
    good = np.isfinite(answers).all(axis=1)
    with np.errstate(invalid="ignore"):
        good &= (np.abs(answers) >= min_abs_answer(decimals)).all(axis=1)
        for s in solution.pre_activations:
            good &= (np.abs(s) <= MAX_PRE_ACTIVATION).all(axis=1)
        good &= np.abs(solution.y_pred - solution.givens.y) >= MIN_ERROR
        good &= solution.L_after_update < solution.L
    return good


@dataclass
class _Pending:
    """Accepted candidates of one variant not used yet, and where its attempts stand."""

    rows: list[np.ndarray]
    next_attempt: int = 0


def draw(layout: Layout, count: int, seed: int, lr: float, decimals: int) -> Givens:
    """``count`` good, pairwise different variants; variant k depends only on (seed, k)."""
    n_given = len(layout.given_names)
    chosen = np.empty((count, n_given))
    seen: set[bytes] = set()
    pending = [_Pending([]) for _ in range(count)]
    settled = 0  # variants 0..settled-1 are final
    tried = accepted = 0
    while settled < count:
        # Every unsettled variant with no accepted candidate left tries the same number of
        # further attempts this round, enough to expect a few acceptances each.
        open_ = np.array([k for k in range(settled, count) if not pending[k].rows])
        rate = (accepted + 1) / (tried + 4)
        per = int(np.clip(np.ceil(4 / rate), 4, max(4, MAX_CANDIDATES_PER_ROUND // len(open_))))
        starts = np.array([pending[k].next_attempt for k in open_])
        if starts[0] >= MAX_ATTEMPTS_PER_VARIANT or (tried >= 4 * MAX_CANDIDATES_PER_ROUND and accepted == 0):
            raise DrawError(
                f"could not draw {count} good variants for layers {layout.text}: "
                f"{accepted} of {tried} random candidates met the rules "
                f"(|s| <= {MAX_PRE_ACTIVATION:g}, every answer at least {min_abs_answer(decimals):g} "
                f"in size, |y_pred - y| >= {MIN_ERROR:g}, the step lowers L); "
                "try other layer sizes, a different --lr or fewer --decimals"
            )
        variant = np.repeat(open_, per)
        attempt = (starts[:, None] + np.arange(per)).ravel()
        batch = candidates(layout, seed, variant, attempt, lr)
        ok = is_good(solve(batch), decimals)
        tried += len(ok)
        accepted += int(ok.sum())
        rows = batch.flat()
        for k, row in zip(variant[ok], rows[ok]):
            pending[k].rows.append(row)
        for k in open_:
            pending[k].next_attempt += per
        # Settle in order: variant k takes its first accepted candidate that no earlier
        # variant has; a variant with none left waits, and so do the ones after it.
        while settled < count and pending[settled].rows:
            row = pending[settled].rows.pop(0)
            key = row.tobytes()
            if key in seen:
                continue
            seen.add(key)
            chosen[settled] = row
            pending[settled] = _Pending([])
            settled += 1
    return Givens.from_flat(layout, chosen)
