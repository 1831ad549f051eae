"""Argon2 password hashing, run in a worker thread so it never blocks the event loop."""

from functools import cache

from anyio import to_thread
from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()


@cache
def _dummy_hash() -> str:
    """A real hash to verify against when the user is unknown, so timing reveals nothing."""
    return _hasher.hash("timing-equaliser-not-a-password")


def _verify_against_dummy(password: str) -> None:
    _hasher.verify(password, _dummy_hash())


async def hash_password(password: str) -> str:
    """Hash `password` with Argon2."""
    return await to_thread.run_sync(_hasher.hash, password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Check `password`; with no hash, spend the same time and answer False."""
    if password_hash is None:
        await to_thread.run_sync(_verify_against_dummy, password)
        return False
    return await to_thread.run_sync(_hasher.verify, password, password_hash)
