"""The programme file: money, exact to the penny."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from programme_file_support import edited, only_problem

from bot.common.money import format_money
from bot.programme.file import (
    parse_money,
    parse_programme_file,
)

# Money, exact to the penny ----------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ['"£1,234,567.89"', "1234567.89", '"1234567.89"', "£1,234,567.89", "1_234_567.89", '" £ 1,234,567.89 "'],
)
def test_money_is_exact_to_the_penny(written):
    text = edited("      amount: 100000", f"      amount: {written}")
    assert parse_programme_file(text).programme.tranches[0].amount == Decimal("1234567.89")


def test_an_unquoted_decimal_never_passes_through_float():
    # 0.1 + 0.2 style: as a float 1200000.10 would not survive sums exactly.
    text = edited("      amount: 100000", "      amount: 1200000.10")
    amount = parse_programme_file(text).programme.tranches[0].amount
    assert isinstance(amount, Decimal) and amount == Decimal("1200000.10")


@pytest.mark.parametrize("written", ["1234567.891", '"£1,234,567.891"', "0.001"])
def test_more_than_two_decimal_places_are_refused(written):
    problem = only_problem(edited("      amount: 100000", f"      amount: {written}"))
    assert problem.location == "programme.tranches[0].amount"
    assert "penny" in problem.message


@pytest.mark.parametrize("written", ["1e6", ".inf", ".nan", "[1]", "true", "2026-12-01"])
def test_things_that_are_not_money_are_refused(written):
    problem = only_problem(edited("      amount: 100000", f"      amount: {written}"))
    assert problem.location == "programme.tranches[0].amount"


pennies = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2)


@given(pennies)
def test_money_written_any_way_reads_back_exactly(amount):
    for written in (f"{amount}", f'"{amount}"', f'"{format_money(amount, pence=True)}"'):
        text = edited("      amount: 100000", f"      amount: {written}")
        text = edited(
            "    source: local_authority_grant\n    budget: 90000", "    source: icb_allocation\n    budget: 0", text
        )
        assert parse_programme_file(text).programme.tranches[0].amount == amount


@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("999999999.99"), places=2))
def test_parse_money_round_trips_format_money(amount):
    assert parse_money(format_money(amount, pence=True)) == amount
    assert parse_money(str(amount)) == amount
