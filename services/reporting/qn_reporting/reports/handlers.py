"""Use cases of the printed report: build it from the protected tables, and announce each new
version of a period's report once (`report.published`), however often it is printed."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from qn_contracts.reporting import ReportPublished
from qn_infra.unit_of_work import UnitOfWork

from .content import SECTIONS, Report
from .models import PublishedReport

REPORT_NAMESPACE = uuid.UUID("5a0c3f1e-7d2b-4c8a-9e61-0b4f2d7a9c35")
"""Report ids are derived from the version's fingerprint, so a retried announcement keeps its id."""


def path_of(period: str) -> str:
    return f"reports/{period}.pdf"


def announce(uow: UnitOfWork, report: Report, *, audience: str) -> str:
    """Records and announces this version of the report unless it was announced already; returns
    its id either way."""
    with uow:
        known = uow.session.scalar(
            select(PublishedReport.report_id).where(PublishedReport.fingerprint == report.fingerprint)
        )
        if known:
            return str(known)
        report_id = uuid.uuid5(REPORT_NAMESPACE, report.fingerprint)
        uow.session.add(
            PublishedReport(
                fingerprint=report.fingerprint,
                report_id=str(report_id),
                period=report.period.code,
                published_at=uow.clock.now(),
            )
        )
        uow.emit(
            ReportPublished(
                report_id=report_id,
                period_start=report.period.start,
                period_end=report.period.end,
                scope="city",
                audience=audience,
                formats=["pdf"],
                period=report.period.code,
                path=path_of(report.period.code),
                metrics=[s.metric for s in report.sections if s.metric in SECTIONS],
                disclosure_minimum=report.minimum,
            )
        )
        try:
            uow.commit()
        except IntegrityError:
            # the same version printed twice at the same moment: the other request announced it
            return str(report_id)
        return str(report_id)
