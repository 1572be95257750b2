"""What reminders say, in German and English. A volunteer's reminder names the kind of help, the
quarter and the time -- never the person, their address or phone (those are read in intake)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..help_kinds import kind_label
from .port import Message

WEEKDAY_DE = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
WEEKDAY_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SIGNATURE_DE = "Ihr Team der Nachbarschaftshilfe"
SIGNATURE_EN = "Your neighbourly-help team"


def _at(moment: datetime, tz: ZoneInfo) -> tuple[str, str]:
    local = moment.astimezone(tz)
    return (
        f"{WEEKDAY_DE[local.weekday()]} {local:%d.%m.%Y, %H:%M} Uhr",
        f"{WEEKDAY_EN[local.weekday()]} {local:%d %b %Y, %H:%M}",
    )


def _day(day: date) -> tuple[str, str]:
    return f"{day:%d.%m.%Y}", day.isoformat()


def task_starts(kind: str, quarter: str, starts_at: datetime, ends_at: datetime | None, tz: ZoneInfo) -> Message:
    (de_kind, en_kind), (de_at, en_at) = kind_label(kind), _at(starts_at, tz)
    until_de = f" bis {ends_at.astimezone(tz):%H:%M} Uhr" if ends_at else ""
    until_en = f" to {ends_at.astimezone(tz):%H:%M}" if ends_at else ""
    return Message(
        subject_de=f"Erinnerung: {de_kind} am {de_at}",
        body_de=f"Guten Tag,\n\nwir erinnern an Ihren Einsatz: {de_kind} in {quarter}, {de_at}{until_de}.\n"
        "Name, Adresse und Telefon der Person lesen Sie wie gewohnt in der App.\n"
        f"Wenn etwas dazwischenkommt, melden Sie sich bitte bei uns.\n\n{SIGNATURE_DE}",
        subject_en=f"Reminder: {en_kind} on {en_at}",
        body_en=f"Hello,\n\na reminder of your task: {en_kind} in {quarter}, {en_at}{until_en}.\n"
        "Read the person's name, address and phone in the app as usual.\n"
        f"If something comes up, please let us know.\n\n{SIGNATURE_EN}",
    )


def proposal_expires(kind: str, quarter: str, expires_at: datetime, tz: ZoneInfo) -> Message:
    (de_kind, en_kind), (de_at, en_at) = kind_label(kind), _at(expires_at, tz)
    return Message(
        subject_de=f"Eine Anfrage wartet auf Ihre Antwort: {de_kind}",
        body_de=f"Guten Tag,\n\nwir haben Sie um Hilfe gebeten: {de_kind} in {quarter}.\n"
        f"Bitte sagen Sie bis {de_at} in der App zu oder ab; danach fragen wir jemand anderen.\n\n{SIGNATURE_DE}",
        subject_en=f"A request waits for your answer: {en_kind}",
        body_en=f"Hello,\n\nwe asked you for help: {en_kind} in {quarter}.\n"
        f"Please accept or decline in the app by {en_at}; after that we ask someone else.\n\n{SIGNATURE_EN}",
    )


def vetting_due_volunteer(recheck_on: date) -> Message:
    de_day, en_day = _day(recheck_on)
    return Message(
        subject_de="Ihr erweitertes Führungszeugnis: bitte ein neues vorlegen",
        body_de=f"Guten Tag,\n\nIhr erweitertes Führungszeugnis ist am {de_day} erneut vorzulegen. Bitte beantragen "
        "Sie rechtzeitig ein neues beim Bürgeramt (für Ehrenamtliche gebührenfrei) und zeigen Sie es uns; "
        f"ohne gültige Prüfung können wir Sie für manche Hilfen nicht mehr anfragen.\n\n{SIGNATURE_DE}",
        subject_en="Your extended police certificate: please show a new one",
        body_en=f"Hello,\n\nyour extended police certificate is to be shown again by {en_day}. Please apply for a "
        "new one at the citizens' office in time (free of charge for volunteers) and show it to us; without a "
        f"valid check we cannot ask you for some kinds of help.\n\n{SIGNATURE_EN}",
    )


def vetting_due_coordinator(volunteer_name: str, volunteer_id: str, recheck_on: date) -> Message:
    de_day, en_day = _day(recheck_on)
    return Message(
        subject_de=f"Führungszeugnis erneut prüfen: {volunteer_name}",
        body_de=f"Das erweiterte Führungszeugnis von {volunteer_name} ist am {de_day} erneut zu prüfen "
        f"(Ehrenamtliche:r {volunteer_id}). Die Person wurde ebenfalls erinnert, sofern sie eine "
        "E-Mail-Adresse angegeben hat.",
        subject_en=f"Police certificate to be checked again: {volunteer_name}",
        body_en=f"The extended police certificate of {volunteer_name} is to be checked again by {en_day} "
        f"(volunteer {volunteer_id}). They were reminded too, if they gave an e-mail address.",
    )


def hours_waiting(
    volunteer_name: str, hours: Decimal, kind: str, logged_at: datetime, entry_id: str, tz: ZoneInfo
) -> Message:
    (de_kind, en_kind), (de_at, en_at) = kind_label(kind), _at(logged_at, tz)
    de_hours = f"{hours.normalize():f}".replace(".", ",")
    return Message(
        subject_de=f"Stunden warten auf Freigabe: {volunteer_name}",
        body_de=f"{de_hours} Stunden von {volunteer_name} ({de_kind}), eingetragen am {de_at}, warten noch auf "
        f"Ihre Freigabe (Eintrag {entry_id}, Liste: GET /hours).",
        subject_en=f"Hours wait for approval: {volunteer_name}",
        body_en=f"{hours.normalize():f} hours of {volunteer_name} ({en_kind}), logged on {en_at}, still wait for "
        f"your approval (entry {entry_id}, list: GET /hours).",
    )
