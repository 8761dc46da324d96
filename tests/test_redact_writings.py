"""Every way of writing an NHS number is redacted; phone numbers, dates, amounts, longer numbers
and invalid check digits are left alone. Property-based: hypothesis writes the numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.common.money import format_money
from bot.common.redact import REPLACEMENT, contains_nhs_number, nhs_number_valid, redact
from bot.common.text import clean_text

VALID = "9434765919"
SPACES = " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
OTHERS = "./\\_()\t\n\r\u2028"
SEPARATORS = SPACES + DASHES + OTHERS
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
PROSE = st.text(alphabet="abcdefghijklmnopqrstuvwxyzNHS ,.:;!?'\"()-/", max_size=25)


def check_digit(nine: str) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=False)) % 11
    check = (11 - remainder) % 11
    return None if check == 10 else check


@st.composite
def valid_numbers(draw) -> str:
    nine = draw(st.text(alphabet="0123456789", min_size=9, max_size=9).filter(lambda n: check_digit(n) is not None))
    return nine + str(check_digit(nine))


@st.composite
def invalid_numbers(draw) -> str:
    nine = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    wrong = [d for d in "0123456789" if str(check_digit(nine)) != d]
    return nine + draw(st.sampled_from(wrong))


gaps = st.lists(st.sampled_from(SEPARATORS + INVISIBLE), max_size=3).map("".join)
groupings = st.sampled_from([(10,), (3, 3, 4), (5, 5), (4, 3, 3), (1,) * 10, (2,) * 5, (3, 4, 3), (2, 4, 4)])


@st.composite
def written(draw, numbers) -> str:
    """A number as someone might type or paste it: any grouping and any separators, or one
    separator between the usual groups; ASCII or full-width digits."""
    number = draw(numbers)
    if draw(st.booleans()):
        text = number[0] + "".join(draw(gaps) + digit for digit in number[1:])
    else:
        groups, sep, at = draw(groupings), draw(st.sampled_from(SEPARATORS)), 0
        parts = []
        for size in groups:
            parts.append(number[at : at + size])
            at += size
        text = sep.join(parts)
    return text.translate(FULL_WIDTH) if draw(st.booleans()) else text


def pounds_and_pence(writing: str) -> bool:
    """ "94347659.19": one decimal point just before the last two digits reads as money, left alone."""
    visible = "".join(c for c in writing if c not in INVISIBLE)
    at = [i for i, c in enumerate(visible) if c.isdecimal()]
    return visible[at[-3] + 1 : at[-2]] == "." and at[-1] == at[-2] + 1 and "." not in visible[: at[-3]]


def no_digits(text: str) -> bool:
    return not any(c.isdecimal() for c in text)


@settings(max_examples=300)
@given(
    written(valid_numbers()).filter(lambda n: not pounds_and_pence(n)),
    PROSE,
    PROSE,
    st.sampled_from(["", " ", "£", "\n", "NHS:", "("]),
)
def test_a_valid_number_is_redacted_however_it_is_written_wherever_it_stands(number, before, after, lead):
    result = redact(f"{before}{lead}{number}{after}")
    assert result.count == 1
    assert REPLACEMENT in result.text
    assert no_digits(result.text)  # no digit of it survives anywhere
    assert contains_nhs_number(number)


@settings(max_examples=200)
@given(written(invalid_numbers()), PROSE, PROSE)
def test_a_number_failing_the_check_is_left_alone_however_written(number, before, after):
    text = f"{before} {number} {after}"
    assert redact(text).count == 0
    assert redact(text).text == clean_text(text)


@st.composite
def uk_phone_numbers(draw) -> str:
    rest = draw(st.text(alphabet="0123456789", min_size=10, max_size=10))
    sep = draw(st.sampled_from([" ", "-", "\u00a0", ""]))
    national = draw(st.sampled_from([(5, 6), (4, 3, 4), (5, 3, 3), (3, 4, 4), (4, 7)]))
    international = draw(st.sampled_from([(4, 6), (2, 4, 4), (3, 3, 4), (4, 3, 3), (10,)]))
    if draw(st.booleans()):
        return sep.join(_split("0" + rest, national))
    prefix = draw(st.sampled_from(["+44 ", "+44", "+44 (0)", "+44 (0) "]))
    return prefix + sep.join(_split(rest, international))


def _split(digits: str, sizes: tuple[int, ...]) -> list[str]:
    out, at = [], 0
    for size in sizes:
        out.append(digits[at : at + size])
        at += size
    return out


@given(uk_phone_numbers(), PROSE)
def test_uk_phone_numbers_written_as_phone_numbers_are_left_alone(phone, words):
    text = f"{words} call {phone} {words}"
    assert redact(text).count == 0 and redact(text).text == text


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(["%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d %B %Y", "%d/%m/%y", "%Y%m%d"]),
)
def test_dates_are_left_alone(day, form):
    text = f"discharged {day:{form}} to {day:{form}}, seen {day:{form}}-{day:{form}}"
    assert redact(text).count == 0 and redact(text).text == text


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_amounts_written_as_money_are_left_alone(value):
    text = f"spent {format_money(value, pence=True)} of {format_money(value)} ({value:,} in total)"
    assert redact(text).count == 0 and redact(text).text == text


@st.composite
def longer_numbers(draw) -> str:
    """A number of 11 to 20 digits written as one: solid, in threes from the right, in fours."""
    digits = draw(st.text(alphabet="0123456789", min_size=11, max_size=20))
    sep = draw(st.sampled_from([" ", "-", ".", "\u00a0", "\u2009"]))
    way = draw(st.sampled_from(["solid", "threes", "fours"]))
    if way == "solid":
        return digits
    size = 3 if way == "threes" else 4
    head = len(digits) % size
    groups = ([digits[:head]] if head else []) + [digits[i : i + size] for i in range(head, len(digits), size)]
    return sep.join(groups)


@given(longer_numbers(), PROSE)
def test_longer_numbers_are_not_cut_into_an_nhs_number(number, words):
    text = f"{words} ref {number} {words}"
    assert redact(text).count == 0 and redact(text).text == text


@pytest.mark.parametrize(
    "writing",
    [
        "943.476.5919",
        "943\u00a0476\u00a05919",  # non-breaking space, as email gives
        "943\u2009476\u20095919",  # thin space
        "943\u202f476\u202f5919",  # narrow no-break space
        "943\u3000476\u30005919",  # ideographic space
        "943\t476\t5919",
        "943\n476\n5919",
        "943\r\n476 5919",
        "943  476  5919",
        "943\u2013476\u20135919",  # en dash
        "943\u2014476\u20145919",  # em dash
        "943\u2010476\u20115919",  # hyphen, non-breaking hyphen
        "943\u2212476\u22125919",  # minus sign
        "943/476/5919",
        "943_476_5919",
        "943\u200b476\u200b5919",  # zero-width space
        "943\u200d476\u20605919",  # zero-width joiner, word joiner
        "\ufeff9434765919",
        "94347 65919",
        "9434 765 919",
        "9 4 3 4 7 6 5 9 1 9",
        "(943) 476 5919",
        "943 - 476 - 5919",
        "£9434765919",
        "９４３４７６５９１９",  # full-width digits
        "NHS:9434765919.",
        "NHSno9434765919x",
    ],
)
def test_each_writing_the_attack_found_is_redacted(writing):
    result = redact(f"Patient {writing} waiting")
    assert result.count == 1 and no_digits(result.text), result.text


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("bed 4 943 476 5919", 1),  # a bed number just before must not shield it
        ("9434765919 4010232137", 2),  # a pasted list
        ("943 476 5919\n401 023 2137\n", 2),
        ("0 943 476 5919", 1),  # not a phone number: a 0 on its own
    ],
)
def test_numbers_beside_other_digits_are_still_found(text, count):
    result = redact(text)
    assert result.count == count, result.text
    assert not any(part in result.text for part in ("943", "5919", "2137")), result.text


@pytest.mark.parametrize(
    "text",
    [
        "01632 960 001",
        "01632 960001",
        "+44 1632 960001",
        "+44 7700 900123",
        "07700 900123",
        "+44 121 496 0000",
        "12/01/2027",
        "2027-01-12",
        "£1,234,567.89",
        "£12,345",
        "94347659190",
        "19434765919",
        "123 456 7890",
        "943 476 5910",
        "12.5k",
        "£1.2m",
        "33976738.44",
        "£33 976 738.44",
    ],
)
def test_the_things_that_are_not_nhs_numbers_stay(text):
    assert redact(f"see {text} today").text == f"see {text} today"


def test_some_of_those_phone_numbers_would_pass_the_check_so_the_phone_rule_matters():
    assert nhs_number_valid("1632960001")  # the last ten digits of 01632 960001
    assert redact("01632960001").count == 0 and redact("+441632960001").count == 0
    assert redact("1632960001").count == 1


@pytest.mark.parametrize(
    "hostile",
    [
        "9 " * 50_000,
        "9" * 100_000,
        "943 476 5919 " * 7_700,
        "9\u200b" * 50_000,
        "(9)-" * 25_000,
        "".join("0123456789 .-/()\u00a0\u200b"[(i * 7919) % 17] for i in range(100_000)),
    ],
)
def test_a_hundred_kilobytes_of_digits_and_separators_is_read_in_one_pass(hostile):
    """No backtracking: were this quadratic or exponential, the test would not finish."""
    result = redact(hostile)
    assert not contains_nhs_number(result.text)
    assert result.count == hostile.count("943 476 5919")


def test_an_amount_beside_a_number_does_not_shield_it():
    assert redact("9434765919 12.50").text == f"{REPLACEMENT} 12.50"
