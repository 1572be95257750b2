"""German texts for pydantic's validation errors (English comes from pydantic itself)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

GERMAN: dict[str, str] = {
    "missing": "Pflichtfeld fehlt.",
    "string_type": "Text erwartet.",
    "string_too_short": "Zu kurz: mindestens {min_length} Zeichen.",
    "string_too_long": "Zu lang: höchstens {max_length} Zeichen.",
    "string_pattern_mismatch": "Ungültiges Format.",
    "string_unicode": "Text in gültigem Unicode erwartet.",
    "string_not_ascii": "Nur ASCII-Zeichen erlaubt.",
    "url_type": "Adresse (URL) erwartet.",
    "url_parsing": "Ungültige Adresse (URL).",
    "url_syntax_violation": "Ungültige Adresse (URL).",
    "url_scheme": "Adresse (URL) mit einem dieser Schemata erwartet: {expected_schemes}.",
    "url_too_long": "Adresse (URL) zu lang: höchstens {max_length} Zeichen.",
    "enum": "Ungültiger Wert; erlaubt: {expected}.",
    "literal_error": "Ungültiger Wert; erlaubt: {expected}.",
    "int_type": "Ganze Zahl erwartet.",
    "int_parsing": "Ganze Zahl erwartet.",
    "int_from_float": "Ganze Zahl erwartet.",
    "int_parsing_size": "Zahl zu groß.",
    "finite_number": "Endliche Zahl erwartet.",
    "multiple_of": "Muss ein Vielfaches von {multiple_of} sein.",
    "float_type": "Zahl erwartet.",
    "float_parsing": "Zahl erwartet.",
    "decimal_parsing": "Dezimalzahl erwartet.",
    "decimal_type": "Dezimalzahl erwartet.",
    "decimal_max_places": "Höchstens {decimal_places} Nachkommastellen.",
    "decimal_max_digits": "Höchstens {max_digits} Ziffern.",
    "decimal_whole_digits": "Höchstens {whole_digits} Ziffern vor dem Komma.",
    "bool_type": "Ja/Nein-Wert erwartet.",
    "bool_parsing": "Ja/Nein-Wert erwartet.",
    "uuid_type": "Ungültige Kennung (UUID erwartet).",
    "uuid_parsing": "Ungültige Kennung (UUID erwartet).",
    "uuid_version": "Kennung der UUID-Version {expected_version} erwartet.",
    "date_type": "Datum erwartet (JJJJ-MM-TT).",
    "date_parsing": "Datum erwartet (JJJJ-MM-TT).",
    "date_from_datetime_parsing": "Datum erwartet (JJJJ-MM-TT).",
    "date_from_datetime_inexact": "Datum ohne Uhrzeit erwartet.",
    "date_past": "Das Datum muss in der Vergangenheit liegen.",
    "date_future": "Das Datum muss in der Zukunft liegen.",
    "datetime_type": "Zeitpunkt erwartet (ISO 8601).",
    "datetime_parsing": "Zeitpunkt erwartet (ISO 8601).",
    "datetime_from_date_parsing": "Zeitpunkt erwartet (ISO 8601).",
    "datetime_object_invalid": "Ungültiger Zeitpunkt.",
    "datetime_past": "Der Zeitpunkt muss in der Vergangenheit liegen.",
    "datetime_future": "Der Zeitpunkt muss in der Zukunft liegen.",
    "timezone_aware": "Zeitpunkt mit Zeitzone erwartet.",
    "timezone_naive": "Zeitpunkt ohne Zeitzone erwartet.",
    "timezone_offset": "Zeitpunkt mit einer anderen Zeitzone erwartet.",
    "time_delta_type": "Zeitdauer erwartet (ISO 8601, z. B. PT1H30M).",
    "time_delta_parsing": "Zeitdauer erwartet (ISO 8601, z. B. PT1H30M).",
    "time_type": "Uhrzeit erwartet (HH:MM).",
    "time_parsing": "Uhrzeit erwartet (HH:MM).",
    "list_type": "Liste erwartet.",
    "tuple_type": "Liste erwartet.",
    "iterable_type": "Liste erwartet.",
    "set_item_not_hashable": "Ungültiger Listeneintrag.",
    "too_short": "Zu wenige Einträge: mindestens {min_length}.",
    "too_long": "Zu viele Einträge: höchstens {max_length}.",
    "greater_than": "Muss größer als {gt} sein.",
    "greater_than_equal": "Muss mindestens {ge} sein.",
    "less_than": "Muss kleiner als {lt} sein.",
    "less_than_equal": "Darf höchstens {le} sein.",
    "json_invalid": "Kein gültiges JSON.",
    "json_type": "JSON erwartet.",
    "dict_type": "Objekt erwartet.",
    "model_type": "Objekt erwartet.",
    "model_attributes_type": "Objekt erwartet.",
    "mapping_type": "Objekt erwartet.",
    "dataclass_type": "Objekt erwartet.",
    "recursion_loop": "Zu tief verschachtelt.",
    "recursion_depth_exceeded": "Zu tief verschachtelt.",
    "none_required": "Hier ist kein Wert erlaubt.",
    "extra_forbidden": "Unbekanntes Feld.",
    "value_error": "Ungültiger Wert: {error}",
    "assertion_error": "Ungültiger Wert: {error}",
    "frozen_set_type": "Liste erwartet.",
    "set_type": "Liste erwartet.",
    "union_tag_invalid": "Ungültige Art: {tag}; erlaubt: {expected_tags}.",
    "union_tag_not_found": "Angabe {discriminator} fehlt.",
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
    if isinstance(value, float | Decimal):
        return str(value).replace(".", ",")  # 0,25 in a German sentence
    text = str(value)
    # pydantic lists allowed values as "'a', 'b' or 'c'"
    text = text.replace("' or '", "' oder '")
    # pydantic's ValueError context reads "Value error, <message>"
    return text.removeprefix("Value error, ")
