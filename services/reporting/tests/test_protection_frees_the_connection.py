"""Protecting a year takes seconds to minutes of linear programs; meanwhile the service's one
SQLite connection must serve the consumers, the outbox relay and the readiness check. Protection
runs with the connection given back -- also for a request that waits for another thread's."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import sessionmaker

from qn_infra.database import make_engine
from qn_reporting import db
from qn_reporting.city import load_city
from qn_reporting.figures.models import CountCell
from qn_reporting.tables import handlers
from qn_testkit.services import REPO

pytestmark = pytest.mark.integration


def test_the_connection_is_free_while_a_year_is_protected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db.import_models()  # every table on the metadata
    # a pool of one, as the service has; a connection held elsewhere fails this test in 3 s
    engine = make_engine(f"sqlite:///{tmp_path / 'reporting.sqlite3'}", pool_timeout=3)
    db.Base.metadata.create_all(engine)
    sessions = sessionmaker(engine)
    with sessions() as session:
        session.add(CountCell(metric="concern.recorded", month="2026-03", quarter_id="rosslau", topic="*", n=5))
        session.commit()
    started, finish = threading.Event(), threading.Event()
    real_protect: Callable[..., Any] = handlers.protect

    def slow_protect(*args: Any, **kwargs: Any) -> Any:
        started.set()
        assert finish.wait(10), "the other thread never got the connection"
        return real_protect(*args, **kwargs)

    monkeypatch.setattr(handlers, "protect", slow_protect)
    cubes = handlers.ProtectedCubes(load_city(REPO / "deploy" / "demo-city"), minimum=3)

    def protect_in(results: list[Any]) -> None:
        with sessions() as session:
            results.append(cubes.get(session, "concern.recorded", 2026))

    first: list[Any] = []
    protecting = threading.Thread(target=protect_in, args=(first,))
    protecting.start()
    assert started.wait(10)
    waiting: list[Any] = []  # a second request for the same year waits for the first's protection
    second = threading.Thread(target=protect_in, args=(waiting,))
    second.start()
    second.join(0.5)
    with engine.connect() as connection:  # the relay, a consumer, the readiness check
        assert connection.execute(select(CountCell.n)).scalar_one() == 5
        connection.execute(text("select 1"))
    finish.set()
    protecting.join(10)
    second.join(10)
    assert first and waiting and first[0] is waiting[0], "protected once, kept for the second request"
    engine.dispose()
