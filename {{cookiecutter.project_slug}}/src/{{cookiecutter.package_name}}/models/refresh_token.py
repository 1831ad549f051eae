"""The `refresh_tokens` table: every refresh token issued, so it can be spent or revoked."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime
from sqlmodel import Field

from {{ cookiecutter.package_name }}.models.base import TableBase


class RefreshToken(TableBase, table=True):
    """One issued refresh token; `id` is its `jti`.

    The tokens of one login share a `family_id`: presenting a spent token
    again revokes the whole family, since one of its holders is a thief.
    """

    __tablename__ = "refresh_tokens"

    user_id: UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    family_id: UUID = Field(index=True)
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
