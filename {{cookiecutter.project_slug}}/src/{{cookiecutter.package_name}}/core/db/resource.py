"""A feature's CRUD, declared once: get, page, create, update and delete on one table.

A feature's service declares its resource with what is particular to it (the
model, its schemas, its errors, its filters, its references) and keeps only
the rules no declaration can state. Three kinds, each with the signatures its
scope needs, so a missing owner or parent is a type error, not a leak:

- `OwnedResource`: each row has an `owner_id`; every statement is scoped to
  the caller, so another user's row answers the resource's 404 like a missing one.
- `SharedResource`: every caller reads every row; its router lets only
  superusers write.
- `NestedResource`: each row hangs off a row of an owned resource and is the
  caller's only through it; a parent that is not the caller's answers the
  parent's 404.

Statements are built on first use for each shape a request takes (which
filters it sets, which columns a PATCH sends) and kept, so each shape is
built and compiled once. Values are bound under names no column has
(`set_title`, `where_id`), and an UPDATE sets exactly the columns sent.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations
from typing import Any, {% if cookiecutter.python_version == "3.11" %}Generic, {% endif %}Protocol, Required, TypedDict, {% if cookiecutter.python_version == "3.11" %}TypeVar, {% endif %}Unpack, cast
from uuid import UUID, uuid4

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Table, bindparam, exists, select
from sqlmodel import SQLModel

from {{ cookiecutter.package_name }}.core.db.errors import (
    ForeignKeyViolationError,
    UniqueViolationError,
)
from {{ cookiecutter.package_name }}.core.db.pages import PageStatements, Parent
from {{ cookiecutter.package_name }}.core.db.session import Record, Session
from {{ cookiecutter.package_name }}.core.db.statement import Statement
from {{ cookiecutter.package_name }}.core.errors import ConflictError, NotFoundError

{% if cookiecutter.python_version == "3.11" -%}
ReadT = TypeVar("ReadT", bound=BaseModel)
PageT = TypeVar("PageT", bound=BaseModel)
{% endif -%}
ITEM, OWNER, PARENT = "where_id", "where_owner", "where_parent"
Scope = dict[str, object]


class PageRequest(Protocol):
    """What a list takes: `schemas.page.PageQuery`, or a feature's subclass with its filters."""

    @property
    def limit(self) -> int:
        """Rows per page."""

    @property
    def offset(self) -> int:
        """Rows skipped."""


@dataclass(frozen=True)
class Reference:
    """A column holding the id of another resource's row, chosen by the client.

    An id the caller cannot see there (missing, or another user's row of an
    owned resource) answers that resource's 404, on create and on update.
    """

    column: str
    target: "OwnedResource[Any, Any] | SharedResource[Any, Any]"


{% if cookiecutter.python_version == "3.11" %}class Declaration(TypedDict, Generic[ReadT, PageT], total=False):{% else %}class Declaration[ReadT: BaseModel, PageT: BaseModel](TypedDict, total=False):{% endif %}
    """What a feature declares about its resource, beside its model."""

    # The schema a row is shown as; its fields are the columns read.
    read: Required[type[ReadT]]
    # The schema of a page of `read` (`Page[...]`, parametrised once).
    page: Required[type[PageT]]
    # The 404 for a row that is not there, or not the caller's.
    missing: Required[type[NotFoundError]]
    # The list's order: column names, `-` for descending, given by an index (R6.4).
    order_by: Sequence[str]
    # List query fields narrowing the list to rows whose column of that name equals the value.
    filters: Sequence[str]
    # For each unique column, the 409 a duplicate value answers.
    unique: Mapping[str, type[ConflictError]]
    # Columns holding ids of other resources' rows, chosen by the client.
    references: Sequence[Reference]
    # The 409 a delete answers while rows of another table still reference the row.
    in_use: type[ConflictError]


def _bound(column: str) -> str:
    """The bound parameter that carries a value for `column`."""
    return f"set_{column}"


def _order(table: Table, names: Sequence[str]) -> list[ColumnElement[Any]]:
    """`("-created_at", "id")` as ORDER BY columns: a leading `-` sorts descending."""
    return [
        table.c[name.removeprefix("-")].desc() if name.startswith("-") else table.c[name].asc()
        for name in names
    ]


{% if cookiecutter.python_version == "3.11" %}class Resource(Generic[ReadT, PageT]):{% else %}class Resource[ReadT: BaseModel, PageT: BaseModel]:{% endif %}
    """What the three kinds share. Declare one of them, not this."""

    def __init__(
        self, model: type[SQLModel] | Table, **declaration: Unpack[Declaration[ReadT, PageT]]
    ) -> None:
        """Declare the resource of the table model (or Core table) `model`: see `Declaration`."""
        table = model if isinstance(model, Table) else sa.inspect(model).local_table
        self.table = cast("Table", table)
        self._read, self._page = declaration["read"], declaration["page"]
        self.missing = declaration["missing"]
        self._columns = [self.table.c[name] for name in self._read.model_fields]
        self._order_by = _order(self.table, declaration.get("order_by", ("-created_at", "-id")))
        self._filters = tuple(declaration.get("filters", ()))
        self._unique = {
            f"uq_{self.table.name}_{column}": error
            for column, error in declaration.get("unique", {}).items()
        }
        self.references = tuple(declaration.get("references", ()))
        self._references = {reference.column: reference for reference in self.references}
        self._reference_errors = {
            f"fk_{self.table.name}_{reference.column}_{reference.target.table.name}": (
                reference.target.missing
            )
            for reference in self.references
        }
        self._in_use = declaration.get("in_use")
        self._one = Statement(select(*self._columns).where(*self._where_one()))
        self._pages: dict[frozenset[str], PageStatements] = {}
        self._inserts: dict[frozenset[str], Statement] = {}
        self._updates: dict[frozenset[str], Statement] = {}
        self._refusals: dict[frozenset[str], Statement] = {}
        self._delete = Statement(
            sa.delete(self.table).where(*self._where_one()).returning(self.table.c.id)
        )

    # What each kind decides: which rows are the caller's, and how a row is inserted.

    def _scope(self) -> list[ColumnElement[bool]]:
        """The conditions a row meets to be the caller's, on bound `OWNER` and `PARENT`."""
        raise NotImplementedError

    def _parent(self) -> Parent | None:
        """What a list hangs off, if anything."""
        return None

    def _insert(self, columns: Sequence[str], guards: Sequence[ColumnElement[bool]]) -> Statement:
        """An INSERT of `columns` that inserts nothing unless every guard holds."""
        values = [bindparam(_bound(name), type_=self.table.c[name].type) for name in columns]
        if not guards:
            return Statement(
                sa.insert(self.table)
                .values(dict(zip(columns, values, strict=True)))
                .returning(*self._columns)
            )
        source = select(*values).where(*guards)
        return Statement(
            sa.insert(self.table).from_select(columns, source).returning(*self._columns)
        )

    def visible(self, row_id: ColumnElement[Any]) -> ColumnElement[bool]:
        """True while the row `row_id` exists and the caller may see it (for references)."""
        return exists().where(self.table.c.id == row_id, *self._scope())

    # The operations, on the scope's bound values; the kinds give them their signatures.

    async def _get(self, session: Session, scope: Scope, item_id: UUID) -> ReadT:
        row = await session.fetch_one(self._one, **scope, **{ITEM: item_id})
        if row is None:
            raise self.missing
        return self._read.model_validate(row)

    async def _get_page(self, session: Session, scope: Scope, query: PageRequest) -> PageT:
        values = {name: getattr(query, name) for name in self._filters}
        filters = {f"filter_{name}": value for name, value in values.items() if value is not None}
        page = await self._page_statements(frozenset(filters)).fetch(
            session, limit=query.limit, offset=query.offset, **scope, **filters
        )
        return self._page.model_validate(page)

    async def _create(self, session: Session, scope: Scope, data: BaseModel) -> ReadT:
        now = datetime.now(UTC)
        values = {"id": uuid4(), "created_at": now, "updated_at": now, **data.model_dump()}
        values |= self._owned_columns(scope)
        columns = frozenset(values)
        statement = self._inserts.get(columns)
        if statement is None:
            ordered = sorted(columns)
            guards = list(self._guards(ordered).values())
            statement = self._inserts[columns] = self._insert(ordered, guards)
        row = await self._write(session, statement, scope, values)
        if row is None:
            raise await self._refusal(session, scope, values, item_id=None)
        return self._read.model_validate(row)

    async def _update(
        self, session: Session, scope: Scope, item_id: UUID, data: BaseModel
    ) -> ReadT:
        changes = data.model_dump(exclude_unset=True)
        if not changes:  # An empty PATCH changes nothing, `updated_at` included.
            return await self._get(session, scope, item_id)
        values = {**changes, "updated_at": datetime.now(UTC)}
        columns = frozenset(values)
        statement = self._updates.get(columns)
        if statement is None:
            ordered = sorted(columns)
            statement = self._updates[columns] = Statement(
                sa.update(self.table)
                .where(*self._where_one(), *self._guards(ordered).values())
                .values({name: bindparam(_bound(name)) for name in ordered})
                .returning(*self._columns)
            )
        row = await self._write(session, statement, {**scope, ITEM: item_id}, values)
        if row is None:
            raise await self._refusal(session, scope, values, item_id=item_id)
        return self._read.model_validate(row)

    async def _remove(self, session: Session, scope: Scope, item_id: UUID) -> None:
        try:
            deleted = await session.fetch_one(self._delete, **scope, **{ITEM: item_id})
        except ForeignKeyViolationError:
            if self._in_use is None:
                raise
            raise self._in_use from None
        if deleted is None:
            raise self.missing

    # How the operations are built and how a refusal is told apart.

    def _where_one(self) -> list[ColumnElement[bool]]:
        return [self.table.c.id == bindparam(ITEM), *self._scope()]

    def _owned_columns(self, scope: Scope) -> dict[str, object]:
        """Columns an insert takes from the scope rather than from the client."""
        del scope
        return {}

    def _guards(self, columns: Sequence[str]) -> dict[str, ColumnElement[bool]]:
        """For each reference among `columns` to an owned resource: the caller may see its row.

        A reference to a shared resource needs no guard: its foreign key
        refuses a missing row, answered as that resource's 404.
        """
        return {
            name: sa.or_(
                bindparam(_bound(name), type_=self.table.c[name].type).is_(None),
                reference.target.visible(bindparam(_bound(name))),
            )
            for name in columns
            if (reference := self._references.get(name)) is not None
            and isinstance(reference.target, OwnedResource)
        }

    async def _write(
        self, session: Session, statement: Statement, scope: Scope, values: Record
    ) -> Record | None:
        """Run an INSERT or UPDATE, answering a duplicate or a dangling reference as declared."""
        try:
            return await session.fetch_one(
                statement, **scope, **{_bound(name): value for name, value in values.items()}
            )
        except UniqueViolationError as error:
            duplicate = self._unique.get(error.constraint or "")
            if duplicate is None:
                raise
            raise duplicate from None
        except ForeignKeyViolationError as error:
            missing = self._reference_errors.get(error.constraint or "")
            if missing is None:
                raise
            raise missing from None

    async def _refusal(
        self, session: Session, scope: Scope, values: Record, *, item_id: UUID | None
    ) -> NotFoundError:
        """Why a write found no row: the row itself, its parent, or a row a reference names.

        Only a write that found no row asks, so this costs nothing on the way to a 2xx.
        """
        checks = self._guards(sorted(values))
        if item_id is not None:
            checks["item"] = exists().where(*self._where_one())
        if (parent := self._parent()) is not None:
            checks["parent"] = exists().where(parent.owned)
        key = frozenset(checks)
        statement = self._refusals.get(key)
        if statement is None:
            labelled = (check.label(name) for name, check in sorted(checks.items()))
            statement = self._refusals[key] = Statement(select(*labelled))
        params = {_bound(name): value for name, value in values.items()}
        found = await session.fetch_one(
            statement, **scope, **params, **({} if item_id is None else {ITEM: item_id})
        )
        if found is None:
            msg = "a SELECT without FROM returns one row"
            raise AssertionError(msg)
        if parent is not None and not found["parent"]:
            return parent.missing()
        if item_id is not None and not found["item"]:
            return self.missing()
        failed = next(name for name in sorted(checks) if not found[name])
        return self._references[failed].target.missing()

    def _page_statements(self, filters: frozenset[str]) -> PageStatements:
        statements = self._pages.get(filters)
        if statements is None:
            criteria = [
                self.table.c[name.removeprefix("filter_")] == bindparam(name)
                for name in sorted(filters)
            ]
            statements = self._pages[filters] = PageStatements(
                self.table,
                self._columns,
                where=[*self._scope(), *criteria],
                order_by=self._order_by,
                parent=self._parent(),
            )
        return statements

    def lists(self) -> Iterator[tuple[str, PageStatements]]:
        """Every list this resource can answer, one per set of filters (for rule R6.4's test)."""
        for size in range(len(self._filters) + 1):
            for names in combinations(self._filters, size):
                label = "+".join(names) or "all"
                yield label, self._page_statements(frozenset(f"filter_{n}" for n in names))


{% if cookiecutter.python_version == "3.11" %}class OwnedResource(Resource[ReadT, PageT]):{% else %}class OwnedResource[ReadT: BaseModel, PageT: BaseModel](Resource[ReadT, PageT]):{% endif %}
    """Rows that each belong to one user (`owner_id`): the caller sees and changes only theirs."""

    def _scope(self) -> list[ColumnElement[bool]]:
        return [self.table.c.owner_id == bindparam(OWNER)]

    def _owned_columns(self, scope: Scope) -> dict[str, object]:
        return {"owner_id": scope[OWNER]}

    async def get(self, session: Session, *, owner_id: UUID, item_id: UUID) -> ReadT:
        """The owner's row `item_id`; anyone else's raises `missing`, as a missing row does."""
        return await self._get(session, {OWNER: owner_id}, item_id)

    async def get_page(self, session: Session, *, owner_id: UUID, query: PageRequest) -> PageT:
        """A page of the owner's rows, in the declared order, with their total."""
        return await self._get_page(session, {OWNER: owner_id}, query)

    async def create(self, session: Session, *, owner_id: UUID, data: BaseModel) -> ReadT:
        """A new row owned by `owner_id`; created and updated at the same instant."""
        return await self._create(session, {OWNER: owner_id}, data)

    async def update(
        self, session: Session, *, owner_id: UUID, item_id: UUID, data: BaseModel
    ) -> ReadT:
        """Set the fields the client sent, in one statement; the rest stay as they are."""
        return await self._update(session, {OWNER: owner_id}, item_id, data)

    async def delete(self, session: Session, *, owner_id: UUID, item_id: UUID) -> None:
        """Delete the owner's row `item_id`, in one statement."""
        await self._remove(session, {OWNER: owner_id}, item_id)


{% if cookiecutter.python_version == "3.11" %}class SharedResource(Resource[ReadT, PageT]):{% else %}class SharedResource[ReadT: BaseModel, PageT: BaseModel](Resource[ReadT, PageT]):{% endif %}
    """Rows every caller reads; the router lets only superusers write them."""

    def _scope(self) -> list[ColumnElement[bool]]:
        return []

    async def get(self, session: Session, *, item_id: UUID) -> ReadT:
        """The row `item_id`, else `missing`."""
        return await self._get(session, {}, item_id)

    async def get_page(self, session: Session, *, query: PageRequest) -> PageT:
        """A page of the rows, in the declared order, with their total."""
        return await self._get_page(session, {}, query)

    async def create(self, session: Session, *, data: BaseModel) -> ReadT:
        """A new row; created and updated at the same instant."""
        return await self._create(session, {}, data)

    async def update(self, session: Session, *, item_id: UUID, data: BaseModel) -> ReadT:
        """Set the fields the client sent, in one statement; the rest stay as they are."""
        return await self._update(session, {}, item_id, data)

    async def delete(self, session: Session, *, item_id: UUID) -> None:
        """Delete the row `item_id`, in one statement."""
        await self._remove(session, {}, item_id)


{% if cookiecutter.python_version == "3.11" %}class NestedResource(Resource[ReadT, PageT]):{% else %}class NestedResource[ReadT: BaseModel, PageT: BaseModel](Resource[ReadT, PageT]):{% endif %}
    """Rows that each hang off a row of an owned resource, the caller's only through it.

    Every statement reaches a row through its parent, and only while the
    caller owns the parent. An insert reads the parent row in the same
    statement, FOR KEY SHARE: a parent deleted before it commits leaves
    nothing to insert (the parent's 404, not a foreign-key error), and one
    deleted after waits, then takes the new row with it (ON DELETE CASCADE).
    """

    def __init__(
        self,
        model: type[SQLModel] | Table,
        *,
        parent: OwnedResource[Any, Any],
        link: str,
        **declaration: Unpack[Declaration[ReadT, PageT]],
    ) -> None:
        """Declare the resource of `model`, whose column `link` names its row of `parent`."""
        self.parent, self._link = parent, link
        parents = parent.table
        self._parent_is_mine = sa.and_(
            parents.c.id == bindparam(PARENT), parents.c.owner_id == bindparam(OWNER)
        )
        super().__init__(model, **declaration)

    def _scope(self) -> list[ColumnElement[bool]]:
        mine = select(self.parent.table.c.id).where(self._parent_is_mine).scalar_subquery()
        return [self.table.c[self._link] == mine]

    def _parent(self) -> Parent:
        return Parent(self._parent_is_mine, self.parent.missing)

    def _insert(self, columns: Sequence[str], guards: Sequence[ColumnElement[bool]]) -> Statement:
        values = [bindparam(_bound(name), type_=self.table.c[name].type) for name in columns]
        source = (
            select(*values, self.parent.table.c.id)
            .where(self._parent_is_mine, *guards)
            .with_for_update(read=True, key_share=True)
        )
        return Statement(
            sa.insert(self.table)
            .from_select([*columns, self._link], source)
            .returning(*self._columns)
        )

    async def get(
        self, session: Session, *, owner_id: UUID, parent_id: UUID, item_id: UUID
    ) -> ReadT:
        """The row `item_id` of the owner's parent `parent_id`, else `missing`."""
        return await self._get(session, {OWNER: owner_id, PARENT: parent_id}, item_id)

    async def get_page(
        self, session: Session, *, owner_id: UUID, parent_id: UUID, query: PageRequest
    ) -> PageT:
        """A page of the parent's rows with their total; a parent not the owner's is its 404."""
        return await self._get_page(session, {OWNER: owner_id, PARENT: parent_id}, query)

    async def create(
        self, session: Session, *, owner_id: UUID, parent_id: UUID, data: BaseModel
    ) -> ReadT:
        """A new row under the owner's parent `parent_id`, else the parent's 404."""
        return await self._create(session, {OWNER: owner_id, PARENT: parent_id}, data)

    async def update(
        self, session: Session, *, owner_id: UUID, parent_id: UUID, item_id: UUID, data: BaseModel
    ) -> ReadT:
        """Set the fields the client sent, in one statement; the rest stay as they are."""
        return await self._update(session, {OWNER: owner_id, PARENT: parent_id}, item_id, data)

    async def delete(
        self, session: Session, *, owner_id: UUID, parent_id: UUID, item_id: UUID
    ) -> None:
        """Delete the row `item_id` of the owner's parent `parent_id`, in one statement."""
        await self._remove(session, {OWNER: owner_id, PARENT: parent_id}, item_id)
