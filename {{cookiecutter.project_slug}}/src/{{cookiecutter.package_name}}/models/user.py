"""The `users` table."""

from sqlalchemy import Index
from sqlmodel import Field

from {{ cookiecutter.package_name }}.models.base import TableBase


class User(TableBase, table=True):
    """An account; `email` is stored lower-cased so uniqueness ignores letter case."""

    __tablename__ = "users"
    # The superusers' list: newest first, then by id, this index's order.
    __table_args__ = (Index("ix_users_created_at_id", "created_at", "id"),)

    email: str = Field(max_length=320, unique=True)
    full_name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    # Superusers may list every account and (de)activate or promote one.
    is_superuser: bool = False
