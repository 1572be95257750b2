"""Intake's database: one metadata for every table, including the outbox and processed events."""

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
    from .addresses import models as _addresses  # noqa: F401
    from .audit import models as _audit  # noqa: F401
    from .concerns import models as _concerns  # noqa: F401
    from .consent import models as _consent  # noqa: F401
    from .help_requests import models as _help_requests  # noqa: F401
    from .persons import models as _persons  # noqa: F401
    from .referrals import models as _referrals  # noqa: F401
    from .signals import models as _signals  # noqa: F401
