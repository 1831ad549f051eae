"""The tasks in `specs/` stay true: every file and test a task names exists."""

import re
from importlib.util import find_spec
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_spec = find_spec("{{ cookiecutter.package_name }}")
assert _spec is not None
assert _spec.origin is not None
PACKAGE_DIR = Path(_spec.origin).parent
TASK_LISTS = sorted((PROJECT_ROOT / "specs").glob("*/tasks.md"))
NAMED_FILE = re.compile(r"`([\w/]+\.py)`")
NAMED_TEST = re.compile(r"`(test_\w+)`")


def _test_names() -> set[str]:
    pattern = re.compile(r"^(?:async )?def (test_\w+)", re.MULTILINE)
    return {
        name
        for path in (PROJECT_ROOT / "tests").glob("test_*.py")
        for name in pattern.findall(path.read_text(encoding="utf-8"))
    }


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
    assert files
    assert not missing, f"{tasks.relative_to(PROJECT_ROOT)} names what does not exist: {missing}"
