"""The texts of a coordinator's own moves on a help request (assign by hand, offer to several) and
of the public form's rate limit, German first and English beside it. `messages.py` adds them to
the one catalogue, refusing a key another file has already."""

from __future__ import annotations

ASSIGN_MESSAGES: dict[str, tuple[str, str]] = {
    "assign_title": ("Anfrage: {kind}", "Request: {kind}"),
    "assign_open_request": ("Anfrage öffnen", "Open the request"),
    "col_request": ("Anfrage", "Request"),
    "assign_weekly_slot": ("Jede Woche", "Every week"),
    "assign_asked_title": ("Bisher gefragt", "Asked so far"),
    "assign_asked_none": ("Bisher wurde niemand gefragt.", "Nobody was asked so far."),
    "assign_col_why": ("Warum diese Person (laut Vermittlung)", "Why this volunteer (as matching says)"),
    "assign_choose_title": ("Selbst vergeben", "Place it yourself"),
    "assign_intro": (
        "Wählen Sie eine Person, die schon zugesagt hat (zum Beispiel am Telefon), und teilen Sie ihr die "
        "Anfrage zu – oder wählen Sie zwei bis zehn Personen und bieten Sie sie allen zugleich an: Wer zuerst "
        "zusagt, übernimmt. Offene Vorschläge dieser Anfrage werden dabei zurückgezogen. Die Vermittlung prüft "
        "jede Person und sagt, was nicht passt.",
        "Choose someone who has agreed already (on the phone, say) and assign the request to them – or choose "
        "two to ten people and offer it to all of them at once: whoever accepts first takes it on. Open "
        "proposals of this request are withdrawn. Matching checks everyone and says what does not fit.",
    ),
    "assign_candidates": ("Aktive Ehrenamtliche", "Active volunteers"),
    "assign_no_candidates": ("Zurzeit ist niemand aktiv.", "Nobody is active at the moment."),
    "assign_asked_before": ("schon gefragt", "asked before"),
    "assign_overrides": ("Trotzdem passend (nach Rücksprache)", "Fits all the same (after a call)"),
    "assign_overrides_hint": (
        "Nur ankreuzen, wenn Sie mit der Person gesprochen haben. Der Verlauf des Einsatzes vermerkt es.",
        "Tick only after talking to the volunteer. The task's log keeps it.",
    ),
    "override_out_of_reach": (
        "wohnt außerhalb der angegebenen Reichweite",
        "lives beyond the reach they gave",
    ),
    "override_at_capacity": (
        "hat schon so viele offene Einsätze, wie sie oder er möchte",
        "has as many open tasks as they want",
    ),
    "assign_send": ("Von Hand zuteilen", "Assign by hand"),
    "offer_send": ("Mehreren anbieten", "Offer to several"),
    "assign_buttons_hint": (
        "Zuteilen: genau eine Person, die Zusage gilt sofort. Anbieten: zwei bis zehn Personen, jede wird gefragt.",
        "Assign: exactly one person, accepted at once. Offer: two to ten people, each is asked.",
    ),
    "error_assign_one": (
        "Wählen Sie genau eine Person, der Sie die Anfrage zuteilen.",
        "Choose exactly one volunteer to assign the request to.",
    ),
    "error_offer_several": (
        "Wählen Sie mindestens zwei Personen, um die Anfrage mehreren anzubieten.",
        "Choose at least two volunteers to offer the request to several.",
    ),
    "assign_override_needed": (
        "{name}: {rules}. Wenn es trotzdem passt, kreuzen Sie das unter „Trotzdem passend“ an.",
        "{name}: {rules}. If it fits all the same, tick it under “Fits all the same”.",
    ),
    "assign_saved_offered": (
        "Angeboten. Wer zuerst zusagt, übernimmt; die anderen Angebote werden dann zurückgezogen.",
        "Offered. Whoever accepts first takes it on; the other offers are then withdrawn.",
    ),
    "task_saved_assigned": (
        "Zugeteilt. Die Zusage gilt ab sofort; Sie handeln für die Person.",
        "Assigned. It counts as accepted from now on; you act for the volunteer.",
    ),
    "apply_too_many_title": ("Zu viele Anmeldungen", "Too many sign-ups"),
    "apply_too_many_text": (
        "Von Ihrem Anschluss kamen gerade viele Anmeldungen. Bitte versuchen Sie es ab {at} Uhr noch einmal – "
        "oder rufen Sie die Koordination an, wir nehmen Ihre Anmeldung gern am Telefon auf.",
        "Many sign-ups came from your connection just now. Please try again from {at} – or call the "
        "coordinators, who are glad to take your sign-up on the phone.",
    ),
    "public_figures_title": ("Öffentliche Kennzahlen {year}", "Public figures {year}"),
    "public_figures_intro": (
        "Diese Kennzahlen veröffentlicht die Statistikstelle ohne Anmeldung, geschützt wie die Tabellen oben "
        "(nur die Raumauslastung nicht: Raumzeiten sagen nichts über Personen): zum Herunterladen für "
        "Tabellenprogramme, und das öffentliche Dashboard.",
        "The statistics office publishes these figures without a login, protected like the tables above (all "
        "but the room occupancy: room hours say nothing about people): to download for spreadsheets, and the "
        "public dashboard.",
    ),
    "public_figure_concerns": ("Anliegen nach Zugangsweg", "Concerns by channel"),
    "public_figure_referrals": ("Weiterleitungen nach Empfänger", "Referrals by recipient"),
    "public_figure_unmet_need": ("Ungedeckter Bedarf", "Unmet need"),
    "public_figure_early_warning": ("Frühwarnung", "Early warning"),
    "public_figure_signals": ("Frühwarnsignale nach Art", "Signals by kind"),
    "public_figure_neighbourly_help": ("Nachbarschaftshilfe", "Neighbourly help"),
    "public_figure_drop_in": ("Angebotstreffs", "Drop-in centres"),
    "public_figure_attendance": ("Teilnahme je Quartier", "Attendance per neighbourhood"),
    "public_figure_follow_ups": ("Nachsorge", "Follow-ups"),
    "public_figure_occupancy": ("Auslastung der Räume", "Room occupancy"),
    "csv_file": ("CSV-Datei", "CSV file"),
    "public_dashboard": ("Öffentliches Dashboard", "Public dashboard"),
}
