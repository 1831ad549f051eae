"""`make feature` in a baked project: what it writes passes `make check`; what it refuses, it leaves untouched."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.baking import BakedProject, bake_project, run_make

# What running Python and ruff in a project leaves behind, written by neither the template nor the generator.
_CACHES = re.compile(r"(^|/)(__pycache__|\.ruff_cache)/")


def _tree(project: BakedProject) -> dict[str, bytes]:
    return {
        str(path.relative_to(project.path)): path.read_bytes() for path in project.path.rglob("*") if path.is_file()
    }


def _generate(project: BakedProject, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run the generator with this interpreter: up to its first write it needs only the standard library."""
    return subprocess.run(
        [sys.executable, "-m", "tools.feature", *arguments],
        cwd=project.path,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def unsynced(tmp_path_factory: pytest.TempPathFactory) -> BakedProject:
    """Bake the defaults, with no environment of their own: none is needed to refuse."""
    return bake_project(tmp_path_factory.mktemp("feature"))


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        (["todos"], "'todos' is taken: src/todo_service/schemas/todo.py exists"),
        (["project"], "'project' is not plural"),
        (["Projects"], "'Projects' is not plural snake_case"),
        (["line-items"], "'line-items' is not plural snake_case"),
        (["classes"], "would name a module or variable 'class', which Python reserves"),
        (["notes", "--parent", "projects"], "parent=projects: no such feature"),
        (["notes", "--parent", "users"], "parent=users has no owner_id"),
        (["notes", "--parent", "notes"], "'notes' cannot be its own parent"),
    ],
    ids=["taken", "singular", "capitals", "hyphen", "keyword", "no-parent", "unowned-parent", "own-parent"],
)
def test_a_taken_or_malformed_name_is_refused_in_one_line_and_nothing_is_written(
    unsynced: BakedProject, arguments: list[str], reason: str
) -> None:
    before = _tree(unsynced)
    result = _generate(unsynced, *arguments)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert reason in result.stderr
    assert result.stderr.rstrip().endswith("nothing written")
    assert _tree(unsynced) == before


def test_a_step_that_fails_after_writing_takes_everything_back(tmp_path: Path) -> None:
    # Without the project's environment the migration step cannot import the package, after the
    # generator has written and formatted every file.
    project = bake_project(tmp_path)
    before = _tree(project)
    result = _generate(project, "projects")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "everything written was taken back" in result.stderr
    after = {name: content for name, content in _tree(project).items() if not _CACHES.search(name)}
    assert after == before


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_a_feature_and_a_nested_feature_pass_make_check(tmp_path: Path) -> None:
    """Both kinds, in a project whose package is not the default: one `make check` for both."""
    project = bake_project(tmp_path, project_name="Acme Tasks")
    versions = project.path / "migrations" / "versions"
    last = max(int(path.name.split("_")[1]) for path in versions.glob("*.py"))
    for arguments in (["name=projects"], ["name=notes", "parent=projects"]):
        result = run_make(project, "feature", *arguments)
        assert result.returncode == 0, f"make feature {' '.join(arguments)}:\n{result.stdout}"
    for number, slug in ((last + 1, "create_projects"), (last + 2, "create_notes")):
        assert list(versions.glob(f"*_{number:04d}_{slug}.py")), f"no revision {number:04d} {slug}"
    written = ["src/acme_tasks/services/notes.py", "tests/test_notes.py", "specs/notes/tasks.md"]
    assert all((project.path / name).is_file() for name in written)
    for number, feature in ((last + 1, "projects"), (last + 2, "notes")):
        tasks = (project.path / "specs" / feature / "tasks.md").read_text(encoding="utf-8")
        assert f"`migration {number:04d}`" in tasks, f"specs/{feature}/tasks.md names no revision {number:04d}"

    result = run_make(project, "check")
    if result.returncode != 0:
        pytest.fail(f"make check failed after make feature:\n{result.stdout}", pytrace=False)
