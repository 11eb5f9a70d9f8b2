"""The exercise as one object: the network's layout and the functions its neurons and its loss
apply. Everything else (the solver, the formula graph, the documents' wording, the notebooks,
the Moodle questions, the grader) reads the exercise from here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .functions import ACTIVATIONS, LINEAR, LOSSES, OUTPUTS, SQUARED, TANH, Activation, Loss
from .layout import DEFAULT_LAYOUT, Layout


class ExerciseError(ValueError):
    """Functions that make no exercise together (cross-entropy of a linear output)."""


@dataclass(frozen=True)
class Exercise:
    """What the students compute: the course's exercise by default (tanh hidden neurons, a
    linear output, no biases, L = (ŷ − y)², one gradient step), on any layout."""

    layout: Layout = DEFAULT_LAYOUT
    activation: Activation = TANH  # every hidden neuron's
    output: Activation = LINEAR  # the output neuron's
    loss: Loss = SQUARED

    def __post_init__(self) -> None:
        if self.loss.binary and not self.output.bounded:
            raise ExerciseError(f"the {self.loss.name} loss needs an output between 0 and 1: "
                                f"use --output sigmoid (not {self.output.name})")

    @classmethod
    def named(cls, layout: Layout = DEFAULT_LAYOUT, activation: str = TANH.name, output: str = LINEAR.name,
              loss: str = SQUARED.name, bias: bool = False) -> Exercise:
        """The exercise the options name (``--activation``, ``--output``, ``--loss``, ``--bias``)."""
        for kind, name, members in (("activation", activation, ACTIVATIONS), ("output", output, OUTPUTS),
                                    ("loss", loss, LOSSES)):
            if name not in members:
                raise ExerciseError(f"unknown {kind} {name!r}; choose from {', '.join(members)}")
        return cls(replace(layout, bias=bias), ACTIVATIONS[activation], OUTPUTS[output], LOSSES[loss])

    @property
    def names(self) -> dict:
        """The exercise as answers.json records it, beside its layers."""
        return {"activation": self.activation.name, "output": self.output.name, "loss": self.loss.name,
                "bias": self.layout.bias}

    def activation_of(self, layer: int) -> Activation:
        """The activation of the neurons that weight layer ``layer`` (0 = W) feeds."""
        return self.output if layer == self.layout.n_weight_layers - 1 else self.activation


COURSE = Exercise()
