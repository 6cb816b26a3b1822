"""A temporary Prefect API server that cannot outlive the process that started it.

Prefect's own temporary server (started when ``PREFECT_API_URL`` is unset) is a uvicorn
subprocess stopped by an ``atexit`` hook: a ``kill -9`` of the parent skips the hook and
leaves the server running for good. copydesk starts its own instead, in a process group
of its own (so a Ctrl-C in the terminal reaches the run first, which then stops the
server) and with two guards that end it when its parent dies, however it dies:

- on Linux, ``PR_SET_PDEATHSIG``: the kernel sends it SIGTERM when the parent exits;
- everywhere, a watchdog thread that checks every second that its parent is still the
  process that started it.

Run as ``python -m flows.tempserver --port P --parent PID`` by :func:`temporary_server`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

#: Seconds between two checks of the parent process by the server's watchdog.
WATCHDOG_SECONDS = 1.0


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def die_with_parent(parent: int, sig: int = signal.SIGTERM) -> None:
    """End this process with ``sig`` when process ``parent`` exits (call it in the child).

    Uses ``PR_SET_PDEATHSIG`` where the kernel has it, and a watchdog thread in any case.
    When ``parent`` is already gone, the signal is sent at once.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, int(sig))  # 1 = PR_SET_PDEATHSIG

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCHDOG_SECONDS)
        os.kill(os.getpid(), sig)
        time.sleep(10)  # a graceful stop should take less
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


@contextlib.contextmanager
def temporary_server(timeout: float = 120.0) -> Iterator[str]:
    """Start a temporary Prefect API server on a free loopback port; yields its API URL.

    The server is stopped when the block ends, and dies with this process if it is killed.
    """
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
    }
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.tempserver", "--port", str(port), "--parent", str(os.getpid())],
        env=env,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        wait_healthy(url, proc, timeout, "the temporary Prefect server")
        yield url
    finally:
        stop(proc)


def wait_healthy(url: str, proc: subprocess.Popen | None, timeout: float, what: str, poll: float = 0.2) -> None:
    """Wait until the Prefect API at ``url`` answers ``/health`` (fail early when ``proc``, its process, exits)."""
    import httpx

    deadline = time.monotonic() + timeout
    with httpx.Client() as client:
        while True:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{what} exited with code {proc.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{url}/health", timeout=2).status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not answer on {url}/health within {timeout:.0f} s")
            time.sleep(poll)


def stop(proc: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """Stop ``proc`` with SIGTERM, then SIGKILL after ``grace`` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--parent", type=int, required=True)
    args = parser.parse_args(argv)
    die_with_parent(args.parent)
    import prefect
    import uvicorn

    uvicorn.run(
        "prefect.server.api.server:create_app",
        factory=True,
        app_dir=str(prefect.__module_path__.parent),
        host="127.0.0.1",
        port=args.port,
        log_level="error",
        lifespan="on",
    )


if __name__ == "__main__":
    main()
