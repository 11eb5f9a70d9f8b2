"""Numbers as the documents print them, and as people type them back."""

import pytest

from generator import numbertext


def test_answers_keep_trailing_zeros_and_use_the_true_minus():
    assert numbertext.answer(-0.23801799509598603, 4) == "−0.2380"
    assert numbertext.answer(10.629934788754046, 4) == "10.6299"
    assert numbertext.answer(2.5, 2) == "2.50"


def test_nothing_prints_as_minus_zero():
    assert numbertext.answer(-0.00001, 4) == "0.0000"
    assert numbertext.answer(-0.0, 4) == "0.0000"
    assert numbertext.answer(-0.00005001, 4) == "−0.0001"
    assert numbertext.fixed(-0.00001, 4) == "0.0000"
    assert numbertext.fixed(-0.00005001, 4) == "-0.0001"


def test_russian_uses_the_decimal_comma():
    assert numbertext.answer(-5.035050768239443, 4, "ru") == "−5,0351"
    assert numbertext.given(-0.5, "ru") == "−0,5"
    assert numbertext.given(0.1, "ru") == "0,1"


def test_given_numbers_print_as_typed():
    assert numbertext.given(2.0) == "2"
    assert numbertext.given(-4.0) == "−4"
    assert numbertext.given(-0.5) == "−0.5"
    assert numbertext.given(0.1) == "0.1"
    assert numbertext.plain(2.0) == 2 and type(numbertext.plain(2.0)) is int
    assert numbertext.plain(0.5) == 0.5


def test_scores_as_a_gradebook_takes_them():
    assert numbertext.score(30.0) == "30"
    assert numbertext.score(30.5) == "30.5"
    assert numbertext.score(10 / 3) == "3.3333"


@pytest.mark.parametrize("text, value", [
    ("0.7616", 0.7616), ("0,7616", 0.7616), ("\u22120,7088", -0.7088), ("-0.7088", -0.7088),
    ("  1e-3 ", 0.001), ("1E\u22123", 0.001), ("0,5e-3", 0.0005), ("+2", 2.0), (".5", 0.5), ("5.", 5.0),
    ("1 234,5", 1234.5), ("- 0.5", -0.5), ("\u00a00,5\u00a0", 0.5), ("\u20130.25", -0.25), ("3", 3.0),
])
def test_typed_numbers(text, value):
    assert numbertext.typed(text) == value


@pytest.mark.parametrize("text", [
    "", " ", "abc", "nan", "inf", "-Infinity", "1e400", "1,234.5", "1,2,3", "1/2", "1_000", "0.76.16",
    "\u2212\u22121", "0,7616?", "e5", "1e", "--1",
])
def test_typed_not_numbers(text):
    assert numbertext.typed(text) is None
