"""The rules of a good variant: their limits, checking candidates against them, and the
warnings for given data that break them.

Every limit lives in ``Rules`` (README, "Variants", gives the reason for each). A candidate
is checked in stages, cheapest first, so that the expensive checks only see the few that
survive the cheap ones: the forward pass alone (saturation, error), then the full solution
(finite, gradients, step, descent), then the rounding-aware tolerances, which cost about six
solver calls. ``judge`` does that for drawing; ``warnings`` says, for given data, which
rules a variant breaks and by how much.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from . import tolerance
from .layout import Layout
from .solver import Givens, Solution, forward, solve

# In the order they are checked (cheapest first); ``judge`` charges a rejected candidate to
# the first rule it breaks.
ORDER = ("saturation", "error", "finite", "gradient", "step", "descent", "rounding")


@dataclass(frozen=True)
class Rules:
    """The limits a drawn variant meets. Only the step involves ``lr``: it limits lr · ∂L/∂w,
    the distance a weight moves, so the larger the lr, the smaller the gradients it allows."""

    max_pre_activation: float = 3.0  # |s| > 3 saturates tanh: 1 - tanh(s)^2 < 0.01
    min_error: float = 0.5  # |y_pred - y|: a loss worth a gradient step
    max_gradient: float = 10.0  # every ∂L/∂(weight or neuron), ∂L/∂y_pred too: hand-sized numbers
    max_step: float = 1.0  # |lr · ∂L/∂w|: one step nudges a weight, never throws it across the range
    max_relative_tolerance: float = 0.02  # tolerance / |answer|: two significant digits survive rounding

    def describe(self, rule: str) -> str:
        """The rule in words, for messages."""
        return {
            "saturation": f"every neuron's weighted sum |s| <= {self.max_pre_activation:g}",
            "error": f"|y_pred - y| >= {self.min_error:g}",
            "finite": "every answer a finite number",
            "gradient": f"every gradient at most {self.max_gradient:g} in size",
            "step": f"every weight moves by at most {self.max_step:g} in the step",
            "descent": "the step lowers L",
            "rounding": (f"every answer's rounding tolerance at most {100 * self.max_relative_tolerance:g}% "
                         "of its size"),
        }[rule]


RULES = Rules()


# --- what each rule measures: one column per quantity, with the quantities' names -------

def _saturation(pre_activations, layout: Layout) -> tuple[np.ndarray, list[str]]:
    names = [n for hidden in range(len(layout.hidden_letters)) for n in layout.neuron_names(hidden)]
    return np.abs(np.concatenate(pre_activations, axis=1)), names


def _gradients(solution: Solution) -> tuple[np.ndarray, list[str]]:
    # ∂L/∂y_pred counts: it is a box on the sheet, and every other gradient carries it.
    n, layout = len(solution), solution.layout
    columns = [solution.L_partial_y_pred[:, None]] + [g.reshape(n, -1) for g in solution.weight_grads]
    columns += list(solution.neuron_grads)
    names = ["L_partial_y_pred"]
    names += [f"L_partial_{w}" for layer in range(layout.n_weight_layers) for w in layout.weight_names(layer)]
    names += [f"L_partial_{q}" for hidden in range(len(layout.hidden_letters)) for q in layout.neuron_names(hidden)]
    return np.abs(np.concatenate(columns, axis=1)), names


def _steps(solution: Solution) -> tuple[np.ndarray, list[str]]:
    n, layout = len(solution), solution.layout
    grads = np.concatenate([g.reshape(n, -1) for g in solution.weight_grads], axis=1)
    names = [w for layer in range(layout.n_weight_layers) for w in layout.weight_names(layer)]
    return np.abs(solution.givens.lr[:, None] * grads), names


def _answers(solution: Solution) -> tuple[np.ndarray, list[str]]:
    answers = solution.answers()
    return np.stack(list(answers.values()), axis=1), list(answers)


def _relative_tolerances(values, tolerances, layout: Layout) -> tuple[np.ndarray, list[str]]:
    names = list(layout.answer_names)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.stack([tolerances[a] / np.abs(values[a]) for a in names], axis=1), names


# --- drawing ------------------------------------------------------------------------------

@dataclass
class Tally:
    """How many candidates each rule judged and rejected (``judge`` adds to it)."""

    judged: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)

    def share(self, rule: str) -> float:
        return self.rejected[rule] / self.judged[rule] if self.judged[rule] else 0.0

    def hardest(self) -> str | None:
        """The rule that rejected the largest share of the candidates it judged: with the
        rules checked in turn, the factor that shrinks the acceptance rate the most. The
        share is smoothed, so that a rule that saw two candidates does not outrank one that
        rejected 99.99% of 20,000."""
        smoothed = {r: (self.rejected[r] + 1) / (self.judged[r] + 2) for r in ORDER if self.judged[r]}
        return max(smoothed, key=smoothed.__getitem__) if smoothed else None


def judge(givens: Givens, decimals: int, rules: Rules = RULES, tally: Tally | None = None) -> np.ndarray:
    """Which candidates meet every rule (a boolean mask), checked in stages, cheapest first."""
    tally = Tally() if tally is None else tally
    alive = np.arange(len(givens))

    def keep(rule: str, ok: np.ndarray) -> None:
        nonlocal alive
        tally.judged[rule] += len(ok)
        tally.rejected[rule] += int(len(ok) - ok.sum())
        alive = alive[ok]

    layout = givens.layout
    pre, _, y_pred = forward(givens.exercise, givens.x, givens.weights)
    with np.errstate(invalid="ignore"):
        # A NaN compares False everywhere, so it is rejected by the first rule that sees it.
        s, _ = _saturation(pre, layout)
        keep("saturation", s.max(axis=1) <= rules.max_pre_activation)
        keep("error", np.abs(y_pred - givens.y)[alive] >= rules.min_error)
        if not len(alive):
            return np.zeros(len(givens), dtype=bool)

        solution = solve(givens.take(alive))
        passes = {  # for every row of ``solution``; all cheap next to the tolerances
            "finite": np.isfinite(_answers(solution)[0]).all(axis=1),
            "gradient": _gradients(solution)[0].max(axis=1) <= rules.max_gradient,
            "step": _steps(solution)[0].max(axis=1) <= rules.max_step,
            "descent": solution.L_after_update < solution.L,
        }
        here = np.arange(len(alive))  # rows of ``solution`` still alive
        for rule in ("finite", "gradient", "step", "descent"):
            ok = passes[rule][here]
            keep(rule, ok)
            here = here[ok]
        if not len(here):
            return np.zeros(len(givens), dtype=bool)

        values = {name: v[here] for name, v in tolerance.key_values(solution).items()}
        ratios, _ = _relative_tolerances(values, tolerance.tolerances(givens.exercise, values, decimals), layout)
        keep("rounding", ratios.max(axis=1) <= rules.max_relative_tolerance)
    good = np.zeros(len(givens), dtype=bool)
    good[alive] = True
    return good


# --- given data ----------------------------------------------------------------------------

def _show(value: float, limit: float) -> str:
    """``value`` to 3 significant digits, or more where 3 would print the limit itself."""
    for digits in range(3, 17):
        text = f"{value:.{digits}g}"
        if float(text) != limit:
            return text
    return text


def warnings(solution: Solution, tolerances: dict[str, np.ndarray], rules: Rules = RULES) -> list[str]:
    """One line per rule a variant breaks, naming the quantity that breaks it the most
    ("variant 1: W_22 moves by 4.2 in the step (limit 1)"); variants count from 1."""
    values = tolerance.key_values(solution)
    measured = {
        "saturation": _saturation(solution.pre_activations, solution.layout),
        "finite": _answers(solution),
        "gradient": _gradients(solution),
        "step": _steps(solution),
        "rounding": _relative_tolerances(values, tolerances, solution.layout),
    }

    def worst(rule: str, k: int) -> tuple[float, str]:
        m, names = measured[rule]
        j = int(np.nanargmax(m[k])) if not np.isnan(m[k]).all() else 0
        return float(m[k, j]), names[j]

    lines = []
    for k in range(len(solution)):
        broken = []
        s, neuron = worst("saturation", k)
        if s > rules.max_pre_activation:
            broken.append(f"{neuron} = tanh(s) with |s| = {_show(s, rules.max_pre_activation)} is saturated "
                          f"(limit {rules.max_pre_activation:g})")
        error = abs(float(solution.y_pred[k] - solution.givens.y[k]))
        if error < rules.min_error:
            broken.append(f"y_pred is only {_show(error, rules.min_error)} from y (at least {rules.min_error:g})")
        answers, names = measured["finite"]
        if not np.isfinite(answers[k]).all():
            broken.append(f"{names[int(np.argmin(np.isfinite(answers[k])))]} is not a finite number")
        g, name = worst("gradient", k)
        if g > rules.max_gradient:
            broken.append(f"{name} is {_show(g, rules.max_gradient)} in size (limit {rules.max_gradient:g})")
        step, weight = worst("step", k)
        if step > rules.max_step:
            broken.append(f"{weight} moves by {_show(step, rules.max_step)} in the step (limit {rules.max_step:g})")
        L, L_after = float(solution.L[k]), float(solution.L_after_update[k])
        if not L_after < L:
            broken.append(f"the step does not lower L ({L:.4g} before, {L_after:.4g} after)")
        ratio, name = worst("rounding", k)
        limit = 100 * rules.max_relative_tolerance
        if 100 * ratio > limit:
            broken.append(f"{name} = {float(values[name][k]):.3g} has a rounding tolerance of "
                          f"{float(tolerances[name][k]):.2g}, {_show(100 * ratio, limit)}% of its size "
                          f"(limit {limit:g}%)")
        lines += [f"variant {k + 1}: {b}" for b in broken]
    return lines
