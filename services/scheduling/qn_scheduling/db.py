"""Scheduling's database: one metadata for every table, including the outbox and processed events."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from qn_infra.database import new_metadata
from qn_infra.outbox import outbox_table
from qn_infra.unit_of_work import processed_events_table


class Base(DeclarativeBase):
    metadata = new_metadata()


OUTBOX = outbox_table(Base.metadata)
# No consumer yet; declared now so that the first consumer (e.g. of closures) needs no table change.
PROCESSED_EVENTS = processed_events_table(Base.metadata)


def import_models() -> None:
    """Imports every module that declares tables, so that `Base.metadata` is complete."""
    from .bookings import models as _bookings  # noqa: F401
    from .offers import models as _offers  # noqa: F401
    from .registrations import models as _registrations  # noqa: F401
    from .room_requests import models as _room_requests  # noqa: F401
    from .sites import models as _sites  # noqa: F401
