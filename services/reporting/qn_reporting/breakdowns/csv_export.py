"""A published figure as CSV the way German spreadsheets open it, as the count tables are
(`..tables.csv_export`): semicolons, decimal commas, UTF-8 with a byte-order mark, CRLF, "."
where a value is not published, the freshness and the protection note in the last lines."""

from __future__ import annotations

import csv
import io

from fastapi import Response

from .schemas import FigureOut

HEADERS = {
    "de": ["Zeitraum", "Ort", "Bezeichnung", "Thema", "Merkmal"],
    "en": ["Period", "Place", "Name", "Topic", "Detail"],
}
LABEL = {"de": "Merkmal (Bezeichnung)", "en": "Detail (name)"}
FRESH = {
    "de": "Stand: Ereignisse bis {latest} ({events} Ereignisse)",
    "en": "As of: events up to {latest} ({events} events)",
}


def number(value: float | None) -> str:
    if value is None:
        return "."
    text = str(int(value)) if float(value).is_integer() else f"{value:.3f}".rstrip("0")
    return text.replace(".", ",")


def csv_text(figure: FigureOut, language: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    # the details' names beside their codes, where the figure has names for them (channels, outcomes)
    named = any(row.detail_label for row in figure.rows)
    names = [LABEL[language]] if named else []
    writer.writerow([*HEADERS[language], *names, *(c.label for c in figure.columns)])
    for row in figure.rows:
        cells = [number(row.values.get(c.name)) for c in figure.columns]
        label = [row.detail_label or ""] if named else []
        writer.writerow([row.period, row.place, row.place_label, row.topic, row.detail, *label, *cells])
    writer.writerow([])
    latest = figure.freshness.latest_event_time
    writer.writerow(
        [FRESH[language].format(latest=latest.isoformat() if latest else "–", events=figure.freshness.events)]
    )
    writer.writerow([figure.protection.note])
    return buffer.getvalue()


def csv_response(figure: FigureOut, language: str) -> Response:
    name = f"{figure.figure.replace('_', '-')}-{figure.year}.csv"
    return Response(
        content="\ufeff" + csv_text(figure, language),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
