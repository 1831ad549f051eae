"""The `todos` table."""

from datetime import date
from uuid import UUID

from sqlalchemy import Index
from sqlmodel import Field

from {{ cookiecutter.package_name }}.models.base import TableBase


class Todo(TableBase, table=True):
    """A task owned by one user; the owner is never taken from input."""

    __tablename__ = "todos"
    # The list query filters by owner and sorts newest first.
    __table_args__ = (Index("ix_todos_owner_id_created_at", "owner_id", "created_at"),)

    owner_id: UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    completed: bool = False
    due_date: date | None = None
