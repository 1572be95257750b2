"""Matching's settings: environment variables with the prefix `QN_MATCHING_`."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator
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
    offer_timeout_hours: float = Field(48.0, gt=0, description="How long a volunteer has to answer a proposal.")
    expiry_check_seconds: float = Field(60.0, gt=0, description="How often overdue proposals are expired.")
    pseudonym_key: SecretStr | None = Field(
        None,
        description="Key of the login pseudonyms intake and matching share (decision 0013; the same secret in both, "
        "at least 32 characters); wins over pseudonym_key_file.",
    )
    pseudonym_key_file: Path | None = Field(
        None, description="File holding the pseudonym key; default data_dir/keys/pseudonym.key."
    )

    @model_validator(mode="after")
    def _pseudonym_key_file(self) -> MatchingSettings:
        if self.pseudonym_key_file is None:
            self.pseudonym_key_file = self.data_dir / "keys" / "pseudonym.key"
        return self
