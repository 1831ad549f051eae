"""A baked project passes every check of its own, against PostgreSQL, on each supported Python."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.template import python_versions
from tests.baking import bake_project, run_make


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("python_version", python_versions())
def test_make_check_passes(tmp_path: Path, python_version: str) -> None:
    project = bake_project(tmp_path, python_version=python_version)
    result = run_make(project, "check")
    if result.returncode != 0:
        pytest.fail(f"make check failed on Python {python_version}:\n{result.stdout}", pytrace=False)
