"""The exercise as one object: the network's layout and the functions its neurons and its loss
apply. Everything else (the solver, the formula graph, the documents' wording, the notebooks,
the Moodle questions, the grader) reads the exercise from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .functions import LINEAR, SQUARED, TANH, Activation, Loss
from .layout import DEFAULT_LAYOUT, Layout


@dataclass(frozen=True)
class Exercise:
    """What the students compute: the course's exercise by default (tanh hidden neurons, a
    linear output, no biases, L = (ŷ − y)², one gradient step), on any layout."""

    layout: Layout = DEFAULT_LAYOUT
    activation: Activation = TANH  # every hidden neuron's
    output: Activation = LINEAR  # the output neuron's
    loss: Loss = SQUARED

    def activation_of(self, layer: int) -> Activation:
        """The activation of the neurons that weight layer ``layer`` (0 = W) feeds."""
        return self.output if layer == self.layout.n_weight_layers - 1 else self.activation


COURSE = Exercise()
