"""Argument-count lint rules hold in code, not in tests, where a test's arguments are its fixtures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.template import ROOT
from tests.baking import bake_project

_ARGUMENT_COUNTS = {"PLR0913", "PLR0917"}
# Six fixtures: one over the default limit of five arguments.
_SIGNATURE = '''"""A sample."""


def test_many(a: int, b: int, c: int, d: int, e: int, f: int) -> None:
    """A sample."""
    print(a, b, c, d, e, f)
'''


def _argument_count_findings(project: Path, filename: str) -> set[str]:
    """Return the argument-count rules ruff, with ``project``'s settings, reports on the sample at ``filename``."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "json", "--stdin-filename", filename],
        cwd=project,
        input=_SIGNATURE,
        capture_output=True,
        text=True,
        check=False,
    )
    return {finding["code"] for finding in json.loads(result.stdout)} & _ARGUMENT_COUNTS


@pytest.fixture(scope="module")
def baked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Bake the defaults: ruff needs only their settings."""
    return bake_project(tmp_path_factory.mktemp("lint")).path


@pytest.mark.parametrize("filename", ["src/todo_service/sample.py", "tools/sample.py"])
def test_the_baked_project_counts_arguments_in_its_code(baked: Path, filename: str) -> None:
    assert "PLR0913" in _argument_count_findings(baked, filename)


def test_the_baked_project_does_not_count_fixtures_in_its_tests(baked: Path) -> None:
    assert _argument_count_findings(baked, "tests/test_sample.py") == set()


def test_the_template_counts_arguments_in_its_code_but_not_in_its_tests() -> None:
    assert "PLR0913" in _argument_count_findings(ROOT, "scripts/sample.py")
    assert _argument_count_findings(ROOT, "tests/test_sample.py") == set()
