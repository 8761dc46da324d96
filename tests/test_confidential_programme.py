"""`confidential:` in the programme file, and the rule of bot.people.confidential on its own."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.people.confidential import (
    CHANNEL,
    Audience,
    Confidentiality,
    aggregate,
    aggregate_sentence,
    scrub,
)
from bot.programme.file import SAMPLE_PATH, parse_programme_file, sample_text
from bot.programme.loader import load_path, load_programme
from bot.programme.problems import ProgrammeFileError
from models.db import session_scope
from models.tables import Programme
from models.vocabulary import Role

PCN = "confidential: true          # its pressure reaches the leads by name, everyone else in aggregate"


def _with(confidential: str) -> str:
    text = sample_text()
    assert PCN in text
    return text.replace(PCN, f"confidential: {confidential}")


def _problems(text: str) -> str:
    with pytest.raises(ProgrammeFileError) as refused:
        parse_programme_file(text, "programme.yaml")
    return str(refused.value)


def test_the_sample_keeps_its_gp_network_confidential(engine):
    load_path(engine, SAMPLE_PATH)
    with session_scope(engine) as session:
        programme = session.exec(select(Programme)).one()
        assert programme.settings["confidential"] == {"vale-north-pcn": "all"}
        secret = Confidentiality.of(programme)
    assert secret.level("vale-north-pcn", "gp") and secret.words("vale-north-pcn")
    assert not secret.level("brightside-care", "home_care") and not secret.words("brightside-care")


def test_services_only_and_reloading_without_it(engine):
    spec = parse_programme_file(_with("[gp]"), "programme.yaml")
    report = load_programme(engine, spec)
    with session_scope(engine) as session:
        assert session.exec(select(Programme)).one().settings["confidential"] == {"vale-north-pcn": ["gp"]}
    assert report.programme_created
    again = load_programme(engine, parse_programme_file(_with("false"), "programme.yaml"))
    assert "confidential" in again.programme_changes
    with session_scope(engine) as session:
        assert session.exec(select(Programme)).one().settings["confidential"] == {}


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("[home_care]", "confidential lists home_care, which 'vale-north-pcn' does not run (its services are: gp)"),
        ("[gpp]", "'gpp' is not a service (the services are: gp, home_care"),
        ("3", "3 is not a confidentiality: write `confidential: true` for the whole organisation"),
        ("[gp, gp]", "gp listed more than once"),
    ],
)
def test_a_mistake_is_said_clearly_with_its_line(written, says):
    problems = _problems(_with(written))
    assert says in problems and "programme.yaml:" in problems


@pytest.mark.parametrize(
    ("edit", "needs"),
    [
        (("  leads_channel: C0VALELEADS\n", ""), "`leads_channel:`"),
        (
            ("  channel: C0VALEFUND1\n", '  channel: C0VALEFUND1\n  teams_channel: "19:vale@thread.tacv2"\n'),
            "`teams_leads_channel:`",
        ),
    ],
)
def test_a_confidential_organisation_needs_a_leads_channel_on_each_platform(edit, needs):
    """Else the brief and escalations, naming it with its level, would go to the programme channel."""
    problems = _problems(sample_text().replace(*edit))
    assert f"a confidential organisation needs {needs} in `programme`" in problems
    parse_programme_file(_with("false").replace(*edit), "programme.yaml")  # none confidential: fine


def test_the_rule_of_who_sees_by_name():
    assert Audience(Role.LEAD).sees(7) and Audience(Role.ADMIN).sees(7)
    assert Audience(Role.PARTNER, 7).sees(7) and not Audience(Role.PARTNER, 8).sees(7)
    assert not Audience(Role.OBSERVER).sees(7) and not CHANNEL.sees(7) and not CHANNEL.sees(None)


def test_a_level_is_said_only_of_three_or_more():
    assert (
        aggregate_sentence(aggregate("gp", [4]))
        == "General practice: 1 confidential organisation reporting, level not shown"
    )
    assert aggregate_sentence(aggregate("gp", [4, 1, None])) == (
        "General practice: 2 confidential organisations reporting, level not shown"
    )
    assert aggregate_sentence(aggregate("gp", [4, 3, 1, 2, 2])) == (
        "General practice: 2 of 5 confidential organisations at level 3 or above"
    )


def test_scrub_names_nobody():
    names = ["Vale North", "Vale North Primary Care Network"]
    said = scrub("Vale North Primary Care Network: gp at level 4; Vale North too", names)
    assert said == "A confidential organisation: gp at level 4; a confidential organisation too"
