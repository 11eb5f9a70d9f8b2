import re

from generator.codes import ALPHABET, is_valid_code, variant_code


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
