"""`winterbot demo` writes the fortnightly return: every period to the last in the XLSX, the last in
the CSV, with the synthetic partners' discharges by pathway and packages of care booked."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from bot.programme.lookup import get_programme
from bot.spend.ledger import spend_position
from models.db import make_engine, session_scope

pytestmark = pytest.mark.slow
UNTIL = date(2027, 1, 15)  # periods end 13 Dec, 27 Dec and 10 Jan; 24 Jan is still to come


@pytest.fixture(scope="module")
def winter(mid_january_winter):
    """The demo to Fri 15 Jan (UNTIL), run once for the session."""
    return mid_january_winter


def test_the_xlsx_has_every_period_ended_and_each_matches_winter_spend_that_day(winter):
    book = load_workbook(winter.out_dir / "spend-return.xlsx")
    assert book.sheetnames == ["to 2027-01-10", "to 2026-12-27", "to 2026-12-13", "Summary"]
    engine = make_engine(f"sqlite:///{winter.database}")
    try:
        with session_scope(engine) as session:
            programme = get_programme(session, "vale-winter-2026")
            for name, day in (("to 2027-01-10", date(2027, 1, 10)), ("to 2026-12-27", date(2026, 12, 27))):
                total = next(r for r in book[name].iter_rows(values_only=True) if r[0] == "Total")
                written = Decimal(str(total[5])).quantize(Decimal("0.01"))
                assert written == spend_position(session, programme, day).actual > 0
    finally:
        engine.dispose()


def test_the_partners_discharges_and_packages_fill_the_activity_lines(winter):
    with open(winter.out_dir / "spend-return.csv", newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["Period end"] for r in rows} == {"2027-01-10"}
    activity = {r["Scheme"]: Decimal(r["Value"]) for r in rows if r["Section"] == "activity"}
    assert len(activity) == 5
    pathways = [value for line, value in activity.items() if line.startswith("Discharges")]
    assert all(value == value.to_integral_value() for value in activity.values())
    assert pathways[0] > pathways[1] > pathways[2] >= pathways[3] > 0  # about 50%, 45%, 4%, 1%
    assert activity["Packages of care booked"] > 0
