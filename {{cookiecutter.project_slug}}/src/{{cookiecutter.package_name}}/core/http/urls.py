"""Paths of named routes, looked up once per route rather than on every request."""

from functools import cache

from starlette.applications import Starlette


@cache
def _path_template(app: Starlette, name: str, params: frozenset[str]) -> str:
    placeholders = {param: "{" + param + "}" for param in params}
    return app.url_path_for(name, **placeholders)


def url_path(app: Starlette, name: str, **params: object) -> str:
    """The path of route `name` with `params`, like `app.url_path_for` but without its scan.

    `url_path_for` walks every route on every call; the template it yields is
    cached per app and route name, and only filled in here.
    """
    return _path_template(app, name, frozenset(params)).format(**params)
