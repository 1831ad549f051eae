"""The `Location` header of a created resource, from the name of the route that reads it."""

from typing import Annotated

from fastapi import Depends, Request, Response
from starlette.applications import Starlette

from {{ cookiecutter.package_name }}.core.http.urls import url_path


class Location:
    """Sets the response's `Location` to the path of a named route."""

    __slots__ = ("_app", "_response")

    def __init__(self, app: Starlette, response: Response) -> None:
        self._app, self._response = app, response

    def set(self, route_name: str, **path_params: object) -> None:
        """Point `Location` at route `route_name` filled with `path_params`."""
        self._response.headers["Location"] = url_path(self._app, route_name, **path_params)


async def get_location(request: Request, response: Response) -> Location:
    """The request's `Location` setter: one parameter where a handler would need two."""
    return Location(request.app, response)


LocationDep = Annotated[Location, Depends(get_location)]
