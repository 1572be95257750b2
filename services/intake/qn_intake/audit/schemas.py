"""What the audit API returns."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime = Field(description="When the data was read (UTC).")
    actor: str = Field(description="Who read it (subject of the token).", examples=["u-4711"])
    actor_roles: list[str] = Field(description="The reader's roles at the time.", examples=[["team_staff"]])
    actor_org: str | None = Field(description="The reader's organisation or team.", examples=["team-innenstadt"])
    purpose: str = Field(
        description="Why: case_work, referral, follow_up, duplicate_check, erasure ...", examples=["case_work"]
    )
    action: str = Field(description="read, search, update, erase.", examples=["read"])
    subject_type: str = Field(description="What kind of record was read.", examples=["person"])
    subject_id: str = Field(description="Id of the record (never a name).")
    fields: list[str] = Field(description="Which fields were shown.", examples=[["given_name", "family_name"]])
    correlation_id: str | None = Field(description="The request that read it (X-Correlation-Id).")
    on_behalf_of: str | None = Field(
        None, description="Whom the reader acted for (proxy mode: the volunteer's volunteer_ref)."
    )

    @field_validator("actor_roles", mode="before")
    @classmethod
    def _split_roles(cls, value: object) -> object:
        return [r for r in value.split(",") if r] if isinstance(value, str) else value


class AuditPage(BaseModel):
    entries: list[AuditEntryOut]
    limit: int
    offset: int
