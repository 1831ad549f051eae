"""The `attempt_counters` table: brute-force limits that every replica shares."""

from datetime import datetime

from sqlalchemy import DateTime, Index
from sqlmodel import Field, SQLModel


class AttemptCounter(SQLModel, table=True):
    """Attempts counted under one key (`login-account:<email>`, ...) in a fixed window.

    The key is blocked while `hits` has reached `max_hits` and the window
    has not ended; the first attempt after the window starts a new one, and
    attempts purge rows whose window has ended.
    """

    __tablename__ = "attempt_counters"
    # The purge finds ended windows by it.
    __table_args__ = (Index("ix_attempt_counters_window_ends_at", "window_ends_at"),)

    key: str = Field(primary_key=True, max_length=400)
    hits: int
    max_hits: int
    window_ends_at: datetime = Field(sa_type=DateTime(timezone=True))
