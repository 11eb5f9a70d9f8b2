"""Share of random candidates that meet the rules of a good variant, per layer layout
(README, "Variants", lists these numbers).

    python benchmarks/acceptance.py                       # the README's layouts, lr 0.1, 4 decimals
    python benchmarks/acceptance.py --all                 # every layout the command accepts
    python benchmarks/acceptance.py --lr 0.5 --decimals 3 4,4,1 2,2,2,1
    python benchmarks/acceptance.py --activation relu --bias 2,2,2,1 3,2,1
    python benchmarks/acceptance.py --members             # every exercise of the family, a few layouts

Per layout: the share accepted, and for each rule (checked in turn, cheapest first) the share
of the candidates that reached it that it rejected. Deterministic: candidates come from a
fixed seed.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.exercise.description import Exercise  # noqa: E402
from generator.exercise.draw import candidates  # noqa: E402
from generator.exercise.layout import MAX_NEURONS, MAX_WEIGHT_LAYERS, MIN_WEIGHT_LAYERS, Layout  # noqa: E402
from generator.exercise.rules import ORDER, Tally, judge  # noqa: E402

README_LAYOUTS = ("2,2,2,1", "3,2,1", "2,3,2,1", "2,2,2,2,1", "4,4,1", "4,4,4,4,1",
                  "1,1,1", "2,1,1", "2,2,1", "4,3,1", "3,3,3,1", "4,4,4,1", "1,1,1,1,1", "3,3,3,3,1")
SEED = 4242
CHUNK = 100_000


def every_layout() -> list[str]:
    out = []
    for hidden in range(MIN_WEIGHT_LAYERS - 1, MAX_WEIGHT_LAYERS):
        for sizes in itertools.product(range(1, MAX_NEURONS + 1), repeat=hidden + 1):
            out.append(",".join(map(str, sizes + (1,))))
    return out


def measure(exercise: Exercise, n: int, lr: float, decimals: int) -> tuple[int, Tally]:
    tally, accepted = Tally(), 0
    for start in range(0, n, CHUNK):
        k = np.arange(start, min(n, start + CHUNK))
        accepted += int(judge(candidates(exercise, SEED, k, np.zeros_like(k), lr), decimals, tally=tally).sum())
    return accepted, tally


# The members the README's table measures: every hidden activation with and without biases,
# each output and loss (names as the command's options), on a few layouts.
MEMBER_LAYOUTS = ("2,2,2,1", "3,2,1", "2,2,2,2,1", "4,4,1")
MEMBERS = [(activation, output, loss, bias) for activation in ("tanh", "sigmoid", "relu")
           for output, loss in (("linear", "squared"), ("linear", "half-squared"), ("sigmoid", "cross-entropy"))
           for bias in (False, True)]


def _row(label: str, accepted: int, n: int, tally: Tally) -> str:
    share = accepted / n
    one_in = f"{1 / share:7.0f}" if share else "  never"
    rules = " ".join(f"{tally.share(r):10.1%}" if tally.judged[r] else f"{'-':>10}" for r in ORDER)
    return f"{label} {share:9.2%} {one_in}   {rules}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("layouts", nargs="*")
    parser.add_argument("--all", action="store_true", help="every layout the command accepts")
    parser.add_argument("-n", type=int, default=200_000, help="candidates per layout")
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--decimals", type=int, default=4)
    parser.add_argument("--activation", default="tanh")
    parser.add_argument("--output", default="linear")
    parser.add_argument("--loss", default="squared")
    parser.add_argument("--bias", action="store_true")
    parser.add_argument("--members", action="store_true", help="every member of the family, a few layouts")
    args = parser.parse_args()

    print(f"{args.n:,} candidates per layout, lr {args.lr:g}, {args.decimals} decimals; "
          "per rule: share of the candidates reaching it that it rejected")
    if args.members:
        layouts = args.layouts or MEMBER_LAYOUTS
        print(f"{'exercise':38} {'accepted':>9} {'1 in':>7}   " + " ".join(f"{r:>10}" for r in ORDER))
        for activation, output, loss, bias in MEMBERS:
            for text in layouts:
                exercise = Exercise.named(Layout.parse(text), activation, output, loss, bias)
                label = f"{activation} {output} {loss}{' bias' if bias else ''} {text}"
                print(_row(f"{label:38}", *_measured(exercise, args)), flush=True)
        return
    layouts = every_layout() if args.all else (args.layouts or README_LAYOUTS)
    print(f"{'layers':11} {'accepted':>9} {'1 in':>7}   " + " ".join(f"{r:>10}" for r in ORDER))
    for text in layouts:
        exercise = Exercise.named(Layout.parse(text), args.activation, args.output, args.loss, args.bias)
        print(_row(f"{text:11}", *_measured(exercise, args)), flush=True)


def _measured(exercise: Exercise, args) -> tuple[int, int, Tally]:
    accepted, tally = measure(exercise, args.n, args.lr, args.decimals)
    return accepted, args.n, tally


if __name__ == "__main__":
    main()
