"""The aggregate tables. Every key is (metric, month, quarter, topic); no row refers to a person.

`month` is `YYYY-MM` in Europe/Berlin, `quarter_id` is '' when the event named no quarter, and
`topic` is a topic code or '*' (all topics: each event counted once)."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base

METRIC_LENGTH = 200


class CountCell(Base):
    """How many events of one metric fell into one month, quarter and topic."""

    __tablename__ = "counts"

    metric: Mapped[str] = mapped_column(String(METRIC_LENGTH), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    quarter_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    topic: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


class SumCell(Base):
    """The sum of a measure (hours, attendance) over one month, quarter and topic. Kept in
    hundredths as an integer, so that sums are exact on SQLite too (which has no decimal type)."""

    __tablename__ = "sums"

    metric: Mapped[str] = mapped_column(String(METRIC_LENGTH), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    quarter_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    topic: Mapped[str] = mapped_column(String(64), primary_key=True)
    hundredths: Mapped[int] = mapped_column(BigInteger)


class SiteQuarter(Base):
    """Which quarter a site (drop-in centre) lies in, from `site.updated` -- public data. Booking
    events name only the site; this is how they are counted per quarter. A row without a quarter
    marks a site seen in a booking before its `site.updated` (events may arrive in any order)."""

    __tablename__ = "site_quarters"

    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    quarter_id: Mapped[str | None] = mapped_column(String(64))


class UnplacedCell(Base):
    """What events of a site not yet placed in a quarter added to the quarter-less ('') cells.
    When the site's `site.updated` arrives, these amounts move to the site's quarter."""

    __tablename__ = "unplaced_by_site"

    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(5), primary_key=True)
    """'count' or 'sum'."""
    metric: Mapped[str] = mapped_column(String(METRIC_LENGTH), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    topic: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
