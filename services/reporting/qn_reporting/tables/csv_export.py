"""A published table as CSV the way German spreadsheets open it: semicolons, decimal commas,
UTF-8 with a byte-order mark (without it Excel reads the umlauts as Latin-1), CRLF line ends,
and "." where a value is not published -- with the protection note as the last line."""

from __future__ import annotations

import csv
import io

from fastapi import Response

from .schemas import TableOut

HEADERS = {
    "de": ["Zeitraum", "Ort", "Bezeichnung", "Thema", "Anzahl"],
    "en": ["Period", "Place", "Name", "Topic", "Count"],
}


FRESH = {
    "de": "Stand: Ereignisse bis {latest} ({events} Ereignisse)",
    "en": "As of: events up to {latest} ({events} events)",
}


def csv_text(table: TableOut, language: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    headers = HEADERS[language]
    if table.detail_label is None:
        writer.writerow(headers)
    else:  # the details' column before the count
        writer.writerow([*headers[:-1], table.detail_label, headers[-1]])
    for row in table.rows:
        value = "." if row.value is None else str(row.value)
        detail = [] if table.detail_label is None else [row.detail_label or row.detail]
        writer.writerow([row.period, row.place, row.place_label, row.topic, *detail, value])
    writer.writerow([])
    if table.freshness is not None:
        latest = table.freshness.latest_event_time
        moment = latest.isoformat() if latest else "–"
        writer.writerow([FRESH[language].format(latest=moment, events=table.freshness.events)])
    writer.writerow([table.protection.note])
    return buffer.getvalue()


def csv_response(table: TableOut, language: str) -> Response:
    name = f"{table.metric.replace('.', '-')}-{table.year}-{table.time}-{table.place}.csv"
    return Response(
        content="\ufeff" + csv_text(table, language),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
