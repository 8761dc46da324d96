"""A blocker left unanswered becomes a risk (bot/risks/blocker_rules.py), without a database."""

from __future__ import annotations

from datetime import date

from bot.risks.blocker_rules import BLOCKER_UNANSWERED, Unanswered, blocker_findings
from bot.risks.terms import RuleSettings
from models.vocabulary import Severity

FRI_18_DEC = date(2026, 12, 18)


def unanswered(raised_on: date = FRI_18_DEC, *organisations: str) -> Unanswered:
    return Unanswered(7, organisations or ("Brightside Home Care",), "No drivers after 4pm", raised_on)


def test_raised_after_three_working_days_counted_across_christmas():
    # Raised Fri 18 Dec: Mon 21, Tue 22, Wed 23 Dec are the three working days after it.
    assert blocker_findings(date(2026, 12, 23), RuleSettings(), [unanswered()]) == []
    [finding] = blocker_findings(date(2026, 12, 24), RuleSettings(), [unanswered()])
    assert (finding.rule, finding.subject, finding.severity) == (BLOCKER_UNANSWERED, "blocker:7", Severity.MEDIUM)
    assert finding.owner_organisation_id is None  # the leads' to answer
    assert finding.title == "A blocker from Brightside Home Care has had no answer"
    assert "for 3 working days" in finding.detail and "`/winter blockers reply 7 TEXT`" in finding.detail
    # Christmas and Boxing Day are not working days: on Tue 29 Dec it is 4 (21, 22, 23, 24).
    [later] = blocker_findings(date(2026, 12, 29), RuleSettings(), [unanswered()])
    assert "for 4 working days" in later.detail


def test_the_threshold_is_the_programme_s_and_several_organisations_are_one_risk():
    settings = RuleSettings(blocker_unanswered_working_days=5)
    assert blocker_findings(date(2026, 12, 24), settings, [unanswered()]) == []
    # Five working days after Fri 18 Dec: 21 to 24 and Tue 29 Dec, so it is raised on Wed 30 Dec.
    assert blocker_findings(date(2026, 12, 29), settings, [unanswered()]) == []
    [finding] = blocker_findings(date(2026, 12, 30), settings, [unanswered(FRI_18_DEC, "Age Well Vale", "St Aidan's")])
    assert finding.title == "A blocker from Age Well Vale and 1 more has had no answer"
