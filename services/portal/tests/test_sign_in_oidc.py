"""The OpenID Connect authorisation code flow with PKCE, against a real OpenID provider process
(the `oidc-provider-mock` package on a free port) -- not a mock object. The provider's ID token is
what this intake trusts (its JWKS, issuer and audience), so the signed-in person's work queue
comes from intake with the token the code flow produced."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from qn_infra.embedded_broker import free_port
from qn_testkit.services import ServiceProcess

pytestmark = pytest.mark.integration
CLIENT_ID = "quartiersnetz-portal"
STAFF = {"sub": "anna-oidc", "name": "Anna Beispiel", "roles": ["team_staff"], "team": "team-innenstadt"}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = open(tmp_path_factory.mktemp("oidc") / "provider.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--user-claims", json.dumps(STAFF)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/.well-known/openid-configuration", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the OpenID provider did not start")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(10)
        log.close()


@pytest.fixture(scope="module")
def provider_intake(provider: str, intakes) -> ServiceProcess:
    """An intake that trusts the provider's tokens (as intake trusts Keycloak in production)."""
    return intakes(auth_jwks_url=provider + "/jwks", auth_issuer=provider, auth_audience=CLIENT_ID)


@pytest.fixture
def oidc_settings(portal_settings, provider, provider_intake):
    return portal_settings.model_copy(
        update={
            "oidc_issuer": provider,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": "portal-secret",
            # this provider's access tokens are opaque; its ID token is a JWT intake can verify
            "oidc_api_token": "id_token",
            "intake_url": provider_intake.url,
            "local_key_dir": None,
        }
    )


def test_staff_sign_in_at_the_citys_provider_with_pkce_and_see_their_queue(portal, oidc_settings):
    client = portal(oidc_settings)
    page = client.get("/anmelden")
    assert "Mit dem Konto der Stadt anmelden" in page.text and "Lokale Demo-Anmeldung" not in page.text

    to_provider = client.get("/anmelden/oidc", params={"weiter": "/warteschlange"}, follow_redirects=False)
    authorize = urlsplit(to_provider.headers["location"])
    asked = parse_qs(authorize.query)
    assert authorize.netloc == urlsplit(oidc_settings.oidc_issuer).netloc
    assert asked["response_type"] == ["code"] and asked["client_id"] == [CLIENT_ID]
    assert asked["code_challenge_method"] == ["S256"] and len(asked["code_challenge"][0]) >= 43
    assert asked["redirect_uri"] == ["http://127.0.0.1:8000/anmelden/rueckkehr"]

    # the person signs in at the provider, which sends them back with a code
    consent = httpx.post(to_provider.headers["location"], data={"sub": STAFF["sub"]}, follow_redirects=False)
    back = urlsplit(consent.headers["location"])
    assert back.path == "/anmelden/rueckkehr" and "code" in parse_qs(back.query)

    queue = client.get(f"{back.path}?{back.query}")
    assert queue.url.path == "/warteschlange" and queue.status_code == 200
    assert "<h1>Arbeitsliste</h1>" in queue.text and "Angemeldet als Anna Beispiel" in queue.text


def test_a_return_from_the_provider_without_a_valid_code_signs_nobody_in(portal, oidc_settings):
    client = portal(oidc_settings)
    to_provider = client.get("/anmelden/oidc", follow_redirects=False)
    state = parse_qs(urlsplit(to_provider.headers["location"]).query)["state"][0]
    answer = client.get("/anmelden/rueckkehr", params={"code": "made-up", "state": state})
    assert answer.url.path == "/anmelden" and "Die Anmeldung hat nicht geklappt" in answer.text
    assert client.get("/warteschlange", follow_redirects=False).status_code == 303


def test_a_return_with_a_foreign_state_is_refused(portal, oidc_settings):
    client = portal(oidc_settings)
    answer = client.get("/anmelden/rueckkehr", params={"code": "x", "state": "not-ours"})
    assert answer.url.path == "/anmelden" and "Die Anmeldung hat nicht geklappt" in answer.text


def test_signing_out_ends_the_session_at_the_provider_too_and_comes_back(portal, oidc_settings):
    client = portal(oidc_settings)
    to_provider = client.get("/anmelden/oidc", params={"weiter": "/warteschlange"}, follow_redirects=False)
    consent = httpx.post(to_provider.headers["location"], data={"sub": STAFF["sub"]}, follow_redirects=False)
    back = urlsplit(consent.headers["location"])
    queue = client.get(f"{back.path}?{back.query}")
    assert queue.url.path == "/warteschlange"
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', queue.text)
    assert csrf

    out = client.post("/abmelden", data={"csrf_token": csrf.group(1)}, follow_redirects=False)
    assert out.status_code == 303
    end_session = urlsplit(out.headers["location"])
    discovery = httpx.get(oidc_settings.oidc_issuer + "/.well-known/openid-configuration").json()
    assert f"{end_session.scheme}://{end_session.netloc}{end_session.path}" == discovery["end_session_endpoint"]
    asked = parse_qs(end_session.query)
    assert asked["post_logout_redirect_uri"] == ["http://127.0.0.1:8000/anmelden?abgemeldet=1"]
    assert asked["client_id"] == [CLIENT_ID]
    hint = asked["id_token_hint"][0]
    assert hint.count(".") == 2 and _claims(hint)["sub"] == STAFF["sub"]  # the ID token of this sign-in
    # the portal's own session is over already, whatever the provider does next
    assert client.get("/warteschlange", follow_redirects=False).status_code == 303

    # the person confirms at the provider, which sends them back to the portal's sign-in page
    form = httpx.get(out.headers["location"])
    assert form.status_code == 200 and "id_token_hint</code> not set" not in form.text
    confirm = httpx.post(
        discovery["end_session_endpoint"] + "/confirm",
        data={"redirect_uri": asked["post_logout_redirect_uri"][0]},
        follow_redirects=False,
    )
    landing = client.get(urlsplit(confirm.headers["location"]).path + "?" + urlsplit(confirm.headers["location"]).query)
    assert landing.url.path == "/anmelden" and "Sie sind abgemeldet." in landing.text


def test_a_local_sign_in_signs_out_locally_only(portal, portal_settings, kit):
    client = kit.sign_in(portal(portal_settings), kit.STAFF_INNENSTADT)
    csrf = kit.csrf_of(client.get("/anmelden").text)
    out = client.post("/abmelden", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.headers["location"] == "/anmelden?abgemeldet=1"


def _claims(jwt: str) -> dict[str, object]:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
