"""Make an existing user a superuser: `make superuser email=<email>`.

Runs against `DATABASE_URL`; the Makefile runs it through
`tools.local_database use`, which points that at the project-local
PostgreSQL when it is unset. Exits non-zero when no user has the email.
"""

import argparse
import asyncio
import sys

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.db import Database
from {{ cookiecutter.package_name }}.schemas.user import UserAdminRead
from {{ cookiecutter.package_name }}.services import users
from {{ cookiecutter.package_name }}.services.users import UserNotFoundError


async def promote(email: str) -> UserAdminRead:
    """Promote the user with `email` in the database the settings name, and commit."""
    database = Database(Settings())
    try:
        async with database.session(read_only=False) as session:
            user = await users.promote(session, email=email)
            await session.commit()
    finally:
        await database.dispose()
    return user


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, promote the user, and say what happened."""
    parser = argparse.ArgumentParser(prog="make superuser", description=__doc__)
    parser.add_argument("email", help="the email the user registered with (any letter case)")
    email: str = parser.parse_args(argv).email
    try:
        user = asyncio.run(promote(email))
    except UserNotFoundError:
        print(f"No user has the email {email!r}; nothing changed.", file=sys.stderr)
        return 1
    print(f"{user.email} (id {user.id}) is now a superuser.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
