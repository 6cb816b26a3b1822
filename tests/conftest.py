"""Shared fixtures: the shared corpora folder, and a seeds warehouse built by the real flow."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# Prefect state for the test session lives in a throwaway folder, not ~/.prefect.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="copydesk-prefect-"))
# Prefect's INFO lines (task states, server start/stop) would flood the test output.
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
from flows.runner import prefect_env  # noqa: E402

prefect_env()


def script_module(relative: str):  # type: ignore[no-untyped-def]
    """A script of the repository (``scripts/`` and ``benchmarks/`` are folders of scripts, not
    packages) imported by path, once, under its file name."""
    import importlib.util
    import sys

    name = Path(relative).stem
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the shared corpora beside the repository), which is absent")
    return path


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The five seed articles."""
    return shared_path("seeds")


@pytest.fixture(scope="session")
def seeds_home(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    """A home whose warehouse was built by `copydesk run <seeds>` (real flow, real checks)."""
    from typer.testing import CliRunner

    from flows.cli import app

    home = tmp_path_factory.mktemp("seeds-home")
    result = CliRunner().invoke(app, ["run", str(seeds_dir), "--home", str(home)])
    assert result.exit_code == 0, result.output
    return home
