"""Todos: the caller's own, so another user's todo is 'not found', like a missing one.

A declaration: `core/db/resource.py` runs every statement, scoped to the owner.
The list may be narrowed to done or open todos (`?completed=`).
"""

from {{ cookiecutter.package_name }}.core.db.resource import OwnedResource
from {{ cookiecutter.package_name }}.core.errors import NotFoundError
from {{ cookiecutter.package_name }}.models import Todo
from {{ cookiecutter.package_name }}.schemas.todo import TodoPage, TodoRead


class TodoNotFoundError(NotFoundError):
    """No todo with this id belongs to the caller."""

    description = "Todo not found."


todos = OwnedResource(
    Todo, read=TodoRead, page=TodoPage, missing=TodoNotFoundError, filters=["completed"]
)
