import json

import pytest

from commands import run
from course import COURSE_GIVEN


@pytest.fixture
def course_given_file(tmp_path):
    path = tmp_path / "course.json"
    path.write_text(json.dumps(COURSE_GIVEN))
    return path


@pytest.fixture
def gen(capsys):
    """The command in-process, as a user would run it: (exit code, stdout, stderr)."""

    def call(*args):
        code = run(*args)
        out, err = capsys.readouterr()
        return code, out, err

    return call
