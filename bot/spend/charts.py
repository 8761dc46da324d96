"""The burn-up chart: is the money being spent fast enough to be gone by the deadline?

Drawn with matplotlib's object API (`Figure` + the Agg canvas), never pyplot: no display,
no global state, so it is safe in a worker thread. Sized for Slack's preview (about
800x450 px shown), fonts no smaller than 9 pt.

Money is Decimal everywhere else; it becomes float only here, to place pixels.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, num2date
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.common.money import format_short
from bot.spend.burn_up import BurnUp

FIGSIZE = (8.0, 4.5)  # inches; at 120 dpi, 960 x 540 px
DPI = 120
FONT = 9.5
CLOSE_DAYS = 25  # today this near the deadline: one label for both lines

ACTUAL = "#1b5e9e"  # dark blue: the money spent
COMMITMENT = "#5aa2e0"  # lighter blue: spent plus committed
TRAJECTORY = "#7a7a7a"  # grey: the even pace to the deadline
ALLOCATION = "#2e7d32"  # green: money available
TODAY = "#d35400"
DEADLINE = "#b71c1c"


def burn_up_png(burn: BurnUp) -> bytes:
    """The burn-up chart as PNG bytes."""
    figure = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    _draw_allocation(axes, burn)
    _draw_trajectory(axes, burn)
    _draw_spend(axes, burn)
    _draw_markers(axes, burn)
    _style(axes, burn)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


_PLATE = {"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.0}


def _day(day: date) -> str:
    """1 Dec, 20 Jan: no leading zero, as people write dates."""
    return f"{day.day} {day:%b}"


def money_tick(value: float) -> str:
    """An axis tick in pounds: £1.2m, £450k, £0 (ticks are whole pounds)."""
    return format_short(Decimal(round(value)))


def _pounds(value: Decimal) -> float:
    return float(value)


def _allocation_steps(burn: BurnUp) -> list[tuple[date, Decimal]]:
    """(day, cumulative allocation) at the start and at each tranche's landing, in order."""
    steps: list[tuple[date, Decimal]] = [(burn.start, Decimal(0))]
    total = Decimal(0)
    for landed, amount, _ in sorted(burn.tranches, key=lambda t: t[0]):
        total += amount
        day = max(landed, burn.start)
        if steps[-1][0] == day:
            steps[-1] = (day, total)
        else:
            steps.append((day, total))
    return steps


def _draw_allocation(axes, burn: BurnUp) -> None:
    steps = _allocation_steps(burn)
    days = [day for day, _ in steps] + [burn.deadline]
    amounts = [_pounds(amount) for _, amount in steps] + [_pounds(steps[-1][1])]
    axes.plot(days, amounts, drawstyle="steps-post", color=ALLOCATION, linewidth=2, label="Allocation available")
    for landed, amount, name in sorted(burn.tranches, key=lambda t: t[0]):
        day = max(landed, burn.start)
        height = next(total for step_day, total in steps if step_day == day)
        axes.annotate(
            f"{name}\n+{format_short(amount)} on {_day(landed)}",
            xy=(day, _pounds(height)),
            xytext=(4, -4),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=FONT - 0.5,
            color=ALLOCATION,
            bbox=_PLATE,
        )


def _draw_trajectory(axes, burn: BurnUp) -> None:
    axes.plot(
        [burn.start, burn.deadline],
        [0.0, _pounds(burn.allocated_total)],
        color=TRAJECTORY,
        linestyle=(0, (5, 4)),
        linewidth=1.5,
        label="Even pace to the deadline",
    )


def _draw_spend(axes, burn: BurnUp) -> None:
    if not burn.points:
        return
    days = [p.day for p in burn.points]
    actual = [_pounds(p.actual) for p in burn.points]
    commitment = [_pounds(p.actual + p.committed) for p in burn.points]
    marker = "o" if len(days) < 3 else None
    axes.fill_between(days, actual, commitment, color=COMMITMENT, alpha=0.18, linewidth=0)
    axes.plot(days, commitment, color=COMMITMENT, linewidth=2, marker=marker, label="Actual + committed")
    axes.plot(days, actual, color=ACTUAL, linewidth=2.5, marker=marker, label="Actual spend")
    last = burn.points[-1]
    commitment_at, actual_at = last.actual + last.committed, last.actual
    top = max([burn.allocated_total, commitment_at, Decimal(1)])
    if (commitment_at - actual_at) / top < Decimal("0.07") or actual_at / top < Decimal("0.05"):
        offsets = (17, 3)  # close together or near the axis: stack both labels above the line
    else:
        offsets = (3, -15)
    left = burn.deadline - last.day < timedelta(days=CLOSE_DAYS)  # no room before the deadline line
    _end_label(axes, last.day, commitment_at, COMMITMENT, offsets[0], left=left)
    _end_label(axes, last.day, actual_at, ACTUAL, offsets[1], left=left)


def _end_label(axes, day: date, value: Decimal, colour: str, rise: float, *, left: bool) -> None:
    """The latest figure, written beside where its line ends (today)."""
    axes.annotate(
        format_short(value),
        xy=(day, _pounds(value)),
        xytext=(-6 if left else 6, rise),
        textcoords="offset points",
        ha="right" if left else "left",
        va="bottom",
        fontsize=FONT,
        fontweight="bold",
        color=colour,
        bbox=_PLATE,
    )


def _draw_markers(axes, burn: BurnUp) -> None:
    axes.axvline(burn.today, color=TODAY, linewidth=1.2, linestyle=":")
    axes.axvline(burn.deadline, color=DEADLINE, linewidth=1.5)
    top = axes.get_xaxis_transform()  # x in dates, y as a share of the axes' height
    deadline = f"Deadline {_day(burn.deadline)}"
    if burn.deadline - burn.today < timedelta(days=CLOSE_DAYS):  # one label, or they overlap
        label = f"Today {_day(burn.today)} · {deadline}"
        axes.text(burn.deadline, 1.01, label, transform=top, ha="right", va="bottom", fontsize=FONT, color=DEADLINE)
        return
    axes.text(
        burn.today,
        1.01,
        f"Today {_day(burn.today)}",
        transform=top,
        ha="center",
        va="bottom",
        fontsize=FONT,
        color=TODAY,
    )
    axes.text(burn.deadline, 1.01, deadline, transform=top, ha="right", va="bottom", fontsize=FONT, color=DEADLINE)


def _style(axes, burn: BurnUp) -> None:
    highest = max([burn.allocated_total] + [p.actual + p.committed for p in burn.points])
    axes.set_ylim(0, max(_pounds(highest) * 1.12, 1.0))
    axes.set_xlim(min(burn.start, burn.today) - timedelta(days=2), max(burn.deadline, burn.today) + timedelta(days=3))
    axes.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: money_tick(value)))
    axes.xaxis.set_major_locator(AutoDateLocator(minticks=4, maxticks=8))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: _day(num2date(value).date())))
    axes.tick_params(labelsize=FONT)
    axes.grid(True, axis="y", color="#dddddd", linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_title(f"{burn.programme_name}: spend against the deadline", fontsize=FONT + 3, loc="left", pad=18)
    # bottom right is the future below the even pace: empty while spend is anywhere near plan;
    # held clear of the deadline line
    axes.legend(loc="lower right", bbox_to_anchor=(0.95, 0.0), fontsize=FONT, frameon=True, framealpha=0.9)
