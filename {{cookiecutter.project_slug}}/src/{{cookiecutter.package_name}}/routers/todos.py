"""The caller's todos. Another user's todo answers 404, exactly like a missing one."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from {{ cookiecutter.package_name }}.core.errors import responses
from {{ cookiecutter.package_name }}.dependencies.auth import CurrentUser
from {{ cookiecutter.package_name }}.dependencies.database import SessionDep
from {{ cookiecutter.package_name }}.dependencies.location import LocationDep
from {{ cookiecutter.package_name }}.schemas.todo import (
    TodoCreate,
    TodoListQuery,
    TodoPage,
    TodoRead,
    TodoUpdate,
)
from {{ cookiecutter.package_name }}.services.todos import TodoNotFoundError, todos

router = APIRouter(prefix="/todos", tags=["todos"])


@router.get("", name="list_todos")
async def list_todos(
    query: Annotated[TodoListQuery, Query()], user: CurrentUser, session: SessionDep
) -> TodoPage:
    """The caller's todos, newest first."""
    return await todos.get_page(session, owner_id=user.id, query=query)


@router.post("", name="create_todo", status_code=status.HTTP_201_CREATED)
async def create_todo(
    data: TodoCreate, user: CurrentUser, session: SessionDep, location: LocationDep
) -> TodoRead:
    """Create a todo; `Location` names it."""
    todo = await todos.create(session, owner_id=user.id, data=data)
    location.set("get_todo", todo_id=todo.id)
    return todo


@router.get("/{todo_id}", name="get_todo", responses=responses(TodoNotFoundError))
async def get_todo(todo_id: UUID, user: CurrentUser, session: SessionDep) -> TodoRead:
    """One of the caller's todos."""
    return await todos.get(session, owner_id=user.id, item_id=todo_id)


@router.patch("/{todo_id}", name="update_todo", responses=responses(TodoNotFoundError))
async def update_todo(
    todo_id: UUID, data: TodoUpdate, user: CurrentUser, session: SessionDep
) -> TodoRead:
    """Change the fields sent; `null` clears `description` or `due_date`."""
    return await todos.update(session, owner_id=user.id, item_id=todo_id, data=data)


@router.delete(
    "/{todo_id}",
    name="delete_todo",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(TodoNotFoundError),
)
async def delete_todo(todo_id: UUID, user: CurrentUser, session: SessionDep) -> None:
    """Delete one of the caller's todos."""
    await todos.delete(session, owner_id=user.id, item_id=todo_id)
