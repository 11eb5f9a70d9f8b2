"""Reading a user's file as UTF-8 text, or saying on which line it is not; and reading no more
of it than a limit (``/dev/zero`` given as a file would fill the memory)."""

from __future__ import annotations

from pathlib import Path


class NotUtf8(ValueError):
    """The bytes are not UTF-8; ``line`` (1-based) holds the first byte that is not."""

    def __init__(self, line: int):
        super().__init__(f"line {line} is not UTF-8 text")
        self.line = line


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise NotUtf8(data.count(b"\n", 0, e.start) + 1) from None


class TooLarge(ValueError):
    def __init__(self, limit: int):
        super().__init__(f"is larger than {limit // 2**20} MB")
        self.limit = limit


def read_bytes(path: Path, limit: int) -> bytes:
    """The file's bytes, or ``TooLarge`` past ``limit`` of them (read no further)."""
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(limit)
    return data
