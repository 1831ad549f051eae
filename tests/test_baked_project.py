"""A baked project passes every check of its own, against PostgreSQL, on each supported Python."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hooks.pre_gen_project import MAX_PACKAGE_NAME_LENGTH
from scripts.template import questions
from tests.baking import bake_project, run_make

# Every value of every option is checked by one of these, with no extra bake.
MAKE_CHECK_BAKES = {
    "python-3.13-github-docker": {"python_version": "3.13"},
    "python-3.12-gitlab-kubernetes": {"python_version": "3.12", "ci": "gitlab", "use_kubernetes": "yes"},
    "python-3.11-no-ci-no-docker-oidc": {"python_version": "3.11", "ci": "none", "use_docker": "no", "auth": "oidc"},
}


@pytest.mark.slow
@pytest.mark.timeout(1800)
# A project named otherwise ("Acme Tasks") passes it too, with two features added:
# `test_feature.py::test_a_feature_and_a_nested_feature_pass_make_check`.
@pytest.mark.parametrize("answers", MAKE_CHECK_BAKES.values(), ids=MAKE_CHECK_BAKES.keys())
def test_make_check_passes(tmp_path: Path, answers: dict[str, str]) -> None:
    project = bake_project(tmp_path, **answers)
    result = run_make(project, "check")
    if result.returncode != 0:
        pytest.fail(f"make check failed for {answers}:\n{result.stdout}", pytrace=False)


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({"package_name": "x"}, id="shortest-package"),
        pytest.param({"project_name": "Acme Tasks"}, id="acme-tasks"),
        pytest.param({"package_name": "p" * MAX_PACKAGE_NAME_LENGTH}, id="longest-package"),
    ],
)
def test_generated_code_is_lint_clean_whatever_the_package_name(tmp_path: Path, answers: dict[str, str]) -> None:
    """Import sorting and line wrapping must not depend on the length of the package name."""
    project = bake_project(tmp_path, **answers)
    for command in (["check", "--no-cache", "."], ["format", "--no-cache", "--check", "."]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command], cwd=project.path, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"ruff {' '.join(command)} for {answers}:\n{result.stdout}{result.stderr}"


def test_make_check_covers_every_supported_value_of_every_choice() -> None:
    for question, choices in questions().items():
        if isinstance(choices, list):
            baked = {answers.get(question, choices[0]) for answers in MAKE_CHECK_BAKES.values()}
            assert baked == set(choices), f"make check never runs with {question}={set(choices) - baked}"
