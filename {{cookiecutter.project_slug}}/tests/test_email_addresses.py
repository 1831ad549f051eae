"""Email addresses: what the OpenAPI document refuses, the API refuses (`schemas/email.py`).

The other direction, every documented address accepted, is the fuzzer's
positive-data check (`tests/test_fuzz.py`).
"""

import re

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from {{ cookiecutter.package_name }}.schemas.email import REFUSED_PATTERN

from tests.conftest import PASSWORD

REFUSED = {
    "special-use-domain": "x@x.sx.test",
    "localhost": "x@localhost",
    "ip-address": "x@192.0.2.1",
    "domain-literal": "x@[192.0.2.1]",
    "quoted-local-part": '"x y"@example.com',
    "long-local-part": "x" * 65 + "@example.com",
    "not-ascii": "zoë@example.com",
}


@pytest.mark.parametrize("address", REFUSED.values(), ids=REFUSED.keys())
async def test_an_address_the_document_refuses_is_a_422(
    client: AsyncClient, app: FastAPI, address: str
) -> None:
    assert re.search(REFUSED_PATTERN, address), "the schema would promise this address"
    body = {"email": address, "password": PASSWORD, "full_name": "E"}
    response = await client.post(app.url_path_for("register"), json=body)
    assert response.status_code == 422


async def test_an_address_the_document_allows_is_accepted(
    client: AsyncClient, app: FastAPI
) -> None:
    address = "first.last+tag@mail.example.com"
    assert not re.search(REFUSED_PATTERN, address)
    body = {"email": address, "password": PASSWORD, "full_name": "E"}
    response = await client.post(app.url_path_for("register"), json=body)
    assert response.status_code == 201
    assert response.json()["email"] == address
