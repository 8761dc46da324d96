"""`winterbot demo`'s winter: what a lead would read, written by the real jobs."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from bot.common.redact import REPLACEMENT
from handlers.slack.blocks.limits import check_message
from models.db import make_engine, session_scope
from models.tables import CheckIn, Risk, Tranche

pytestmark = pytest.mark.slow
UNTIL = date(2027, 1, 15)  # past New Year, the top-up's announcement and the leads' decision


@pytest.fixture(scope="module")
def winter(mid_january_winter):
    """The demo to UNTIL, run once for the session."""
    return mid_january_winter


def test_every_message_written_is_block_kit_slack_would_take(winter):
    files = [*(winter.out_dir / "briefs").glob("*.json"), *(winter.out_dir / "digests").glob("*.json")]
    assert len(files) > 30
    for path in files:
        for message in json.loads(path.read_text()):
            check_message(message["blocks"])
    for line in (winter.out_dir / "escalations.jsonl").read_text().splitlines():
        check_message(json.loads(line)["blocks"])


def test_the_home_care_provider_under_pressure_reaches_the_leads(winter):
    escalated = (winter.out_dir / "escalations.md").read_text()
    assert "Brightside Home Care: home care at level 4" in escalated
    engine = make_engine(f"sqlite:///{winter.database}")
    with session_scope(engine) as session:
        risks = session.exec(select(Risk).where(Risk.subject == "brightside-care:home_care")).all()
    assert [r.severity for r in risks if r.status != "closed"] == ["critical"]


def test_the_forecast_catches_the_underspend_and_the_top_up_arrives_in_january(winter):
    assert "The briefs flagged an underspend from Fri 11 Dec; still flagged at the end." in winter.text
    engine = make_engine(f"sqlite:///{winter.database}")
    with session_scope(engine) as session:
        keys = set(session.exec(select(Tranche.key)).all())
        assert "icb-step-down-top-up" in keys
        assert session.exec(select(Risk).where(Risk.rule == "underspend_risk")).all()


def test_no_nhs_number_reaches_anything_written(winter):
    engine = make_engine(f"sqlite:///{winter.database}")
    with session_scope(engine) as session:
        comments = [c.comment for c in session.exec(select(CheckIn)) if c.comment]
    assert any(REPLACEMENT in c for c in comments)
    for path in winter.out_dir.rglob("*"):
        if path.suffix in {".md", ".json", ".jsonl", ".csv", ".txt"}:
            text = path.read_text()
            assert "943 476 5919" not in text and "9434765919" not in text, path


def test_the_digest_reads_well_in_markdown(winter):
    digest = (winter.out_dir / "digests" / "2027-01-15-digest.md").read_text()
    assert digest.startswith("# Weekly digest")
    assert "![" in digest and "charts/burn-up-2027-01-15.png" in digest
    assert "Underspend: bring forward equipment orders" in digest  # the week's decision
