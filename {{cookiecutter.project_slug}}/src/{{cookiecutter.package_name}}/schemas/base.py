"""Base classes that give every schema the same strictness."""

from pydantic import BaseModel, ConfigDict


class InputSchema(BaseModel):
    """A request body or query: unknown fields are refused, never ignored."""

    model_config = ConfigDict(extra="forbid")


class OutputSchema(BaseModel):
    """A response body, read from table models by attribute."""

    model_config = ConfigDict(from_attributes=True)
