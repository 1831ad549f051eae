"""The `users` table."""

from sqlmodel import Field

from {{ cookiecutter.package_name }}.models.base import TableBase


class User(TableBase, table=True):
    """An account; `email` is stored lower-cased so uniqueness ignores letter case."""

    __tablename__ = "users"

    email: str = Field(max_length=320, unique=True)
    full_name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    # Superusers may list every account and (de)activate or promote one.
    is_superuser: bool = False
