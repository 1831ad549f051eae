"""Health check responses."""

from typing import Literal

from pydantic import BaseModel


class HealthStatus(BaseModel):
    """The service (or its database) is up."""

    status: Literal["ok"] = "ok"
