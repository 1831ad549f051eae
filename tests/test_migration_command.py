"""A baked project's migrations find its own database: the project-local PostgreSQL, never another server.

`make migration` migrates that database and autogenerates the next numbered
revision against it, for a task that asks for a schema change, and names the
revision in that task; a plain `uv run alembic` with no `DATABASE_URL` uses it
too, in `local`; elsewhere, no `DATABASE_URL` stops Alembic and the app with
one line naming it.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from tests.baking import BakedProject, bake_project, project_env, run_make

_LOCAL_POSTGRES = "todo_service on the project-local PostgreSQL in .postgres/"
_REFUSAL = "Refusing to start: DATABASE_URL must be set outside the local environment"
_TODO_MODEL = "src/todo_service/models/todo.py"
_TODO_TASKS = "specs/todos/tasks.md"
_PRIORITY_TASK = "| TODO-900 | Todos get a priority | `models/todo.py`, `migration` | `make migrations` green |\n"
# Long enough for the production checks, which must refuse only the missing URL.
_PRODUCTION = {"ENVIRONMENT": "production", "SECRET_KEY": "x" * 48}


def _env(project: BakedProject, **settings: str) -> dict[str, str]:
    """Return the project's environment with no database or environment settings, plus ``settings``."""
    env = project_env(project)
    for name in ("DATABASE_URL", "ENVIRONMENT", "SECRET_KEY"):
        env.pop(name, None)
    return env | settings


def _uv_run(project: BakedProject, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "uv", "run", "--locked", "--quiet", *args],
        cwd=project.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _last_revision(project: BakedProject) -> int:
    return max(int(path.name.split("_")[1]) for path in (project.path / "migrations" / "versions").glob("*.py"))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BakedProject]:
    """Bake the defaults; stop the project-local PostgreSQL its commands start."""
    project = bake_project(tmp_path_factory.mktemp("migration"))
    yield project
    run_make(project, "db-stop", env=_env(project))


@pytest.fixture
def other_server() -> Iterator[list[str]]:
    """Listen where the old default URL pointed, localhost:5432; yield who connected."""
    listener = socket.socket()
    try:
        listener.bind(("127.0.0.1", 5432))
    except OSError:
        listener.close()
        pytest.skip("something else listens on localhost:5432")
    listener.listen()
    listener.settimeout(0.2)
    connected: list[str] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, address = listener.accept()
            except TimeoutError:
                continue
            connected.append(str(address))
            connection.close()

    thread = threading.Thread(target=accept)
    thread.start()
    try:
        yield connected
    finally:
        stop.set()
        thread.join()
        listener.close()


@pytest.mark.timeout(600)
def test_make_migration_migrates_the_local_database_then_writes_the_next_numbered_revision(
    project: BakedProject,
) -> None:
    model = project.path / _TODO_MODEL
    model.write_text(model.read_text(encoding="utf-8") + "    priority: int = 0\n", encoding="utf-8")
    tasks = project.path / _TODO_TASKS
    table_end = "\n\nEvery task is also done"
    tasks.write_text(tasks.read_text(encoding="utf-8").replace(table_end, f"\n{_PRIORITY_TASK.rstrip()}{table_end}"))
    last = _last_revision(project)
    message, task = "message=Add a priority to todos.", "task=TODO-900"
    result = run_make(project, "migration", message, task, env=_env(project))
    assert result.returncode == 0, result.stdout
    assert f"Database: {_LOCAL_POSTGRES} (`make db-stop` stops it); DATABASE_URL is unset" in result.stdout
    (written,) = (project.path / "migrations" / "versions").glob(f"*_{last + 1:04d}_*.py")
    assert written.name.endswith(f"_{last + 1:04d}_add_a_priority_to_todos.py")
    assert re.search(r'op\.add_column\(\s*"todos",\s*sa\.Column\("priority"', written.read_text(encoding="utf-8"))
    named = _PRIORITY_TASK.replace("`migration`", f"`migration {last + 1:04d}`")
    assert named in tasks.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("task", "reason"),
    [
        ("TODO-002", "TODO-002 asks for no schema change (R6.3): its touches name no `migration`"),
        ("TODO-999", "no TODO-999 in specs/*/tasks.md"),
    ],
    ids=["no-migration-asked", "no-such-task"],
)
def test_make_migration_for_a_task_that_asks_for_no_schema_change_writes_nothing(
    project: BakedProject, task: str, reason: str
) -> None:
    before = {path: path.read_bytes() for path in (project.path / "specs").rglob("*.md")}
    revisions = sorted((project.path / "migrations" / "versions").glob("*.py"))
    result = run_make(project, "migration", "message=Sneak a column in.", f"task={task}", env=_env(project))
    assert result.returncode != 0, result.stdout
    (refusal,) = [line for line in result.stdout.splitlines() if line.startswith("make migration: ")]
    assert reason in refusal
    assert refusal.endswith("; nothing written")
    assert sorted((project.path / "migrations" / "versions").glob("*.py")) == revisions
    assert {path: path.read_bytes() for path in (project.path / "specs").rglob("*.md")} == before


@pytest.mark.timeout(600)
def test_alembic_with_no_database_url_migrates_the_local_database_and_no_other_server(
    project: BakedProject, other_server: list[str]
) -> None:
    env = _env(project)
    run_make(project, "db-stop", env=env)
    upgraded = _uv_run(project, env, "alembic", "upgrade", "head")
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    assert (project.path / ".postgres" / "postmaster.pid").exists(), "Alembic did not start the local PostgreSQL"
    current = _uv_run(project, env, "alembic", "current")
    assert current.returncode == 0, current.stdout + current.stderr
    assert f"{_last_revision(project):04d} (head)" in current.stdout
    assert other_server == [], "Alembic reached a server on localhost:5432"


@pytest.mark.parametrize(
    "command",
    [("alembic", "upgrade", "head"), ("python", "-c", "from todo_service.main import app")],
    ids=["alembic", "app"],
)
def test_outside_local_no_database_url_is_one_line_naming_it(project: BakedProject, command: tuple[str, ...]) -> None:
    env = _env(project, **_PRODUCTION)
    result = _uv_run(project, env, *command)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.splitlines() == [_REFUSAL]
