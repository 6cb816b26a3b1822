#!/usr/bin/env python3
"""copydesk's one task entry point: set up the environment, run, test, lint, bench.

    python3 dev.py run [ARGS...]   build .venv (if needed) and run `copydesk run` (default: the bundled sample)
    python3 dev.py test [ARGS...]  build .venv (if needed) and run the test suite (pytest)
    python3 dev.py lint            ruff over the code, mypy over the packages
    python3 dev.py bench           run the benchmarks under benchmarks/
    python3 dev.py setup           only build .venv from the lock file

Only Python 3.11+ is needed: the script makes `.venv`, installs `uv` into it, and has
uv install the exact versions pinned in `uv.lock`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def sh(*cmd: str | Path, env: dict[str, str] | None = None) -> int:
    """Run a command from the repository root; its exit code."""
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, env=env)


def setup() -> None:
    """Create .venv and install the locked dependencies and copydesk itself (editable)."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 the machine has
        sys.exit(f"copydesk needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PY.exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not (BIN / "uv").exists():
        if sh(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "uv"):
            sys.exit("could not install uv into .venv (is PyPI reachable?)")
    stamp = VENV / ".copydesk-lock"
    wanted = hashlib.sha256((ROOT / "uv.lock").read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return  # .venv already matches the lock file
    env = dict(os.environ, UV_PROJECT_ENVIRONMENT=str(VENV), VIRTUAL_ENV=str(VENV))
    # --inexact keeps uv itself (installed by pip above) in the environment;
    # --compile-bytecode makes start-up fast even where PYTHONDONTWRITEBYTECODE is set.
    if sh(BIN / "uv", "sync", "--frozen", "--inexact", "--all-groups", "--compile-bytecode", "--python", PY, env=env):
        sys.exit("uv sync failed: see the messages above")
    stamp.write_text(wanted)


def main(argv: list[str]) -> int:
    task, args = (argv[0], argv[1:]) if argv else ("help", [])
    if task in {"help", "-h", "--help"}:
        print(__doc__)
        return 0
    setup()
    env = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false")
    if task == "setup":
        return 0
    if task == "run":
        return sh(BIN / "copydesk", "run", *(args or ["--home", "copydesk-home"]), env=env)
    if task == "test":
        return sh(PY, "-m", "pytest", *args, env=env)
    if task == "lint":
        ruff = sh(PY, "-m", "ruff", "check", ".", *args)
        mypy = sh(PY, "-m", "mypy")  # the packages listed under [tool.mypy] in pyproject.toml
        return ruff or mypy
    if task == "bench":
        code = 0
        for bench in sorted((ROOT / "benchmarks").glob("bench_*.py")):
            print(f"== {bench.name}", flush=True)
            code |= sh(PY, bench, *args, env=env)
        return code
    print(f"unknown task {task!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
