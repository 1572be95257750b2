"""Login pseudonyms: a keyed hash (HMAC-SHA-256) of a token's issuer and subject, so that two
services holding the same key can tell that a caller is the person an event spoke of without the
event naming their login (decision 0013).

The key is a secret shared by exactly the services that must recognise each other's callers
(intake and matching). It comes from a setting (`<PREFIX>PSEUDONYM_KEY`) or from a file
(`<PREFIX>PSEUDONYM_KEY_FILE`, default `<data_dir>/keys/pseudonym.key`); `make run` and the tests
make a local one with `ensure_pseudonym_key`, as they make the local signing keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

PSEUDONYM_KEY = "pseudonym.key"
PATTERN = r"^[0-9a-f]{64}$"
"""What a login pseudonym looks like: 64 lower-case hex digits."""
MIN_KEY_BYTES = 32


class PseudonymKeyError(ValueError):
    """The configured key cannot be used; the message says why (never the key)."""


@dataclass(frozen=True)
class LoginPseudonyms:
    """Turns the subject of a token of `issuer` into its pseudonym under the shared key."""

    key: bytes
    issuer: str

    def of(self, subject: str) -> str:
        # issuer and subject joined by a separator neither may contain unescaped: "a|b" + "c" and
        # "a" + "b|c" must not hash alike
        message = f"{len(self.issuer)}:{self.issuer}|{subject}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def is_of(self, pseudonym: str | None, subject: str) -> bool:
        """Whether `pseudonym` is the subject's (constant time)."""
        return pseudonym is not None and hmac.compare_digest(pseudonym, self.of(subject))


def load_pseudonym_key(secret: str | None, file: Path | None) -> bytes | None:
    """The key from the setting, else from the file; None when neither is there."""
    text = secret if secret else (file.read_text(encoding="utf-8") if file is not None and file.is_file() else None)
    if text is None:
        return None
    key = text.strip().encode()
    if len(key) < MIN_KEY_BYTES:
        raise PseudonymKeyError(
            f"the pseudonym key is too short ({len(key)} bytes; at least {MIN_KEY_BYTES}, e.g. 64 hex digits)"
        )
    return key


def ensure_pseudonym_key(key_dir: Path) -> Path:
    """Creates a random local key in `key_dir` unless one exists; returns its path."""
    key_dir.mkdir(parents=True, exist_ok=True)
    path = key_dir / PSEUDONYM_KEY
    if not path.is_file():
        path.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path


def pseudonyms_for(*, secret: str | None, file: Path | None, issuer: str) -> LoginPseudonyms | None:
    """The service's login pseudonyms (for tokens of `issuer`), or None when no key is configured."""
    key = load_pseudonym_key(secret, file)
    return LoginPseudonyms(key, issuer) if key is not None else None
