from generator import numbers


def test_answers_keep_trailing_zeros_and_use_the_true_minus():
    assert numbers.answer(-0.23801799509598603, 4) == "−0.2380"
    assert numbers.answer(10.629934788754046, 4) == "10.6299"
    assert numbers.answer(2.5, 2) == "2.50"


def test_nothing_prints_as_minus_zero():
    assert numbers.answer(-0.00001, 4) == "0.0000"
    assert numbers.answer(-0.0, 4) == "0.0000"
    assert numbers.answer(-0.00005001, 4) == "−0.0001"


def test_russian_uses_the_decimal_comma():
    assert numbers.answer(-5.035050768239443, 4, "ru") == "−5,0351"
    assert numbers.given(-0.5, "ru") == "−0,5"
    assert numbers.given(0.1, "ru") == "0,1"


def test_given_numbers_print_as_typed():
    assert numbers.given(2.0) == "2"
    assert numbers.given(-4.0) == "−4"
    assert numbers.given(-0.5) == "−0.5"
    assert numbers.given(0.1) == "0.1"
