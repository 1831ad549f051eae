"""The OAuth2 password grant form (RFC 6749 section 4.3), bounded like every input."""

from typing import Literal

from pydantic import Field

from {{ cookiecutter.package_name }}.schemas.base import InputSchema


class PasswordGrantForm(InputSchema):
    """`username` is the account's email; `grant_type` may be sent and must be `password`."""

    grant_type: Literal["password"] | None = None
    username: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=128)
    scope: str = Field(default="", max_length=1000)
    client_id: str | None = Field(default=None, max_length=200)
    client_secret: str | None = Field(default=None, max_length=200)
