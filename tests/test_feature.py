"""`make feature` in a baked project: what it writes passes `make check`; what it refuses, it leaves untouched."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from scripts.interpreters import find_python
from tests.baking import BakedProject, bake_project, run_make

# What running Python and ruff in a project leaves behind, written by neither the template nor the generator.
_CACHES = re.compile(r"(^|/)(__pycache__|\.ruff_cache)/")


def _tree(project: BakedProject) -> dict[str, bytes]:
    return {
        str(path.relative_to(project.path)): path.read_bytes() for path in project.path.rglob("*") if path.is_file()
    }


def _generate(project: BakedProject, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run the generator with the project's Python and no environment: it refuses with the standard library.

    The project's Python, not this one: its standard library is the one the generator imports from.
    """
    return subprocess.run(
        [str(find_python(project.python_version)), "-m", "tools.feature", *arguments],
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
        (["notes", "--fields", "title:str(5..1)"], "field 'title:str(5..1)': the lower bound 5 is above"),
        (["notes", "--fields", "title:str(1..5"], "field 'title:str(1..5': expected name:type"),
        (["notes", "--fields", "done:bool!unique"], "field 'done:bool!unique': !unique needs more values"),
        (["notes", "--fields", "tag:ref(tags)?"], "ref(tags): no such feature"),
        (["notes", "--fields", "owner:ref(users)?"], "ref(users) is not an OwnedResource or SharedResource"),
        (["notes", "--fields", "note:ref(notes)?"], "field 'note:ref(notes)?': a feature cannot refer to itself"),
        (["notes", "--parent", "todos", "--fields", "todo:ref(todos)?"], "todo_id is the link to the parent"),
        (["very_long_widget_collections", "--fields", f"{'x' * 40}:str"], "is over 63 characters"),
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
        "fields-bounds",
        "fields-syntax",
        "fields-unique-bool",
        "fields-no-target",
        "fields-untargetable",
        "fields-self-reference",
        "fields-parent-link",
        "fields-long-constraint",
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


# A spec of every type, optional, default, unique and ref, over the three kinds: tags are shared and
# unique table-wide; projects are owned and name a tag (restrict: 409 while named) and a todo, a
# feature written by hand; notes nest under projects and need a tag (cascade).
FEATURES = (
    ["name=tags", "kind=shared", "fields=label:str(1..40)!unique colour:enum(red,green,blue)=red"],
    [
        "name=projects",
        (
            "fields=title:str(1..200) notes:text? priority:int(1..5)=3 done:bool=false due:date? "
            "starts:datetime? budget:decimal(12,2)? size:int(0..99999999999) kind:enum(low,high) "
            "code:str(1..20)!unique ref_code:uuid? tag:ref(tags)? todo:ref(todos)?"
        ),
    ],
    [
        "name=notes",
        "parent=projects",
        (
            "fields=body:text(1..2000) pinned:bool=false tag:ref(tags,cascade) todo:ref(todos,setnull)? "
            "label:str(1..20)?!unique"
        ),
    ],
)
# The shared contract broken in a generated feature: another user's project (and a missing one)
# answers 403 instead of 404.
CONTRACT_BROKEN = ("class ProjectNotFoundError(NotFoundError):", "class ProjectNotFoundError(PermissionDeniedError):")


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_every_kind_of_feature_passes_make_check_and_keeps_the_shared_contract(tmp_path: Path) -> None:
    """Owned, nested and shared features with fields of every kind, and one green `make check`.

    The package is not the default; `make check` runs the contract, each field's tests over HTTP
    and the fuzzer on every route.

    Then the contract broken in one of them fails `make check`, naming the clause.
    """
    project = bake_project(tmp_path, project_name="Acme Tasks")
    versions = project.path / "migrations" / "versions"
    last = max(int(path.name.split("_")[1]) for path in versions.glob("*.py"))
    for arguments in FEATURES:
        result = run_make(project, "feature", *arguments)
        assert result.returncode == 0, f"make feature {' '.join(arguments)}:\n{result.stdout}"
    slugs = ("tags", "projects", "notes")
    for number, feature in enumerate(slugs, start=last + 1):
        assert list(versions.glob(f"*_{number:04d}_create_{feature}.py")), f"no revision {number:04d}"
        tasks = (project.path / "specs" / feature / "tasks.md").read_text(encoding="utf-8")
        assert f"`migration {number:04d}`" in tasks, f"specs/{feature}/tasks.md names no revision {number:04d}"
        assert (project.path / "tests" / f"test_{feature}_fields.py").exists()
    service = (project.path / "src/acme_tasks/services/tags.py").read_text(encoding="utf-8")
    assert "tags = SharedResource(" in service
    assert "in_use=TagInUseError" in service, "a restrict ref gives its target a 409 while named"

    result = run_make(project, "check")
    if result.returncode != 0:
        pytest.fail(f"make check failed after make feature:\n{result.stdout}", pytrace=False)

    service_path = project.path / "src/acme_tasks/services/projects.py"
    old, new = CONTRACT_BROKEN
    service_path.write_text(
        service_path.read_text(encoding="utf-8")
        .replace(old, new)
        .replace(
            "from acme_tasks.core.errors import",
            "from acme_tasks.core.errors import PermissionDeniedError\nfrom acme_tasks.core.errors import",
            1,
        ),
        encoding="utf-8",
    )
    broken = run_make(project, "check")
    assert broken.returncode != 0, "the shared contract broken, yet make check passed"
    assert "test_projects.py::test_contract[another_users_row_answers_like_a_missing_one]" in broken.stdout
