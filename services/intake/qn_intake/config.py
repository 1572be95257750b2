"""Intake's settings: environment variables with the prefix `QN_INTAKE_`."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from qn_infra.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="QN_INTAKE_", extra="ignore")

    service_name: ClassVar[str] = "intake"
    default_port: ClassVar[int] = 8001

    city_dir: Path = Field(
        Path("deploy/demo-city"), description="Directory holding city.toml, routing.csv and the street directory."
    )
    pseudonym_key: SecretStr | None = Field(
        None,
        description="Key of the login pseudonyms intake and matching share (decision 0013; the same secret in both, "
        "at least 32 characters); wins over pseudonym_key_file.",
    )
    pseudonym_key_file: Path | None = Field(
        None, description="File holding the pseudonym key; default data_dir/keys/pseudonym.key."
    )

    @model_validator(mode="after")
    def _pseudonym_key_file(self) -> IntakeSettings:
        if self.pseudonym_key_file is None:
            self.pseudonym_key_file = self.data_dir / "keys" / "pseudonym.key"
        return self
