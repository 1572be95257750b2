"""Every token a client can send is either a verified caller or a 401 -- malformed, forged, signed
with the wrong key or algorithm, huge, expired: never another error (it was a 500 for a token
whose header said RS256 while the key set held an EC key)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qn_infra.auth import TokenVerifier
from qn_infra.clock import FixedClock
from qn_infra.errors import Unauthenticated, Unavailable
from qn_infra.settings import ServiceSettings
from qn_testkit.keys import KeyPair, write_jwks

pytestmark = pytest.mark.unit

ISSUE_TOKEN = "eyJhbGciOiJSUzI1NiJ9.e30.eA"  # header {"alg":"RS256"}, payload {}, a junk signature


@pytest.fixture(scope="module")
def key() -> KeyPair:
    return KeyPair.ec()


@pytest.fixture(scope="module")
def verifier(key: KeyPair, tmp_path_factory: pytest.TempPathFactory) -> TokenVerifier:
    jwks = write_jwks(tmp_path_factory.mktemp("jwks") / "jwks.json", key)
    clock = FixedClock(datetime.now(UTC))  # tokens below are issued against the real time
    return TokenVerifier(ServiceSettings(auth_jwks_file=jwks, data_dir=jwks.parent), clock=clock)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_pem(key: KeyPair) -> bytes:
    return key.private_key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)  # type: ignore[no-any-return]


def hs256(key: KeyPair, *, secret: bytes) -> str:
    """A token MACed with `secret` under our key id, written by hand (PyJWT refuses to forge it)."""
    signing_input = (
        f"{b64(json.dumps({'alg': 'HS256', 'kid': key.kid}).encode())}.{b64(json.dumps(key.claims()).encode())}"
    )
    return f"{signing_input}.{b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


def refusal(verifier: TokenVerifier, token: str) -> str:
    """The reason a token is refused; fails the test if it is accepted or raises anything else."""
    with pytest.raises(Unauthenticated) as refused:
        verifier.verify(token)
    return str(refused.value.extra["reason"])


def test_the_token_from_the_issue_is_refused_with_401_not_500(verifier: TokenVerifier) -> None:
    assert refusal(verifier, ISSUE_TOKEN) == "unknown_key"


def test_a_token_signed_with_the_right_key_names_its_caller(verifier: TokenVerifier, key: KeyPair) -> None:
    principal = verifier.verify(key.token(roles=["team_staff"], team="team-innenstadt", org="awo-dessau"))
    assert (principal.subject, principal.roles, principal.team, principal.org) == (
        "anna",
        frozenset({"team_staff"}),
        "team-innenstadt",
        "awo-dessau",
    )


def test_one_role_written_as_a_plain_string_is_one_role(verifier: TokenVerifier, key: KeyPair) -> None:
    assert verifier.verify(key.token(roles="coordinator")).roles == frozenset({"coordinator"})


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        (lambda key: KeyPair.ec(kid=key.kid).token(), "signature"),  # another key claiming our key id
        (lambda key: KeyPair.ec().token(), "unknown_key"),
        (lambda key: KeyPair.rsa(kid=key.kid).token(), "unknown_key"),  # RS256 with our EC key's id
        (lambda key: key.token(exp=int(time.time()) - 60), "expired"),
        (lambda key: key.token(aud="another-service"), "audience"),
        (lambda key: key.token(iss="someone-else"), "audience"),
        (lambda key: key.token(sub=None), "claims"),
        (lambda key: key.token(nbf=int(time.time()) + 3600), "not_yet_valid"),
        # the public key as an HMAC secret: the classic algorithm confusion
        (lambda key: hs256(key, secret=public_pem(key)), "algorithm"),
        (lambda key: f"{b64(json.dumps({'alg': 'none', 'kid': key.kid}).encode())}.{b64(b'{}')}.", "algorithm"),
        (lambda key: key.token()[:-6], "signature"),
        (lambda key: "a" * 20_000, "too_long"),
        (lambda key: "not a token", "unreadable"),
    ],
    ids=[
        "foreign-key-same-kid",
        "foreign-key",
        "rs256-with-ec-kid",
        "expired",
        "other-audience",
        "other-issuer",
        "no-subject",
        "not-yet-valid",
        "hs256-confusion",
        "alg-none",
        "cut-signature",
        "huge",
        "garbage",
    ],
)
def test_forged_and_malformed_tokens_are_refused_saying_why(
    verifier: TokenVerifier, key: KeyPair, forge, reason
) -> None:  # type: ignore[no-untyped-def]
    assert refusal(verifier, forge(key)) == reason


segment = st.one_of(
    st.binary(max_size=64).map(b64),
    st.text(max_size=40),
    st.dictionaries(st.text(max_size=8), st.one_of(st.none(), st.integers(), st.text(max_size=12)), max_size=4).map(
        lambda d: b64(json.dumps(d).encode())
    ),
)
header = st.fixed_dictionaries(
    {"alg": st.sampled_from(["RS256", "ES256", "EdDSA", "HS256", "none", "PS512", "", "ES256K"])},
    optional={
        "kid": st.one_of(st.text(max_size=20), st.integers(), st.none()),
        "typ": st.just("JWT"),
        "crit": st.lists(st.text(max_size=5), max_size=2),
        "b64": st.booleans(),
        "jku": st.just("http://127.0.0.1:1/jwks.json"),
    },
)


@given(
    head=st.one_of(header.map(lambda h: b64(json.dumps(h).encode())), segment),
    body=segment,
    signature=st.one_of(st.binary(max_size=300).map(b64), st.text(max_size=20)),
    dots=st.sampled_from([".", "..", ""]),
)
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_random_tokens_are_always_refused_with_401(verifier: TokenVerifier, head, body, signature, dots) -> None:  # type: ignore[no-untyped-def]
    refusal(verifier, f"{head}.{body}{dots}{signature}")


claim_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=10),
    st.lists(
        st.one_of(st.text(max_size=5), st.integers(), st.dictionaries(st.text(max_size=3), st.integers())), max_size=3
    ),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)


@given(
    claims=st.dictionaries(
        st.sampled_from(["sub", "exp", "iat", "nbf", "aud", "iss", "roles", "team", "org", "jti"]), claim_value
    ),
    keep=st.sets(st.sampled_from(["sub", "exp", "aud", "iss"])),
)
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_tokens_signed_by_us_with_odd_claims_give_a_caller_or_401(
    verifier: TokenVerifier, key: KeyPair, claims, keep
) -> None:  # type: ignore[no-untyped-def]
    """Our own identity provider misconfigured: strange claim types still end in 401, never 500."""
    signed = {**{k: v for k, v in key.claims().items() if k in keep}, **claims}
    try:
        token = key.sign(signed)
    except (TypeError, ValueError):
        return  # not even encodable as JSON (NaN, huge ints are fine; sets are not)
    try:
        principal = verifier.verify(token)
    except Unauthenticated:
        return
    assert isinstance(principal.subject, str) and all(isinstance(role, str) for role in principal.roles)


def test_an_unreadable_jwks_file_makes_tokens_wait_not_fail(tmp_path: Path, key: KeyPair) -> None:
    """No 500 and no 401 (the token may be fine): 503, retry shortly -- the key set is unreadable."""
    jwks = tmp_path / "jwks.json"
    jwks.write_text("{ not json")
    verifier = TokenVerifier(ServiceSettings(auth_jwks_file=jwks, data_dir=tmp_path))
    with pytest.raises(Unavailable):
        verifier.verify(key.token())
