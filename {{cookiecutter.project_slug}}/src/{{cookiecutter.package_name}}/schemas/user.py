"""User schemas: what a client may send and what it gets back (never a hash)."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field, StrictBool, field_validator
from pydantic.json_schema import SkipJsonSchema

from {{ cookiecutter.package_name }}.schemas.base import InputSchema, OutputSchema
from {{ cookiecutter.package_name }}.schemas.email import EmailAddress
from {{ cookiecutter.package_name }}.schemas.page import Page

Password = Annotated[str, Field(min_length=8, max_length=128)]
FullName = Annotated[str, Field(min_length=1, max_length=200)]


class UserCreate(InputSchema):
    """The registration body."""

    email: EmailAddress
    password: Password
    full_name: FullName


class UserRead(OutputSchema):
    """A user as the API shows it."""

    id: UUID
    email: str
    full_name: str
    is_active: bool
    created_at: datetime


class UserAdminRead(UserRead):
    """A user as superusers see it: with the superuser flag."""

    is_superuser: bool


# Parametrised once: `Page[UserAdminRead]` would look the class up again on every request.
UserPage = Page[UserAdminRead]


class UserUpdate(InputSchema):
    """What a superuser may change about an account; fields left out stay as they are."""

    is_active: StrictBool | SkipJsonSchema[None] = None
    is_superuser: StrictBool | SkipJsonSchema[None] = None

    @field_validator("is_active", "is_superuser")
    @classmethod
    def _not_null(cls, value: object) -> object:
        """Refuse an explicit `null`; an omitted field never reaches this validator."""
        if value is None:
            msg = "may be omitted but not null"
            raise ValueError(msg)
        return value
