"""Reading a user's file as UTF-8 text, or saying on which line it is not."""

from __future__ import annotations


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
