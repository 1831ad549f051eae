"""Bad answers stop generation with a one-line reason and leave nothing on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter

from scripts.template import ROOT, isolated_config
from tests.baking import bake_project, run_cookiecutter_cli

_BAD_ANSWERS = [
    pytest.param({"project_slug": "acme tasks"}, "project_slug 'acme tasks' must be", id="slug-with-space"),
    pytest.param({"project_slug": "Acme-Tasks"}, "project_slug 'Acme-Tasks' must be", id="slug-uppercase"),
    pytest.param({"package_name": "class"}, "package_name 'class' is a Python keyword", id="package-keyword"),
    pytest.param({"package_name": "fastapi"}, "package_name 'fastapi' would shadow a dependency", id="package-dep"),
    pytest.param({"package_name": "json"}, "package_name 'json' would shadow the standard library", id="package-std"),
    pytest.param({"package_name": "todo-service"}, "package_name 'todo-service' must be", id="package-dash"),
    pytest.param({"author_email": "nobody"}, "author_email 'nobody' is not an email address", id="email"),
    # Quotes and backslashes would break the generated TOML, and must not break the hook's own literal.
    pytest.param({"description": 'Says """hi\\'}, "description must be one line", id="description-quotes"),
    pytest.param(
        {"use_docker": "no", "use_kubernetes": "yes"},
        "use_kubernetes 'yes' needs use_docker 'yes'",
        id="kubernetes-without-docker",
    ),
]


@pytest.mark.parametrize(("answers", "reason"), _BAD_ANSWERS)
def test_bad_answer_fails_generation_with_its_reason(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], answers: dict[str, str], reason: str
) -> None:
    with pytest.raises(FailedHookException):
        bake_project(tmp_path, **answers)
    errors = [line for line in capfd.readouterr().err.splitlines() if line.startswith("ERROR: ")]
    assert len(errors) == 1
    assert reason in errors[0]
    assert not any(tmp_path.iterdir())


def test_every_problem_is_reported_on_the_one_line(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(FailedHookException):
        bake_project(tmp_path, project_slug="Bad Slug", package_name="class", author_email="x")
    (error,) = [line for line in capfd.readouterr().err.splitlines() if line.startswith("ERROR: ")]
    assert error.count(";") == 2


def test_unsupported_python_version_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    # cookiecutter itself rejects an answer outside a choice list.
    with pytest.raises(ValueError, match=r"2\.7 provided for choice variable python_version"):
        bake_project(tmp_path, python_version="2.7")
    assert not any(tmp_path.iterdir())


def test_hook_refuses_an_unsupported_python_version_from_a_replay_file(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # A replay file skips cookiecutter's choice check: the hook is the only guard.
    answers = {
        "project_name": "Todo Service",
        "project_slug": "todo-service",
        "package_name": "todo_service",
        "description": "A strict FastAPI service.",
        "author_name": "Your Name",
        "author_email": "you@example.com",
        "python_version": "2.7",
        "ci": "github",
        "use_docker": "yes",
        "use_kubernetes": "no",
        "auth": "local",
    }
    replay = tmp_path / "replay.json"
    replay.write_text(json.dumps({"cookiecutter": answers}), encoding="utf-8")
    output = tmp_path / "out"
    with pytest.raises(FailedHookException):
        cookiecutter(str(ROOT), replay=str(replay), output_dir=str(output), config_file=str(isolated_config(tmp_path)))
    assert "ERROR: python_version '2.7' is not supported" in capfd.readouterr().err
    assert not any(output.iterdir())


def test_the_cli_prints_the_reason_and_exits_non_zero(tmp_path: Path) -> None:
    output = tmp_path / "out"
    output.mkdir()
    result = run_cookiecutter_cli(tmp_path, output, "package_name=class")
    assert result.returncode == 1
    assert "ERROR: package_name 'class' is a Python keyword\n" in result.stderr
    assert not any(output.iterdir())
