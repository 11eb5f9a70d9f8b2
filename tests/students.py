"""Simulated students for the tests: each works through the sheet in the course's order,
every step from the formula graph on what they wrote before."""

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
