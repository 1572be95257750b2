"""German texts for pydantic's validation errors (English comes from pydantic itself)."""

from __future__ import annotations

from typing import Any

GERMAN: dict[str, str] = {
    "missing": "Pflichtfeld fehlt.",
    "string_type": "Text erwartet.",
    "string_too_short": "Zu kurz: mindestens {min_length} Zeichen.",
    "string_too_long": "Zu lang: höchstens {max_length} Zeichen.",
    "string_pattern_mismatch": "Ungültiges Format.",
    "enum": "Ungültiger Wert; erlaubt: {expected}.",
    "literal_error": "Ungültiger Wert; erlaubt: {expected}.",
    "int_type": "Ganze Zahl erwartet.",
    "int_parsing": "Ganze Zahl erwartet.",
    "int_from_float": "Ganze Zahl erwartet.",
    "float_type": "Zahl erwartet.",
    "float_parsing": "Zahl erwartet.",
    "decimal_parsing": "Dezimalzahl erwartet.",
    "decimal_type": "Dezimalzahl erwartet.",
    "decimal_max_places": "Höchstens {decimal_places} Nachkommastellen.",
    "bool_type": "Ja/Nein-Wert erwartet.",
    "bool_parsing": "Ja/Nein-Wert erwartet.",
    "uuid_type": "Ungültige Kennung (UUID erwartet).",
    "uuid_parsing": "Ungültige Kennung (UUID erwartet).",
    "date_type": "Datum erwartet (JJJJ-MM-TT).",
    "date_parsing": "Datum erwartet (JJJJ-MM-TT).",
    "date_from_datetime_parsing": "Datum erwartet (JJJJ-MM-TT).",
    "date_from_datetime_inexact": "Datum ohne Uhrzeit erwartet.",
    "datetime_type": "Zeitpunkt erwartet (ISO 8601).",
    "datetime_parsing": "Zeitpunkt erwartet (ISO 8601).",
    "datetime_from_date_parsing": "Zeitpunkt erwartet (ISO 8601).",
    "timezone_aware": "Zeitpunkt mit Zeitzone erwartet.",
    "time_type": "Uhrzeit erwartet (HH:MM).",
    "time_parsing": "Uhrzeit erwartet (HH:MM).",
    "list_type": "Liste erwartet.",
    "too_short": "Zu wenige Einträge: mindestens {min_length}.",
    "too_long": "Zu viele Einträge: höchstens {max_length}.",
    "greater_than": "Muss größer als {gt} sein.",
    "greater_than_equal": "Muss mindestens {ge} sein.",
    "less_than": "Muss kleiner als {lt} sein.",
    "less_than_equal": "Darf höchstens {le} sein.",
    "json_invalid": "Ungültiges JSON: {error}.",
    "json_type": "JSON erwartet.",
    "dict_type": "Objekt erwartet.",
    "model_type": "Objekt erwartet.",
    "model_attributes_type": "Objekt erwartet.",
    "extra_forbidden": "Unbekanntes Feld.",
    "value_error": "Ungültiger Wert: {error}",
    "assertion_error": "Ungültiger Wert: {error}",
    "frozen_set_type": "Liste erwartet.",
    "set_type": "Liste erwartet.",
    "union_tag_invalid": "Ungültige Art: {tag}; erlaubt: {expected_tags}.",
}


def german(error: dict[str, Any]) -> str | None:
    """The German text for one pydantic error dict, or None if there is none."""
    template = GERMAN.get(error.get("type", ""))
    if template is None:
        return None
    context = {k: _plain(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return template.split(":")[0].rstrip(".") + "."


def _plain(value: Any) -> str:
    text = str(value)
    # pydantic's ValueError context reads "Value error, <message>"
    return text.removeprefix("Value error, ")
