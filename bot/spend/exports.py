"""The spend position as a return, as CSV or XLSX (the fortnightly return's periods are
bot.spend.return_files', which writes its sheets with the pieces here).

One row per scheme (scheme, scheme type, funding source, planned spend, actual to date,
committed, planned and actual units, period end), then a total per funding source and an
overall total: in the CSV after each source's schemes, in the XLSX below the filtered scheme rows. Totals are values, not formulas, taken from the SpendPosition itself, so the
file says what `/winter spend` says to the penny. Money stays Decimal all the way into the
file: the CSV writes it as text, the XLSX as exact decimal numbers with a £ format.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.common.labels import scheme_type_label, source_label, unit_label
from bot.spend.position import PENNY, ZERO, SchemeSpend, SpendPosition

MONEY_FORMAT = '"£"#,##0.00;-"£"#,##0.00'
UNITS_FORMAT = "#,##0.00"
DATE_FORMAT = "dd/mm/yyyy"
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")

HEADERS = (
    "Scheme",
    "Owner",
    "Scheme type",
    "Funding source",
    "Planned spend (£)",
    "Actual spend to date (£)",
    "Committed (£)",
    "Planned units",
    "Actual units to date",
    "Unit",
    "Period end",
)
MONEY_COLUMNS = {5, 6, 7}  # 1-based, as openpyxl counts
UNITS_COLUMNS = {8, 9}
DATE_COLUMNS = {11}
SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class ReturnRow:
    """One line of the return. Total rows have no scheme type, owner or units: units of
    different schemes (hours, beds, staff) do not add up."""

    scheme: str
    owner: str
    scheme_type: str
    funding_source: str
    planned_spend: Decimal
    actual: Decimal
    committed: Decimal
    planned_units: Decimal | None
    actual_units: Decimal | None
    unit: str
    period_end: date
    is_total: bool = False

    def values(self) -> tuple[object, ...]:
        return (
            self.scheme,
            self.owner,
            self.scheme_type,
            self.funding_source,
            self.planned_spend,
            self.actual,
            self.committed,
            self.planned_units,
            self.actual_units,
            self.unit,
            self.period_end,
        )


def spend_return_rows(position: SpendPosition, period_end: date) -> list[ReturnRow]:
    """The return's rows: schemes grouped by funding source (in the position's source order),
    each group's total after it, then the overall total."""
    rows: list[ReturnRow] = []
    for source in position.by_source:
        schemes = [s for s in position.schemes if s.funding_source == source.funding_source]
        rows += [_scheme_row(s, period_end) for s in schemes]
        rows.append(
            _total_row(
                f"Total: {source_label(source.funding_source)}",
                source_label(source.funding_source),
                sum((s.budget for s in schemes), ZERO),
                source.actual,
                source.committed,
                period_end,
            )
        )
    listed = {source.funding_source for source in position.by_source}
    rows += [_scheme_row(s, period_end) for s in position.schemes if s.funding_source not in listed]
    rows.append(
        _total_row(
            "Total",
            "All sources",
            sum((s.budget for s in position.schemes), ZERO),
            position.actual,
            position.committed,
            period_end,
        )
    )
    return rows


def _scheme_row(s: SchemeSpend, period_end: date) -> ReturnRow:
    return ReturnRow(
        scheme=s.name,
        owner=s.owner,
        scheme_type=scheme_type_label(s.scheme_type),
        funding_source=source_label(s.funding_source),
        planned_spend=s.budget,
        actual=s.actual,
        committed=s.committed,
        planned_units=s.planned,
        actual_units=s.activity,
        unit=unit_label(s.unit),
        period_end=period_end,
    )


def _total_row(
    label: str, source: str, planned: Decimal, actual: Decimal, committed: Decimal, period_end: date
) -> ReturnRow:
    return ReturnRow(
        scheme=label,
        owner="",
        scheme_type="",
        funding_source=source,
        planned_spend=planned,
        actual=actual,
        committed=committed,
        planned_units=None,
        actual_units=None,
        unit="",
        period_end=period_end,
        is_total=True,
    )


# -- CSV -----------------------------------------------------------------------------------


def write_csv(rows: list[ReturnRow], path: Path | str) -> None:
    """Plain figures without £ or thousands separators, so any tool reads them; dates ISO.
    UTF-8 with a byte-order mark: without it Excel shows the £ in the headers as "Â£"."""
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow(csv_cell(value) for value in row.values())


def csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.quantize(PENNY):f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# -- XLSX ----------------------------------------------------------------------------------


def write_xlsx(rows: list[ReturnRow], path: Path | str, position: SpendPosition) -> None:
    """Two sheets: "Spend return" (the rows) and "Summary" (allocation by source, forecast, flags)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Spend return"
    _return_sheet(sheet, rows)
    summary_sheet(book.create_sheet("Summary"), position)
    book.save(path)


def _return_sheet(sheet: Worksheet, rows: list[ReturnRow]) -> None:
    return_rows(sheet, rows)
    fit_columns(sheet)


def return_rows(sheet: Worksheet, rows: list[ReturnRow]) -> None:
    """The header and the scheme rows under an auto-filter, then the totals below a blank row,
    out of the filter's reach, so sorting or filtering the schemes cannot scramble a total."""
    header_row(sheet, HEADERS)
    schemes = [row for row in rows if not row.is_total]
    for row in schemes:
        append_row(sheet, row)
    sheet.freeze_panes = "B2"  # the header and the scheme names stay in view
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{len(schemes) + 1}"
    sheet.append([])
    for row in rows:
        if row.is_total:
            append_row(sheet, row)


def header_row(sheet: Worksheet, headers: Sequence[str]) -> None:
    sheet.append(tuple(headers))
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def append_row(sheet: Worksheet, row: ReturnRow) -> None:
    """One line of the return, its money, units and date formatted; a total in bold."""
    sheet.append(row.values())
    for index, cell in enumerate(sheet[sheet.max_row], start=1):
        if index in MONEY_COLUMNS:
            cell.number_format = MONEY_FORMAT
        elif index in UNITS_COLUMNS:
            cell.number_format = UNITS_FORMAT
        elif index in DATE_COLUMNS:
            cell.number_format = DATE_FORMAT
        if row.is_total:
            cell.font, cell.fill = BOLD, TOTAL_FILL


def summary_sheet(sheet: Worksheet, position: SpendPosition) -> None:
    f = position.forecast
    sheet.append([f"{position.programme_name}: spend as at {position.today:%d %b %Y}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(["Deadline", position.deadline])
    sheet["B2"].number_format = DATE_FORMAT
    sheet.append([])
    money_table(
        sheet,
        (
            "Funding source",
            "Allocated so far (£)",
            "Allocation in total (£)",
            "Actual (£)",
            "Committed (£)",
            "Actual + committed (£)",
            "Allocation not yet spent (£)",
        ),
        [
            (
                source_label(s.funding_source),
                s.allocated_so_far,
                s.allocated_total,
                s.actual,
                s.committed,
                s.actual + s.committed,
                s.allocated_total - s.actual,
            )
            for s in position.by_source
        ]
        + [
            (
                "Total",
                position.allocated_so_far,
                position.allocated_total,
                position.actual,
                position.committed,
                position.commitment,
                position.allocated_total - position.actual,
            )
        ],
    )
    sheet.append([])
    money_table(
        sheet,
        ("Forecast", "Value"),
        [
            ("Working days done", f.working_days_elapsed),
            ("Working days left (today until its figures are in)", f.working_days_left),
            ("Run rate needed per working day (£)", f.run_rate_needed),
            ("Recent run rate per working day (£)", f.recent_run_rate),
            ("Whole-period run rate per working day (£)", f.period_run_rate),
            ("Outturn at the deadline, recent rate (£)", f.outturn_recent),
            ("Outturn at the deadline, whole-period rate (£)", f.outturn_period),
            ("Over (+) or under (-) spend, recent rate (£)", f.variance_recent),
            ("Over (+) or under (-) spend, whole-period rate (£)", f.variance_period),
            ("Outturn on a committed basis: spent and committed (£)", f.outturn_committed),
            ("Over (+) or under (-) spend, committed basis (£)", f.variance_committed),
        ],
    )
    sheet.append([])
    sheet.append(["Flags"])
    sheet.cell(sheet.max_row, 1).font = BOLD
    for flag in position.flags or ():
        sheet.append([flag.message])
    if not position.flags:
        sheet.append(["None"])
    fit_columns(sheet, skip_rows={1} | {row for row in range(1, sheet.max_row + 1) if _is_flag_row(sheet, row)})


def _is_flag_row(sheet: Worksheet, row: int) -> bool:
    """Flag sentences are long: let them run across the empty cells instead of widening A."""
    value = sheet.cell(row, 1).value
    return isinstance(value, str) and sheet.cell(row, 2).value is None and len(value) > 40


def money_table(sheet: Worksheet, headers: tuple[str, ...], rows: Sequence[tuple[object, ...]]) -> None:
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = BOLD, HEADER_FILL
    for values in rows:
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = MONEY_FORMAT
        if values[0] == "Total":
            for cell in sheet[sheet.max_row]:
                cell.font, cell.fill = BOLD, TOTAL_FILL


def fit_columns(sheet: Worksheet, skip_rows: AbstractSet[int] = frozenset()) -> None:
    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None or cell.row in skip_rows:
                continue
            widths[cell.column] = max(widths.get(cell.column, 0), _display_width(cell.value))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 10), 50)


def _display_width(value: object) -> int:
    if isinstance(value, Decimal):
        return len(f"£{value:,.2f}")
    if isinstance(value, date):
        return 10
    return len(str(value))


# -- by extension --------------------------------------------------------------------------


def export(position: SpendPosition, path: Path | str, period_end: date | None = None) -> Path:
    """Write the return to `path`, as CSV or XLSX by its extension. The period ends on the
    position's date unless told otherwise."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"cannot write the spend return as {target.name!r}: give a file ending .csv or .xlsx")
    rows = spend_return_rows(position, period_end or position.today)
    if suffix == ".csv":
        write_csv(rows, target)
    else:
        write_xlsx(rows, target, position)
    return target
