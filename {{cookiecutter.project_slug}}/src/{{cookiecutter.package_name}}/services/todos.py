"""Todos: every statement is scoped to the owner, so another user's todo is 'not found'.

Statements are Core, built once at import with bound parameters and compiled
once for asyncpg (`core/db/`); rows are validated straight into the
response schemas.
"""

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import and_, bindparam, select

from {{ cookiecutter.package_name }}.core.db import Session, Statement
from {{ cookiecutter.package_name }}.core.db.pages import PageStatements, owned
from {{ cookiecutter.package_name }}.core.errors import NotFoundError
from {{ cookiecutter.package_name }}.models import Todo
from {{ cookiecutter.package_name }}.models.base import table_of, utc_now
from {{ cookiecutter.package_name }}.schemas.todo import (
    TodoCreate,
    TodoListQuery,
    TodoPage,
    TodoRead,
    TodoUpdate,
)

todos = table_of(Todo)
_READ_COLUMNS = [todos.c[name] for name in TodoRead.model_fields]
_OWNED_ONE = and_(todos.c.id == bindparam("todo"), owned(todos))

_PAGE = PageStatements(
    todos,
    _READ_COLUMNS,
    where=[owned(todos)],
    order_by=[todos.c.created_at.desc(), todos.c.id.desc()],
)
_PAGE_BY_COMPLETION = _PAGE.where(todos.c.completed == bindparam("done"))
_GET = Statement(select(*_READ_COLUMNS).where(_OWNED_ONE))
_INSERT = Statement(sa.insert(todos).returning(*_READ_COLUMNS))
_UPDATE = Statement(sa.update(todos).where(_OWNED_ONE).returning(*_READ_COLUMNS))
_DELETE = Statement(sa.delete(todos).where(_OWNED_ONE).returning(todos.c.id))


class TodoNotFoundError(NotFoundError):
    """No todo with this id belongs to the caller."""

    description = "Todo not found."


async def get_page(session: Session, *, owner_id: UUID, query: TodoListQuery) -> TodoPage:
    """The owner's todos, newest first, and their total, in one statement."""
    if query.completed is None:
        page = await _PAGE.fetch(session, limit=query.limit, offset=query.offset, owner=owner_id)
    else:
        page = await _PAGE_BY_COMPLETION.fetch(
            session, limit=query.limit, offset=query.offset, owner=owner_id, done=query.completed
        )
    return TodoPage.model_validate(page)


async def get(session: Session, *, owner_id: UUID, todo_id: UUID) -> TodoRead:
    """The owner's todo `todo_id`; anyone else's raises `TodoNotFoundError` like a missing one."""
    row = await session.fetch_one(_GET, owner=owner_id, todo=todo_id)
    if row is None:
        raise TodoNotFoundError
    return TodoRead.model_validate(row)


async def create(session: Session, *, owner_id: UUID, data: TodoCreate) -> TodoRead:
    """A new todo owned by `owner_id`; created and updated at the same instant."""
    now = utc_now()
    row = await session.fetch_one(
        _INSERT, **data.model_dump(), owner_id=owner_id, created_at=now, updated_at=now
    )
    return TodoRead.model_validate(row)


async def update(session: Session, *, owner_id: UUID, todo_id: UUID, data: TodoUpdate) -> TodoRead:
    """Apply the fields the client sent, in one statement; the rest stay as they are.

    An empty update changes nothing, `updated_at` included.
    """
    changes = data.model_dump(exclude_unset=True)
    if not changes:
        return await get(session, owner_id=owner_id, todo_id=todo_id)
    row = await session.fetch_one(
        _UPDATE, **changes, updated_at=utc_now(), owner=owner_id, todo=todo_id
    )
    if row is None:
        raise TodoNotFoundError
    return TodoRead.model_validate(row)


async def delete(session: Session, *, owner_id: UUID, todo_id: UUID) -> None:
    """Delete the owner's todo `todo_id`, in one statement."""
    if await session.fetch_one(_DELETE, owner=owner_id, todo=todo_id) is None:
        raise TodoNotFoundError
