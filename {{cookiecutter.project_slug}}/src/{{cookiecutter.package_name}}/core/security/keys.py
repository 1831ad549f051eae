"""The keys behind the tokens: the one that signs, and every one that still verifies.

Each key has one algorithm (RFC 8725) and a `kid`, its RFC 7638 thumbprint,
which every token carries. Rotation is a deploy: the new key signs, the keys
it replaced (`JWT_PREVIOUS_KEYS`) keep verifying the tokens they signed
until those expire. Public keys are published as a JWK set, so a sibling
service verifies these tokens with no shared secret.
"""

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import (
    SECP256R1,
    EllipticCurvePrivateKey,
    EllipticCurvePublicKey,
)
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from jwt.algorithms import ECAlgorithm, HMACAlgorithm, OKPAlgorithm

from {{ cookiecutter.package_name }}.core.config import JwtAlgorithm, Settings

PublicKey = Ed25519PublicKey | EllipticCurvePublicKey
PrivateKey = Ed25519PrivateKey | EllipticCurvePrivateKey
# The members that identify a key of each type (RFC 7638 section 3.2).
_THUMBPRINT_MEMBERS = {
    "OKP": ("crv", "kty", "x"),
    "EC": ("crv", "kty", "x", "y"),
    "oct": ("k", "kty"),
}
_PEM = "-----BEGIN"


class UnusableKeyError(ValueError):
    """A key setting that cannot sign or verify; the service refuses to start with it."""


@dataclass(frozen=True, slots=True)
class VerificationKey:
    """A key that verifies tokens of one algorithm; `jwk` is its public form, if it has one."""

    kid: str
    algorithm: JwtAlgorithm
    key: str | PublicKey
    jwk: Mapping[str, str] | None


@dataclass(frozen=True, slots=True)
class SigningKey:
    """The key that signs new tokens, and the key that verifies them."""

    private: str | PrivateKey
    verification: VerificationKey


def _thumbprint(jwk: Mapping[str, Any]) -> str:
    """The RFC 7638 thumbprint of `jwk`: base64url of the SHA-256 of its identifying members."""
    members = {name: jwk[name] for name in _THUMBPRINT_MEMBERS[jwk["kty"]]}
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()


def _secret(secret: str) -> VerificationKey:
    """An HS256 secret; never published."""
    kid = _thumbprint(HMACAlgorithm.to_jwk(secret, as_dict=True))
    return VerificationKey(kid=kid, algorithm=JwtAlgorithm.HS256, key=secret, jwk=None)


def _public(key: object, setting: str) -> VerificationKey:
    """A public key, with the algorithm its type allows and its JWK."""
    if isinstance(key, Ed25519PublicKey):
        algorithm, jwk = JwtAlgorithm.EDDSA, OKPAlgorithm.to_jwk(key, as_dict=True)
    elif isinstance(key, EllipticCurvePublicKey) and isinstance(key.curve, SECP256R1):
        algorithm, jwk = JwtAlgorithm.ES256, ECAlgorithm.to_jwk(key, as_dict=True)
    else:
        msg = f"{setting}: only Ed25519 (EdDSA) and P-256 (ES256) keys are supported"
        raise UnusableKeyError(msg)
    kid = _thumbprint(jwk)
    published = {**jwk, "kid": kid, "alg": algorithm.value, "use": "sig"}
    return VerificationKey(kid=kid, algorithm=algorithm, key=key, jwk=published)


def _load_pem(pem: str, setting: str) -> object:
    """A PEM private or public key; anything else is refused, naming `setting`."""
    data = pem.strip().encode()
    try:
        if b"PRIVATE KEY" in data.split(b"\n", 1)[0]:
            return serialization.load_pem_private_key(data, password=None)
        return serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as error:
        msg = f"{setting}: not an unencrypted PEM key ({error})"
        raise UnusableKeyError(msg) from None


def _signing_key(settings: Settings) -> SigningKey:
    """The current key: `SECRET_KEY` for HS256, else the private key of the algorithm."""
    if settings.jwt_algorithm is JwtAlgorithm.HS256:
        secret = settings.secret_key.get_secret_value()
        return SigningKey(private=secret, verification=_secret(secret))
    private = _load_pem(settings.jwt_signing_pem(), "JWT_PRIVATE_KEY")
    if not isinstance(private, PrivateKey):
        msg = "JWT_PRIVATE_KEY: a private key is needed to sign"
        raise UnusableKeyError(msg)
    verification = _public(private.public_key(), "JWT_PRIVATE_KEY")
    if verification.algorithm is not settings.jwt_algorithm:
        msg = (
            f"JWT_PRIVATE_KEY: the key is for {verification.algorithm}, "
            f"not {settings.jwt_algorithm}"
        )
        raise UnusableKeyError(msg)
    return SigningKey(private=private, verification=verification)


def _previous_key(value: str) -> VerificationKey:
    """A key that signed before: a PEM key (private or public), else an HS256 secret."""
    if not value.lstrip().startswith(_PEM):
        return _secret(value)
    key = _load_pem(value, "JWT_PREVIOUS_KEYS")
    return _public(key.public_key() if isinstance(key, PrivateKey) else key, "JWT_PREVIOUS_KEYS")


class KeyRing:
    """The signing key and every verification key by `kid`; built once at start-up."""

    def __init__(self, signing: SigningKey, previous: Iterable[VerificationKey] = ()) -> None:
        self.signing = signing
        self._by_kid = {key.kid: key for key in (*previous, signing.verification)}

    @classmethod
    def from_settings(cls, settings: Settings) -> "KeyRing":
        """The keys configured by `settings`; one that cannot serve raises `UnusableKeyError`."""
        previous = [_previous_key(key.get_secret_value()) for key in settings.jwt_previous_keys]
        return cls(_signing_key(settings), previous)

    def verification_key(self, kid: str) -> VerificationKey | None:
        """The key a token's `kid` names, if this service still trusts it."""
        return self._by_kid.get(kid)

    def public_jwks(self) -> list[Mapping[str, str]]:
        """The public keys, current one first, as JWKs (RFC 7517); secrets never appear."""
        keys = sorted(self._by_kid.values(), key=lambda key: key is not self.signing.verification)
        return [key.jwk for key in keys if key.jwk is not None]
