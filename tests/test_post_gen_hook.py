"""The post-generation hook only prints next steps, so it is safe to run twice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scripts.template import ROOT
from tests.baking import bake_project, run_cookiecutter_cli

HOOK = ROOT / "hooks" / "post_gen_project.py"


def test_generation_prints_the_next_steps(tmp_path: Path) -> None:
    output = tmp_path / "out"
    result = run_cookiecutter_cli(tmp_path, output)
    assert result.returncode == 0, result.stderr
    assert "cd todo-service" in result.stdout
    assert "make test" in result.stdout


def test_running_the_rendered_hook_again_changes_nothing(tmp_path: Path) -> None:
    project = bake_project(tmp_path)
    rendered = HOOK.read_text().replace("{{ cookiecutter.project_slug }}", project.path.name)
    before = sorted(path.relative_to(project.path) for path in project.path.rglob("*"))
    outputs = [
        subprocess.run(
            [sys.executable, "-c", rendered], cwd=project.path, capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert outputs[0] == outputs[1]
    assert f"cd {project.path.name}" in outputs[0]
    assert sorted(path.relative_to(project.path) for path in project.path.rglob("*")) == before
