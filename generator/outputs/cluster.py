"""Laying out PDFs on a Dask cluster (``--scheduler``): the batch is drawn and solved here, each
document is laid out by a worker and comes back as PDF bytes.

Dask's distributed scheduler is the engine (deployed with ``dask scheduler``/``dask worker``,
dask-jobqueue, dask-kubernetes), not one of our own; it is an optional extra
(``gen-worksheets[cluster]``). Nothing is shared but the scheduler's address: a ``--templates``
folder travels as its contents, and each task carries the view of its variant.

The output must be the bytes of a local run, so every worker's ``fingerprint`` (the versions and
fonts the bytes depend on) is compared with this process's before any work is sent, and again by
every task (a worker may join mid-batch).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ..render.fingerprint import difference, fingerprint
from ..render.templates import DocumentOptions
from .base import Tools

EXTRA = "pip install 'gen-worksheets[cluster]'"
MAX_TEMPLATES_BYTES = 4 * 1024 * 1024  # a template pack is CSS, HTML, a few images; it goes with every task
CONNECT_SECONDS = 10
WORKERS_SECONDS = 30  # how long a scheduler may have no worker (one being started) before the run stops
# How a worker is started without Dask's statistical profiler, whose history of WeasyPrint's deep
# stack traces grew a worker by ~0.5 MB a variant (~0.9 MB a second), the bulk of its growth.
PROFILER_OFF = "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False"
# How long a worker may take to answer the check: loading WeasyPrint and hashing the fonts takes
# ~2 s on a loaded machine here; a worker that cannot take the task at all never answers.
PROBE_SECONDS = 120
# The check's task, as a call of the builtin ``eval`` on this constant: a task that names a function
# of ours cannot even be unpickled on a worker without gen-worksheets, and Dask then neither runs it
# nor fails it (the worker's connection to the scheduler breaks; distributed 2026.8), so the
# command would wait for ever. The builtin unpickles anywhere and fails there in words.
PROBE = "__import__('generator.outputs.cluster', fromlist=['probe']).probe()"
# Tasks in flight per worker thread: enough that no worker waits for the next while its result
# travels, few enough that this process holds little (a finished task's result comes here at once).
TASKS_PER_THREAD = 4


class ClusterError(Exception):
    """The cluster cannot be reached, has no workers, or a worker cannot make the same bytes."""


@dataclass(frozen=True)
class Spec:
    """What every task of one run needs besides its variant: sent to the workers once."""

    id: str
    options: DocumentOptions  # templates=None: ``templates`` holds the folder's contents
    templates: dict[str, bytes] | None
    fingerprint: dict[str, str]


def pack_templates(folder: Path) -> dict[str, bytes]:
    """Every file of a --templates folder by its relative path, for workers that cannot see it.
    A symbolic link out of the folder is refused now, as the template loader would refuse it when
    used: a worker unpacks plain files and could not tell."""
    root = folder.resolve()
    files: dict[str, bytes] = {}
    size = 0
    for directory, _, names in os.walk(root):
        for name in sorted(names):
            path = Path(directory) / name
            if not path.resolve().is_relative_to(root):
                raise ClusterError(f"{path} leads to {path.resolve()}, outside the template folder; refused")
            if not path.is_file():
                continue
            data = path.read_bytes()
            size += len(data)
            if size > MAX_TEMPLATES_BYTES:
                raise ClusterError(f"{folder} holds over {MAX_TEMPLATES_BYTES // 2**20} MB; too much to send "
                                   "with every document to the cluster's workers")
            files[path.relative_to(root).as_posix()] = data
    return files


# --- on a worker ---------------------------------------------------------------------------

class _Unpacked(threading.local):
    """This worker thread's tools for the run it last worked for (a worker serves one run after
    another): its own, as WeasyPrint's objects are not made for threads."""

    spec_id: str | None = None
    tools: Tools | None = None


_unpacked = _Unpacked()


def _tools(spec: Spec) -> Tools:
    state = _unpacked
    # Made once a run (~0.4 MB of a worker's memory a run is not given back, measured). What grew a
    # worker by ~0.5 MB a variant was Dask's profiler: the check asks for it off (PROFILER_OFF).
    if state.spec_id != spec.id:
        options = spec.options
        if spec.templates is not None:
            folder = Path(tempfile.mkdtemp(prefix="gen-worksheets-templates-"))
            for name, data in spec.templates.items():
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                (folder / name).write_bytes(data)
            options = replace(options, templates=folder)
        state.tools = Tools(options)
        if spec.templates is not None:
            weakref.finalize(state.tools, shutil.rmtree, folder, ignore_errors=True)
        state.spec_id = spec.id
    return state.tools


def _task(spec: Spec, function: Callable, args: tuple):
    """A worker's side of every task: refuse to work with another fingerprint, else ``function(tools, *args)``."""
    different = difference(spec.fingerprint, fingerprint())
    if different:
        raise ClusterError(_refusal(_worker_name(), different))
    return function(_tools(spec), *args)


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return "a worker"


def _refusal(worker: str, different: str) -> str:
    return (f"worker {worker} would make other PDF bytes than this machine: {different}; every worker needs "
            "the same versions and fonts (README: Large batches)")


def probe() -> tuple[dict[str, str], bool]:
    """On a worker, for the check: its fingerprint, and whether it runs Dask's profiler."""
    from distributed import get_worker

    return fingerprint(), "profile" in get_worker().periodic_callbacks


# --- here ------------------------------------------------------------------------------------

def _probe(address: str) -> None:
    """Refuse an address nothing answers at in one line, before Dask's client is made: one that
    fails to connect leaves a half-made client whose clean-up at exit waits 20 s."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location) if scheme == "tcp" else (None, None)
    except ValueError as e:
        raise ClusterError(f"{address} is not a Dask scheduler's address (tcp://HOST:PORT): {e}") from None
    if host is None:
        return  # tls://, ws:// ...: Dask's client connects
    try:
        socket.create_connection((host, port), timeout=CONNECT_SECONDS).close()
    except OSError as e:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {e.strerror or e}") from None


def _close_half_made(error: Exception, client_class) -> None:
    """Close the client a failed ``Client(...)`` left behind (reached through the traceback), so
    that its clean-up does not wait 20 s and print a traceback when the command exits."""
    tb = error.__traceback__
    while tb is not None:
        made = tb.tb_frame.f_locals.get("self")
        if isinstance(made, client_class):
            with contextlib.suppress(Exception):
                made.close(timeout=1)
            made.status = "closed"
            return
        tb = tb.tb_next


class Cluster:
    """A connection to a Dask scheduler, for one run."""

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError:
            raise ClusterError(f"--scheduler needs Dask's distributed, an optional extra: {EXTRA}") from None
        self.address = address
        _probe(address)
        try:
            self.client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except Exception as e:  # refused, timed out, or not a Dask scheduler that answered
            _close_half_made(e, Client)
            if isinstance(e, (OSError, TimeoutError, ValueError)):
                text = str(e).splitlines()[0] if str(e) else type(e).__name__
            else:
                text = f"something answered, not a Dask scheduler ({type(e).__name__})"
            raise ClusterError(f"cannot reach the Dask scheduler at {address}: {text}") from None
        self._spec = None

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def check(self) -> list[str]:
        """Refuse the run, before any work is sent, if the scheduler has no worker or a worker's
        fingerprint differs from this process's; gives the workers that run Dask's profiler."""
        try:
            self.client.wait_for_workers(1, timeout=WORKERS_SECONDS)
        except TimeoutError:
            raise ClusterError(f"the Dask scheduler at {self.address} has no workers (waited "
                               f"{WORKERS_SECONDS} s)") from None
        local = fingerprint()
        workers = self.workers()
        # As tasks on each worker (not Client.run, which would block its event loop while
        # WeasyPrint loads): the worker's threads then find it loaded.
        futures = [self.client.submit(eval, PROBE, workers=[w], allow_other_workers=False, pure=False)
                   for w in workers]
        profiling = []
        deadline = time.monotonic() + PROBE_SECONDS
        try:
            for worker, future in zip(workers, futures):
                try:
                    future.result(timeout=max(0.0, deadline - time.monotonic()))
                except Exception:
                    if not future.done():
                        raise ClusterError(f"worker {worker} did not answer in {PROBE_SECONDS} s; see its "
                                           "log") from None
                try:
                    theirs, profiles = self._result(future)
                except ClusterError:
                    raise
                except Exception as e:  # no gen-worksheets there, no Pango, ...
                    text = str(e).splitlines()[0] if str(e) else ""
                    raise ClusterError(f"worker {worker} cannot lay out PDFs ({type(e).__name__}: {text}); it "
                                       "needs gen-worksheets, Pango and the fonts as here (README: Large batches)"
                                       ) from None
                different = difference(local, theirs)
                if different:
                    raise ClusterError(_refusal(worker, different))
                if profiles:
                    profiling.append(worker)
        finally:
            self.client.cancel(futures)
        return profiling

    def workers(self) -> list[str]:
        return list(self.client.nthreads())

    def threads(self) -> int:
        return sum(self.client.nthreads().values()) or 1

    def start(self, options: DocumentOptions) -> None:
        """Make what every task of the run needs (the templates' contents among it). It goes with
        each task, not scattered once: scattered data lives only on workers, and is lost when they
        are all replaced at once (--lifetime-restart), which would fail the run."""
        templates = pack_templates(options.templates) if options.templates else None
        self._spec = Spec(uuid.uuid4().hex, replace(options, templates=None), templates, fingerprint())

    def _call(self, function: Callable, args: tuple):
        return self.client.submit(_task, self._spec, function, args, pure=False)

    def submit(self, function: Callable, *args) -> Callable[[], object]:
        """``function(tools, *args)`` on a worker, started now; gives a function that waits for it."""
        future = self._call(function, args)
        return lambda: self._result(future)

    def results(self, calls: Iterable[tuple[int, Callable, tuple]], ordered: bool = False) -> Iterator[tuple]:
        """(k, ``function(tools, *args)``) for each (k, function, args) of ``calls``, laid out on the
        workers, as they finish (``ordered``: in the order of ``calls``). Only so many are sent ahead
        (``TASKS_PER_THREAD``), so that neither this process nor the scheduler holds the batch; the
        ones still out are cancelled if the caller stops (an error, Ctrl-C)."""
        from distributed import as_completed

        calls = iter(calls)
        window = max(8, TASKS_PER_THREAD * self.threads())
        keys: dict[object, int] = {}  # future -> k
        order: list[int] = []  # ordered: the ks sent and not yet given, in order
        finished: dict[int, object] = {}  # ordered: results waiting for an earlier one
        running = as_completed(loop=self.client.loop)

        def send() -> bool:
            call = next(calls, None)
            if call is None:
                return False
            k, function, args = call
            future = self._call(function, args)
            keys[future] = k
            if ordered:
                order.append(k)
            running.add(future)
            return True

        try:
            while len(keys) + len(finished) < window and send():
                pass
            for future in running:
                k = keys.pop(future)
                result = self._result(future)
                future.release()
                if not ordered:
                    yield k, result
                else:
                    finished[k] = result
                    while order and order[0] in finished:
                        first = order.pop(0)
                        yield first, finished.pop(first)
                while len(keys) + len(finished) < window and send():
                    pass
        finally:
            if keys:
                self.client.cancel(list(keys))

    def _result(self, future):
        from distributed import CancelledError
        from distributed.comm import CommClosedError
        from distributed.scheduler import KilledWorker

        try:
            return future.result()
        except KilledWorker:
            raise ClusterError("Dask gave a task up: every worker that ran it died (out of memory?); "
                               "see the workers' logs") from None
        except CancelledError:
            raise ClusterError(f"the Dask scheduler at {self.address} cancelled a task (restarted, or another "
                               "client cancelled it)") from None
        except (CommClosedError, TimeoutError) as e:
            raise ClusterError(f"lost the Dask scheduler at {self.address}: {e}") from None
