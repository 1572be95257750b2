"""The texts of the neighbourly-help screens (matching's API), German first and English beside it.
They belong to the one catalogue: `messages.py` adds them to `MESSAGES`; kept in their own file so
that the matching screens' words stay together."""

from __future__ import annotations

MATCHING_MESSAGES: dict[str, tuple[str, str]] = {
    "nav_volunteers": ("Ehrenamtliche", "Volunteers"),
    "nav_applications": ("Bewerbungen", "Applications"),
    "nav_unmatched": ("Offene Anfragen", "Unmatched requests"),
    "nav_proposals": ("Vorschläge", "Proposals"),
    "nav_hours": ("Stunden", "Hours"),
    "nav_my_tasks": ("Meine Einsätze", "My tasks"),
    "nav_apply": ("Mitmachen", "Volunteer with us"),
    "saved": ("Gespeichert.", "Saved."),
    "volunteers_title": ("Ehrenamtliche", "Volunteers"),
    "volunteers_intro": (
        "Neue Bewerbungen aus dem Online-Formular warten unter „Bewerbung“: Lernen Sie die Person kennen, "
        "dann nehmen Sie sie auf oder sagen ab. Vorgeschlagen wird nur, wer aktiv ist.",
        "New applications from the online form wait under “Application”: meet the person, then approve or "
        "deny. Only active volunteers are proposed.",
    ),
    "volunteers_empty": ("Niemand in diesem Status.", "Nobody with this status."),
    "due_by_label": ("Führungszeugnis fällig bis", "Police certificate due by"),
    "due_by_title": ("Führungszeugnis bis {day} erneut vorzulegen", "Police certificate due again by {day}"),
    "col_name": ("Name", "Name"),
    "col_skills": ("Hilfe", "Help"),
    "col_recheck": ("Führungszeugnis bis", "Certificate until"),
    "col_reference": ("Kennung", "Reference"),
    "col_registered": ("Gemeldet", "Registered"),
    "col_contact": ("Erreichbar", "Contact"),
    "col_login": ("Anmeldung", "Login"),
    "no_login": ("keine (antwortet telefonisch)", "none (answers by phone)"),
    "col_languages": ("Sprachen", "Languages"),
    "col_certificate": ("Erweitertes Führungszeugnis", "Extended police certificate"),
    "certificate_summary": (
        "ausgestellt am {date}, erneut vorzulegen ab {recheck}",
        "issued {date}, due again {recheck}",
    ),
    "certificate_none": ("noch nicht eingesehen", "not inspected yet"),
    "col_absences": ("Abwesend", "Away"),
    "change_status": ("Status ändern", "Change status"),
    "new_status": ("Neuer Status", "New status"),
    "account_label": ("Anmeldename (optional)", "Login name (optional)"),
    "account_hint": (
        "Damit die Person Vorschläge selbst beantworten kann. Leer lassen, wenn sie kein Smartphone hat: "
        "dann antworten Sie für sie.",
        "So that the person can answer proposals themselves. Leave empty if they have no smartphone: then "
        "you answer for them.",
    ),
    "archive_reason": ("Grund für das Beenden", "Why the engagement ends"),
    "save_status": ("Status speichern", "Save status"),
    "certificate_title": ("Erweitertes Führungszeugnis", "Extended police certificate"),
    "certificate_hint": (
        "Sehen Sie das Zeugnis persönlich ein. Gespeichert werden nur das Datum und ob es einen relevanten "
        "Eintrag gibt – nie das Dokument oder sein Inhalt.",
        "Inspect the certificate in person. Only its date and whether it holds a relevant entry are kept – "
        "never the document or what it says.",
    ),
    "certificate_date": ("Ausgestellt am", "Issued on"),
    "certificate_outcome": ("Ergebnis", "Outcome"),
    "certificate_clear": ("kein relevanter Eintrag", "no relevant entry"),
    "certificate_entry": ("relevanter Eintrag", "relevant entry"),
    "recheck_on": ("Erneut vorlegen ab (optional)", "Due again on (optional)"),
    "recheck_on_hint": ("Leer lassen: fünf Jahre nach dem Ausstellungsdatum.", "Leave empty: five years after issue."),
    "certificate_save": ("Einsicht speichern", "Save inspection"),
    "availability_title": ("Wann die Person Zeit hat", "When they have time"),
    "availability_hint": (
        "Wochentag und Uhrzeit, zum Beispiel montags 10:00 bis 12:00. Leere Zeilen zählen nicht.",
        "Weekday and time, for example Mondays 10:00 to 12:00. Empty rows do not count.",
    ),
    "availability_save": ("Zeiten speichern", "Save times"),
    "slot_legend": ("Zeitfenster {n}", "Time window {n}"),
    "weekday": ("Wochentag", "Weekday"),
    "slot_from": ("von", "from"),
    "slot_until": ("bis", "until"),
    "open_tasks_title": ("Offene Vorschläge und Einsätze", "Open proposals and tasks"),
    "open_tasks_empty": ("Keine offenen Vorschläge oder Einsätze.", "No open proposals or tasks."),
    "unmatched_title": ("Offene Anfragen", "Unmatched requests"),
    "unmatched_intro": (
        "Für diese Anfragen wurde niemand gefunden, oder alle Gefragten haben abgelehnt oder nicht "
        "geantwortet. Das Team im Stadtteil sieht sie ebenfalls in seiner Arbeitsliste.",
        "Nobody was found for these requests, or everyone asked declined or did not answer. The "
        "neighbourhood team sees them in its work queue too.",
    ),
    "unmatched_empty": ("Keine offenen Anfragen.", "No unmatched requests."),
    "col_help_kind": ("Hilfe", "Help"),
    "col_why_unmatched": ("Warum offen", "Why unmatched"),
    "col_asked": ("Gefragt", "Asked"),
    "col_received": ("Eingegangen", "Received"),
    "col_volunteer": ("Ehrenamtliche", "Volunteer"),
    "col_proposed": ("Vorgeschlagen", "Proposed"),
    "col_answer_by": ("Antwort bis", "Answer by"),
    "col_wanted_by": ("Gewünscht bis", "Wanted by"),
    "proposals_title": ("Vorschläge und Einsätze", "Proposals and tasks"),
    "proposals_empty": ("Keine in diesem Status.", "None with this status."),
    "my_tasks_title": ("Meine Einsätze", "My tasks"),
    "not_linked": (
        "Ihre Anmeldung ist noch mit keinem Eintrag als Ehrenamtliche verbunden. Bitte rufen Sie die Koordination an.",
        "Your login is not linked to a volunteer record yet. Please call the coordinator.",
    ),
    "my_proposals": ("Neue Anfragen an Sie", "New requests for you"),
    "my_proposals_empty": ("Gerade keine neuen Anfragen.", "No new requests right now."),
    "my_accepted": ("Zugesagt", "Accepted"),
    "my_accepted_empty": ("Keine zugesagten Einsätze.", "No accepted tasks."),
    "calendar_link_title": ("Kalender-Link", "Calendar link"),
    "calendar_link_intro": (
        "Ihre zugesagten Einsätze im Kalender Ihres Telefons: Art, Quartier und Zeit, nie Name oder Adresse. "
        "Wer den Link hat, sieht diese Termine; erneuern oder widerrufen Sie ihn, wenn er in falsche Hände kam.",
        "Your accepted tasks in your phone's calendar: kind, quarter and time, never a name or an address. "
        "Whoever has the link sees these times; renew or revoke it if it got into the wrong hands.",
    ),
    "calendar_link_make": ("Kalender-Link erstellen/erneuern", "Create/renew the calendar link"),
    "calendar_link_revoke": ("Kalender-Link widerrufen", "Revoke the calendar link"),
    "calendar_link": ("Ihr Kalender-Link", "Your calendar link"),
    "calendar_link_made": (
        "Kopieren Sie den Link jetzt in Ihren Kalender (als Abonnement): er wird nur dieses eine Mal gezeigt. "
        "Ein früherer Link gilt nicht mehr.",
        "Copy the link into your calendar now (as a subscription): it is shown only this once. "
        "An earlier link no longer works.",
    ),
    "calendar_link_revoked": ("Der Kalender-Link ist widerrufen.", "The calendar link is revoked."),
    "wanted_by": ("bis {day}", "by {day}"),
    "answer_by": ("Bitte antworten bis {at}", "Please answer by {at}"),
    "proxy_hint": (
        "Sie handeln für {name} (ohne Smartphone). Alles, was Sie hier tun, wird im Verlauf des Einsatzes so vermerkt.",
        "You act for {name} (no smartphone). Everything you do here is marked so in the task's log.",
    ),
    "volunteer_record": ("Zum Eintrag", "To the record"),
    "address_title": ("Wem Sie helfen", "Whom you help"),
    "task_address_hint": (
        "Nur für diesen Einsatz. Die Adresse ist nicht mehr sichtbar, sobald der Einsatz abgeschlossen ist.",
        "For this task only. The address is no longer shown once the task is completed.",
    ),
    "phone_number": ("Telefon", "Phone"),
    "no_address": ("Die Adresse ist nicht verfügbar.", "The address is not available."),
    "why_you": ("Warum Sie gefragt werden", "Why you are asked"),
    "why_you_proxy": ("Warum diese Person gefragt wird", "Why this volunteer is asked"),
    "your_answer": ("Ihre Antwort", "Your answer"),
    "accept_task": ("Zusagen", "Accept"),
    "decline_reason": ("Grund der Absage", "Why not"),
    "decline_note": ("Nachricht an die Koordination (optional)", "Message to the coordinator (optional)"),
    "decline_task": ("Absagen", "Decline"),
    "task_saved_accepted": ("Danke! Sie haben zugesagt.", "Thank you! You accepted."),
    "task_saved_declined": ("Abgesagt. Die Nächste wird gefragt.", "Declined. The next volunteer is asked."),
    "task_saved_hours": ("Die Stunden sind eingetragen.", "The hours are logged."),
    "task_saved_completed": ("Der Einsatz ist abgeschlossen. Danke!", "The task is completed. Thank you!"),
    "hours_title": ("Stunden", "Hours"),
    "col_day": ("Tag", "Day"),
    "col_hours": ("Stunden", "Hours"),
    "col_note": ("Hinweis", "Note"),
    "hours_status_submitted": ("wartet auf Freigabe", "awaiting approval"),
    "hours_status_approved": ("freigegeben", "approved"),
    "hours_status_returned": ("zurückgegeben", "returned"),
    "paper_slip": ("Papierzettel", "paper slip"),
    "hours_settled": ("Abgerechnet: {hours} Stunden.", "Settled: {hours} hours."),
    "hours_label": ("Stunden", "Hours"),
    "hours_hint": (
        "In Viertelstunden, zum Beispiel 1,5 oder 0,75 (höchstens 24).",
        "In quarter hours, for example 1.5 or 0.75 (at most 24).",
    ),
    "worked_on": ("Am Tag", "On the day"),
    "hours_source": ("Woher die Stunden kommen", "Where the hours come from"),
    "source_proxy": ("telefonisch durchgegeben", "told by phone"),
    "log_hours": ("Stunden eintragen", "Log hours"),
    "complete_hint": (
        "Tragen Sie zuerst die Stunden ein. Danach schließen Sie den Einsatz ab.",
        "Log the hours first. Then complete the task.",
    ),
    "complete_task": ("Einsatz abschließen", "Complete the task"),
    "hours_queue_title": ("Stunden freigeben", "Hours to approve"),
    "hours_queue_intro": (
        "Von Ehrenamtlichen eingetragene Stunden. Geben Sie sie frei, oder geben Sie sie mit einem Grund "
        "zurück. Papierzettel tragen Sie beim Einsatz ein.",
        "Hours logged by volunteers. Approve them, or return them with a reason. Enter paper slips on the task.",
    ),
    "hours_queue_empty": ("Keine Stunden warten auf Freigabe.", "No hours wait for approval."),
    "hours_entry": ("{hours} Stunden am {day}", "{hours} hours on {day}"),
    "logged_by": ("eingetragen von {who}, {at}", "logged by {who}, {at}"),
    "to_task": ("zum Einsatz", "to the task"),
    "approve_hours": ("Freigeben", "Approve"),
    "return_reason": ("Grund der Rückgabe", "Why returned"),
    "return_note": ("Nachricht an die Person (optional)", "Message to the volunteer (optional)"),
    "return_hours": ("Zurückgeben", "Return"),
    "hours_saved_approved": ("Freigegeben.", "Approved."),
    "hours_saved_returned": ("Zurückgegeben.", "Returned."),
    "apply_title": ("Mitmachen in der Nachbarschaftshilfe", "Volunteer for neighbourly help"),
    "apply_intro": (
        "Sie möchten Nachbarinnen und Nachbarn helfen? Sagen Sie uns, was Sie gern tun und wann Sie Zeit "
        "haben. Die Koordination meldet sich und lernt Sie kennen, bevor Sie gefragt werden.",
        "Would you like to help your neighbours? Tell us what you like to do and when you have time. The "
        "coordinator will get in touch and meet you before you are asked.",
    ),
    "apply_name": ("Wie dürfen wir Sie nennen?", "What may we call you?"),
    "apply_name_hint": (
        "Zum Beispiel Vorname und erster Buchstabe des Nachnamens.",
        "For example first name and initial.",
    ),
    "apply_contact": ("Telefon oder E-Mail", "Phone or e-mail"),
    "apply_contact_hint": ("Damit die Koordination Sie erreicht.", "So that the coordinator can reach you."),
    "apply_quarter": ("Ihr Stadtteil", "Your neighbourhood"),
    "apply_skills": ("Wobei möchten Sie helfen?", "What would you like to help with?"),
    "apply_languages": ("Welche Sprachen sprechen Sie?", "Which languages do you speak?"),
    "apply_time": ("Wann haben Sie in der Woche Zeit? (optional)", "When do you have time each week? (optional)"),
    "apply_privacy": (
        "Ihre Angaben bleiben bei der Koordination der Nachbarschaftshilfe und werden nicht weitergegeben.",
        "What you tell us stays with the coordinators of neighbourly help and is not passed on.",
    ),
    "apply_send": ("Absenden", "Send"),
    "applied_title": ("Danke für Ihr Angebot!", "Thank you for your offer!"),
    "applied_reference": (
        "Ihre Kennung – bitte nennen Sie sie, wenn Sie anrufen:",
        "Your reference – please quote it when you call:",
    ),
    "applied_next": (
        "Die Koordination meldet sich in den nächsten Tagen bei Ihnen.",
        "The coordinator will get in touch within the next days.",
    ),
    "error_archive_reason_required": ("Wählen Sie einen Grund für das Beenden.", "Choose why the engagement ends."),
    "error_certificate_date_required": (
        "Geben Sie das Ausstellungsdatum des Führungszeugnisses an.",
        "Enter the date the certificate was issued.",
    ),
    "error_certificate_outcome_required": (
        "Wählen Sie, ob das Führungszeugnis einen relevanten Eintrag hat.",
        "Choose whether the certificate holds a relevant entry.",
    ),
    "error_decline_reason_required": ("Wählen Sie einen Grund für die Absage.", "Choose why you decline."),
    "error_hours_required": ("Geben Sie die Stunden an, zum Beispiel 1,5.", "Enter the hours, for example 1.5."),
    "error_return_reason_required": ("Wählen Sie einen Grund für die Rückgabe.", "Choose why the hours are returned."),
    "error_display_name_required": ("Geben Sie an, wie wir Sie nennen dürfen.", "Enter what we may call you."),
    "error_contact_required": (
        "Geben Sie eine Telefonnummer oder E-Mail-Adresse an.",
        "Enter a phone number or e-mail.",
    ),
    "error_quarter_required": ("Wählen Sie Ihren Stadtteil.", "Choose your neighbourhood."),
    "error_skills_required": ("Wählen Sie mindestens eine Hilfe.", "Choose at least one kind of help."),
}

# matching's code lists, for the volunteers' and coordinators' screens
HELP_KINDS = {
    "shopping": ("Einkaufen", "Shopping"),
    "small_repairs": ("Kleine Reparaturen", "Small repairs"),
    "escort": ("Begleitung zu Arzt oder Amt", "Escort to a doctor or an authority"),
    "walk": ("Spazierengehen", "Walks"),
    "reading": ("Vorlesen", "Reading aloud"),
    "company": ("Besuch und Gesellschaft", "Visits and company"),
    "digital_help": ("Hilfe mit Handy und Computer", "Help with phones and computers"),
    "paperwork": ("Hilfe mit Papierkram", "Help with paperwork"),
}
VOLUNTEER_STATUS = {
    "prospective": ("Bewerbung", "Application"),
    "approved": ("aufgenommen", "approved"),
    "active": ("aktiv", "active"),
    "paused": ("pausiert", "paused"),
    "inactive": ("beendet", "ended"),
    "denied": ("abgesagt", "denied"),
}
ARCHIVE_REASONS = {
    "moved": ("verzogen", "moved away"),
    "quit": ("hört auf", "quit"),
    "dismissed": ("beendet durch die Koordination", "dismissed"),
    "deceased": ("verstorben", "deceased"),
    "opted_out": ("möchte nicht mehr gefragt werden", "opted out"),
}
MATCH_STATUS = {
    "proposed": ("angefragt", "proposed"),
    "accepted": ("zugesagt", "accepted"),
    "completed": ("erledigt", "completed"),
    "declined": ("abgesagt", "declined"),
    "expired": ("keine Antwort", "no answer"),
    "cancelled": ("abgesagt vom Team", "called off"),
    "withdrawn": ("zurückgezogen", "withdrawn"),
}
DECLINE_REASONS = {
    "no_time": ("Keine Zeit", "No time"),
    "illness": ("Krank", "Ill"),
    "away": ("Nicht da", "Away"),
    "too_far": ("Zu weit weg", "Too far"),
    "not_suitable": ("Passt nicht zu mir", "Not for me"),
    "knows_the_person": ("Ich kenne die Person", "I know the person"),
    "other": ("Anderer Grund", "Other reason"),
}
RETURN_REASONS = {
    "wrong_hours": ("Stundenzahl stimmt nicht", "Wrong hours"),
    "wrong_date": ("Datum stimmt nicht", "Wrong date"),
    "not_this_task": ("Gehört nicht zu diesem Einsatz", "Not this task"),
    "duplicate": ("Doppelt eingetragen", "Entered twice"),
    "other": ("Anderer Grund", "Other reason"),
}
UNMATCHED_REASONS = {
    "no_candidates": ("Niemand passt", "Nobody fits"),
    "all_declined": ("Alle haben abgesagt", "Everyone declined"),
    "all_expired": ("Niemand hat geantwortet", "Nobody answered"),
}
URGENCIES = {
    "immediate": ("sofort", "immediate"),
    "soon": ("zeitnah", "soon"),
    "plannable": ("planbar", "plannable"),
}
WEEKDAY_NAMES = {
    "mo": ("Montag", "Monday"),
    "tu": ("Dienstag", "Tuesday"),
    "we": ("Mittwoch", "Wednesday"),
    "th": ("Donnerstag", "Thursday"),
    "fr": ("Freitag", "Friday"),
    "sa": ("Samstag", "Saturday"),
    "su": ("Sonntag", "Sunday"),
}
LANGUAGE_NAMES = {
    "de": ("Deutsch", "German"),
    "en": ("Englisch", "English"),
    "ru": ("Russisch", "Russian"),
    "uk": ("Ukrainisch", "Ukrainian"),
    "tr": ("Türkisch", "Turkish"),
    "ar": ("Arabisch", "Arabic"),
    "pl": ("Polnisch", "Polish"),
    "fa": ("Persisch", "Persian"),
}
