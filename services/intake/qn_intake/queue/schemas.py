"""What the work queue returns: ids, codes, dates and labels -- never a name or an address."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from ..city import City
from .domain import QueueItem


class TopicOut(BaseModel):
    code: str
    de: str
    en: str


class LabelOut(BaseModel):
    de: str
    en: str


class QueueItemOut(BaseModel):
    kind: str = Field(description="concern, referral, follow_up or help_request.")
    id: uuid.UUID = Field(description="Id of the concern, referral, follow-up or help request.")
    concern_id: uuid.UUID | None = Field(description="The concern the item belongs to, if any.")
    quarter_id: str
    topics: list[TopicOut]
    urgency: str = Field(description="immediate, soon or plannable.")
    status: str
    due_at: datetime
    overdue: bool
    escalated: bool
    label: LabelOut = Field(description="A short line for the list, in German and English.")
    target_id: str | None = Field(None, description="For a referral: the carrier, office or team it is addressed to.")
    reason: str | None = Field(
        None,
        description="For a follow-up: the signal type that caused it; for a declined referral: the decline reason; "
        "for a help request nobody took: why matching found nobody.",
    )

    @classmethod
    def of(cls, item: QueueItem, city: City, now: datetime) -> QueueItemOut:
        topics = [
            TopicOut(code=t, de=city.topics[t].de, en=city.topics[t].en)
            if t in city.topics
            else TopicOut(code=t, de=t, en=t)
            for t in item.topics
        ]
        return cls(
            kind=item.kind.value,
            id=item.id,
            concern_id=item.concern_id,
            quarter_id=item.quarter_id,
            topics=topics,
            urgency=item.urgency.value,
            status=item.status,
            due_at=item.due_at,
            overdue=item.overdue(now),
            escalated=item.escalated,
            label=LabelOut(de=item.label_de, en=item.label_en),
            target_id=item.target_id,
            reason=item.reason,
        )


class QueueOut(BaseModel):
    team_id: str | None = Field(description="The team whose work this is; null for every team.")
    items: list[QueueItemOut]
    total: int = Field(description="Items matching the filters, on all pages.")
    page: int
    page_size: int
