"""The `attempt_counters` table: brute-force limits that every replica shares."""

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel


class AttemptCounter(SQLModel, table=True):
    """Attempts counted under one key (`login-account:<email>`, ...) in a fixed window.

    The key is blocked while `hits` has reached `max_hits` and the window
    has not ended; the first attempt after the window starts a new one.
    """

    __tablename__ = "attempt_counters"

    key: str = Field(primary_key=True, max_length=400)
    hits: int
    max_hits: int
    window_ends_at: datetime = Field(sa_type=DateTime(timezone=True))
