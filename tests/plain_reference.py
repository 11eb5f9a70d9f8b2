"""An independent plain-Python solution of the exercise, written from EXERCISE.md, for tests.

It shares no code with the package: scalar loops and math.tanh, the course's formulas
spelled out, and names built by hand.
"""

from __future__ import annotations

import math

HIDDEN = ("z", "q", "r")
WEIGHT = {2: ("W", "V"), 3: ("W", "U", "V"), 4: ("W", "U", "T", "V")}


def forward(x, weights):
    """Pre-activations and neurons of each hidden layer, and y_pred."""
    pres, layers = [], []
    a = list(x)
    for w in weights[:-1]:
        s = [sum(a[i] * w[i][j] for i in range(len(a))) for j in range(len(w[0]))]
        pres.append(s)
        a = [math.tanh(v) for v in s]
        layers.append(a)
    y_pred = sum(a[i] * weights[-1][i][0] for i in range(len(a)))
    return pres, layers, y_pred


def solve(x, y, weights, lr):
    """All answers by course name, in a dict, plus the pre-activations."""
    letters = WEIGHT[len(weights)]
    pres, layers, y_pred = forward(x, weights)
    out = {}
    for h, a in enumerate(layers):
        for i, v in enumerate(a):
            out[f"{HIDDEN[h]}_{i + 1}"] = v
    out["y_pred"] = y_pred
    out["L"] = (y_pred - y) ** 2
    out["L_partial_y_pred"] = 2 * (y_pred - y)
    inputs = [list(x)] + layers
    # dL/d(output of each neuron in the layer that weight layer `k` feeds)
    upstream = [out["L_partial_y_pred"]]
    new_weights = [None] * len(weights)
    for k in reversed(range(len(weights))):
        w, feed, letter = weights[k], inputs[k], letters[k]
        last = k == len(weights) - 1
        # local derivative of each fed neuron: 1 for the linear output, 1 - n^2 for tanh
        local = [1.0] if last else [1 - n * n for n in layers[k]]
        for i in range(len(w)):
            for j in range(len(w[0])):
                out[f"L_partial_{letter}_{i + 1}{j + 1}"] = upstream[j] * local[j] * feed[i]
        if k > 0:
            grads = [sum(upstream[j] * local[j] * w[i][j] for j in range(len(w[0]))) for i in range(len(w))]
            for i, g in enumerate(grads):
                out[f"L_partial_{HIDDEN[k - 1]}_{i + 1}"] = g
        new_weights[k] = [[w[i][j] - lr * out[f"L_partial_{letter}_{i + 1}{j + 1}"] for j in range(len(w[0]))]
                          for i in range(len(w))]
        for i in range(len(w)):
            for j in range(len(w[0])):
                out[f"{letter}_{i + 1}{j + 1}_updated"] = new_weights[k][i][j]
        if k > 0:
            upstream = grads
    _, _, y_after = forward(x, new_weights)
    out["L_after_update"] = (y_after - y) ** 2
    return out, pres


def loss(x, y, weights):
    return (forward(x, weights)[2] - y) ** 2
