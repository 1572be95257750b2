"""What the address API returns."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ResolvedAddressOut(BaseModel):
    street: str = Field(description="The street as the directory spells it.", examples=["Franzstraße"])
    house_number: str | None = Field(description="The house number as resolved.", examples=["147a"])
    postcode: str | None = Field(description="The postcode, where the address has one.", examples=["06842"])
    quarter_id: str = Field(description="The quarter (Sozialraum) the address lies in.", examples=["innenstadt-sued"])
    quarter_name: str | None = Field(description="The quarter's name, if the city configured it.")
    district: str | None = Field(description="The quarter's district, if configured.", examples=["dessau"])
    team_id: str | None = Field(description="The neighbourhood team responsible for the quarter.")


class StreetOut(BaseModel):
    street: str = Field(description="A street name as the directory spells it.", examples=["Franzstraße"])
    postcodes: list[str] = Field(description="The postcodes the street has.", examples=[["06842"]])
    localities: list[str] = Field(description="Districts or places the street lies in, if known.")


class StreetsOut(BaseModel):
    streets: list[StreetOut] = Field(description="At most 10 streets, whole-name matches first.")
