"""An OpenID Connect identity provider that the tests run: keys made here, served over real HTTP.

It publishes a discovery document and a key set on a free local port, as
Keycloak or Auth0 would, and signs tokens with its private keys; the service
under test finds and fetches the keys itself, through PyJWT's verification.
"""

import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import uuid4

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

AUDIENCE = "{{ cookiecutter.project_slug }}-api"
ALGORITHM = "RS256"


class IdentityProvider:
    """Signs tokens and serves its discovery document and key set until stopped."""

    def __init__(self) -> None:
        self._keys: dict[str, rsa.RSAPrivateKey] = {}
        # What a test adds to the key set, or changes in the discovery document.
        self.extra_jwks: list[object] = []
        self.metadata: dict[str, Any] = {}
        self.key_set_fetches = 0
        self.kid = self.rotate()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def rotate(self) -> str:
        """Make a new signing key, published beside the others; its `kid`."""
        kid = uuid4().hex
        self._keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = kid
        return kid

    def token_jwk(self) -> dict[str, Any]:
        """The current public key as a JWK, without its `kid`."""
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.public_key(), as_dict=True)
        return jwk

    def public_key(self, kid: str | None = None) -> rsa.RSAPublicKey:
        """The public half of a key (the current one by default)."""
        return self._keys[kid or self.kid].public_key()

    def token(
        self,
        subject: str,
        *,
        roles: Sequence[str] = (),
        kid: str | None = None,
        headers: Mapping[str, object] | None = None,
        **claims: object,
    ) -> str:
        """A token of `subject` signed with key `kid` (the current one); claims may be overridden.

        A claim given as None is left out.
        """
        now = datetime.now(UTC)
        payload: dict[str, Any] = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + timedelta(minutes=5),
            "email": f"{subject}@example.com",
            "name": "Ada Lovelace",
            "roles": list(roles),
        } | claims
        kid = kid or self.kid
        return jwt.encode(
            {name: value for name, value in payload.items() if value is not None},
            self._keys[kid],
            algorithm=ALGORITHM,
            headers={"kid": kid, "typ": "at+jwt", **(headers or {})},
        )

    def stop(self) -> None:
        """Stop answering: the provider is down."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _documents(self) -> dict[str, dict[str, Any]]:
        keys = [
            {**RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid, "use": "sig"}
            for kid, key in self._keys.items()
        ]
        return {
            "/.well-known/openid-configuration": {
                "issuer": self.issuer,
                "jwks_uri": f"{self.issuer}/protocol/openid-connect/certs",
                "id_token_signing_alg_values_supported": [ALGORITHM],
                **self.metadata,
            },
            "/protocol/openid-connect/certs": {"keys": [*keys, *self.extra_jwks]},
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                document = provider._documents().get(self.path)
                if self.path.endswith("/certs"):
                    provider.key_set_fetches += 1
                body = json.dumps(document).encode()
                self.send_response(200 if document is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Quiet: the tests' output is for their failures."""

        return Handler


@contextmanager
def running_identity_provider() -> Iterator[IdentityProvider]:
    """A provider that answers until the block ends."""
    provider = IdentityProvider()
    try:
        yield provider
    finally:
        provider.stop()
