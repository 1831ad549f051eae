"""The `todos` table."""

from datetime import date
from uuid import UUID

from sqlalchemy import Index
from sqlmodel import Field

from {{ cookiecutter.package_name }}.models.base import TableBase


class Todo(TableBase, table=True):
    """A task owned by one user; the owner is never taken from input."""

    __tablename__ = "todos"
    # The list filters by owner, newest first, then by id: this index's order.
    __table_args__ = (Index("ix_todos_owner_id_created_at_id", "owner_id", "created_at", "id"),)

    owner_id: UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    completed: bool = False
    due_date: date | None = None
