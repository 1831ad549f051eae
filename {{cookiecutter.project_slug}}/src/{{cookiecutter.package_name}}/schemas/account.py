"""Account lifecycle bodies: requests for a message, links' tokens, and the one answer."""

from typing import Annotated

from pydantic import Field

from {{ cookiecutter.package_name }}.schemas.base import InputSchema, OutputSchema
from {{ cookiecutter.package_name }}.schemas.email import EmailAddress
from {{ cookiecutter.package_name }}.schemas.user import Password

# What a link carries: a URL-safe random token (43 characters as issued).
LinkToken = Annotated[str, Field(min_length=1, max_length=128)]


class EmailRequest(InputSchema):
    """The address a recovery or verification message should go to."""

    email: EmailAddress


class PasswordReset(InputSchema):
    """A reset link's token and the new password."""

    token: LinkToken
    new_password: Password


class EmailVerification(InputSchema):
    """A verification link's token."""

    token: LinkToken


class Accepted(OutputSchema):
    """The one answer to a request for a message, whether or not an account gets one."""

    detail: str
