"""The CI recipe (examples/ci/github-actions.yml): its build and check steps, run as written."""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from tests.ops.conftest import ROOT

pytestmark = pytest.mark.prefect

RECIPE = ROOT / "examples" / "ci" / "github-actions.yml"
#: The steps that need no CI service (the install step is what `python3 dev.py setup` did here).
STEPS = ("Build the warehouse", "Check the data")


def recipe_steps() -> tuple[dict, dict[str, dict]]:
    job = yaml.safe_load(RECIPE.read_text())["jobs"]["checks"]
    return job, {step.get("name", ""): step for step in job["steps"]}


def test_the_recipe_publishes_the_junit_report_it_writes() -> None:
    _, steps = recipe_steps()
    assert "python3 dev.py setup" in steps["Install"]["run"]
    assert "--strict --junit report.xml" in steps["Check the data"]["run"]
    publish = steps["Publish the check report"]
    assert publish["if"] == "always()" and publish["with"]["report_paths"] == "report.xml"


def test_the_recipe_commands_build_check_and_write_junit(tmp_path: Path) -> None:
    job, steps = recipe_steps()
    # The steps run from a checkout: here, a folder that links to this one's parts.
    for name in (".venv", "examples", "dev.py"):
        (tmp_path / name).symlink_to(ROOT / name)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update({k: str(v).replace("${{ github.workspace }}", str(tmp_path)) for k, v in job["env"].items()})
    for name in STEPS:
        done = subprocess.run(
            ["bash", "-e", "-c", steps[name]["run"]], cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=900,
        )
        output = f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        assert done.returncode == 0, f"step {name!r} failed ({done.returncode}):\n{output}"
    assert (tmp_path / "ci-home" / "warehouse.duckdb").exists()
    report = ET.parse(tmp_path / "report.xml").getroot()
    cases = report.findall(".//testcase")
    assert cases, "the JUnit report has no test cases"
    assert not report.findall(".//failure") and not report.findall(".//error")
    assert (tmp_path / "ci-home" / "data_docs").is_dir()
