"""JWTs per RFC 8725: one algorithm per key, every claim required, token kinds kept apart."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

import jwt

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.errors import AuthenticationError
from {{ cookiecutter.package_name }}.core.security.keys import KeyRing

REQUIRED_CLAIMS = ["exp", "iat", "nbf", "sub", "iss", "aud", "jti"]


class InvalidTokenError(AuthenticationError):
    """The token is malformed, expired, of the wrong kind, or its account is gone.

    One error for every defect: a client learns nothing about which check failed.
    """

    description = "Invalid or expired token."


class TokenType(StrEnum):
    """The `typ` header of each kind; an access token never passes as a refresh token."""

    ACCESS = "at+jwt"
    REFRESH = "rt+jwt"


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """The validated claims the application uses."""

    subject: UUID
    token_id: UUID
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """An encoded token with the claims it carries."""

    token: str
    claims: TokenClaims


class TokenCodec:
    """Issues and validates tokens; built once at start-up from the settings."""

    def __init__(
        self,
        *,
        keys: KeyRing,
        issuer: str,
        audience: str,
        access_ttl: timedelta,
        refresh_ttl: timedelta,
    ) -> None:
        self._jwt = jwt.PyJWT(options={"enforce_minimum_key_length": True})
        self.keys = keys
        self.issuer = issuer
        self._audience = audience
        self._ttl = {TokenType.ACCESS: access_ttl, TokenType.REFRESH: refresh_ttl}

    @classmethod
    def from_settings(cls, settings: Settings) -> "TokenCodec":
        """The codec configured by `settings`."""
        return cls(
            keys=KeyRing.from_settings(settings),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            access_ttl=timedelta(minutes=settings.access_token_expire_minutes),
            refresh_ttl=timedelta(days=settings.refresh_token_expire_days),
        )

    def lifetime(self, token_type: TokenType) -> timedelta:
        """How long a freshly issued token of `token_type` stays valid."""
        return self._ttl[token_type]

    def issue(self, *, subject: UUID, token_type: TokenType) -> IssuedToken:
        """Sign a new token of `token_type` for `subject`."""
        now = datetime.now(UTC).replace(microsecond=0)
        claims = TokenClaims(
            subject=subject, token_id=uuid4(), expires_at=now + self._ttl[token_type]
        )
        payload = {
            "sub": str(claims.subject),
            "jti": str(claims.token_id),
            "iss": self.issuer,
            "aud": self._audience,
            "iat": now,
            "nbf": now,
            "exp": claims.expires_at,
        }
        signing = self.keys.signing
        token = self._jwt.encode(
            payload,
            signing.private,
            algorithm=signing.verification.algorithm,
            headers={"typ": token_type, "kid": signing.verification.kid},
        )
        return IssuedToken(token=token, claims=claims)

    def decode(self, token: str, *, expected_type: TokenType) -> TokenClaims:
        """Validate `token` as `expected_type`; any defect raises `InvalidTokenError`.

        The `kid` header chooses the key, and the key its one algorithm: a
        token naming any other algorithm, or a key no longer trusted, fails.
        """
        try:
            # PyJWT refuses a `kid` that is not a string.
            key = self.keys.verification_key(jwt.get_unverified_header(token).get("kid", ""))
            if key is None:
                raise InvalidTokenError
            decoded = self._jwt.decode_complete(
                token,
                key.key,
                algorithms=[key.algorithm],
                audience=self._audience,
                issuer=self.issuer,
                options={"require": REQUIRED_CLAIMS},
            )
            if decoded["header"].get("typ") != expected_type:
                raise InvalidTokenError
            payload = decoded["payload"]
            return TokenClaims(
                subject=UUID(payload["sub"]),
                token_id=UUID(payload["jti"]),
                expires_at=datetime.fromtimestamp(payload["exp"], UTC),
            )
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise InvalidTokenError from error
