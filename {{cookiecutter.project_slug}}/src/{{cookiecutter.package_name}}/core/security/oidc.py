"""Bearer tokens of an OpenID Connect provider, verified with the keys it publishes.

The keys are found once by discovery (`{issuer}/.well-known/openid-configuration`
names the `jwks_uri`), fetched with httpx on the event loop, never blocking
it, and kept. A token whose `kid` is not among them fetches the set again,
at most once per `OIDC_JWKS_MIN_REFRESH_SECONDS` however many requests carry
it; so does a set older than `OIDC_JWKS_MAX_AGE_SECONDS`, so keys the
provider dropped stop verifying. A failed fetch keeps the last good set:
while the provider is down, known keys keep verifying, and an unknown `kid`
is a 401 at once, never a wait or a 500.
"""

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
import structlog

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.errors import (
    AuthenticationError,
    ServiceUnavailableError,
)

REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]
# `typ` headers of access tokens (RFC 9068, and the plain JWT of Keycloak and Auth0):
# a refresh or ID token of the same issuer, typed otherwise, is no access token.
ACCESS_TOKEN_TYPES = frozenset({"jwt", "at+jwt", "application/at+jwt"})
MAX_SUBJECT_LENGTH = 255
logger = structlog.get_logger(__name__)


class InvalidTokenError(AuthenticationError):
    """The token is malformed, expired, not the provider's, or its account is deactivated.

    One error for every defect: a client learns nothing about which check failed.
    """

    description = "Invalid or expired token."


class IdentityProviderUnavailableError(ServiceUnavailableError):
    """No key of the identity provider was ever fetched: no token can be verified yet."""

    description = "The identity provider's keys could not be fetched."


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a valid token says the caller is, at which provider, and with which roles."""

    issuer: str
    subject: str
    email: str | None
    name: str | None
    roles: frozenset[str]


def _text_claim(claims: Mapping[str, Any], name: str, max_length: int) -> str | None:
    """A string claim if it is one and fits its column; else nothing."""
    value = claims.get(name)
    return value if isinstance(value, str) and 0 < len(value) <= max_length else None


def _roles(claims: Mapping[str, Any], path: str) -> frozenset[str]:
    """The roles at `path`, a list of strings or one space-separated string.

    A claim of that very name comes first (Auth0's namespaced claims are URLs,
    dots included); else `path` is a dotted path into nested claims.
    """
    value: object = claims.get(path)
    if value is None:
        value = claims
        for part in path.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list):
        return frozenset(role for role in value if isinstance(role, str))
    return frozenset()


class ProviderKeys:
    """The provider's signing keys by `kid`, fetched by discovery and kept (see the module)."""

    def __init__(
        self,
        *,
        issuer: str,
        algorithms: frozenset[str],
        timeout_seconds: float,
        min_refresh_seconds: float,
        max_age_seconds: float,
    ) -> None:
        self._issuer = issuer
        self._algorithms = algorithms
        self._timeout_seconds = timeout_seconds
        self._min_refresh_seconds = min_refresh_seconds
        self._max_age_seconds = max_age_seconds
        self._client = httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False)
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = -float("inf")
        self._attempted_at = -float("inf")
        self._fetching = asyncio.Lock()

    @property
    def held(self) -> bool:
        """Whether any key is held, so tokens can be verified."""
        return bool(self._keys)

    async def get(self, kid: str) -> jwt.PyJWK | None:
        """The key `kid` names, fetching the set again if it is unknown or old (rate-limited)."""
        key = self._keys.get(kid)
        if key is None or time.monotonic() - self._fetched_at > self._max_age_seconds:
            await self.refresh()
            key = self._keys.get(kid)
        return key

    async def refresh(self) -> None:
        """Fetch the set unless a fetch was tried within `min_refresh_seconds`; keep it on failure.

        Requests that arrive during a fetch wait for it (up to the timeout) and
        share its result instead of fetching again.
        """
        async with self._fetching:
            if time.monotonic() - self._attempted_at < self._min_refresh_seconds:
                return
            self._attempted_at = time.monotonic()
            try:
                async with asyncio.timeout(self._timeout_seconds):
                    keys = await self._fetch()
            except (httpx.HTTPError, TimeoutError, ValueError, KeyError, TypeError) as error:
                logger.warning(
                    "identity provider keys not fetched; the last ones fetched stay in use",
                    issuer=self._issuer,
                    error=type(error).__name__,
                    keys_held=len(self._keys),
                )
                return
            self._keys, self._fetched_at = keys, time.monotonic()

    async def aclose(self) -> None:
        """Close the HTTP connections (at app shutdown)."""
        await self._client.aclose()

    async def _get_json(self, url: str) -> dict[str, Any]:
        response = await self._client.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict):
            msg = f"{url} is not a JSON object"
            raise TypeError(msg)
        return document

    async def _fetch(self) -> dict[str, jwt.PyJWK]:
        """Discovery, then the key set; keys of an algorithm not allowed are left out."""
        metadata = await self._get_json(
            self._issuer.rstrip("/") + "/.well-known/openid-configuration"
        )
        if metadata.get("issuer") != self._issuer:
            msg = "the discovery document names another issuer"
            raise ValueError(msg)
        jwks_uri = str(metadata["jwks_uri"])
        same_origin = urlsplit(jwks_uri).netloc == urlsplit(self._issuer).netloc
        if urlsplit(jwks_uri).scheme != "https" and not same_origin:
            msg = "the key set is not served over https"
            raise ValueError(msg)
        keys: dict[str, jwt.PyJWK] = {}
        for jwk in (await self._get_json(jwks_uri))["keys"]:
            if not isinstance(jwk, dict) or jwk.get("use", "sig") != "sig" or "kid" not in jwk:
                continue
            try:
                key = jwt.PyJWK(jwk)
            except jwt.PyJWTError:  # A key type this service cannot use; the others still serve.
                continue
            if key.algorithm_name in self._algorithms:
                keys[str(jwk["kid"])] = key
        return keys


class OidcVerifier:
    """Turns a bearer token into an `Identity`; built once at start-up from the settings."""

    def __init__(self, keys: ProviderKeys, settings: Settings) -> None:
        self.keys = keys
        self._jwt = jwt.PyJWT()
        self._issuer = settings.oidc_issuer
        self._audience = settings.oidc_audience
        self._leeway = settings.oidc_leeway_seconds
        self._roles_claim = settings.oidc_roles_claim
        self.superuser_role = settings.oidc_superuser_role

    @classmethod
    def from_settings(cls, settings: Settings) -> "OidcVerifier":
        """The verifier of the provider `settings` name."""
        keys = ProviderKeys(
            issuer=settings.oidc_issuer,
            algorithms=frozenset(settings.oidc_algorithms),
            timeout_seconds=settings.oidc_http_timeout_seconds,
            min_refresh_seconds=settings.oidc_jwks_min_refresh_seconds,
            max_age_seconds=settings.oidc_jwks_max_age_seconds,
        )
        return cls(keys, settings)

    async def verify(self, token: str) -> Identity:
        """The identity `token` proves; any defect raises `InvalidTokenError`.

        The `kid` header chooses the key and the key its one algorithm, from the
        allow-list: `none`, HMAC, or another algorithm named in the header fail.
        A `typ` other than an access token's (a refresh or ID token) fails too.
        """
        try:
            header = jwt.get_unverified_header(token)
            if str(header.get("typ", "JWT")).lower() not in ACCESS_TOKEN_TYPES:
                raise InvalidTokenError
            key = await self.keys.get(header.get("kid", ""))
            if key is None:
                raise InvalidTokenError
            claims = self._jwt.decode(
                token,
                key,
                algorithms=[key.algorithm_name],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as error:
            raise InvalidTokenError from error
        subject = _text_claim(claims, "sub", MAX_SUBJECT_LENGTH)
        if subject is None:
            raise InvalidTokenError
        return Identity(
            issuer=self._issuer,
            subject=subject,
            email=_text_claim(claims, "email", 320),
            name=_text_claim(claims, "name", 200),
            roles=_roles(claims, self._roles_claim),
        )

    async def check_ready(self) -> None:
        """Raise `IdentityProviderUnavailableError` while no key of the provider is held."""
        if not self.keys.held:
            await self.keys.refresh()
        if not self.keys.held:
            raise IdentityProviderUnavailableError
