"""Todos: every statement is scoped to the owner, so another user's todo is 'not found'."""

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from {{ cookiecutter.package_name }}.core.errors import NotFoundError
from {{ cookiecutter.package_name }}.models import Todo, User
from {{ cookiecutter.package_name }}.models.base import utc_now
from {{ cookiecutter.package_name }}.schemas.page import Page
from {{ cookiecutter.package_name }}.schemas.todo import (
    TodoCreate,
    TodoListQuery,
    TodoRead,
    TodoUpdate,
)


class TodoNotFoundError(NotFoundError):
    """No todo with this id belongs to the caller."""

    description = "Todo not found."


async def get_page(session: AsyncSession, *, owner: User, query: TodoListQuery) -> Page[TodoRead]:
    """The owner's todos, newest first, and their total, in one statement."""
    filters = [col(Todo.owner_id) == owner.id]
    if query.completed is not None:
        filters.append(col(Todo.completed) == query.completed)
    total = func.count().over().label("total")
    statement = (
        select(Todo, total)
        .where(*filters)
        .order_by(col(Todo.created_at).desc(), col(Todo.id).desc())
        .limit(query.limit)
        .offset(query.offset)
    )
    rows = (await session.execute(statement)).all()
    if rows:
        count = rows[0].total
    elif query.offset == 0:
        count = 0
    else:  # Past the last page the window function has no row to report on.
        count = (await session.execute(select(func.count()).where(*filters))).scalar_one()
    return Page[TodoRead](
        items=[TodoRead.model_validate(row.Todo) for row in rows],
        total=count,
        limit=query.limit,
        offset=query.offset,
    )


async def get(session: AsyncSession, *, owner: User, todo_id: UUID) -> Todo:
    """The owner's todo `todo_id`; anyone else's raises `TodoNotFoundError` like a missing one."""
    result = await session.execute(
        select(Todo).where(col(Todo.id) == todo_id, col(Todo.owner_id) == owner.id)
    )
    todo = result.scalar_one_or_none()
    if todo is None:
        raise TodoNotFoundError
    return todo


async def create(session: AsyncSession, *, owner: User, data: TodoCreate) -> Todo:
    """A new todo owned by `owner`."""
    todo = Todo(**data.model_dump(), owner_id=owner.id)
    session.add(todo)
    await session.flush()
    return todo


async def update(session: AsyncSession, *, owner: User, todo_id: UUID, data: TodoUpdate) -> Todo:
    """Apply the fields the client sent, in one statement; the rest stay as they are."""
    statement = (
        sa.update(Todo)
        .where(col(Todo.id) == todo_id, col(Todo.owner_id) == owner.id)
        .values(**data.model_dump(exclude_unset=True), updated_at=utc_now())
        .returning(Todo)
    )
    todo = (await session.scalars(statement)).one_or_none()
    if todo is None:
        raise TodoNotFoundError
    return todo


async def delete(session: AsyncSession, *, owner: User, todo_id: UUID) -> None:
    """Delete the owner's todo `todo_id`, in one statement."""
    statement = (
        sa.delete(Todo)
        .where(col(Todo.id) == todo_id, col(Todo.owner_id) == owner.id)
        .returning(col(Todo.id))
    )
    if (await session.scalars(statement)).one_or_none() is None:
        raise TodoNotFoundError
