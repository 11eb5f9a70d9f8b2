"""--out: one writer at a time, nothing left behind by killed runs, inputs and odd folders."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from generator.cli.outdir import OutputBusy, locked, resolve_target

from commands import run as gen


def start(*args):
    """The command in its own process (real signals), its stderr captured."""
    return subprocess.Popen([sys.executable, "-m", "generator", *map(str, args)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_for_stage(folder, name="b", process=None):
    """Block until the run has drawn its batch and is writing its hidden staging folder."""
    for _ in range(1200):
        if list(folder.glob(f".{name}.partial-*")):
            return
        assert process is None or process.poll() is None, process.stderr.read()
        time.sleep(0.05)
    raise AssertionError("the run never started writing")


SLOW_RUN = ("--count", "30", "--seed", "3", "--format", "pdf", "--jobs", "1", "--quiet")


def seed_of(folder):
    return json.loads((folder / "answers.json").read_text())["master_seed"]


def test_a_second_run_on_the_same_out_fails_at_once_naming_the_folder_and_the_other_run(tmp_path, capsys):
    out = tmp_path / "b"
    first = start(*SLOW_RUN, "--count", "12", "--format", "json,pdf", "--out", out)
    try:
        wait_for_stage(tmp_path, process=first)
        (tmp_path / "link").symlink_to(tmp_path)
        # the same folder however it is spelled, with or without --force
        for spelling, force in ((out, ()), (tmp_path / "link" / "b", ("--force",)), (tmp_path / "x" / ".." / "b", ())):
            assert gen("--count", "1", "--seed", "9", "--format", "json", "--out", spelling, *force) == 1
            err = capsys.readouterr().err
            assert err == (f"gen-worksheets: error: {out} is being written by another gen-worksheets run "
                           f"(process {first.pid}); wait for it, or choose another --out\n")
    finally:
        assert first.wait(timeout=120) == 0, first.stderr.read()
    assert seed_of(out) == 3  # the first run's batch, not replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b", "link"]  # no lock file left
    # released: the next run may write it
    assert gen("--count", "1", "--seed", "9", "--format", "json", "--out", out, "--force") == 0
    assert seed_of(out) == 9


def test_the_lock_is_held_per_real_folder_and_released_on_failure(tmp_path):
    target = resolve_target(tmp_path / "b")
    with locked(target):
        with pytest.raises(OutputBusy, match=f"process {os.getpid()}"):
            with locked(resolve_target(tmp_path / "." / "b")):
                pass
        with locked(resolve_target(tmp_path / "c")):  # another folder: its own lock
            pass
    with pytest.raises(RuntimeError):
        with locked(target):
            raise RuntimeError
    with locked(target):
        pass
    assert list(tmp_path.iterdir()) == []
    # a folder made to hold the lock goes again when the run fails
    with pytest.raises(RuntimeError):
        with locked(resolve_target(tmp_path / "new" / "deeper" / "b")):
            raise RuntimeError
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_stopped_run_says_one_line_and_leaves_the_previous_batch(tmp_path, signum):
    out = tmp_path / "b"
    assert gen("--count", "2", "--seed", "1", "--format", "json", "--out", out, "--quiet") == 0
    run = start(*SLOW_RUN, "--out", out, "--force", "--jobs", "2")
    wait_for_stage(tmp_path, process=run)
    run.send_signal(signum)
    assert run.wait(timeout=60) == 128 + signum
    assert run.stderr.read() == "gen-worksheets: interrupted; nothing was written\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]
    assert sorted(p.name for p in out.iterdir()) == ["answers.json"] and seed_of(out) == 1


def test_what_a_killed_run_left_is_removed_by_the_next_run(tmp_path, capsys):
    out = tmp_path / "b"
    run = start(*SLOW_RUN, "--out", out)
    wait_for_stage(tmp_path, process=run)
    run.kill()
    run.wait()
    (stage,) = tmp_path.glob(".b.partial-*")
    (tmp_path / ".bb.partial-abcdefgh").mkdir()  # another folder's: not ours to remove
    assert gen("--count", "1", "--seed", "2", "--format", "json", "--out", out) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (f"gen-worksheets: removed 1 unfinished folder(s) that a stopped run left beside {out}: "
                      f"{stage.name}")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".bb.partial-abcdefgh", "b"]
    assert seed_of(out) == 2


def test_out_holding_an_input_of_the_run_is_refused(tmp_path, capsys, course_given_file):
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "header.html").write_text("<td>{{ title }}</td>")
    shutil.copy(course_given_file, templates / "given.json")
    before = sorted(templates.iterdir())
    cases = [
        ("--templates", templates, templates),
        ("--templates", templates, tmp_path),  # a folder holding the templates
        ("--given", templates / "given.json", templates),
        ("--given", tmp_path / "link" / "given.json", templates),  # through a link
    ]
    (tmp_path / "link").symlink_to(templates)
    for option, value, out in cases:
        args = ("--count", "1") if option == "--templates" else ()
        assert gen(*args, option, value, "--format", "json", "--out", out, "--force") == 2
        err = capsys.readouterr().err
        assert f"Invalid value for --out: {out} holds {value}, which this run reads" in err
        assert err.count("\n") == 1
    assert sorted(templates.iterdir()) == before


def test_out_holding_the_current_folder_is_refused(tmp_path, capsys, monkeypatch):
    (tmp_path / "mine.txt").write_text("mine")
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    for out in ("..", ".", str(tmp_path)):
        assert gen("--count", "1", "--format", "json", "--out", out, "--force") == 2
        assert "holds the current folder" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here", "mine.txt"]


def test_a_mount_point_is_refused_before_anything_is_written(tmp_path, capsys):
    mount = tmp_path / "stick"
    mount.mkdir()
    script = (f"mount -t tmpfs none {mount} && touch {mount}/old && "
              f"{sys.executable} -m generator --count 1 --format json --out {mount} --force; echo rc=$?; ls -A {mount}")
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount -t tmpfs none {mount}"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot mount a file system here (needs root and unshare)")
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True)
    assert done.stderr == (f"gen-worksheets: error: Invalid value for --out: {mount} is a mount point, which cannot "
                           "be replaced as a whole; choose a folder inside it\n")
    assert done.stdout == "rc=2\nold\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stick"]  # no .stick.old-* left beside it


@pytest.mark.parametrize("command", ["generate", "grade"])
def test_a_bind_mount_is_refused_before_the_work(tmp_path, command):
    # A folder bound onto itself (a container's volume) has its parent's device: ismount says no,
    # and the finished work could not be moved into its place.
    mount = tmp_path / "volume"
    mount.mkdir()
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind {mount} {mount}"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot bind-mount here (needs root and unshare)")
    (tmp_path / "key").mkdir()
    subprocess.run([sys.executable, "-m", "generator", "--count", "1", "--seed", "1", "--format", "json,csv",
                    "--out", str(tmp_path / "key"), "--quiet"], check=True)
    (tmp_path / "typed.csv").write_text("variant,z_1\n1,0.5\n")
    run = ([sys.executable, "-m", "generator", "--count", "1", "--format", "json,pdf"] if command == "generate" else
           [sys.executable, "-m", "generator", "grade", str(tmp_path / "typed.csv"), "--key",
            str(tmp_path / "key" / "answers.json")])
    script = f"mount --bind {mount} {mount} && touch {mount}/old && " + " ".join(run) + \
        f" --out {mount} --force; echo rc=$?; ls -A {mount}"
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True)
    assert done.stderr == (f"gen-worksheets: error: Invalid value for --out: {mount} is a mount point, which cannot "
                           "be replaced as a whole; choose a folder inside it\n")
    assert done.stdout == "rc=2\nold\n"


def test_a_link_to_a_folder_keeps_pointing_there_and_the_folder_keeps_owner_and_mode(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "old.txt").write_text("old")
    os.chmod(real, 0o750)
    if os.geteuid() == 0:
        os.chown(real, 1234, 4321)
    (tmp_path / "link").symlink_to(real)
    assert gen("--count", "1", "--seed", "4", "--format", "json", "--out", tmp_path / "link", "--force", "-q") == 0
    assert (tmp_path / "link").is_symlink() and os.readlink(tmp_path / "link") == str(real)
    assert sorted(p.name for p in real.iterdir()) == ["answers.json"] and seed_of(real) == 4
    st = real.stat()
    assert st.st_mode & 0o7777 == 0o750
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (1234, 4321)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


def test_a_previous_batch_moved_aside_by_a_killed_run_is_put_back(tmp_path, capsys):
    # killed between moving the old batch aside and the new one into place
    aside = tmp_path / ".b.old-abcd1234"
    (aside / "batch").mkdir(parents=True)
    (aside / "batch" / "answers.json").write_text('{"master_seed": 5}')
    (tmp_path / ".b.partial-efgh5678").mkdir()
    assert gen("--count", "1", "--seed", "6", "--format", "json", "--out", tmp_path / "b") == 2  # holds files
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("gen-worksheets: removed 2 unfinished folder(s)") and "--force" in err[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"] and seed_of(tmp_path / "b") == 5


def test_grade_refuses_an_out_holding_its_responses_or_key(tmp_path, capsys):
    batch = tmp_path / "batch"
    assert gen("--count", "1", "--seed", "1", "--format", "json", "--out", batch, "-q") == 0
    (batch / "class.csv").write_text("code\n")
    for out in (batch, tmp_path):
        assert gen("grade", batch / "class.csv", "--key", batch / "answers.json", "--out", out, "--force") == 2
        assert f"{out} holds {batch / 'class.csv'}, which this run reads" in capsys.readouterr().err
    assert sorted(p.name for p in batch.iterdir()) == ["answers.json", "class.csv"]
