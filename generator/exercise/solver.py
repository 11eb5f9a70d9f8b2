"""The reference solution: one forward pass, one backward pass, one gradient step.

Batched over a leading variant axis (``n``): every array below starts with it, so one call
solves 30 or 1,000,000 variants. Shapes: activations ``(n, size)``, a weight layer
``(n, rows, cols)`` with ``[k, i, j]`` connecting neuron ``i`` of the layer before to neuron
``j`` of the layer after (the course's ``W_ij``); with biases, row 0 holds them, the weights
from a constant input 1 (``W_01``). No I/O, no formatting, no randomness.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .description import Exercise
from .layout import Layout


@dataclass(frozen=True)
class Givens:
    """What a student is given, for a batch of variants of one exercise."""

    exercise: Exercise
    x: np.ndarray  # (n, sizes[0])
    y: np.ndarray  # (n,)
    weights: tuple[np.ndarray, ...]  # W, U, ..., V: (n, rows, cols) each
    lr: np.ndarray  # (n,)

    @property
    def layout(self) -> Layout:
        return self.exercise.layout

    def __len__(self) -> int:
        return len(self.y)

    def take(self, index) -> Givens:
        """The variants at ``index`` (an int array or a boolean mask)."""
        return Givens(
            self.exercise,
            self.x[index],
            self.y[index],
            tuple(w[index] for w in self.weights),
            self.lr[index],
        )

    @classmethod
    def from_flat(cls, exercise: Exercise, rows: np.ndarray) -> Givens:
        """Inverse of ``flat``."""
        layout = exercise.layout
        sizes = layout.sizes
        weights, at = [], sizes[0] + 1
        for r, c in layout.weight_shapes:
            weights.append(rows[:, at : at + r * c].reshape(-1, r, c))
            at += r * c
        return cls(exercise, rows[:, : sizes[0]], rows[:, sizes[0]], tuple(weights), rows[:, at])

    def flat(self) -> np.ndarray:
        """The given numbers as one row per variant, in ``layout.given_names`` order."""
        n = len(self)
        parts = [self.x, self.y[:, None]] + [w.reshape(n, -1) for w in self.weights] + [self.lr[:, None]]
        return np.concatenate(parts, axis=1)


def with_bias_input(a: np.ndarray, bias: bool) -> np.ndarray:
    """The inputs of a weight layer: the neurons before it, after a constant 1 where there are
    biases (row 0 of the weights)."""
    return np.concatenate([np.ones((len(a), 1), dtype=a.dtype), a], axis=1) if bias else a


def layer_input(a: np.ndarray, w: np.ndarray, bias: bool = False) -> np.ndarray:
    """sum_i a_i w_ij for every variant, with a_0 = 1 for the biases (einsum beats batched
    matmul on 1..5-wide matrices)."""
    return np.einsum("ni,nij->nj", with_bias_input(a, bias), w)


def forward(
    exercise: Exercise, x: np.ndarray, weights: tuple[np.ndarray, ...]
) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """The pre-activations ``s`` of every layer (the output's last), the neurons of each hidden
    layer, and the output ``y_pred``."""
    bias = exercise.layout.bias
    pre, neurons = [], []
    a = x
    for w in weights[:-1]:
        s = layer_input(a, w, bias)
        a = exercise.activation.value(s)
        pre.append(s)
        neurons.append(a)
    s = layer_input(a, weights[-1], bias)
    pre.append(s)
    return pre, neurons, exercise.output.value(s[:, 0])


@dataclass(frozen=True)
class Solution:
    """Every quantity of the exercise, for a batch of variants (see ``answers``)."""

    givens: Givens
    pre_activations: tuple[np.ndarray, ...]  # s of every layer, the output's last
    neurons: tuple[np.ndarray, ...]  # z, q, ...: the activation of s
    slopes: tuple[np.ndarray, ...]  # dz/ds, dq/ds, ... (for tanh: 1 - z^2, 1 - q^2, ...)
    y_pred: np.ndarray
    L: np.ndarray
    L_partial_y_pred: np.ndarray
    weight_grads: tuple[np.ndarray, ...]  # point 1: dL/dW, dL/dU, ..., dL/dV
    neuron_grads: tuple[np.ndarray, ...]  # point 2: dL/dz, dL/dq, ...
    updated: tuple[np.ndarray, ...]  # point 3: W, U, ..., V after the step
    y_pred_after_update: np.ndarray  # the prediction of the updated network
    L_after_update: np.ndarray

    @property
    def exercise(self) -> Exercise:
        return self.givens.exercise

    @property
    def layout(self) -> Layout:
        return self.givens.layout

    def __len__(self) -> int:
        return len(self.givens)

    def answers(self) -> dict[str, np.ndarray]:
        """Each answer by its course name, in the course's order; values are ``(n,)`` arrays."""
        layout = self.layout
        n = len(self)
        by_name: dict[str, np.ndarray] = {"y_pred": self.y_pred, "L": self.L,
                                          "L_partial_y_pred": self.L_partial_y_pred,
                                          "L_after_update": self.L_after_update}
        for hidden, (a, g) in enumerate(zip(self.neurons, self.neuron_grads)):
            for name, column, grad in zip(layout.neuron_names(hidden), a.T, g.T):
                by_name[name] = column
                by_name[f"L_partial_{name}"] = grad
        for layer, (g, w_new) in enumerate(zip(self.weight_grads, self.updated)):
            names = layout.weight_names(layer)
            for name, grad, new in zip(names, g.reshape(n, -1).T, w_new.reshape(n, -1).T):
                by_name[f"L_partial_{name}"] = grad
                by_name[f"{name}_updated"] = new
        return {name: by_name[name] for name in layout.answer_names}


def solve(givens: Givens) -> Solution:
    """Solve every variant of ``givens`` the way the course does it. A variant the numbers break
    (a sigmoid output of exactly 1 under cross-entropy) gets NaN or infinite answers, quietly:
    the rules refuse it, and the self-check stops a given one."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _solve(givens)


def _solve(givens: Givens) -> Solution:
    exercise = givens.exercise
    weights = givens.weights
    lr = givens.lr[:, None, None]

    # Forward pass.
    pre, neurons, y_pred = forward(exercise, givens.x, weights)
    slopes = [exercise.activation.slope(a) for a in neurons]
    L = exercise.loss.value(y_pred, givens.y)

    # Backward pass. Preparation: dL/dy_pred.
    L_partial_y_pred = exercise.loss.derivative(y_pred, givens.y)
    bias = exercise.layout.bias
    inputs = [with_bias_input(a, bias) for a in [givens.x] + neurons]  # what feeds each weight layer
    weight_grads: list[np.ndarray] = [None] * len(weights)  # type: ignore[list-item]
    neuron_grads: list[np.ndarray] = [None] * len(neurons)  # type: ignore[list-item]
    updated: list[np.ndarray] = [None] * len(weights)  # type: ignore[list-item]
    # dL/d(pre-activation) of the layer a weight layer feeds (times 1.0 for a linear output: exact).
    delta = (L_partial_y_pred * exercise.output.slope(y_pred))[:, None]
    for layer in reversed(range(len(weights))):
        w = weights[layer]
        # Point 1: dL/dw_ij = delta_j * (neuron i feeding the layer).
        weight_grads[layer] = np.einsum("ni,nj->nij", inputs[layer], delta)
        if layer > 0:
            # Point 2: dL/d(neuron i) = sum_j delta_j w_ij, with the weights *before* the update
            # (the biases' row feeds no neuron).
            grad = np.einsum("nij,nj->ni", w[:, int(bias):, :], delta)
            neuron_grads[layer - 1] = grad
            delta = grad * slopes[layer - 1]
        # Point 3: the gradient step.
        updated[layer] = w - lr * weight_grads[layer]

    _, _, y_after = forward(exercise, givens.x, tuple(updated))
    return Solution(
        givens=givens,
        pre_activations=tuple(pre),
        neurons=tuple(neurons),
        slopes=tuple(slopes),
        y_pred=y_pred,
        L=L,
        L_partial_y_pred=L_partial_y_pred,
        weight_grads=tuple(weight_grads),
        neuron_grads=tuple(neuron_grads),
        updated=tuple(updated),
        y_pred_after_update=y_after,
        L_after_update=exercise.loss.value(y_after, givens.y),
    )
