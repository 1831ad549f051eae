"""Attempt counters: brute-force limits kept in PostgreSQL, so every replica shares them.

An attempt is reserved before the work it limits (hashing a password): one
statement per key counts it and answers the new count, atomically, so a burst
of concurrent attempts cannot all pass a check that none of them has been
counted in yet. Past the limit the attempt is refused and not counted. A key
counts in a fixed window that begins with its first attempt; a counter whose
window has ended counts for nothing, so every attempt purges a batch of them
and the table keeps only live windows. A successful
login gives its own reservations back, since logins are limited on failures;
nothing else lowers a count early: a success by one client must not clear
what another client's failures added up (guesses at someone else's account).
"""

import math
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import bindparam, case, select
from sqlalchemy.dialects.postgresql import insert

from {{ cookiecutter.package_name }}.core.db import Session, Statement
from {{ cookiecutter.package_name }}.core.errors import TooManyRequestsError
from {{ cookiecutter.package_name }}.core.security.limits import Limit
from {{ cookiecutter.package_name }}.models import AttemptCounter
from {{ cookiecutter.package_name }}.models.base import table_of, utc_now

counters = table_of(AttemptCounter)
_new = insert(counters)
_EXPIRED = counters.c.window_ends_at <= bindparam("now")
# One more attempt under `key`: the first one, or the first after its window, starts a window.
# The row stays locked until the transaction ends, so concurrent attempts count one by one.
_COUNT = Statement(
    _new.on_conflict_do_update(
        index_elements=[counters.c.key],
        set_={
            "hits": case((_EXPIRED, 1), else_=counters.c.hits + 1),
            "max_hits": _new.excluded.max_hits,
            "window_ends_at": case(
                (_EXPIRED, _new.excluded.window_ends_at), else_=counters.c.window_ends_at
            ),
        },
    ).returning(counters.c.hits, counters.c.window_ends_at)
)
# One attempt less under `counted_key`, if its window is still the one it was counted in.
_GIVE_BACK = Statement(
    sa.update(counters)
    .where(
        counters.c.key == bindparam("counted_key"),
        counters.c.window_ends_at == bindparam("window_ends_at_counted"),
        counters.c.hits > 0,
    )
    .values(hits=counters.c.hits - 1)
)

PURGE_BATCH = 100
# Up to PURGE_BATCH counters whose window has ended, skipping any another attempt holds.
_PURGE_ENDED = Statement(
    sa.delete(counters).where(
        counters.c.key.in_(
            select(counters.c.key)
            .where(_EXPIRED)
            .limit(PURGE_BATCH)
            .with_for_update(skip_locked=True)
        )
    )
)


class TooManyAttemptsError(TooManyRequestsError):
    """A limit was reached: no further attempt counts until `Retry-After` has passed."""

    description = "Too many attempts; retry after the number of seconds in Retry-After."


@dataclass(frozen=True, slots=True)
class Reservation:
    """An attempt counted under `key`, in the window that ends at `window_ends_at`."""

    key: str
    window_ends_at: datetime


async def reserve(session: Session, *, attempts: list[tuple[Limit, str]]) -> list[Reservation]:
    """Count one attempt for each `(limit, value)`; past any limit, `TooManyAttemptsError`.

    Run it in `session.committed()`: the counts must be visible to every other
    attempt before the slow work starts, and a refusal rolls all of them back.
    """
    now = utc_now()
    reservations = []
    for limit, value in attempts:
        key = limit.key(value)
        (counted,) = await session.fetch_all(
            _COUNT,
            key=key,
            hits=1,
            max_hits=limit.attempts,
            window_ends_at=now + limit.window,
            now=now,
        )
        if counted["hits"] > limit.attempts:
            seconds = math.ceil((counted["window_ends_at"] - now).total_seconds())
            raise TooManyAttemptsError(retry_after_seconds=max(seconds, 1))
        reservations.append(Reservation(key, counted["window_ends_at"]))
    await session.execute(_PURGE_ENDED, now=now)
    return reservations


async def give_back(session: Session, *, reservations: list[Reservation]) -> None:
    """Uncount reserved attempts that turned out not to count against the limit."""
    await session.execute_many(
        _GIVE_BACK,
        [
            {"counted_key": reserved.key, "window_ends_at_counted": reserved.window_ends_at}
            for reserved in reservations
        ],
    )
