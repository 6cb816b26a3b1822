"""The home's write lock: one writing run per home at a time.

A module of its own, importing neither DuckDB nor pyarrow, so the command line can
refuse a busy home in a fraction of a second, before it starts anything slow.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def lock_home(home: Path) -> Iterator[None]:
    """Hold the home's write lock: one writing run per home at a time."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            raise HomeBusy(
                f"another copydesk run (pid {holder}) is writing to {home}; try again when it ends"
            ) from None
        try:
            fh.truncate(0)
            fh.write(str(os.getpid()))
            fh.flush()
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class HomeBusy(RuntimeError):
    """Another run holds the home's write lock."""


def ensure_free(home: Path) -> None:
    """Raise :class:`HomeBusy` at once if another run holds the home's lock (a cheap early probe).

    The run still takes the lock with :func:`lock_home`; this only lets the command line
    refuse before it starts anything slow.
    """
    with lock_home(home):
        pass
