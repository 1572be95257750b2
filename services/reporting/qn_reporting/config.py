"""Reporting's settings: environment variables with the prefix `QN_REPORTING_`."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from qn_infra.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="QN_REPORTING_", extra="ignore")

    service_name: ClassVar[str] = "reporting"
    default_port: ClassVar[int] = 8004
