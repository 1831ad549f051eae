"""A list's page and its total in one statement, built once at import on a Core table.

`resource.py` builds one per set of filters a resource's list is asked with;
a service with a list of its own (users) builds one directly.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, exists, func, select

from {{ cookiecutter.package_name }}.core.db.session import Record, Session
from {{ cookiecutter.package_name }}.core.db.statement import Statement
from {{ cookiecutter.package_name }}.core.errors import NotFoundError


@dataclass(frozen=True)
class Parent:
    """What a nested list hangs off: true while the caller owns the parent row, else `missing`."""

    owned: ColumnElement[bool]
    missing: type[NotFoundError]


class PageStatements:
    """A list built once at import: a page of rows and their total in one statement.

    The page reads only its own rows (and those it skips), in the order of
    the index its model declares for it (rule R6.4). The total is a count in
    a subquery, which PostgreSQL answers from that index, reading rows only
    for a filter column the index lacks; `count(*) OVER ()` would read and
    hold every matching row on every page. Past the last page there is no
    row to carry the total, so a count runs alone; under a `parent`, that
    count also tells an empty list from a parent that is not the caller's.
    """

    def __init__(
        self,
        table: Table,
        columns: Sequence[ColumnElement[Any]],
        *,
        where: Sequence[ColumnElement[bool]],
        order_by: Sequence[ColumnElement[Any]],
        parent: Parent | None = None,
    ) -> None:
        self._table, self._columns, self._where = table, columns, where
        self._order_by, self._parent = order_by, parent
        # Never correlated: the count is of the whole list, not of the page's row.
        count = select(func.count()).select_from(table).where(*where).correlate(None)
        # Public for `tests/test_list_order.py`, which checks that an index gives its order.
        self.page = Statement(
            select(*columns, count.scalar_subquery().label("total"))
            .where(*where)
            .order_by(*order_by)
            .limit(bindparam("limit"))
            .offset(bindparam("offset"))
        )
        if parent is not None:  # No row at all when the parent is not the caller's.
            count = select(count.scalar_subquery()).where(exists().where(parent.owned))
        self._count = Statement(count)

    def where(self, *criteria: ColumnElement[bool]) -> "PageStatements":
        """The same list narrowed by `criteria` (a filter), built once like this one."""
        return PageStatements(
            self._table,
            self._columns,
            where=[*self._where, *criteria],
            order_by=self._order_by,
            parent=self._parent,
        )

    async def fetch(self, session: Session, *, limit: int, offset: int, **params: object) -> Record:
        """`{items, total, limit, offset}` in one statement; two past the end or under a parent.

        Under a parent not the caller's, raises the parent's `missing` error.
        """
        items = await session.fetch_all(self.page, limit=limit, offset=offset, **params)
        if items:
            total = items[0]["total"]
        elif self._parent is None and offset == 0:
            total = 0
        else:
            total = await session.fetch_value(self._count, **params)
            if self._parent is not None and total is None:
                raise self._parent.missing
        return {"items": items, "total": total, "limit": limit, "offset": offset}
