"""Numbers as people type them, and everything that is not one."""

import pytest

from generator.typed import number


@pytest.mark.parametrize("text, value", [
    ("0.7616", 0.7616), ("0,7616", 0.7616), ("\u22120,7088", -0.7088), ("-0.7088", -0.7088),
    ("  1e-3 ", 0.001), ("1E\u22123", 0.001), ("0,5e-3", 0.0005), ("+2", 2.0), (".5", 0.5), ("5.", 5.0),
    ("1 234,5", 1234.5), ("- 0.5", -0.5), ("\u00a00,5\u00a0", 0.5), ("\u20130.25", -0.25), ("3", 3.0),
])
def test_numbers(text, value):
    assert number(text) == value


@pytest.mark.parametrize("text", [
    "", " ", "abc", "nan", "inf", "-Infinity", "1e400", "1,234.5", "1,2,3", "1/2", "1_000", "0.76.16",
    "\u2212\u22121", "0,7616?", "e5", "1e", "--1",
])
def test_not_numbers(text):
    assert number(text) is None
