"""The demo's winter heard and answered: every blocker the briefs and digests keep quoting got an
answer from a lead, the partners were told, and nothing is quoted as open after it was resolved."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.checkin.blockers import ANSWERS, same_words
from bot.common.calendar import local_date
from handlers.slack.blocks.limits import check_message
from models.db import make_engine, session_scope
from models.tables import Blocker, BlockerEvent, Member

pytestmark = pytest.mark.slow
QUOTED = 40  # the first characters of a blocker's words: every quote (even shortened) holds them
LEADS = {"lead", "admin"}
SETTLED = ("resolve", "wontfix")


@pytest.fixture(scope="module")
def winter(whole_winter):
    return whole_winter


@pytest.fixture(scope="module")
def blockers(winter) -> dict[int, dict]:
    """Each blocker: its words, the day raised, whether a lead answered it, the day it was settled."""
    engine = make_engine(f"sqlite:///{winter.database}")
    with session_scope(engine) as session:
        roles = {m.id: m.role for m in session.exec(select(Member))}
        found = {
            b.id: {"text": b.text, "raised_on": b.raised_on, "status": b.status, "answered": False, "settled": None}
            for b in session.exec(select(Blocker))
        }
        for event in session.exec(select(BlockerEvent).order_by(col(BlockerEvent.at))):
            blocker = found[event.blocker_id]
            if event.action in ANSWERS and roles.get(event.member_id) in LEADS:
                blocker["answered"] = True
            if event.action in SETTLED and blocker["status"] in ("resolved", "wont_fix"):
                blocker["settled"] = local_date(event.at)
    engine.dispose()
    return found


@pytest.fixture(scope="module")
def written(winter) -> dict[Path, str]:
    """The briefs and digests, as Markdown."""
    paths = [*(winter.out_dir / "briefs").glob("*.md"), *(winter.out_dir / "digests").glob("*.md")]
    return {path: path.read_text(encoding="utf-8") for path in sorted(paths)}


def by_words(blockers: dict[int, dict]) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for blocker in blockers.values():
        groups[same_words(blocker["text"])].append(blocker)
    return groups


def test_the_winter_has_blockers_that_fit_and_most_are_resolved(blockers):
    assert len(blockers) > 30
    texts = {b["text"] for b in blockers.values()}
    assert any("carers" in t for t in texts) and any("Volunteer" in t for t in texts)
    settled = [b for b in blockers.values() if b["settled"]]
    assert len(settled) > len(blockers) * 3 / 4


def test_every_blocker_quoted_more_than_five_times_got_an_answer_from_a_lead(blockers, written):
    counts = {
        words: sum(text.count(group[0]["text"][:QUOTED]) for text in written.values())
        for words, group in by_words(blockers).items()
    }
    assert min(counts.values()) >= 1  # every blocker reached the leads' brief or the digest
    unanswered = [w for w, n in counts.items() if n > 5 and not any(b["answered"] for b in by_words(blockers)[w])]
    assert unanswered == []


def test_decisions_answer_blockers(winter):
    engine = make_engine(f"sqlite:///{winter.database}")
    with session_scope(engine) as session:
        decided = session.exec(select(BlockerEvent).where(BlockerEvent.action == "decided")).all()
    engine.dispose()
    assert len({e.note for e in decided}) >= 4


def test_the_partners_were_told_of_every_answer(winter, blockers):
    notices = (winter.out_dir / "notices.md").read_text(encoding="utf-8")
    for blocker_id, blocker in blockers.items():
        if blocker["answered"]:
            assert f"your blocker #{blocker_id} " in notices, blocker["text"]


def test_no_blocker_is_quoted_as_open_on_a_day_after_it_was_settled(blockers, written):
    for path, text in written.items():
        day = date.fromisoformat(path.name[:10])
        lines = [line for line in text.splitlines() if not _said_then(line)]
        for group in by_words(blockers).values():
            quote = group[0]["text"][:QUOTED]
            if any(quote in line for line in lines):
                live = [b for b in group if b["raised_on"] < day and (b["settled"] is None or b["settled"] >= day)]
                assert live or any(b["raised_on"] == day for b in group), f"{path.name}: {quote}"


def _said_then(line: str) -> bool:
    """A digest's quote of what was said on a day of its week, or of what answered it: not open."""
    return line.startswith("> ") or "Now resolved." in line or "Now won't fix." in line


def test_the_partner_side_is_written_as_slack_would_show_it(winter):
    partner = winter.out_dir / "partner"
    homes = sorted(partner.glob("*/*-home.json"))
    modals = sorted(partner.glob("*/*-checkin.json"))
    prompts = sorted(partner.glob("*/*-prompt.json"))
    assert homes and modals and prompts
    for path in homes:
        view = json.loads(path.read_text())
        assert view["type"] == "home" and len(view["blocks"]) <= 100
    for path in modals:
        assert json.loads(path.read_text())["type"] == "modal"
    for path in prompts:
        check_message(json.loads(path.read_text()))
    assert any("blocker:" in path.read_text() for path in modals)  # a form asked after an open blocker
    pages = [path.read_text() for path in partner.glob("*/README.md")]
    assert pages and all("## " in page for page in pages)
    threads = (winter.out_dir / "blockers.md").read_text(encoding="utf-8")
    assert "replied" in threads and "took it on" in threads and "decided" in threads
    said = (winter.out_dir / "you-said.md").read_text(encoding="utf-8")
    assert "## Week to" in said
