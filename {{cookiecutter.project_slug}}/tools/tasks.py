"""The task tables of `specs/*/tasks.md`, read as the schema rule (R6.3) needs them.

A task authorises a schema change by naming a migration in its `touches`
column: `` `migration` `` for a revision still to write, `` `migration 0005` ``
once revision 0005 is written (`make migration ... task=<id>` and
`make feature` write the id). Revisions are named by id, never by file name,
whose date changes each time a revision is generated again.
"""

import re
from dataclasses import dataclass
from pathlib import Path

SPECS = Path(__file__).resolve().parent.parent / "specs"
NAMED_MIGRATION = re.compile(r"`migration(?: (?P<revision>\d+))?`")
# What a spec or task list says where a person still has to write something.
PLACEHOLDER = "*To write"


class UnauthorisedError(Exception):
    """No task authorises the schema change; the message is the line the user reads."""


@dataclass(frozen=True)
class Task:
    """One row of a task table: where it is written, its id and its `touches` cell."""

    path: Path
    line: int
    id: str
    touches: str

    @property
    def revisions(self) -> set[str]:
        """The ids of the revisions the task names."""
        named = NAMED_MIGRATION.finditer(self.touches)
        return {found["revision"] for found in named if found["revision"]}

    @property
    def asks_for_a_migration(self) -> bool:
        """Whether the task authorises a revision not written yet (an unnumbered `migration`)."""
        return "`migration`" in self.touches

    def naming(self, revision: str) -> str:
        """The text of the task's file with its first unnumbered `migration` naming `revision`."""
        lines = self.path.read_text(encoding="utf-8").splitlines(keepends=True)
        touches = self.touches.replace("`migration`", f"`migration {revision}`", 1)
        lines[self.line - 1] = lines[self.line - 1].replace(self.touches, touches, 1)
        return "".join(lines)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def tasks_in(path: Path) -> list[Task]:
    """The tasks of one `tasks.md`: the rows of its tables that have a `touches` column."""
    tasks = []
    column: int | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.startswith("|"):
            column = None
        elif column is None:
            header = [cell.lower() for cell in _cells(line)]
            column = header.index("touches") if "touches" in header else None
        elif not set(line) <= set("|-: "):
            cells = _cells(line)
            tasks.append(Task(path, number, cells[0], cells[column]))
    return tasks


def read_tasks(specs: Path = SPECS) -> list[Task]:
    """Every task of every `tasks.md` under `specs`."""
    return [task for path in sorted(specs.glob("*/tasks.md")) for task in tasks_in(path)]


def authorising_task(task_id: str, revision: str, specs: Path = SPECS) -> Task:
    """The task `task_id` if it authorises revision `revision`, else an `UnauthorisedError`."""
    found = [task for task in read_tasks(specs) if task.id == task_id]
    if len(found) != 1:
        where = "no" if not found else f"{len(found)} tasks with id"
        msg = f"{where} {task_id} in specs/*/tasks.md: name the task that asks for this change"
        raise UnauthorisedError(msg)
    (task,) = found
    if revision not in task.revisions and not task.asks_for_a_migration:
        msg = (
            f"{task_id} asks for no schema change (R6.3): its touches name no `migration`; "
            "whoever wrote the task adds one if it should"
        )
        raise UnauthorisedError(msg)
    return task


def placeholders(specs: Path = SPECS) -> list[str]:
    """`file:line` of every line under `specs` that still holds the placeholder text."""
    return [
        f"{path.relative_to(specs.parent)}:{number}"
        for path in sorted(specs.rglob("*.md"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if PLACEHOLDER in line
    ]
