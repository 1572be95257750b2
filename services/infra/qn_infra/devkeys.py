"""Local signing keys and tokens for the embedded default: on first run a key pair is generated
under `var/keys/` (the services read `jwks.json`); `make token ROLE=...` prints a token whose team
and organisation are ones the demo city (`deploy/demo-city/city.toml`) knows.

In production the city's identity provider issues tokens and the services read its JWKS URL."""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
import uuid
from dataclasses import dataclass
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


@dataclass(frozen=True)
class DevCity:
    """The teams and organisations of the city a local token is for (from its `city.toml`), so
    that `make token` hands out ids the services know. Empty when there is no city file."""

    teams: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()

    @classmethod
    def read(cls, city_dir: Path) -> DevCity:
        path = city_dir / "city.toml"
        if not path.is_file():
            return cls()
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(
            teams=tuple(str(t["id"]) for t in raw.get("teams", []) if "id" in t),
            organisations=tuple(str(o["id"]) for o in raw.get("organisations", []) if "id" in o),
        )

    @property
    def default_team(self) -> str | None:
        """The team a team member's token gets when none is named: the city's first."""
        return self.teams[0] if self.teams else None


# roles whose work is scoped to a team, and the one scoped to an organisation
TEAM_ROLES = frozenset({Role.TEAM_STAFF.value, Role.KUEMMERER.value})
ORG_ROLE = Role.CARRIER.value


class TokenRequestError(ValueError):
    """A `make token` request the services would not make sense of; the text says what to write."""


def token_claims(
    city: DevCity, *, roles: list[str], org: str | None = None, team: str | None = None
) -> tuple[str | None, str | None]:
    """The (org, team) a local token for `roles` carries, checked against the city."""
    known = [r.value for r in Role]
    unknown = [r for r in roles if r not in known]
    if unknown or not roles:
        raise TokenRequestError(f"Unknown ROLE {','.join(unknown) or '(none)'}; known roles: {', '.join(known)}.")
    if ORG_ROLE in roles and not org:
        raise TokenRequestError(
            f"A carrier token needs ORG=<organisation>; {_known('organisations', city.organisations)}"
            f" (e.g. make token ROLE=carrier ORG={city.organisations[0] if city.organisations else 'awo-dessau'})."
        )
    if org and city.organisations and org not in city.organisations:
        raise TokenRequestError(f"Unknown ORG {org}; {_known('organisations', city.organisations)}.")
    if team and city.teams and team not in city.teams:
        raise TokenRequestError(f"Unknown TEAM {team}; {_known('teams', city.teams)}.")
    if not team and TEAM_ROLES.intersection(roles):
        team = city.default_team
    return org, team


def _known(what: str, ids: tuple[str, ...]) -> str:
    return f"the city knows these {what}: {', '.join(ids)}" if ids else f"no {what} are configured"


def example_commands(city: DevCity) -> list[tuple[str, str]]:
    """(role, the `make token` line for it) for every role, as the start banner shows them."""
    lines = []
    for role in Role:
        command = f"make token ROLE={role.value}"
        if role.value == ORG_ROLE and city.organisations:
            command += f" ORG={city.organisations[0]}"
        note = ""
        if role.value in TEAM_ROLES and city.default_team:
            others = "|".join(city.teams[1:])
            note = f"team {city.default_team}" + (f"; others: TEAM={others}" if others else "")
        elif role.value == ORG_ROLE and city.organisations:
            note = "others: ORG=" + "|".join(city.organisations[1:])
        lines.append((role.value, f"{command:<44}{note}".rstrip()))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qn_infra.devkeys", description="Print a local bearer token.")
    parser.add_argument("--role", action="append", required=True, help=f"one of {[r.value for r in Role]}")
    parser.add_argument("--subject", default="dev-user")
    parser.add_argument("--org", help="carrier or office id (for role carrier)")
    parser.add_argument("--team", help="team id (team staff and Kümmerer get the city's first team by default)")
    parser.add_argument("--key-dir", type=Path, default=Path("var/keys"))
    parser.add_argument("--city-dir", type=Path, default=Path("deploy/demo-city"), help="where city.toml is")
    parser.add_argument("--ttl-hours", type=float, default=12)
    args = parser.parse_args(argv)
    roles = [r for value in args.role for r in value.split(",") if r]
    try:
        org, team = token_claims(DevCity.read(args.city_dir), roles=roles, org=args.org, team=args.team)
    except TokenRequestError as exc:
        print(f"No token: {exc}", file=sys.stderr)
        return 2
    # only the token on standard output: `export TOKEN=$(make -s token ...)`
    print(
        issue_token(
            args.key_dir,
            roles=roles,
            subject=args.subject,
            org=org,
            team=team,
            ttl_seconds=int(args.ttl_hours * 3600),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
