"""The OAuth2 password grant form (RFC 6749 section 4.3), bounded like every input."""

from typing import Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from {{ cookiecutter.package_name }}.schemas.base import InputSchema


class PasswordGrantForm(InputSchema):
    """`username` is the account's email; `grant_type` may be sent and must be `password`."""

    # A form cannot send `null`: optional fields are left out, so the schema offers no null.
    grant_type: Literal["password"] | SkipJsonSchema[None] = None
    username: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=128)
    scope: str = Field(default="", max_length=1000)
    client_id: str | SkipJsonSchema[None] = Field(default=None, max_length=200)
    client_secret: str | SkipJsonSchema[None] = Field(default=None, max_length=200)
