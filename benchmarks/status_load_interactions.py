"""The interactions status_load.py measures (`/winter status`, `spend`, `risks`, the App Home,
the check-in), each a stream of requests per worker and a check of its answers, and the load
that drives one of them over keep-alive connections."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from benchmarks import harness
from benchmarks.harness import Check, Load, People, Recorder, Request, Travel

HOME_TIMEOUT_SECONDS = 10.0
T = TypeVar("T")


@dataclass(frozen=True)
class Interaction:
    """One kind of request: what each worker sends next, and what counts as a good answer."""

    name: str
    requests: Callable[[int, int], Iterator[Request]]  # (worker, workers) -> that worker's requests
    check: Check
    follows_home: bool = False  # latency runs until the double has the user's views.publish


# ---------------------------------------------------------------- the interactions


def interactions(found: People, names: list[str]) -> list[Interaction]:
    lead = found.leads[0]
    screen = harness.screen_check(found.programme_name)
    with_services = [p for p in found.partners if p.levels]
    made = {
        "status": Interaction("status", _same(harness.command(lead, "status")), screen),
        "spend": Interaction("spend", _same(harness.command(lead, "spend")), screen),
        "risks": Interaction("risks", _same(harness.command(lead, "risks")), screen),
        "home": Interaction(
            "home",
            _round_robin([p.user_id for p in found.partners], harness.home_opened),
            harness.acked,
            follows_home=True,
        ),
        "checkin": Interaction("checkin", _round_robin(with_services, _checkin), harness.checkin_check),
    }
    return [made[name] for name in names]


def _same(request: Request) -> Callable[[int, int], Iterator[Request]]:
    return lambda worker, workers: itertools.repeat(request)


def _round_robin(items: list[T], make: Callable[[T], Request]) -> Callable[[int, int], Iterator[Request]]:
    """Worker w takes items w, w + workers, ...: no two workers share one."""

    def requests(worker: int, workers: int) -> Iterator[Request]:
        mine = items[worker::workers] or items[:1]
        return (make(item) for item in itertools.cycle(mine))

    return requests


def _checkin(partner: harness.Partner) -> Request:
    """Every service at level 3 or 4 (4 for one organisation in three), the figures a little up."""
    level = 4 if partner.organisation_id % 3 == 0 else 3
    answers = harness.Answers(
        levels=dict.fromkeys(partner.levels, level),
        figures=harness.rising_figures(partner),
        blockers="Two carers off sick this week" if partner.organisation_id % 5 == 0 else None,
        comment="Busy morning, discharges up" if partner.organisation_id % 2 == 0 else None,
    )
    return harness.checkin_submission(partner, answers)


# ---------------------------------------------------------------- the load


async def drive(
    interaction: Interaction,
    port: int,
    travel: Travel,
    recorder: Recorder | None,
    connections: int,
    warmup: float,
    duration: float,
) -> Load:
    """`connections` workers on their own keep-alive connections; the latencies of the requests
    that start in the measured window."""
    load = Load(interaction.name)
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + duration
    last_end = measure_from
    follow = recorder if interaction.follows_home else None

    async def worker(index: int) -> None:
        nonlocal last_end
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for request in interaction.requests(index, connections):
                began = time.perf_counter()
                if began >= stop_at:
                    break
                problem, reader, writer = await _one(port, request, interaction.check, travel, follow, reader, writer)
                ended = time.perf_counter()
                if began >= measure_from:
                    last_end = max(last_end, ended)
                    load.add((ended - began) * 1000, problem)
        finally:
            writer.close()

    await asyncio.gather(*(worker(i) for i in range(connections)))
    load.seconds = last_end - measure_from
    return load


async def _one(
    port: int,
    request: Request,
    check: Check,
    travel: Travel,
    follow: Recorder | None,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
) -> tuple[str | None, asyncio.StreamReader, asyncio.StreamWriter]:
    """Send one request on the connection (a new one after an error); what was wrong, if anything."""
    seen = follow.published(request.user) if follow else 0
    wall = time.time()
    try:
        writer.write(harness.signed_request(port, request, travel.timestamp()))
        status, content = await asyncio.wait_for(harness.read_response(reader), harness.CLIENT_TIMEOUT_SECONDS)
        problem = check(status, content)
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
        problem = f"{type(error).__name__}: {error}"
        writer.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    if follow is not None and problem is None:
        arrived = await follow.wait_published(request.user, seen, wall, HOME_TIMEOUT_SECONDS)
        if arrived is None:
            problem = f"no views.publish within {HOME_TIMEOUT_SECONDS:g}s"
    return problem, reader, writer
