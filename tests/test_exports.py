"""The spend return: the rows, the CSV and the XLSX say what the SpendPosition says, to the penny."""

from __future__ import annotations

import csv
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from bot.spend.exports import HEADERS, export, spend_return_rows, write_csv, write_xlsx
from bot.spend.position import Flag, Forecast, SchemeSpend, SourceSpend, SpendPosition

TODAY = date(2027, 1, 22)
D = Decimal


def _scheme(scheme_id: int, key: str, source: str, budget: str, actual: str, committed: str, **kw) -> SchemeSpend:
    defaults = {
        "name": f"Scheme {key}",
        "scheme_type": "home_care",
        "owner": "Vale Home Care",
        "activity": D("120.5"),
        "planned": D("2500"),
        "unit": "hours",
        "last_reported": date(2027, 1, 21),
    }
    defaults.update(kw)
    return SchemeSpend(
        scheme_id=scheme_id,
        key=key,
        funding_source=source,
        budget=D(budget),
        actual=D(actual),
        committed=D(committed),
        **defaults,
    )


SCHEMES = (
    _scheme(1, "hc", "local_authority_grant", "500000.00", "1234.57", "10000.01"),
    _scheme(
        2,
        "beds",
        "icb_allocation",
        "750000.00",
        "98765.43",
        "0.99",
        name="Step-down beds",
        scheme_type="bed_based_intermediate_care",
        unit="bed_weeks",
        planned=D("300"),
        activity=D("41"),
    ),
    _scheme(
        3,
        "staff",
        "local_authority_grant",
        "250000.50",
        "0.01",
        "4321.09",
        name="Recruitment, retention",
        scheme_type="workforce",
        unit="staff_wte",
        planned=D("12.5"),
        activity=D("3.25"),
    ),
    _scheme(
        4,
        "never",
        "icb_allocation",
        "100000.00",
        "0.00",
        "0.00",
        name="Never reported",
        scheme_type="unknown_type",
        last_reported=None,
        activity=D("0"),
    ),
)


def _position(schemes=SCHEMES) -> SpendPosition:
    def total(source: str | None, field: str) -> Decimal:
        return sum((getattr(s, field) for s in schemes if source in (None, s.funding_source)), D(0))

    by_source = tuple(
        SourceSpend(
            funding_source=src,
            allocated_so_far=so_far,
            allocated_total=in_total,
            actual=total(src, "actual"),
            committed=total(src, "committed"),
        )
        for src, so_far, in_total in (
            ("local_authority_grant", D("600000.00"), D("800000.00")),
            ("icb_allocation", D("900000.00"), D("900000.00")),
        )
    )
    return SpendPosition(
        programme_slug="vale",
        programme_name="Vale winter discharge fund",
        today=TODAY,
        deadline=date(2027, 3, 31),
        allocated_so_far=D("1500000.00"),
        allocated_total=D("1700000.00"),
        actual=total(None, "actual"),
        committed=total(None, "committed"),
        by_source=by_source,
        schemes=schemes,
        forecast=Forecast(
            working_days_elapsed=34,
            working_days_left=47,
            run_rate_needed=D("33878.62"),
            recent_run_rate=D("2500.33"),
            period_run_rate=D("2941.18"),
            outturn_recent=D("217515.51"),
            outturn_period=D("238255.46"),
            variance_recent=D("-1482484.49"),
            variance_period=D("-1461744.54"),
        ),
        flags=(Flag("underspend_risk", "vale", "At the recent rate £1,482,484.49 would be left unspent on 31 March."),),
    )


POSITION = _position()


def test_rows_group_schemes_by_source_with_totals_that_match_the_position():
    rows = spend_return_rows(POSITION, TODAY)
    assert [r.scheme for r in rows] == [
        "Scheme hc",
        "Recruitment, retention",
        "Total: Local authority grant",
        "Step-down beds",
        "Never reported",
        "Total: ICB allocation",
        "Total",
    ]
    la, icb, overall = rows[2], rows[5], rows[6]
    assert (la.actual, la.committed, la.planned_spend) == (D("1234.58"), D("14321.10"), D("750000.50"))
    assert (icb.actual, icb.committed) == (D("98765.43"), D("0.99"))
    assert (
        (overall.actual, overall.committed) == (POSITION.actual, POSITION.committed) == (D("100000.01"), D("14322.09"))
    )
    assert overall.planned_spend == D("1600000.50")
    assert all(r.is_total == r.scheme.startswith("Total") for r in rows)
    assert overall.planned_units is None and overall.unit == ""


def test_rows_use_the_labels_people_read():
    beds = spend_return_rows(POSITION, TODAY)[3]
    assert beds.scheme_type == "Bed-based intermediate care (step-down beds)"
    assert beds.funding_source == "ICB allocation"
    assert beds.unit == "bed-weeks"
    assert (beds.planned_units, beds.actual_units) == (D("300"), D("41"))
    assert spend_return_rows(POSITION, TODAY)[4].scheme_type == "unknown_type"  # unknown: shown as stored


def test_xlsx_totals_match_the_position_to_the_penny(tmp_path):
    path = export(POSITION, tmp_path / "return.xlsx")
    book = load_workbook(path)
    sheet = book["Spend return"]
    assert tuple(c.value for c in sheet[1]) == HEADERS
    assert sheet.freeze_panes == "B2"
    body = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=2)]
    by_name = {row[0]: row for row in body}
    money = lambda v: D(str(v)).quantize(D("0.01"))  # noqa: E731  (openpyxl reads numbers back as float)
    total = by_name["Total"]
    assert (money(total[5]), money(total[6])) == (POSITION.actual, POSITION.committed)
    schemes = [row for row in body if row[0] is not None and not str(row[0]).startswith("Total")]
    assert len(schemes) == 4 and [row[0] for row in body[:4]] == [row[0] for row in schemes]
    # The filter covers the header and the schemes; the totals sit below a blank row, out of its reach.
    assert sheet.auto_filter.ref == "A1:K5"
    assert all(value is None for value in body[4])
    assert [row[0] for row in body[5:]] == ["Total: Local authority grant", "Total: ICB allocation", "Total"]
    assert sum(money(row[5]) for row in schemes) == POSITION.actual
    assert sum(money(row[6]) for row in schemes) == POSITION.committed
    assert money(by_name["Total: Local authority grant"][5]) == D("1234.58")
    assert money(by_name["Scheme hc"][5]) == D("1234.57")
    assert sheet.cell(2, 5).number_format.startswith('"£"#,##0.00')
    assert sheet.cell(2, 11).value.date() == TODAY
    assert sheet.column_dimensions["A"].width >= len("Total: Local authority grant")


def test_xlsx_stores_decimals_exactly_not_through_float_rounding(tmp_path):
    schemes = (_scheme(1, "big", "icb_allocation", "123456789012.34", "98765432109.87", "0.10"),)
    position = _position(schemes)
    path = tmp_path / "big.xlsx"
    export(position, path)
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>98765432109.87</v>" in xml and "<v>123456789012.34</v>" in xml


def test_xlsx_summary_has_allocation_by_source_and_the_forecast(tmp_path):
    book = load_workbook(export(POSITION, tmp_path / "return.xlsx"))
    assert book.sheetnames == ["Spend return", "Summary"]
    rows = {row[0]: row for row in book["Summary"].iter_rows(values_only=True) if row and row[0]}
    assert D(str(rows["ICB allocation"][2])) == D("900000")
    assert D(str(rows["Total"][1])) == D("1500000")
    assert D(str(rows["Total"][3])).quantize(D("0.01")) == POSITION.actual
    assert rows["Working days left (today until its figures are in)"][1] == 47
    assert D(str(rows["Over (+) or under (-) spend, recent rate (£)"][1])) == D("-1482484.49")
    assert POSITION.flags[0].message in rows


def test_csv_parses_and_keeps_pennies(tmp_path):
    path = export(POSITION, tmp_path / "return.CSV")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0].keys()) == list(HEADERS)
    assert rows[0]["Actual spend to date (£)"] == "1234.57"
    assert rows[1]["Scheme"] == "Recruitment, retention"  # a comma in a name stays one field
    total = rows[-1]
    assert (D(total["Actual spend to date (£)"]), D(total["Committed (£)"])) == (POSITION.actual, POSITION.committed)
    assert total["Planned units"] == "" and total["Period end"] == "2027-01-22"
    assert sum(D(r["Actual spend to date (£)"]) for r in rows if not r["Scheme"].startswith("Total")) == POSITION.actual


def test_period_end_can_be_given(tmp_path):
    path = tmp_path / "r.csv"
    write_csv(spend_return_rows(POSITION, date(2027, 1, 15)), path)
    assert "2027-01-15" in path.read_text() and "2027-01-22" not in path.read_text()


def test_empty_programme_writes_just_the_totals(tmp_path):
    position = _position(())
    rows = spend_return_rows(position, TODAY)
    assert [r.scheme for r in rows] == ["Total: Local authority grant", "Total: ICB allocation", "Total"]
    write_xlsx(rows, tmp_path / "empty.xlsx", position)
    sheet = load_workbook(tmp_path / "empty.xlsx")["Spend return"]
    assert sheet.max_row == 5 and sheet.auto_filter.ref == "A1:K1"  # header, blank, three totals


@pytest.mark.parametrize("name", ["return.pdf", "return", "return.xls", "return.csv.txt"])
def test_other_extensions_are_refused_naming_the_two(tmp_path, name):
    with pytest.raises(ValueError, match=r"\.csv or \.xlsx"):
        export(POSITION, tmp_path / name)
    assert not (tmp_path / name).exists()


def test_csv_starts_with_a_byte_order_mark_so_excel_reads_the_pound_sign(tmp_path):
    path = export(POSITION, tmp_path / "r.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfScheme,")
