"""Reporting's settings: environment variables with the prefix `QN_REPORTING_`."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from qn_infra.settings import ServiceSettings

from .disclosure.perturb import Method, Publication


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
    warm_up_figures: bool = Field(
        False,
        description="Protect the dashboard's figures of the current year in the background at start, so the "
        "first reader does not wait for it (`make run` and the deployments turn it on).",
    )
    disclosure_method: Method = Field(
        Method.SUPPRESSION,
        description="On top of suppression: 'rounding' (shown values to multiples of 5, as Destatis) or "
        "'cell_key' (a small noise per cell, the same wherever the cell is shown, as the Zensus 2022).",
    )
    disclosure_cell_key_secret: SecretStr = Field(
        SecretStr(""),
        description="Secret of the cell-key method (at least 16 characters; needed for 'cell_key'). Whoever "
        "has it can remove the noise: keep it like a password, and keep it when restarting, or the "
        "published figures change.",
    )

    @model_validator(mode="after")
    def _cell_key_needs_a_secret(self) -> ReportingSettings:
        if self.disclosure_method is Method.CELL_KEY and len(self.disclosure_cell_key_secret.get_secret_value()) < 16:
            raise ValueError("QN_REPORTING_DISCLOSURE_CELL_KEY_SECRET (>= 16 characters) is needed for 'cell_key'")
        return self

    def publication(self) -> Publication:
        """How the shown cells are published."""
        secret = self.disclosure_cell_key_secret.get_secret_value().encode()
        return Publication(self.disclosure_method, self.disclosure_minimum, secret)

    report_audience: str = Field(
        "ausschuss-soziales",
        pattern=r"^[a-z0-9][a-z0-9-]{0,63}$",
        description="The committee the printed period reports are for, as `report.published` names it.",
    )
