"""Index attempt counters by the end of their window, which the purge of ended ones reads.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 00:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_index(
        "ix_attempt_counters_window_ends_at", "attempt_counters", ["window_ends_at"], unique=False
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_attempt_counters_window_ends_at", table_name="attempt_counters")
