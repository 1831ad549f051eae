"""Token schemas: what the token endpoint returns."""

from typing import Literal

from pydantic import BaseModel, Field

from {{ cookiecutter.package_name }}.schemas.base import InputSchema


class TokenPair(BaseModel):
    """An access token and the refresh token that renews it."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, no secret
    expires_in: int = Field(description="Seconds until the access token expires.")


class RefreshRequest(InputSchema):
    """A refresh token, to rotate or to revoke."""

    refresh_token: str = Field(min_length=1, max_length=4096)
