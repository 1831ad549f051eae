"""A Core statement compiled for asyncpg once per set of parameter names it runs with.

Services build statements with SQLAlchemy Core on the SQLModel tables and wrap
each in a `Statement` at import. It is compiled for PostgreSQL's asyncpg
dialect the first time it runs with a given set of parameter names (an
INSERT or UPDATE names its columns by the parameters it gets), and never
again: a request pays for binding its arguments, not for compiling.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ClauseElement
from sqlalchemy.engine import make_url
from sqlalchemy.schema import ColumnDefault, DefaultGenerator
from sqlalchemy.sql.compiler import SQLCompiler

# SQLAlchemy's PostgreSQL dialect for asyncpg: `$1`-style parameters, asyncpg's casts.
DIALECT = make_url("postgresql+asyncpg://").get_dialect()()


@dataclass(frozen=True, slots=True)
class Compiled:
    """One compiled form: its SQL and how to turn named parameters into positional arguments."""

    sql: str
    names: tuple[str, ...]
    # Values the statement binds itself (`.values(is_superuser=True)`).
    fixed: Mapping[str, object]
    # Python-side column defaults for the columns the caller left out (`id`).
    defaults: Mapping[str, Callable[[], object]]
    # SQLAlchemy's own conversions of Python values for a column type (an enum to its name).
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    writes: bool

    @classmethod
    def of(cls, statement: ClauseElement, column_keys: Sequence[str]) -> "Compiled":
        """`statement` compiled for asyncpg with the parameters `column_keys` names."""
        compiled = statement.compile(dialect=DIALECT, column_keys=list(column_keys))
        if not isinstance(compiled, SQLCompiler):
            msg = f"not a SQL statement: {statement!r}"
            raise TypeError(msg)
        if compiled.literal_execute_params or compiled.post_compile_params:
            msg = "expanding parameters (`in_`) recompile per call: use `== any_(bindparam(...))`"
            raise ValueError(msg)
        names = tuple(compiled.positiontup or ())
        prefetched = {
            column.key: column.default if compiled.isinsert else column.onupdate
            for column in (*compiled.insert_prefetch, *compiled.update_prefetch)
        }
        processors = compiled._bind_processors  # noqa: SLF001 - SQLAlchemy exposes them no other way
        if not all(callable(process) for process in processors.values()):
            msg = "tuple-typed parameters are not supported"
            raise ValueError(msg)
        return cls(
            sql=compiled.string,
            names=names,
            fixed={
                name: bind.effective_value
                for name, bind in compiled.binds.items()
                if not bind.required and name in names
            },
            defaults={name: _default_maker(default) for name, default in prefetched.items()},
            processors=tuple(
                (index, process)
                for index, name in enumerate(names)
                if callable(process := processors.get(name))
            ),
            writes=compiled.isinsert or compiled.isupdate or compiled.isdelete,
        )

    def arguments(self, params: Mapping[str, object]) -> list[object]:
        """The positional arguments for `params`; a missing one is a `TypeError` naming it."""
        values = {**self.fixed, **params} if self.fixed else dict(params)
        for name, make in self.defaults.items():
            values[name] = make()
        try:
            arguments = [values[name] for name in self.names]
        except KeyError as missing:
            msg = f"the statement needs parameter {missing} ({self.sql.split()[0]} ...)"
            raise TypeError(msg) from None
        for index, process in self.processors:
            arguments[index] = process(arguments[index])
        return arguments


def _default_maker(default: DefaultGenerator | None) -> Callable[[], object]:
    """A column's Python-side default (a value or a function) as a function of nothing."""
    if not isinstance(default, ColumnDefault) or not (default.is_scalar or default.is_callable):
        msg = f"no Python-side default to fill in: {default!r}"
        raise ValueError(msg)
    value = default.arg
    if default.is_scalar:
        return lambda: value
    return lambda: value(None)


class Statement:
    """A Core statement, compiled for asyncpg once per set of parameter names it runs with.

    Build one at import, next to the service that runs it: a renamed column
    then fails at import (`table.c.name`), not in the middle of a request.
    """

    __slots__ = ("_compiled", "_statement")

    def __init__(self, statement: ClauseElement) -> None:
        self._statement = statement
        self._compiled: dict[frozenset[str], Compiled] = {}

    def compile(self, params: Mapping[str, object]) -> Compiled:
        """The compiled form for these parameter names."""
        keys = frozenset(params)
        compiled = self._compiled.get(keys)
        if compiled is None:
            compiled = self._compiled[keys] = Compiled.of(self._statement, sorted(keys))
        return compiled
