"""How far a run has got, and showing it: a progress bar in a terminal, a plain line otherwise.

The flow reports what it does through :func:`stage`, :func:`total` and :func:`advance`;
those calls cost nothing when nobody listens. ``copydesk run`` listens with
:func:`show`: a rich progress bar (stage, files, documents, MB/s, ETA) when standard
error is a terminal, else one plain line every few seconds. Prefect's own log lines
go to ``<home>/logs/prefect.log`` (:func:`prefect_logs_to`) unless ``--verbose``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO


@dataclass(frozen=True)
class State:
    """A snapshot of a run's progress."""

    stage: str = "starting"
    files_total: int | None = None
    files_done: int = 0
    bytes_total: int | None = None
    bytes_done: int = 0
    documents: int = 0
    started: float = field(default_factory=time.monotonic)
    reading_since: float | None = None  # when the input's size became known

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def rate(self) -> float:
        """Bytes of input per second since reading began."""
        took = time.monotonic() - (self.reading_since or self.started)
        return self.bytes_done / took if took > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the rate so far, when it can be told."""
        if not self.bytes_total or not self.bytes_done or self.bytes_done >= self.bytes_total:
            return None
        return (self.bytes_total - self.bytes_done) / self.rate


_lock = threading.Lock()
_state = State()
_listeners: list[Callable[[State], None]] = []


def _update(**changes: object) -> None:
    global _state
    with _lock:
        if not _listeners:
            return
        _state = replace(_state, **changes)  # type: ignore[arg-type]
        snapshot, listeners = _state, list(_listeners)
    for listener in listeners:
        listener(snapshot)


def stage(name: str) -> None:
    """The run entered stage ``name`` (reading, linking stories, checking...)."""
    _update(stage=name)


def total(files: int, nbytes: int) -> None:
    """The run has ``files`` input files of ``nbytes`` bytes to read."""
    _update(files_total=files, bytes_total=nbytes, reading_since=time.monotonic())


def advance(files: int = 0, nbytes: int = 0, documents: int = 0) -> None:
    """More work done: files read, bytes of input processed, documents added."""
    with _lock:
        current = _state
    _update(
        files_done=current.files_done + files,
        bytes_done=current.bytes_done + nbytes,
        documents=current.documents + documents,
    )


def current() -> State:
    """The latest snapshot."""
    with _lock:
        return _state


@contextlib.contextmanager
def listening(listener: Callable[[State], None]) -> Iterator[None]:
    """Call ``listener`` with every new state while the block runs (progress starts afresh)."""
    global _state
    with _lock:
        if not _listeners:
            _state = State()
        _listeners.append(listener)
    try:
        yield
    finally:
        with _lock:
            _listeners.remove(listener)


def size(n: float) -> str:
    """Bytes as people read them.

    >>> size(950), size(15_300), size(2_500_000)
    ('950 B', '15.3 kB', '2.5 MB')
    """
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n:.0f} B"


def plain_line(s: State) -> str:
    """The progress line printed when output is not a terminal.

    >>> plain_line(State(stage="reading", files_total=5, files_done=2, bytes_total=4_000_000,
    ...     bytes_done=1_000_000, documents=120, reading_since=time.monotonic() - 2)).split(", ETA")[0]
    'copydesk: reading: 2/5 files, 120 documents, 1.0 MB of 4.0 MB, 500.0 kB/s'
    """
    files = f"{s.files_done}/{s.files_total} files" if s.files_total is not None else f"{s.files_done} files"
    read = f"{size(s.bytes_done)} of {size(s.bytes_total)}" if s.bytes_total else size(s.bytes_done)
    eta = s.eta
    tail = f", ETA {eta:.0f} s" if eta is not None else ""
    return (
        f"copydesk: {s.stage}: {files}, {s.documents:,} documents, {read}, {size(s.rate)}/s{tail} ({s.elapsed:.0f} s)"
    )


class PlainProgress:
    """Prints :func:`plain_line` every ``interval`` seconds from a background thread."""

    def __init__(self, stream: TextIO, interval: float = 5.0) -> None:
        self.stream, self.interval = stream, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="copydesk-progress", daemon=True)

    def __call__(self, state: State) -> None:
        pass  # the thread reads the latest state itself

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._print()

    def _print(self) -> None:
        self.stream.write(plain_line(current()) + "\n")
        self.stream.flush()

    def __enter__(self) -> PlainProgress:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._print()


class BarProgress:
    """A rich progress bar on a terminal: stage, bar, files, documents, MB/s, ETA, time taken.

    ``⠙ processing       ━━━━━━━━╸━━━━━━━  52% 3/5 files 1,200 documents 1.4 MB/s ETA 00:00:09 0:01:12``
    """

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.fields[stage]:<16}"),
            BarColumn(bar_width=16),
            TaskProgressColumn(),
            TextColumn("{task.fields[files]} files"),
            TextColumn("{task.fields[documents]} documents"),
            TextColumn("{task.fields[rate]}/s"),
            TextColumn("ETA {task.fields[eta]}"),
            TimeElapsedColumn(),
            console=Console(file=stream),
            refresh_per_second=4,
        )
        self.task = self.progress.add_task(
            "run", total=None, stage="starting", files="0", documents="0", rate=size(0), eta="-:--:--"
        )

    def __call__(self, s: State) -> None:
        files = f"{s.files_done}/{s.files_total}" if s.files_total is not None else str(s.files_done)
        eta = s.eta
        self.progress.update(
            self.task,
            total=s.bytes_total or None,
            completed=s.bytes_done,
            stage=s.stage,
            files=files,
            documents=f"{s.documents:,}",
            rate=size(s.rate),
            eta="-:--:--" if eta is None else time.strftime("%H:%M:%S", time.gmtime(eta)),
        )

    def __enter__(self) -> BarProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        s = current()
        if s.bytes_total:
            self(replace(s, stage="done" if exc[0] is None else "stopped"))
        self.progress.stop()


#: Seconds between plain progress lines (default 5).
INTERVAL_ENV = "COPYDESK_PROGRESS_SECONDS"


@contextlib.contextmanager
def show(stream: TextIO | None = None, *, interval: float = 5.0, bar: bool | None = None) -> Iterator[None]:
    """Show the run's progress on ``stream`` (standard error): a bar on a terminal, else plain lines."""
    stream = stream or sys.stderr
    with contextlib.suppress(ValueError):  # a plain line every N seconds, when set (e.g. in a log)
        interval = max(0.1, float(os.environ.get(INTERVAL_ENV) or interval))
    if bar is None:
        bar = stream.isatty() and os.environ.get("TERM") != "dumb"
    display: BarProgress | PlainProgress = BarProgress(stream) if bar else PlainProgress(stream, interval)
    with listening(display), display:
        yield


# --------------------------------------------------------------------------- Prefect's log lines

#: Handlers Prefect attaches that write to the terminal.
_CONSOLE_HANDLERS = ("PrefectConsoleHandler", "_SafeStreamHandler")


def log_path(home: Path) -> Path:
    """Where ``copydesk run`` writes Prefect's log lines: ``<home>/logs/prefect.log``."""
    return Path(home) / "logs" / "prefect.log"


def _logging_config(log_file: Path) -> dict:
    """Prefect's default logging configuration with every terminal handler writing to ``log_file``."""
    import yaml  # type: ignore[import-untyped] # PyYAML ships no stubs; Prefect depends on it
    from prefect.logging.configuration import DEFAULT_LOGGING_SETTINGS_PATH

    config = yaml.safe_load(DEFAULT_LOGGING_SETTINGS_PATH.read_text())
    for name in ("console", "debug"):
        formatter = config["handlers"][name].get("formatter", "standard")
        config["handlers"][name] = {
            "level": 0,
            "class": "logging.FileHandler",
            "formatter": formatter,
            "filename": str(log_file),
            "encoding": "utf-8",
        }
    return config


@contextlib.contextmanager
def prefect_logs_to(log_file: Path) -> Iterator[Path]:
    """While the block runs, Prefect's log lines go to ``log_file`` instead of the terminal.

    In this process the terminal handlers are swapped for a file handler (and put back
    afterwards); worker processes started meanwhile read the same routing from the
    logging configuration named by ``PREFECT_LOGGING_SETTINGS_PATH``.
    """
    import yaml
    from prefect.logging.formatters import PrefectFormatter

    log_file.parent.mkdir(parents=True, exist_ok=True)
    settings = log_file.parent / "prefect-logging.yml"
    settings.write_text(yaml.safe_dump(_logging_config(log_file)), encoding="utf-8")
    file_handler = logging.FileHandler(log_file, encoding="utf-8")
    file_handler.setFormatter(
        PrefectFormatter(
            format="%(asctime)s.%(msecs)03d | %(levelname)-7s | %(name)s - %(message)s",
            flow_run_fmt="%(asctime)s.%(msecs)03d | %(levelname)-7s | Flow run %(flow_run_name)r - %(message)s",
            task_run_fmt="%(asctime)s.%(msecs)03d | %(levelname)-7s | Task run %(task_run_name)r - %(message)s",
            datefmt="%Y-%m-%d %H:%M:%S",
        )
    )
    swapped: list[tuple[logging.Logger, logging.Handler]] = []
    loggers = [logging.getLogger(), *(logging.getLogger(n) for n in list(logging.root.manager.loggerDict))]
    for logger in loggers:
        for handler in list(logger.handlers):
            if type(handler).__name__ in _CONSOLE_HANDLERS:
                logger.removeHandler(handler)
                if file_handler not in logger.handlers:
                    logger.addHandler(file_handler)
                swapped.append((logger, handler))
    previous = os.environ.get("PREFECT_LOGGING_SETTINGS_PATH")
    os.environ["PREFECT_LOGGING_SETTINGS_PATH"] = str(settings)
    try:
        yield log_file
    finally:
        if previous is None:
            os.environ.pop("PREFECT_LOGGING_SETTINGS_PATH", None)
        else:
            os.environ["PREFECT_LOGGING_SETTINGS_PATH"] = previous
        if not _temporary_server_running():
            for logger, handler in swapped:
                logger.removeHandler(file_handler)
                logger.addHandler(handler)
            file_handler.close()
        # else Prefect stops its temporary server at exit and says so: that line goes to the file too.


def _temporary_server_running() -> bool:
    """Whether Prefect's temporary API server (stopped, with a log line, at exit) is up in this process."""
    module = sys.modules.get("prefect.server.api.server")
    servers = getattr(getattr(module, "SubprocessASGIServer", None), "_instances", {})
    return any(getattr(server, "running", False) for server in servers.values())
