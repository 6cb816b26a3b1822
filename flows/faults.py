"""Transient I/O errors: which errors are worth a retry, and a hook to inject them in tests.

The I/O tasks of the flow (reading inputs, writing staged parts) retry with exponential
backoff when :func:`is_transient` says the error may pass: an I/O error, a busy or
unavailable resource, a timeout, a stale network file handle. A missing file or a
permission error is not retried: it will not go away by itself.

Test hooks (environment variables, read by the process that runs the task):

``COPYDESK_INJECT_IO_ERRORS=POINT:N[,POINT:N]``
    the first ``N`` times the process reaches ``POINT`` (``read``: reading an input file;
    ``write``: writing a staged Parquet part) it raises ``OSError(EIO)`` instead.
``COPYDESK_HOLD_WHILE_EXISTS=PATH``
    before publishing, a run waits while ``PATH`` exists (at most an hour): a run made to
    last as long as a test needs.
"""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

INJECT_ENV = "COPYDESK_INJECT_IO_ERRORS"
HOLD_ENV = "COPYDESK_HOLD_WHILE_EXISTS"

#: errno values of errors that may pass when tried again.
TRANSIENT_ERRNOS = frozenset(
    getattr(errno, name)
    for name in ("EIO", "EAGAIN", "EBUSY", "EINTR", "ETIMEDOUT", "ESTALE", "ECONNRESET", "ENOLCK", "EREMOTEIO")
    if hasattr(errno, name)
)

_injected: dict[str, int] = {}


def is_transient(exc: BaseException | None) -> bool:
    """Whether ``exc`` is an I/O error that a retry may get past."""
    if isinstance(exc, TimeoutError):
        return True
    return isinstance(exc, OSError) and exc.errno in TRANSIENT_ERRNOS


def retry_if_transient(task: object, task_run: object, state: object) -> bool:
    """Prefect ``retry_condition_fn``: retry the task only on a transient I/O error."""
    data = getattr(state, "data", None)
    if not isinstance(data, BaseException):
        try:
            data = state.result(raise_on_failure=False)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - the stored result may be the error itself
            data = exc
    return is_transient(data if isinstance(data, BaseException) else None)


def inject(point: str) -> None:
    """Raise an injected transient error at ``point`` when ``COPYDESK_INJECT_IO_ERRORS`` asks for one."""
    spec = os.environ.get(INJECT_ENV)
    if not spec:
        return
    wanted = 0
    for item in spec.split(","):
        name, _, count = item.strip().partition(":")
        if name == point:
            wanted = int(count or 1)
    if _injected.get(point, 0) < wanted:
        _injected[point] = _injected.get(point, 0) + 1
        raise OSError(errno.EIO, f"injected transient I/O error at {point} ({INJECT_ENV})")


def hold() -> None:
    """Wait while the file named by ``COPYDESK_HOLD_WHILE_EXISTS`` exists (at most an hour)."""
    path = os.environ.get(HOLD_ENV)
    if not path:
        return
    deadline = time.monotonic() + 3600
    while Path(path).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
