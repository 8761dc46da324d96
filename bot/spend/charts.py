"""The burn-up chart: is the money being spent fast enough to be gone by the deadline?

Drawn with matplotlib's object API (`Figure` + the Agg canvas), never pyplot: no display,
no global state, so it is safe in a worker thread.

Sized for a phone. Slack shows an uploaded image 360 px wide on a phone whatever its pixel
width, so text of s points shows s / 72 * dpi * 360 / (WIDTH * dpi) = s * 5 / WIDTH px tall:
the dpi cancels out and only the width in inches counts. At WIDTH = 6 in, the smallest text,
FONT = 11 pt, shows 11 * 5 / 6 = 9.2 px tall, about the least that reads; the title, 13 pt,
10.8 px. The dpi sets only sharpness: 180 dpi gives 1080 px, three device pixels to each of
the phone's 360. The height grows with the tranche key below the plot, a line or two per day
money lands.

Nothing is left to chance with the labels: each one inside the plot is measured with the
renderer and moved up (or down) past any label already placed until none overlap, and the
money axis is raised when the labels need more room above the last step (`_lay_out`).

Money is Decimal everywhere else; it becomes float only here, to place pixels.
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter, MonthLocator, date2num
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter
from matplotlib.transforms import Bbox, BboxBase

from bot.common.definitions import even_pace
from bot.common.money import format_short
from bot.spend.burn_up import BurnUp

WIDTH = 6.0  # inches
BASE_HEIGHT = 4.3  # inches, before the tranche key's lines
KEY_LINE = 0.21  # inches a line of the key adds
DPI = 180
PHONE_WIDTH = 360  # px: Slack's image preview on a phone
FONT = 11.0  # points: the smallest text, 9.2 px tall on a phone
TITLE_FONT = 13.0
TITLE_CHARS = 52  # a 13 pt title line that may fit the plot's width (_fit_title makes sure)
KEY_CHARS = 54  # an 11 pt key line likewise
GAP = 3.0 * DPI / 72  # px (3 points) between labels
TRIES = 6  # at raising the money axis to make room for the labels

ACTUAL = "#1b5e9e"  # dark blue: the money spent
COMMITMENT = "#5aa2e0"  # lighter blue: spent plus committed
TRAJECTORY = "#7a7a7a"  # grey: the even pace to the deadline
ALLOCATION = "#2e7d32"  # green: money available
TODAY = "#d35400"
DEADLINE = "#b71c1c"

LEGEND = ("Spent", "Spent + committed", "Projected at the recent rate", "Money available", "Even pace to the deadline")
_PLATE = {"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.0}


@dataclass(frozen=True)
class Landing:
    """The tranches that become available on one day, as one step and one label."""

    day: date
    amount: Decimal
    names: tuple[str, ...]


@dataclass
class _Label:
    """A label inside the plot that may be moved: `rise` +1 moves it up past a label in its way,
    -1 down; `home` is its offset from its point, in points, before any move."""

    text: Annotation
    rise: int
    home: tuple[float, float] = field(init=False)

    def __post_init__(self) -> None:
        self.home = self.text.xyann


def burn_up_png(burn: BurnUp) -> bytes:
    """The burn-up chart as PNG bytes, WIDTH * DPI px wide."""
    buffer = io.BytesIO()
    burn_up_figure(burn).savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def burn_up_figure(burn: BurnUp) -> Figure:
    """The chart, drawn and laid out: its labels' window extents are where they will print."""
    landings = landings_of(burn)
    key = _key(landings)
    figure = Figure(figsize=(WIDTH, BASE_HEIGHT + KEY_LINE * key.count("\n")), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = _draw_spend(axes, burn)
    labels += _draw_projection(axes, burn)
    labels += _draw_allocation(axes, burn, landings)
    _draw_trajectory(axes, burn)
    markers = _draw_markers(axes, burn)
    title = _style(axes, burn, key)
    _legend(figure, axes)
    _fit_title(figure, title)
    _lay_out(figure, axes, labels, markers)
    return figure


def _legend(figure: Figure, axes: Axes) -> None:
    """Below the plot, so it never covers a line; in the order a reader looks for them."""
    handles = dict(zip(*reversed(axes.get_legend_handles_labels()), strict=True))
    shown = [name for name in LEGEND if name in handles]
    figure.legend(
        [handles[name] for name in shown],
        shown,
        loc="outside lower center",
        ncols=2,
        fontsize=FONT,
        frameon=False,
        handlelength=2.2,
    )


def _fit_title(figure: Figure, title: Text) -> None:
    """Wrap the title more tightly until it fits across the page (a long programme name)."""
    words = title.get_text()
    for chars in range(TITLE_CHARS, 10, -4):
        title.set_text(textwrap.fill(words, chars))
        figure.draw_without_rendering()
        if title.get_window_extent().x1 <= figure.bbox.x1:
            return


def _day(day: date) -> str:
    """1 Dec, 20 Jan: no leading zero, as people write dates."""
    return f"{day.day} {day:%b}"


def money_tick(value: float) -> str:
    """An axis tick in pounds: £1.2m, £450k, £0 (ticks are whole pounds)."""
    return format_short(Decimal(round(value)))


def _pounds(value: Decimal) -> float:
    return float(value)


def _x(day: date) -> float:
    """A day as matplotlib's date number, where the month ticks look for it."""
    return float(date2num(day))


def landings_of(burn: BurnUp) -> list[Landing]:
    """The tranches grouped by the day they land, soonest first; one available before the
    period's start lands at the start."""
    by_day: dict[date, list[tuple[Decimal, str]]] = {}
    for landed, amount, name in burn.tranches:
        by_day.setdefault(max(landed, burn.start), []).append((amount, name))
    return [
        Landing(day, sum((amount for amount, _ in same), Decimal(0)), tuple(name for _, name in same))
        for day, same in sorted(by_day.items())
    ]


def _names(names: tuple[str, ...]) -> str:
    """A and B; A; B and C (names may hold commas, so only the last pair is joined by a word)."""
    return names[0] if len(names) == 1 else f"{'; '.join(names[:-1])} and {names[-1]}"


def _key(landings: list[Landing]) -> str:
    """Below the plot, what each step is: '7 Dec  +£2.6m  Local authority grant and ICB allocation'."""
    entries = [f"{_day(landing.day)}  +{format_short(landing.amount)}  {_names(landing.names)}" for landing in landings]
    return "\n".join(textwrap.fill(entry, KEY_CHARS, subsequent_indent="      ") for entry in entries)


def _annotate(
    axes: Axes, day: date, value: Decimal, text: str, color: str, home: tuple[float, float] = (4.0, -4.0)
) -> Annotation:
    """`text` beside the point (day, value), `home` points away: to the right and below by default."""
    label = axes.annotate(
        text,
        xy=(_x(day), _pounds(value)),
        xytext=home,
        textcoords="offset points",
        ha="left" if home[0] >= 0 else "right",
        va="bottom" if home[1] >= 0 else "top",
        fontsize=FONT,
        bbox=_PLATE,
        annotation_clip=False,
        color=color,
    )
    label.set_in_layout(False)  # moved after the layout is made; it must not remake it
    return label


def _draw_allocation(axes: Axes, burn: BurnUp, landings: list[Landing]) -> list[_Label]:
    """The allocation as steps, each step's amount written above it; the key says what it is."""
    days, totals, total = [burn.start], [Decimal(0)], Decimal(0)
    labels = []
    for landing in landings:
        total += landing.amount
        days.append(landing.day)
        totals.append(total)
        text = _annotate(axes, landing.day, total, f"+{format_short(landing.amount)}", ALLOCATION, (3.0, 3.0))
        text.set_gid("tranche")
        labels.append(_Label(text, 1))
    days.append(burn.deadline)
    totals.append(total)
    axes.plot(
        [_x(day) for day in days],
        [_pounds(t) for t in totals],
        drawstyle="steps-post",
        color=ALLOCATION,
        linewidth=2,
        label="Money available",
    )
    return labels


def _draw_trajectory(axes: Axes, burn: BurnUp) -> None:
    """The even pace (bot.common.definitions): each tranche over the working days from its day."""
    tranches = [(day, amount) for day, amount, _ in burn.tranches]
    days = [burn.start + timedelta(days=n) for n in range((burn.deadline - burn.start).days + 1)]
    axes.plot(
        [_x(day) for day in days],
        [_pounds(even_pace(tranches, burn.deadline, day)) for day in days],
        color=TRAJECTORY,
        linestyle=(0, (4, 3)),
        linewidth=1.3,
        label="Even pace to the deadline",
    )


def _draw_spend(axes: Axes, burn: BurnUp) -> list[_Label]:
    """Spend and commitment to today, with today's figures written at their ends."""
    if not burn.points:
        return []
    days = [_x(p.day) for p in burn.points]
    actual = [_pounds(p.actual) for p in burn.points]
    commitment = [_pounds(p.actual + p.committed) for p in burn.points]
    marker = "o" if len(days) < 3 else None
    axes.fill_between(days, actual, commitment, color=COMMITMENT, alpha=0.18, linewidth=0)
    axes.plot(days, commitment, color=COMMITMENT, linewidth=2, marker=marker, label="Spent + committed")
    axes.plot(days, actual, color=ACTUAL, linewidth=2.5, marker=marker, label="Spent")
    last = burn.points[-1]
    labels = [_Label(_annotate(axes, last.day, last.actual, f"Spent {format_short(last.actual)}", ACTUAL), -1)]
    if last.committed:  # else the same figure twice
        total = last.actual + last.committed
        text = f"Spent + committed {format_short(total)}"
        labels.append(_Label(_annotate(axes, last.day, total, text, COMMITMENT, (-4.0, 4.0)), 1))
    for label in labels:
        label.text.set_fontweight("bold")
    return labels


def _draw_projection(axes: Axes, burn: BurnUp) -> list[_Label]:
    """From today's spend to the outturn at the deadline at the recent run rate (none past it)."""
    if burn.projected_outturn is None or not burn.points or burn.today > burn.deadline:
        return []
    start = burn.points[-1]
    axes.plot(
        [_x(start.day), _x(burn.deadline)],
        [_pounds(start.actual), _pounds(burn.projected_outturn)],
        color=ACTUAL,
        linestyle=(0, (2.5, 2)),
        linewidth=1.8,
        label="Projected at the recent rate",
    )
    axes.plot([_x(burn.deadline)], [_pounds(burn.projected_outturn)], marker="o", markersize=4, color=ACTUAL)
    text = f"Projected {format_short(burn.projected_outturn)} by {_day(burn.deadline)}"
    return [_Label(_annotate(axes, burn.deadline, burn.projected_outturn, text, ACTUAL, (-4.0, 4.0)), 1)]


def _draw_markers(axes: Axes, burn: BurnUp) -> tuple[Text, Text]:
    """Today's and the deadline's lines, named above the plot."""
    axes.axvline(_x(burn.today), color=TODAY, linewidth=1.2, linestyle=":")
    axes.axvline(_x(burn.deadline), color=DEADLINE, linewidth=1.5)
    top = axes.get_xaxis_transform()  # x in dates, y as a share of the axes' height
    today = axes.text(_x(burn.today), 1.02, f"Today {_day(burn.today)}", transform=top, ha="center", color=TODAY)
    when = "today, " if burn.today == burn.deadline else ""
    deadline = axes.text(
        _x(burn.deadline), 1.02, f"Deadline {when}{_day(burn.deadline)}", transform=top, ha="right", color=DEADLINE
    )
    today.set_visible(not when)
    for text in (today, deadline):
        text.set(fontsize=FONT, va="bottom", in_layout=False)  # the title's pad keeps their room
    return today, deadline


def _style(axes: Axes, burn: BurnUp, key: str) -> Text:
    """Axes, ticks, title and key; returns the title, to be fitted to the page."""
    highest = max(
        [burn.allocated_total, burn.projected_outturn or Decimal(0)] + [p.actual + p.committed for p in burn.points]
    )
    axes.set_ylim(0, max(_pounds(highest) * 1.1, 1.0))
    left, right = min(burn.start, burn.today) - timedelta(days=2), max(burn.deadline, burn.today) + timedelta(days=3)
    axes.set_xlim(_x(left), _x(right))
    axes.yaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: money_tick(value)))
    _month_ticks(axes, (right - left).days)
    axes.tick_params(labelsize=FONT)
    axes.grid(True, axis="y", color="#dddddd", linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_xlabel(key, loc="left", fontsize=FONT, color=ALLOCATION, linespacing=1.3)
    axes.xaxis.label.set_gid("tranche-key")
    title = f"{burn.programme_name}: spend against the deadline"
    return axes.set_title(title, fontsize=TITLE_FONT, loc="left", pad=FONT * 2)


def _month_ticks(axes: Axes, days: int) -> None:
    """Months named mid-month (Dec Jan Feb Mar), their boundaries marked; at most eight names."""
    every = max(1, math.ceil(days / 30 / 8))
    axes.xaxis.set_major_locator(MonthLocator(interval=every))
    axes.xaxis.set_major_formatter(NullFormatter())
    axes.xaxis.set_minor_locator(MonthLocator(bymonthday=16, interval=every))
    axes.xaxis.set_minor_formatter(DateFormatter("%b"))
    axes.tick_params(axis="x", which="minor", length=0, labelsize=FONT)


def _lay_out(figure: Figure, axes: Axes, labels: list[_Label], markers: tuple[Text, Text]) -> None:
    """Place the labels so that none overlaps another or leaves the plot: draw, place each in
    turn clear of those before it, and if any ends above the plot raise the money axis by as
    much and start again (the plot's scale, and so every label's point, has changed)."""
    for _ in range(TRIES):
        figure.draw_without_rendering()
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg's, set above
        plot = axes.get_window_extent(renderer)
        _name_markers(markers, figure.bbox, renderer)
        placed: list[Bbox] = []
        for label in labels:
            placed.append(_place(label, placed, plot, renderer))
        over = max((box.y1 for box in placed), default=plot.y1) - plot.y1
        if over <= 0:
            return
        bottom, top = axes.get_ylim()
        axes.set_ylim(bottom, top * (plot.height + over) / plot.height * 1.05)


def _place(label: _Label, placed: list[Bbox], plot: Bbox, renderer: RendererBase) -> Bbox:
    """Put a label back at its home, inside the plot's width, then move it clear of `placed`;
    a label pushed below the plot's floor is lifted onto it and moved up instead."""
    text = label.text
    text.xyann = label.home
    text.set_horizontalalignment("left" if label.home[0] >= 0 else "right")
    box = text.get_window_extent(renderer)
    if box.x1 > plot.x1 or box.x0 < plot.x0:
        flipped = box.x1 > plot.x1
        text.xyann = (-abs(label.home[0]) if flipped else abs(label.home[0]), label.home[1])
        text.set_horizontalalignment("right" if flipped else "left")
    box = _clear(text, label.rise, placed, renderer)
    if box.y0 < plot.y0:
        _shift(text, plot.y0 - box.y0 + GAP)
        box = _clear(text, 1, placed, renderer)
    return box


def _clear(text: Annotation, rise: int, placed: list[Bbox], renderer: RendererBase) -> Bbox:
    """Move `text` up (rise 1) or down (-1) past each placed box it overlaps. It only ever moves
    one way, past a box's far edge, so it meets each box at most once."""
    box = text.get_window_extent(renderer)
    for _ in range(len(placed) + 1):
        hit = next((other for other in placed if box.padded(GAP / 2).overlaps(other)), None)
        if hit is None:
            break
        _shift(text, hit.y1 - box.y0 + GAP if rise > 0 else hit.y0 - box.y1 - GAP)
        box = text.get_window_extent(renderer)
    return box


def _shift(text: Annotation, pixels: float) -> None:
    x, y = text.xyann
    text.xyann = (x, y + pixels * 72 / DPI)


def _name_markers(markers: tuple[Text, Text], page: BboxBase, renderer: RendererBase) -> None:
    """Today's and the deadline's names, kept on the page; one name for both when they would touch."""
    today, deadline = markers
    if not today.get_visible():
        return
    if today.get_window_extent(renderer).x0 < page.x0:
        today.set_horizontalalignment("left")
    if today.get_window_extent(renderer).padded(GAP).overlaps(deadline.get_window_extent(renderer)):
        today.set_visible(False)
        both = (today.get_text(), deadline.get_text())
        past = today.get_position()[0] > deadline.get_position()[0]
        deadline.set_text(" · ".join(reversed(both) if past else both))
