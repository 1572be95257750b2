"""Why this volunteer: the reasons a proposal keeps, as codes with their values, and their words
for a coordinator (German, and English). No framework, no database."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..help_kinds import kind_label
from ..volunteers.domain import LEVEL_DE, LEVEL_VALUES, SkillLevel
from .domain import Candidate, Need, Ranked

OVERRIDE_DE = {
    "out_of_reach": "außerhalb der angegebenen Reichweite",
    "at_capacity": "Höchstzahl offener Einsätze erreicht",
    "not_first": "nicht die oder der Erste im Vorschlag",
}

WEEKDAY_DE = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
WEEKDAY_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def reasons_for(best: Ranked, need: Need, now: datetime, tz: ZoneInfo) -> list[dict[str, object]]:
    """What made `best` the one asked, as stored with the proposal: [{"code": ..., values}]."""
    candidate = best.candidate
    found: list[dict[str, object]] = []
    if best.helped_before:
        found.append({"code": "helped_before"})
    found.append({"code": "offers_kind", "kind": need.help_kind})
    if need.level_wanted and best.skilled:
        found.append({"code": "skill_level", "kind": need.help_kind, "level": _level_name(candidate, need)})
    if candidate.quarter_id == need.quarter_id:
        found.append({"code": "lives_in_quarter"})
    else:
        found.append({"code": "reaches_quarter", "home": candidate.quarter_id})
    shared = sorted(need.languages_wanted & candidate.languages)
    if shared:
        found.append({"code": "speaks", "languages": shared})
    if need.vetting_needed_on is not None and candidate.vetted_until is not None:
        found.append({"code": "vetted_until", "until": candidate.vetted_until.isoformat()})
    found.append({"code": "open_tasks", "count": candidate.open_matches})
    available = best.next_available
    if available <= now:
        found.append({"code": "available_now"})
    else:
        found.append({"code": "available_from", "at": available.astimezone(tz).isoformat(timespec="minutes")})
    return found


def _level_name(candidate: Candidate, need: Need) -> str:
    rank = (candidate.levels or {}).get(need.help_kind, 0)
    return next((level.value for level in SkillLevel if level.rank == rank), "")


def _at(raw: object, names: tuple[str, ...]) -> str:
    moment = datetime.fromisoformat(str(raw))
    return f"{names[moment.weekday()]} {moment:%d.%m. %H:%M}"


def words(reason: dict[str, object]) -> tuple[str, str]:
    """(German, English) for one stored reason; an unknown code is shown as it is."""
    code = reason.get("code")
    if code == "helped_before":
        return (
            "hat der Person schon einmal geholfen (dieselbe Ansprechperson)",
            "helped this person before (the same familiar face)",
        )
    if code == "skill_level":
        level = str(reason.get("level"))
        german = LEVEL_DE.get(SkillLevel(level), level) if level in LEVEL_VALUES else level
        return (
            f"bringt für „{kind_label(str(reason['kind']))[0]}“ die gewünschte Erfahrung mit ({german})",
            f"has the experience '{kind_label(str(reason['kind']))[1]}' asks for ({level})",
        )
    if code == "assigned_by_hand":
        overrides = [str(o) for o in reason.get("overrides") or ()]  # type: ignore[attr-defined]
        if not overrides:
            return "von der Koordination von Hand zugeteilt", "assigned by hand by the coordinator"
        de = ", ".join(OVERRIDE_DE.get(o, o) for o in overrides)
        return (
            f"von der Koordination von Hand zugeteilt, trotz: {de}",
            f"assigned by hand by the coordinator, despite: {', '.join(overrides)}",
        )
    if code == "offered_to_several":
        return (
            "von der Koordination mehreren angeboten: wer zuerst zusagt, übernimmt",
            "offered by the coordinator to several: the first to claim takes it",
        )
    if code == "offers_kind":
        german, english = kind_label(str(reason["kind"]))
        return f"bietet „{german}“ an", f"offers '{english}'"
    if code == "lives_in_quarter":
        return "wohnt im Quartier", "lives in the quarter"
    if code == "reaches_quarter":
        return (
            f"wohnt in {reason['home']}, hilft auch hier",
            f"lives in {reason['home']} and helps here too",
        )
    if code == "speaks":
        languages = ", ".join(str(lang) for lang in reason["languages"])  # type: ignore[attr-defined]
        return f"spricht {languages} wie die Person", f"speaks {languages} as the person does"
    if code == "vetted_until":
        until = date.fromisoformat(str(reason["until"]))
        return (
            f"Führungszeugnis eingesehen, gilt bis {until:%d.%m.%Y}",
            f"police certificate inspected, counts until {until.isoformat()}",
        )
    if code == "open_tasks":
        count = reason["count"]
        return f"{count} offene Einsätze", f"{count} open tasks"
    if code == "available_now":
        return "hat jetzt Zeit", "is available now"
    if code == "available_from":
        return f"hat Zeit ab {_at(reason['at'], WEEKDAY_DE)}", f"is available from {_at(reason['at'], WEEKDAY_EN)}"
    return str(code), str(code)
