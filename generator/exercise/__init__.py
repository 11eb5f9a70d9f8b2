"""The exercise's mathematics, numpy only: no files, no text, no templates.

``description`` (the exercise as one object: ``layout`` and the ``functions`` its neurons and
loss apply) -> ``draw`` (random variants that meet the ``rules``) -> ``solver`` (the reference
solution) -> ``batch`` (drawn, solved, self-checked by ``selfcheck``, with the rounding-aware
``tolerance``s the ``formulas`` graph and ``interval`` arithmetic give, and variant ``codes``).
"""

from .batch import Batch, make_batch
from .description import COURSE, Exercise
from .functions import LINEAR, SQUARED, TANH, Activation, Loss
from .layout import DEFAULT_LAYOUT, Layout, LayoutError
from .solver import Givens, Solution, solve

__all__ = ["COURSE", "DEFAULT_LAYOUT", "LINEAR", "SQUARED", "TANH", "Activation", "Batch", "Exercise", "Givens",
           "Layout", "LayoutError", "Loss", "Solution", "make_batch", "solve"]
