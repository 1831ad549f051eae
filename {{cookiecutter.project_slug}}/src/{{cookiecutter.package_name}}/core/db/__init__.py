"""The data path: Core statements compiled once, run on asyncpg, rows returned as dicts.

Services import what they need from here: `Statement` to build at import,
`Session` to run, and the errors to map to their own.
"""

from {{ cookiecutter.package_name }}.core.db.database import Database, connect_arguments
from {{ cookiecutter.package_name }}.core.db.errors import (
    DatabaseUnavailableError,
    ForeignKeyViolationError,
    StatementError,
    UniqueViolationError,
)
from {{ cookiecutter.package_name }}.core.db.session import Connection, Record, Session
from {{ cookiecutter.package_name }}.core.db.statement import Statement

__all__ = [
    "Connection",
    "Database",
    "DatabaseUnavailableError",
    "ForeignKeyViolationError",
    "Record",
    "Session",
    "Statement",
    "StatementError",
    "UniqueViolationError",
    "connect_arguments",
]
