"""The responses in a path, whatever it holds: a CSV file typed in from the worksheets, or a
folder of the students' saved notebooks (read, never run)."""

from __future__ import annotations

from pathlib import Path

from . import csvfile, notebooks
from .responses import Reading, ResponsesError


def read(path: Path) -> Reading:
    if path.is_dir():
        reading = notebooks.read_notebooks(path)
        if not reading.responses and not reading.refused:
            raise ResponsesError(f"{path} holds no notebooks (*.ipynb) and is not a CSV file")
        return reading
    return csvfile.read(path)
