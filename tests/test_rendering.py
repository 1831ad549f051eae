"""Baking renders every file and name, and derives names from the project name."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from scripts.template import python_versions
from tests.baking import bake_project

# Jinja left in the output; GitHub Actions' ${{ }} and shell's ${#var} are not Jinja.
_LEFTOVER = re.compile(rb"(?<!\$)\{\{|\{%|(?<!\$)\{#")

_ANSWER_SETS = [
    pytest.param({}, id="defaults"),
    pytest.param({"project_name": "Acme Tasks"}, id="acme-tasks"),
    *(pytest.param({"python_version": version}, id=f"python-{version}") for version in python_versions()),
    pytest.param({"ci": "gitlab", "use_kubernetes": "yes"}, id="gitlab-kubernetes"),
    pytest.param({"ci": "none", "use_docker": "no"}, id="none-no-docker"),
]


@pytest.mark.parametrize("answers", _ANSWER_SETS)
def test_no_template_syntax_is_left_in_names_or_contents(tmp_path: Path, answers: dict[str, str]) -> None:
    project = bake_project(tmp_path, **answers)
    leftovers = []
    for path in sorted(project.path.rglob("*")):
        relative = path.relative_to(project.path)
        if _LEFTOVER.search(str(relative).encode()):
            leftovers.append(f"{relative}: in the name")
        if path.is_file() and (found := _LEFTOVER.search(content := path.read_bytes())):
            line = content.count(b"\n", 0, found.start()) + 1
            leftovers.append(f"{relative}:{line}")
    assert not leftovers, "template syntax left after baking:\n" + "\n".join(leftovers)


def test_slug_and_package_name_derive_from_the_project_name(tmp_path: Path) -> None:
    project = bake_project(tmp_path, project_name="Acme Tasks")
    assert project.path.name == "acme-tasks"
    assert tomllib.loads((project.path / "pyproject.toml").read_text())["project"]["name"] == "acme-tasks"
    assert (project.path / "src" / "acme_tasks").is_dir()


def test_an_explicit_package_name_wins_over_the_derived_one(tmp_path: Path) -> None:
    project = bake_project(tmp_path, project_name="Acme Tasks", package_name="tasks_core")
    assert [path.name for path in (project.path / "src").iterdir()] == ["tasks_core"]


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({}, id="defaults"),
        pytest.param({"ci": "gitlab", "use_kubernetes": "yes"}, id="gitlab-kubernetes"),
    ],
)
def test_rendering_is_deterministic(tmp_path: Path, answers: dict[str, str]) -> None:
    # `cruft update` diffs two renderings of the template: only real changes may differ.
    first, second = (bake_project(tmp_path / name, **answers).path for name in ("first", "second"))
    contents = [
        {path.relative_to(root): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}
        for root in (first, second)
    ]
    assert contents[0] == contents[1]
