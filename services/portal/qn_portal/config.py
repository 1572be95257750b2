"""The portal's settings: environment variables with the prefix `QN_PORTAL_`."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from limits import parse_many
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from qn_infra.client_address import trusted_networks

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QN_PORTAL_", extra="ignore")

    host: str = Field("127.0.0.1", description="Address to listen on.")
    port: int = Field(8000, description="Port to listen on.")
    public_url: str = Field("http://127.0.0.1:8000", description="How browsers reach the portal (redirect URIs).")
    log_level: str = "INFO"
    log_json: bool | None = Field(None, description="JSON log lines; default: when not on a terminal.")

    intake_url: str = Field("http://127.0.0.1:8001", description="Intake's API.")
    matching_url: str = Field("http://127.0.0.1:8002", description="Matching's API (volunteers, proposals, hours).")
    city_dir: Path = Field(
        Path("deploy/demo-city"),
        description="The city's configuration (city.toml): the quarters the public volunteer form offers.",
    )
    scheduling_url: str = Field("http://127.0.0.1:8003", description="Scheduling's API (drop-in centres).")
    reporting_url: str = Field("http://127.0.0.1:8004", description="Reporting's API (committee figures).")
    reporting_public_url: str = Field(
        "",
        description="Where browsers reach reporting's public dashboard and figures (linked from the committee's "
        "page); default: reporting_url.",
    )
    api_timeout_seconds: float = Field(10.0, description="How long a call to a service may take.")
    public_form_rate_limit: str = Field(
        "10/minute;60/hour",
        description="How many public volunteer forms (POST /mitmachen) one client address may send, e.g. "
        "'10/minute;60/hour' (a drop-in centre's Wi-Fi is one address for everyone there).",
    )
    trusted_proxies: tuple[str, ...] = Field(
        (),
        description="Reverse proxies in front of the portal (JSON list of addresses or networks) whose "
        "X-Forwarded-For names the client; ignored from anyone else.",
    )

    session_secret: str = Field(
        "", description="Signs the session cookie; several replicas need the same. Empty: random per process."
    )
    session_hours: float = Field(12, description="How long a session lasts (the token may end it sooner).")
    cookie_secure: bool | None = Field(
        None, description="Send the session cookie over HTTPS only; default: yes unless public_url is localhost."
    )

    oidc_issuer: str = Field(
        "", description="The identity provider's issuer URL (discovery at /.well-known/openid-configuration)."
    )
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scope: str = "openid profile"
    oidc_post_logout_url: str = Field(
        "",
        description="Where the identity provider sends a person after signing out there; default: the "
        "portal's sign-in page (public_url + /anmelden?abgemeldet=1).",
    )
    oidc_api_token: str = Field(
        "access_token",
        description="Which token of the code flow the portal sends to the services: access_token (Keycloak) or "
        "id_token (a provider whose access tokens are opaque).",
        pattern="^(access_token|id_token)$",
    )
    roles_claim: str = Field("roles", description="Claim holding the roles; dots walk into objects.")
    team_claim: str = "team"
    org_claim: str = "org"

    local_key_dir: Path | None = Field(
        None,
        description="The local development key (var/keys of `make run`). Set: a sign-in page lists the demo "
        "users and signs them in with it. Never set in production.",
    )
    local_city_dir: Path = Field(Path("deploy/demo-city"), description="The demo city whose users are listed.")

    @field_validator("public_form_rate_limit")
    @classmethod
    def _rate_limit_readable(cls, value: str) -> str:
        parse_many(value)  # raises ValueError naming what it cannot read
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_readable(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        trusted_networks(value)
        return value

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def local_signin_enabled(self) -> bool:
        return self.local_key_dir is not None

    @property
    def secure_cookie(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return (urlsplit(self.public_url).hostname or "") not in LOCAL_HOSTS

    def signing_secret(self) -> str:
        return self.session_secret or secrets.token_urlsafe(32)
