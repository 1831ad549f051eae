"""JWTs per RFC 8725: one algorithm, every claim required, token kinds kept apart."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

import jwt

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.errors import AuthenticationError

ALGORITHM = "HS256"
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
        secret_key: str,
        issuer: str,
        audience: str,
        access_ttl: timedelta,
        refresh_ttl: timedelta,
    ) -> None:
        self._jwt = jwt.PyJWT(options={"enforce_minimum_key_length": True})
        self._key = secret_key
        self._issuer = issuer
        self._audience = audience
        self._ttl = {TokenType.ACCESS: access_ttl, TokenType.REFRESH: refresh_ttl}

    @classmethod
    def from_settings(cls, settings: Settings) -> "TokenCodec":
        """The codec configured by `settings`."""
        return cls(
            secret_key=settings.secret_key.get_secret_value(),
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
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "nbf": now,
            "exp": claims.expires_at,
        }
        token = self._jwt.encode(
            payload, self._key, algorithm=ALGORITHM, headers={"typ": token_type}
        )
        return IssuedToken(token=token, claims=claims)

    def decode(self, token: str, *, expected_type: TokenType) -> TokenClaims:
        """Validate `token` as `expected_type`; any defect raises `InvalidTokenError`."""
        try:
            decoded = self._jwt.decode_complete(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
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
