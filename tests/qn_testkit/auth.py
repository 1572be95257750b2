"""Bearer tokens for tests, signed with a key pair made for the test session."""

from __future__ import annotations

from pathlib import Path

from qn_infra.devkeys import ensure_keys, issue_token


class Tokens:
    def __init__(self, key_dir: Path) -> None:
        self.key_dir = key_dir
        ensure_keys(key_dir)

    @property
    def jwks_file(self) -> Path:
        return self.key_dir / "jwks.json"

    def __call__(self, *roles: str, subject: str = "test-user", org: str | None = None, team: str | None = None) -> str:
        return issue_token(self.key_dir, roles=list(roles), subject=subject, org=org, team=team)

    def headers(self, *roles: str, **kwargs: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self(*roles, **kwargs)}"}
