"""Rendering in worker processes changes nothing in the output."""

import signal
import subprocess
import sys

import pytest
from pypdf import PdfReader

from generator.render.pdfjoin import PdfJoiner

from commands import run, run_ok


def files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_files_whatever_jobs(tmp_path):
    for name, jobs in (("one", "1"), ("two", "2"), ("again", "2")):
        run_ok("--count", "3", "--seed", "31337", "--format", "pdf,html,json,csv", "--jobs", jobs,
               "--out", str(tmp_path / name), "--quiet")
    one, two, again = files(tmp_path / "one"), files(tmp_path / "two"), files(tmp_path / "again")
    assert len(one) == 18  # with responses-template.csv
    assert one == two == again


def test_joiner_streams_pages_and_keeps_them_whole(tmp_path):
    run_ok("--count", "2", "--seed", "5", "--format", "pdf", "--jobs", "1", "--out", str(tmp_path / "b"), "--quiet")
    keys = sorted((tmp_path / "b" / "keys").glob("*.pdf"))
    sources = [PdfReader(k) for k in keys]
    with PdfJoiner(tmp_path / "joined.pdf") as joiner:
        joiner.add(keys[0])
        joiner.add_blank_page(*joiner.last_page_size)
        joiner.add(keys[1])
    joined = PdfReader(tmp_path / "joined.pdf", strict=True)
    n0 = len(sources[0].pages)
    assert len(joined.pages) == n0 + 1 + len(sources[1].pages)
    assert joined.pages[n0].extract_text() == ""
    assert joined.pages[n0].mediabox == sources[0].pages[-1].mediabox
    pages = list(joined.pages)
    for page, original in zip(pages[:n0] + pages[n0 + 1 :], list(sources[0].pages) + list(sources[1].pages)):
        assert page.extract_text() == original.extract_text()
        assert page["/Parent"].get_object()["/Count"] == len(joined.pages)


@pytest.mark.parametrize("jobs, message",
                         [("0", "0 is not in the range 1<=x<=64"), ("two", "'two' is not a valid integer")])
def test_bad_jobs(tmp_path, capsys, jobs, message):
    code = run("--jobs", jobs, "--out", str(tmp_path / "o"))
    assert code == 2 and message in capsys.readouterr().err


WORKERS_OF_A_KILLED_RUN = """
import os, signal, time
from generator.outputs.workers import in_workers

class Slow:
    def __call__(self, i):
        time.sleep(0.05)
        return i

with in_workers(Slow, (), 200, 2) as (items, _):
    for i in items:
        os.kill(os.getpid(), signal.SIGKILL)  # as `kill -9`, with items still being laid out
"""


def test_the_workers_of_a_killed_run_end_with_it_silently():
    # communicate() reads stderr to its end: until every worker, which shares it, has ended.
    done = subprocess.run([sys.executable, "-c", WORKERS_OF_A_KILLED_RUN], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == -signal.SIGKILL
    assert "Traceback" not in done.stderr and done.stderr == "", done.stderr
