"""A baked project passes every check of its own, against PostgreSQL, on each supported Python."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.template import python_versions
from tests.baking import bake_project, run_make


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.parametrize(
    "answers",
    [
        *(pytest.param({"python_version": version}, id=f"python-{version}") for version in python_versions()),
        pytest.param({"project_name": "Acme Tasks"}, id="acme-tasks"),
    ],
)
def test_make_check_passes(tmp_path: Path, answers: dict[str, str]) -> None:
    project = bake_project(tmp_path, **answers)
    result = run_make(project, "check")
    if result.returncode != 0:
        pytest.fail(f"make check failed for {answers}:\n{result.stdout}", pytrace=False)
