"""Every text the portal shows, German first and English beside it: one catalogue, so that no page
holds a sentence of its own. Labels of topics, channels and statuses come from intake in both."""

from __future__ import annotations

from fastapi import Request

from .messages_assign import ASSIGN_MESSAGES
from .messages_matching import MATCHING_MESSAGES
from .messages_scheduling import SCHEDULING_MESSAGES

LANGUAGES = ("de", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    "app_name": ("Quartiersnetz", "Quartiersnetz"),
    "skip_link": ("Zum Inhalt springen", "Skip to main content"),
    "language_switch": ("English", "Deutsch"),
    "language_switch_label": ("Switch to English", "Auf Deutsch wechseln"),
    "nav_label": ("Hauptnavigation", "Main navigation"),
    "nav_queue": ("Arbeitsliste", "Work queue"),
    "nav_new_concern": ("Neues Anliegen", "New concern"),
    "nav_referrals": ("Vermittlungen", "Referrals"),
    "signed_in_as": ("Angemeldet als", "Signed in as"),
    "sign_out": ("Abmelden", "Sign out"),
    "sign_in": ("Anmelden", "Sign in"),
    "sign_in_title": ("Bei Quartiersnetz anmelden", "Sign in to Quartiersnetz"),
    "sign_in_city": ("Mit dem Konto der Stadt anmelden", "Sign in with the city's account"),
    "sign_in_none": (
        "Keine Anmeldung eingerichtet: bitte QN_PORTAL_OIDC_ISSUER und QN_PORTAL_OIDC_CLIENT_ID setzen.",
        "No sign-in configured: set QN_PORTAL_OIDC_ISSUER and QN_PORTAL_OIDC_CLIENT_ID.",
    ),
    "sign_in_local": ("Lokale Demo-Anmeldung", "Local demo sign-in"),
    "sign_in_local_hint": (
        "Nur für die Entwicklung mit make run: Wählen Sie eine Person der Demo-Stadt.",
        "For development with make run only: choose a person of the demo city.",
    ),
    "sign_in_as": ("Anmelden als", "Sign in as"),
    "signed_out": ("Sie sind abgemeldet.", "You are signed out."),
    "sign_in_failed": (
        "Die Anmeldung hat nicht geklappt. Bitte versuchen Sie es noch einmal.",
        "Signing in did not work. Please try again.",
    ),
    "session_ended": (
        "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich neu an.",
        "Your session ended. Please sign in again.",
    ),
    "col_role": ("Rolle", "Role"),
    "col_team": ("Team", "Team"),
    "col_carrier": ("Träger", "Carrier"),
    "col_person": ("Person", "Person"),
    "role_team_staff": ("Team-Fachkraft", "Team staff"),
    "role_kuemmerer": ("Kümmerer", "Kümmerer"),
    "role_coordinator": ("Koordination", "Coordinator"),
    "role_carrier": ("Träger", "Carrier"),
    "role_volunteer": ("Ehrenamtliche", "Volunteer"),
    "role_committee": ("Ausschuss", "Committee"),
    "role_admin": ("Administration", "Admin"),
    "forbidden_title": ("Kein Zugriff", "No access"),
    "forbidden_text": (
        "Diese Seite ist für Ihre Rolle nicht vorgesehen.",
        "This page is not meant for your role.",
    ),
    "csrf_title": ("Formular abgelaufen", "Form expired"),
    "csrf_text": (
        "Das Formular war nicht mehr gültig. Bitte laden Sie die Seite neu und senden Sie es noch einmal.",
        "The form was no longer valid. Please reload the page and send it again.",
    ),
    "not_found_title": ("Nicht gefunden", "Not found"),
    "not_found_text": ("Diese Seite gibt es nicht.", "This page does not exist."),
    "unavailable_title": ("Dienst nicht erreichbar", "Service unavailable"),
    "unavailable_text": (
        "Der Dienst antwortet gerade nicht. Ihre Eingaben sind nicht verloren: bitte gleich noch einmal senden.",
        "The service is not answering right now. Your input is not lost: please send again in a moment.",
    ),
    "back_to_start": ("Zur Startseite", "Back to the start"),
    "error_prefix": ("Fehler", "Error"),
    "error_summary_title": ("Es gibt ein Problem", "There is a problem"),
    "queue_title": ("Arbeitsliste", "Work queue"),
    "queue_intro": (
        "Offene Arbeit Ihres Teams: Eskaliertes und Überfälliges zuerst.",
        "Your team's open work: escalated and overdue items first.",
    ),
    "queue_empty": ("Nichts Offenes – die Arbeitsliste ist leer.", "Nothing open: the queue is empty."),
    "queue_count": ("{total} Einträge, Seite {page} von {pages}", "{total} items, page {page} of {pages}"),
    "filter": ("Filtern", "Filter"),
    "filter_kind": ("Art", "Kind"),
    "filter_topic": ("Thema", "Topic"),
    "filter_overdue": ("Nur überfällige", "Overdue only"),
    "filter_all": ("Alle", "All"),
    "kind_concern": ("Anliegen", "Concern"),
    "kind_referral": ("Vermittlung", "Referral"),
    "kind_follow_up": ("Nachfassen", "Follow-up"),
    "kind_help_request": ("Nachbarschaftshilfe", "Neighbourly help"),
    "col_what": ("Was", "What"),
    "col_urgency": ("Dringlichkeit", "Urgency"),
    "col_due": ("Fällig", "Due"),
    "col_status": ("Status", "Status"),
    "col_topics": ("Themen", "Topics"),
    "col_quarter": ("Quartier", "Quarter"),
    "overdue": ("überfällig", "overdue"),
    "escalated": ("eskaliert", "escalated"),
    "previous": ("Vorherige Seite", "Previous page"),
    "next": ("Nächste Seite", "Next page"),
    "pagination": ("Seiten", "Pages"),
    "new_concern_title": ("Neues Anliegen", "New concern"),
    "address": ("Adresse", "Address"),
    "address_hint": (
        "Straße und Hausnummer; das Quartier wird daraus bestimmt.",
        "Street and house number; the quarter is worked out from them.",
    ),
    "street": ("Straße", "Street"),
    "house_number": ("Hausnummer", "House number"),
    "quarter": ("Quartier", "Quarter"),
    "quarter_of_address": ("Quartier dieser Adresse: {name} ({team})", "Quarter of this address: {name} ({team})"),
    "topics": ("Themen", "Topics"),
    "topics_hint": ("Wählen Sie alle, die zutreffen.", "Choose all that apply."),
    "urgency": ("Dringlichkeit", "Urgency"),
    "channel": ("Zugangsweg", "Channel"),
    "note": ("Notiz für das Team (optional)", "Note for the team (optional)"),
    "note_hint": ("Bleibt in intake; wird nie weitergegeben.", "Stays in intake; never passed on."),
    "weekly_help": ("Jede Woche zur selben Zeit (optional)", "Every week at the same time (optional)"),
    "weekly_help_hint": (
        "Nur für Nachbarschaftshilfe, z. B. Einkaufen jeden Dienstag 10–11:30 Uhr: gefragt wird nur, wer dann "
        "jede Woche Zeit hat, und wer zusagt, bleibt dabei.",
        "Only for neighbourly help, e.g. shopping every Tuesday 10:00–11:30: only volunteers free then every week "
        "are asked, and whoever accepts stays with it.",
    ),
    "slot_day": ("Wochentag", "Weekday"),
    "slot_starts": ("von", "from"),
    "slot_ends": ("bis", "until"),
    "weekly_slot_shown": ("jeden {day}, {starts}–{ends} Uhr", "every {day}, {starts}–{ends}"),
    "error_slot_weekday_required": (
        "Wählen Sie den Wochentag der wöchentlichen Hilfe.",
        "Choose the weekday of the weekly help.",
    ),
    "error_slot_starts_required": (
        "Geben Sie an, wann die wöchentliche Hilfe beginnt.",
        "Say when the weekly help starts.",
    ),
    "error_slot_ends_required": ("Geben Sie an, wann die wöchentliche Hilfe endet.", "Say when the weekly help ends."),
    "record": ("Anliegen erfassen", "Record the concern"),
    "candidates": ("Meinten Sie:", "Did you mean:"),
    "concern_title": ("Anliegen", "Concern"),
    "concern_recorded": ("Das Anliegen ist erfasst.", "The concern is recorded."),
    "recorded_at": ("Erfasst am", "Recorded on"),
    "status": ("Status", "Status"),
    "referrals": ("Vermittlungen", "Referrals"),
    "no_referrals": ("Keine Vermittlungen.", "No referrals."),
    "target": ("An", "To"),
    "help_requests": ("Nachbarschaftshilfe", "Neighbourly help"),
    "history": ("Verlauf", "History"),
    "col_when": ("Wann", "When"),
    "col_who": ("Wer", "Who"),
    "anonymous": ("anonym", "anonymous"),
    "inbox_title": ("Vermittlungen an Ihren Träger", "Referrals to your organisation"),
    "inbox_empty": ("Keine Vermittlungen in diesem Status.", "No referrals with this status."),
    "referral_title": ("Vermittlung", "Referral"),
    "open": ("Öffnen", "Open"),
    "accept": ("Annehmen", "Accept"),
    "reject": ("Ablehnen", "Decline"),
    "reject_reason": ("Grund der Ablehnung", "Reason for declining"),
    "choose": ("Bitte wählen", "Please choose"),
    "referral_answered": ("Ihre Antwort ist gespeichert.", "Your answer is saved."),
    "ground": ("Grundlage", "Ground"),
    "ground_consent": ("Einwilligung der Person", "The person's consent"),
    "age_band": ("Altersgruppe", "Age band"),
    "error_topics_required": ("Wählen Sie mindestens ein Thema.", "Choose at least one topic."),
    "error_urgency_required": ("Wählen Sie die Dringlichkeit.", "Choose the urgency."),
    "error_channel_required": ("Wählen Sie den Zugangsweg.", "Choose the channel."),
    "error_street_required": ("Geben Sie die Straße ein.", "Enter the street."),
    "error_reason_required": ("Wählen Sie einen Grund für die Ablehnung.", "Choose a reason for declining."),
    "nav_signals": ("Meine Beobachtungen", "My observations"),
    "nav_new_signal": ("Beobachtung melden", "Report an observation"),
    "signals_title": ("Meine Beobachtungen", "My observations"),
    "signals_intro": (
        "Was aus Ihren Meldungen geworden ist: das Team erhält zu jeder eine Aufgabe zum Nachfassen.",
        "What became of your reports: the team gets a follow-up task for each.",
    ),
    "signals_empty": ("Sie haben noch nichts gemeldet.", "You have not reported anything yet."),
    "new_signal_title": ("Beobachtung melden", "Report an observation"),
    "signal_type": ("Was haben Sie beobachtet?", "What did you observe?"),
    "where": ("Wo?", "Where?"),
    "where_hint": (
        "Adresse, wenn bekannt; sonst das Quartier.",
        "The address if you know it; otherwise the quarter.",
    ),
    "signal_note": ("Was ist Ihnen aufgefallen? (optional)", "What did you notice? (optional)"),
    "signal_note_hint": (
        "Bleibt beim Team; keine Diagnosen, nur was Sie gesehen oder gehört haben.",
        "Stays with the team; no diagnoses, only what you saw or heard.",
    ),
    "send_signal": ("Beobachtung melden", "Report the observation"),
    "signal_recorded": (
        "Danke – Ihre Beobachtung ist gemeldet. Das Team kümmert sich darum.",
        "Thank you: your observation is reported. The team will look after it.",
    ),
    "col_reported": ("Gemeldet", "Reported"),
    "col_became": ("Was daraus wurde", "What became of it"),
    "follow_up_open": ("Das Team fasst nach (fällig {due})", "The team follows up (due {due})"),
    "follow_up_done": ("Erledigt am {done}", "Done on {done}"),
    "error_signal_type_required": ("Wählen Sie, was Sie beobachtet haben.", "Choose what you observed."),
    "error_where_required": (
        "Geben Sie die Straße an oder wählen Sie das Quartier.",
        "Enter the street or choose the quarter.",
    ),
    "timeline": ("Verlauf der Vermittlung an {target}", "Timeline of the referral to {target}"),
    "timeline_sent": ("Vermittelt, wartet auf Antwort", "Referred, waiting for an answer"),
    "signals_and_follow_ups": ("Signale und Nachfassen", "Signals and follow-ups"),
    "none_yet": ("Keine.", "None."),
    "nav_persons": ("Personen", "Persons"),
    "nav_audit": ("Protokoll", "Audit log"),
    "audit_title": ("Protokoll der Zugriffe", "Audit log of reads"),
    "audit_intro": (
        "Wer hat wann welche Daten einer Person gelesen oder geändert? Das Protokoll lässt sich nicht ändern.",
        "Who read or changed a person's data, and when? The log cannot be changed.",
    ),
    "audit_person": ("Personen-ID", "Person id"),
    "audit_actor": ("Konto", "Account"),
    "audit_empty": ("Keine Einträge.", "No entries."),
    "col_purpose": ("Zweck", "Purpose"),
    "col_action": ("Vorgang", "Action"),
    "col_fields": ("Felder", "Fields"),
    "show": ("Anzeigen", "Show"),
    "who_looked": ("Wer hat diese Person angesehen?", "Who looked at this person?"),
    "erase": ("Daten löschen", "Erase the data"),
    "erase_title": ("Daten einer Person löschen", "Erase a person's data"),
    "erase_warning": (
        "Gelöscht werden Name, Kontakt, Adresse und Notizen dieser Person in intake; alle Dienste vergessen "
        "die Referenz. Das lässt sich nicht rückgängig machen.",
        "This erases the person's name, contact, address and notes in intake; every service forgets the "
        "reference. It cannot be undone.",
    ),
    "erase_confirm": ("Ja, die Daten dieser Person löschen", "Yes, erase this person's data"),
    "erased": ("Die Daten der Person sind gelöscht ({at}).", "The person's data is erased ({at})."),
    "next_step": ("Nächster Schritt", "Next step"),
    "save": ("Speichern", "Save"),
    "reason_if_failed": ("Grund (bei „gescheitert“)", "Reason (if failed)"),
    "show_contact": ("Kontaktdaten der Person anzeigen", "Show the person's contact details"),
    "contact_title": ("Kontaktdaten", "Contact details"),
    "contact_logged": ("Dieser Blick in die Daten wird protokolliert.", "This look at the data is logged."),
    "no_contact": ("Keine Kontaktdaten freigegeben.", "No contact details released."),
    "preferred_channel": ("Bevorzugter Kontaktweg", "Preferred channel"),
    "email": ("E-Mail", "E-mail"),
    "back_to_referral": ("Zurück zur Vermittlung", "Back to the referral"),
    "person_known": ("bekannt (Daten nur in intake)", "known (data in intake only)"),
    "person_section": ("Person (optional)", "Person (optional)"),
    "person_none": (
        "Ohne Person (anonym). Die Person können Sie vorher suchen oder anlegen:",
        "Without a person (anonymous). You can look the person up or add them first:",
    ),
    "person_find": ("Person suchen oder anlegen", "Find or add a person"),
    "person_chosen": ("Das Anliegen betrifft: {name}", "The concern is about: {name}"),
    "person_change": ("Andere Person wählen", "Choose another person"),
    "persons_title": ("Person suchen oder anlegen", "Find or add a person"),
    "persons_intro": (
        "Gesucht wird unter den Personen Ihres Teams. Jeder Blick in die Daten einer Person wird protokolliert.",
        "The search covers your team's persons. Every look at a person's data is logged.",
    ),
    "search": ("Suchen", "Search"),
    "family_name": ("Nachname", "Family name"),
    "given_name": ("Vorname", "Given name"),
    "birth_year": ("Geburtsjahr", "Year of birth"),
    "birth_year_hint": ("Nur das Jahr, z. B. 1941.", "The year only, e.g. 1941."),
    "phone": ("Telefon (optional)", "Phone (optional)"),
    "results": ("Gefundene Personen", "Persons found"),
    "no_results": ("Niemand gefunden.", "Nobody found."),
    "use_person": ("Für diese Person erfassen", "Record for this person"),
    "add_person": ("Neue Person anlegen", "Add a new person"),
    "add_person_hint": (
        "Nur was das Team braucht, um die Person zu erreichen und wiederzuerkennen.",
        "Only what the team needs to reach the person and recognise them again.",
    ),
    "possible_duplicates": (
        "Diese Person ist angelegt. Es gibt schon Personen mit gleichem Namen, Geburtsjahr und Straße – "
        "ist es eine davon? Dann nehmen Sie bitte diese.",
        "This person is added. There are persons with the same name, year of birth and street already: "
        "is it one of them? Then please use that one.",
    ),
    "use_new_person": ("Mit der neu angelegten Person weiter", "Go on with the newly added person"),
    "consent_section": ("Einwilligung der Person", "The person's consent"),
    "consent_hint": (
        "Kreuzen Sie an, wozu die Person eingewilligt hat. Ohne Einwilligung bleibt eine Vermittlung an einen "
        "Träger in intake, bis sie vorliegt.",
        "Tick what the person consented to. Without consent, a referral to a carrier waits in intake until "
        "it is given.",
    ),
    "purpose_referral": (
        "Weitergabe an die Träger, an die dieses Anliegen vermittelt wird",
        "Passing on to the carriers this concern is referred to",
    ),
    "purpose_neighbourly_help": ("Nachbarschaftshilfe durch Ehrenamtliche", "Neighbourly help by volunteers"),
    "purpose_follow_up_contact": ("Kontakt durch das Team zum Nachfassen", "Contact by the team to follow up"),
    "given_by": ("Erteilt von", "Given by"),
    "given_by_person": ("der Person selbst", "the person"),
    "given_by_legal_representative": ("der rechtlichen Betreuung", "the legal representative"),
    "given_by_guardian": ("dem Vormund", "the guardian"),
    "consent_form": ("Form", "Form"),
    "form_written": ("schriftlich", "written"),
    "form_verbal": ("mündlich", "verbal"),
    "form_electronic": ("elektronisch", "electronic"),
    "expires": ("Gültig bis (optional)", "Valid until (optional)"),
    "expires_hint": ("Leer lassen, wenn unbefristet.", "Leave empty if it does not end by itself."),
    "consents_recorded": ("Einwilligungen erfasst: {count}", "Consents recorded: {count}"),
    "error_person_required": (
        "Geben Sie den Nachnamen, den Vornamen oder die Telefonnummer an.",
        "Enter the family name, the given name or the phone number.",
    ),
    "error_expires": ("Geben Sie ein Datum in der Zukunft an.", "Enter a date in the future."),
}


def _add(screens: dict[str, tuple[str, str]]) -> None:
    # each area keeps its texts in its own file; a key two files share would silently show one
    # area's sentence on the other's page, so it is refused when the portal starts
    shared = MESSAGES.keys() & screens.keys()
    if shared:
        raise RuntimeError(f"message keys defined twice: {sorted(shared)}")
    MESSAGES.update(screens)


_add(SCHEDULING_MESSAGES)
_add(MATCHING_MESSAGES)
_add(ASSIGN_MESSAGES)

SIGNAL_TYPES = {
    "loneliness": ("Vereinsamung", "Loneliness"),
    "neglect": ("Verwahrlosung", "Neglect"),
    "discharge_without_follow_up": ("Entlassung ohne Nachsorge", "Discharge without follow-up"),
    "no_contact": ("Kein Kontakt mehr", "No contact any more"),
    "debt_crisis": ("Schuldenkrise", "Debt crisis"),
    "housing_loss_risk": ("Drohender Wohnungsverlust", "Risk of losing the home"),
}

# intake's referral statuses and reasons, for carriers' and teams' screens
REFERRAL_STATUS = {
    "awaiting_consent": ("wartet auf Einwilligung", "awaiting consent"),
    "requested": ("angefragt", "requested"),
    "accepted": ("angenommen", "accepted"),
    "in_progress": ("in Arbeit", "in progress"),
    "on_hold": ("pausiert", "on hold"),
    "completed": ("abgeschlossen", "completed"),
    "rejected": ("abgelehnt", "declined"),
    "failed": ("gescheitert", "failed"),
    "cancelled": ("storniert", "cancelled"),
    "entered_in_error": ("irrtümlich erfasst", "entered in error"),
}
REFERRAL_REASONS = {
    "not_eligible": ("Keine Zuständigkeit / Voraussetzungen fehlen", "Not eligible"),
    "no_capacity": ("Keine Kapazität", "No capacity"),
    "out_of_area": ("Außerhalb unseres Gebiets", "Out of area"),
    "could_not_contact": ("Person nicht erreicht", "Could not contact the person"),
    "resident_declined": ("Person hat abgelehnt", "The person declined"),
    "referred_elsewhere": ("Anderswo vermittelt", "Referred elsewhere"),
}
HISTORY_KINDS = {
    "recorded": ("Erfasst", "Recorded"),
    "contact": ("Kontakt", "Contact"),
    "routing_overridden": ("Abweichend vermittelt", "Referred outside the routing table"),
    "closed": ("Abgeschlossen", "Closed"),
    "reopened": ("Wieder geöffnet", "Reopened"),
}
CONCERN_STATUS = {"open": ("offen", "open"), "closed": ("abgeschlossen", "closed")}


def language(request: Request) -> str:
    chosen = request.session.get("lang")
    return chosen if chosen in LANGUAGES else "de"


def text(lang: str, key: str, **values: object) -> str:
    de, en = MESSAGES[key]
    message = en if lang == "en" else de
    return message.format(**values) if values else message


def pick(lang: str, pair: tuple[str, str] | dict[str, str] | None, fallback: str = "") -> str:
    """One language of a (de, en) pair or of intake's {"de": ..., "en": ...} label."""
    if pair is None:
        return fallback
    if isinstance(pair, dict):
        return str(pair.get(lang) or pair.get("de") or pair.get("label") or fallback)
    return pair[1] if lang == "en" else pair[0]
