"""Intake's settings: environment variables with the prefix `QN_INTAKE_`."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from qn_infra.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="QN_INTAKE_", extra="ignore")

    service_name: ClassVar[str] = "intake"
    default_port: ClassVar[int] = 8001

    city_dir: Path = Field(
        Path("deploy/demo-city"), description="Directory holding city.toml, routing.csv and the street directory."
    )
