"""Reporting's settings: environment variables with the prefix `QN_REPORTING_`."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from qn_infra.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="QN_REPORTING_", extra="ignore")

    service_name: ClassVar[str] = "reporting"
    default_port: ClassVar[int] = 8004

    city_dir: Path = Field(
        Path("deploy/demo-city"),
        description="Directory holding city.toml: the quarters and the districts they belong to.",
    )
    disclosure_minimum: int = Field(
        3,
        ge=2,
        le=50,
        description="Smallest count published; smaller ones are hidden ('.'), with enough others that "
        "no table gives them away (official statistics use 3).",
    )
    report_audience: str = Field(
        "ausschuss-soziales",
        pattern=r"^[a-z0-9][a-z0-9-]{0,63}$",
        description="The committee the printed period reports are for, as `report.published` names it.",
    )
