"""The burn-up chart as a finance lead reads it on a phone: no label on top of another, every label on
the page, the smallest text at least 9 px tall at Slack's 360 px preview width, months on the time
axis, pounds on the money axis, the legend clear of the lines, the projection drawn to the deadline.

Measured on the figure itself (bot.spend.charts.burn_up_figure): each text artist's window extent,
after a fresh draw as savefig makes, is where it prints."""

from __future__ import annotations

import re
import struct
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import combinations

import pytest
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from bot.spend.burn_up import BurnUp, BurnUpPoint
from bot.spend.charts import PHONE_WIDTH, burn_up_figure, burn_up_png

START = date(2026, 12, 7)
DEADLINE = date(2027, 3, 31)
# Two tranches on the same day, three more within four days of each other, small enough that their
# steps nearly touch: every label wants the same few pixels.
CROWDED = (
    (START, Decimal("1000000"), "LA grant"),
    (START, Decimal("1400000"), "ICB allocation"),
    (date(2027, 1, 10), Decimal("60000"), "Top-up for beds"),
    (date(2027, 1, 12), Decimal("45000"), "Top-up for home care, second round"),
    (date(2027, 1, 14), Decimal("30000"), "Hospice top-up"),
)
TOTAL = sum((t[1] for t in CROWDED), Decimal(0))


def _burn(today: date, per_day: str = "15000", committed: str = "300000", projected: str | None = None) -> BurnUp:
    points, day, actual = [], START, Decimal(0)
    while day <= today:
        actual += Decimal(per_day)
        allocated = sum((t[1] for t in CROWDED if t[0] <= day), Decimal(0))
        points.append(BurnUpPoint(day=day, actual=actual, committed=Decimal(committed), allocated=allocated))
        day += timedelta(days=1)
    return BurnUp(
        programme_name="Vale winter discharge fund",
        start=START,
        today=today,
        deadline=DEADLINE,
        allocated_total=TOTAL,
        points=tuple(points),
        tranches=CROWDED,
        projected_outturn=None if projected is None else Decimal(projected),
    )


STATES = {
    "first day": _burn(START, "0", "0", "0"),
    "mid-January": _burn(date(2027, 1, 13), projected="2100000"),
    "February": _burn(date(2027, 2, 10), projected="2460000"),
    "overspending": _burn(date(2027, 3, 1), "40000", "200000", "4700000"),
    "two days left": _burn(date(2027, 3, 29), "22000", "10000", "2590000"),
    "deadline day": _burn(DEADLINE, "22000", "0", "2630000"),
    "past the deadline": _burn(date(2027, 4, 2), "22000"),
    "long names": replace(
        _burn(date(2027, 2, 10), projected="2460000"),
        programme_name="Vale, Wold and Riverside winter discharge fund 2026/27 (joint LA and ICB)",
        tranches=(
            (START, Decimal("1000000"), "Local authority grant for adult social care discharge, first tranche"),
            (START, Decimal("1400000"), "Integrated care board allocation"),
            (date(2027, 1, 11), Decimal("135000"), "Better Care Fund top-up agreed at the January board"),
        ),
    ),
}


def _drawn(burn: BurnUp) -> Figure:
    figure = burn_up_figure(burn)
    figure.canvas.draw()  # as savefig draws: the layout must survive a fresh draw
    return figure


def _texts(figure: Figure) -> list[Text]:
    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _box(text: Text) -> Bbox:
    return text.get_window_extent(text.figure.canvas.get_renderer())


def _on_page(box: Bbox, figure: Figure) -> bool:
    page = figure.bbox
    return page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1


def _all_on_page(figure: Figure) -> bool:
    """Every text on the page: the axes' ticks as drawn (a tick outside the axis' range is not),
    every other text one by one."""
    axes = figure.axes[0]
    ticks = {
        id(label)
        for axis in (axes.xaxis, axes.yaxis)
        for tick in axis.get_major_ticks() + axis.get_minor_ticks()
        for label in (tick.label1, tick.label2)
    }
    others = [t for t in _texts(figure) if id(t) not in ticks]
    return _on_page(axes.get_tightbbox(), figure) and all(_on_page(_box(t), figure) for t in others)


def _clash(texts: list[Text]) -> list[tuple[str, str]]:
    return [(a.get_text(), b.get_text()) for a, b in combinations(texts, 2) if _box(a).overlaps(_box(b))]


def test_tranches_landing_together_or_close_never_collide():
    figure = _drawn(_burn(date(2027, 2, 10), projected="2460000"))
    tranches = [t for t in _texts(figure) if t.get_gid() == "tranche"]
    assert [t.get_text() for t in tranches] == ["+£2.4m", "+£60k", "+£45k", "+£30k"]  # the same day: one label
    assert _clash(tranches) == []
    key = [t for t in _texts(figure) if t.get_gid() == "tranche-key"]
    assert len(key) == 1 and "7 Dec  +£2.4m  LA grant and ICB allocation" in key[0].get_text()
    assert all(_on_page(_box(t), figure) for t in tranches + key)


@pytest.mark.parametrize("state", STATES)
def test_no_label_in_the_plot_overlaps_another_or_leaves_the_page(state):
    figure = _drawn(STATES[state])
    axes = figure.axes[0]
    labels = [t for t in axes.texts if t.get_visible() and t.get_text()]
    assert len(labels) >= 5  # the tranches, the day's figures, today and the deadline
    assert _clash(labels) == []
    assert _all_on_page(figure)


@pytest.mark.parametrize("state", STATES)
def test_smallest_text_is_nine_pixels_tall_at_a_phones_width(state):
    burn = STATES[state]
    figure = _drawn(burn)
    width_px = figure.get_figwidth() * figure.dpi
    png = burn_up_png(burn)
    assert png[12:16] == b"IHDR" and struct.unpack(">I", png[16:20])[0] == round(width_px)
    scale = PHONE_WIDTH / width_px  # the preview shrinks the whole image to 360 px wide
    smallest = min(t.get_fontsize() * figure.dpi / 72 * scale for t in _texts(figure))
    assert smallest >= 9


def test_months_on_the_time_axis_pounds_on_the_money_axis():
    figure = _drawn(STATES["February"])
    axes = figure.axes[0]
    months = [t.get_text() for t in axes.get_xticklabels(minor=True) if t.get_text()]
    assert months == ["Dec", "Jan", "Feb", "Mar"]
    assert not [t.get_text() for t in axes.get_xticklabels() if t.get_text()]  # month boundaries, unnamed
    money = [t.get_text() for t in axes.get_yticklabels() if t.get_text()]
    assert 3 <= len(money) <= 6 and all(re.fullmatch(r"£\d+(\.\d+)?[mk]?", tick) for tick in money)


def test_the_legend_is_below_the_plot():
    figure = _drawn(STATES["February"])
    legend, plot = figure.legends[0], figure.axes[0]
    assert _box(legend).y1 <= _box(plot.xaxis.label).y0 <= plot.get_window_extent().y0  # type: ignore[arg-type]
    assert [t.get_text() for t in legend.get_texts()][:3] == [
        "Spent",
        "Spent + committed",
        "Projected at the recent rate",
    ]


def test_the_projection_runs_from_todays_spend_to_its_outturn_at_the_deadline():
    burn = _burn(date(2027, 2, 10), projected="3410000")
    axes = _drawn(burn).axes[0]
    (line,) = [line for line in axes.get_lines() if line.get_label() == "Projected at the recent rate"]
    assert list(line.get_xdata()) == [date2num(burn.today), date2num(DEADLINE)]  # type: ignore[arg-type]
    assert list(line.get_ydata()) == [float(burn.points[-1].actual), 3410000.0]  # type: ignore[arg-type]
    assert line.get_linestyle() != "-"
    assert "Projected £3.41m by 31 Mar" in [t.get_text() for t in axes.texts]


def test_no_projection_past_the_deadline():
    axes = _drawn(STATES["past the deadline"]).axes[0]
    assert not [line for line in axes.get_lines() if line.get_label() == "Projected at the recent rate"]
    assert not [t for t in axes.texts if t.get_text().startswith("Projected")]
    assert "Deadline 31 Mar · Today 2 Apr" in [t.get_text() for t in axes.texts if t.get_visible()]
