"""The spend flags as pure rules (bot/spend/flags.py): a position and its period in, flags out,
no database. The worked examples through the ledger are in tests/test_spend.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from bot.spend.flags import SpendThresholds, spend_flags
from bot.spend.period import period_of
from bot.spend.position import Forecast, SchemeSpend, SpendPosition
from bot.spend.underspend import Spell, UnderspendState

START, DEADLINE = date(2026, 12, 1), date(2027, 3, 31)
WED_20_JAN = date(2027, 1, 20)
PERIOD = period_of([START], DEADLINE, WED_20_JAN)
MON_18_JAN = date(2027, 1, 18)
CLEAR = UnderspendState(None, ())
RAISED = UnderspendState(MON_18_JAN, (Spell(MON_18_JAN, None),))


def scheme(**changes: object) -> SchemeSpend:
    base = SchemeSpend(
        scheme_id=1,
        key="hours",
        name="Home care hours",
        scheme_type="home_care",
        funding_source="local_authority_grant",
        owner="Vale Home Care",
        budget=D("60000.00"),
        actual=D("30000.00"),
        committed=D("0"),
        activity=D("1000"),
        planned=D("2000"),
        unit="hours",
        last_reported=date(2027, 1, 19),
    )
    return replace(base, **changes)


def position(*schemes: SchemeSpend, outturn: str = "100000.00", allocated: str = "100000.00") -> SpendPosition:
    actual = sum((s.actual for s in schemes), D(0))
    committed = sum((s.committed for s in schemes), D(0))
    forecast = Forecast(
        working_days_elapsed=PERIOD.elapsed,
        working_days_left=PERIOD.left,
        run_rate_needed=D("500.00"),
        recent_run_rate=D("400.00"),
        period_run_rate=D("400.00"),
        outturn_recent=D(outturn),
        outturn_period=D(outturn),
        variance_recent=D(outturn) - D(allocated),
        variance_period=D(outturn) - D(allocated),
    )
    return SpendPosition(
        programme_slug="vale",
        programme_name="Vale winter fund",
        today=WED_20_JAN,
        deadline=DEADLINE,
        allocated_so_far=D(allocated),
        allocated_total=D(allocated),
        actual=actual,
        committed=committed,
        by_source=(),
        schemes=schemes,
        forecast=forecast,
        flags=(),
    )


def rules(flags) -> list[tuple[str, str]]:
    return [(f.rule, f.subject) for f in flags]


def test_a_position_on_track_raises_no_flag():
    assert spend_flags(position(scheme()), PERIOD, SpendThresholds(), CLEAR) == ()


def test_the_underspend_flag_shows_while_raised_whatever_today_s_forecast():
    below, back = position(scheme(), outturn="89000.00"), position(scheme(), outturn="90000.00")
    assert rules(spend_flags(below, PERIOD, SpendThresholds(), RAISED)) == [("underspend_risk", "vale")]
    assert spend_flags(below, PERIOD, SpendThresholds(), CLEAR) == ()
    [flag] = spend_flags(back, PERIOD, SpendThresholds(), RAISED)
    assert flag.raised_on == MON_18_JAN
    assert flag.message.startswith("Underspend risk (raised Mon 18 Jan): ")
    assert "90% of the £100,000 allocation, back at or above the 90% threshold" in flag.message
    assert flag.message.endswith("The flag clears after 3 working days in a row at or above it.")


def test_overcommitted_for_the_programme_and_for_a_scheme_over_its_budget():
    over_budget = scheme(actual=D("50000.00"), committed=D("10000.01"))
    flags = spend_flags(position(over_budget, allocated="60000.00"), PERIOD, SpendThresholds(), CLEAR)
    assert rules(flags) == [("overcommitted", "vale"), ("overcommitted", "hours")]
    assert "£0.01 over its budget of £60,000.00" in flags[1].message


def test_a_scheme_is_silent_after_the_threshold_in_working_days():
    quiet = scheme(last_reported=date(2027, 1, 14))  # Thu: Fri, Mon, Tue silent before Wed
    flags = spend_flags(position(quiet), PERIOD, SpendThresholds(), CLEAR)
    assert rules(flags) == [("silent_scheme", "hours")]
    assert "3 working days (last report Thu 14 Jan)" in flags[0].message
    assert spend_flags(position(quiet), PERIOD, SpendThresholds(silent_after_working_days=4), CLEAR) == ()


def test_a_scheme_that_never_reported_is_silent_from_the_start():
    flags = spend_flags(position(scheme(last_reported=None)), PERIOD, SpendThresholds(), CLEAR)
    assert rules(flags) == [("silent_scheme", "hours")] and "never reported" in flags[0].message


def test_activity_behind_plan_below_three_quarters_of_the_pro_rata_plan():
    share = D(PERIOD.elapsed) / D(PERIOD.total)
    at_plan = (D("2000") * share * D("0.75")).quantize(D("1")) + 1
    assert spend_flags(position(scheme(activity=at_plan)), PERIOD, SpendThresholds(), CLEAR) == ()
    behind = spend_flags(position(scheme(activity=at_plan - 2)), PERIOD, SpendThresholds(), CLEAR)
    assert rules(behind) == [("activity_behind_plan", "hours")]


def test_the_underspend_share_never_rounds_up_to_the_threshold_it_is_below():
    def said(outturn: str) -> str:
        [flag] = spend_flags(position(scheme(), outturn=outturn), PERIOD, SpendThresholds(), RAISED)
        return flag.message

    assert "£89,700, 89.7% of the £100,000 allocation, below the 90% threshold" in said("89700.00")
    assert "£89,960, 89.9% of the £100,000 allocation, below the 90% threshold" in said("89960.00")
    assert "£85,000, 85% of the £100,000 allocation" in said("85000.00")
    assert "£89,400, 89% of the £100,000 allocation" in said("89400.00")


def test_behind_plan_says_the_expected_figure_as_its_unit_is_counted():
    def expected(unit: str, planned: str) -> str:
        [flag] = spend_flags(
            position(scheme(unit=unit, planned=D(planned), activity=D(0))), PERIOD, SpendThresholds(), CLEAR
        )
        return flag.message.split(" to date against ", 1)[1].split(" expected by now", 1)[0]

    assert (PERIOD.elapsed, PERIOD.total) == (33, 82)  # 1 Dec to Tue 19 Jan; to Wed 31 Mar
    assert expected("people", "30") == "12"  # 30 x 33 / 82 = 12.07: people are counted whole
    assert expected("staff_wte", "0.4") == "0.2"  # 0.16 WTE, to one decimal
    assert expected("hours", "2000") == "804.9"  # 804.88 hours
