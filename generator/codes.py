"""Short variant codes such as ``K7QF-3``, printed on a handout and its key.

A code is a keyed hash (HMAC-SHA256, the master seed as key) of the variant number, so it
names a variant across batches without revealing the seed, plus a check character (Luhn
mod 32) that catches a mistyped character or two swapped neighbours.
"""

from __future__ import annotations

import hashlib
import hmac

# Crockford's base 32: no I, L, O, U to confuse with 1, 0, V.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 4


def _check_character(body: str) -> str:
    # Luhn mod N over the alphabet.
    n = len(ALPHABET)
    total, factor = 0, 2
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        total += addend // n + addend % n
        factor = 3 - factor
    return ALPHABET[(n - total % n) % n]


def variant_code(master_seed: int, variant: int) -> str:
    """The code of variant number ``variant`` (1-based) of the batch with this seed."""
    key = master_seed.to_bytes(16, "big")
    digest = hmac.new(key, f"variant {variant}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    body = "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(BODY_LENGTH))
    return f"{body}-{_check_character(body)}"


def is_valid_code(code: str) -> bool:
    """Whether ``code`` is well formed and its check character matches."""
    body, dash, check = code.upper().rpartition("-")
    return (
        dash == "-"
        and len(body) == BODY_LENGTH
        and all(c in ALPHABET for c in body)
        and check == _check_character(body)
    )
