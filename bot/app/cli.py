"""The `winterbot` command (also `python -m bot`): the composition root for the terminal."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.app.cli_load import register as register_load
from bot.app.database_ready import EXIT_DATABASE, UNREACHABLE, away_line
from bot.common.calendar import local_date, zone
from bot.common.config import Settings
from bot.common.wording import plural

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.sending.jobs import JobContext
    from models.tables import Programme

EXIT_OK = 0
EXIT_BAD_INPUT = 2
DATABASE_ADVICE = (
    "the command stopped, and what it had not finished was not saved. "
    "Check DATABASE_URL and that the database is running, then run it again"
)


def _today(settings: Settings) -> date:
    return local_date(datetime.now(UTC), settings.timezone)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write it as YYYY-MM-DD") from exc


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo.run import run_demo
    from bot.demo.story import START

    result = run_demo(Path(args.out), today=args.today or START, until=args.until, progress=_progress_bar())
    print(result.text)
    print(f"\nWritten to {result.out_dir}/ (start with README.md; database {result.database.name})")
    print(f"The winter took {result.seconds:.1f} s to simulate.", file=sys.stderr)
    return EXIT_OK


def _progress_bar(width: int = 30) -> Callable[[date, int, int], None]:
    """A bar on stderr that redraws in a terminal, and prints a line a week otherwise."""
    interactive = sys.stderr.isatty()

    def show(day: date, done: int, total: int) -> None:
        if not interactive and day.weekday() != 6 and done != total:
            return
        filled = width * done // total
        line = f"{day:%a %d %b %Y} [{'#' * filled}{'.' * (width - filled)}] {100 * done // total:3d}%"
        print(
            ("\r" + line) if interactive else line,
            end="" if interactive and done < total else "\n",
            file=sys.stderr,
            flush=True,
        )

    return show


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    from bot.programme.file import sample_text

    target = Path(args.file)
    if target.exists() and not args.force:
        print(f"{target} already exists; pick another name or add --force to overwrite it.", file=sys.stderr)
        return EXIT_BAD_INPUT
    target.write_text(sample_text(), encoding="utf-8")
    print(f"Wrote the sample programme to {target}.")
    print(f"Edit it for your area (the comments explain each field), then run: winterbot load {target}")
    return EXIT_OK


def cmd_teams_package(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.teams.app_package import build_package

    app_id = args.app_id or settings.teams_client_id
    if not app_id:
        print("Give the bot's app id: --app-id, or set CLIENT_ID.", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        out = build_package(app_id, Path(args.out))
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"Wrote {out}: upload it in the Teams admin centre (Teams apps, Manage apps, Upload new app).")
    return EXIT_OK


def _instant(text: str) -> datetime:
    """An ISO datetime; without an offset it is wall-clock time in WINTERBOT_TZ."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date and time: write it like 2027-03-30T09:30 (London time) or 2027-03-30T08:30+00:00"
        ) from exc
    if len(text) <= 10:
        raise argparse.ArgumentTypeError(f"{text!r} has no time of day: write it like {text}T09:30")
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(Settings.from_env().timezone))
    return value.astimezone(UTC)


def _job_context(settings: Settings, workers: int, *, wait: bool = False) -> JobContext:
    from bot.app.database_ready import ready_engine
    from bot.app.wiring import build_context

    engine = ready_engine(settings.database_url, wait=wait)
    ctx = build_context(settings, engine, workers)
    if not ctx.messengers and ctx.bind is None:
        logging.getLogger("winterbot").warning(
            "no platform is configured (SLACK_BOT_TOKEN, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, or CLIENT_ID "
            "and CLIENT_SECRET for Teams): nothing can be sent"
        )
    return ctx


def cmd_run_job(args: argparse.Namespace, settings: Settings) -> int:
    from bot.programme.lookup import UnknownProgramme
    from bot.sending.scheduler import run_job

    ctx = _job_context(settings, args.workers)
    try:
        results = run_job(ctx, args.job, args.at or datetime.now(UTC), args.programme)
    except UnknownProgramme as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        ctx.engine.dispose()
    if not results:
        print(f"{args.job}: there are no programmes yet; load one with `winterbot load FILE.yaml`")
    for result in results:
        print(result.line())
    return 1 if any(r.failed for r in results) else EXIT_OK


def cmd_clock(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sending.scheduler import run_clock, tick, watch_pass

    ctx = replace(_job_context(settings, args.workers, wait=not args.once), programmes_at_once=args.programmes_at_once)
    try:
        if args.once:
            at = args.at or datetime.now(UTC)
            for result in [*tick(ctx, at), *watch_pass(ctx, at)]:
                print(result.line())
            return EXIT_OK
        run_clock(ctx, tick_seconds=args.tick)
    finally:
        ctx.engine.dispose()
    return EXIT_OK


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app.database_ready import ready_engine
    from bot.programme.lookup import UnknownProgramme
    from bot.spend.ledger import status_text

    engine = ready_engine(settings.database_url, wait=False)
    try:
        print(status_text(engine, args.slug, args.today or _today(settings)))
    except UnknownProgramme as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        engine.dispose()
    return EXIT_OK


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app.database_ready import ready_engine
    from bot.programme.lookup import UnknownProgramme, get_programme
    from bot.spend.return_calendar import NoReturnCalendar, NotAPeriodEnd
    from models.db import session_scope

    out = Path(args.out)
    kind = out.suffix.lower()
    if kind not in (".csv", ".xlsx", ".png"):
        print(
            f"{out}: give a file ending .csv or .xlsx (the spend return) or .png (the burn-up chart)", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    engine = ready_engine(settings.database_url, wait=False)
    today = args.today or _today(settings)
    try:
        with session_scope(engine) as session:
            programme = get_programme(session, args.slug)
            if kind == ".png":
                written = _write_chart(session, programme, args.period_end or today, out)
            elif args.period_end is not None:
                written = _write_fortnightly(session, programme, args.period_end, today, out)
            else:
                written = _write_return(session, programme, today, out)
    except (UnknownProgramme, NoReturnCalendar, NotAPeriodEnd) as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        engine.dispose()
    print(f"Wrote {written} for {programme.name} to {out}")
    return EXIT_OK


def _write_return(session: Session, programme: Programme, today: date, out: Path) -> str:
    """Without --period-end: the spend position as at today, as before the return had a calendar."""
    from bot.spend.exports import export
    from bot.spend.ledger import spend_position
    from bot.spend.return_calendar import return_calendar

    export(spend_position(session, programme, today), out)
    calendar = return_calendar(programme.settings, programme.deadline)
    latest = calendar.latest_end(today) if calendar else None
    hint = (
        f" (for the fortnightly return to {latest:%d %b %Y}, give --period-end {latest.isoformat()})" if latest else ""
    )
    return f"the spend return as at {today:%d %b %Y}{hint}"


def _write_fortnightly(session: Session, programme: Programme, period_end: date, today: date, out: Path) -> str:
    from bot.spend.return_files import export_return
    from bot.spend.return_periods import fortnightly_return

    ret = fortnightly_return(session, programme, period_end, today)
    export_return(ret, out)
    latest = f"{ret.latest.start:%d %b} to {ret.latest.end:%d %b %Y}"
    if out.suffix.lower() == ".csv":
        return f"the fortnightly return for {latest}"
    return f"the fortnightly return for {latest} ({plural(len(ret.periods), 'period')}, a sheet each)"


def _write_chart(session: Session, programme: Programme, today: date, out: Path) -> str:
    from bot.spend.burn_up import burn_up
    from bot.spend.charts import burn_up_png

    out.write_bytes(burn_up_png(burn_up(session, programme, today)))
    return f"the burn-up chart as at {today:%d %b %Y}"


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app.server import serve

    if not settings.slack_enabled:
        logging.getLogger("winterbot").warning(
            "Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode)"
        )
    serve(settings, port=args.port, host=args.host)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="winterbot",
        description="Runs the daily and weekly cadence of a winter discharge fund in Slack and Teams.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="simulate a whole winter of the sample programme into a folder (no credentials)")
    demo.add_argument("--out", default="winterbot-demo", help="folder to write into (default: winterbot-demo)")
    demo.add_argument(
        "--today", type=_iso_date, help="the date the opening summary is shown as at (default 1 Dec 2026)"
    )
    demo.add_argument(
        "--until", type=_iso_date, help="stop the simulated winter after this day (default: the deadline)"
    )
    demo.set_defaults(func=cmd_demo)

    init = sub.add_parser("init", help="write the sample programme file to edit for your area")
    init.add_argument("file", metavar="FILE.yaml")
    init.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    init.set_defaults(func=cmd_init)

    register_load(sub)

    package = sub.add_parser("teams-package", help="write the Teams app package (manifest and icons) to upload")
    package.add_argument("--app-id", help="the bot's Entra app (client) id; default CLIENT_ID")
    package.add_argument("--out", default="winterbot-teams.zip", help="the zip to write")
    package.set_defaults(func=cmd_teams_package)

    serve = sub.add_parser("serve", help="serve Slack (HTTP or Socket Mode), Teams at /api/messages, and /healthz")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    serve.add_argument("--host", default="0.0.0.0")
    serve.set_defaults(func=cmd_serve)

    status = sub.add_parser("status", help="the programme's spend against the deadline, with the forecast")
    status.add_argument("slug", metavar="SLUG")
    status.add_argument("--today", type=_iso_date, help="as at this date (YYYY-MM-DD)")
    status.set_defaults(func=cmd_status)

    export = sub.add_parser(
        "export", help="write the spend return (.csv or .xlsx) or the burn-up chart (.png), by the file's extension"
    )
    export.add_argument("slug", metavar="SLUG")
    export.add_argument("--out", required=True, metavar="FILE", help="a .csv, .xlsx or .png file")
    export.add_argument("--today", type=_iso_date, help="as at this date (YYYY-MM-DD); default today")
    export.add_argument(
        "--period-end",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help=(
            "the fortnightly return for the period ending that day (a period end on the programme "
            "file's fortnightly_return calendar): .xlsx has every period to it, .csv that period; "
            "without it, the spend position as at --today"
        ),
    )
    export.set_defaults(func=cmd_export)

    from bot.sending.jobs import JOBS

    run_job = sub.add_parser("run-job", help="run one job once, as if at a time, and say what it did")
    run_job.add_argument("job", choices=sorted(JOBS), metavar="JOB", help=", ".join(sorted(JOBS)))
    run_job.add_argument("--programme", metavar="SLUG", help="only this programme (default: every one)")
    run_job.add_argument("--at", type=_instant, metavar="ISO-DATETIME", help="as if at this time (default: now)")
    run_job.add_argument("--workers", type=int, default=8, help=argparse.SUPPRESS)
    run_job.set_defaults(func=cmd_run_job)

    clock = sub.add_parser(
        "clock", help="the scheduler process: sends prompts, reminders and risk escalations when due"
    )
    clock.add_argument("--tick", type=float, default=30, help="seconds between ticks (default 30)")
    clock.add_argument("--once", action="store_true", help="run one tick and exit")
    clock.add_argument("--at", type=_instant, metavar="ISO-DATETIME", help="with --once: as if at this time")
    clock.add_argument(
        "--threads", "--workers", dest="workers", type=int, default=8, help="sender threads a fan-out (default 8)"
    )
    clock.add_argument(
        "--programmes-at-once",
        type=int,
        default=8,
        help="programmes a tick runs side by side (default 8; 20 or more when hosting many areas)",
    )
    clock.set_defaults(func=cmd_clock)
    from bot.app.cli_people import register as register_people  # forget, export-person

    register_people(sub)
    return parser


# Libraries that log whole requests and answers at DEBUG, held at INFO: users' words never reach the log.
WORDS_AT_DEBUG = ("slack_bolt", "slack_sdk", "microsoft_teams", "httpx", "httpcore", "aiohttp")


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("WINTERBOT_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    for talkative in WORDS_AT_DEBUG:
        logging.getLogger(talkative).setLevel(max(logging.INFO, logging.getLogger().level))
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as error:
        print(f"winterbot: {error}", file=sys.stderr)
        return 2
    command: Callable[[argparse.Namespace, Settings], int] = args.func
    try:
        return command(args, settings)
    except UNREACHABLE as error:
        print(away_line(settings.database_url, error, DATABASE_ADVICE), file=sys.stderr)
        return EXIT_DATABASE


if __name__ == "__main__":
    sys.exit(main())
