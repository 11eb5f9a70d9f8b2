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

from . import formulas, tolerance
from .description import Exercise
from .interval import Interval
from .layout import Layout
from .solver import Givens, Solution, forward, solve

# In the order they are checked (cheapest first); ``judge`` charges a rejected candidate to
# the first rule it breaks. A rule no function of the exercise calls for is not checked.
ORDER = ("saturation", "dead", "error", "finite", "gradient", "step", "descent", "after", "kink", "rounding")


@dataclass(frozen=True)
class Rules:
    """The limits a drawn variant meets. Only the step involves ``lr``: it limits lr · ∂L/∂w,
    the distance a weight moves, so the larger the lr, the smaller the gradients it allows."""

    # |s| beyond which a neuron saturates; None: each activation's own (tanh 3: 1 - tanh(3)^2
    # < 0.01; sigmoid 4.6, where σ' falls below 0.01 too)
    max_pre_activation: float | None = None
    min_error: float = 0.5  # |y_pred - y|: a loss worth a gradient step
    max_gradient: float = 10.0  # every ∂L/∂(weight or neuron), ∂L/∂y_pred too: hand-sized numbers
    max_step: float = 1.0  # |lr · ∂L/∂w|: one step nudges a weight, never throws it across the range
    max_relative_tolerance: float = 0.02  # tolerance / |answer|: two significant digits survive rounding
    # ReLU: how far from 0, in units of the last printed place, every weighted sum stays beyond
    # what rounding can move it, so that no careful student lands on the other branch
    min_kink_distance: float = 5.0

    def saturation(self, activation) -> float | None:
        """The |s| limit of a neuron with ``activation``, or None where it cannot saturate."""
        if activation.saturation is None:
            return None
        return activation.saturation if self.max_pre_activation is None else self.max_pre_activation

    def describe(self, rule: str, exercise: Exercise | None = None) -> str:
        """The rule in words, for messages."""
        exercise = exercise or Exercise()
        limits = dict.fromkeys(limit for _, limit in _saturating(exercise, self))
        return {
            "saturation": f"every neuron's weighted sum |s| <= {' or '.join(f'{v:g}' for v in limits)}",
            "dead": "some neuron of every hidden layer active (s > 0)",
            "error": f"|y_pred - y| >= {self.min_error:g}",
            "finite": "every answer a finite number",
            "gradient": f"every gradient at most {self.max_gradient:g} in size",
            "step": f"every weight moves by at most {self.max_step:g} in the step",
            "descent": "the step lowers L",
            "after": "after the step, some neuron of every hidden layer still active and the output not saturated",
            "kink": (f"every weighted sum at least {self.min_kink_distance:g} units of the last place clear of 0, "
                     "beyond what rounding can move it"),
            "rounding": (f"every answer's rounding tolerance at most {100 * self.max_relative_tolerance:g}% "
                         "of its size"),
        }[rule]


RULES = Rules()


# --- what each rule measures: one column per quantity, with the quantities' names -------

def _saturating(exercise: Exercise, rules: Rules) -> list[tuple[int, float]]:
    """(layer, |s| limit) of every layer whose neurons can saturate (0 = z, the output last)."""
    out = []
    for layer in range(exercise.layout.n_weight_layers):
        limit = rules.saturation(exercise.activation_of(layer))
        if limit is not None:
            out.append((layer, limit))
    return out


def _neuron_names(layout: Layout, layer: int) -> list[str]:
    return ["y_pred"] if layer == layout.n_weight_layers - 1 else layout.neuron_names(layer)


def _saturation(exercise: Exercise, pre, rules: Rules) -> tuple[np.ndarray, list[str], np.ndarray]:
    """|s| of every neuron that can saturate, their names and their limits."""
    layers = _saturating(exercise, rules)
    columns = [np.abs(pre[layer]) for layer, _ in layers]
    names = [n for layer, _ in layers for n in _neuron_names(exercise.layout, layer)]
    limits = np.array([limit for layer, limit in layers for _ in _neuron_names(exercise.layout, layer)])
    s = np.concatenate(columns, axis=1) if columns else np.zeros((len(pre[0]), 0))
    return s, names, limits


def _dead(exercise: Exercise, pre) -> tuple[np.ndarray, list[str]]:
    """Per hidden layer, the largest weighted sum: at most 0, every neuron of it is off."""
    layout = exercise.layout
    return (np.stack([layer.max(axis=1) for layer in pre[:-1]], axis=1),
            [f"layer {layout.hidden_letters[h]}" for h in range(len(pre) - 1)])


def _kinks(exercise: Exercise, written: dict, decimals: int) -> tuple[np.ndarray, list[str]]:
    """How far from 0, in units of the last place, the weighted sum of every neuron with a
    kink stays whatever careful students wrote before it (at most 0: it may cross)."""
    columns, names = [], []
    for f in formulas.graph(exercise):
        if f.kind in ("neuron", "output") and f.activation.kink:
            s = Interval.of(formulas.weighted_sum(f, written))
            columns.append(np.maximum(s.lo, -s.hi) * 10.0**decimals)
            names.append(f.name)
    return np.stack(columns, axis=1), names


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


# The answers a ReLU neuron that is off makes exactly 0 for every careful student: its value
# and the gradients through it. (A loss, an update or the output that comes out 0 is no such
# thing, and must be told from 0 like any answer.)
_EXACT_ZEROS = ("neuron", "weight_partial", "neuron_partial")


def _relative_tolerances(values, tolerances, written, exercise: Exercise) -> tuple[np.ndarray, list[str]]:
    """tolerance / |answer| of every answer; 0 for an answer that every careful student writes
    exactly (a 0 that rounding cannot move: a ReLU neuron that is off, its gradients)."""
    columns, names = [], []
    with np.errstate(divide="ignore", invalid="ignore"):
        for f in formulas.graph(exercise):
            ratio = tolerances[f.name] / np.abs(values[f.name])
            if f.kind in _EXACT_ZEROS:
                exact = (written[f.name].lo == 0) & (written[f.name].hi == 0)
                ratio = np.where(exact, 0.0, ratio)
            columns.append(ratio)
            names.append(f.name)
    return np.stack(columns, axis=1), names


def _after(exercise: Exercise, solution: Solution, rules: Rules) -> tuple[np.ndarray, list[str]]:
    """The network after the step, for what the rules ask of it where its functions call for it:
    each hidden ReLU layer's largest sum (a whole layer off passes nothing on to L after the step)
    and a saturating output's sum, by how much it is inside its limit. At most 0: broken."""
    pre, _, _ = forward(exercise, solution.givens.x, solution.updated)
    columns, names = [], []
    if exercise.activation.kink:
        # A layer already off before the step is the "dead" rule's, and stays off (no gradient
        # reaches its weights): here, only the layers the step switches off.
        columns += [np.where(before.max(axis=1) > 0, after.max(axis=1), np.inf)
                    for before, after in zip(solution.pre_activations[:-1], pre[:-1])]
        names += [f"layer {letter}" for letter in exercise.layout.hidden_letters]
    limit = rules.saturation(exercise.output)
    if limit is not None:
        columns.append(limit - np.abs(pre[-1][:, 0]))
        names.append("y_pred")
    return (np.stack(columns, axis=1) if columns else np.zeros((len(solution), 0))), names


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

    exercise = givens.exercise
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        pre, _, y_pred = forward(exercise, givens.x, givens.weights)
        # A NaN compares False everywhere, so it is rejected by the first rule that sees it.
        s, _, limits = _saturation(exercise, pre, rules)
        if s.shape[1]:
            keep("saturation", (s <= limits).all(axis=1))
        if exercise.activation.kink:
            keep("dead", (_dead(exercise, pre)[0][alive] > 0).all(axis=1))
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
        after, _ = _after(exercise, solution, rules)
        checked = ["finite", "gradient", "step", "descent"]
        if after.shape[1]:
            passes["after"] = (after > 0).all(axis=1)
            checked.append("after")
        here = np.arange(len(alive))  # rows of ``solution`` still alive
        for rule in checked:
            ok = passes[rule][here]
            keep(rule, ok)
            here = here[ok]
        if not len(here):
            return np.zeros(len(givens), dtype=bool)

        values = {name: v[here] for name, v in tolerance.key_values(solution).items()}
        written, tolerances = tolerance.written(exercise, values, decimals)
        ratios, _ = _relative_tolerances(values, tolerances, written, exercise)
        ok = ratios.max(axis=1) <= rules.max_relative_tolerance
        if exercise.activation.kink:
            clear = _kinks(exercise, written, decimals)[0].min(axis=1) >= rules.min_kink_distance
            keep("kink", clear)
            ok = ok[clear]
        keep("rounding", ok)
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


def warnings(solution: Solution, decimals: int, rules: Rules = RULES) -> list[str]:
    """One line per rule a variant breaks, naming the quantity that breaks it the most
    ("variant 1: W_22 moves by 4.2 in the step (limit 1)"); variants count from 1."""
    exercise = solution.exercise
    values = tolerance.key_values(solution)
    written, tolerances = tolerance.written(exercise, values, decimals)
    s, neurons, limits = _saturation(exercise, solution.pre_activations, rules)
    with np.errstate(divide="ignore", invalid="ignore"):
        measured = {
            "saturation": (s / limits, neurons),  # the share of its own limit
            "finite": _answers(solution),
            "gradient": _gradients(solution),
            "step": _steps(solution),
            "rounding": _relative_tolerances(values, tolerances, written, exercise),
            "after": _after(exercise, solution, rules),
        }
    if exercise.activation.kink:
        distances, kinked = _kinks(exercise, written, decimals)
        measured["kink"] = (-distances, kinked)  # the worst is the closest
        largest, layers = _dead(exercise, solution.pre_activations)
        measured["dead"] = (-largest, layers)
    activation_of = {n: exercise.activation_of(layer).name for layer, _ in _saturating(exercise, rules)
                     for n in _neuron_names(exercise.layout, layer)}

    def worst(rule: str, k: int) -> tuple[float, str]:
        m, names = measured[rule]
        j = int(np.nanargmax(m[k])) if not np.isnan(m[k]).all() else 0
        return float(m[k, j]), names[j]

    def worst_after(k: int) -> tuple[float, str]:
        m, names = measured["after"]
        j = int(np.nanargmin(m[k])) if not np.isnan(m[k]).all() else 0
        return float(m[k, j]), names[j]

    lines = []
    for k in range(len(solution)):
        broken = []
        if neurons:
            _, neuron = worst("saturation", k)
            j = neurons.index(neuron)
            size, limit = float(s[k, j]), float(limits[j])
            if size > limit:
                broken.append(f"{neuron} = {activation_of[neuron]}(s) with |s| = {_show(size, limit)} "
                              f"is saturated (limit {limit:g})")
        if "dead" in measured:
            most, layer = worst("dead", k)
            if most >= 0:
                broken.append(f"every neuron of {layer} is off (its largest weighted sum is {-most:.3g}): "
                              "no gradient reaches the layers before it")
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
        if measured["after"][1]:
            margin, part = worst_after(k)
            if margin <= 0:
                broken.append(f"after the step, every neuron of {part} is off" if part.startswith("layer") else
                              f"after the step, y_pred = {exercise.output.name}(s) is saturated")
        if "kink" in measured:
            closest, neuron = worst("kink", k)
            if -closest < rules.min_kink_distance:
                broken.append(f"{neuron}'s weighted sum is within {max(-closest, 0):.3g} units of the last place of 0 "
                              "(rounding may put a careful student on the other side of the kink; "
                              f"at least {rules.min_kink_distance:g})")
        ratio, name = worst("rounding", k)
        limit = 100 * rules.max_relative_tolerance
        if 100 * ratio > limit:
            broken.append(f"{name} = {float(values[name][k]):.3g} has a rounding tolerance of "
                          f"{float(tolerances[name][k]):.2g}, {_show(100 * ratio, limit)}% of its size "
                          f"(limit {limit:g}%)")
        lines += [f"variant {k + 1}: {b}" for b in broken]
    return lines
