"""The dashboard's bars: a label too long for its bar is cut where it fits, the table beside the
chart (and the bar's tooltip) naming it in full."""

from __future__ import annotations

from qn_reporting.dashboard.charts import bars


def test_a_long_label_is_cut_at_a_word_where_five_bars_share_the_width_and_short_ones_stay_whole() -> None:
    reasons = [
        "nicht erreicht",
        "keine Kapazität",
        "kein Anspruch",
        "nicht zuständig (Gebiet)",
        "von der Person abgelehnt",
    ]
    drawn = bars([(reason, 10) for reason in reasons])
    assert [bar.short for bar in drawn[:3]] == reasons[:3]
    assert [bar.short for bar in drawn[3:]] == ["nicht zuständig…", "von der Person…"]
    assert [bar.label for bar in drawn] == reasons, "the full names stay for the table and the tooltip"


def test_with_many_bars_the_weeks_keep_their_numbers() -> None:
    drawn = bars([(f"{week:02d}", week) for week in range(1, 54)])
    assert [bar.short for bar in drawn] == [f"{week:02d}" for week in range(1, 54)]
