"""Matching's database: one metadata for every table, including the outbox and processed events."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from qn_infra.database import new_metadata
from qn_infra.outbox import outbox_table
from qn_infra.unit_of_work import processed_events_table


class Base(DeclarativeBase):
    metadata = new_metadata()


OUTBOX = outbox_table(Base.metadata)
PROCESSED_EVENTS = processed_events_table(Base.metadata)


def import_models() -> None:
    """Imports every module that declares tables, so that `Base.metadata` is complete."""
    from .calendar import models as _calendar  # noqa: F401
    from .hours import models as _hours  # noqa: F401
    from .matches import models as _matches  # noqa: F401
    from .matches import task_log as _task_log  # noqa: F401
    from .notifications import models as _notifications  # noqa: F401
    from .volunteers import models as _volunteers  # noqa: F401
