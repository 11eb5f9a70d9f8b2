"""Layer sizes of a network and the course's names for its letters and quantities.

Naming scheme (reduces to the course's names for 2-2-2-1):

* weight layers, from the input: ``W``, ``U``, ``T``; the output layer is always ``V``
  (3-2-1: W, V; 2-2-2-1: W, U, V; 2-2-2-2-1: W, U, T, V);
* hidden neurons, from the input: ``z``, ``q``, ``r`` (the neurons that weight layer
  ``W`` feeds are ``z``, ``U`` feeds ``q``, ``T`` feeds ``r``); the output is ``y_pred``;
* indices are 1-based and concatenated, as in the course: ``W_ij`` connects ``x_i`` to
  ``z_j``, so ``W_12`` is row 1, column 2. Layers have at most 4 neurons, so every index
  is one digit;
* with biases, a neuron's bias is the weight from a constant input 1 of index 0, as many
  textbooks write it: ``W_01`` is z_1's bias, ``V_01`` y_pred's; each weight matrix gains a
  row 0, and the bias is a given number, a gradient (point 1) and an update (point 3) like
  every weight.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

MIN_WEIGHT_LAYERS, MAX_WEIGHT_LAYERS = 2, 4
MAX_NEURONS = 4
DEFAULT_SIZES = (2, 2, 2, 1)

_MIDDLE_WEIGHT_LETTERS = ("W", "U", "T")
_HIDDEN_LETTERS = ("z", "q", "r")


class LayoutError(ValueError):
    """Layer sizes the exercise cannot have."""


@dataclass(frozen=True)
class Layout:
    """Sizes of every neuron layer, input first, output (always 1) last, and whether every
    neuron has a bias."""

    sizes: tuple[int, ...]
    bias: bool = False

    def __post_init__(self) -> None:
        sizes = self.sizes
        if not MIN_WEIGHT_LAYERS + 1 <= len(sizes) <= MAX_WEIGHT_LAYERS + 1:
            raise LayoutError(
                f"a network has {MIN_WEIGHT_LAYERS} to {MAX_WEIGHT_LAYERS} weight layers, "
                f"so {MIN_WEIGHT_LAYERS + 1} to {MAX_WEIGHT_LAYERS + 1} layer sizes; got {len(sizes)}"
            )
        if any(not 1 <= n <= MAX_NEURONS for n in sizes):
            raise LayoutError(f"every layer has 1 to {MAX_NEURONS} neurons; got {self.text}")
        if sizes[-1] != 1:
            raise LayoutError(f"the output layer has exactly 1 neuron; got {sizes[-1]}")

    @classmethod
    def parse(cls, text: str) -> Layout:
        try:
            sizes = tuple(int(part) for part in text.split(","))
        except ValueError:
            raise LayoutError(f"layer sizes are whole numbers separated by commas, like 2,2,2,1; "
                              f"got {text!r}") from None
        return cls(sizes)

    @property
    def text(self) -> str:
        return ",".join(map(str, self.sizes))

    @property
    def n_weight_layers(self) -> int:
        return len(self.sizes) - 1

    @cached_property
    def weight_letters(self) -> tuple[str, ...]:
        return _MIDDLE_WEIGHT_LETTERS[: self.n_weight_layers - 1] + ("V",)

    @cached_property
    def hidden_letters(self) -> tuple[str, ...]:
        return _HIDDEN_LETTERS[: self.n_weight_layers - 1]

    @cached_property
    def weight_shapes(self) -> tuple[tuple[int, int], ...]:
        """Rows and columns of each weight matrix: a row per neuron of the layer before (and
        row 0 for the biases), a column per neuron of the layer after."""
        return tuple((rows + self.bias, cols) for rows, cols in zip(self.sizes[:-1], self.sizes[1:]))

    @property
    def first_row(self) -> int:
        """The index of a weight matrix's first row: 0, the biases, where there are biases."""
        return 0 if self.bias else 1

    @cached_property
    def n_weights(self) -> int:
        return sum(a * b for a, b in self.weight_shapes)

    # Names, as the course's notebook spells its variables.

    def weight_names(self, layer: int) -> list[str]:
        """Row by row: ``W_01, W_02`` (the biases, if any), ``W_11, W_12``, ..."""
        letter = self.weight_letters[layer]
        rows, cols = self.weight_shapes[layer]
        first = self.first_row
        return [f"{letter}_{i}{j}" for i in range(first, first + rows) for j in range(1, cols + 1)]

    def neuron_names(self, hidden: int) -> list[str]:
        letter = self.hidden_letters[hidden]
        return [f"{letter}_{i}" for i in range(1, self.sizes[hidden + 1] + 1)]

    @cached_property
    def input_names(self) -> tuple[str, ...]:
        return tuple(f"x_{i}" for i in range(1, self.sizes[0] + 1))

    @cached_property
    def answer_names(self) -> tuple[str, ...]:
        """Every answer, in the course's order: forward pass, loss, then each layer from the end
        with point 1 (weight gradients), point 2 (neuron gradients), point 3 (updated weights)."""
        names: list[str] = []
        for hidden in range(len(self.hidden_letters)):
            names += self.neuron_names(hidden)
        names += ["y_pred", "L", "L_partial_y_pred"]
        for layer in reversed(range(self.n_weight_layers)):
            names += [f"L_partial_{w}" for w in self.weight_names(layer)]
            if layer > 0:
                names += [f"L_partial_{n}" for n in self.neuron_names(layer - 1)]
            names += [f"{w}_updated" for w in self.weight_names(layer)]
        names.append("L_after_update")
        return tuple(names)

    @cached_property
    def given_names(self) -> tuple[str, ...]:
        """Flat names of the given numbers, as in the CSV header."""
        names = list(self.input_names) + ["y"]
        for layer in range(self.n_weight_layers):
            names += self.weight_names(layer)
        return tuple(names) + ("lr",)


DEFAULT_LAYOUT = Layout(DEFAULT_SIZES)
