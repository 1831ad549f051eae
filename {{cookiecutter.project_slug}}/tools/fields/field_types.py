"""The types of the `fields=` grammar: what each is as a column, in the schemas and in the tests.

Every value is bounded (house rule R4.2) in the schema and in the database
alike: lengths by VARCHAR and a CHECK on the minimum, integers by a CHECK,
decimals by NUMERIC, enums by a CHECK (not a PostgreSQL ENUM type, which a
migration cannot change in a transaction).
"""

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
{%- if cookiecutter.python_version == "3.11" %}

from typing_extensions import override
{%- else %}
from typing import override
{%- endif %}

from tools.fields.imports import PACKAGE, Imports, imports

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
BASE_SCHEMAS = f"{PACKAGE}.schemas.base"
# Fixed values for the types that have no bounds to sit at: one low, one high.
DATES = ("2024-01-31", "2025-12-01")
DATETIMES = ("2024-01-31T08:30:00Z", "2025-12-01T23:59:59.999999Z")
UUIDS = ("00000000-0000-4000-8000-000000000001", "ffffffff-ffff-4fff-bfff-fffffffffffe")


class SpecError(ValueError):
    """A spec `make feature` refuses; the message is one line naming the bad part."""


class FieldType(ABC):
    """What a type is in the column, in the schemas and in the tests."""

    # The Python type of the column and of the read schema's field.
    python: str = "str"
    # Where `python` comes from, if it is not a builtin.
    python_imports = Imports()

    @classmethod
    def name(cls) -> str:
        """The type's name in the grammar."""
        return cls.__name__.removesuffix("Type").lower()

    def column_arguments(self) -> list[str]:
        """Keyword arguments of the model's `Field(...)` beyond default and nullability."""
        return []

    def model_imports(self) -> Imports:
        """What the model module imports for this column."""
        return self.python_imports

    def checks(self, column: str) -> list[tuple[str, str]]:
        """CHECK constraints as (name under the naming convention, SQL) pairs."""
        del column
        return []

    def alias(self) -> str | None:
        """The right-hand side of the schema module's type alias, if the type needs one."""
        return None

    def input_type(self) -> str:
        """The input schemas' annotation when no alias is needed."""
        return self.python

    def schema_imports(self) -> Imports:
        """What the schema module imports for the input type (the read type too)."""
        return self.python_imports

    def default(self, text: str) -> object:
        """The default `text` stands for, as a JSON value; `SpecError` if it has none."""
        del text
        msg = f"a {self.name()} field takes no default"
        raise SpecError(msg)

    def default_source(self, value: object) -> str:
        """A default's Python source in the create schema."""
        return repr(value)

    def fresh(self) -> str | None:
        """Source of `lambda n: ...`, a valid value no other `n` gives: a unique field's bodies.

        None when every body's value is new anyway (a reference names a new row).
        """
        msg = f"!unique needs more values than {self.name()} has"
        raise SpecError(msg)

    @abstractmethod
    def edges(self) -> tuple[object, object]:
        """Two valid JSON values: the lowest and the highest the bounds allow, if it has any."""

    @abstractmethod
    def invalid(self) -> list[tuple[str, object]]:
        """Each bound's invalid JSON value, labelled: ("too-long", "xxx...")."""


@dataclass(frozen=True)
class StrType(FieldType):
    """A string of `low..high` characters: VARCHAR(high), with a CHECK on the minimum."""

    low: int = 1
    high: int = 200

    @override
    @classmethod
    def name(cls) -> str:
        return "str"

    @override
    def column_arguments(self) -> list[str]:
        return [f"max_length={self.high}"]

    @override
    def checks(self, column: str) -> list[tuple[str, str]]:
        if self.low == 0:
            return []
        return [(f"{column}_length", f'char_length("{column}") >= {self.low}')]

    @override
    def alias(self) -> str:
        low = f"min_length={self.low}, " if self.low else ""
        return f"Annotated[str, Field({low}max_length={self.high})]"

    @override
    def schema_imports(self) -> Imports:
        return imports("typing", "Annotated") | imports("pydantic", "Field")

    @override
    def default(self, text: str) -> object:
        if not self.low <= len(text) <= self.high:
            msg = f"the default has {len(text)} characters, not {self.low}..{self.high}"
            raise SpecError(msg)
        return text

    @override
    def fresh(self) -> str:
        return f"lambda n: str(n).zfill({self.low})"

    @override
    def edges(self) -> tuple[object, object]:
        return "a" * self.low, "z" * self.high

    @override
    def invalid(self) -> list[tuple[str, object]]:
        short = [("too-short", "x" * (self.low - 1))] if self.low else []
        return [*short, ("too-long", "x" * (self.high + 1)), ("not-a-string", 1)]


@dataclass(frozen=True)
class TextType(StrType):
    """Longer free text: the same as `str`, with bounds `0..2000` unless given."""

    low: int = 0
    high: int = 2000

    @override
    @classmethod
    def name(cls) -> str:
        return "text"


@dataclass(frozen=True)
class IntType(FieldType):
    """An integer in `low..high`: INTEGER (BIGINT past its range) with a CHECK on the bounds."""

    low: int = INT32[0]
    high: int = INT32[1]
    python = "int"

    def _fits_integer(self) -> bool:
        return INT32[0] <= self.low and self.high <= INT32[1]

    @override
    def column_arguments(self) -> list[str]:
        return [] if self._fits_integer() else ["sa_type=BigInteger"]

    @override
    def model_imports(self) -> Imports:
        return Imports() if self._fits_integer() else imports("sqlalchemy", "BigInteger")

    @override
    def checks(self, column: str) -> list[tuple[str, str]]:
        if (self.low, self.high) in {INT32, INT64}:
            return []  # The column type is the bound.
        return [(f"{column}_range", f'"{column}" BETWEEN {self.low} AND {self.high}')]

    @override
    def alias(self) -> str:
        return f"Annotated[int, Field(ge={self.low}, le={self.high}), JsonInteger]"

    @override
    def schema_imports(self) -> Imports:
        return (
            imports("typing", "Annotated")
            | imports("pydantic", "Field")
            | imports(BASE_SCHEMAS, "JsonInteger")
        )

    @override
    def default(self, text: str) -> object:
        if not re.fullmatch(r"-?\d+", text) or not self.low <= int(text) <= self.high:
            msg = f"the default {text!r} is not an integer in {self.low}..{self.high}"
            raise SpecError(msg)
        return int(text)

    @override
    def fresh(self) -> str:
        return f"lambda n: {self.low} + n"

    @override
    def edges(self) -> tuple[object, object]:
        return self.low, self.high

    @override
    def invalid(self) -> list[tuple[str, object]]:
        below = [("below", self.low - 1)] if self.low > INT64[0] else []
        above = [("above", self.high + 1)] if self.high < INT64[1] else []
        # A fraction within the bounds where a float can hold one there.
        fraction = self.low + 0.5 if abs(self.low) < 2**52 else 0.5
        return [*below, *above, ("a-string", str(self.low)), ("a-fraction", fraction)]


@dataclass(frozen=True)
class BoolType(FieldType):
    """True or false, nothing else (a strict bool: not 1, not "true")."""

    python = "bool"

    @override
    def input_type(self) -> str:
        return "StrictBool"

    @override
    def schema_imports(self) -> Imports:
        return imports("pydantic", "StrictBool")

    @override
    def default(self, text: str) -> object:
        if text not in {"true", "false"}:
            msg = f"the default {text!r} is not true or false"
            raise SpecError(msg)
        return text == "true"

    @override
    def edges(self) -> tuple[object, object]:
        return False, True

    @override
    def invalid(self) -> list[tuple[str, object]]:
        return [("a-string", "true"), ("a-number", 1)]


@dataclass(frozen=True)
class DateType(FieldType):
    """A calendar date, sent as `YYYY-MM-DD` only (`schemas.base.IsoDate`)."""

    python = "date"
    python_imports = imports("datetime", "date")

    @override
    def input_type(self) -> str:
        return "IsoDate"

    @override
    def schema_imports(self) -> Imports:
        return self.python_imports | imports(BASE_SCHEMAS, "IsoDate")

    @override
    def fresh(self) -> str:
        return 'lambda n: f"{1000 + n:04d}-01-01"'

    @override
    def edges(self) -> tuple[object, object]:
        return DATES

    @override
    def invalid(self) -> list[tuple[str, object]]:
        return [("no-such-day", "2024-02-30"), ("not-a-date", "soon"), ("a-number", 20240131)]


@dataclass(frozen=True)
class DatetimeType(FieldType):
    """An instant, sent as RFC 3339 with its offset (`schemas.base.IsoDatetime`), kept in UTC."""

    python = "datetime"
    python_imports = imports("datetime", "datetime")

    @override
    def column_arguments(self) -> list[str]:
        return ["sa_type=DateTime(timezone=True)"]

    @override
    def model_imports(self) -> Imports:
        return self.python_imports | imports("sqlalchemy", "DateTime")

    @override
    def input_type(self) -> str:
        return "IsoDatetime"

    @override
    def schema_imports(self) -> Imports:
        return self.python_imports | imports(BASE_SCHEMAS, "IsoDatetime")

    @override
    def fresh(self) -> str:
        return 'lambda n: f"{1000 + n:04d}-01-01T00:00:00Z"'

    @override
    def edges(self) -> tuple[object, object]:
        return DATETIMES

    @override
    def invalid(self) -> list[tuple[str, object]]:
        return [
            ("no-offset", "2024-01-31T08:30:00"),
            ("not-a-datetime", "soon"),
            ("a-number", 1706689800),
        ]


@dataclass(frozen=True)
class DecimalType(FieldType):
    """An exact number of `precision` digits, `scale` after the point: NUMERIC, sent as a string.

    A string, not a JSON number: a float cannot hold most decimals exactly.
    """

    precision: int
    scale: int
    python = "Decimal"
    python_imports = imports("decimal", "Decimal")

    @property
    def pattern(self) -> str:
        """The strings accepted: `schemas.base.DecimalText`'s pattern, without its anchors."""
        whole = "-?[0-9]{1," + str(self.precision - self.scale) + "}"
        return whole + ("(\\.[0-9]{1," + str(self.scale) + "})?" if self.scale else "")

    @override
    def column_arguments(self) -> list[str]:
        return [f"max_digits={self.precision}", f"decimal_places={self.scale}"]

    @override
    def alias(self) -> str:
        return f"Annotated[Decimal, DecimalText({self.precision}, {self.scale})]"

    @override
    def schema_imports(self) -> Imports:
        return (
            self.python_imports
            | imports("typing", "Annotated")
            | imports(BASE_SCHEMAS, "DecimalText")
        )

    @override
    def default(self, text: str) -> object:
        if not re.fullmatch(self.pattern, text):
            msg = f"the default {text!r} is not a decimal({self.precision},{self.scale})"
            raise SpecError(msg)
        return text

    @override
    def default_source(self, value: object) -> str:
        return f"Decimal({value!r})"

    @override
    def fresh(self) -> str:
        return "lambda n: str(n)"

    @override
    def edges(self) -> tuple[object, object]:
        whole, part = "9" * (self.precision - self.scale), "9" * self.scale
        highest = f"{whole}.{part}" if part else whole
        return f"-{highest}", highest

    @override
    def invalid(self) -> list[tuple[str, object]]:
        digits = ("too-many-digits", "1" * (self.precision - self.scale + 1))
        if self.scale:
            fraction = ("too-many-decimals", "0." + "1" * (self.scale + 1))
        else:
            fraction = ("a-fraction", "0.5")
        return [digits, fraction, ("a-number", 1), ("not-a-number", "NaN")]


@dataclass(frozen=True)
class UuidType(FieldType):
    """A UUID the client chooses."""

    python = "UUID"
    python_imports = imports("uuid", "UUID")

    @override
    def fresh(self) -> str:
        return 'lambda n: f"00000000-0000-4000-8000-{n:012d}"'

    @override
    def edges(self) -> tuple[object, object]:
        return UUIDS

    @override
    def invalid(self) -> list[tuple[str, object]]:
        return [("not-a-uuid", "not-a-uuid"), ("a-number", 1)]


@dataclass(frozen=True)
class EnumType(FieldType):
    """One of a few values: VARCHAR as long as the longest, and a CHECK on the values."""

    values: tuple[str, ...]

    @override
    def column_arguments(self) -> list[str]:
        return [f"max_length={max(len(value) for value in self.values)}"]

    @override
    def checks(self, column: str) -> list[tuple[str, str]]:
        listed = ", ".join(f"'{value}'" for value in self.values)
        return [(f"{column}_values", f'"{column}" IN ({listed})')]

    @override
    def alias(self) -> str:
        return "Literal[" + ", ".join(f'"{value}"' for value in self.values) + "]"

    @override
    def schema_imports(self) -> Imports:
        return imports("typing", "Literal")

    @override
    def default(self, text: str) -> object:
        if text not in self.values:
            msg = f"the default {text!r} is not one of {', '.join(self.values)}"
            raise SpecError(msg)
        return text

    @override
    def edges(self) -> tuple[object, object]:
        return self.values[0], self.values[-1]

    @override
    def invalid(self) -> list[tuple[str, object]]:
        outsider = "_".join(self.values)[:99] + "x"
        return [("not-a-value", outsider), ("a-number", 1)]


@dataclass(frozen=True)
class RefType(FieldType):
    """The id of a row of another feature (`target`, plural), and what its deletion does."""

    target: str
    on_delete: str = "restrict"
    python = "UUID"
    python_imports = imports("uuid", "UUID")

    @override
    def column_arguments(self) -> list[str]:
        # `restrict` is NO ACTION, checked at the end of the statement, not RESTRICT: a
        # cascade that deletes the referencing row with the referenced one is not refused.
        actions = {
            "restrict": "",
            "cascade": ', ondelete="CASCADE"',
            "setnull": ', ondelete="SET NULL"',
        }
        return [f'foreign_key="{self.target}.id"{actions[self.on_delete]}', "index=True"]

    @override
    def fresh(self) -> None:
        return None  # Every body names a new row of the target.

    @override
    def edges(self) -> tuple[object, object]:
        msg = "a reference's values are rows the tests create"
        raise NotImplementedError(msg)

    @override
    def invalid(self) -> list[tuple[str, object]]:
        return [("not-a-uuid", "not-a-uuid"), ("a-number", 1)]
