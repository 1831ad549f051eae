"""Base classes and types that give every schema the same strictness."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_text(value: object) -> object:
    """Pydantic would also take a number (a Unix time) for a date: the schema says a string."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    msg = "must be a date as YYYY-MM-DD"
    raise ValueError(msg)


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]


def _iso_datetime_text(value: object) -> object:
    """Pydantic would also take a number (a Unix time) for a datetime: the schema says a string."""
    if isinstance(value, datetime | str):
        return value
    msg = "must be a date and time as RFC 3339, with its offset"
    raise ValueError(msg)


def _in_utc(value: datetime) -> datetime:
    """The same instant in UTC, as it is stored; one that UTC puts past year 1..9999 is refused."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        msg = "must be within years 1..9999 in UTC"
        raise ValueError(msg) from None


IsoDatetime = Annotated[AwareDatetime, BeforeValidator(_iso_datetime_text), AfterValidator(_in_utc)]


def _json_integer(value: object) -> object:
    """JSON Schema's integer: a number without a fraction (`3.0` is one), never a string or bool.

    Pydantic's strict mode refuses `3.0`, which the schema allows; its lax mode takes `"3"`.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    msg = "must be an integer"
    raise ValueError(msg)


# Last in `Annotated[int, Field(ge=1, le=5), JsonInteger]`, so the document keeps the bounds.
JsonInteger = BeforeValidator(_json_integer)


@dataclass(frozen=True)
class DecimalText:
    """A decimal sent as a string of at most `precision` digits, `scale` after the point.

    `Annotated[Decimal, DecimalText(12, 2)]`. A string, not a JSON number, which
    a client's float would round; the document's pattern is exactly what passes.
    """

    precision: int
    scale: int

    @property
    def pattern(self) -> str:
        """The strings accepted, as a JSON Schema pattern."""
        whole = "-?[0-9]{1," + str(self.precision - self.scale) + "}"
        fraction = "(\\.[0-9]{1," + str(self.scale) + "})?" if self.scale else ""
        return f"^{whole}{fraction}$"

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        pattern = re.compile(self.pattern)

        def text(value: object) -> object:
            if isinstance(value, Decimal) or (isinstance(value, str) and pattern.fullmatch(value)):
                return value
            msg = (
                f"must be a decimal string of {self.precision} digits, {self.scale} after the point"
            )
            raise ValueError(msg)

        return core_schema.no_info_before_validator_function(text, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        del schema, handler
        # The longest text: every digit, a sign and a point.
        longest = self.precision + 1 + (1 if self.scale else 0)
        return {"type": "string", "pattern": self.pattern, "maxLength": longest}


# JSON Schema's way to say "no NUL": what `InputSchema._refuse_nul` enforces.
NO_NUL_PATTERN = r"^[^\x00]*$"


def _document_no_nul(schema: dict[str, Any]) -> None:
    """Give every free-text string of `schema` the no-NUL pattern, so the document says it."""
    for value in schema.values():
        for subschema in value if isinstance(value, list) else [value]:
            if isinstance(subschema, dict):
                _document_no_nul(subschema)
    constrained = {"format", "pattern", "enum", "const"} & schema.keys()
    if schema.get("type") == "string" and not constrained:
        schema["pattern"] = NO_NUL_PATTERN


class InputSchema(BaseModel):
    """A request body or query: unknown fields are refused, never ignored."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_document_no_nul)

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value: object) -> object:
        """PostgreSQL text cannot hold NUL: a 422 here, not a 500 at the INSERT.

        (Lone surrogates, which UTF-8 cannot encode, pydantic refuses before this runs.)
        """
        if isinstance(value, str) and "\x00" in value:
            msg = "must not contain NUL characters"
            raise ValueError(msg)
        return value


class OutputSchema(BaseModel):
    """A response body, read from table models by attribute."""

    model_config = ConfigDict(from_attributes=True)
