"""The fortnightly return as files: an XLSX sheet per period with its totals out of the filter's
reach, a CSV of the period asked for, and `winterbot export --period-end`."""

from __future__ import annotations

import csv
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from programme_file_support import MINIMAL
from return_support import JAN_10, SLUG, D, before_the_period, load, programme_of, the_period

from bot.app.cli import main
from bot.programme.file import parse_programme_file
from bot.programme.loader import load_programme
from bot.spend.return_files import CSV_HEADERS, export_return
from bot.spend.return_periods import fortnightly_return
from models.db import session_scope

TODAY = date(2027, 1, 20)


def money(value) -> D:  # openpyxl reads a number back as a float: to the penny again
    return D(str(value)).quantize(D("0.01"))


@pytest.fixture
def winter(engine):
    load(engine)
    with session_scope(engine) as session:
        before_the_period(session)
        the_period(session)
    return engine


@pytest.fixture
def the_return(winter):
    with session_scope(winter) as session:
        return fortnightly_return(session, programme_of(session), JAN_10, TODAY)


def test_the_xlsx_has_a_sheet_per_period_newest_first_then_the_summary(the_return, tmp_path):
    book = load_workbook(export_return(the_return, tmp_path / "return.xlsx"))
    assert book.sheetnames == ["to 2027-01-10", "to 2026-12-27", "to 2026-12-13", "Summary"]
    assert book.active.title == "to 2027-01-10"


def test_a_period_sheet_keeps_its_totals_below_the_filtered_scheme_rows(the_return, tmp_path):
    sheet = load_workbook(export_return(the_return, tmp_path / "return.xlsx"))["to 2027-01-10"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert sheet.auto_filter.ref == "A1:K3"  # the header and the two schemes, nothing else
    assert [r[0] for r in rows[1:3]] == ["Home care hours", "Step-down beds"]
    assert all(value is None for value in rows[3])  # a blank row before the totals
    totals = {r[0]: r for r in rows[4:7]}
    assert list(totals) == ["Total: Local authority grant", "Total: ICB allocation", "Total"]
    assert (money(totals["Total"][5]), money(totals["Total"][6])) == (D("5600.25"), D("3000.00"))
    assert money(totals["Total: Local authority grant"][5]) == D("4100.25")
    assert money(totals["Total: ICB allocation"][4]) == D("40000.00")  # planned
    total_cell = sheet.cell(7, 6)
    assert total_cell.data_type == "n" and total_cell.number_format.startswith('"£"#,##0.00')
    assert all(value is None for value in rows[7])
    activity = {r[0]: r[1] for r in rows[9:14]}
    assert rows[8][0] == "Activity, 28 Dec 2026 to 10 Jan 2027"
    assert activity == {
        "Discharges, pathway 0 (home, no new support)": 39,
        "Discharges, pathway 1 (home with new or restarted support)": 19,
        "Discharges, pathway 2 (short-term community bed)": 4,
        "Discharges, pathway 3 (care home placement)": 1,
        "Packages of care booked": 9,
    }
    assert rows[13][2] == "home_care.packages_booked"


def test_money_is_written_as_exact_numbers(the_return, tmp_path):
    path = export_return(the_return, tmp_path / "return.xlsx")
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>4100.25</v>" in xml and "<v>5600.25</v>" in xml


def test_the_summary_lists_every_period_side_by_side(the_return, tmp_path):
    sheet = load_workbook(export_return(the_return, tmp_path / "return.xlsx"))["Summary"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Return fund: spend as at 10 Jan 2027"
    start = next(i for i, r in enumerate(rows) if r[0] == "Every period")
    header, *periods = rows[start + 1 : start + 5]
    assert header[:5] == [
        "Period from",
        "Period to",
        "Spend to date: Local authority grant (£)",
        "Spend to date: ICB allocation (£)",
        "Spend to date: total (£)",
    ]
    assert [(r[1].date(), money(r[2]), money(r[3]), money(r[4]), r[5], r[9]) for r in periods] == [
        (date(2026, 12, 13), D("0.00"), D("0.00"), D("0.00"), 0, 0),
        (date(2026, 12, 27), D("1000.00"), D("0.00"), D("1000.00"), 10, 5),
        (JAN_10, D("4100.25"), D("1500.00"), D("5600.25"), 39, 9),
    ]


def test_the_csv_carries_the_period_asked_for_in_one_table(the_return, tmp_path):
    path = export_return(the_return, tmp_path / "return.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfSection,Scheme,")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(CSV_HEADERS)
    assert {(r["Period start"], r["Period end"]) for r in rows} == {("2026-12-28", "2027-01-10")}
    sections = [r["Section"] for r in rows]
    assert sections[:5] == ["scheme", "total", "scheme", "total", "total"]
    overall = rows[4]
    assert (overall["Scheme"], overall["Actual spend to date (£)"], overall["Committed (£)"]) == (
        "Total",
        "5600.25",
        "3000.00",
    )
    activity = {r["Scheme"]: (r["Value"], r["Unit"]) for r in rows if r["Section"] == "activity"}
    assert activity["Discharges, pathway 0 (home, no new support)"] == ("39", "people")
    assert activity["Packages of care booked"] == ("9", "packages")
    assert len(activity) == 5
    summary = {(r["Scheme"], r["Funding source"]): r["Value"] for r in rows if r["Section"] == "summary"}
    assert summary[("Allocated so far (£)", "ICB allocation")] == "50000.00"
    assert summary[("Allocated so far (£)", "All sources")] == "150000.00"
    assert summary[("Working days left (the period end until its figures are in)", "")] == "56"


def test_other_extensions_are_refused(the_return, tmp_path):
    with pytest.raises(ValueError, match=r"\.csv or \.xlsx"):
        export_return(the_return, tmp_path / "return.pdf")


# winterbot export ---------------------------------------------------------------------------


@pytest.fixture
def cli(winter, database_url, monkeypatch, tmp_path):
    load_programme(winter, parse_programme_file(MINIMAL))  # test-fund: no return calendar
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_export_with_a_period_end_writes_that_return(cli, capsys):
    assert main(["export", SLUG, "--period-end", "2027-01-10", "--today", "2027-01-20", "--out", "r.xlsx"]) == 0
    said = capsys.readouterr().out
    assert "the fortnightly return for 28 Dec to 10 Jan 2027 (3 periods, a sheet each)" in said
    assert load_workbook(cli / "r.xlsx").sheetnames[0] == "to 2027-01-10"
    assert main(["export", SLUG, "--period-end", "2026-12-27", "--today", "2027-01-20", "--out", "r.csv"]) == 0
    assert "the fortnightly return for 14 Dec to 27 Dec 2026" in capsys.readouterr().out
    assert "2026-12-14,2026-12-27" in (cli / "r.csv").read_text(encoding="utf-8-sig")


def test_export_refuses_a_date_that_ends_no_period_naming_the_nearest(cli, capsys):
    assert main(["export", SLUG, "--period-end", "2027-01-08", "--today", "2027-01-20", "--out", "r.xlsx"]) == 2
    err = capsys.readouterr().err
    assert "Fri 08 Jan 2027 does not end a return period" in err
    assert "Sun 27 Dec 2026 (2026-12-27) and Sun 10 Jan 2027 (2027-01-10)" in err
    assert not (cli / "r.xlsx").exists()


def test_export_without_a_period_end_writes_the_position_as_at_today_and_names_the_latest_return(cli, capsys):
    assert main(["export", SLUG, "--today", "2027-01-20", "--out", "r.xlsx"]) == 0
    said = capsys.readouterr().out
    assert (
        "the spend return as at 20 Jan 2027 (for the fortnightly return to 10 Jan 2027, give --period-end 2027-01-10)"
        in said
    )
    book = load_workbook(cli / "r.xlsx")
    assert book.sheetnames == ["Spend return", "Summary"]
    total = next(row for row in book["Spend return"].iter_rows(values_only=True) if row[0] == "Total")
    assert money(total[5]) == D("9000.00") + D("1500.00")  # 11 Jan's hours and 6 Jan's beds


def test_export_with_a_period_end_for_a_programme_without_a_calendar_says_what_to_add(cli, capsys):
    assert main(["export", "test-fund", "--period-end", "2027-01-10", "--out", "r.csv"]) == 2
    assert "Test fund has no return calendar: add `fortnightly_return:`" in capsys.readouterr().err
    assert main(["export", "test-fund", "--today", "2027-01-20", "--out", "r.csv"]) == 0
    assert "(for the fortnightly return" not in capsys.readouterr().out
