"""The brief's words, pure (no database): what changed about a risk, the one line of schemes
behind plan, the money at risk, partner voice quoted once, and the whole brief fitted to be read
in a minute."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from bot.reports.brief import Brief, CapacityChange, CheckinsDay, MoneyChange, RiskChange, SectorCount
from bot.reports.brief_words import (
    BRIEF_CHARS,
    behind_plan_sentence,
    brief_markdown,
    money_at_risk,
    risk_sentence,
    short_name,
    silent_sentence,
    slash_command,
    underspend_sentence,
)
from bot.reports.quotes import first_quotes, quotes
from bot.reports.risk_moves import Event, moves
from bot.reports.voice import Voice
from bot.spend.behind_plan import Shortfall, shortfalls
from bot.spend.position import Flag, Forecast, SchemeSpend, SpendPosition
from models.vocabulary import Severity

TUE, WED, THU = date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 10)
HELEN = "Helen Price (NHS Vale ICB)"
ZERO = Decimal(0)


# -- what changed about a risk ---------------------------------------------------------------------


def said(*events: Event, owner: str | None = "Brightside Home Care", level: tuple[int, int] | None = None):
    return moves(events, owner, level).said


def test_the_scans_daily_rewording_is_not_a_change():
    m = moves([Event("updated", "title changed; detail changed"), Event("updated", "detail changed")], None)
    assert not m.worth_saying and m.said == () and m.severity is None


def test_a_severity_change_is_said_by_its_net_change_over_the_window():
    assert said(Event("updated", "severity low → medium; detail changed")) == ("severity low → medium",)
    assert said(
        Event("updated", "severity low → medium"), Event("updated", "title changed; severity medium → high")
    ) == ("severity low → high",)
    assert said(Event("updated", "severity low → medium"), Event("updated", "severity medium → low")) == ()


def test_a_capacity_risk_says_the_level_that_moved_it():
    assert said(Event("updated", "severity high → critical; title changed"), level=(3, 4)) == ("level 3 → 4",)
    # a level that went the other way is not what moved the severity
    assert said(Event("updated", "severity high → critical"), level=(4, 3)) == ("severity high → critical",)
    new = moves([Event("raised", "Severity high")], "Vale North PCN", (2, 3))
    assert new.new and new.said == ("level 2 → 3",)


def test_the_leads_actions_say_who_in_order_after_the_severity():
    events = (
        Event("acknowledged", None, HELEN),
        Event("updated", "severity medium → high"),
        Event("assigned", "owner nobody → Brightside Home Care", HELEN),
        Event("closed", "Agency staff found", "Tom Hartley (Vale Council)"),
        Event("acknowledged", None, HELEN),
    )
    assert said(*events) == (
        "severity medium → high",
        f"acknowledged by {HELEN}",
        "assigned to Brightside Home Care",
        "closed by Tom Hartley (Vale Council)",
    )
    assert said(Event("reopened")) == ("reopened",)  # by a member since forgotten


def test_newly_critical_is_raised_critical_or_moved_to_critical():
    assert moves([Event("raised")], None).became(Severity.CRITICAL)
    assert moves([Event("updated", "severity high → critical")], None).became(Severity.CRITICAL)
    assert not moves([Event("acknowledged", None, HELEN)], None).became(Severity.CRITICAL)


def risk(
    title: str, severity: str = "critical", *, new: bool = False, said: tuple[str, ...] = (), **more
) -> RiskChange:
    fields = {"status": "open", "owner": "Brightside Home Care", "actions": (), "critical_now": False} | more
    return RiskChange(risk_id=1, title=title, severity=severity, new=new, said=said, **fields)


def test_a_risk_line_says_what_changed_never_only_updated():
    line = risk_sentence(risk("Brightside Home Care: home care at level 4", said=("level 3 → 4",)))
    assert line == "Brightside Home Care: home care at level 4 (critical): level 3 → 4"
    ack = risk_sentence(risk("Discharges outpacing community capacity", "high", said=(f"acknowledged by {HELEN}",)))
    assert ack == f"Discharges outpacing community capacity (high): acknowledged by {HELEN}"
    assert (
        risk_sentence(risk("Underspend risk", "high", new=True, owner=None)) == "Underspend risk (high, no owner yet)"
    )
    # the owner is not said twice
    assert risk_sentence(risk("Brightside Home Care: home care at level 3", "high", new=True)) == (
        "Brightside Home Care: home care at level 3 (high)"
    )


# -- schemes behind plan and silent schemes ------------------------------------------------------------


def scheme(key: str, name: str, activity: str, planned: str, unit: str = "people", last: date | None = WED):
    return SchemeSpend(
        scheme_id=0,
        key=key,
        name=name,
        scheme_type="other",
        funding_source="local_authority_grant",
        owner="Vale Council",
        budget=Decimal(100_000),
        actual=ZERO,
        committed=ZERO,
        activity=Decimal(activity),
        planned=Decimal(planned),
        unit=unit,
        last_reported=last,
    )


def position(schemes: list[SchemeSpend], flags: list[Flag], done: int = 10, left: int = 90) -> SpendPosition:
    forecast = Forecast(done, left, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO)
    return SpendPosition(
        "vale",
        "Vale",
        THU,
        date(2027, 3, 31),
        ZERO,
        Decimal(3_700_000),
        ZERO,
        ZERO,
        (),
        tuple(schemes),
        forecast,
        tuple(flags),
    )


def behind(key: str) -> Flag:
    return Flag("activity_behind_plan", key, f"{key} is behind plan: …")


def test_the_worst_behind_plan_are_furthest_below_expected_as_a_share():
    # 100 working days, 10 done: 10% of the plan is expected by now
    schemes = [
        scheme("beds", "Step-down beds", "2.8", "100", "bed_weeks"),  # 28% of 10 expected
        scheme("carers", "Support for unpaid carers", "60", "1000"),  # 60% of 100
        scheme("staff", "Recruitment payments", "1.2", "40", "staff_wte"),  # 30% of 4
        scheme("hours", "Home care hours", "5000", "15000", "hours"),  # on plan: not flagged
        scheme("settle", "Take home and settle", "47.53", "900"),  # 53% of 90
    ]
    found = shortfalls(position(schemes, [behind("beds"), behind("carers"), behind("staff"), behind("settle")]))
    assert [(s.key, s.share) for s in found] == [
        ("beds", "28%"),
        ("staff", "30%"),
        ("settle", "53%"),
        ("carers", "60%"),
    ]
    line = behind_plan_sentence(found, slash_command)
    assert line == (
        "Behind plan: 4 schemes, worst Step-down beds (28% of expected), Recruitment payments (30%) and "
        "Take home and settle (53%); 1 more: `/winter spend` shows them all."
    )


def test_one_scheme_behind_plan_says_its_figures_as_its_unit_is_counted():
    found = shortfalls(position([scheme("settle", "Take home and settle", "47.53", "900")], [behind("settle")]))
    assert behind_plan_sentence(found, slash_command) == (
        "Behind plan: Take home and settle, 48 people supported to date against 90 expected by now (53%)."
    )
    staff = Shortfall("staff", "Programme manager", Decimal("0.16"), Decimal("0.375"), "staff_wte")
    assert "0.2 staff (WTE) to date against 0.4 expected" in behind_plan_sentence([staff], slash_command)


def test_a_share_just_below_the_threshold_never_reads_as_it():
    near = Shortfall("x", "X", Decimal("74.6"), Decimal(100), "people")
    assert near.share == "74.6%"


def test_nothing_behind_plan_before_any_working_day_is_done():
    assert shortfalls(position([scheme("beds", "Beds", "0", "100")], [behind("beds")], done=0)) == ()
    assert behind_plan_sentence((), slash_command) is None


def test_long_names_are_shortened_at_a_word_never_on_a_small_word():
    assert short_name("Step-down beds at Orchard Lodge") == "Step-down beds at Orchard Lodge"
    assert short_name("Programme management and the fortnightly return") == "Programme management…"
    assert short_name("Recruitment and retention payments for care workers") == "Recruitment and retention payments…"


# -- money at risk ----------------------------------------------------------------------------------------


def money(flags: tuple[Flag, ...] = (), silent: tuple[SchemeSpend, ...] = (), **more) -> MoneyChange:
    figures = {
        "allocated_so_far": Decimal(3_100_000),
        "allocated_total": Decimal(3_700_000),
        "actual": Decimal(500_000),
        "committed": Decimal(300_000),
        "outturn_recent": Decimal(1_702_000),
        "variance_recent": Decimal(-1_998_000),
        "run_rate_needed": Decimal(58_000),
        "recent_run_rate": Decimal(21_000),
        "working_days_left": 55,
        "deadline": date(2027, 3, 31),
        "flags": flags,
        "day": WED,
        "before": TUE,
        "actual_before": Decimal(480_000),
        "committed_before": Decimal(300_000),
        "silent": silent,
    }
    return MoneyChange(**(figures | more))


UNDERSPEND = Flag("underspend_risk", "vale", "Underspend risk (raised Tue 08 Dec): at the recent run rate …", TUE)


def test_the_underspend_flag_in_full_on_the_first_brief_then_one_short_line():
    assert underspend_sentence(UNDERSPEND, money(), day=date(2026, 12, 7)) == UNDERSPEND.message
    short = underspend_sentence(UNDERSPEND, money(), day=WED)
    assert short == "Underspend risk (raised Tue 08 Dec): forecast £1.7m, 46% of £3.7m."
    back = underspend_sentence(UNDERSPEND, money(outturn_recent=Decimal(3_400_000)), day=WED)
    assert back == "Underspend risk (raised Tue 08 Dec): forecast £3.4m, 92% of £3.7m, back at or above 90%."
    unknown = Flag("underspend_risk", "vale", "Underspend risk: …")
    assert underspend_sentence(unknown, money(), day=WED).startswith("Underspend risk: forecast £1.7m")


def test_money_over_budget_is_a_sentence_for_the_programme_and_one_line_for_many_schemes():
    programme = Flag("overcommitted", "vale", "Overcommitted: spent and committed £3,800,000.00 is £100,000.00 more …")
    over = [replace(scheme(f"s{i}", f"Scheme {i}", "0", "1"), actual=Decimal(100_500 + 500 * i)) for i in range(4)]
    flags = (UNDERSPEND, programme, *(Flag("overcommitted", s.key, f"{s.name} is overcommitted: …") for s in over))
    said = money_at_risk(money(flags=flags, overcommitted=tuple(over)), WED, slash_command)
    assert said == [
        "Underspend risk (raised Tue 08 Dec): forecast £1.7m, 46% of £3.7m.",
        programme.message,
        (
            "Over budget: 4 schemes, Scheme 0 (£500 over), Scheme 1 (£1,000 over) and Scheme 2 (£1,500 over); "
            "1 more: `/winter spend` shows them all."
        ),
    ]
    one = money_at_risk(money(flags=flags[2:3], overcommitted=tuple(over[:1])), WED, slash_command)
    assert one == ["Scheme 0 is overcommitted: …"]


def test_silent_schemes_in_one_line():
    one = scheme("housing", "Housing adaptations and short-term accommodation for people", "0", "60", last=None)
    assert silent_sentence(money(silent=(one,)), slash_command) == (
        "Not reporting: Housing adaptations and short-term… (Vale Council; never reported)."
    )
    many = tuple(scheme(f"s{i}", f"Scheme {i}", "0", "1") for i in range(5))
    assert silent_sentence(money(silent=many), slash_command) == (
        "Not reporting: 5 schemes, Scheme 0, Scheme 1 and Scheme 2; 2 more: `/winter spend` shows them all."
    )
    assert silent_sentence(money(), slash_command) is None


# -- partner voice ----------------------------------------------------------------------------------------


def test_the_same_words_from_several_organisations_are_quoted_once():
    voice = [
        Voice("Age Well Vale", "vcs", WED, None, "Volunteers stretched but every discharge met."),
        Voice("Brightside Home Care", "home_care", WED, "Referrals after 4pm with no medication list.", None),
        Voice("Meadowbank Care", "home_care", WED, "referrals after 4pm with  no medication list.", "Quiet day."),
        Voice("Vale North PCN", "gp", WED, None, "Volunteers stretched but every discharge met."),
    ]
    said = [(q.text, q.label, q.organisations) for q in quotes(voice)]
    assert said == [
        ("Referrals after 4pm with no medication list.", "blockers", ("Brightside Home Care", "Meadowbank Care")),
        ("Volunteers stretched but every discharge met.", "comment", ("Age Well Vale", "Vale North PCN")),
        ("Quiet day.", "comment", ("Meadowbank Care",)),
    ]
    assert quotes(voice)[0].attribution == "Brightside Home Care and Meadowbank Care, blockers"
    shown, left_out = first_quotes(voice, 2)
    assert len(shown) == 2 and left_out == 1


# -- the whole brief -----------------------------------------------------------------------------------------


def a_brief(risks: tuple[RiskChange, ...] = (), capacity: int = 8, voice: int = 3) -> Brief:
    quoted = [Voice(f"Partner {n}", "vcs", WED, None, f"Quote {n}: " + "words " * 20) for n in range(voice + 4)]
    shown, left_out = first_quotes(quoted, voice)
    return Brief(
        programme_slug="vale",
        programme_name="Vale winter discharge fund",
        today=THU,
        day=WED,
        checkins=CheckinsDay(
            WED, 9, 14, (SectorCount("statutory", 3, 4), SectorCount("community", 6, 10)), ("Age Well",)
        ),
        money=money(flags=(UNDERSPEND,)),
        capacity=tuple(
            CapacityChange(f"Organisation {n}", "home_care", "Home care", 2, 3, f"o{n}:home_care")
            for n in range(capacity)
        ),
        risks=risks,
        voice=shown,
        voice_left_out=left_out,
    )


def test_a_busy_day_is_cut_to_whole_items_under_the_target_saying_how_many_more():
    risks = tuple(
        risk(f"Risk number {n} about a service", "high", said=(f"acknowledged by {HELEN}",)) for n in range(9)
    )
    text = brief_markdown(a_brief(risks))
    assert len(text) < BRIEF_CHARS
    assert "more: `/winter risks` shows them all." in text and "more: `/winter status` shows them all." in text
    assert "more quotes not shown" in text
    shown = [r for r in risks if r.title in text]
    assert shown and all(f"{r.title} (high): acknowledged by {HELEN}" in text for r in shown)  # whole lines
    assert f"{len(risks) - len(shown)} more: `/winter risks`" in text


def test_a_new_critical_risk_leads_and_may_take_the_brief_over_the_target():
    critical = tuple(
        risk(f"Organisation {n}: home care at level 4 " + "and more words " * 8, new=True, critical_now=True)
        for n in range(4)
    )
    text = brief_markdown(a_brief(critical))
    needs = text.split("## Needs you\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.startswith("- New: Organisation") for line in needs] == [True] * 4 + [False, False]
    assert len(text) > BRIEF_CHARS and "## Risks new or changed\n\nNone." in text
