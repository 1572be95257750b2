"""Matching's settings: environment variables with the prefix `QN_MATCHING_`."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from qn_infra.settings import ServiceSettings

# The kinds of neighbourly help named in Dessau-Roßlau's concept for its Angebotstreffs: shopping
# when ill, small repairs (hanging pictures, changing bulbs), escort to doctor or authority, walks,
# reading aloud, company, and help with digital media. A city may configure its own list.
DEFAULT_SKILLS = ("shopping", "small_repairs", "escort", "walk", "reading", "company", "digital_help")


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
    offer_timeout_hours: float = Field(48.0, gt=0, description="How long a volunteer has to answer a proposal.")
    expiry_check_seconds: float = Field(60.0, gt=0, description="How often overdue proposals are expired.")
