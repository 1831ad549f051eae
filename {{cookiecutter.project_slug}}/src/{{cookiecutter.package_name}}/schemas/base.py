"""Base classes and types that give every schema the same strictness."""

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_text(value: object) -> object:
    """Pydantic would also take a number (a Unix time) for a date: the schema says a string."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    msg = "must be a date as YYYY-MM-DD"
    raise ValueError(msg)


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]


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
