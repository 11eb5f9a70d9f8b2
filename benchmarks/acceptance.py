"""Share of random candidates that meet the rules of a good variant, per layer layout
(README, "Variants", lists these numbers).

    python benchmarks/acceptance.py                       # the README's layouts, lr 0.1, 4 decimals
    python benchmarks/acceptance.py --all                 # every layout the command accepts
    python benchmarks/acceptance.py --lr 0.5 --decimals 3 4,4,1 2,2,2,1

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


def measure(layout: Layout, n: int, lr: float, decimals: int) -> tuple[int, Tally]:
    tally, accepted = Tally(), 0
    for start in range(0, n, CHUNK):
        k = np.arange(start, min(n, start + CHUNK))
        accepted += int(judge(candidates(Exercise(layout), SEED, k, np.zeros_like(k), lr), decimals, tally=tally).sum())
    return accepted, tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("layouts", nargs="*")
    parser.add_argument("--all", action="store_true", help="every layout the command accepts")
    parser.add_argument("-n", type=int, default=200_000, help="candidates per layout")
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--decimals", type=int, default=4)
    args = parser.parse_args()
    layouts = every_layout() if args.all else (args.layouts or README_LAYOUTS)

    print(f"{args.n:,} candidates per layout, lr {args.lr:g}, {args.decimals} decimals; "
          "per rule: share of the candidates reaching it that it rejected")
    print(f"{'layers':11} {'accepted':>9} {'1 in':>7}   " + " ".join(f"{r:>10}" for r in ORDER))
    for text in layouts:
        accepted, tally = measure(Layout.parse(text), args.n, args.lr, args.decimals)
        share = accepted / args.n
        one_in = f"{1 / share:7.0f}" if share else "  never"
        rules = " ".join(f"{tally.share(r):10.1%}" if tally.judged[r] else f"{'-':>10}" for r in ORDER)
        print(f"{text:11} {share:9.2%} {one_in}   {rules}", flush=True)


if __name__ == "__main__":
    main()
