"""The demo city's year of history (deploy/local/demo_history.py): the same on every machine,
at a city's volume, with the rising Quartal the early warning is shown with -- checked on the
generated events, without a broker (the counting is reporting's own rebuild, tested there)."""

from __future__ import annotations

import importlib.util
import random
import sys
from collections import Counter
from datetime import date
from types import ModuleType

import pytest

from qn_contracts import decode_body
from qn_testkit.services import REPO

pytestmark = pytest.mark.unit

TODAY = date(2026, 12, 2)


@pytest.fixture(scope="module")
def history() -> ModuleType:
    path = REPO / "deploy" / "local" / "demo_history.py"
    spec = importlib.util.spec_from_file_location("demo_history", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["demo_history"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def events(history: ModuleType) -> list:
    return history.History(TODAY).events()


def test_the_history_is_the_same_on_every_run_and_covers_the_twelve_months_before(history, events) -> None:
    two_months = history.History(TODAY, months=2).events()
    assert [(e.at, e.event) for e in two_months] == [(e.at, e.event) for e in history.History(TODAY, months=2).events()]
    months = {e.at.astimezone(history.BERLIN).strftime("%Y-%m") for e in events}
    assert min(months) == "2025-12" and max(months) == "2026-11" and len(months) == 12, "nothing after the window"


def test_the_volume_is_that_of_a_city_of_75000(events) -> None:
    kinds = Counter(e.event.spec.type.split(".")[2] + "." + e.event.spec.type.split(".")[3] for e in events)
    assert 3000 <= kinds["concern.recorded"] <= 5000
    assert 0.3 <= kinds["referral.requested"] / kinds["concern.recorded"] <= 0.6
    statuses = Counter(e.event.to_status for e in events if e.event.spec.type.startswith("qn.intake.referral.status"))
    assert statuses["rejected"] > 50 and statuses["completed"] > 500, "outcomes, and unmet need among them"
    assert kinds["signal.raised"] > 500 and kinds["help.requested"] > 300 and kinds["occurrence.attended"] > 500


def test_the_last_full_quartal_has_ziebigks_rising_signals(history, events) -> None:
    def ziebigk_signals(first: date, last: date) -> int:
        return sum(
            1
            for e in events
            if e.event.spec.type.startswith("qn.intake.signal.raised")
            and e.event.quarter_id == "ziebigk"
            and first <= e.at.astimezone(history.BERLIN).date() <= last
        )

    rising = ziebigk_signals(date(2026, 7, 1), date(2026, 9, 30))
    before = ziebigk_signals(date(2026, 4, 1), date(2026, 6, 30))
    assert rising >= 3 * before
    july, september = (
        ziebigk_signals(date(2026, 7, 1), date(2026, 7, 31)),
        ziebigk_signals(date(2026, 9, 1), date(2026, 9, 30)),
    )
    assert september > 1.5 * july, "the signals climb within the Quartal"


def test_every_event_goes_on_the_wire_as_its_contract_says(history, events) -> None:
    sample = random.Random(1).sample(events, 300)
    for (subject, body, headers), stamped in zip(history.messages(sample, random.Random(2)), sample, strict=True):
        assert headers["Nats-Msg-Id"] == headers["ce-id"]
        assert decode_body(type(stamped.event), body, subject) == stamped.event
