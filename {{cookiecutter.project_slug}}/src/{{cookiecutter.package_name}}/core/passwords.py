"""Argon2 password hashing, off the event loop, bounded, and behind request handling.

Each hash takes a fifth of a second of CPU and 64 MiB here. Run in the
default thread pool, a burst of logins would take every core from the event
loop and the memory with it. So hashes run in a pool of their own, one
thread per core, at the lowest CPU priority: extra logins queue, and the
event loop preempts a hash whenever a request is ready to run.
"""

import asyncio
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from pwdlib import PasswordHash

HASHING_THREADS = os.cpu_count() or 1
_LOWEST_PRIORITY = 19

_hasher = PasswordHash.recommended()


def _yield_to_requests() -> None:
    """Lower this thread's CPU priority (Linux schedules threads, and prioritises them, alone)."""
    if sys.platform == "linux":
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _LOWEST_PRIORITY)


_hashing_pool = ThreadPoolExecutor(
    max_workers=HASHING_THREADS,
    thread_name_prefix="password-hashing",
    initializer=_yield_to_requests,
)


@cache
def _dummy_hash() -> str:
    """A real hash to verify against when the user is unknown, so timing reveals nothing."""
    return _hasher.hash("timing-equaliser-not-a-password")


def _verify_against_dummy(password: str) -> None:
    _hasher.verify(password, _dummy_hash())


async def hash_password(password: str) -> str:
    """Hash `password` with Argon2."""
    return await asyncio.get_running_loop().run_in_executor(_hashing_pool, _hasher.hash, password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Check `password`; with no hash, spend the same time and answer False."""
    loop = asyncio.get_running_loop()
    if password_hash is None:
        await loop.run_in_executor(_hashing_pool, _verify_against_dummy, password)
        return False
    return await loop.run_in_executor(_hashing_pool, _hasher.verify, password, password_hash)
