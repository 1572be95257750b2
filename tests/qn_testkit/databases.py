"""Fresh databases for tests: PostgreSQL when DATABASE_URL names one, SQLite files otherwise.

Each service gets its own database, as in production; no test shares one across services."""

from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DROPPING_AT_ONCE = 3


class DatabaseFactory:
    def __init__(self, tmp_dir: Path, base_url: str | None = None) -> None:
        self.tmp_dir = tmp_dir
        self.base_url = base_url if base_url is not None else os.environ.get("DATABASE_URL", "")
        self.created: list[str] = []

    @property
    def backend(self) -> str:
        return make_url(self.base_url).get_backend_name() if self.base_url else "sqlite"

    def create(self, name: str) -> str:
        """A new, empty database named after `name`; returns its SQLAlchemy URL."""
        suffix = uuid.uuid4().hex[:8]
        if self.backend == "postgresql":
            database = f"qn_test_{name}_{suffix}"
            with self._admin() as connection:
                connection.execute(text(f'CREATE DATABASE "{database}"'))
            self.created.append(database)
            url = make_url(self.base_url).set(drivername="postgresql+psycopg", database=database)
            return url.render_as_string(hide_password=False)
        if self.backend != "sqlite":
            raise RuntimeError(f"DATABASE_URL must be PostgreSQL or SQLite, not {self.backend}")
        return f"sqlite:///{self.tmp_dir / f'{name}-{suffix}.sqlite3'}"

    def _admin(self):  # type: ignore[no-untyped-def]
        url = make_url(self.base_url).set(drivername="postgresql+psycopg")
        return create_engine(url, isolation_level="AUTOCOMMIT").connect()

    def drop_all(self) -> None:
        # three at a time: a drop mostly waits for the checkpoint it asks for, and drops waiting
        # together share one; more connections at once met "too many clients already" at the end
        # of a run, when the services' pools are still closing
        if self.backend != "postgresql" or not self.created:
            return
        url = make_url(self.base_url).set(drivername="postgresql+psycopg")
        engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=DROPPING_AT_ONCE, max_overflow=0)

        def drop(database: str) -> None:
            with engine.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))

        try:
            with ThreadPoolExecutor(DROPPING_AT_ONCE) as pool:
                list(pool.map(drop, self.created))
        finally:
            engine.dispose()
        self.created.clear()

    def describe(self) -> str:
        if self.backend == "postgresql":
            url = make_url(self.base_url)
            return f"PostgreSQL at {url.host}:{url.port or 5432} (DATABASE_URL)"
        return "SQLite (embedded default; set DATABASE_URL=postgresql://... to test on PostgreSQL)"


def postgres_in_docker() -> tuple[str, object] | None:
    """A PostgreSQL container via testcontainers when a Docker engine answers; None otherwise.

    Returns the admin URL and the container (stop it at the end)."""
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:  # noqa: BLE001 -- no engine (or no client): the suite runs on SQLite
        return None
    from testcontainers.community.postgres import PostgresContainer

    container = PostgresContainer(
        "postgres:16-alpine", username="postgres", password="postgres", dbname="test", driver=None
    )
    container.start()
    url = f"postgresql://postgres:postgres@{container.get_container_host_ip()}:{container.get_exposed_port(5432)}/test"
    return url, container
