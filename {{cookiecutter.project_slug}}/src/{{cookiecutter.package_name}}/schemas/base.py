"""Base classes and types that give every schema the same strictness."""

import re
from datetime import date
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _is_storable(text: str) -> bool:
    """PostgreSQL text holds UTF-8 without NUL; lone surrogates cannot be encoded."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _iso_date_text(value: object) -> object:
    """Pydantic would also take a number (a Unix time) for a date: the schema says a string."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    msg = "must be a date as YYYY-MM-DD"
    raise ValueError(msg)


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]


class InputSchema(BaseModel):
    """A request body or query: unknown fields are refused, never ignored."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_unstorable_text(cls, value: object) -> object:
        """Text the database cannot store is a 422 here, not a 500 at the INSERT."""
        if isinstance(value, str) and not _is_storable(value):
            msg = "must be UTF-8 text without NUL characters"
            raise ValueError(msg)
        return value


class OutputSchema(BaseModel):
    """A response body, read from table models by attribute."""

    model_config = ConfigDict(from_attributes=True)
