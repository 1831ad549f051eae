"""The resource kinds (`core/db/resource.py`) on tables of their own, made in each test.

Todos use only an owned resource with a filter; these tables use what no
feature of a fresh project declares: a shared resource, a nested one, unique
columns, references to an owned and to a shared resource, and a delete
refused while referenced. Each answers with the error its declaration names.
"""

from datetime import datetime
from uuid import UUID, uuid4

import pytest
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.schema import CreateTable, SchemaItem

from {{ cookiecutter.package_name }}.core.db import Connection
from {{ cookiecutter.package_name }}.core.db.resource import (
    NestedResource,
    OwnedResource,
    Reference,
    SharedResource,
)
from {{ cookiecutter.package_name }}.core.db.statement import DIALECT
from {{ cookiecutter.package_name }}.core.errors import ConflictError, NotFoundError
from {{ cookiecutter.package_name }}.schemas.base import InputSchema, OutputSchema
from {{ cookiecutter.package_name }}.schemas.page import Page, PageQuery

from tests.conftest import TransactionalDatabase

metadata = MetaData()


def _table(name: str, *parts: SchemaItem) -> Table:
    """A table with the columns every table has, then `parts`."""
    return Table(
        name,
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        *parts,
    )


BOXES = _table(
    "boxes",
    Column("owner_id", Uuid, nullable=False),
    Column("label", String(50), nullable=False),
    UniqueConstraint("label", name="uq_boxes_label"),
)
SHELVES = _table(
    "shelves",
    Column("name", String(50), nullable=False),
    UniqueConstraint("name", name="uq_shelves_name"),
)
THINGS = _table(
    "things",
    Column("box_id", Uuid, ForeignKey("boxes.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(50), nullable=False),
    Column("shelf_id", Uuid, ForeignKey("shelves.id", name="fk_things_shelf_id_shelves")),
    Column("other_box_id", Uuid, ForeignKey("boxes.id", name="fk_things_other_box_id_boxes")),
)


class Named(InputSchema):
    """A row's one field."""

    name: str


class Labelled(InputSchema):
    """A box's one field."""

    label: str


class ThingWrite(InputSchema):
    """A thing's fields, its references included."""

    name: str = "thing"
    shelf_id: UUID | None = None
    other_box_id: UUID | None = None


class Row(OutputSchema):
    """What every table shows."""

    id: UUID
    created_at: datetime
    updated_at: datetime


class BoxRead(Row):
    """A box."""

    label: str


class ShelfRead(Row):
    """A shelf."""

    name: str


class ThingRead(Row):
    """A thing."""

    name: str
    shelf_id: UUID | None
    other_box_id: UUID | None


class BoxNotFoundError(NotFoundError):
    """No box of the caller's."""


class ShelfNotFoundError(NotFoundError):
    """No shelf."""


class ThingNotFoundError(NotFoundError):
    """No thing in the caller's box."""


class LabelTakenError(ConflictError):
    """The label is taken."""


class ShelfNameTakenError(ConflictError):
    """The name is taken."""


class ShelfInUseError(ConflictError):
    """Things are on the shelf."""


boxes = OwnedResource(
    BOXES,
    read=BoxRead,
    page=Page[BoxRead],
    missing=BoxNotFoundError,
    unique={"label": LabelTakenError},
    filters=["label"],
)
shelves = SharedResource(
    SHELVES,
    read=ShelfRead,
    page=Page[ShelfRead],
    missing=ShelfNotFoundError,
    unique={"name": ShelfNameTakenError},
    in_use=ShelfInUseError,
)
things = NestedResource(
    THINGS,
    parent=boxes,
    link="box_id",
    read=ThingRead,
    page=Page[ThingRead],
    missing=ThingNotFoundError,
    references=[Reference("shelf_id", shelves), Reference("other_box_id", boxes)],
)


class BoxQuery(PageQuery):
    """The boxes' list, by label."""

    label: str | None = None


@pytest.fixture
async def tables(connection: Connection) -> None:
    """The tables above, in the test's transaction: gone when it rolls back."""
    for table in metadata.sorted_tables:
        await connection.execute(str(CreateTable(table).compile(dialect=DIALECT)))


pytestmark = pytest.mark.usefixtures("tables")


async def test_an_owned_resource_answers_its_own_conflict_and_filters_its_list(
    database: TransactionalDatabase,
) -> None:
    owner = uuid4()
    async with database.session(read_only=False) as session:
        box = await boxes.create(session, owner_id=owner, data=Labelled(label="red"))
        await boxes.create(session, owner_id=owner, data=Labelled(label="blue"))
        page = await boxes.get_page(session, owner_id=owner, query=BoxQuery(label="red"))
        assert [row.id for row in page.items] == [box.id]
        assert page.total == 1
        with pytest.raises(LabelTakenError):
            await boxes.create(session, owner_id=uuid4(), data=Labelled(label="red"))


async def test_a_shared_resource_reads_and_writes_without_an_owner(
    database: TransactionalDatabase,
) -> None:
    async with database.session(read_only=False) as session:
        shelf = await shelves.create(session, data=Named(name="top"))
        renamed = await shelves.update(session, item_id=shelf.id, data=Named(name="upper"))
        assert (renamed.name, renamed.created_at) == ("upper", shelf.created_at)
        assert renamed.updated_at > shelf.updated_at
        assert await shelves.get(session, item_id=shelf.id) == renamed
        assert (await shelves.get_page(session, query=PageQuery())).total == 1
        with pytest.raises(ShelfNameTakenError):
            await shelves.create(session, data=Named(name="upper"))


async def test_a_referenced_shared_row_refuses_its_delete_until_unreferenced(
    database: TransactionalDatabase,
) -> None:
    owner = uuid4()
    async with database.session(read_only=False) as session:
        shelf = await shelves.create(session, data=Named(name="top"))
        box = await boxes.create(session, owner_id=owner, data=Labelled(label="red"))
        thing = await things.create(
            session, owner_id=owner, parent_id=box.id, data=ThingWrite(shelf_id=shelf.id)
        )
        await session.commit()
    async with database.session(read_only=False) as session:
        with pytest.raises(ShelfInUseError):
            await shelves.delete(session, item_id=shelf.id)
    async with database.session(read_only=False) as session:
        await things.delete(session, owner_id=owner, parent_id=box.id, item_id=thing.id)
        await shelves.delete(session, item_id=shelf.id)
        with pytest.raises(ShelfNotFoundError):
            await shelves.get(session, item_id=shelf.id)


async def test_a_nested_write_answers_the_404_of_what_it_cannot_reach(
    database: TransactionalDatabase,
) -> None:
    owner, stranger = uuid4(), uuid4()
    async with database.session(read_only=False) as session:
        box = await boxes.create(session, owner_id=owner, data=Labelled(label="mine"))
        theirs = await boxes.create(session, owner_id=stranger, data=Labelled(label="theirs"))
        thing = await things.create(session, owner_id=owner, parent_id=box.id, data=ThingWrite())
        mine = {"owner_id": owner, "parent_id": box.id}

        with pytest.raises(BoxNotFoundError):  # the parent is another user's
            await things.create(session, owner_id=owner, parent_id=theirs.id, data=ThingWrite())
        with pytest.raises(BoxNotFoundError):  # a reference to another user's box
            await things.create(session, **mine, data=ThingWrite(other_box_id=theirs.id))
        with pytest.raises(BoxNotFoundError):
            await things.update(
                session, **mine, item_id=thing.id, data=ThingWrite(other_box_id=theirs.id)
            )
        with pytest.raises(ThingNotFoundError):
            await things.update(session, **mine, item_id=uuid4(), data=ThingWrite(name="x"))
        with pytest.raises(BoxNotFoundError):  # the list under another user's box
            await things.get_page(session, owner_id=owner, parent_id=theirs.id, query=PageQuery())

        linked = await things.update(
            session, **mine, item_id=thing.id, data=ThingWrite(other_box_id=box.id)
        )
        assert linked.other_box_id == box.id


async def test_a_reference_to_a_missing_shared_row_is_that_rows_404(
    database: TransactionalDatabase,
) -> None:
    owner = uuid4()
    async with database.session(read_only=False) as session:
        box = await boxes.create(session, owner_id=owner, data=Labelled(label="red"))
        with pytest.raises(ShelfNotFoundError):
            await things.create(
                session, owner_id=owner, parent_id=box.id, data=ThingWrite(shelf_id=uuid4())
            )
