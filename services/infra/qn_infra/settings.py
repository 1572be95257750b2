"""The settings every service shares. Each service subclasses `ServiceSettings` with its own
environment prefix (`QN_INTAKE_`, `QN_MATCHING_`, ...), so one environment can hold all four."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

from limits import parse_many
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from .client_address import trusted_networks

ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


class ServiceSettings(BaseSettings):
    """Read from environment variables `<PREFIX><NAME>` (e.g. `QN_INTAKE_DATABASE_URL`)."""

    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    service_name: ClassVar[str] = "service"
    default_port: ClassVar[int] = 8000

    profile: Literal["embedded", "production"] = Field(
        "embedded",
        description="`production` refuses to start with unsafe settings (see `qn_infra.production`); "
        "`embedded` is `make run` and the tests.",
    )
    host: str = Field("127.0.0.1", description="Interface the HTTP API listens on.")
    port: int = Field(0, description="HTTP port; 0 means the service's default port.")
    data_dir: Path = Field(Path("var"), description="Where the embedded default keeps its files.")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite under data_dir.")
    database_password_file: Path | None = Field(
        None, description="File holding the database password (a mounted secret); put into DATABASE_URL."
    )
    nats_url: str = Field("nats://127.0.0.1:4222", description="NATS server(s), comma separated.")
    stream_replicas: int = Field(1, ge=1, le=5, description="JetStream replicas for streams this service creates.")
    create_streams: bool | None = Field(
        None,
        description="Create or update the streams on connect. Default: yes in the embedded profile; no in "
        "production, where the migration step creates them and services hold no stream-admin rights (they "
        "then wait until the streams exist).",
    )

    # NATS authentication: none for `make run`; deploy/nats/README.md generates the users. One of
    # user + password (or password file), token file, credentials file, NKey seed file.
    nats_user: str = Field(
        "", description="NATS user; its inbox prefix is `_INBOX.<user>`, as the generated permissions want."
    )
    nats_password: SecretStr = Field(SecretStr(""), description="Password of the NATS user.")
    nats_password_file: Path | None = Field(None, description="File holding the NATS password (a mounted secret).")
    nats_token_file: Path | None = Field(None, description="File holding a NATS authentication token.")
    nats_credentials_file: Path | None = Field(None, description="NATS credentials file (JWT and NKey seed).")
    nats_nkey_seed_file: Path | None = Field(None, description="File holding the NATS user's NKey seed.")
    nats_tls_ca_file: Path | None = Field(
        None, description="CA bundle that signed the NATS servers' certificates; enables TLS."
    )

    log_level: str = Field("INFO")
    log_json: bool | None = Field(None, description="JSON logs; default: JSON unless on a terminal.")

    # consumers
    consumer_max_deliver: int = Field(8, ge=2, description="Deliveries before a message is dead-lettered.")
    consumer_ack_wait_seconds: float = Field(30.0, gt=0, description="Redelivery if not acked in time.")
    consumer_backoff_seconds: tuple[float, ...] = Field(
        (0.5, 2.0, 5.0, 15.0, 30.0, 60.0), description="Delay before each retry of a transient failure."
    )
    consumer_batch_size: int = Field(
        256, ge=1, le=4096, description="Most messages one fetch returns and one transaction handles."
    )
    consumer_max_event_bytes: int = Field(
        64 * 1024, ge=1024, description="Larger event bodies are dead-lettered, never handled."
    )

    # outbox relay
    outbox_relay: Literal["process", "task"] = Field(
        "process",
        description="`process`: the relay publishes from a process of its own, which the service starts with "
        "these settings, wakes after each commit and restarts if it dies -- on another core than the service's "
        "consumers (decision 0008). `task`: in the service's own process (tests that set the clock).",
    )
    outbox_poll_seconds: float = Field(0.5, gt=0)
    outbox_batch_size: int = Field(500, ge=1, le=10000, description="Rows the relay leases and sends at a time.")
    outbox_publish_window: int = Field(256, ge=1, le=4096, description="Publishes whose ack the relay awaits at once.")
    outbox_retention_days: float = Field(
        7.0, ge=0, description="Published events stay this long, so a range can be re-published."
    )

    # auth
    auth_issuer: str = Field("quartiersnetz-local", description="Expected `iss` of bearer tokens.")
    auth_audience: str = Field("quartiersnetz", description="Expected `aud` of bearer tokens.")
    auth_jwks_url: str = Field("", description="JWKS endpoint of the identity provider (e.g. Keycloak).")
    auth_jwks_file: Path | None = Field(None, description="Local JWKS file; default data_dir/keys/jwks.json.")
    auth_jwks_refresh_seconds: float = Field(
        300.0,
        gt=0,
        description="How often the JWKS URL is fetched again; a key removed there stops working within this time. "
        "A JWKS file is looked at every second.",
    )
    auth_algorithms: tuple[str, ...] = Field(("RS256", "ES256", "EdDSA"))
    auth_roles_claim: str = Field("roles", description="Claim holding the roles; dots walk into objects.")
    auth_org_claim: str = Field("org", description="Claim holding the carrier/office id of a user.")
    auth_team_claim: str = Field("team", description="Claim holding the team id of a user.")

    # the HTTP edge (see request_gate)
    max_body_bytes: int = Field(
        1024 * 1024,
        ge=1,
        description="Largest request body a route that needs a token accepts (413 beyond); bulk imports are CLIs.",
    )
    public_max_body_bytes: int = Field(
        16 * 1024, ge=0, description="Largest request body on routes without a token (health, public pages)."
    )
    public_rate_limit: str = Field(
        "120/minute",
        description="Requests per client address on routes without a token (not /healthz, /readyz), "
        "e.g. '120/minute' or '10/second;1000/hour'.",
    )

    trusted_proxies: tuple[str, ...] = Field(
        (),
        description="Addresses or networks (JSON list) of reverse proxies -- and the portal, which sends the "
        "public volunteer form -- whose X-Forwarded-For names the client for the public rate limit; from "
        "anyone else the header is ignored. Empty: every request counts for the address it comes from.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_readable(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        trusted_networks(value)  # raises ValueError naming what it cannot read
        return value

    @field_validator("public_rate_limit")
    @classmethod
    def _rate_limit_readable(cls, value: str) -> str:
        parse_many(value)  # raises ValueError naming what it cannot read
        return value

    @field_validator("auth_algorithms")
    @classmethod
    def _only_asymmetric(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        weak = [alg for alg in value if alg not in ASYMMETRIC_ALGORITHMS]
        if weak:
            raise ValueError(f"only asymmetric algorithms are allowed, not {weak}")
        return value

    @model_validator(mode="after")
    def _defaults(self) -> ServiceSettings:
        if not self.port:
            self.port = self.default_port
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / (self.service_name + '.sqlite3')}"
        elif self.database_password_file is not None:
            password = _read_secret(self.database_password_file)
            self.database_url = make_url(self.database_url).set(password=password).render_as_string(hide_password=False)
        if self.create_streams is None:
            self.create_streams = self.profile != "production"
        if self.auth_jwks_file is None and not self.auth_jwks_url and self.profile != "production":
            self.auth_jwks_file = self.data_dir / "keys" / "jwks.json"
        return self

    def nats_secret(self) -> str:
        """The NATS password: from `nats_password_file` if set, else `nats_password`."""
        if self.nats_password_file is not None:
            return _read_secret(self.nats_password_file)
        return self.nats_password.get_secret_value()

    @property
    def nats_servers(self) -> list[str]:
        return [url.strip() for url in self.nats_url.split(",") if url.strip()]

    def nats_auth(self) -> dict[str, Any]:
        """The authentication arguments of `nats.connect` (none in the embedded default)."""
        options: dict[str, Any] = {}
        if self.nats_user:
            options["user"] = self.nats_user
            options["password"] = self.nats_secret()
        if self.nats_token_file is not None:
            options["token"] = _read_secret(self.nats_token_file)
        if self.nats_credentials_file is not None:
            options["user_credentials"] = str(self.nats_credentials_file)
        if self.nats_nkey_seed_file is not None:
            options["nkeys_seed"] = str(self.nats_nkey_seed_file)
        return options

    @classmethod
    def env_name(cls, field: str) -> str:
        """The environment variable of a setting (`database_url` -> `QN_INTAKE_DATABASE_URL`)."""
        return f"{cls.model_config.get('env_prefix') or ''}{field}".upper()


def _read_secret(path: Path) -> str:
    # a mounted secret often ends with a newline that is no part of the password
    return path.read_text(encoding="utf-8").strip()
