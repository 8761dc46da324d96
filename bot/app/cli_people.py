"""`winterbot forget` and `winterbot export-person`: a person's rights over what is held about them
(erasure and access), run by whoever operates the service on an information governance request.

A person is named by what the programme file names them by: a chat user id, an email address or a
mobile number. Someone on several programmes is forgotten (or exported) on each, and the command
says which; `--programme SLUG` keeps it to one.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.common.config import Settings
from bot.common.wording import plural

EXIT_OK = 0
EXIT_BAD_INPUT = 2
FORGET_ACTOR = "cli:forget"  # the audit trail's name for whoever ran it: an operator, never the person
PERSON_HELP = "their chat user id, email address or mobile number, as in the programme file"


def _nobody(given: str, slug: str | None) -> str:
    where = f"on {slug}" if slug else "on any programme"
    return (
        f"No one {where} is known by {given!r}: nothing is held under it. Someone forgotten already "
        "is no longer found by their ids, so there is nothing left of them to remove or export."
    )


def _member_line(member: Any, programme: Any) -> str:
    return f"member {member.id} of {programme.slug} ({member.role}, on {member.platform})"


def _counts(counts: Counter[str]) -> list[str]:
    return [f"  {kind}: {count}" for kind, count in counts.items() if count] or ["  nothing"]


def cmd_forget(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app.database_ready import ready_engine
    from bot.people.forget import forget_member
    from bot.people.person import find_person
    from bot.programme.lookup import UnknownProgramme
    from models.db import session_scope

    engine = ready_engine(settings.database_url, wait=False)
    now = datetime.now(UTC)
    lines: list[str] = []
    try:
        with session_scope(engine) as session:
            found = find_person(session, args.person, args.programme)
            if len(found) > 1:
                lines.append(f"{args.person!r} is on {plural(len(found), 'programme')}: forgetting them on each.")
            for member, programme in found:
                head = _member_line(member, programme)
                removed = forget_member(session, member, programme, now, FORGET_ACTOR, dry_run=args.dry_run)
                lines.append(f"{'Would remove' if args.dry_run else 'Removed'} from {head}:")
                lines += _counts(removed)
            if args.dry_run:
                session.rollback()
    except UnknownProgramme as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        engine.dispose()
    if not found:
        print(_nobody(args.person, args.programme))
        return EXIT_OK
    print("\n".join(lines))
    if args.dry_run:
        print("Nothing was changed (--dry-run).")
    else:
        print(
            "Their figures, levels and counts are kept under 'forgotten member N'. Take them out of the "
            "programme file too, or the next `winterbot load` adds them back as someone new."
        )
    return EXIT_OK


def cmd_export_person(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app.database_ready import ready_engine
    from bot.people.person import find_person
    from bot.people.person_export import as_json, person_export, summary
    from bot.programme.lookup import UnknownProgramme
    from models.db import session_scope

    out = Path(args.out)
    if out.suffix.lower() != ".json":
        print(f"{out}: give a file ending .json", file=sys.stderr)
        return EXIT_BAD_INPUT
    engine = ready_engine(settings.database_url, wait=False)
    try:
        with session_scope(engine) as session:
            found = find_person(session, args.person, args.programme)
            export = person_export(session, found, args.person) if found else None
            heads = [_member_line(m, p) for m, p in found]
    except UnknownProgramme as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        engine.dispose()
    if export is None:
        print(_nobody(args.person, args.programme), file=sys.stderr)
        return EXIT_BAD_INPUT
    out.write_text(as_json(export), encoding="utf-8")
    print(f"Wrote everything held about {args.person!r} to {out}: {'; '.join(heads)}.")
    print("\n".join(_counts(summary(export))))
    return EXIT_OK


def register(sub: Any) -> None:
    """Add the commands to `winterbot`'s subparsers (bot.app.cli.build_parser)."""
    forget = sub.add_parser(
        "forget", help="remove a person's identifiers and words on request, and say what was removed"
    )
    forget.add_argument("person", metavar="PERSON", help=PERSON_HELP)
    forget.add_argument("--programme", metavar="SLUG", help="only on this programme (default: every one they are on)")
    forget.add_argument("--dry-run", action="store_true", help="say what would be removed, and change nothing")
    forget.set_defaults(func=cmd_forget)

    export = sub.add_parser("export-person", help="write everything held about a person to a JSON file")
    export.add_argument("person", metavar="PERSON", help=PERSON_HELP)
    export.add_argument("--out", required=True, metavar="FILE.json", help="the file to write")
    export.add_argument("--programme", metavar="SLUG", help="only this programme (default: every one they are on)")
    export.set_defaults(func=cmd_export_person)
