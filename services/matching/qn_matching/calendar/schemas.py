"""What the calendar feed routes return."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class FeedLinkOut(BaseModel):
    url: str = Field(
        description="The secret link to subscribe to in a calendar app; shown only now, never again.",
        examples=["http://127.0.0.1:8002/calendar-feeds/8kQ…Zx.ics"],
    )
    created_at: datetime
