"""Reporting's database: aggregates only, plus the outbox and the processed event ids.

Nothing here may identify a person: no person or volunteer references, no concern ids. The
`processed_events` table holds event ids, which say nothing about anyone."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from qn_infra.database import new_metadata
from qn_infra.outbox import outbox_table
from qn_infra.unit_of_work import processed_events_table


class Base(DeclarativeBase):
    metadata = new_metadata()


# The outbox carries `report.published` (see `.reports.handlers`).
OUTBOX = outbox_table(Base.metadata)
PROCESSED_EVENTS = processed_events_table(Base.metadata)


def import_models() -> None:
    """Imports every module that declares tables, so that `Base.metadata` is complete."""
    from .breakdowns import models as _breakdowns  # noqa: F401
    from .figures import models as _figures  # noqa: F401
    from .reports import models as _reports  # noqa: F401
