"""What the printed report says, in German (default) and English."""

from __future__ import annotations

TEXTS = {
    "de": {
        "title": "Bericht für den Ausschuss: {period}",
        "quartal": "{quartal}. Quartal {year}",
        "year": "Jahr {year}",
        "subtitle": "{city} – Kennzahlen der Sozialräume, Vergleich mit {previous}",
        "stand": "Erstellt am {date}. Quelle: Quartiersnetz, Berichtsstelle (nur Zellen, keine Personen).",
        "overview": "Überblick: ganze Stadt",
        "figure": "Kennzahl",
        "place": "Quartier",
        "topic": "Thema",
        "previous": "Vorperiode",
        "current": "Berichtszeitraum",
        "change": "Veränderung",
        "by_topic": "{label} nach Thema, ganze Stadt",
        "by_place": "{label} nach Quartier",
        "unprotectable": "Für diese Kennzahl lassen sich im Berichtszeitraum keine Werte so veröffentlichen, dass "
        "kleine Fallzahlen geschützt bleiben; sie entfällt.",
        "topics_note": "Ein Anliegen kann mehrere Themen haben; die Themen ergeben zusammen mindestens die Gesamtzahl.",
        "protection": "Geheimhaltung",
        "note": "Werte unter {minimum} sind gesperrt („.“), ebenso so viele weitere, dass sich kein gesperrter "
        "Wert aus Summen oder anderen Tabellen zurückrechnen lässt. Die Werte sind dieselben wie in den "
        "öffentlichen Tabellen und im Dashboard.",
        "legend": "Zeichen: „.“ = Wert gesperrt; „x“ = keine Veränderung angegeben, weil ein Wert gesperrt ist oder "
        "die Vorperiode weniger als {minimum} Fälle hat; Veränderung in Prozent gegenüber der Vorperiode.",
        "hidden": "In diesem Bericht sind {hidden} Werte gesperrt.",
        "page": "Seite {page}",
    },
    "en": {
        "title": "Report to the committee: {period}",
        "quartal": "Q{quartal} {year}",
        "year": "Year {year}",
        "subtitle": "{city} – figures of the neighbourhoods, compared with {previous}",
        "stand": "Produced on {date}. Source: Quartiersnetz statistics office (cells only, no persons).",
        "overview": "Overview: whole city",
        "figure": "Figure",
        "place": "Neighbourhood",
        "topic": "Topic",
        "previous": "Previous period",
        "current": "This period",
        "change": "Change",
        "by_topic": "{label} by topic, whole city",
        "by_place": "{label} by neighbourhood",
        "unprotectable": "No values of this figure can be published for the period while keeping small counts "
        "protected; it is left out.",
        "topics_note": "A concern may have several topics; the topics add up to at least the total.",
        "protection": "Disclosure control",
        "note": "Values below {minimum} are not shown ('.'), nor are as many others as it takes that no hidden "
        "value can be worked out from totals or other tables. The values are those of the public tables and "
        "the dashboard.",
        "legend": "Signs: '.' = value not published; 'x' = no change given, because a value is hidden or the "
        "previous period has fewer than {minimum}; change in percent against the previous period.",
        "hidden": "{hidden} values in this report are not published.",
        "page": "Page {page}",
    },
}
