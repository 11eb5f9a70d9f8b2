"""An independent plain-Python solution of the exercise, written from EXERCISE.md and issue 18's
family, for tests.

It shares no code with the package: scalar loops over lists, math.tanh and math.exp, the
textbooks' formulas spelled out (σ′(s) = σ(s)(1 − σ(s)), ReLU′(s) = 1 for s > 0, else 0, written
from the weighted sum s as textbooks write it; ∂L/∂ŷ of cross-entropy as −y/ŷ + (1 − y)/(1 − ŷ)),
and names built by hand.

The exercise is named by keywords, as ``--activation``, ``--output``, ``--loss`` and ``--bias``
name it; the defaults are the course's (tanh, linear, squared, no biases). With ``bias=True``
every weight matrix has the biases as its row 0 (the weight from a constant input 1: ``W_01``).
"""

from __future__ import annotations

import math

HIDDEN = ("z", "q", "r")
WEIGHT = {2: ("W", "V"), 3: ("W", "U", "V"), 4: ("W", "U", "T", "V")}


def sigmoid(s):
    # Written so that exp cannot overflow far below 0 (the numbers are random, not drawn).
    if s < 0:
        return math.exp(s) / (1 + math.exp(s))
    return 1 / (1 + math.exp(-s))


def relu(s):
    return s if s > 0 else 0.0


# name -> (n from s, dn/ds from s and n)
ACTIVATIONS = {
    "tanh": (math.tanh, lambda s, n: 1 - n * n),
    "sigmoid": (sigmoid, lambda s, n: n * (1 - n)),
    "relu": (relu, lambda s, n: 1.0 if s > 0 else 0.0),
    "linear": (lambda s: s, lambda s, n: 1.0),
}

def cross_entropy(p, y):
    """−(y ln p + (1 − y) ln(1 − p)), a term with a factor of 0 taken as 0 (0 · ln 0 = 0)."""
    return -((y * math.log(p) if y else 0.0) + ((1 - y) * math.log(1 - p) if y != 1 else 0.0))


# name -> (L from y_pred and y, dL/dy_pred)
LOSSES = {
    "squared": (lambda p, y: (p - y) ** 2, lambda p, y: 2 * (p - y)),
    "half-squared": (lambda p, y: 0.5 * (p - y) ** 2, lambda p, y: p - y),
    "cross-entropy": (cross_entropy, lambda p, y: -y / p + (1 - y) / (1 - p)),
}


def _layer(a, w, bias):
    """The weighted sums s_j = (b_j +) sum_i a_i w_ij of the neurons weight matrix ``w`` feeds."""
    first = 1 if bias else 0
    return [(w[0][j] if bias else 0.0) + sum(a[i] * w[first + i][j] for i in range(len(a)))
            for j in range(len(w[0]))]


def run(x, weights, activation="tanh", output="linear", bias=False, start=0):
    """The weighted sums of every layer from weight layer ``start`` on (the output's last), the
    neurons of each hidden layer after it, and y_pred; ``x`` is what weight layer ``start`` reads."""
    act, _ = ACTIVATIONS[activation]
    out_act, _ = ACTIVATIONS[output]
    sums, layers = [], []
    a = list(x)
    for w in weights[start:-1]:
        s = _layer(a, w, bias)
        sums.append(s)
        a = [act(v) for v in s]
        layers.append(a)
    s = _layer(a, weights[-1], bias)
    sums.append(s)
    return sums, layers, out_act(s[0])


def forward(x, weights, activation="tanh", output="linear", bias=False):
    """Pre-activations and neurons of each hidden layer, and y_pred."""
    sums, layers, y_pred = run(x, weights, activation, output, bias)
    return sums[:-1], layers, y_pred


def weight_name(letter, i, j, bias):
    """Row ``i``, column ``j`` (0-based) of a weight matrix, by its course name: ``W_12``, or
    ``W_01`` for a bias (row 0 where there are biases)."""
    return f"{letter}_{i if bias else i + 1}{j + 1}"


def solve(x, y, weights, lr, activation="tanh", output="linear", loss="squared", bias=False):
    """All answers by course name, in the course's order, in a dict, plus the pre-activations
    of the hidden layers."""
    out, sums, new_weights = _step(x, y, weights, lr, activation, output, loss, bias)
    out["L_after_update"] = LOSSES[loss][0](run(x, new_weights, activation, output, bias)[2], y)
    return out, sums[:-1]


def step(x, y, weights, lr, activation="tanh", output="linear", loss="squared", bias=False):
    """The weights after the gradient step."""
    return _step(x, y, weights, lr, activation, output, loss, bias)[2]


def _step(x, y, weights, lr, activation, output, loss, bias):
    """Every answer but L_after_update, the weighted sums of every layer, the updated weights."""
    letters = WEIGHT[len(weights)]
    sums, layers, y_pred = run(x, weights, activation, output, bias)
    _, slope = ACTIVATIONS[activation]
    _, out_slope = ACTIVATIONS[output]
    loss_of, loss_slope = LOSSES[loss]
    out = {}
    for h, a in enumerate(layers):
        for i, v in enumerate(a):
            out[f"{HIDDEN[h]}_{i + 1}"] = v
    out["y_pred"] = y_pred
    out["L"] = loss_of(y_pred, y)
    out["L_partial_y_pred"] = loss_slope(y_pred, y)
    # What each weight layer multiplies: a constant 1 for the biases' row, then the neurons before.
    inputs = [([1.0] if bias else []) + a for a in [list(x)] + layers]
    # dL/d(value of each neuron of the layer weight layer `k` feeds)
    upstream = [out["L_partial_y_pred"]]
    new_weights = [None] * len(weights)
    for k in reversed(range(len(weights))):
        w, feed, letter = weights[k], inputs[k], letters[k]
        last = k == len(weights) - 1
        fed = [y_pred] if last else layers[k]
        # local derivative dn/ds of each fed neuron
        local = [(out_slope if last else slope)(s, n) for s, n in zip(sums[k], fed)]
        grad_w = [[upstream[j] * local[j] * feed[i] for j in range(len(w[0]))] for i in range(len(w))]
        for i in range(len(w)):
            for j in range(len(w[0])):
                out[f"L_partial_{weight_name(letter, i, j, bias)}"] = grad_w[i][j]
        if k > 0:
            first = 1 if bias else 0  # the biases' 1 is no neuron: no gradient
            grads = [sum(upstream[j] * local[j] * w[first + i][j] for j in range(len(w[0])))
                     for i in range(len(w) - first)]
            for i, g in enumerate(grads):
                out[f"L_partial_{HIDDEN[k - 1]}_{i + 1}"] = g
        new_weights[k] = [[w[i][j] - lr * grad_w[i][j] for j in range(len(w[0]))] for i in range(len(w))]
        for i in range(len(w)):
            for j in range(len(w[0])):
                out[f"{weight_name(letter, i, j, bias)}_updated"] = new_weights[k][i][j]
        if k > 0:
            upstream = grads
    return out, sums, new_weights


def loss(x, y, weights, activation="tanh", output="linear", loss="squared", bias=False):
    """L of the network on (x, y)."""
    return LOSSES[loss][0](run(x, weights, activation, output, bias)[2], y)


def loss_of_prediction(y_pred, y, loss="squared"):
    return LOSSES[loss][0](y_pred, y)


def loss_from_layer(hidden, neurons, y, weights, activation="tanh", output="linear", loss="squared", bias=False):
    """L with hidden layer ``hidden`` (0 = z) set to ``neurons`` and the network run on from it."""
    y_pred = run(neurons, weights, activation, output, bias, start=hidden + 1)[2]
    return LOSSES[loss][0](y_pred, y)


def output_sum(x, weights, activation="tanh", output="linear", bias=False):
    """The output neuron's weighted sum (what a sigmoid output applies σ to)."""
    return run(x, weights, activation, output, bias)[0][-1][0]
