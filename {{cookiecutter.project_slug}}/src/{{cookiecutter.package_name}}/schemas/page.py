"""Offset pagination shared by every list endpoint."""

{% if cookiecutter.python_version == "3.11" -%}
from typing import Generic, TypeVar

{% endif -%}
from pydantic import BaseModel, Field

from {{ cookiecutter.package_name }}.schemas.base import InputSchema

MAX_PAGE_SIZE = 100
MAX_OFFSET = 1_000_000


class PageQuery(InputSchema):
    """`limit` and `offset` query parameters; out-of-range values are 422, never clamped."""

    limit: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


{% if cookiecutter.python_version == "3.11" -%}
ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
{%- else -%}
class Page[ItemT](BaseModel):
{%- endif %}
    """One page of items and the total across all pages."""

    items: list[ItemT]
    total: int
    limit: int
    offset: int
