"""Load a checked programme file into the database, creating or updating in place.

Everything happens in one transaction: a failure anywhere leaves the database as it was.
Rows are matched by their keys (programme by slug; tranches, organisations and schemes by
key; members by platform and user id), so loading the same file twice changes nothing. A member
not matched so, reached by email on one side and on a chat account on the other (found by email
at last, or no longer), is matched by that email address: one person stays one row.
Rows missing from the file are left alone, or archived with `prune` (never deleted: check-ins
and spend reports point at them); a row that comes back in a later file is restored.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.programme.file import (
    MemberSpec,
    OrganisationSpec,
    Problem,
    ProgrammeFile,
    ProgrammeFileError,
    ProgrammeSpec,
    SchemeSpec,
    TrancheSpec,
    parse_programme_file,
)
from bot.programme.guard import MAX_FILE_BYTES, Refused, decode
from bot.programme.load_report import FILE_NAMES, KindReport, LoadReport
from bot.programme.ownership import Owner, claim
from bot.programme.people_lookup import unresolved
from models.db import session_scope
from models.tables import AuditEvent, Member, Organisation, Programme, Scheme, Tranche, utcnow
from models.vocabulary import Platform

ACTOR = "loader"
ACTION = "programme.loaded"


@dataclass(frozen=True)
class _Wanted:
    ident: Hashable
    label: str
    values: dict[str, Any]
    alias: Hashable | None = None  # matched by this when nothing has its ident (members: their email)


def load_path(engine: Engine, path: str | os.PathLike[str] | Traversable, *, prune: bool = False) -> LoadReport:
    """Read, check and load a programme file; raises ProgrammeFileError for a bad or unreadable file."""
    return load_programme(engine, read_path(path), prune=prune)


def read_path(path: str | os.PathLike[str] | Traversable) -> ProgrammeFile:
    """Read and check a programme file, touching no database; raises ProgrammeFileError.
    Reads at most one byte past the size limit, so a huge file is refused without filling memory."""
    target = Path(path) if isinstance(path, (str, os.PathLike)) else path
    source = str(path)
    try:
        with target.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise ProgrammeFileError([Problem(None, "", f"cannot read the file: {reason}", source)], source) from error
    try:
        text = decode(data)
    except Refused as refused:
        problem = Problem(refused.line, "", refused.message, source, refused.column)
        raise ProgrammeFileError([problem], source) from None
    return parse_programme_file(text, source)


def load_programme(
    engine: Engine, spec: ProgrammeFile, *, prune: bool = False, owner: Owner | None = None, actor: str = ACTOR
) -> LoadReport:
    """Create or update the programme in `spec`, in one transaction; for `owner` (a workspace or
    tenant) when given, refusing (bot.programme.ownership.OwnershipError) a programme of another.
    A member still `by-email` (bot.programme.people_lookup.resolve finds them) is a ProgrammeFileError.
    `actor`: who the audit trail says loaded it (the loader itself, or who uploaded it in a chat)."""
    pending = unresolved(spec)
    if pending:
        raise ProgrammeFileError(pending, spec.source)
    now = utcnow()
    with session_scope(engine) as session:
        programme, created, changes = _upsert_programme(session, spec.programme, _measures(spec), _confidential(spec))
        assert programme.id is not None
        if owner is not None and claim(programme, owner) and not created:
            changes.append("owner")
        kinds = _sync_all(session, programme.id, spec, prune, now)
        report = LoadReport(
            slug=programme.slug,
            name=programme.name,
            source=spec.source,
            programme_created=created,
            programme_changes=changes,
            kinds=kinds,
            prune=prune,
            allocation=spec.allocation,
            budgeted=spec.budgeted,
            warnings=spec.warnings(),
        )
        if report.changed and not created:
            programme.updated_at = now
        session.add(_audit(programme.id, report, actor))
    return report


def _sync_all(
    session: Session, programme_id: int, spec: ProgrammeFile, prune: bool, now: datetime
) -> dict[str, KindReport]:
    def sync(
        model: Any, ident: Callable[[Any], Hashable], label: Callable[[Any], str], wanted: list[_Wanted]
    ) -> KindReport:
        return _sync(session, model, programme_id, ident, label, wanted, prune=prune, now=now)

    kinds = {
        "tranches": sync(Tranche, _by_key, _key_label, [_tranche(t) for t in spec.programme.tranches]),
        "organisations": sync(Organisation, _by_key, _key_label, [_organisation(o) for o in spec.organisations]),
    }
    org_ids = {
        row.key: row.id
        for row in session.exec(select(Organisation).where(Organisation.programme_id == programme_id)).all()
    }
    kinds["members"] = _sync(
        session,
        Member,
        programme_id,
        _by_user,
        _member_label,
        [_member(m, org_ids) for m in spec.members],
        prune=prune,
        now=now,
        alias_of=_member_alias,
    )
    kinds["schemes"] = sync(Scheme, _by_key, _key_label, [_scheme(s, org_ids) for s in spec.schemes])
    return kinds


def _programme_values(spec: ProgrammeSpec) -> dict[str, Any]:
    cadence = spec.cadence
    return {
        "slug": spec.slug,
        "name": spec.name,
        "timezone": spec.timezone,
        "deadline": spec.deadline,
        "channel": spec.channel or "",
        "leads_channel": spec.leads_channel,
        "checkin_time": cadence.checkin,
        "reminder_time": cadence.reminder,
        "brief_time": cadence.brief,
        "digest_weekday": cadence.digest[0],
        "digest_time": cadence.digest[1],
    }


def _upsert_programme(
    session: Session,
    spec: ProgrammeSpec,
    measures: dict[str, list[dict[str, str | None]]],
    confidential: dict[str, str | list[str]],
) -> tuple[Programme, bool, list[str]]:
    """The programme row, whether it was created, and which fields changed."""
    values = _programme_values(spec)
    teams = {"channel": spec.teams_channel, "leads_channel": spec.teams_leads_channel}
    settings = {
        "thresholds": spec.thresholds.model_dump(mode="json"),
        "measures": measures,
        "teams": {k: v for k, v in teams.items() if v},
        "fortnightly_return": spec.fortnightly_return.model_dump(mode="json") if spec.fortnightly_return else {},
        "confidential": confidential,
    }
    programme = session.exec(select(Programme).where(Programme.slug == spec.slug)).first()
    if programme is None:
        programme = Programme(**values, settings=settings)
        session.add(programme)
        session.flush()
        return programme, True, []
    changes = _apply(programme, values)
    for name, wanted in settings.items():
        # A programme loaded before a setting existed has none: the same as an empty one.
        if (programme.settings.get(name) or type(wanted)()) != wanted:
            # A new dict, not an in-place edit: the JSON column only notices assignment.
            programme.settings = {**programme.settings, name: wanted}
            changes.append(name)
    return programme, False, _file_names(changes)


def _measures(spec: ProgrammeFile) -> dict[str, list[dict[str, str | None]]]:
    """Programme.settings["measures"]: {service: [{"key", "label", "unit"}]}, in file order."""
    return {
        service.value: [measure.model_dump(mode="json") for measure in measures]
        for service, measures in spec.measures.items()
    }


def _confidential(spec: ProgrammeFile) -> dict[str, str | list[str]]:
    """Programme.settings["confidential"]: {organisation key: "all" or [service, ...]}, read by
    bot.people.confidential. Kept with the programme, by key, so no table changes."""
    return {o.key: setting for o in spec.organisations if (setting := o.confidential_setting) is not None}


def _apply(row: Any, values: dict[str, Any]) -> list[str]:
    """Set the values that differ; return the names of the columns changed."""
    changed = []
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return changed


def _file_names(columns: list[str]) -> list[str]:
    return list(dict.fromkeys(FILE_NAMES.get(name, name) for name in columns))


def _sync(
    session: Session,
    model: Any,
    programme_id: int,
    ident_of: Callable[[Any], Hashable],
    label_of: Callable[[Any], str],
    wanted: list[_Wanted],
    *,
    prune: bool,
    now: datetime,
    alias_of: Callable[[Any, _Wanted], Hashable | None] | None = None,
) -> KindReport:
    report = KindReport()
    rows = session.exec(select(model).where(model.programme_id == programme_id).order_by(col(model.id))).all()
    matched = _match(list(rows), wanted, ident_of, alias_of)
    for item, row in zip(wanted, matched, strict=True):
        if row is None:
            session.add(model(programme_id=programme_id, **item.values))
            report.created.append(item.label)
            continue
        changes = _file_names(_apply(row, item.values))
        if row.archived_at is not None:
            row.archived_at = None
            report.restored.append(item.label)
        if changes:
            report.updated[item.label] = changes
        elif item.label not in report.restored:
            report.unchanged += 1
    in_file = {id(row) for row in matched if row is not None}
    for row in rows:
        if id(row) in in_file or row.archived_at is not None:
            continue
        if prune:
            row.archived_at = now
            report.archived.append(label_of(row))
        else:
            report.not_in_file += 1
    session.flush()
    return report


def _match(
    rows: list[Any],
    wanted: list[_Wanted],
    ident_of: Callable[[Any], Hashable],
    alias_of: Callable[[Any, _Wanted], Hashable | None] | None,
) -> list[Any | None]:
    """Each wanted item's row: the one with its ident; failing that, one that no item has by its
    ident and whose alias (for this item) is the item's, a row in use before an archived one."""
    by_ident = {ident_of(row): row for row in rows}
    matched = [by_ident.get(item.ident) for item in wanted]
    if alias_of is None:
        return matched
    taken = {id(row) for row in matched if row is not None}
    for n, item in enumerate(wanted):
        if matched[n] is not None or item.alias is None:
            continue
        candidates = [r for r in rows if id(r) not in taken and alias_of(r, item) == item.alias]
        candidates.sort(key=lambda r: r.archived_at is not None)
        if candidates:
            matched[n] = candidates[0]
            taken.add(id(candidates[0]))
    return matched


def _member_alias(row: Member, item: _Wanted) -> Hashable | None:
    """A member's email address, when one side is reached by email and the other on a chat
    account: someone found by email at last (or no longer). Two chat accounts never match."""
    platforms = {row.platform, item.values["platform"]}
    if not row.email or len(platforms) == 1 or Platform.EMAIL.value not in platforms:
        return None
    return row.email.lower()


def _by_key(row: Any) -> Hashable:
    return row.key


def _key_label(row: Any) -> str:
    return str(row.key)


def _by_user(row: Member) -> Hashable:
    return (row.platform, row.platform_user_id)


def _member_label(row: Member) -> str:
    return f"{row.name} ({row.platform_user_id})"


def _tranche(spec: TrancheSpec) -> _Wanted:
    values = {
        "key": spec.key,
        "name": spec.name,
        "amount": spec.amount,
        "funding_source": spec.source.value,
        "announced_on": spec.announced,
        "available_on": spec.available,
    }
    return _Wanted(spec.key, spec.key, values)


def _organisation(spec: OrganisationSpec) -> _Wanted:
    values = {
        "key": spec.key,
        "name": spec.name,
        "kind": spec.kind.value,
        "services": [service.value for service in spec.services or []],
    }
    return _Wanted(spec.key, spec.key, values)


def _member(spec: MemberSpec, org_ids: dict[str, int | None]) -> _Wanted:
    """A member's timezone is only set when the file gives one, so one set elsewhere survives."""
    values: dict[str, Any] = {
        "platform": spec.platform.value,
        "platform_user_id": spec.user_id,
        "name": spec.name,
        "organisation_id": org_ids[spec.organisation],
        "role": spec.role.value,
        "email": spec.email,
        "mobile": spec.mobile,
    }
    if spec.timezone is not None:
        values["timezone"] = spec.timezone
    alias = spec.email.lower() if spec.email else None
    return _Wanted((spec.platform.value, spec.user_id), f"{spec.name} ({spec.user_id})", values, alias)


def _scheme(spec: SchemeSpec, org_ids: dict[str, int | None]) -> _Wanted:
    values = {
        "key": spec.key,
        "name": spec.name,
        "owner_organisation_id": org_ids[spec.owner],
        "scheme_type": spec.type.value,
        "funding_source": spec.source.value,
        "budget": spec.budget,
        "unit": spec.unit.value,
        "planned": spec.planned,
    }
    return _Wanted(spec.key, spec.key, values)


def _audit(programme_id: int, report: LoadReport, actor: str) -> AuditEvent:
    state = "created" if report.programme_created else "updated" if report.changed else "unchanged"
    return AuditEvent(
        programme_id=programme_id,
        actor=actor,
        action=ACTION,
        subject=report.slug,
        detail={
            "source": report.source,
            "prune": report.prune,
            "programme": state,
            "programme_changes": report.programme_changes,
            "counts": report.counts(),
        },
    )
