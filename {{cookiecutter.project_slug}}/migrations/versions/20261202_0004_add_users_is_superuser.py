"""Add the superuser flag to users.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 00:00:01+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision; every existing user starts as a regular user."""
    op.add_column(
        "users",
        sa.Column("is_superuser", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_column("users", "is_superuser")
