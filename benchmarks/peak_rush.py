"""The 09:30 rush of peak.py: today's answers and the schedule of check-ins and lead probes,
the open-loop driver that sends them, and what followed the last check-in (the escalations, the
backlog, the prompts' fan-out)."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from benchmarks import harness
from benchmarks.harness import Load, People, Process, Recorder, Request, Travel
from benchmarks.peak_programme import CHANNEL, LEADS_CHANNEL

HOME_TIMEOUT_SECONDS = 60.0
QUIET_SECONDS = 5.0
CHECKIN, STATUS, SPEND, RISKS, HOME = "check-in", "status", "spend", "risks", "home"
PROBES = (STATUS, SPEND, RISKS, HOME)


# ---------------------------------------------------------------- today's answers and the schedule


@dataclass(frozen=True)
class Today:
    """Each organisation's levels today (its partners all say the same), and the organisations
    whose check-in takes a service to level 4 from below."""

    levels: dict[int, dict[str, int]]
    raised_to_4: frozenset[int]


def todays_levels(found: People, seed: int) -> Today:
    rng = random.Random(seed + 1)
    levels: dict[int, dict[str, int]] = {}
    raised: set[int] = set()
    for partner in sorted(found.partners, key=lambda p: p.organisation_id):
        if partner.organisation_id in levels:
            continue
        today = {}
        for service, last in sorted(partner.levels.items()):
            today[service] = _level_today(last or 2, rng)
            if today[service] == 4 and (last or 0) < 4:
                raised.add(partner.organisation_id)
        levels[partner.organisation_id] = today
    return Today(levels, frozenset(raised))


def _level_today(last: int, rng: random.Random) -> int:
    """Mostly as before; one in ten below 4 goes to 4; some at 3+ ease by one, a few at 1-2 worsen by one."""
    draw = rng.random()
    if last < 4 and draw < 0.10:
        return 4
    if last >= 3 and draw < 0.25:
        return last - 1
    if last <= 2 and draw < 0.16:
        return last + 1
    return last


@dataclass(frozen=True)
class Planned:
    at: float  # seconds after the start
    kind: str
    request: Request
    organisation_id: int | None = None


def schedule(found: People, today: Today, rate: float, probe_every: float, seed: int) -> list[Planned]:
    """Every partner's check-in once, in a fixed shuffled order at `rate` a second; the leads'
    probes every `probe_every` seconds each, staggered, until the last check-in."""
    partners = sorted(found.partners, key=lambda p: p.user_id)
    random.Random(seed + 2).shuffle(partners)
    planned = [Planned(i / rate, CHECKIN, _checkin(p, today, i), p.organisation_id) for i, p in enumerate(partners)]
    last = planned[-1].at if planned else 0.0
    leads = _cycle(found.leads)
    probes = int(last // probe_every) + 1
    for n in range(probes):
        for offset, kind in enumerate(PROBES):
            at = n * probe_every + offset * probe_every / len(PROBES)
            lead = next(leads)
            request = harness.home_opened(lead) if kind == HOME else harness.command(lead, kind, CHANNEL)
            planned.append(Planned(at, kind, request))
    return sorted(planned, key=lambda p: p.at)


def _cycle(items: list[str]) -> Iterator[str]:
    while True:
        yield from items


def _checkin(partner: harness.Partner, today: Today, n: int) -> Request:
    answers = harness.Answers(
        levels=today.levels[partner.organisation_id],
        figures=harness.rising_figures(partner),
        blockers="No drivers for the equipment van on Thursday" if n % 7 == 0 else None,
        comment="Discharges up again this morning; two packages started" if n % 3 == 0 else None,
    )
    return harness.checkin_submission(partner, answers, prompt_ts=f"1768815000.{n:06d}")


# ---------------------------------------------------------------- the open-loop driver


@dataclass
class Done:
    planned: Planned
    began: float  # wall clock, when it was sent
    answered: float  # wall clock, when its answer arrived (or it gave up)
    latency_ms: float
    problem: str | None


@dataclass
class Driven:
    done: list[Done]
    lag_ms: float  # the latest a request started after its planned time


def winterbot_checks(programme_name: str) -> dict[str, harness.Check]:
    screen = harness.screen_check(programme_name)
    return {CHECKIN: harness.checkin_check, STATUS: screen, SPEND: screen, RISKS: screen, HOME: harness.acked}


async def drive(
    port: int, planned: list[Planned], checks: dict[str, harness.Check], travel: Travel, follow: Recorder | None
) -> Driven:
    """Each request on a new connection at its planned time, checked by its kind (an ack when
    not named); App Homes followed to their views.publish when `follow` is given, the n-th open
    of a lead matched to their n-th Home."""
    homes: Counter[str] = Counter()
    start = time.perf_counter()
    lag = 0.0
    tasks = []
    for item in planned:
        delay = start + item.at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        lag = max(lag, time.perf_counter() - start - item.at)
        index = homes[item.request.user] if item.kind == HOME else 0
        homes[item.request.user] += item.kind == HOME
        home = (follow, index) if follow is not None and item.kind == HOME else None
        tasks.append(asyncio.create_task(_send(port, item, checks.get(item.kind, harness.acked), travel, home)))
    return Driven(list(await asyncio.gather(*tasks)), lag * 1000)


async def _send(
    port: int, item: Planned, check: harness.Check, travel: Travel, home: tuple[Recorder, int] | None
) -> Done:
    began, wall = time.perf_counter(), time.time()
    writer = None
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10)
        writer.write(harness.signed_request(port, item.request, travel.timestamp(), close=True))
        status, content = await asyncio.wait_for(harness.read_response(reader), harness.CLIENT_TIMEOUT_SECONDS)
        problem = check(status, content)
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
        problem = f"{type(error).__name__}: {error}"
    finally:
        if writer is not None:
            writer.close()
    latency_ms = (time.perf_counter() - began) * 1000
    if home is not None and problem is None:
        arrived = await home[0].wait_published(item.request.user, home[1], wall, HOME_TIMEOUT_SECONDS)
        problem = None if arrived is not None else f"no views.publish within {HOME_TIMEOUT_SECONDS:g}s"
        latency_ms = ((arrived or time.time()) - wall) * 1000
    return Done(item, wall, wall + latency_ms / 1000, latency_ms, problem)


def loads(driven: Driven) -> dict[str, Load]:
    found = {kind: Load(kind) for kind in (CHECKIN, *PROBES)}
    for done in driven.done:
        found[done.planned.kind].add(done.latency_ms, done.problem)
    for kind, load in found.items():
        mine = [d for d in driven.done if d.planned.kind == kind]
        if mine:
            load.seconds = max(d.answered for d in mine) - min(d.began for d in mine)
    return found


# ---------------------------------------------------------------- after the last check-in


@dataclass
class Escalations:
    expected: int = 0
    delays_s: list[float] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def escalation_posts(recorder: Recorder) -> list[Any]:
    return [
        c
        for c in recorder.calls("chat.postMessage")
        if c.get("channel") == LEADS_CHANNEL and str(c.get("text", "")).startswith("Critical risk escalated")
    ]


def escalations(driven: Driven, today: Today, names: dict[int, str], recorder: Recorder) -> Escalations:
    """From the answer to each organisation's first check-in that raised a service to level 4
    to the first critical escalation naming it in the leads' channel."""
    first: dict[int, Done] = {}
    for done in driven.done:
        org = done.planned.organisation_id
        if done.planned.kind == CHECKIN and org in today.raised_to_4 and org not in first:
            first[org] = done
    posts = escalation_posts(recorder)
    found = Escalations(expected=len(first))
    for org, done in first.items():
        marker = f"leads: {names[org]}:"
        arrived = next((c.at for c in posts if marker in str(c.get("text"))), None)
        if arrived is None:
            found.missing.append(names[org])
        else:
            found.delays_s.append(arrived - done.answered)
    return found


def _caused_by_checkins(call: Any) -> bool:
    """A Home, a prompt marked answered, or an escalation: the web server's work after an ack."""
    if call.method in ("views.publish", "chat.update"):
        return True
    return "risk escalated" in str(call.get("text", ""))


def wait_for_backlog(
    driven: Driven, today: Today, names: dict[int, str], recorder: Recorder, server: Process, wait: float
) -> float | None:
    """Wait until every expected escalation is in and the server has done nothing for
    QUIET_SECONDS, at most `wait` seconds after the last check-in. How long after the last
    check-in's answer the server last worked (its last second of CPU, or its last Home, prompt
    update or escalation reaching the double); None if it was still busy when the wait ran out."""
    last_checkin = max((d.answered for d in driven.done if d.planned.kind == CHECKIN), default=time.time())
    last_busy = last_checkin
    while time.time() < last_checkin + wait:
        window_start, cpu = time.time(), server.cpu_seconds()
        time.sleep(1.0)
        if server.cpu_seconds() - cpu >= 0.05:
            last_busy = max(last_busy, window_start + 1.0)
        last_busy = max(last_busy, _last_work(recorder))
        missing = escalations(driven, today, names, recorder).missing
        if not missing and time.time() - last_busy >= QUIET_SECONDS:
            break
    return last_busy - last_checkin if time.time() - last_busy >= QUIET_SECONDS else None


def _last_work(recorder: Recorder) -> float:
    return max(
        (
            c.at
            for m in ("chat.postMessage", "views.publish", "chat.update")
            for c in recorder.calls(m)
            if _caused_by_checkins(c)
        ),
        default=0.0,
    )


@dataclass(frozen=True)
class Posted:
    """The escalations that reached the double: to the leads' channel, to members' DMs."""

    to_leads: int
    to_members: int
    last_after_s: float  # the last one, after the last check-in's answer


def posted(recorder: Recorder, driven: Driven) -> Posted:
    found = [c for c in recorder.calls("chat.postMessage") if "risk escalated" in str(c.get("text", ""))]
    last_checkin = max((d.answered for d in driven.done if d.planned.kind == CHECKIN), default=0.0)
    to_leads = sum(1 for c in found if c.get("channel") == LEADS_CHANNEL)
    last = max((c.at for c in found), default=last_checkin)
    return Posted(to_leads, len(found) - to_leads, last - last_checkin)


@dataclass(frozen=True)
class Prompts:
    delivered: int
    seconds: float
    refused: int


def prompts(slack: Any, recorder: Recorder) -> Prompts:
    sent = [
        c
        for c in recorder.calls("chat.postMessage")
        if ":daily-prompts:" in str(((c.get("metadata") or {}).get("event_payload") or {}).get("key", ""))
    ]
    refused = len(slack.calls("chat.postMessage")) - len(recorder.calls("chat.postMessage"))
    seconds = (sent[-1].at - sent[0].at) if sent else 0.0
    return Prompts(len(sent), seconds, refused)
