"""`winterbot demo`: a whole simulated winter of the sample programme, with no credentials and
no network. Everything a lead would read lands in one folder (see `INDEX` below)."""

from __future__ import annotations

import shutil
import time as wall
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import func, select

from bot.common.calendar import previous_working_day
from bot.common.money import format_money
from bot.demo.pages import write_threads, write_you_said
from bot.demo.partner_side import WATCHED, PartnerSide
from bot.demo.simulation import WinterLog, simulate_winter
from bot.demo.story import START, december_file
from bot.programme.file import SAMPLE_PATH, parse_programme_file
from bot.programme.loader import load_path
from bot.programme.lookup import get_programme
from bot.reports.summary import format_summary, programme_summary
from bot.sending.jobs.base import JobContext
from bot.spend.burn_up import burn_up
from bot.spend.charts import burn_up_png
from bot.spend.exports import export
from bot.spend.ledger import spend_position, underspend_history
from bot.spend.return_calendar import return_calendar
from bot.spend.return_files import export_return
from bot.spend.return_periods import fortnightly_return
from bot.spend.underspend import Spell
from handlers.slack.folder import FolderMessenger
from models.db import make_engine, migrate, session_scope
from models.tables import Decision, Risk

DATABASE_NAME = "winterbot-demo.db"
GENERATED = (
    "briefs",
    "digests",
    "charts",
    "partner",
    "escalations.jsonl",
    "escalations.md",
    "notices.md",
    "blockers.md",
    "you-said.md",
)
Progress = Callable[[date, int, int], None]


@dataclass(frozen=True)
class DemoResult:
    out_dir: Path
    database: Path
    summary_file: Path
    text: str
    seconds: float


def run_demo(
    out_dir: Path, today: date = START, until: date | None = None, progress: Progress = lambda day, done, total: None
) -> DemoResult:
    """Load the sample as it stood in December into a fresh SQLite file, run the winter up to
    `until` (default: the deadline), and write the spend return, the final chart, the summary
    and an index. `today` is the date the opening programme summary is shown as at."""
    with resources.as_file(SAMPLE_PATH) as sample:
        return _run_demo(sample, out_dir, today, until, progress)


def _run_demo(sample: Path, out_dir: Path, today: date, until: date | None, progress: Progress) -> DemoResult:
    started = wall.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear(out_dir)
    database = out_dir / DATABASE_NAME
    engine = make_engine(f"sqlite:///{database}")
    try:
        migrate(engine)
        slug = parse_programme_file(sample.read_text(encoding="utf-8"), str(sample)).programme.slug
        start_file = december_file(sample, out_dir / "programme-december.yaml")
        load_path(engine, start_file)
        with session_scope(engine) as session:
            opening = format_summary(programme_summary(session, slug, today))
        folder = FolderMessenger(out_dir, WATCHED)  # every message written into the folder as Slack would get it
        ctx = JobContext(engine=engine, messengers={"slack": folder}, workers=1)
        side = PartnerSide(out_dir, folder)
        log = simulate_winter(ctx, sample, slug, until or date.max, progress, side)
        side.finish()
        closing = _closing(engine, folder, slug, out_dir, log, until)
    finally:
        engine.dispose()
    text = f"{opening}\n\n{closing}"
    summary_file = out_dir / "programme.txt"
    summary_file.write_text(text + "\n", encoding="utf-8")
    (out_dir / "README.md").write_text(
        INDEX + "\n## The winter in numbers\n\n```\n" + closing + "\n```\n", encoding="utf-8"
    )
    return DemoResult(out_dir, database, summary_file, text, wall.perf_counter() - started)


def _clear(out_dir: Path) -> None:
    """A second run starts from nothing rather than mixing two winters."""
    for leftover in out_dir.glob(DATABASE_NAME + "*"):
        leftover.unlink()
    for name in GENERATED:
        target = out_dir / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def _closing(
    engine: Engine, folder: FolderMessenger, slug: str, out_dir: Path, log: WinterLog, until: date | None
) -> str:
    with session_scope(engine) as session:
        programme = get_programme(session, slug)
        last = min(until or programme.deadline, programme.deadline)
        position = spend_position(session, programme, last)
        underspend = underspend_history(session, programme, last).spells
        calendar = return_calendar(programme.settings, programme.deadline)
        period_end = calendar.latest_end(last) if calendar else None
        for name in ("spend-return.xlsx", "spend-return.csv"):  # every period to the last; the csv, the last
            if period_end is None:  # no return period has ended yet: the position on the last day
                export(position, out_dir / name)
            else:
                export_return(fortnightly_return(session, programme, period_end, last), out_dir / name)
        (out_dir / "charts" / "burn-up-final.png").write_bytes(burn_up_png(burn_up(session, programme, last)))
        blockers = write_threads(session, programme, out_dir / "blockers.md")
        write_you_said(session, programme, START, last, out_dir / "you-said.md")
        risks = session.exec(select(func.count()).select_from(Risk).where(Risk.programme_id == programme.id)).one()
        still_open = session.exec(
            select(func.count()).select_from(Risk).where(Risk.programme_id == programme.id, Risk.status != "closed")
        ).one()
        decisions = session.exec(select(func.count()).select_from(Decision)).one()
    counts = folder.counts
    share = position.actual * 100 / position.allocated_total if position.allocated_total else 0
    peak = sorted(((level, name) for name, level in log.peak_levels.items()), reverse=True)[:3]
    lines = [
        f"Simulated {START:%d %b %Y} to {last:%d %b %Y}: {log.days} working days.",
        (
            f"Prompts {counts['prompts']}, reminders {counts['reminders']}; check-ins {log.checkins} "
            f"(+{log.nothing_new} 'nothing new today'), {log.late} after the reminder, "
            f"{log.refused_then_fixed} mistyped amounts refused on the field and sent again."
        ),
        (
            f"Briefs {len(list((out_dir / 'briefs').glob('*.md')))}, digests {len(list((out_dir / 'digests').glob('*.md')))}, "
            f"charts {counts['charts']}; escalations {counts['escalations']}."
        ),
        (
            f"Risks raised {risks}: acknowledged {log.acknowledged}, closed {log.closed}, open at the end {still_open}. "
            f"Decisions recorded {decisions}; questions asked {log.questions}."
        ),
        (
            f"Blockers raised {blockers}: the leads answered {log.blockers_answered} within a day or two "
            f"(one answer answers the same words from every organisation) and {log.decisions_answering} by a "
            f"decision; {log.jobs['blocker-reply']} answers told to the partners in their DMs."
        ),
        "Highest capacity levels: " + "; ".join(f"{name} {level}" for level, name in peak) + ".",
        (
            f"Spend: {format_money(position.actual)} of {format_money(position.allocated_total)} ({share:.1f}%), "
            f"committed {format_money(position.committed)}."
        ),
    ]
    lines += [underspend_sentence(spell) for spell in underspend]
    if log.problems:
        lines.append(f"Problems ({len(log.problems)}): " + " | ".join(log.problems[:5]))
    return "\n".join(lines)


def underspend_sentence(spell: Spell) -> str:
    """A spell of the underspend flag as the briefs carried it: from the first brief with it to
    the last (the flag changes only on working days, so these are brief days)."""
    if spell.cleared_on is None:
        return f"The briefs flagged an underspend from {spell.raised_on:%a %d %b}; still flagged at the end."
    last = previous_working_day(spell.cleared_on)
    return (
        f"The briefs flagged an underspend from {spell.raised_on:%a %d %b} to {last:%a %d %b}; "
        f"cleared {spell.cleared_on:%a %d %b}."
    )


INDEX = """# winterbot demo: a winter in the Vale

Everything here was written by the real jobs (`winterbot clock`'s tick at 08:30, 09:30,
14:00 and 15:00 each working day) and the real check-in handling, driven by synthetic partners
on a simulated clock. No workspace, no network. The partners raise blockers that fit their
organisation and the season; the leads answer them after the morning brief (or with a decision),
the clock's watch tells the partner, and the partner's next check-in says resolved or still.

| file | what it is |
| --- | --- |
| `briefs/DATE-brief.md`, `.json` | the leads' daily brief (08:30, working days): Markdown to read, and the Block Kit messages Slack would have been sent |
| `digests/DATE-digest.md`, `.json` | the Friday digest to the programme channel (the next working day when Friday is a bank holiday) |
| `charts/burn-up-DATE.png` | the burn-up chart uploaded with each digest; `burn-up-final.png` at the end |
| `escalations.md`, `escalations.jsonl` | every risk escalated to the leads' channel (and the lead-role owners' DMs, in the JSON) |
| `notices.md` | the plain-words notices: the owner partners' copies of escalations, and the answers to their blockers |
| `blockers.md` | every blocker the partners raised at check-in with its thread: the leads' replies, taking it on, decisions that answer it, won't fix, and the partner saying it was resolved |
| `you-said.md` | you said, we did, week by week: each week's blockers and what answered them, and what still waits, as the Friday digest tells the channel |
| `partner/kerry-walsh/`, `partner/marcus-bell/` | the partner's side of Slack for Brightside Home Care's manager and Home from Hospital's volunteer coordinator, on the days something happened to their blockers: `DATE-prompt.json` (the DM), `DATE-checkin.json` (the check-in modal as it opened, asking after their open blockers), `DATE-home.json` (their App Home that evening), and `README.md` to read it all with every DM they were sent |
| `spend-return.xlsx`, `.csv` | the fortnightly return: in the `.xlsx` a sheet per period (spend to date by funding source and scheme, discharges by pathway, packages of care booked) and a summary; in the `.csv` the last period ended |
| `programme-december.yaml` | the programme file as first loaded; the January top-up is loaded on 12 January |
| `winterbot-demo.db` | the SQLite database: `DATABASE_URL=sqlite:///winterbot-demo.db winterbot status vale-winter-2026` |
"""
