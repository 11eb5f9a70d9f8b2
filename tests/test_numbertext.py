"""Numbers as the documents print them, and as people type them back."""

import pytest

from generator import numbertext
from generator.grading.moodlenumber import moodle_reads


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
    ("8.48284x10^-1", 0.848284), ("-12.5x10^1", -125.0), ("1*10**3", 1000.0), ("2\u00d710^-2", 0.02),
    ("65.1 x 10^-1", 6.51),
])
def test_typed_numbers(text, value):
    assert numbertext.typed(text) == value


@pytest.mark.parametrize("text", [
    "", " ", "abc", "nan", "inf", "-Infinity", "1e400", "1,234.5", "1,2,3", "1/2", "1_000", "0.76.16",
    "\u2212\u22121", "0,7616?", "e5", "1e", "--1",
])
def test_typed_not_numbers(text):
    assert numbertext.typed(text) is None


# What students typed into Moodle in tests/moodle-samples, and more of Moodle's forms.
MOODLE_FORMS = ["0.2449", "-0.9918597245682078", "  0.7187  ", "0.85 20", "- 0.8483", "-244.9187E-3",
                "8.48284x10^-1", "-991.4284e-3", ".6495", "+0.3818", "+ 5.1269", "2563.4674e-3", "1*10**-2",
                "3\u00d710^1", "-0,38180", "0,7616", "7", "-.5"]


@pytest.mark.parametrize("text", MOODLE_FORMS)
def test_the_grader_reads_what_moodle_reads(text):
    """Every number Moodle reads in an attempt with the decimal comma (where a comma is not a
    thousands separator, which the grader never takes it for) is the same number to the grader."""
    assert numbertext.typed(text) == moodle_reads(text, ",")
