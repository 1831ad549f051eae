"""Attempt counters: brute-force limits kept in PostgreSQL, so every replica shares them.

A key counts attempts in a fixed window that begins with its first attempt;
once its hits reach the limit, the key is blocked until the window ends.
Nothing resets a count early: a success by one client must not clear what
another client's failures added up (guesses at someone else's account).
"""

import math
from datetime import datetime

from sqlalchemy import String, any_, bindparam, case, func, select
from sqlalchemy.dialects.postgresql import ARRAY, insert

from {{ cookiecutter.package_name }}.core.database import Session, Statement
from {{ cookiecutter.package_name }}.core.errors import TooManyRequestsError
from {{ cookiecutter.package_name }}.core.limits import Limit
from {{ cookiecutter.package_name }}.models import AttemptCounter
from {{ cookiecutter.package_name }}.models.base import table_of, utc_now

counters = table_of(AttemptCounter)
# The latest end of a window among the bound `keys` that are blocked at `now`, or NULL.
BLOCKED_UNTIL = select(func.max(counters.c.window_ends_at).label("blocked_until")).where(
    counters.c.key == any_(bindparam("keys", type_=ARRAY(String))),
    counters.c.hits >= counters.c.max_hits,
    counters.c.window_ends_at > bindparam("now"),
)
_BLOCKED_UNTIL = Statement(BLOCKED_UNTIL)
_new = insert(counters)
_EXPIRED = counters.c.window_ends_at <= bindparam("now")
# One more attempt under `key`: the first one, or the first after its window, starts a window.
_COUNT = _new.on_conflict_do_update(
    index_elements=[counters.c.key],
    set_={
        "hits": case((_EXPIRED, 1), else_=counters.c.hits + 1),
        "max_hits": _new.excluded.max_hits,
        "window_ends_at": case(
            (_EXPIRED, _new.excluded.window_ends_at), else_=counters.c.window_ends_at
        ),
    },
)
_COUNT_RETURNING = Statement(_COUNT.returning(counters.c.hits, counters.c.window_ends_at))
_COUNT_ALL = Statement(_COUNT)


class TooManyAttemptsError(TooManyRequestsError):
    """A limit was reached: no further attempt counts until `Retry-After` has passed."""

    description = "Too many attempts; retry after the number of seconds in Retry-After."


def raise_if_blocked(blocked_until: datetime | None, *, now: datetime) -> None:
    """Raise `TooManyAttemptsError` if a window blocks until `blocked_until`."""
    if blocked_until is not None:
        seconds = math.ceil((blocked_until - now).total_seconds())
        raise TooManyAttemptsError(retry_after_seconds=max(seconds, 1))


async def check(session: Session, *, keys: list[str]) -> None:
    """Raise `TooManyAttemptsError` if any of `keys` is blocked."""
    now = utc_now()
    blocked_until = await session.fetch_value(_BLOCKED_UNTIL, keys=keys, now=now)
    raise_if_blocked(blocked_until, now=now)


def _attempt(limit: Limit, value: str, now: datetime) -> dict[str, object]:
    return {
        "key": limit.key(value),
        "hits": 1,
        "max_hits": limit.attempts,
        "window_ends_at": now + limit.window,
        "now": now,
    }


async def record(session: Session, *, attempts: list[tuple[Limit, str]]) -> None:
    """Count one attempt for each `(limit, value)`, in one round trip."""
    now = utc_now()
    await session.execute_many(
        _COUNT_ALL, [_attempt(limit, value, now) for limit, value in attempts]
    )


async def count(session: Session, *, limit: Limit, value: str) -> None:
    """Count one attempt for `value`; raise `TooManyAttemptsError` if it is over `limit`."""
    now = utc_now()
    (counted,) = await session.fetch_all(_COUNT_RETURNING, **_attempt(limit, value, now))
    if counted["hits"] > limit.attempts:
        raise_if_blocked(counted["window_ends_at"], now=now)
