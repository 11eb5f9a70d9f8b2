"""Simulated students for the tests: each works through the sheet in the course's order,
every step from the formula graph on what they wrote before."""

from dataclasses import replace

import numpy as np

from generator.exercise import formulas


def work(exercise, given, decimals, mode="rounded", rng=None, slip=None):
    """A student's answers from the ``given`` numbers (name -> array, one per variant),
    written at full precision (``mode="full"``), rounded to ``decimals`` (``"rounded"``) or a
    random mix (``"mixed"``, with ``rng``), and carried on as written. ``slip(f, written)``
    may return the value of a step done wrongly (None: done right).
    Returns (every value written by name, the names that slipped)."""
    written = {name: given[name] for name in exercise.layout.given_names}
    slipped = []
    for f in formulas.graph(exercise):
        value = slip(f, written) if slip else None
        if value is None:
            value = formulas.evaluate(exercise, f, written)
        else:
            slipped.append(f.name)
        rounded = np.round(value, decimals)
        if mode == "full":
            written[f.name] = value
        elif mode == "rounded":
            written[f.name] = rounded
        else:
            written[f.name] = np.where(rng.random(len(value)) < 0.5, value, rounded)
    return written, slipped


# --- slips of the family's members: each returns a ``slip`` for ``work`` ----------------------

def forgotten_derivative(exercise, layer: str):
    """The activation's derivative left out of every path through the neurons of ``layer`` (a
    hidden letter such as ``"q"``, or ``"y_pred"`` for a sigmoid output), in point 1 and point 2:
    tanh's 1 − q², σ's q(1 − q), ReLU's [q > 0] taken as 1."""

    def through(neuron):
        return neuron == layer if layer == "y_pred" else neuron is not None and neuron.startswith(f"{layer}_")

    def slip(f, written):
        if f.kind not in ("weight_partial", "neuron_partial"):
            return None
        terms = tuple(replace(t, local=None) if through(t.local) else t for t in f.terms)
        return formulas.evaluate(exercise, replace(f, terms=terms), written) if terms != f.terms else None

    return slip


def missing_half(exercise):
    """∂L/∂ŷ with the other convention's factor: 2(ŷ − y) for ½(ŷ − y)² (the ½ missed), ŷ − y for
    (ŷ − y)² (a ½ learned elsewhere). Every gradient after it is doubled (or halved)."""
    factor = {"half-squared": 2.0, "squared": 1.0}[exercise.loss.name]

    def slip(f, written):
        return factor * (written["y_pred"] - written["y"]) if f.name == "L_partial_y_pred" else None

    return slip


def bias_left_out(exercise, neuron: str):
    """The bias left out of ``neuron``'s weighted sum (``z_1``, ``y_pred``)."""

    def slip(f, written):
        if f.name != neuron:
            return None
        return formulas.evaluate(exercise, replace(f, sums=tuple(p for p in f.sums if p[1] is not None)), written)

    return slip
