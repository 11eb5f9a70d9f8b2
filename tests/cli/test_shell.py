"""What both commands share (generator/cli/shell.py): the same checks of the same options, and the
same handling of signals, for the generator and for `grade`."""

import csv
import json
import signal
import subprocess
import sys

import pytest

from generator.cli import shell
from generator.render import pdf

from commands import run_ok


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    """A batch's answers.json and a class of four students who answered every box right."""
    folder = tmp_path_factory.mktemp("class")
    run_ok("--count", "4", "--seed", "8", "--format", "json", "--out", folder / "b", "--quiet")
    key = json.loads((folder / "b" / "answers.json").read_text())
    with open(folder / "typed.csv", "w", newline="") as f:
        rows = [{"student": f"S{v['variant']}", "code": v["code"], **{n: f"{a:.4f}" for n, a in v["answers"].items()}}
                for v in key["variants"]]
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


def commands(folder):
    """Each command's arguments, up to its shared options."""
    return {
        "generate": ["--count", "1", "--seed", "1", "--format", "json,pdf"],
        "grade": ["grade", folder / "typed.csv", "--key", folder / "b" / "answers.json"],
    }


@pytest.mark.parametrize("command", ["generate", "grade"])
def test_a_title_longer_than_the_header_holds_is_refused_by_both(gen, marked, tmp_path, command):
    code, _, err = gen(*commands(marked)[command], "--title", "W" * 101, "--out", tmp_path / "o")
    assert code == 2 and "--title" in err and "at most 100 characters" in err and "got 101" in err
    assert err.count("\n") == 1 and not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", ["generate", "grade"])
def test_an_option_that_is_not_utf8_is_refused_by_both(marked, tmp_path, command):
    # As a shell passes bytes that are not UTF-8: Python reads them as lone surrogates.
    args = [str(a).encode() for a in commands(marked)[command]]
    done = subprocess.run([sys.executable, "-m", "generator", *args, b"--title", b"Week \xff",
                           b"--out", str(tmp_path / "o").encode()], capture_output=True, timeout=300)
    assert done.returncode == 2
    assert done.stderr == b"gen-worksheets: error: Invalid value for --title: is not valid UTF-8 text\n"
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", ["generate", "grade"])
def test_a_signal_that_lands_where_python_cannot_raise_stops_both(marked, tmp_path, command):
    # A signal arriving while an at-fork hook runs (logging has one; the pool forks workers)
    # raises inside the hook, where Python prints the exception and carries on; the progress
    # callback notices and stops the run.
    args = [str(a) for a in commands(marked)[command]] + ["--jobs", "2", "--out", str(tmp_path / "o")]
    if command == "generate":
        args[1] = "4"  # more than one variant, so that the pool forks
    script = f"""
import os, signal, sys
from generator import cli
sent = []
def hook():
    if not sent:
        sent.append(1)
        os.kill(os.getpid(), signal.SIGHUP)
os.register_at_fork(after_in_parent=hook)
sys.argv = ["gen-worksheets", *{args!r}]
cli.run()
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stderr) == (128 + signal.SIGHUP, "gen-worksheets: interrupted; nothing was written\n")
    assert not (tmp_path / "o").exists() and list(tmp_path.iterdir()) == []


def test_a_notice_only_where_fonts_would_be_subset_with_fonttools(monkeypatch):
    from weasyprint.pdf import fonts

    told = []
    shell.check_pdf_output(None, told.append)
    monkeypatch.setattr(fonts, "harfbuzz_subset", None)  # no libharfbuzz-subset0: uharfbuzz's
    shell.check_pdf_output(None, told.append)
    assert told == []
    monkeypatch.setattr(pdf, "_bundled", False)  # and a WeasyPrint whose font code is not the one we know
    shell.check_pdf_output(None, told.append)
    assert told == ["gen-worksheets: notice: fonts will be subset with fontTools, which takes about 3 times the "
                    "CPU time and gives other PDF bytes every run; install HarfBuzz's subsetter (Debian, Ubuntu: "
                    "apt-get install libharfbuzz-subset0)"]
