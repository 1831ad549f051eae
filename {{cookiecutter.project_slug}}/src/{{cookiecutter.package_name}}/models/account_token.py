"""The `account_tokens` table: the live reset or verification token of each account."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, UniqueConstraint
from sqlmodel import Field

from {{ cookiecutter.package_name }}.models.base import TableBase


class AccountToken(TableBase, table=True):
    """One live token per account and purpose: a newer one replaces the row, so older links die."""

    __tablename__ = "account_tokens"
    __table_args__ = (UniqueConstraint("user_id", "purpose"),)

    user_id: UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    purpose: str = Field(max_length=32)
    # SHA-256 of the token, hex: the token itself is only in the link.
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
