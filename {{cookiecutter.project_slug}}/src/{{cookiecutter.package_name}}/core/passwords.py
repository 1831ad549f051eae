"""Argon2 password hashing, off the event loop and bounded in concurrency.

Each hash takes tens of milliseconds of CPU and 64 MiB of memory. Run in
unbounded worker threads, a burst of logins would take every core from the
event loop and the process's memory with it; the limiter makes them queue.
"""

import os
from functools import cache

from anyio import CapacityLimiter, to_thread
from anyio.lowlevel import RunVar
from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()


# One core stays with the event loop, the others may hash.
HASHING_CONCURRENCY = max(1, (os.cpu_count() or 1) - 1)
_limiter: RunVar[CapacityLimiter] = RunVar("password_hashing_limiter")


def _hashing_slots() -> CapacityLimiter:
    """The event loop's limiter (a limiter belongs to the loop that made it)."""
    try:
        return _limiter.get()
    except LookupError:
        limiter = CapacityLimiter(HASHING_CONCURRENCY)
        _limiter.set(limiter)
        return limiter


@cache
def _dummy_hash() -> str:
    """A real hash to verify against when the user is unknown, so timing reveals nothing."""
    return _hasher.hash("timing-equaliser-not-a-password")


def _verify_against_dummy(password: str) -> None:
    _hasher.verify(password, _dummy_hash())


async def hash_password(password: str) -> str:
    """Hash `password` with Argon2."""
    return await to_thread.run_sync(_hasher.hash, password, limiter=_hashing_slots())


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Check `password`; with no hash, spend the same time and answer False."""
    if password_hash is None:
        await to_thread.run_sync(_verify_against_dummy, password, limiter=_hashing_slots())
        return False
    return await to_thread.run_sync(
        _hasher.verify, password, password_hash, limiter=_hashing_slots()
    )
