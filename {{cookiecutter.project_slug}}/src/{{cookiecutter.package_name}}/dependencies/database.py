"""The request's database session: the one place a transaction is committed."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from {{ cookiecutter.package_name }}.core.db import Database, Session

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request; writes commit once, after the handler, before the response.

    Declared with `scope="function"` (see `SessionDep`), so a failed commit
    becomes an error response instead of a 2xx already sent. Safe methods get
    a read-only session: a read needs no BEGIN/COMMIT, and cannot write. Any
    exception, a domain error included, rolls the transaction back: work that
    must outlast a failed request runs in `session.committed()` instead. The
    `Database` comes from the app state, not from another dependency: every
    dependency layer costs CPU on every request.
    """
    database: Database = request.app.state.database
    read_only = request.method in SAFE_METHODS
    async with database.session(read_only=read_only) as session:
        yield session
        if not read_only:
            await session.commit()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
