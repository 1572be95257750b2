"""Scheduling's settings: environment variables with the prefix `QN_SCHEDULING_`."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from qn_infra.settings import ServiceSettings


class SchedulingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="QN_SCHEDULING_", extra="ignore")

    service_name: ClassVar[str] = "scheduling"
    default_port: ClassVar[int] = 8003

    city_dir: Path = Field(
        Path("deploy/demo-city"),
        description="Directory holding city.toml: quarters, organisations and the city's time zone.",
    )
