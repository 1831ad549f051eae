"""User schemas: what a client may send and what it gets back (never a hash)."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import EmailStr, Field

from {{ cookiecutter.package_name }}.schemas.base import InputSchema, OutputSchema

Email = Annotated[EmailStr, Field(max_length=320)]
Password = Annotated[str, Field(min_length=8, max_length=128)]
FullName = Annotated[str, Field(min_length=1, max_length=200)]


class UserCreate(InputSchema):
    """The registration body."""

    email: Email
    password: Password
    full_name: FullName


class UserRead(OutputSchema):
    """A user as the API shows it."""

    id: UUID
    email: str
    full_name: str
    is_active: bool
    created_at: datetime
