"""Laying out documents in worker processes: each worker builds its renderer (templates,
WeasyPrint) once and renders item after item; results come back in order.

Shared by the batch's documents and the grader's feedback, so that both get the same start
method, signal handling and worker recycling.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# A worker is replaced after this many items, so that WeasyPrint's caches cannot grow
# without bound (measured here: ~0.02 MB a document of PSS; a new worker costs ~0.15 s).
ITEMS_PER_WORKER = 250

_worker = None  # this process's renderer
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def _die_with(parent: int) -> None:
    """Ask Linux to end this worker when the command's process dies (PR_SET_PDEATHSIG): killed
    outright (SIGKILL), it cannot stop its pool, and workers that went on would print a
    traceback each as they sent a result to nobody."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the workers stop on a broken pipe instead
        return
    if os.getppid() != parent:  # it died before the request was made
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _start(make: Callable, args: tuple, parent: int) -> None:
    global _worker
    # The parent answers Ctrl-C and stops the pool; a forked worker must not inherit the
    # command's SIGTERM and SIGHUP handlers either, or stopping it prints a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    _die_with(parent)
    # Blocked since the fork (``in_workers``): a SIGTERM from the pool's terminate() arriving before
    # this point met the command's handler, whose exception Python swallows in an at-fork hook, and
    # left a worker that never exits, the command waiting for it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    _worker = make(*args)


def _item(i: int):
    return _worker(i)


def _method(name: str, args: tuple):
    return getattr(_worker, name)(*args)


def default_jobs() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@contextmanager
def in_workers(make: Callable, args: tuple, count: int, jobs: int) -> Iterator[tuple[Iterator, Callable]]:
    """``make(*args)(i)`` for i in 0..count-1, in order, laid out in ``jobs`` processes; and
    ``submit(name, *arguments)``, which starts the renderer's method ``name`` alongside the items
    and gives a function that waits for its result."""
    if jobs == 1 or count == 1:
        local = make(*args)
        yield map(local, range(count)), (lambda name, *arguments: lambda: getattr(local, name)(*arguments))
        return
    # fork: workers start with WeasyPrint already imported (half a second each saved), and,
    # unlike spawn and forkserver, a library caller's __main__ is not imported again.
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    # Workers are forked with the stop signals blocked (by the pool's threads too, which fork the
    # replacements), until ``_start`` has set their own handling; the command's are unblocked only
    # once the pool is entered, so that a signal during its making stops (terminates) it whole.
    unblocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        pool = context.Pool(min(jobs, count), initializer=_start, initargs=(make, args, os.getpid()),
                            maxtasksperchild=ITEMS_PER_WORKER)
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)
        raise
    with pool:
        signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)
        submit = lambda name, *arguments: pool.apply_async(_method, (name, arguments)).get  # noqa: E731
        yield pool.imap(_item, range(count)), submit
        pool.close()  # all done: let the workers finish rather than be terminated
        pool.join()
