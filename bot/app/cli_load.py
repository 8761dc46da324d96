"""`winterbot load`: a programme file into the database, for a workspace or tenant when one is
named, with the members named by email found first (bot.app.lookups)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.common.config import Settings
from bot.common.wording import plural

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    """The file is read and checked before the database is reached: a bad file is reported
    even while the database is away, and a hostile one never gets near it."""
    from bot.app.database_ready import ready_engine
    from bot.app.lookups import MembersNotFound, resolve_members
    from bot.programme.file import ProgrammeFileError
    from bot.programme.loader import load_programme, read_path
    from bot.programme.ownership import Owner, OwnershipError
    from bot.programme.people_lookup import LookupFailed

    path = Path(args.file)
    if not path.is_file():
        print(f"{path}: no such file. Run `winterbot init {path}` to start from the sample.", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        spec = read_path(path)
    except ProgrammeFileError as error:
        for problem in error.problems:
            print(str(problem), file=sys.stderr)
        count = len(error.problems)
        print(f"{plural(count, 'problem')} in {path}; nothing was loaded.", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        owner = Owner(args.workspace, args.enterprise, args.tenant)
        engine = ready_engine(settings.database_url, wait=False)
        try:
            spec = resolve_members(spec, owner, settings, engine, lambda line: print(line, file=sys.stderr))
            report = load_programme(engine, spec, prune=args.prune, owner=owner if owner.given else None)
        finally:
            engine.dispose()
    except (OwnershipError, LookupFailed) as error:
        print(f"{path}: {error}; nothing was loaded.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MembersNotFound as error:
        print(
            f"{error}\n{plural(len(error.problems), 'member')} cannot be reached; nothing was loaded.", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    print("\n".join(report.lines()))
    return EXIT_OK


def register(sub: Any) -> None:
    load = sub.add_parser("load", help="create or update a programme from a YAML file")
    load.add_argument("file", metavar="FILE.yaml")
    load.add_argument(
        "--prune", action="store_true", help="archive organisations, members, schemes and tranches not in the file"
    )
    load.add_argument("--workspace", metavar="T…", help="the Slack workspace (team id) whose programme it is")
    load.add_argument("--enterprise", metavar="E…", help="the Slack Enterprise Grid organisation whose it is")
    load.add_argument("--tenant", metavar="GUID", help="the Microsoft tenant whose programme it is (Teams)")
    load.set_defaults(func=cmd_load)
