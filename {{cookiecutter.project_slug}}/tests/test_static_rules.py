"""House rules over the package's source (`tests/static_rules.py`); each check proven to fire."""

import ast
from collections.abc import Callable, Iterator
from functools import partial
from importlib.util import find_spec
from pathlib import Path

import pytest

from tests.static_rules import (
    Finding,
    handlers_calling_several_services,
    positional_service_arguments,
    schema_creation,
    transaction_control,
    unnamed_routes,
)

PACKAGE = "{{ cookiecutter.package_name }}"
SERVICES = f"{PACKAGE}.services"
_spec = find_spec(PACKAGE)
assert _spec is not None
assert _spec.origin is not None
PACKAGE_DIR = Path(_spec.origin).parent
# The session dependency, the request edge that commits once per request, and
# the module that implements sessions on asyncpg transactions.
TRANSACTION_OWNERS = frozenset(
    {"dependencies/database.py", "core/db/session.py", "core/db/database.py"}
)


def _modules(*parts: str) -> Iterator[tuple[str, ast.Module]]:
    """(path relative to the package, syntax tree) of every module under `parts`."""
    for path in sorted(PACKAGE_DIR.joinpath(*parts).rglob("*.py")):
        yield str(path.relative_to(PACKAGE_DIR)), ast.parse(path.read_text(encoding="utf-8"))


Check = Callable[[ast.Module], Iterator[Finding]]


def _findings(check: Check, *parts: str, exempt: frozenset[str] = frozenset()) -> str:
    """Every finding of `check` under `parts` but in `exempt`, as `path:line what; ...`."""
    return "; ".join(
        f"{path}:{finding.line} {finding.what}"
        for path, tree in _modules(*parts)
        if path not in exempt
        for finding in check(tree)
    )


def test_r1_only_the_request_edge_commits_or_rolls_back() -> None:
    found = _findings(transaction_control, exempt=TRANSACTION_OWNERS)
    assert not found, (
        f"R1.2 one unit of work: {found} controls a transaction. Only the session "
        "dependency (dependencies/database.py) commits, once per request; work that must "
        "outlast a failed request runs in `async with session.committed():`."
    )


def test_r6_the_app_never_creates_tables() -> None:
    found = _findings(schema_creation)
    assert not found, (
        f"R6.1 schema changes only by migration: {found}. Tables come from Alembic migrations; "
        'write one with `make migration message="..." task=<id>`.'
    )


def test_r8_every_route_is_named() -> None:
    found = _findings(unnamed_routes, "routers")
    assert not found, (
        f"R8.1 typed and documented: routes without `name=`: {found}. Name every route; tests "
        "and `Location` headers find paths by name (`app.url_path_for`)."
    )


def test_r1_each_handler_makes_one_service_call() -> None:
    check = partial(handlers_calling_several_services, services_package=SERVICES)
    found = _findings(check, "routers")
    assert not found, (
        f"R1.3 layers: {found}. A handler makes one service call; compose the steps in a "
        "service function instead."
    )


def test_r1_services_take_the_session_then_keywords() -> None:
    found = _findings(positional_service_arguments, "services")
    assert not found, (
        f"R1.5 one service vocabulary: {found} take more than the session "
        "positionally. Put `*` after the session: `async def get(session, *, owner_id, ...)`."
    )


BAD_AND_GOOD = [
    pytest.param(
        transaction_control,
        "async def f(session):\n    await session.commit()\n",
        "async def f(session):\n    await session.execute(statement)\n",
        id="transaction-control",
    ),
    pytest.param(
        transaction_control,
        "async def f(session):\n    await session.close()\n",
        "async def f(session):\n    await session.release()\n",
        id="session-ending",
    ),
    pytest.param(
        schema_creation,
        "async def f(conn):\n    await conn.run_sync(metadata.create_all)\n",
        "async def f(conn):\n    await conn.run_sync(upgrade)\n",
        id="schema-creation",
    ),
    pytest.param(
        unnamed_routes,
        '@router.get("/x")\nasync def x():\n    pass\n',
        '@router.get("/x", name="x")\nasync def x():\n    pass\n',
        id="unnamed-route",
    ),
    pytest.param(
        partial(handlers_calling_several_services, services_package="pkg.services"),
        "from pkg.services import a, b\n\n"
        '@router.post("/x", name="x")\n'
        "async def x(s):\n    await a.create(s)\n    await b.create(s)\n",
        "from pkg.services import a\nfrom pkg.other import b\n\n"
        '@router.post("/x", name="x")\n'
        "async def x(s):\n    await a.create(s)\n    b.log()\n",
        id="several-service-calls",
    ),
    pytest.param(
        partial(handlers_calling_several_services, services_package="pkg.services"),
        "from pkg.services.a import a\nfrom pkg.services.b import b\n\n"
        '@router.post("/x", name="x")\n'
        "async def x(s):\n    await a.create(s)\n    await b.create(s)\n",
        "from pkg.services.a import a\n\n"
        '@router.post("/x", name="x")\n'
        "async def x(s):\n    await a.create(s)\n",
        id="several-resource-calls",
    ),
    pytest.param(
        positional_service_arguments,
        "async def get(session, todo_id):\n    pass\n",
        "async def get(session, *, todo_id):\n    pass\n\n\ndef _helper(a, b):\n    pass\n",
        id="positional-service-arguments",
    ),
]


@pytest.mark.parametrize(("check", "bad", "good"), BAD_AND_GOOD)
def test_each_check_flags_the_rule_broken_and_only_then(check: Check, bad: str, good: str) -> None:
    assert list(check(ast.parse(bad)))
    assert not list(check(ast.parse(good)))
