"""The Prometheus scrape endpoint (public, outside /api/; keep it off public ingress)."""

from fastapi import APIRouter, Request, Response

from {{ cookiecutter.package_name }}.core.metrics import Metrics

router = APIRouter(tags=["metrics"])


# Not in the OpenAPI document: it is for the cluster's Prometheus, not for API clients.
@router.get("/metrics", name="metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """This process's metrics, in the format the scraper's Accept header asks for."""
    registry: Metrics = request.app.state.metrics
    body, media_type = registry.exposition(request.headers.get("accept", ""))
    return Response(body, media_type=media_type)
