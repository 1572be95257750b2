"""Signing keys made in a test, to forge tokens and to rotate a JWKS (file or URL)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from qn_infra.devkeys import DEFAULT_AUDIENCE, DEFAULT_ISSUER


@dataclass(frozen=True)
class KeyPair:
    private_key: Any
    algorithm: str
    kid: str
    jwk: dict[str, Any]

    @classmethod
    def ec(cls, kid: str | None = None) -> KeyPair:
        key = ec.generate_private_key(ec.SECP256R1())
        kid = kid or uuid.uuid4().hex[:12]
        jwk = {**json.loads(ECAlgorithm.to_jwk(key.public_key())), "kid": kid, "use": "sig", "alg": "ES256"}
        return cls(key, "ES256", kid, jwk)

    @classmethod
    def rsa(cls, kid: str | None = None) -> KeyPair:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        kid = kid or uuid.uuid4().hex[:12]
        jwk = {**json.loads(RSAAlgorithm.to_jwk(key.public_key())), "kid": kid, "use": "sig", "alg": "RS256"}
        return cls(key, "RS256", kid, jwk)

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {"iss": DEFAULT_ISSUER, "aud": DEFAULT_AUDIENCE, "sub": "anna", "iat": now, "exp": now + 3600}
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private_key, self.algorithm, {"kid": self.kid})

    def token(self, **claims: Any) -> str:
        return self.sign(self.claims(**claims))


def jwks_of(*keys: KeyPair) -> dict[str, Any]:
    return {"keys": [key.jwk for key in keys]}


def write_jwks(path: Path, *keys: KeyPair) -> Path:
    path.write_text(json.dumps(jwks_of(*keys)))
    return path


class JwksServer:
    """A local identity provider's JWKS endpoint: `keys` is what it serves now, `fetches` counts
    how often it was asked, `failing` makes it answer 500."""

    def __init__(self, *keys: KeyPair) -> None:
        self.keys = list(keys)
        self.fetches = 0
        self.failing = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetches += 1
                body = b"down" if server.failing else json.dumps(jwks_of(*server.keys)).encode()
                self.send_response(500 if server.failing else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}/realms/demo/protocol/openid-connect/certs"

    @contextmanager
    def running(self) -> Iterator[JwksServer]:
        thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._http.shutdown()
            self._http.server_close()
