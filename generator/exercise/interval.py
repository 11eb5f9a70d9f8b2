"""Interval arithmetic over numpy arrays: every value a student could reach, as [lo, hi].

Just the operations the exercise's formulas use (+, −, ·, squares), so that the formula graph
evaluates on intervals exactly as it does on numbers; each function of the exercise states its
own interval extension (``functions``). Each bound is an array with the variant axis; a plain
number or array is an interval of width zero.
"""

from __future__ import annotations

import numpy as np


class Interval:
    __slots__ = ("lo", "hi")
    __array_ufunc__ = None  # numpy hands ``array op Interval`` to our reflected methods

    def __init__(self, lo, hi=None):
        self.lo = np.asarray(lo, dtype=float)
        self.hi = self.lo if hi is None else np.asarray(hi, dtype=float)

    @classmethod
    def around(cls, value, radius) -> Interval:
        return cls(value - radius, value + radius)

    @staticmethod
    def of(x) -> Interval:
        return x if isinstance(x, Interval) else Interval(x)

    def __add__(self, other):
        other = Interval.of(other)
        return Interval(self.lo + other.lo, self.hi + other.hi)

    __radd__ = __add__

    def __neg__(self):
        return Interval(-self.hi, -self.lo)

    def __sub__(self, other):
        return self + (-Interval.of(other))

    def __rsub__(self, other):
        return Interval.of(other) + (-self)

    def __mul__(self, other):
        other = Interval.of(other)
        corners = (self.lo * other.lo, self.lo * other.hi, self.hi * other.lo, self.hi * other.hi)
        return Interval(np.minimum.reduce(corners), np.maximum.reduce(corners))

    __rmul__ = __mul__

    def __pow__(self, exponent: int):
        if exponent != 2:
            raise ValueError("intervals here are only ever squared")
        low, high = self.lo**2, self.hi**2
        spans_zero = (self.lo <= 0) & (self.hi >= 0)
        return Interval(np.where(spans_zero, 0.0, np.minimum(low, high)), np.maximum(low, high))

    def distance(self, value) -> np.ndarray:
        """How far the interval reaches from ``value`` (inside it), on either side."""
        return np.maximum(self.hi - value, value - self.lo)
