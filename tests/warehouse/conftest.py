"""Fixtures of the warehouse tests: a hand-made warehouse, the seeds warehouse from the flow."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.warehouse.hand_warehouse import hand_tables, publish_tables


@pytest.fixture
def hand_home(tmp_path: Path) -> Path:
    """A home with the hand-made warehouse, published by one run."""
    home = tmp_path / "home"
    publish_tables(home, "r1", hand_tables("r1"))
    return home
