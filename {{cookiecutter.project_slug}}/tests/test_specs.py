"""The tasks in `specs/` stay true, authorise every revision, and leave nothing to write."""

import re
from importlib.util import find_spec
from pathlib import Path

import pytest

from tools.migration import revisions
from tools.tasks import placeholders, read_tasks, tasks_in

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_spec = find_spec("{{ cookiecutter.package_name }}")
assert _spec is not None
assert _spec.origin is not None
PACKAGE_DIR = Path(_spec.origin).parent
TASK_LISTS = sorted((PROJECT_ROOT / "specs").glob("*/tasks.md"))
NAMED_FILE = re.compile(r"`([\w/]+\.py)`")
NAMED_TEST = re.compile(r"`(test_\w+(?:\[\w+\])?)`")


def _test_names() -> set[str]:
    """Every test function, and `test_contract[<clause>]` for each clause of the shared contract."""
    pattern = re.compile(r"^(?:async )?def (test_\w+)", re.MULTILINE)
    clauses = re.compile(r"^async def ([a-z]\w+)\(world: World\)", re.MULTILINE)
    contract = (PROJECT_ROOT / "tests" / "contract.py").read_text(encoding="utf-8")
    return {
        name
        for path in (PROJECT_ROOT / "tests").glob("test_*.py")
        for name in pattern.findall(path.read_text(encoding="utf-8"))
    } | {f"test_contract[{clause}]" for clause in clauses.findall(contract)}


@pytest.mark.parametrize("tasks", TASK_LISTS, ids=[path.parent.name for path in TASK_LISTS])
def test_every_file_and_test_a_task_names_exists(tasks: Path) -> None:
    text = tasks.read_text(encoding="utf-8")
    files = NAMED_FILE.findall(text)
    missing = [
        name
        for name in files
        if not (PACKAGE_DIR / name).exists() and not (PROJECT_ROOT / name).exists()
    ]
    missing += sorted(set(NAMED_TEST.findall(text)) - _test_names())
    named_revisions = {name for task in tasks_in(tasks) for name in task.revisions}
    missing += [f"migration {name}" for name in sorted(named_revisions - revisions().keys())]
    assert files
    assert not missing, f"{tasks.relative_to(PROJECT_ROOT)} names what does not exist: {missing}"


def test_r6_every_revision_is_named_by_a_task() -> None:
    named = {name for task in read_tasks() for name in task.revisions}
    unnamed = [
        f"revision {name} ({path.relative_to(PROJECT_ROOT)})"
        for name, path in revisions().items()
        if name not in named
    ]
    assert not unnamed, (
        f"R6.3 the schema changes only when a task says so: {'; '.join(unnamed)} is named by "
        "no task in specs/*/tasks.md. Name it as `migration <id>` in the touches of the task "
        'that asked for the change; `make migration message="..." task=<id>` does so itself.'
    )


def test_r10_no_spec_or_task_list_keeps_a_placeholder() -> None:
    left = placeholders()
    assert not left, (
        f"R10.2 specs are written: *To write* is left at {', '.join(left)}. Write what each "
        "line asks for (what the feature is for, its rules, the next task), or delete it."
    )
