"""The fortnightly return as files: an XLSX with a sheet per period and a summary, or a CSV of
the period asked for.

Each period's sheet has the scheme rows under the header, with the auto-filter over them alone;
the totals (per funding source, then overall) sit below a blank row, and the activity lines
(discharges by pathway, packages of care booked) below another, so sorting or filtering the
schemes cannot scramble a total. Figures are the period's SpendPosition's, as values, so each
sheet says what `/winter spend` said on the period's last day, to the penny; money cells are
exact decimal numbers with a £ format.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from bot.common.labels import source_label
from bot.common.measures import stored_value
from bot.programme.return_spec import RETURN_LINES
from bot.spend.exports import (
    BOLD,
    DATE_FORMAT,
    HEADERS,
    MONEY_FORMAT,
    SUFFIXES,
    TOTAL_FILL,
    csv_cell,
    fit_columns,
    header_row,
    money_table,
    return_rows,
    spend_return_rows,
    summary_sheet,
)
from bot.spend.position import PENNY, SpendPosition
from bot.spend.return_periods import FortnightlyReturn, ReturnPeriod

COUNT_FORMAT = "#,##0"
ACTIVITY_UNITS = {"packages_booked": "packages"}  # every other line counts people discharged
NOT_FED = "no check-in measure feeds this line (programme file: fortnightly_return.lines)"


# -- XLSX ----------------------------------------------------------------------------------


def write_return_xlsx(ret: FortnightlyReturn, path: Path | str) -> None:
    """A sheet per period, newest first ("to 2027-01-10"), then "Summary": the position at the
    period end asked for, and every period's figures side by side."""
    book = Workbook()
    first = book.active
    for period in reversed(ret.periods):
        period_sheet(book.create_sheet(period.sheet_name), ret, period)
    book.remove(first)
    sheet = book.create_sheet("Summary")
    summary_sheet(sheet, ret.latest.position)
    sheet.append([])
    _periods_table(sheet, ret)
    book.active = 0
    book.save(path)


def period_sheet(sheet: Worksheet, ret: FortnightlyReturn, period: ReturnPeriod) -> None:
    return_rows(sheet, spend_return_rows(period.position, period.end))
    sheet.append([])
    _activity_block(sheet, ret, period)
    fit_columns(sheet)


def _activity_block(sheet: Worksheet, ret: FortnightlyReturn, period: ReturnPeriod) -> None:
    header_row(sheet, (f"Activity, {period.start:%d %b %Y} to {period.end:%d %b %Y}", "Count", "From"))
    for line, label in RETURN_LINES.items():
        value = period.activity.get(line)
        fed = ret.calendar.lines.get(line) or ()
        sheet.append([label, value, ", ".join(f"{s}.{k}" for s, k in fed) if fed else NOT_FED])
        sheet.cell(sheet.max_row, 2).number_format = COUNT_FORMAT


def _periods_table(sheet: Worksheet, ret: FortnightlyReturn) -> None:
    """Every period up to the one asked for, oldest first: spend to date by source, and activity."""
    sources = [s.funding_source for s in ret.latest.position.by_source]
    headers = (
        "Period from",
        "Period to",
        *(f"Spend to date: {source_label(s)} (£)" for s in sources),
        "Spend to date: total (£)",
        *RETURN_LINES.values(),
    )
    sheet.append(["Every period"])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
    money_table(sheet, headers, [])
    for period in ret.periods:
        actual = {s.funding_source: s.actual for s in period.position.by_source}
        sheet.append(
            [
                period.start,
                period.end,
                *(actual.get(s, Decimal(0)) for s in sources),
                period.position.actual,
                *(period.activity.get(line) for line in RETURN_LINES),
            ]
        )
        for index, cell in enumerate(sheet[sheet.max_row], start=1):
            if index <= 2:
                cell.number_format = DATE_FORMAT
            elif index <= 3 + len(sources):
                cell.number_format = MONEY_FORMAT
            else:
                cell.number_format = COUNT_FORMAT
        if period is ret.latest:
            for cell in sheet[sheet.max_row]:
                cell.font, cell.fill = BOLD, TOTAL_FILL


# -- CSV -----------------------------------------------------------------------------------

CSV_HEADERS = (
    "Section",
    *HEADERS[:-1],
    "Value",
    "Period start",
    "Period end",
)


def write_return_csv(ret: FortnightlyReturn, path: Path | str) -> None:
    """The period asked for, as one table a spreadsheet or a script reads: its scheme rows, the
    totals per funding source and overall, the activity lines and the summary, each row named by
    its Section (scheme, total, activity, summary, flag). Money to the penny without £ or
    separators; counts as given; dates ISO; UTF-8 with a byte-order mark, for Excel's £."""
    period = ret.latest
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADERS)
        for row in spend_return_rows(period.position, period.end):
            values = row.values()[:-1]
            section = "total" if row.is_total else "scheme"
            writer.writerow([section, *(csv_cell(v) for v in values), "", *_dates(period)])
        blank = [""] * (len(HEADERS) - 2)
        for line, label in RETURN_LINES.items():
            given = period.activity.get(line)
            count = stored_value(given) if given is not None else ""
            unit = ACTIVITY_UNITS.get(line, "people")
            writer.writerow(["activity", label, *blank[:-1], unit, count, *_dates(period)])
        for section, label, source, value in summary_lines(period.position):
            cells = [""] * (len(HEADERS) - 1)
            cells[0], cells[3] = label, source
            writer.writerow([section, *cells, _value(value), *_dates(period)])


def _dates(period: ReturnPeriod) -> tuple[str, str]:
    return period.start.isoformat(), period.end.isoformat()


def _value(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value.quantize(PENNY):f}"
    return "" if value is None else str(value)


def summary_lines(position: SpendPosition) -> list[tuple[str, str, str, object]]:
    """(section, line, funding source, value): the allocation by source, the forecast at the
    period end, and the flags raised that day."""
    lines: list[tuple[str, str, str, object]] = []
    for s in position.by_source:
        label = source_label(s.funding_source)
        lines += [
            ("summary", "Allocated so far (£)", label, s.allocated_so_far),
            ("summary", "Allocation in total (£)", label, s.allocated_total),
            ("summary", "Allocation not yet spent (£)", label, s.allocated_total - s.actual),
        ]
    lines += [
        ("summary", "Allocated so far (£)", "All sources", position.allocated_so_far),
        ("summary", "Allocation in total (£)", "All sources", position.allocated_total),
        ("summary", "Allocation not yet spent (£)", "All sources", position.allocated_total - position.actual),
        ("summary", "Spend deadline", "", position.deadline.isoformat()),
    ]
    f = position.forecast
    lines += [
        ("summary", "Working days left (the period end until its figures are in)", "", f.working_days_left),
        ("summary", "Run rate needed per working day (£)", "", f.run_rate_needed),
        ("summary", "Recent run rate per working day (£)", "", f.recent_run_rate),
        ("summary", "Outturn at the deadline, recent rate (£)", "", f.outturn_recent),
        ("summary", "Over (+) or under (-) spend, recent rate (£)", "", f.variance_recent),
        ("summary", "Outturn on a committed basis: spent and committed (£)", "", f.outturn_committed),
        ("summary", "Over (+) or under (-) spend, committed basis (£)", "", f.variance_committed),
    ]
    lines += [("flag", flag.message, "", "") for flag in position.flags or ()]
    return lines


# -- by extension --------------------------------------------------------------------------


def export_return(ret: FortnightlyReturn, path: Path | str) -> Path:
    """Write the return to `path`, as CSV (the period asked for) or XLSX (every period) by its extension."""
    target = Path(path)
    if target.suffix.lower() not in SUFFIXES:
        raise ValueError(f"cannot write the return as {target.name!r}: give a file ending .csv or .xlsx")
    if target.suffix.lower() == ".csv":
        write_return_csv(ret, target)
    else:
        write_return_xlsx(ret, target)
    return target
