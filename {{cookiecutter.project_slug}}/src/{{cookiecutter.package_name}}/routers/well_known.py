"""The public keys of this service's tokens, and where to find them (public).

A sibling service built with `auth=oidc` and `OIDC_ISSUER` set to this
service's `JWT_ISSUER` (its URL) reads the metadata, then the keys, and
verifies these tokens with no shared secret.
"""

from fastapi import APIRouter, Request

from {{ cookiecutter.package_name }}.dependencies.auth import TokenCodecDep
from {{ cookiecutter.package_name }}.schemas.keys import IssuerMetadata, JsonWebKeySet

router = APIRouter(prefix="/.well-known", tags=["keys"])


@router.get("/jwks.json", name="jwks", response_model_exclude_none=True)
async def jwks(codec: TokenCodecDep) -> JsonWebKeySet:
    """The public keys that verify this service's tokens, current first (none with HS256)."""
    return JsonWebKeySet.model_validate({"keys": codec.keys.public_jwks()})


@router.get("/openid-configuration", name="issuer_metadata")
async def issuer_metadata(request: Request, codec: TokenCodecDep) -> IssuerMetadata:
    """The issuer its tokens name, and the addresses of its keys and its token endpoint."""
    return IssuerMetadata(
        issuer=codec.issuer,
        jwks_uri=str(request.url_for("jwks")),
        token_endpoint=str(request.url_for("token")),
    )
