"""The per-Python lock files are current and render into a lock uv accepts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from uv import find_uv_bin

from scripts.interpreters import find_python
from scripts.lock import SLUG_PLACEHOLDER, lock_path, to_template
from scripts.template import python_versions
from tests.baking import bake_project, project_env

_LOCK = """version = 1

[[package]]
name = "acme-tasks"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "fastapi" }]

[[package]]
name = "fastapi"
version = "0.1"
"""


# Each Python with other option values too: no option may leave the lock stale.
_OPTIONS = [{}, {"ci": "gitlab", "use_kubernetes": "yes"}, {"ci": "none", "use_docker": "no"}]


@pytest.mark.parametrize(
    ("python_version", "options"), list(zip(python_versions(), _OPTIONS, strict=True)), ids=python_versions()
)
def test_lock_is_current_for_a_non_default_name(tmp_path: Path, python_version: str, options: dict[str, str]) -> None:
    # A name other than the default sorts elsewhere in the lock: uv must still take it as is.
    project = bake_project(tmp_path, project_name="Acme Tasks", python_version=python_version, **options)
    result = subprocess.run(
        [find_uv_bin(), "lock", "--check", "--offline", "--python", str(find_python(python_version))],
        cwd=project.path,
        env=project_env(project),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{lock_path(python_version).name} is stale, run `make lock`:\n{result.stderr}"


def test_to_template_names_only_the_project_entry() -> None:
    assert to_template(_LOCK, "acme-tasks") == _LOCK.replace(
        'name = "acme-tasks"\nversion', f'name = "{SLUG_PLACEHOLDER}"\nversion'
    )


@pytest.mark.parametrize("slug", ["todo-service", "fastapi-x"])
def test_to_template_refuses_a_lock_without_exactly_one_project_entry(slug: str) -> None:
    with pytest.raises(ValueError, match="exactly one package entry"):
        to_template(_LOCK, slug)


@pytest.mark.parametrize("delimiter", ["{{", "{%", "{#"])
def test_to_template_refuses_text_jinja_would_interpret(delimiter: str) -> None:
    with pytest.raises(ValueError, match="Jinja"):
        to_template(_LOCK + f'marker = "{delimiter}"\n', "acme-tasks")
