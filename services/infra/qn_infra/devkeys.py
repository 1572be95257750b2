"""Local signing keys and tokens for the embedded default: on first run a key pair is generated
under `var/keys/` (the services read `jwks.json`); `make token ROLE=...` prints a token.

In production the city's identity provider issues tokens and the services read its JWKS URL."""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from .auth import Role

PRIVATE_KEY = "signing-key.pem"
JWKS = "jwks.json"
DEFAULT_ISSUER = "quartiersnetz-local"
DEFAULT_AUDIENCE = "quartiersnetz"


def ensure_keys(key_dir: Path) -> Path:
    """Creates an ES256 key pair and its JWKS in `key_dir` unless they exist; returns the private key path."""
    key_dir.mkdir(parents=True, exist_ok=True)
    private_path = key_dir / PRIVATE_KEY
    if private_path.is_file() and (key_dir / JWKS).is_file():
        return private_path
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    private_path.write_bytes(pem)
    private_path.chmod(0o600)
    public_jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    public_jwk.update({"kid": _kid(key_dir), "use": "sig", "alg": "ES256"})
    (key_dir / JWKS).write_text(json.dumps({"keys": [public_jwk]}, indent=2))
    return private_path


def _kid(key_dir: Path) -> str:
    kid_file = key_dir / "kid"
    if not kid_file.is_file():
        kid_file.write_text(uuid.uuid4().hex[:16])
    return kid_file.read_text().strip()


def issue_token(
    key_dir: Path,
    *,
    roles: list[str],
    subject: str = "dev-user",
    org: str | None = None,
    team: str | None = None,
    issuer: str = DEFAULT_ISSUER,
    audience: str = DEFAULT_AUDIENCE,
    ttl_seconds: int = 12 * 3600,
) -> str:
    private_path = ensure_keys(key_dir)
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": now,
        "exp": now + ttl_seconds,
        "roles": roles,
    }
    if org:
        claims["org"] = org
    if team:
        claims["team"] = team
    return jwt.encode(claims, private_path.read_bytes(), algorithm="ES256", headers={"kid": _kid(key_dir)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qn_infra.devkeys", description="Print a local bearer token.")
    parser.add_argument("--role", action="append", required=True, help=f"one of {[r.value for r in Role]}")
    parser.add_argument("--subject", default="dev-user")
    parser.add_argument("--org", help="carrier or office id (for role carrier)")
    parser.add_argument("--team", help="team id (for team staff)")
    parser.add_argument("--key-dir", type=Path, default=Path("var/keys"))
    parser.add_argument("--ttl-hours", type=float, default=12)
    args = parser.parse_args(argv)
    known = {r.value for r in Role}
    roles = [r for value in args.role for r in value.split(",") if r]
    unknown = [r for r in roles if r not in known]
    if unknown:
        parser.error(f"unknown role(s) {unknown}; choose from {sorted(known)}")
    print(
        issue_token(
            args.key_dir,
            roles=roles,
            subject=args.subject,
            org=args.org,
            team=args.team,
            ttl_seconds=int(args.ttl_hours * 3600),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
