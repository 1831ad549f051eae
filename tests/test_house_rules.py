"""Each house rule bites: break it in one small edit and the baked project's `make check` fails.

Every mutant is a copy of one bake with a single rule broken. The test
asserts that `make check` fails and that its output names the broken rule;
`test_baked_project.py` runs the same command on the unbroken bake in the
same run. An edit whose target text is gone fails loudly, so a template
change cannot turn a mutant into a silent no-op.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hooks.post_gen_project import OIDC_PROJECT
from tests.baking import BakedProject, bake_project, run_make

PACKAGE = "src/todo_service"  # the default answers' package
TEMPLATE = Path(__file__).resolve().parents[1] / "{{cookiecutter.project_slug}}"


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` (which must occur exactly once) with ``new`` in ``path``."""

    path: str
    old: str
    new: str

    def apply(self, root: Path) -> None:
        """Apply the edit under ``root``, refusing an ambiguous or stale target."""
        target = root / self.path
        text = target.read_text(encoding="utf-8") if target.exists() else ""
        if self.old:
            occurrences = text.count(self.old)
            assert occurrences == 1, f"{self.path}: expected one {self.old!r}, found {occurrences}"
        target.write_text(text.replace(self.old, self.new, 1) if self.old else self.new, encoding="utf-8")


@dataclass(frozen=True)
class Mutant:
    """One broken rule: the edits that break it and what `make check` must then print."""

    rule: str
    edits: tuple[Edit, ...]
    expected: tuple[str, ...] = field(default=())


REPORTS_ROUTER = '''"""Usage reports."""

from fastapi import APIRouter

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/usage")
async def usage() -> dict[str, int]:
    """How many requests the service has served."""
    return {"requests": 0}
'''

UNTESTED_SERVICE = (
    '"""Statistics nobody tests."""\n\n\n'
    "def summarize(values: list[int]) -> dict[str, int]:\n"
    '    """Summaries of ``values``."""\n'
    "    summary: dict[str, int] = {}\n"
    + "".join(f'    summary["s{i}"] = len(values) + {i}\n' for i in range(80))
    + "    return summary\n"
)


def _head_revision() -> str:
    """Read the default bake's newest revision id when the tests run: revisions keep landing.

    The template also holds the revisions of options the defaults leave out (auth=oidc's).
    """
    revision = re.compile(r'^revision: str = "(\d+)"$', flags=re.MULTILINE)
    left_out = {str(path) for path in OIDC_PROJECT}
    ids: list[str] = [
        found
        for path in (TEMPLATE / "migrations" / "versions").glob("*.py")
        if str(path.relative_to(TEMPLATE)) not in left_out
        for found in revision.findall(path.read_text(encoding="utf-8"))
    ]
    return max(ids, key=int)


# A revision that changes nothing, after the head, which no task in specs/ names.
UNAUTHORISED_REVISION = f'''"""A revision no task asked for."""

from collections.abc import Sequence

revision: str = "0099"
down_revision: str | None = "{_head_revision()}"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply nothing."""


def downgrade() -> None:
    """Revert nothing."""
'''

TODOS_SPEC = "specs/todos/spec.md"
# The line the placeholder lands on: the second after the heading it follows.
PLACEHOLDER_LINE = (TEMPLATE / TODOS_SPEC).read_text(encoding="utf-8").splitlines().index("## What it is for") + 3

MUTANTS = [
    Mutant(
        "R1",
        (
            Edit(
                f"{PACKAGE}/services/attempts.py",
                "import sqlalchemy as sa\n",
                "import sqlalchemy as sa\nfrom fastapi import HTTPException\n",
            ),
            Edit(
                f"{PACKAGE}/services/attempts.py",
                "raise TooManyAttemptsError(retry_after_seconds=max(seconds, 1))",
                "raise HTTPException(429)",
            ),
        ),
        ("R1 layers: only the HTTP edge imports fastapi or starlette BROKEN",),
    ),
    Mutant(
        "R2",
        (
            Edit(f"{PACKAGE}/routers/reports.py", "", REPORTS_ROUTER),
            Edit(f"{PACKAGE}/routers/api.py", "import accounts, auth, todos, users", "import accounts, auth, reports, todos, users"),
            Edit(
                f"{PACKAGE}/routers/api.py",
                "api_router.include_router(auth.router)\n",
                "api_router.include_router(auth.router)\napi_router.include_router(reports.router)\n",
            ),
        ),
        ("R2 auth by default: GET /api/v1/reports/usage does not depend on get_current_user",),
    ),
    Mutant(
        "R3",
        (
            Edit(
                f"{PACKAGE}/core/security/tokens.py",
                'options={"require": REQUIRED_CLAIMS},',
                'options={"require": REQUIRED_CLAIMS, "verify_aud": False},',
            ),
        ),
        ("R3 JWT done right: a wrong-audience token was accepted",),
    ),
    Mutant(
        "R4",
        (Edit(f"{PACKAGE}/schemas/base.py", 'ConfigDict(extra="forbid"', 'ConfigDict(extra="allow"'),),
        ("R4 validate at the boundary", "object accepts unknown fields"),
    ),
    Mutant(
        "R4",
        (
            Edit(
                f"{PACKAGE}/schemas/todo.py",
                "Title = Annotated[str, Field(min_length=1, max_length=200)]",
                "Title = Annotated[str, Field(min_length=1)]",
            ),
        ),
        ("R4 validate at the boundary", "string without maxLength"),
    ),
    Mutant(
        "R5",
        (
            Edit(
                f"{PACKAGE}/core/http/handlers.py",
                'detail="An unexpected error occurred. Quote the request id when reporting it.",',
                'detail=f"{type(exc).__name__}: {exc}",',
            ),
        ),
        ("R5 one error format: the 500 body leaks",),
    ),
    Mutant(
        "R6",
        (
            Edit(
                f"{PACKAGE}/models/todo.py",
                "    completed: bool = False\n",
                "    completed: bool = False\n    priority: int = 0\n",
            ),
        ),
        ("R6: models differ from the migrations", "FAILED: migrations check (house rule R6)"),
    ),
    Mutant(
        "R7",
        (Edit(f"{PACKAGE}/routers/users.py", "async def read_me(", "def read_me("),),
        ("R7 async all the way: GET /api/v1/users/me uses sync handlers",),
    ),
    Mutant(
        "R8",
        (Edit(f"{PACKAGE}/services/users.py", '    """The user with `user_id`, if it exists and is active."""\n', ""),),
        ("D103", "FAILED: ruff lint (house rules R7 async, R8 typed and documented)"),
    ),
    Mutant(
        "R9",
        (
            Edit(
                f"{PACKAGE}/core/config.py",
                "        if self.secret_key.get_secret_value() == DEFAULT_SECRET_KEY:\n"
                '            msg = "SECRET_KEY must be set to a random value outside the local environment"\n'
                "            raise ValueError(msg)\n",
                "",
            ),
        ),
        ("R9 configuration is validated: the app started in production",),
    ),
    Mutant(
        "R10",
        (Edit(f"{PACKAGE}/services/statistics.py", "", UNTESTED_SERVICE),),
        ("Required test coverage of 95.0% not reached", "R10"),
    ),
]

# The narrower rules AGENTS.md states, each with its id in docs/RULES.md, and
# the check that AGENTS.md states none without one.
STATED_RULE_MUTANTS = [
    Mutant(
        "R1.10",
        (
            Edit(
                f"{PACKAGE}/services/health.py",
                "import asyncio\n",
                "import asyncio\n\nfrom todo_service.core.http.urls import url_path  # noqa: F401\n",
            ),
        ),
        ("R1 layers: each layer imports only those below it (R1.10) BROKEN",),
    ),
    Mutant(
        "R6.4",
        (
            Edit(
                f"{PACKAGE}/services/users.py",
                "order_by=[users.c.created_at.desc(), users.c.id.desc()]",
                "order_by=[users.c.full_name, users.c.id.desc()]",
            ),
        ),
        ("R6.4 every list's order is read from an index: users._PAGE sorts its rows",),
    ),
    Mutant(
        "R10",
        (Edit("AGENTS.md", "", "# Guide\n\nNever call the database from a router.\n"),),
        ("R10 tests embody the rules: AGENTS.md states rules without an id",),
    ),
    Mutant(
        "R1.2",
        (
            Edit(
                f"{PACKAGE}/services/attempts.py",
                "    await session.execute(_PURGE_ENDED, now=now)\n",
                "    await session.execute(_PURGE_ENDED, now=now)\n    await session.commit()\n",
            ),
        ),
        ("R1.2 one unit of work", ".commit()"),
    ),
    Mutant(
        "R1.3",
        (
            Edit(
                f"{PACKAGE}/routers/todos.py",
                "    return await todos.get(session, owner_id=user.id, item_id=todo_id)\n",
                "    await todos.get(session, owner_id=user.id, item_id=todo_id)\n"
                "    return await todos.get(session, owner_id=user.id, item_id=todo_id)\n",
            ),
        ),
        ("R1.3 layers", "get_todo makes 2 service calls"),
    ),
    Mutant(
        "R1.4",
        (
            Edit(
                f"{PACKAGE}/schemas/todo.py",
                "class TodoListQuery(PageQuery):",
                'class Todo(OutputSchema):\n    """Named like the table model."""\n\n    id: UUID\n\n\n'
                "class TodoListQuery(PageQuery):",
            ),
        ),
        ("R1.4 layers: schemas named like table models ['Todo']",),
    ),
    Mutant(
        "R1.5",
        (
            Edit(
                f"{PACKAGE}/services/attempts.py",
                "async def give_back(session: Session, *, reservations",
                "async def give_back(session: Session, reservations",
            ),
        ),
        ("R1.5 one service vocabulary",),
    ),
    Mutant(
        "R2.2",
        (
            Edit(
                "tests/test_rules.py",
                '("GET", "/health/live"): "probed by the orchestrator, which holds no token",',
                '("GET", "/health/live"): "",',
            ),
        ),
        ("R2.2 auth by default: public routes without a reason",),
    ),
    Mutant(
        "R3.1",
        (Edit(f"{PACKAGE}/routers/users.py", "    responses=responses(PermissionDeniedError),\n", ""),),
        ("R3.1 403 only for a missing permission: GET /api/v1/users checks a permission",),
    ),
    Mutant(
        "R4.1",
        (
            Edit(
                f"{PACKAGE}/schemas/todo.py",
                "    title: Title\n",
                "    title: Title\n    owner_id: UUID | None = None\n",
            ),
        ),
        ("R4.1 validate at the boundary: input schemas read server-owned fields ['TodoCreate.owner_id']",),
    ),
    Mutant(
        "R5.1",
        (
            Edit(
                f"{PACKAGE}/core/db/session.py",
                'logger.info("statement", sql=compiled.sql)',
                'logger.info("statement", sql=compiled.sql, arguments=arguments)',
            ),
        ),
        ("R5.1 nothing leaks: the logs carry the ['password hash']",),
    ),
    Mutant(
        "R6.3",
        (Edit("migrations/versions/20991231_0099_unauthorised.py", "", UNAUTHORISED_REVISION),),
        (
            "R6.3 the schema changes only when a task says so",
            "revision 0099 (migrations/versions/20991231_0099_unauthorised.py) is named by no task",
        ),
    ),
    Mutant(
        "R10.2",
        (Edit(TODOS_SPEC, "## What it is for\n\n", "## What it is for\n\n*To write:* who keeps todos, and why.\n\n"),),
        (f"R10.2 specs are written: *To write* is left at {TODOS_SPEC}:{PLACEHOLDER_LINE}",),
    ),
    Mutant(
        "R6.1",
        (
            Edit(
                f"{PACKAGE}/core/db/database.py",
                "from sqlalchemy.engine import make_url\n",
                "from sqlalchemy.engine import make_url\n"
                "from sqlalchemy.ext.asyncio import create_async_engine\n"
                "from sqlmodel import SQLModel\n",
            ),
            Edit(
                f"{PACKAGE}/core/db/database.py",
                "    async def dispose(self) -> None:",
                '    async def create_tables(self) -> None:\n        """Create every table the models declare."""\n'
                "        engine = create_async_engine(str(self._settings.database_url))\n"
                "        async with engine.begin() as connection:\n"
                "            await connection.run_sync(SQLModel.metadata.create_all)\n\n"
                "    async def dispose(self) -> None:",
            ),
        ),
        ("R6.1 schema changes only by migration", "create_all"),
    ),
    Mutant(
        "R8.1",
        (Edit(f"{PACKAGE}/routers/health.py", '@router.get("/live", name="live")', '@router.get("/live")'),),
        ("R8.1 typed and documented: routes without `name=`",),
    ),
    Mutant(
        "R9.1",
        (Edit(".env.example", "DATABASE_POOL_SIZE=10\n", ""),),
        ("R9.1 configuration is validated: settings missing from .env.example: ['DATABASE_POOL_SIZE']",),
    ),
]


# Stated rules whose check is one a house-rule mutant above already breaks.
COVERED_BY_HOUSE_RULE_MUTANTS = {
    "R1.1",  # the R1 mutant: HTTPException in a service
    "R2.1",  # the R2 mutant: a route that does not take the caller
    "R4.2",  # the R4 mutants: unknown fields allowed, a string without max_length
    "R7.1",  # the R7 mutant: a sync handler
    "R8.2",  # the R8 mutant: a missing docstring
}


def _mutant_copy(pristine: BakedProject, tmp_path: Path, edits: Iterable[Edit]) -> BakedProject:
    """Copy the pristine bake and apply ``edits`` to the copy."""
    project = BakedProject(tmp_path / pristine.path.name, pristine.answers)
    # Not its environment: the package is installed editable, from the pristine's own src/.
    shutil.copytree(pristine.path, project.path, ignore=shutil.ignore_patterns(".venv"))
    for edit in edits:
        edit.apply(project.path)
    return project


@pytest.fixture(scope="session")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> BakedProject:
    """One bake of the defaults per worker; every mutant starts from a copy of it.

    It is type-checked once, so each copy starts with a warm mypy cache (3 s
    instead of 27 s of mypy per mutant): the copy's own environment links the
    same files from the shared uv cache, so the cached third-party entries hold.
    """
    project = bake_project(tmp_path_factory.mktemp("pristine"))
    result = run_make(project, "typecheck")
    assert result.returncode == 0, result.stdout
    return project


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("mutant", MUTANTS, ids=[f"{m.rule}-{i}" for i, m in enumerate(MUTANTS)])
def test_make_check_fails_and_names_the_broken_rule(pristine: BakedProject, tmp_path: Path, mutant: Mutant) -> None:
    project = _mutant_copy(pristine, tmp_path, mutant.edits)

    result = run_make(project, "check")

    assert result.returncode != 0, f"{mutant.rule} broken, yet make check passed:\n{result.stdout}"
    missing = [text for text in mutant.expected if text not in result.stdout]
    assert not missing, f"{mutant.rule}: make check failed without naming it; missing {missing}:\n{result.stdout}"
    assert re.search(rf"\b{re.escape(mutant.rule)}\b", result.stdout), f"output never names {mutant.rule}"


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_make_check_names_each_broken_stated_rule(pristine: BakedProject, tmp_path: Path) -> None:
    """Break every stated rule in one copy; make check names each, with what broke it.

    Each of these checks names the rule and the file, field, route or setting
    that broke it, so one run shows every check biting on its own mutation, in
    a tenth of the time of one run per rule.
    """
    project = _mutant_copy(pristine, tmp_path, [edit for mutant in STATED_RULE_MUTANTS for edit in mutant.edits])

    result = run_make(project, "check")

    assert result.returncode != 0, f"stated rules broken, yet make check passed:\n{result.stdout}"
    unnamed = {
        mutant.rule: missing
        for mutant in STATED_RULE_MUTANTS
        if (missing := [text for text in mutant.expected if text not in result.stdout])
        or not re.search(rf"\b{re.escape(mutant.rule)}\b", result.stdout)
    }
    assert not unnamed, f"make check failed without naming these rules as broken: {unnamed}:\n{result.stdout}"


def test_every_house_rule_and_every_checked_stated_rule_has_a_mutant() -> None:
    rules_page = (
        Path(__file__).resolve().parents[1] / "{{cookiecutter.project_slug}}" / "docs" / "RULES.md"
    ).read_text()
    checked, _, _review = rules_page.partition("### Review rules")
    rules = set(re.findall(r"^\| (R\d+) \|", checked, flags=re.MULTILINE))
    assert rules == {f"R{n}" for n in range(1, 11)}
    # Stated rules that a tool checks; those the checks of R1-R10 already mutate are exempt.
    stated = set(re.findall(r"^\| (R\d+\.\d+) \|", checked, flags=re.MULTILINE)) - COVERED_BY_HOUSE_RULE_MUTANTS
    assert rules == {mutant.rule for mutant in MUTANTS}
    broken_together = {mutant.rule for mutant in STATED_RULE_MUTANTS}
    assert stated <= broken_together, f"stated rules without a mutant: {stated - broken_together}"
    assert broken_together - stated == {"R10"}
