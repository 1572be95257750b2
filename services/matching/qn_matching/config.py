"""Matching's settings: environment variables with the prefix `QN_MATCHING_`."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from qn_infra.settings import ServiceSettings

from .volunteers.domain import SkillLevel

# The kinds of neighbourly help named in Dessau-Roßlau's concept for its Angebotstreffs: shopping
# when ill, small repairs (hanging pictures, changing bulbs), escort to doctor or authority, walks,
# reading aloud, visits and company, help with digital media, and help with paperwork. A city may
# configure its own list.
DEFAULT_SKILLS = (
    "shopping",
    "small_repairs",
    "escort",
    "walk",
    "reading",
    "company",
    "digital_help",
    "paperwork",
)
# Help that means being alone with a child or a vulnerable adult at home: only volunteers whose
# extended police certificate was inspected (§ 72a SGB VIII, and the same practice for adults)
DEFAULT_VETTED_KINDS = ("reading", "company")


class MatchingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="QN_MATCHING_", extra="ignore")

    service_name: ClassVar[str] = "matching"
    default_port: ClassVar[int] = 8002

    city_dir: Path | None = Field(
        Path("deploy/demo-city"),
        description="Directory holding city.toml (quarters, time zone); empty accepts any quarter id.",
    )
    skills: tuple[str, ...] = Field(DEFAULT_SKILLS, description="Skill codes volunteers may offer (JSON list).")
    # the one public route with a body is the self-registration form: small, and a few per address
    public_max_body_bytes: int = Field(4096, ge=0, description="Largest body of a self-registration (413 beyond).")
    public_rate_limit: str = Field(
        "20/minute;200/hour", description="Requests per client address on routes without a token (self-registration)."
    )
    vetted_help_kinds: tuple[str, ...] = Field(
        DEFAULT_VETTED_KINDS, description="Help kinds that need a valid police-certificate check (JSON list)."
    )
    vetting_valid_years: int = Field(
        5, ge=1, le=10, description="Years after the certificate's date until it is checked again (default)."
    )
    max_reach_km: float = Field(
        15.0, gt=0, le=100, description="The farthest reach (km between quarter centroids) a volunteer may give."
    )
    offer_timeout_hours: float = Field(
        48.0, gt=0, description="How long a volunteer has to answer a proposal (urgencies not listed below)."
    )
    offer_timeout_hours_by_urgency: dict[str, float] = Field(
        {"immediate": 4.0, "soon": 48.0, "plannable": 72.0},
        description="How long a volunteer has to answer, by the request's urgency (JSON object of hours).",
    )
    max_attempts: int = Field(
        5, ge=1, le=50, description="After this many declined or unanswered proposals the coordinator takes over."
    )
    skill_levels_wanted: dict[str, SkillLevel] = Field(
        {"small_repairs": SkillLevel.EXPERIENCED, "digital_help": SkillLevel.EXPERIENCED},
        description="The skill level a kind of help asks for (JSON object: kind -> basic, experienced or expert): "
        "volunteers who have it are asked before those who do not (or gave no level).",
    )
    expiry_check_seconds: float = Field(60.0, gt=0, description="How often overdue proposals are expired.")
    pseudonym_key: SecretStr | None = Field(
        None,
        description="Key of the login pseudonyms intake and matching share (decision 0013; the same secret in both, "
        "at least 32 characters); wins over pseudonym_key_file.",
    )
    pseudonym_key_file: Path | None = Field(
        None, description="File holding the pseudonym key; default data_dir/keys/pseudonym.key."
    )

    # reminders by e-mail (the first channel of the notification port); no smtp_host: no mail
    smtp_host: str | None = Field(None, description="SMTP server for reminders; empty: no e-mail is sent.")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP port (587 with STARTTLS, 25 inside a network).")
    smtp_starttls: bool = Field(True, description="Upgrade the connection with STARTTLS before logging in.")
    smtp_user: str | None = Field(None, description="SMTP login, if the server asks for one.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password; smtp_password_file wins.")
    smtp_password_file: Path | None = Field(None, description="File holding the SMTP password (a mounted secret).")
    smtp_sender: str = Field(
        "Quartiersnetz <nachbarschaftshilfe@quartiersnetz.invalid>", description="From: of every reminder."
    )
    smtp_timeout_seconds: float = Field(10.0, gt=0, description="How long to wait for the SMTP server.")
    coordinator_email: str | None = Field(
        None, description="Where reminders for coordinators go (a team mailbox); empty: none are sent."
    )
    public_url: str = Field(
        "http://127.0.0.1:8002", description="How volunteers reach this API: the start of calendar feed links."
    )
    reminder_check_seconds: float = Field(300.0, gt=0, description="How often due reminders are looked for.")
    remind_task_hours: float = Field(24.0, gt=0, description="Hours before an agreed appointment to remind.")
    remind_proposal_hours: float = Field(
        2.0, gt=0, description="Hours before an unanswered proposal times out to remind the volunteer."
    )
    remind_vetting_days: int = Field(
        42, ge=1, le=365, description="Days before a police certificate's re-check date to remind both sides."
    )
    remind_hours_after_days: int = Field(
        7, ge=1, le=90, description="Days after which hours still waiting for approval are reminded of."
    )

    def smtp_secret(self) -> str | None:
        """The SMTP password: from `smtp_password_file` if set, else `smtp_password`."""
        if self.smtp_password_file is not None:
            return self.smtp_password_file.read_text(encoding="utf-8").strip()
        return self.smtp_password.get_secret_value() if self.smtp_password else None

    @model_validator(mode="after")
    def _pseudonym_key_file(self) -> MatchingSettings:
        if self.pseudonym_key_file is None:
            self.pseudonym_key_file = self.data_dir / "keys" / "pseudonym.key"
        return self
