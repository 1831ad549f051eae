"""Index every list's order: the todos' with its id tie-break, and the users'.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 00:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision; each list then reads its page in index order, with no sort."""
    op.create_index(
        "ix_todos_owner_id_created_at_id", "todos", ["owner_id", "created_at", "id"], unique=False
    )
    op.drop_index("ix_todos_owner_id_created_at", table_name="todos")
    op.create_index("ix_users_created_at_id", "users", ["created_at", "id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_users_created_at_id", table_name="users")
    op.create_index(
        "ix_todos_owner_id_created_at", "todos", ["owner_id", "created_at"], unique=False
    )
    op.drop_index("ix_todos_owner_id_created_at_id", table_name="todos")
