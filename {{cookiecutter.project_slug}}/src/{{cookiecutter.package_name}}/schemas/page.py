"""Offset pagination shared by every list endpoint."""

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from {{ cookiecutter.package_name }}.schemas.base import InputSchema

MAX_PAGE_SIZE = 100
MAX_OFFSET = 1_000_000


class PageQuery(InputSchema):
    """`limit` and `offset` query parameters; out-of-range values are 422, never clamped."""

    limit: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):  # noqa: UP046 - PEP 695 syntax needs Python 3.12
    """One page of items and the total across all pages."""

    items: list[ItemT]
    total: int
    limit: int
    offset: int
