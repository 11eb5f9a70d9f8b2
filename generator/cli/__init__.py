"""The command line: one click group, ``gen-worksheets`` (``generate``) with its ``grade``
command, a thin shell over the library. ``shell`` is what both share; ``outdir`` writes an
output folder in one piece."""

from __future__ import annotations

import sys

from .generate import generate
from .grade import grade
from .shell import invoke

generate.add_command(grade)


def main(argv: list[str] | None = None) -> int:
    """The command on ``argv`` (None: the process's arguments); returns the exit code."""
    return invoke(generate, argv)


def run() -> None:
    """Console entry point."""
    sys.exit(main())
