"""A nats-server secured by the demo city's generated `auth.conf` (`qn_infra.nats_config`), started
from a configuration file as city IT would run it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qn_infra import nats_config
from qn_infra.embedded_broker import ConfiguredNatsServer, free_port

from .services import REPO

DEMO_CITY = REPO / "deploy" / "demo-city"


class ConfiguredNats(ConfiguredNatsServer):
    """A configured server whose admin user the checks after a test use."""

    def __init__(self, config: str, store_dir: Path, **kwargs: Any) -> None:
        super().__init__(config, store_dir, **kwargs)
        self.admin: tuple[str, str] | None = None
        """(user, password) that may read every stream, for the checks after a test."""

    @property
    def admin_url(self) -> str:
        if self.admin is None:
            return self.url
        return f"nats://{self.admin[0]}:{self.admin[1]}@{self.host}:{self.port}"


@dataclass
class SecuredNats:
    """A nats-server with the demo city's generated users; `passwords` by user name."""

    server: ConfiguredNats
    passwords: dict[str, str]

    @property
    def url(self) -> str:
        return self.server.url

    def settings_of(self, user: str) -> dict[str, object]:
        """A service's settings to connect as `user` (streams are made by the admin beforehand)."""
        return {"nats_user": user, "nats_password": self.passwords[user], "create_streams": "false"}


def start_secured_nats(tmp_path: Path) -> SecuredNats:
    users = nats_config.users(DEMO_CITY, admin=True)
    passwords = {user.name: f"pw-{user.name}-{os.urandom(6).hex()}" for user in users}
    env = {user.password_variable: passwords[user.name] for user in users}
    (tmp_path / "auth.conf").write_text(nats_config.render(DEMO_CITY, admin=True), encoding="utf-8")
    port = free_port()
    config = f"""
listen: 127.0.0.1:{port}
server_name: qn-secured-{port}
jetstream {{ store_dir: "{tmp_path / "jetstream"}" }}
include "auth.conf"
"""
    server = ConfiguredNats(config, tmp_path / "jetstream", env=env, port=port, log_file=tmp_path / "nats-server.log")
    server.admin = (nats_config.ADMIN, passwords[nats_config.ADMIN])
    server.start()
    return SecuredNats(server, passwords)
