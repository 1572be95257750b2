"""A service's NATS credentials come from its settings: none for `make run`, a user with a password
from the environment or a mounted file elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic_settings import SettingsConfigDict

from qn_infra.messaging import connect_options
from qn_infra.settings import ServiceSettings

pytestmark = pytest.mark.unit


class ProbeSettings(ServiceSettings):
    service_name = "probe"
    model_config = SettingsConfigDict(extra="ignore", env_file=None, env_prefix="QN_PROBE_")


def test_the_embedded_default_connects_without_credentials(tmp_path: Path) -> None:
    settings = ProbeSettings(data_dir=tmp_path)
    assert connect_options(settings) == {}
    assert settings.create_streams


def test_a_user_gets_its_password_from_a_mounted_file_and_its_own_inbox_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "nats-password").write_text("from-the-secret\n")
    monkeypatch.setenv("QN_PROBE_NATS_USER", "intake")
    monkeypatch.setenv("QN_PROBE_NATS_PASSWORD_FILE", str(tmp_path / "nats-password"))
    options = connect_options(ProbeSettings(data_dir=tmp_path))
    assert (options["user"], options["password"], options["inbox_prefix"]) == (
        "intake",
        "from-the-secret",
        "_INBOX.intake",
    )


def test_the_password_never_shows_in_the_settings_repr(tmp_path: Path) -> None:
    settings = ProbeSettings(data_dir=tmp_path, nats_user="intake", nats_password="hunter2")
    assert "hunter2" not in repr(settings) and connect_options(settings)["password"] == "hunter2"
