"""The report as a PDF, drawn with fpdf2 (pure Python, so it prints on a fresh machine: no
browser, no system fonts). Its core font Helvetica knows Latin-1 only, so the few typographic
signs beyond it are set plainly."""

from __future__ import annotations

from datetime import date

from fpdf import FPDF
from fpdf.fonts import FontFace

from .content import Line, Report
from .period import Period
from .texts import TEXTS

PLAIN = str.maketrans({"„": '"', "“": '"', "”": '"', "‚": "'", "‘": "'", "’": "'", "–": "-", "—": "-"})
HIDDEN = "."
NO_CHANGE = "x"
WIDTHS = (88, 30, 30, 26)
BOLD = FontFace(emphasis="BOLD")
HEADING = FontFace(emphasis="BOLD", fill_color=(225, 232, 240))


def _plain(text: str) -> str:
    return text.translate(PLAIN)


def period_name(period: Period, lang: str) -> str:
    t = TEXTS[lang]
    return (
        t["quartal"].format(quartal=period.quartal, year=period.year)
        if period.quartal
        else t["year"].format(year=period.year)
    )


def number(value: int | None, lang: str) -> str:
    if value is None:
        return HIDDEN
    # a thousands point would read as the hidden sign: German tables use a space
    return f"{value:,}".replace(",", " " if lang == "de" else ",")


def change(value: int | None, lang: str) -> str:
    if value is None:
        return NO_CHANGE
    if value == 0:
        return "±0 %" if lang == "de" else "±0%"
    return f"{value:+d} %" if lang == "de" else f"{value:+d}%"


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 8, _plain(self.footer_text.format(page=self.page_no())), align="C")


def render(report: Report, *, lang: str, labels: dict[str, str], today: date) -> bytes:
    """The PDF of `report`; `labels` name the topics (code -> label in `lang`)."""
    t = TEXTS[lang]
    doc = _Document(format="A4")
    doc.footer_text = f"{report.city} · {period_name(report.period, lang)} · {t['page']}"
    title = t["title"].format(period=period_name(report.period, lang))
    doc.set_title(_plain(title))
    doc.set_lang(lang)
    doc.set_creator("Quartiersnetz reporting")
    doc.set_auto_page_break(True, margin=16)
    doc.add_page()
    doc.set_font("Helvetica", style="B", size=16)
    doc.multi_cell(0, 8, _plain(title), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", size=10)
    previous = period_name(report.previous, lang)
    doc.multi_cell(
        0, 5, _plain(t["subtitle"].format(city=report.city, previous=previous)), new_x="LMARGIN", new_y="NEXT"
    )
    produced = f"{today:%d.%m.%Y}" if lang == "de" else today.isoformat()
    doc.multi_cell(0, 5, _plain(t["stand"].format(date=produced)), new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    _heading(doc, t["overview"])
    overview = [
        Line(s.metric, s.label, "quarter", *(_city(s.lines) if s.protectable else (None, None, None)))
        for s in report.sections
    ]
    _table(doc, t["figure"], overview, lang, previous, period_name(report.period, lang))
    _protection(doc, report, lang)
    for section in report.sections:
        if section.protectable and not any(line.current or line.previous for line in section.lines):
            continue  # nothing happened in either period: the overview's 0 says it
        _heading(doc, t["by_place"].format(label=section.label))
        if not section.protectable:
            doc.multi_cell(0, 5, _plain(t["unprotectable"]), new_x="LMARGIN", new_y="NEXT")
            continue
        _table(doc, t["place"], section.lines, lang, previous, period_name(report.period, lang))
    if report.topics:
        by_topic = next(s.label for s in report.sections if s.metric == "concern.recorded")
        _heading(doc, t["by_topic"].format(label=by_topic))
        topics = [
            Line(line.place, labels.get(line.place, line.place), "quarter", line.current, line.previous, line.change)
            for line in report.topics
        ]
        _table(doc, t["topic"], topics, lang, previous, period_name(report.period, lang))
        doc.set_font("Helvetica", size=8)
        doc.multi_cell(0, 4, _plain(t["topics_note"]), new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def _city(lines: list[Line]) -> tuple[int | None, int | None, int | None]:
    city = next(line for line in lines if line.level == "city")
    return city.current, city.previous, city.change


def _heading(doc: FPDF, text: str) -> None:
    doc.ln(4)
    doc.set_font("Helvetica", style="B", size=12)
    doc.multi_cell(0, 6, _plain(text), new_x="LMARGIN", new_y="NEXT")
    doc.ln(1)


def _protection(doc: FPDF, report: Report, lang: str) -> None:
    t = TEXTS[lang]
    _heading(doc, t["protection"])
    doc.set_font("Helvetica", size=9)
    for text in (t["note"], t["legend"], t["hidden"]):
        doc.multi_cell(
            0, 4.5, _plain(text.format(minimum=report.minimum, hidden=report.hidden)), new_x="LMARGIN", new_y="NEXT"
        )
        doc.ln(1)


def _table(doc: FPDF, first: str, lines: list[Line], lang: str, previous: str, current: str) -> None:
    doc.set_font("Helvetica", size=9)
    with doc.table(
        col_widths=WIDTHS,
        width=sum(WIDTHS),
        align="LEFT",
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=HEADING,
        line_height=5,
    ) as table:
        table.row([_plain(first), _plain(previous), _plain(current), _plain(TEXTS[lang]["change"])])
        for line in lines:
            style = BOLD if line.level in {"city", "district"} else None
            label = line.label if line.level != "quarter" or not _nested(lines) else "   " + line.label
            row = table.row()
            for text in (label, number(line.previous, lang), number(line.current, lang), change(line.change, lang)):
                row.cell(_plain(text), style=style)


def _nested(lines: list[Line]) -> bool:
    return any(line.level == "district" for line in lines)
