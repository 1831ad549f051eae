"""The `users` table."""

from sqlalchemy import Index{% if cookiecutter.auth == "oidc" %}, UniqueConstraint{% endif %}
from sqlmodel import Field

from {{ cookiecutter.package_name }}.models.base import TableBase

{% if cookiecutter.auth == "local" %}
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
    # Set by following the link sent to `email`; with EMAIL_VERIFICATION_REQUIRED, login needs it.
    email_verified: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})
{%- else %}
class User(TableBase, table=True):
    """A user of the identity provider, recorded on the first request its token makes.

    Keyed by the provider (`issuer`) and its id for the user (`subject`): owned
    rows hang off `id`. No password is stored, and superuser is a role in the
    token, not a column. `email` and `full_name` are the token's, at first sight.
    """

    __tablename__ = "users"
    __table_args__ = (
        # The superusers' list: newest first, then by id, this index's order.
        Index("ix_users_created_at_id", "created_at", "id"),
        UniqueConstraint("issuer", "subject", name="uq_users_issuer_subject"),
    )

    issuer: str = Field(max_length=255)
    subject: str = Field(max_length=255)
    email: str | None = Field(default=None, max_length=320)
    full_name: str | None = Field(default=None, max_length=200)
    is_active: bool = True
{%- endif %}
