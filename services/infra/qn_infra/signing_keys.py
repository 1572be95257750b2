"""The keys that may sign bearer tokens: the JWKS of the city's identity provider (a URL) or a
local file, kept current so that a key taken out of the set stops working within one refresh.

A file is looked at no more than once a second and parsed again when it changed; a URL is fetched
every `auth_jwks_refresh_seconds`, and early when a token names a key the set does not hold yet
(a new key after a rotation), at most once per cooldown so that forged key ids cannot make the
service hammer the identity provider. A set that cannot be read keeps the keys it had: a broken
download must not lock everyone out, and it cannot bring back a key that was removed."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jwt import PyJWK, PyJWKClient
from jwt.exceptions import PyJWKClientError, PyJWTError

from .clock import Clock, SystemClock
from .logs import get_logger

log = get_logger(__name__)

FILE_CHECK_SECONDS = 1.0
UNKNOWN_KEY_COOLDOWN_SECONDS = 30.0
RETRY_AFTER_FAILURE_SECONDS = 30.0


@dataclass(frozen=True)
class SigningKey:
    """One public key of the set. `fingerprint` names the key material and its parameters, so a
    cached verification can ask "is my key still in the set?" after any reload."""

    fingerprint: str
    kid: str | None
    jwk: Mapping[str, Any]


def fingerprint(jwk: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(jwk, sort_keys=True, default=str).encode()).hexdigest()


def parse_key_set(data: Any) -> dict[str, SigningKey]:
    """The signature keys of a JWKS document by fingerprint; members that are no key are skipped."""
    members = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(members, list):
        raise ValueError("a JWKS document is an object with a 'keys' list")
    keys: dict[str, SigningKey] = {}
    for jwk in members:
        if not isinstance(jwk, dict) or jwk.get("use", "sig") != "sig" or not isinstance(jwk.get("kty"), str):
            continue
        kid = jwk.get("kid")
        key = SigningKey(fingerprint(jwk), kid if isinstance(kid, str) else None, jwk)
        keys[key.fingerprint] = key
    return keys


class SigningKeys:
    """The current key set from `file` or `url`. `due()` costs nothing; `refresh()` does the I/O
    (callers in an event loop run it in a worker thread)."""

    def __init__(
        self,
        *,
        file: Path | None = None,
        url: str = "",
        refresh_seconds: float = 300.0,
        clock: Clock | None = None,
        fetch: Callable[[str], Any] | None = None,
    ) -> None:
        if not file and not url:
            raise ValueError("signing keys need a JWKS file or URL")
        self._file = file
        self._url = url
        self._interval = FILE_CHECK_SECONDS if not url else refresh_seconds
        self._clock: Clock = clock or SystemClock()
        self._fetch = fetch or _fetcher(url)
        self._keys: dict[str, SigningKey] = {}
        self._prepared: dict[tuple[str, str], PyJWK | None] = {}
        self._next_check: float | None = None
        self._last_fetch: float | None = None
        self._file_content: bytes | None = None
        self._last_load_failed = False
        self._lock = threading.Lock()

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def due(self) -> bool:
        """Whether the source should be looked at before the set is trusted again."""
        return self._next_check is None or self._now() >= self._next_check

    @property
    def unreachable(self) -> bool:
        """Whether the set is empty because the source could not be read (the identity provider
        is down or answers garbage) -- the caller's token may be fine, so that is no 401."""
        return self._last_load_failed and not self._keys

    def holds(self, key_fingerprint: str) -> bool:
        return key_fingerprint in self._keys

    def refresh(self) -> None:
        """Looks at the source if that is due."""
        with self._lock:
            if self.due():
                self._load()

    def candidates(self, kid: str | None, algorithm: str) -> list[tuple[SigningKey, PyJWK]]:
        """Keys that may have signed a token with this header, prepared for `algorithm`. A key id
        the set does not know makes a URL source look again (bounded by the cooldown)."""
        found = self._matching(kid, algorithm)
        if not found and kid is not None and self._url and self._may_fetch_early():
            with self._lock:
                if self._may_fetch_early():
                    self._load()
            found = self._matching(kid, algorithm)
        return found

    def _may_fetch_early(self) -> bool:
        return self._last_fetch is None or self._now() - self._last_fetch >= min(
            UNKNOWN_KEY_COOLDOWN_SECONDS, self._interval
        )

    def _matching(self, kid: str | None, algorithm: str) -> list[tuple[SigningKey, PyJWK]]:
        found = []
        for key in list(self._keys.values()):
            if kid is not None and key.kid != kid:
                continue
            if key.jwk.get("alg", algorithm) != algorithm:
                continue
            prepared = self._prepare(key, algorithm)
            if prepared is not None:
                found.append((key, prepared))
        return found

    def _prepare(self, key: SigningKey, algorithm: str) -> PyJWK | None:
        """The key bound to one algorithm; None when the key cannot serve it (an EC key for RS256)."""
        slot = (key.fingerprint, algorithm)
        if slot not in self._prepared:
            try:
                self._prepared[slot] = PyJWK(dict(key.jwk), algorithm)
            except (PyJWTError, ValueError, TypeError):
                self._prepared[slot] = None
        return self._prepared[slot]

    def _load(self) -> None:
        now = self._now()
        try:
            keys = self._read_file() if not self._url else self._read_url(now)
        except (OSError, ValueError, PyJWKClientError) as exc:
            # keep what we had, try again soon: a broken download must not lock everyone out
            log.warning("signing_keys_unreadable", source="url" if self._url else "file", error=type(exc).__name__)
            self._last_load_failed = True
            self._next_check = now + min(RETRY_AFTER_FAILURE_SECONDS, self._interval)
            return
        self._last_load_failed = False
        if keys is not None:
            removed = len(set(self._keys) - set(keys))
            if self._keys and (removed or len(keys) != len(self._keys)):
                log.info("signing_keys_changed", keys=len(keys), removed=removed)
            self._keys = keys
            self._prepared = {slot: key for slot, key in self._prepared.items() if slot[0] in keys}
        self._next_check = now + self._interval

    def _read_file(self) -> dict[str, SigningKey] | None:
        """The file's keys, or None when it did not change since the last read. Compared by
        content, not by modification time: two writes within one timestamp tick (a few
        milliseconds on many file systems) would look like one."""
        assert self._file is not None
        try:
            content = self._file.read_bytes()
        except FileNotFoundError:
            self._file_content = None
            return {}
        if content == self._file_content:
            return None
        keys = parse_key_set(json.loads(content))
        # remembered only once parsed: a half-written file is read again on the next check
        self._file_content = content
        return keys

    def _read_url(self, now: float) -> dict[str, SigningKey]:
        self._last_fetch = now
        return parse_key_set(self._fetch(self._url))


def _fetcher(url: str) -> Callable[[str], Any]:
    if not url:
        return lambda _: {"keys": []}
    # PyJWT's client does the HTTP (no redirects, a timeout); the caching is ours, on the clock
    client = PyJWKClient(url, cache_jwk_set=False, cache_keys=False, timeout=10)
    return lambda _: client.fetch_data()
