import re

from generator.exercise.codes import ALPHABET, batch_codes, is_valid_code, variant_code


def test_codes_are_short_checked_and_stable():
    codes = [variant_code(123456789, k) for k in range(1, 201)]
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]", c) for c in codes)
    assert all(is_valid_code(c) for c in codes)
    assert len(set(codes)) > 195  # 32^4 codes: collisions are rare
    assert codes == [variant_code(123456789, k) for k in range(1, 201)]
    assert codes != [variant_code(123456790, k) for k in range(1, 201)]


def test_check_character_catches_a_typo_and_a_swap():
    for k in range(1, 60):
        code = variant_code(42, k)
        body = code[:4]
        for i in range(4):
            for c in ALPHABET:
                if c != body[i]:
                    assert not is_valid_code(body[:i] + c + body[i + 1 :] + code[4:])
        for i in range(3):
            if body[i] != body[i + 1]:
                swapped = body[:i] + body[i + 1] + body[i] + body[i + 2 :]
                assert not is_valid_code(swapped + code[4:])


def test_codes_are_unique_within_a_batch_and_a_longer_batch_repeats_them():
    # seed 3: first choices repeat 54 times in 10,000 (variants 50 and 6983 were both M31F-7)
    for seed in (3, 4, 5):
        codes = batch_codes(seed, 10_000)
        assert len(set(codes)) == 10_000
        assert all(is_valid_code(c) for c in codes)
        assert batch_codes(seed, 30) == codes[:30]
        assert batch_codes(seed, 7000)[6982] == codes[6982]
    first_choices = [variant_code(3, k) for k in range(1, 10_001)]
    assert len(set(first_choices)) < 10_000  # the collisions this resolves are real
    assert sum(a != b for a, b in zip(first_choices, batch_codes(3, 10_000))) == 10_000 - len(set(first_choices))


def test_check_character_catches_every_typo_and_neighbour_swap():
    # Every pair of characters at every pair of neighbouring places of the body (Luhn
    # mod 32 let "0V" <-> "V0" through); the check character counts as a place too.
    def valid(body):
        (code,) = [f"{body}-{c}" for c in ALPHABET if is_valid_code(f"{body}-{c}")]
        return code

    for place in range(3):
        for a in ALPHABET:
            for b in ALPHABET:
                body = ["7", "K", "Q", "F"]
                body[place], body[place + 1] = a, b
                code = valid("".join(body))
                chars = code[:4] + code[5]
                for i in range(5):
                    for c in ALPHABET:
                        if c != chars[i]:
                            typo = chars[:i] + c + chars[i + 1 :]
                            assert not is_valid_code(typo[:4] + "-" + typo[4]), (code, typo)
                for i in range(4):
                    if chars[i] != chars[i + 1]:
                        swap = chars[:i] + chars[i + 1] + chars[i] + chars[i + 2 :]
                        assert not is_valid_code(swap[:4] + "-" + swap[4]), (code, swap)
