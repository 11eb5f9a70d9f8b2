"""Short variant codes such as ``K7QF-3``, printed on a handout and its key.

A code is a keyed hash (HMAC-SHA256, the master seed as key) of the variant number, so it
names a variant across batches without revealing the seed, plus a check character that
catches any single mistyped character and any two swapped neighbours.

Codes are unique within a batch: a variant whose first-choice code an earlier variant of
the batch already has takes its next choice, so variant k's code depends only on the seed
and variants 1..k (``--count 40`` repeats the 30 codes of ``--count 30``).
"""

from __future__ import annotations

import hashlib
import hmac

# Crockford's base 32: no I, L, O, U to confuse with 1, 0, V.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 4

# The check character is a parity symbol over GF(32) (modulus x^5 + x^2 + 1, generator
# alpha = x): sum(alpha^i * c_i) = 0 over the body and the check. A typo at position i
# changes the sum by alpha^i * e != 0; swapping neighbours a, b by alpha^i * (a - b) *
# (1 - alpha) != 0. Luhn mod 32, used before, missed swaps of 0 and V.
_MODULUS = 0b100101


def _times(a: int, b: int) -> int:
    product = 0
    while b:
        if b & 1:
            product ^= a
        b >>= 1
        a <<= 1
        if a & 0b100000:
            a ^= _MODULUS
    return product


def _power(a: int, n: int) -> int:
    result = 1
    for _ in range(n):
        result = _times(result, a)
    return result


_WEIGHTS = tuple(_power(2, i) for i in range(BODY_LENGTH + 1))
_INVERSE_LAST = next(b for b in range(1, 32) if _times(_WEIGHTS[-1], b) == 1)


def _check_character(body: str) -> str:
    total = 0
    for weight, char in zip(_WEIGHTS, body):
        total ^= _times(weight, ALPHABET.index(char))
    return ALPHABET[_times(total, _INVERSE_LAST)]


def _code(master_seed: int, variant: int, choice: int) -> str:
    key = master_seed.to_bytes(16, "big")
    message = f"variant {variant}" if choice == 0 else f"variant {variant} choice {choice}"
    number = int.from_bytes(hmac.new(key, message.encode(), hashlib.sha256).digest()[:8], "big")
    body = "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(BODY_LENGTH))
    return f"{body}-{_check_character(body)}"


def variant_code(master_seed: int, variant: int) -> str:
    """The first-choice code of variant ``variant`` (1-based); ``batch_codes`` gives the
    codes a batch actually uses, which differ where first choices collide."""
    return _code(master_seed, variant, 0)


def batch_codes(master_seed: int, count: int) -> tuple[str, ...]:
    """The codes of variants 1..count of the batch with this seed, all different."""
    codes: list[str] = []
    taken: set[str] = set()
    for variant in range(1, count + 1):
        choice = 0
        while (code := _code(master_seed, variant, choice)) in taken:
            choice += 1
        taken.add(code)
        codes.append(code)
    return tuple(codes)


def is_valid_code(code: str) -> bool:
    """Whether ``code`` is well formed and its check character matches."""
    body, dash, check = code.upper().rpartition("-")
    return (
        dash == "-"
        and len(body) == BODY_LENGTH
        and all(c in ALPHABET for c in body)
        and check == _check_character(body)
    )
