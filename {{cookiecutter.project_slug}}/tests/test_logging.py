"""Logs: uvicorn's lines go through the app's renderer, unless uvicorn was told to drop them."""

import json
import logging

import pytest
import uvicorn

from {{ cookiecutter.package_name }}.core.logging import configure_logging


@pytest.mark.parametrize("access_log", [True, False], ids=["access-log", "no-access-log"])
def test_uvicorn_access_lines_are_json_unless_turned_off(
    access_log: bool,  # noqa: FBT001 - a pytest parameter
    capsys: pytest.CaptureFixture[str],
) -> None:
    # uvicorn sets up its loggers, then importing the app configures logging.
    uvicorn.Config("{{ cookiecutter.package_name }}.main:app", access_log=access_log)
    configure_logging(json_logs=True)
    access = logging.getLogger("uvicorn.access")
    access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:50000", "GET", "/health/live", "1.1", 200)
    logging.getLogger("uvicorn.error").info("Application startup complete.")

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert [line["logger"] for line in lines] == [
        *(["uvicorn.access"] if access_log else []),
        "uvicorn.error",
    ]
