"""Argon2 password hashing, off the event loop, bounded, and behind request handling.

Each hash takes a fifth of a second of CPU and 64 MiB here (the default
cost). Run in the default thread pool, a burst of logins would take every
core from the event loop and the memory with it: 64 concurrent logins once
took the process to 1 GB. So hashes run in a pool of their own, at the
lowest CPU priority, and at most `PASSWORD_HASHING_CONCURRENCY` at once (the
CPU count by default): extra logins wait for a slot, and one that would wait
longer than `PASSWORD_HASHING_TIMEOUT_SECONDS` gets a 503 with `Retry-After`.
"""

import asyncio
import contextlib
import math
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property, partial
from typing import TypeVar

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.errors import ServiceUnavailableError
from {{ cookiecutter.package_name }}.core.metrics import HashingUsage

_LOWEST_PRIORITY = 19
Result = TypeVar("Result")


class HashingBusyError(ServiceUnavailableError):
    """Every hashing slot stayed busy past the timeout; the client may retry shortly."""

    description = "Too many sign-ins at once; retry shortly."


@dataclass(frozen=True, slots=True)
class Verification:
    """Whether a password matched, and its new hash when the stored one is outdated."""

    valid: bool
    new_hash: str | None = None


def _yield_to_requests() -> None:
    """Lower this thread's CPU priority (Linux schedules threads, and prioritises them, alone)."""
    if sys.platform == "linux":
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _LOWEST_PRIORITY)


class PasswordHasher:
    """Hashes and verifies passwords with Argon2, a bounded number at a time.

    Built once per app from the settings; the Argon2 cost is a setting too,
    so tests choose a cheap one without touching this module. A hash whose
    parameters differ from the current ones verifies, and comes back rehashed.
    """

    def __init__(
        self,
        *,
        time_cost: int,
        memory_kib: int,
        parallelism: int,
        concurrency: int,
        timeout_seconds: float,
    ) -> None:
        self._hash = PasswordHash(
            (Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism),)
        )
        self._slots = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._running = 0
        self._queued = 0
        self._timeout_seconds = timeout_seconds
        self._pool = ThreadPoolExecutor(
            max_workers=concurrency,
            thread_name_prefix="password-hashing",
            initializer=_yield_to_requests,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> "PasswordHasher":
        """The hasher configured by `settings`."""
        return cls(
            time_cost=settings.password_hash_time_cost,
            memory_kib=settings.password_hash_memory_kib,
            parallelism=settings.password_hash_parallelism,
            concurrency=settings.password_hashing_concurrency,
            timeout_seconds=settings.password_hashing_timeout_seconds,
        )

    async def hash(self, password: str) -> str:
        """Hash `password`; `HashingBusyError` if no slot frees up in time."""
        return await self._run(partial(self._hash.hash, password))

    async def verify(self, password: str, password_hash: str | None) -> Verification:
        """Check `password`; with no hash, spend the same time and answer invalid."""
        if password_hash is None:
            await self._run(partial(self._verify_against_dummy, password))
            return Verification(valid=False)
        valid, new_hash = await self._run(
            partial(self._hash.verify_and_update, password, password_hash)
        )
        return Verification(valid=valid, new_hash=new_hash)

    def usage(self) -> HashingUsage:
        """Slots, hashes running and hashes waiting for a slot, for the metrics."""
        return HashingUsage(slots=self._concurrency, running=self._running, queued=self._queued)

    def shutdown(self) -> None:
        """Stop the hashing threads (at app shutdown)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    @cached_property
    def _dummy_hash(self) -> str:
        """A real hash to verify against when the user is unknown, so timing reveals nothing."""
        return self._hash.hash("timing-equaliser-not-a-password")

    def _verify_against_dummy(self, password: str) -> None:
        self._hash.verify(password, self._dummy_hash)

    async def _run(self, call: Callable[[], Result]) -> Result:
        """Run `call` in a free slot; the slot stays taken until its thread is done.

        A request cancelled mid-hash (the client left) cannot stop the thread,
        so the slot is released by the thread's completion, not by the request.
        """
        self._queued += 1
        try:
            async with asyncio.timeout(self._timeout_seconds):
                await self._slots.acquire()
        except TimeoutError:
            retry_after = math.ceil(self._timeout_seconds)
            raise HashingBusyError(retry_after_seconds=retry_after) from None
        finally:
            self._queued -= 1
        loop = asyncio.get_running_loop()
        self._running += 1
        future: Future[Result] = self._pool.submit(call)
        future.add_done_callback(lambda _: self._release_from_thread(loop))
        return await asyncio.wrap_future(future)

    def _release_from_thread(self, loop: asyncio.AbstractEventLoop) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed while the hash ran
            loop.call_soon_threadsafe(self._release)

    def _release(self) -> None:
        """Free the slot of a finished hash, on the event loop."""
        self._running -= 1
        self._slots.release()
