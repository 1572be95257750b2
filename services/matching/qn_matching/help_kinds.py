"""The help kinds' words for people (German, English): in proposals' reasons, mails and the feed.
Codes are the contract's; a city's own kind without a label shows its code."""

from __future__ import annotations

HELP_KINDS: dict[str, tuple[str, str]] = {
    "shopping": ("Einkaufen", "Shopping"),
    "small_repairs": ("Kleine Reparaturen", "Small repairs"),
    "escort": ("Begleitung zu Arzt oder Amt", "Escort to a doctor or an office"),
    "walk": ("Spaziergang", "A walk"),
    "reading": ("Vorlesen", "Reading aloud"),
    "company": ("Gesellschaft leisten", "Company"),
    "digital_help": ("Digitale Hilfe", "Digital help"),
    "paperwork": ("Hilfe mit Papieren", "Help with paperwork"),
}
"""Labels of the help kinds; an unknown kind shows its code."""


def kind_label(code: str) -> tuple[str, str]:
    return HELP_KINDS.get(code, (code, code))
