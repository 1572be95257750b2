"""Key rotation takes effect within one look at the key set: a token signed with a key that has left
the JWKS is refused from then on, even though it was verified (and remembered) before and has not
expired. The clock is injected, so "five minutes later" takes no time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from qn_infra.auth import TokenVerifier
from qn_infra.clock import FixedClock
from qn_infra.errors import Unauthenticated, Unavailable
from qn_infra.settings import ServiceSettings
from qn_testkit.keys import JwksServer, KeyPair, write_jwks

pytestmark = pytest.mark.unit


@pytest.fixture
def verifier_clock() -> FixedClock:
    # the verifier's own clock; tokens are issued against the real time, so it starts there
    return FixedClock(datetime.now(UTC))


def accepted(verifier: TokenVerifier, token: str) -> bool:
    try:
        verifier.verify(token)
    except Unauthenticated:
        return False
    return True


def test_a_key_removed_from_the_jwks_file_stops_working_within_a_second(
    tmp_path: Path, verifier_clock: FixedClock
) -> None:
    old, new = KeyPair.ec(), KeyPair.ec()
    jwks = write_jwks(tmp_path / "jwks.json", old)
    verifier = TokenVerifier(ServiceSettings(auth_jwks_file=jwks, data_dir=tmp_path), clock=verifier_clock)
    old_token, new_token = old.token(), new.token()
    assert accepted(verifier, old_token)
    assert not accepted(verifier, new_token)

    write_jwks(jwks, new)  # the operator rotates: the old key leaves the set
    verifier_clock.advance(seconds=1.01)

    assert not accepted(verifier, old_token), "a remembered token of the removed key is refused"
    assert accepted(verifier, new_token)


def test_a_half_written_jwks_file_keeps_the_keys_it_had(tmp_path: Path, verifier_clock: FixedClock) -> None:
    key = KeyPair.ec()
    jwks = write_jwks(tmp_path / "jwks.json", key)
    verifier = TokenVerifier(ServiceSettings(auth_jwks_file=jwks, data_dir=tmp_path), clock=verifier_clock)
    token = key.token()
    assert accepted(verifier, token)

    jwks.write_text('{"keys": [{"kty": "EC", "crv"')
    verifier_clock.advance(seconds=2)
    assert accepted(verifier, token)

    jwks.unlink()  # the operator removed the key set altogether
    verifier_clock.advance(seconds=2)
    assert not accepted(verifier, token)


@pytest.fixture
def identity_provider() -> Iterator[JwksServer]:
    with JwksServer().running() as server:
        yield server


def url_verifier(url: str, clock: FixedClock, refresh_seconds: float = 300) -> TokenVerifier:
    settings = ServiceSettings(auth_jwks_url=url, auth_jwks_refresh_seconds=refresh_seconds)
    return TokenVerifier(settings, clock=clock)


def test_a_key_removed_from_the_jwks_url_stops_working_at_the_next_refresh(
    identity_provider: JwksServer, verifier_clock: FixedClock
) -> None:
    old, new = KeyPair.ec(), KeyPair.rsa()
    identity_provider.keys = [old]
    verifier = url_verifier(identity_provider.url, verifier_clock, refresh_seconds=300)
    old_token = old.token()
    assert accepted(verifier, old_token)

    identity_provider.keys = [new]
    verifier_clock.advance(seconds=299)
    assert accepted(verifier, old_token), "until the refresh, the set as last fetched counts"
    verifier_clock.advance(seconds=2)
    assert not accepted(verifier, old_token)
    assert accepted(verifier, new.token())
    assert identity_provider.fetches == 2


def test_a_new_key_is_fetched_when_a_token_names_it_but_forged_key_ids_do_not_hammer_the_provider(
    identity_provider: JwksServer, verifier_clock: FixedClock
) -> None:
    old, new = KeyPair.ec(), KeyPair.ec()
    identity_provider.keys = [old]
    verifier = url_verifier(identity_provider.url, verifier_clock)
    assert accepted(verifier, old.token())
    identity_provider.keys = [old, new]

    assert not any(accepted(verifier, KeyPair.ec().token()) for _ in range(20))
    assert identity_provider.fetches == 1, "unknown key ids within the cooldown fetch nothing"
    verifier_clock.advance(seconds=31)
    assert accepted(verifier, new.token()), "after the cooldown, the rotated-in key is fetched at once"
    assert identity_provider.fetches == 2


def test_an_unreachable_identity_provider_keeps_the_last_keys(
    identity_provider: JwksServer, verifier_clock: FixedClock
) -> None:
    key = KeyPair.ec()
    identity_provider.keys = [key]
    verifier = url_verifier(identity_provider.url, verifier_clock, refresh_seconds=60)
    token = key.token()
    assert accepted(verifier, token)

    identity_provider.failing = True
    verifier_clock.advance(seconds=61)
    assert accepted(verifier, token)
    assert identity_provider.fetches == 2


def test_an_identity_provider_down_since_start_up_is_a_503_to_retry_not_a_401(
    identity_provider: JwksServer, verifier_clock: FixedClock
) -> None:
    """A 401 tells a client its token is bad and to sign in again; the token is fine, the key set
    just cannot be read. Once the provider answers (after the retry pause), the same token works."""
    key = KeyPair.ec()
    identity_provider.keys = [key]
    identity_provider.failing = True
    verifier = url_verifier(identity_provider.url, verifier_clock)
    token = key.token()
    with pytest.raises(Unavailable) as refused:
        verifier.verify(token)
    assert refused.value.extra["reason"] == "signing_keys_unreachable"

    identity_provider.failing = False
    verifier_clock.advance(seconds=31)
    assert accepted(verifier, token)


def test_a_token_of_an_unknown_key_is_still_a_401_while_the_provider_answers(
    identity_provider: JwksServer, verifier_clock: FixedClock
) -> None:
    identity_provider.keys = [KeyPair.ec()]
    verifier = url_verifier(identity_provider.url, verifier_clock)
    with pytest.raises(Unauthenticated):
        verifier.verify(KeyPair.ec().token())
