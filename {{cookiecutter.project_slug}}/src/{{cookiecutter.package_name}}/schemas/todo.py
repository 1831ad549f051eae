"""Todo schemas: create, partial update, read, a page of them, and the list query."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field, StrictBool, field_validator
from pydantic.json_schema import SkipJsonSchema

from {{ cookiecutter.package_name }}.schemas.base import InputSchema, IsoDate, OutputSchema
from {{ cookiecutter.package_name }}.schemas.page import Page, PageQuery

Title = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=2000)]


class TodoCreate(InputSchema):
    """The body of a new todo; id, owner and timestamps are the server's."""

    title: Title
    description: Description | None = None
    due_date: IsoDate | None = None


class TodoUpdate(InputSchema):
    """A partial update: fields left out stay as they are.

    `null` clears `description` or `due_date`; `title` and `completed` cannot be
    cleared, so `null` for them is a 422 (and the schema does not offer it).
    """

    title: Title | SkipJsonSchema[None] = None
    description: Description | None = None
    completed: StrictBool | SkipJsonSchema[None] = None
    due_date: IsoDate | None = None

    @field_validator("title", "completed")
    @classmethod
    def _not_null(cls, value: object) -> object:
        """Refuse an explicit `null`; an omitted field never reaches this validator."""
        if value is None:
            msg = "may be omitted but not null"
            raise ValueError(msg)
        return value


class TodoRead(OutputSchema):
    """A todo as the API shows it."""

    id: UUID
    title: str
    description: str | None
    completed: bool
    due_date: date | None
    created_at: datetime
    updated_at: datetime


# Parametrised once: `Page[TodoRead]` would look the class up again on every request.
TodoPage = Page[TodoRead]


class TodoListQuery(PageQuery):
    """Query parameters of the todo list."""

    completed: bool | None = None
