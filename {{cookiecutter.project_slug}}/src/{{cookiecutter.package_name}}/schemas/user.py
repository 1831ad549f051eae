{% if cookiecutter.auth == "local" -%}
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
    email_verified: bool
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


class PasswordChange(InputSchema):
    """The caller's current password, and the one that replaces it."""

    current_password: Annotated[str, Field(max_length=128)]
    new_password: Password
{%- else -%}
"""User schemas: what the API shows of a user of the identity provider, and what may change."""

from datetime import datetime
from uuid import UUID

from pydantic import StrictBool

from {{ cookiecutter.package_name }}.schemas.base import InputSchema, OutputSchema
from {{ cookiecutter.package_name }}.schemas.page import Page


class UserRead(OutputSchema):
    """A user as the API shows it; `email` and `full_name` as the provider gave them, if it did."""

    id: UUID
    email: str | None
    full_name: str | None
    is_active: bool
    created_at: datetime


class UserAdminRead(UserRead):
    """A user as superusers see it: with the provider and the provider's id for the user."""

    issuer: str
    subject: str


class Caller(UserAdminRead):
    """The authenticated user, and whether its token carries the superuser role."""

    is_superuser: bool


# Parametrised once: `Page[UserAdminRead]` would look the class up again on every request.
UserPage = Page[UserAdminRead]


class UserUpdate(InputSchema):
    """What a superuser may change about an account; roles are the identity provider's."""

    is_active: StrictBool
{%- endif %}
