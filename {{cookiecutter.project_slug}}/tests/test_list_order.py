"""Every list reads its page in the order of an index, never sorted per request (rule R6.4).

A sort needs every matching row before it returns the first, so an unindexed
order costs as much on page one as reading the whole list. With sorting
priced out, PostgreSQL still sorts when no index gives the order: so a
`Sort` in the plan of a list's page is a missing index.
"""

import json
from collections.abc import Iterator
from importlib import import_module
from pkgutil import iter_modules
from typing import Any

import pytest

from {{ cookiecutter.package_name }} import services
from {{ cookiecutter.package_name }}.core.db import Connection
from {{ cookiecutter.package_name }}.core.db.pages import PageStatements
from {{ cookiecutter.package_name }}.core.db.resource import Resource

SORTS = {"Sort", "Incremental Sort"}


def _lists() -> dict[str, PageStatements]:
    """Every list the services answer, by module and name (`todos.todos[completed]`).

    A resource answers one list per set of filters a request can send.
    """
    found: dict[str, PageStatements] = {}
    for module in iter_modules(services.__path__):
        for name, value in vars(import_module(f"{services.__name__}.{module.name}")).items():
            if isinstance(value, PageStatements):
                found[f"{module.name}.{name}"] = value
            elif isinstance(value, Resource):
                for filters, page in value.lists():
                    found[f"{module.name}.{name}[{filters}]"] = page
    return found


LISTS = _lists()


def _node_types(plan: dict[str, Any]) -> Iterator[str]:
    yield plan["Node Type"]
    for child in plan.get("Plans", []):
        yield from _node_types(child)


async def _generic_plan(connection: Connection, sql: str, parameters: int) -> dict[str, Any]:
    """The plan PostgreSQL keeps for `sql` whatever its parameters (they are all NULL here)."""
    await connection.execute(f"PREPARE listed AS {sql}")
    try:
        arguments = ", ".join(["NULL"] * parameters)
        explained = await connection.fetchval(f"EXPLAIN (FORMAT JSON) EXECUTE listed({arguments})")
    finally:
        await connection.execute("DEALLOCATE listed")
    plan: dict[str, Any] = json.loads(explained)[0]["Plan"]
    return plan


def test_the_services_lists_are_found() -> None:
    assert {"todos.todos[all]", "todos.todos[completed]", "users._PAGE"} <= set(LISTS)


@pytest.mark.parametrize("name", sorted(LISTS))
async def test_r6_every_list_order_is_read_from_an_index(connection: Connection, name: str) -> None:
    for setting in ("enable_sort", "enable_incremental_sort"):
        await connection.execute(f"SET LOCAL {setting} = off")
    await connection.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    page = LISTS[name].page.compile({})
    plan = await _generic_plan(connection, page.sql, len(page.names))
    sorts = SORTS & set(_node_types(plan))
    assert not sorts, (
        f"R6.4 every list's order is read from an index: {name} sorts its rows on every "
        "request; declare an index on its filter's columns, then its ORDER BY columns, "
        f"in the model's `__table_args__`, with its migration. The page's SQL: {page.sql}"
    )
