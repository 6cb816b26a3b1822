"""Dying at a chosen step: for the kill-at-every-step tests of publishing and compaction."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from typing import Any


class Killer:
    """Wraps file-system calls: counts every call through any wrapped function, and the
    ``kill_at``-th (1-based; 0: never) SIGKILLs this process instead of running."""

    def __init__(self, kill_at: int) -> None:
        self.kill_at = kill_at
        self.calls = 0

    def __call__(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.calls == self.kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)

        return wrapped
