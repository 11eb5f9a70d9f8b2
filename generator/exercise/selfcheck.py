"""Check every gradient of a solution against a numerical derivative of L: the complex step where
every function of the exercise is analytic, central differences where one is not (ReLU)."""

from __future__ import annotations

from functools import partial

import numpy as np

from .solver import Solution, forward

# The complex step: L(w + ih) = L(w) + ih L'(w) + O(h^2), so Im L(w + ih) / h is dL/dw with
# no subtraction, hence no rounding error growing with |L| / h, and no truncation error
# growing with the inputs (h is tiny). A real central stencil (h = 1e-4) failed given
# values of 6 and more: the error of a difference grew with the numbers, not the solver.
STEP = 1e-30
# ReLU's max is not analytic. Its networks are piecewise smooth, and the rules keep every
# weighted sum far from the kink (several units of the last printed place, far more than this
# step), so central differences on the real line are exact but for rounding, ~1e-16 |L| / h.
CENTRAL_STEP = 1e-6
TOLERANCE = 1e-6


class SelfCheckError(RuntimeError):
    """A gradient disagrees with its numerical derivative: the solver is wrong."""


def _loss_with_weight(solution: Solution, layer: int, i: int, j: int, d: complex) -> np.ndarray:
    """L with weight (i, j) of weight layer ``layer`` moved by ``d`` in every variant."""
    givens, exercise = solution.givens, solution.exercise
    weights = list(givens.weights)
    weights[layer] = weights[layer].astype(np.result_type(weights[layer], d))
    weights[layer][:, i, j] += d
    return exercise.loss.value(forward(exercise, givens.x, tuple(weights))[2], givens.y)


def _loss_with_neuron(solution: Solution, hidden: int, i: int, d: complex) -> np.ndarray:
    """L with neuron ``i`` of hidden layer ``hidden`` moved by ``d`` and the rest of the
    network run on from there."""
    exercise = solution.exercise
    nudged = solution.neurons[hidden].astype(np.result_type(solution.neurons[hidden], d))
    nudged[:, i] += d
    _, _, y_pred = forward(exercise, nudged, solution.givens.weights[hidden + 1 :])
    return exercise.loss.value(y_pred, solution.givens.y)


def residuals(solution: Solution) -> np.ndarray:
    """Per variant: the largest ``|g - fd| / max(1, |g|)`` over every gradient of L."""
    worst = np.zeros(len(solution))
    exercise = solution.exercise
    analytic = exercise.activation.analytic and exercise.output.analytic

    def compare(g: np.ndarray, loss_at) -> None:
        """``loss_at(offset)``: L with the quantity that ``g`` differentiates moved by an offset."""
        if analytic:
            fd = loss_at(1j * STEP).imag / STEP
        else:
            fd = (loss_at(CENTRAL_STEP) - loss_at(-CENTRAL_STEP)) / (2 * CENTRAL_STEP)
        np.maximum(worst, np.abs(g - fd) / np.maximum(1.0, np.abs(g)), out=worst)

    loss, y = solution.exercise.loss.value, solution.givens.y
    compare(solution.L_partial_y_pred, lambda d: loss(solution.y_pred + d, y))
    # dL/dw for every weight: nudge one entry across all variants at once.
    for layer, grad in enumerate(solution.weight_grads):
        rows, cols = grad.shape[1:]
        for i in range(rows):
            for j in range(cols):
                compare(grad[:, i, j], partial(_loss_with_weight, solution, layer, i, j))
    # dL/d(neuron) for every hidden neuron (point 2).
    for hidden, grad in enumerate(solution.neuron_grads):
        for i in range(grad.shape[1]):
            compare(grad[:, i], partial(_loss_with_neuron, solution, hidden, i))
    return worst


def check(solution: Solution) -> np.ndarray:
    """``residuals``, or ``SelfCheckError`` if any exceeds ``TOLERANCE`` or an answer is not a
    finite number (given numbers that saturate a sigmoid output to exactly 0 or 1 under
    cross-entropy, say: drawn variants never are)."""
    for name, values in solution.answers().items():
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise SelfCheckError(f"variant {bad[0] + 1}: {name} is not a finite number, so these given numbers "
                                 "make no exercise (a neuron or the loss is pushed beyond what floating point holds)")
    with np.errstate(all="ignore"):
        worst = residuals(solution)
    bad = np.flatnonzero(~(worst <= TOLERANCE))
    if bad.size:
        k = bad[0]
        raise SelfCheckError(
            f"self-check failed: variant {k + 1}'s gradients differ from numerical derivatives "
            f"by {worst[k]:.3g} (tolerance {TOLERANCE:g}); the answer key would be wrong"
        )
    return worst
