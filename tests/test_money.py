from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.common.money import AmountError, format_money, format_short, parse_amount


@pytest.mark.parametrize(
    "text, pounds",
    [
        ("£12,500", "12500.00"),
        ("12500.50", "12500.50"),
        ("12.5k", "12500.00"),
        ("£1.2m", "1200000.00"),
        (" £ 1,234,567.89 ", "1234567.89"),
        ("0", "0.00"),
        ("7K", "7000.00"),
        (1500, "1500.00"),
        (Decimal("0.10"), "0.10"),
    ],
)
def test_amounts_people_write(text, pounds):
    assert parse_amount(text) == Decimal(pounds)


@pytest.mark.parametrize(
    "text, hint",
    [
        ("twelve thousand", "not an amount"),
        ("-500", "negative"),
        ("£-500", "negative"),
        ("12.345", "fractions of a penny"),
        ("1.2.3", "not an amount"),
        ("", "not an amount"),
        (1.5, "exact"),
        (True, "number of pounds"),
    ],
)
def test_bad_amounts_say_what_to_write(text, hint):
    with pytest.raises(AmountError, match=hint):
        parse_amount(text)


def test_formatting_for_people():
    assert format_money(Decimal("1234567.89")) == "£1,234,568"
    assert format_money(Decimal("1234567.89"), pence=True) == "£1,234,567.89"
    assert format_money(Decimal(-1500)) == "-£1,500"
    assert format_short(Decimal(1200000)) == "£1.2m"
    assert format_short(Decimal(450000)) == "£450k"
    assert format_short(Decimal(900)) == "£900"


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_formatted_with_pence_reads_back_exactly(value):
    assert parse_amount(format_money(value, pence=True)) == value


@pytest.mark.parametrize("text", ["100000000000000000000000000", "£1,000,000,000,000", "1000000000000000m"])
def test_absurdly_large_amounts_are_refused_with_a_message(text):
    with pytest.raises(AmountError, match="too large"):
        parse_amount(text)


@pytest.mark.parametrize(
    "typed",
    [
        "943 476 5919",
        "9434765919",
        "£9434765919",
        "£943.476.5919",
        "943\u2009476\u20095919",
        "９４３４７６５９１９",
        "943,476,5919",
    ],
)
def test_an_nhs_number_is_never_read_as_an_amount_and_the_message_says_why(typed):
    with pytest.raises(AmountError) as refused:
        parse_amount(typed)
    assert str(refused.value) == "That looks like an NHS number. Enter an amount in pounds, not a patient's details"


def test_a_ten_digit_amount_failing_the_check_is_still_an_amount():
    assert parse_amount("£1234567890") == Decimal("1234567890.00")
