"""`UtcDateTime` binds timestamps on SQLite with one `isoformat` call instead of SQLAlchemy's
DATETIME processor: the stored text must be the same, or ranges and ordering in SQL would change
between rows written before and after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import DateTime
from sqlalchemy.dialects import sqlite

from qn_infra.database import UtcDateTime

pytestmark = pytest.mark.unit

MOMENTS = [
    datetime(2026, 12, 3, 8, 15, tzinfo=UTC),  # no microseconds: still six digits
    datetime(2026, 3, 29, 2, 30, 0, 1, tzinfo=ZoneInfo("Europe/Berlin")),  # the night the clocks change
    datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
    datetime(999, 1, 1, tzinfo=UTC),  # a year of three digits is padded as SQLAlchemy pads it
]


@pytest.mark.parametrize("moment", MOMENTS, ids=range(len(MOMENTS)))
def test_the_fast_bind_stores_what_sqlalchemys_datetime_stores(moment: datetime) -> None:
    dialect = sqlite.dialect()
    ours = UtcDateTime().bind_processor(dialect)
    theirs = DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert ours(moment) == theirs(moment.astimezone(UTC).replace(tzinfo=None))
    assert ours(None) is None


def test_a_naive_timestamp_is_refused_naming_the_problem() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        UtcDateTime().bind_processor(sqlite.dialect())(datetime(2026, 12, 3, 8, 15))
