"""Published keys (RFC 7517) and where to find them (OpenID Connect discovery's fields)."""

from pydantic import BaseModel


class JsonWebKey(BaseModel):
    """A public key; `y` only for elliptic-curve keys."""

    kty: str
    crv: str
    x: str
    y: str | None = None
    kid: str
    alg: str
    use: str


class JsonWebKeySet(BaseModel):
    """Every public key that verifies this service's tokens; empty when HS256 signs."""

    keys: list[JsonWebKey]


class IssuerMetadata(BaseModel):
    """The issuer and its key set's address, read by services that verify its tokens."""

    issuer: str
    jwks_uri: str
    token_endpoint: str
