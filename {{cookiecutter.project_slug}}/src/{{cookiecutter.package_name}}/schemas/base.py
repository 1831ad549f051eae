"""Base classes that give every schema the same strictness."""

from pydantic import BaseModel, ConfigDict, field_validator


def _is_storable(text: str) -> bool:
    """PostgreSQL text holds UTF-8 without NUL; lone surrogates cannot be encoded."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


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
