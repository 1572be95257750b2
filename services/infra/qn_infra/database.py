"""Engines, sessions and migrations, for PostgreSQL in production and SQLite as the embedded default."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (
    DateTime,
    Engine,
    MetaData,
    Table,
    TypeDecorator,
    create_engine,
    event,
    insert,
    inspect,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# Stable constraint names, so migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, also on SQLite (which stores no
    offset and would hand back naive datetimes)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give every timestamp a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    def bind_processor(self, dialect: Any) -> Any:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        # SQLite: the text SQLAlchemy's DATETIME would store ("2026-12-03 08:15:00.000000", UTC),
        # made by one C call instead of a conversion and a %-format of nine fields -- a consumer
        # writes several timestamps per event
        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            if value.tzinfo is None:
                raise ValueError("naive datetime: give every timestamp a timezone")
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

        return process


PERSONAL: dict[str, Any] = {"personal": True}
"""`mapped_column(..., info=PERSONAL)`: the column holds personal data (a name, an address, free
text that may say anything). Erasure blanks every column so marked; a test walks the models and
fails for a text column that is neither marked nor declared free of personal data."""


def personal_columns(table: Table) -> list[str]:
    """Names of the columns of `table` marked PERSONAL."""
    return [c.name for c in table.columns if c.info.get("personal")]


def blank_personal(session: Session, model: type, where: Any) -> int:
    """Sets every PERSONAL column of `model`'s rows matching `where` to NULL; returns how many rows."""
    table = model.__table__  # type: ignore[attr-defined]
    values = dict.fromkeys(personal_columns(table))
    if not values:
        return 0
    result = session.execute(update(table).where(where).values(values))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # migrations need only the column type, not the Python-side decorator
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Creates an engine; on SQLite, with WAL, a busy timeout and write-ahead transactions.

    Statement parameters are hidden from error messages: they may hold personal data, and error
    messages end up in logs and dead-letter headers."""
    kwargs.setdefault("hide_parameters", True)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # One connection, handed from thread to thread by the pool: SQLite allows one writer at a
        # time anyway, and its own busy handler waits by sleeping in steps of up to 100 ms, which
        # under concurrent requests turns into long tail latencies and an idle CPU.
        kwargs.setdefault("pool_size", 1)
        kwargs.setdefault("max_overflow", 0)
        kwargs.setdefault("pool_timeout", 60)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **_JSON_CODEC, **kwargs)
        _tune_sqlite(engine)
        return engine
    if make_url(url).get_backend_name() == "postgresql" and make_url(url).drivername == "postgresql":
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **_JSON_CODEC, **kwargs)


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


# JSON columns through orjson: the same documents as the standard library's json (compact, UTF-8
# rather than \u-escapes), several times faster -- the outbox's headers are one per event
_JSON_CODEC: dict[str, Any] = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # BEGIN IMMEDIATE takes the write lock up front. A deferred transaction that reads and
        # then writes can fail with SQLITE_BUSY at once (no waiting) when another connection
        # wrote in between -- which the relay, the API and the consumers would do all the time.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def insert_objects(session: Session, objects: Iterable[object]) -> None:
    """Inserts new ORM objects with one Core INSERT per table and set of columns, in foreign-key
    order, instead of through the ORM's unit of work -- several times cheaper on a hot path. The
    objects are not added to the session. Only for plain new rows: a primary key or a defaulted
    column left as None is filled in by the database or the column default."""
    groups: dict[tuple[Table, tuple[str, ...]], list[dict[str, Any]]] = defaultdict(list)
    for obj in objects:
        table, columns = _columns_of(type(obj))
        # a new object holds the values it was given in its __dict__; reading them there skips
        # the ORM's attribute instrumentation (an attribute never set reads as None, as getattr)
        values = obj.__dict__
        row = {}
        for key, name, may_omit in columns:
            value = values.get(key)
            if value is None and may_omit:
                continue
            row[name] = value
        groups[(table, tuple(row))].append(row)
    if not groups:
        return
    order = _table_order(next(iter(groups))[0].metadata)
    connection = session.connection()  # Core on the session's connection: no ORM execution path
    for (table, _), rows in sorted(groups.items(), key=lambda item: order[item[0][0]]):
        connection.execute(_insert_of(table), rows)


@functools.cache
def _insert_of(table: Table) -> Any:
    return insert(table)


@functools.cache
def _columns_of(cls: type) -> tuple[Table, tuple[tuple[str, str, bool], ...]]:
    """(attribute, column name, may be left to the database) for each column of a mapped class."""
    mapper = inspect(cls)
    table = mapper.local_table
    columns = []
    for attribute in mapper.column_attrs:
        column = table.c[attribute.columns[0].name]
        columns.append((attribute.key, column.name, bool(column.primary_key or column.default is not None)))
    return table, tuple(columns)


@functools.cache
def _table_order(metadata: MetaData) -> dict[Table, int]:
    """Foreign-key order of a metadata's tables (sorting them is costly; they do not change)."""
    return {table: i for i, table in enumerate(metadata.sorted_tables)}


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def alembic_config(url: str, script_location: str | Path) -> Any:
    # imported here: the outbox relay's process, which never migrates, is spared Alembic's memory
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    return config


def migrate(url: str, script_location: str | Path, revision: str = "head") -> None:
    """Brings the database to `revision` with Alembic."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    from alembic import command

    command.upgrade(alembic_config(url, script_location), revision)


def run_migrations_online(target_metadata: MetaData) -> None:
    """The body of every service's `migrations/env.py`."""
    from alembic import context

    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is not set"
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=is_sqlite(url),
            compare_type=True,
            render_item=_render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
