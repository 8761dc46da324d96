import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.common.redact import REPLACEMENT, nhs_number_valid, redact


def test_the_check_digit():
    assert nhs_number_valid("9434765919")
    assert not nhs_number_valid("1234567890")
    assert not nhs_number_valid("943476591")
    assert not nhs_number_valid("94347659x9")


def test_a_remainder_of_one_means_the_number_is_invalid():
    # 11 - 1 = 10: no valid check digit exists for these nine digits.
    nine = "100000001"
    assert sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=False)) % 11 == 1
    assert not any(nhs_number_valid(nine + str(d)) for d in range(10))


@pytest.mark.parametrize("written", ["943 476 5919", "943-476-5919", "9434765919", "943 4765919"])
def test_valid_numbers_are_redacted_however_written(written):
    result = redact(f"Mr X ({written}) is waiting for a package")
    assert result.count == 1
    assert "5919" not in result.text
    assert REPLACEMENT in result.text


@pytest.mark.parametrize(
    "text",
    [
        "call 123 456 7890 for the rota",  # fails the check
        "spent £1,234,567.89 so far",  # money written as money
        "and £12,345 committed",
        "94347659190 is eleven digits",
        "ref 19434765919",
        "we are at OPEL 3, 12 waiting",
    ],
)
def test_other_numbers_are_left_alone(text):
    assert redact(text) == redact(text)
    assert redact(text).count == 0
    assert redact(text).text == text


def test_several_and_none():
    assert redact("943 476 5919 and 401 023 2137").count == 2
    assert redact("NHS no.9434765919,4010232137.").count == 2
    assert redact(None).text == "" and redact("").count == 0


nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)
separators = st.sampled_from(["", " ", "-"])
prose = st.text(alphabet="abcdefghij ,.:()", max_size=20)


@given(nine_digits, separators, prose, prose)
def test_every_valid_number_is_caught_in_any_sentence(nine, sep, before, after):
    candidates = [nine + str(d) for d in range(10) if nhs_number_valid(nine + str(d))]
    for number in candidates:
        written = f"{number[:3]}{sep}{number[3:6]}{sep}{number[6:]}"
        result = redact(f"{before} {written} {after}")
        assert result.count == 1
        assert written not in result.text
