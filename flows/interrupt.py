"""Stopping a run on SIGINT or SIGTERM within seconds, whatever stage it is in.

A Python signal handler runs only when the main thread is back in Python code, and the
main thread may be deep in a DuckDB query (the link step, the checks) for minutes. So
the signal is also written to a wakeup pipe (:func:`signal.set_wakeup_fd`, done by the C
handler at once), and a watcher thread reading that pipe interrupts every DuckDB query
of the run (``con.interrupt()``) and raises :class:`KeyboardInterrupt` in the threads
processing batches. The main thread then unwinds as for Ctrl-C: the run's staging is
thrown away (the published warehouse is the last good one) and the home lock is
released. :func:`finish_interrupted` then ends what the run started (worker processes,
a temporary Prefect server) and exits 130 (SIGINT) or 143 (SIGTERM).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator

#: Exit code for a run stopped by a signal: 128 + the signal number.
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}

_received: list[int] = []
_workers: set[int] = set()
_lock = threading.Lock()


def received() -> int | None:
    """The first stop signal received, if any."""
    return _received[0] if _received else None


@contextlib.contextmanager
def worker() -> Iterator[None]:
    """Mark the current thread as doing batch work that a stop signal should end."""
    ident = threading.get_ident()
    with _lock:
        _workers.add(ident)
    try:
        if _received:
            raise KeyboardInterrupt
        yield
    finally:
        with _lock:
            _workers.discard(ident)


def _raise_in(ident: int) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(KeyboardInterrupt))


def _stop_everything() -> None:
    """Interrupt DuckDB queries and batch threads (from the watcher thread)."""
    from warehouse.store import interrupt_queries

    interrupt_queries()
    with _lock:
        idents = list(_workers)
    for ident in idents:
        _raise_in(ident)


_raised: list[int] = []


def _on_signal(signum: int, frame: object) -> None:  # noqa: ARG001
    """Stop the main thread once; a second signal does not break the clean-up of the first."""
    if not _received:
        _received.append(signum)
    if not _raised:
        _raised.append(signum)
        raise KeyboardInterrupt


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM stop the run (see the module docstring).

    Only from the main thread; elsewhere (a test's thread) the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    previous = {s: signal.signal(s, _on_signal) for s in EXIT_CODES}
    old_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)

    def watch() -> None:
        while True:
            try:
                data = os.read(read_fd, 64)
            except OSError:
                return
            if not data:
                return
            if any(b in EXIT_CODES for b in data):
                if not _received:
                    _received.append(next(b for b in data if b in EXIT_CODES))
                _stop_everything()

    watcher = threading.Thread(target=watch, name="copydesk-signals", daemon=True)
    watcher.start()
    try:
        yield
    except BaseException as exc:
        # an interrupted query raises its own error first; what stopped the run is the signal
        if _received and not isinstance(exc, KeyboardInterrupt):
            raise KeyboardInterrupt from exc
        raise
    finally:
        _raised.append(0)  # a signal arriving now must not break the clean-up below
        signal.set_wakeup_fd(old_fd)
        for s, handler in previous.items():
            signal.signal(s, handler)
        os.close(write_fd)  # ends the watcher
        watcher.join(timeout=1)
        os.close(read_fd)


def _descendants() -> list[int]:
    """Process ids of every descendant of this process (from ``/proc``), children first."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(b")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    out: list[int] = []
    todo = [os.getpid()]
    while todo:
        kids = parents.get(todo.pop(), [])
        out += kids
        todo += kids
    return out


def end_children(grace: float = 3.0) -> None:
    """Terminate every process this run started (worker pools, a temporary Prefect server); kill stragglers."""
    pids = _descendants()
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while pids and time.monotonic() < deadline:
        for pid in list(pids):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # not our child, or already reaped
                done = pid if not os.path.exists(f"/proc/{pid}") else 0
            if done:
                pids.remove(pid)
        time.sleep(0.05)
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def finish_interrupted(message: str) -> None:
    """Print ``message``, end the run's child processes and exit with the signal's code, now.

    The exit skips interpreter shutdown: a batch thread stuck in a long C call would
    otherwise hold the process until it returns.
    """
    code = EXIT_CODES.get(signal.Signals(received() or signal.SIGINT), 130)
    print(message, file=sys.stderr, flush=True)
    end_children()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
