"""Persisting the street directory: replace it from a file, load it into memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import islice

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from .directory import DirectoryRow, StreetDirectory
from .importer import DirectoryFile
from .models import DirectoryImport, StreetAddress

BATCH = 5000


def current_import(session: Session) -> DirectoryImport | None:
    return session.scalars(select(DirectoryImport).order_by(DirectoryImport.id.desc()).limit(1)).first()


def replace_directory(
    sessions: sessionmaker[Session],
    source: DirectoryFile,
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Replaces the whole directory with the file's rows in one transaction; returns the row count.

    A bad row aborts the import and leaves the previous directory in place."""
    checksum = source.sha256()
    count = 0
    with sessions() as session, session.begin():
        session.execute(delete(StreetAddress))
        rows = source.rows()
        while batch := list(islice(rows, BATCH)):
            session.execute(
                insert(StreetAddress),
                [
                    {
                        "street": r.street,
                        "postcode": r.postcode,
                        "house_number": r.house_number,
                        "locality": r.locality,
                        "quarter_id": r.quarter_id,
                    }
                    for r in batch
                ],
            )
            count += len(batch)
            if progress:
                progress(count)
        session.add(
            DirectoryImport(source=source.path.name, sha256=checksum, rows=count, imported_at=datetime.now(UTC))
        )
    return count


def load_directory(sessions: sessionmaker[Session]) -> StreetDirectory:
    """Builds the in-memory index from the database."""
    return StreetDirectory(_stream_rows(sessions))


def _stream_rows(sessions: sessionmaker[Session]) -> Iterator[DirectoryRow]:
    with sessions() as session:
        result = session.execute(
            select(StreetAddress.street, StreetAddress.postcode, StreetAddress.house_number, StreetAddress.quarter_id)
            .execution_options(yield_per=20000)
        )
        for street, postcode, house_number, quarter_id in result:
            yield DirectoryRow(street, postcode, house_number, quarter_id)
