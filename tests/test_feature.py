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
        (["notes", "--parent", "users"], "parent=users is not an OwnedResource"),
        (["notes", "--parent", "notes"], "'notes' cannot be its own parent"),
        (["notes", "--kind", "public"], "kind='public' is not owned or shared"),
        (["notes", "--parent", "todos", "--kind", "shared"], "a nested feature is owned through its parent"),
    ],
    ids=[
        "taken",
        "singular",
        "capitals",
        "hyphen",
        "keyword",
        "no-parent",
        "unowned-parent",
        "own-parent",
        "unknown-kind",
        "shared-nested",
    ],
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


# The shared contract broken in a generated feature: another user's project (and a missing one)
# answers 403 instead of 404.
CONTRACT_BROKEN = ("class ProjectNotFoundError(NotFoundError):", "class ProjectNotFoundError(PermissionDeniedError):")


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_every_kind_of_feature_passes_make_check_and_keeps_the_shared_contract(tmp_path: Path) -> None:
    """Owned, nested and shared, in a project whose package is not the default: one `make check`.

    Then the contract broken in one of them fails `make check`, naming the clause.
    """
    project = bake_project(tmp_path, project_name="Acme Tasks")
    versions = project.path / "migrations" / "versions"
    last = max(int(path.name.split("_")[1]) for path in versions.glob("*.py"))
    features = (["name=projects"], ["name=notes", "parent=projects"], ["name=tags", "kind=shared"])
    for arguments in features:
        result = run_make(project, "feature", *arguments)
        assert result.returncode == 0, f"make feature {' '.join(arguments)}:\n{result.stdout}"
    slugs = ("projects", "notes", "tags")
    for number, feature in enumerate(slugs, start=last + 1):
        assert list(versions.glob(f"*_{number:04d}_create_{feature}.py")), f"no revision {number:04d}"
        tasks = (project.path / "specs" / feature / "tasks.md").read_text(encoding="utf-8")
        assert f"`migration {number:04d}`" in tasks, f"specs/{feature}/tasks.md names no revision {number:04d}"
    service = (project.path / "src/acme_tasks/services/tags.py").read_text(encoding="utf-8")
    assert "tags = SharedResource(" in service

    result = run_make(project, "check")
    if result.returncode != 0:
        pytest.fail(f"make check failed after make feature:\n{result.stdout}", pytrace=False)

    service_path = project.path / "src/acme_tasks/services/projects.py"
    old, new = CONTRACT_BROKEN
    service_path.write_text(
        service_path.read_text(encoding="utf-8")
        .replace(old, new)
        .replace("import NotFoundError", "import NotFoundError, PermissionDeniedError"),
        encoding="utf-8",
    )
    broken = run_make(project, "check")
    assert broken.returncode != 0, "the shared contract broken, yet make check passed"
    assert "test_projects.py::test_contract[another_users_row_answers_like_a_missing_one]" in broken.stdout
