"""The burn-up chart renders, a phone's width, in every state the programme can be in. Its layout and
readability are test_chart_layout.py's; the projection's figure, test_chart_projection.py's."""

from __future__ import annotations

import struct
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.spend.burn_up import BurnUp, BurnUpPoint
from bot.spend.charts import DPI, PHONE_WIDTH, WIDTH, burn_up_png, money_tick

START = date(2026, 12, 1)
DEADLINE = date(2027, 3, 31)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FIRST = (START, Decimal("1500000.00"), "Tranche 1")
TOP_UP = (date(2027, 1, 20), Decimal("600000.00"), "January top-up")


def _burn(today: date, tranches, points, projected: Decimal | None = None) -> BurnUp:
    return BurnUp(
        programme_name="Vale winter discharge fund",
        start=START,
        today=today,
        deadline=DEADLINE,
        allocated_total=sum((t[1] for t in tranches), Decimal(0)),
        points=tuple(points),
        tranches=tuple(tranches),
        projected_outturn=projected,
    )


def _daily(today: date, tranches, per_day: Decimal, committed: Decimal = Decimal(0)) -> list[BurnUpPoint]:
    points, day, actual = [], START, Decimal(0)
    while day <= today:
        actual += per_day
        allocated = sum((t[1] for t in tranches if t[0] <= day), Decimal(0))
        points.append(BurnUpPoint(day=day, actual=actual, committed=committed, allocated=allocated))
        day += timedelta(days=1)
    return points


def _size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


WIDTH_PX = round(WIDTH * DPI)


def _fits(png: bytes) -> bool:
    """A phone's width (three device pixels to each of its 360 or more), taller than wide at most."""
    width, height = _size(png)
    return width == WIDTH_PX and 0.6 * width <= height <= width


def test_width_is_sharp_on_a_phone():
    assert WIDTH_PX == 1080 and WIDTH_PX >= 3 * PHONE_WIDTH


def test_renders_a_png_of_the_expected_size_with_a_top_up():
    today = date(2027, 2, 10)
    points = _daily(today, [FIRST, TOP_UP], Decimal("21000.37"), Decimal("400000"))
    png = burn_up_png(_burn(today, [FIRST, TOP_UP], points, Decimal("2345678.90")))
    assert _fits(png)
    assert len(png) > 10_000  # lines and text, not a blank canvas


def test_renders_with_one_point():
    point = BurnUpPoint(day=START, actual=Decimal("1234.57"), committed=Decimal("99.99"), allocated=FIRST[1])
    assert _fits(burn_up_png(_burn(START, [FIRST], [point])))


def test_renders_with_nothing_reported():
    today = date(2026, 12, 20)
    assert _fits(burn_up_png(_burn(today, [FIRST], _daily(today, [FIRST], Decimal(0)))))


def test_renders_before_the_money_lands_and_with_no_tranches():
    assert _fits(burn_up_png(_burn(date(2026, 11, 20), [FIRST, TOP_UP], [])))
    assert _fits(burn_up_png(_burn(START, [], [])))


def test_renders_near_and_after_the_deadline_and_when_overspent():
    for today in (date(2027, 3, 29), date(2027, 4, 2)):
        points = _daily(today, [FIRST], Decimal("20000"), Decimal("50000"))  # ends well above £1.5m
        assert _fits(burn_up_png(_burn(today, [FIRST], points)))


def test_renders_from_threads_without_shared_state():
    today = date(2027, 1, 10)
    burns = [_burn(today, [FIRST], _daily(today, [FIRST], Decimal(n * 1000))) for n in range(1, 5)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        pngs = list(pool.map(burn_up_png, burns))
    assert all(_fits(png) for png in pngs)
    assert len(set(pngs)) == 4  # each chart drew its own figures


@pytest.mark.parametrize(
    ("value", "label"),
    [(0.0, "£0"), (450_000.0, "£450k"), (1_200_000.0, "£1.2m"), (2_500_000.0, "£2.5m"), (900.0, "£900")],
)
def test_money_ticks_read_as_pounds(value, label):
    assert money_tick(value) == label
