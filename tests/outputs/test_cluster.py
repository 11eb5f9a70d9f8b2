"""--scheduler: PDFs laid out on a real Dask cluster (a ``distributed.LocalCluster`` of two worker
processes, shared by the module), byte for byte the files of a local run."""

import csv
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

from generator.outputs import printed  # noqa: E402
from generator.render.templates import builtin_templates  # noqa: E402

from commands import run  # noqa: E402

LOCAL = ("--jobs", "2")


@pytest.fixture(scope="module")
def scheduler():
    # Workers started as the README says (without Dask's profiler); the config goes with them.
    with dask.config.set({"distributed.worker.profile.enabled": False}):
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                           silence_logs=logging.CRITICAL)
    with cluster:
        yield cluster.scheduler_address


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def same_as_local(gen, tmp_path, scheduler, *args):
    """Runs the command on the cluster and here; returns the cluster's stderr."""
    code, _, err = gen(*args, "--out", tmp_path / "cluster", "--scheduler", scheduler)
    assert code == 0, err
    code, _, local_err = gen(*args, "--out", tmp_path / "local", *LOCAL)
    assert code == 0, local_err
    cluster, local = files(tmp_path / "cluster"), files(tmp_path / "local")
    assert sorted(cluster) == sorted(local)
    assert [name for name in local if cluster[name] != local[name]] == []
    return err


def test_the_batch_laid_out_on_the_cluster_is_byte_identical(gen, tmp_path, scheduler):
    err = same_as_local(gen, tmp_path, scheduler, "--count", "5", "--seed", "2024", "--format", "pdf,json,csv,html")
    assert err.splitlines()[0] == f"gen-worksheets: laying out the PDFs on 2 worker thread(s) at {scheduler}"
    names = sorted(files(tmp_path / "cluster"))
    assert "handouts.pdf" in names and "grading-sheet.pdf" in names and "keys/variant-05-key.pdf" in names


def test_russian_with_custom_templates_travelling_as_contents(gen, tmp_path, scheduler):
    templates = tmp_path / "tpl"
    (templates / "lang").mkdir(parents=True)
    (templates / "img").mkdir()
    # a changed wording, a changed style, and a picture the style uses: all read from the folder
    ru = json.loads((builtin_templates() / "lang" / "ru.json").read_text(encoding="utf-8"))
    ru["title"] = "Обратное распространение: контрольная"
    (templates / "lang" / "ru.json").write_text(json.dumps(ru, ensure_ascii=False), encoding="utf-8")
    shutil.copy(builtin_templates() / "style.css", templates / "style.css")
    with open(templates / "style.css", "a", encoding="utf-8") as f:
        f.write('\nbody { background: url("img/dot.svg") no-repeat top right; }\n')
    (templates / "img" / "dot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
                                               '<circle cx="4" cy="4" r="3"/></svg>')
    same_as_local(gen, tmp_path, scheduler, "--count", "3", "--seed", "7", "--lang", "ru", "--format", "pdf",
                  "--templates", templates, "--bias", "--worked-examples")
    from pdftext import text
    assert "контрольная" in text(tmp_path / "cluster" / "worksheets" / "variant-01.pdf")


def test_accessible_tagged_pdfs_on_the_cluster_are_byte_identical(gen, tmp_path, scheduler):
    # --accessible travels with the options: the workers write the same tagged PDF/UA-1 files.
    same_as_local(gen, tmp_path, scheduler, "--count", "3", "--seed", "5", "--lang", "ru", "--format", "pdf",
                  "--accessible")
    from pypdf import PdfReader

    for name in ("worksheets/variant-01.pdf", "handouts.pdf", "grading-sheet.pdf"):
        root = PdfReader(tmp_path / "cluster" / name).trailer["/Root"]
        assert "/StructTreeRoot" in root and root["/Lang"] == "ru", name


def test_grades_feedback_pdf_is_byte_identical(gen, tmp_path, scheduler):
    code, _, err = gen("--count", "4", "--seed", "11", "--format", "json", "--out", tmp_path / "batch")
    assert code == 0, err
    key = json.loads((tmp_path / "batch" / "answers.json").read_text())
    names = list(key["variants"][0]["answers"])
    typed = tmp_path / "typed.csv"
    with open(typed, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "code", *names])
        for i, variant in enumerate(key["variants"]):
            values = [f"{v:.4f}" for v in variant["answers"].values()]
            values[i] = "-1"  # a slip, carried on
            writer.writerow([f"Student {i}", variant["code"], *values])
    args = ("grade", typed, "--key", tmp_path / "batch" / "answers.json", "--show-answers")
    same_as_local(gen, tmp_path, scheduler, *args)
    assert (tmp_path / "cluster" / "feedback.pdf").stat().st_size > 0


def test_print_jobs_are_split_into_parts_named_by_their_variants(gen, tmp_path, scheduler, monkeypatch):
    monkeypatch.setattr(printed, "VARIANTS_PER_PRINT_JOB", 2)  # as 1,000 would, on a batch a test can afford
    same_as_local(gen, tmp_path, scheduler, "--count", "5", "--seed", "3", "--format", "pdf")
    names = sorted(p.name for p in (tmp_path / "cluster").iterdir() if p.suffix == ".pdf")
    assert names == [f"{stem}-{a}-{b}.pdf" for stem in ("answer-keys", "grading-sheet", "handouts")
                     for a, b in (("01", "02"), ("03", "04"), ("05", "05"))]
    from pypdf import PdfReader
    sheets = [len(PdfReader(tmp_path / "cluster" / "worksheets" / f"variant-0{k}.pdf").pages) for k in (3, 4)]
    # every variant on a new sheet: the first starts on page 1, the second on the next odd page
    assert len(PdfReader(tmp_path / "cluster" / "handouts-03-04.pdf").pages) == sheets[0] + sheets[0] % 2 + sheets[1]


def test_a_worker_with_other_fonts_is_refused_before_rendering(gen, tmp_path):
    # A worker whose fontconfig sees one font: it would lay the documents out otherwise.
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    shutil.copy("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", fonts)
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><fontconfig><dir>{fonts}</dir>'
                    f'<cachedir>{tmp_path / "cache"}</cachedir></fontconfig>')
    out = tmp_path / "out"
    assert gen("--count", "1", "--seed", "1", "--format", "json", "--out", out)[0] == 0
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=logging.CRITICAL, env={"FONTCONFIG_FILE": str(conf)}) as other:
        code, _, err = gen("--count", "3", "--seed", "1", "--out", out, "--force", "--scheduler",
                           other.scheduler_address)
    assert code == 1
    assert err.startswith("gen-worksheets: error: worker tcp://127.0.0.1:")
    assert " would make other PDF bytes than this machine: fonts 1 files, sha256 " in err  # DejaVu Sans alone
    assert err.endswith("; every worker needs the same versions and fonts (README: Large batches)\n")
    assert len(err.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert sorted(files(out)) == ["answers.json"]  # the old --out, untouched


# A worker process of its own (``dask worker``), started with what it lacks from the beginning.
NO_TOOL = """import sys

class Absent:  # a machine where gen-worksheets was never installed
    def find_spec(self, name, path=None, target=None):
        if name == "generator" or name.startswith("generator."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, Absent())
from distributed.cli.dask_worker import main
main()
"""


def refused_by_a_lone_worker(gen, tmp_path, command: list[str], env: dict[str, str]) -> str:
    """The error of a run on a scheduler whose one worker is started by ``command``; checks that
    it is one line and leaves the old --out as it was."""
    out = tmp_path / "out"
    assert gen("--count", "1", "--seed", "1", "--format", "json", "--out", out)[0] == 0
    with distributed.LocalCluster(n_workers=0, dashboard_address=":0", silence_logs=logging.CRITICAL) as cluster:
        worker = subprocess.Popen([*command, cluster.scheduler_address, "--nthreads", "1", "--no-nanny",
                                   "--no-dashboard"], env={**os.environ, **env}, stderr=subprocess.DEVNULL)
        try:
            code, _, err = gen("--count", "3", "--seed", "1", "--out", out, "--force", "--scheduler",
                               cluster.scheduler_address)
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    assert code == 1 and len(err.splitlines()) == 1, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left
    assert sorted(files(out)) == ["answers.json"]  # the old --out, untouched
    return err


def test_a_worker_without_the_tool_is_refused_in_one_line_not_waited_for(gen, tmp_path):
    # Its task names only Python's own eval: a task naming our functions cannot even be unpickled
    # there, and Dask would leave the command waiting for ever.
    err = refused_by_a_lone_worker(gen, tmp_path, [sys.executable, "-c", NO_TOOL], {})
    assert err.startswith("gen-worksheets: error: worker tcp://127.0.0.1:")
    assert err.endswith(" cannot lay out PDFs (ModuleNotFoundError: No module named 'generator'); it needs "
                        "gen-worksheets, Pango and the fonts as here (README: Large batches)\n")


def test_a_worker_without_pango_is_refused_in_one_line(gen, tmp_path):
    # Empty files where the loader looks first: the libraries cannot be loaded, as where Pango is
    # not installed.
    libraries = tmp_path / "lib"
    libraries.mkdir()
    for name in ("libpango-1.0.so.0", "libpango-1.0.so", "libpangoft2-1.0.so.0", "libpangoft2-1.0.so"):
        (libraries / name).write_bytes(b"")
    err = refused_by_a_lone_worker(gen, tmp_path / "run", [sys.executable, "-m", "distributed.cli.dask_worker"],
                                   {"LD_LIBRARY_PATH": str(libraries)})
    assert " cannot lay out PDFs (RenderError: WeasyPrint cannot load Pango (" in err
    assert "install it, e.g. apt-get install libpango-1.0-0 libpangoft2-1.0-0)" in err


def test_a_worker_without_the_tool_joining_mid_batch_stops_itself_and_the_batch_completes(gen, tmp_path):
    # Dask's own behaviour, relied on: the task it cannot unpickle breaks its connection, it stops,
    # and the scheduler gives its tasks to the others.
    args = ("--count", "20", "--seed", "3", "--format", "pdf")
    log = tmp_path / "worker.log"
    with dask.config.set({"distributed.worker.profile.enabled": False}):
        cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
                                           silence_logs=logging.CRITICAL)
    joined = []

    def join_once_rendering():
        for _ in range(3000):
            if list(tmp_path.glob(".out.partial-*/worksheets/*.pdf")):
                with open(log, "w") as stderr:
                    joined.append(subprocess.Popen([sys.executable, "-c", NO_TOOL, cluster.scheduler_address,
                                                    "--nthreads", "1", "--no-nanny", "--no-dashboard"],
                                                   stderr=stderr))
                return
            time.sleep(0.02)

    with cluster:
        joiner = threading.Thread(target=join_once_rendering)
        joiner.start()
        code, _, err = gen(*args, "--out", tmp_path / "out", "--scheduler", cluster.scheduler_address)
        joiner.join()
        assert joined and joined[0].wait(timeout=60) == 0  # it stopped itself
    assert code == 0, err
    assert "Reason: worker-handle-scheduler-connection-broken" in log.read_text()  # it was given a task
    assert gen(*args, "--out", tmp_path / "local", *LOCAL)[0] == 0
    assert files(tmp_path / "out") == files(tmp_path / "local")


def test_workers_running_dask_s_profiler_get_a_notice(gen, tmp_path):
    # Dask's default: its history of WeasyPrint's stack traces grew workers by ~0.3 MB a variant.
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=logging.CRITICAL) as cluster:
        code, _, err = gen("--count", "1", "--seed", "1", "--format", "pdf", "--out", tmp_path / "out",
                           "--scheduler", cluster.scheduler_address)
    assert code == 0, err
    assert err.splitlines()[0] == (
        "gen-worksheets: notice: 1 of 1 workers run Dask's profiler, which keeps the stack traces of the last "
        "1,000 s: ~0.9 MB a second a worker laying out PDFs; start them with "
        "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False (README: Large batches)")


def test_without_distributed_scheduler_is_refused_naming_the_extra(gen, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as where the extra is not installed
    code, _, err = gen("--count", "2", "--out", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:8786")
    assert (code, err) == (1, "gen-worksheets: error: --scheduler needs Dask's distributed, an optional extra: "
                              "pip install 'gen-worksheets[cluster]'\n")
    assert list(tmp_path.iterdir()) == []


def test_a_scheduler_nobody_answers_at_is_one_line(gen, tmp_path):
    for address, reason in (("tcp://127.0.0.1:1", "Connection refused"),
                            ("tcp://127.0.0.1", None)):
        code, _, err = gen("--count", "2", "--out", tmp_path / "out", "--scheduler", address)
        assert code == 1 and len(err.splitlines()) == 1, err
        assert err.startswith(f"gen-worksheets: error: cannot reach the Dask scheduler at {address}: {reason}"
                              if reason else f"gen-worksheets: error: {address} is not a Dask scheduler's address")
    assert list(tmp_path.iterdir()) == []


def test_the_scheduler_comes_from_the_environment_too(gen, tmp_path, scheduler, monkeypatch):
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", scheduler)
    code, _, err = gen("--count", "1", "--seed", "4", "--format", "pdf", "--out", tmp_path / "out")
    assert code == 0 and f"worker thread(s) at {scheduler}" in err


def test_count_beyond_one_machine_needs_a_scheduler(gen, tmp_path):
    code, _, err = gen("--count", "10001", "--out", tmp_path / "out")
    assert (code, err.splitlines()[-1]) == (2, "gen-worksheets: error: Invalid value for '--count': 10001 is not in "
                                               "the range 1<=x<=10000 (1000000 with --scheduler)")
    code, _, err = gen("--count", "1000001", "--out", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:1")
    assert (code, err.splitlines()[-1]) == (2, "gen-worksheets: error: Invalid value for '--count': 1000001 is "
                                               "not in the range 1<=x<=1000000")


def kill_a_worker_once_rendering(scheduler, stage_parent, killed):
    """In a thread: once the run has written two worksheets, SIGKILL a worker process (what the
    out-of-memory killer or a lost host does); records whether the run was still going."""
    with distributed.Client(scheduler, set_as_default=False) as client:
        pid = next(iter(client.run(os.getpid).values()))
        for _ in range(3000):
            written = list(stage_parent.glob(".out.partial-*/worksheets/*.pdf"))
            if len(written) >= 2:
                os.kill(pid, signal.SIGKILL)
                killed.append(bool(list(stage_parent.glob(".out.partial-*"))))
                return
            time.sleep(0.02)


def test_a_worker_killed_mid_batch_is_replaced_and_the_batch_completes_whole(gen, tmp_path, scheduler):
    args = ("--count", "8", "--seed", "8", "--format", "pdf,json")
    killed = []
    killer = threading.Thread(target=kill_a_worker_once_rendering, args=(scheduler, tmp_path, killed))
    killer.start()
    code, _, err = gen(*args, "--out", tmp_path / "out", "--scheduler", scheduler)
    killer.join()
    assert code == 0, err
    assert killed == [True]  # during the run
    assert gen(*args, "--out", tmp_path / "local", *LOCAL)[0] == 0
    assert files(tmp_path / "out") == files(tmp_path / "local")
    with distributed.Client(scheduler, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=60)  # the nanny restarted it, for the tests after this one


def test_when_dask_gives_a_task_up_the_batch_fails_whole_in_one_line(gen, tmp_path):
    out = tmp_path / "out"
    assert gen("--count", "1", "--seed", "1", "--format", "json", "--out", out)[0] == 0
    # The scheduler gives a task up at the first worker death while running it (Dask's default: 3).
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
                                     silence_logs=logging.CRITICAL) as cluster:
        killed = []
        killer = threading.Thread(target=kill_a_worker_once_rendering,
                                  args=(cluster.scheduler_address, tmp_path, killed))
        killer.start()
        code, _, err = gen("--count", "12", "--seed", "8", "--out", out, "--force", "--scheduler",
                           cluster.scheduler_address)
        killer.join()
    assert killed == [True]
    assert code == 1
    assert err.splitlines()[-1] == ("gen-worksheets: error: Dask gave a task up: every worker that ran it died "
                                    "(out of memory?); see the workers' logs")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left
    assert sorted(files(out)) == ["answers.json"]  # the old --out


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_run_cancels_its_tasks_and_leaves_nothing(tmp_path, scheduler, signum):
    out = tmp_path / "out"
    assert run("--count", "1", "--seed", "1", "--format", "json", "--out", out) == 0
    process = subprocess.Popen([sys.executable, "-m", "generator", "--count", "40", "--seed", "2", "--format", "pdf",
                                "--out", out, "--force", "--scheduler", scheduler],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for _ in range(3000):
        if list(tmp_path.glob(".out.partial-*/worksheets/*.pdf")):
            break
        assert process.poll() is None, process.stderr.read()
        time.sleep(0.02)
    process.send_signal(signum)
    assert process.wait(timeout=60) == 128 + signum
    assert process.stderr.read().splitlines()[-1] == "gen-worksheets: interrupted; nothing was written"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(files(out)) == ["answers.json"]
    # Nothing of the run's is left on the cluster: its tasks were cancelled, not left to finish.
    with distributed.Client(scheduler, set_as_default=False) as client:
        for _ in range(500):
            if not client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)):
                break
            time.sleep(0.02)
        assert client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0

