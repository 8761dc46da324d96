"""An answer acknowledged to a partner is stored, even if the process dies at that moment.

Slack shows a partner the "Check-in saved" confirmation only from our ack to their
view_submission; from then on they trust that their figures were kept and will not type them
again. So the check-in must be committed before the ack leaves, not after it (while Slack is
being told, the App Home refreshed or the risk scan run).

This starts the real `winterbot serve` as a child process against the test's database, with
its Slack Web API at the loopback double; opens the check-in modal through the app
(`/winter checkin`) and sends it back filled in, signed as Slack signs it: two partners, then
one of them amending. The instant the last ack has been read the server gets SIGKILL, with no
chance to finish anything. Then the database is opened afresh and must hold every check-in,
its spend ledger rows exactly as typed (Decimal, to the penny) and its capacity levels. It
held none before, and each ack is checked to be the confirmation of that very answer, so the
test cannot pass on an ack that was an error or a refusal, nor on data from elsewhere.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_double import BOT_TOKEN, SlackDouble
from slack_signing import SIGNING_SECRET, interactivity_body, signed_headers, slash_command_body
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from test_slack_checkin import submission

from bot.programme.loader import load_path
from models.db import make_engine, session_scope
from models.tables import CapacityReport, CheckIn, Member, Scheme, SpendReport

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
PROGRAMME = Path(__file__).with_name("fixtures") / "checkin.yaml"
BOB, CAROL = "U0TEST0002", "U0TEST0003"
ORGANISATION = "Home Carers Ltd"
TRIGGER = "1111111111.2222222222.abcdefabcdefabcdefabcdefabcdefab"
STARTUP_SECONDS = 20.0
PLATFORM_VARIABLES = ("SLACK_APP_TOKEN", "CLIENT_ID", "CLIENT_SECRET", "TENANT_ID", "SERVICE_URL", "PORT")


@dataclass(frozen=True)
class Typed:
    """One scheme's three figures as the partner types them into the modal."""

    actual: str
    committed: str
    activity: str

    def exact(self) -> tuple[Decimal, Decimal, Decimal]:
        return _decimal(self.actual), _decimal(self.committed), _decimal(self.activity)


@dataclass(frozen=True)
class Answer:
    """A whole check-in: the figures for the two schemes and a level for each service."""

    user_id: str
    hours: Typed
    staff: Typed
    levels: dict[str, int]
    amends: bool = False


# Every figure only rises, so none needs a correction reason; pence make exactness visible.
ANSWERS = (
    Answer(
        BOB,
        Typed("£12,345.67", "£3,000.01", "1,200.5"),
        Typed("£20,000.10", "0", "4.5"),
        {"home_care": 3, "reablement": 2},
    ),
    Answer(
        CAROL,
        Typed("£13,000.99", "£3,100.50", "1,310.25"),
        Typed("£20,500", "£500", "5"),
        {"home_care": 4, "reablement": 2},
    ),
    Answer(
        BOB,
        Typed("£14,000.05", "£3,250.75", "1,402.75"),
        Typed("£21,250.40", "£750.60", "5.5"),
        {"home_care": 4, "reablement": 1},
        amends=True,
    ),
)


@dataclass(frozen=True)
class Stored:
    """What the database holds, read through a connection of its own."""

    checkins: list[CheckIn]
    spend: list[SpendReport]
    capacity: list[CapacityReport]
    members: dict[int, str]  # member id -> Slack user id


def _decimal(typed: str) -> Decimal:
    return Decimal(typed.replace("£", "").replace(",", ""))


# the server, as a child process


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(database_url: str, slack_api: SlackDouble) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PLATFORM_VARIABLES}
    return env | {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api.url,
        "PYTHONUNBUFFERED": "1",
    }


@contextmanager
def winterbot_serve(
    database_url: str, slack_api: SlackDouble, log: Path
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`python -m bot serve` on a free loopback port, healthy; killed however the test ends."""
    port = free_port()
    command = [sys.executable, "-m", "bot", "serve", "--port", str(port), "--host", "127.0.0.1"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=REPO, env=server_environment(database_url, slack_api), stdout=out, stderr=subprocess.STDOUT
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_healthy(process, url, log)
            yield process, url
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


def wait_until_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"winterbot serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).json().get("slack") == "http":
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"winterbot serve was not healthy in {STARTUP_SECONDS}s:\n{log.read_text()}")


def kill_at_once(process: subprocess.Popen[bytes]) -> int:
    """SIGKILL: no shutdown, no flushing, no finishing the work after the ack."""
    os.kill(process.pid, signal.SIGKILL)
    return process.wait(timeout=10)


# Slack's side


def post_signed(http: httpx.Client, body: str) -> httpx.Response:
    return http.post("/slack/events", content=body.encode(), headers=signed_headers(body))


def open_form(http: httpx.Client, slack_api: SlackDouble, user_id: str) -> dict[str, Any]:
    """`/winter checkin`: the app opens the modal through views.open; the view it sent."""
    opened = len(slack_api.calls("views.open"))
    response = post_signed(http, slash_command_body("checkin", user_id, trigger_id=TRIGGER))
    assert response.status_code == 200, response.text
    view = slack_api.wait_for("views.open", opened + 1)[-1]["view"]
    assert view["callback_id"] == "checkin_submit"
    return view


def filled_in(view: dict[str, Any], answer: Answer, scheme_ids: dict[str, int]) -> dict[str, str | None]:
    """Every field as the modal shows it, with the answer's figures and levels typed over."""
    values = {block["block_id"]: _initial(block["element"]) for block in view["blocks"] if block["type"] == "input"}
    for key, typed in (("hours", answer.hours), ("staff", answer.staff)):
        for part in ("actual", "committed", "activity"):
            values[f"scheme:{scheme_ids[key]}:{part}"] = getattr(typed, part)
    values |= {f"service:{service}": str(level) for service, level in answer.levels.items()}
    return values


def _initial(element: dict[str, Any]) -> str | None:
    option = element.get("initial_option")
    return option["value"] if option else element.get("initial_value")


def submit(http: httpx.Client, view: dict[str, Any], answer: Answer, scheme_ids: dict[str, int]) -> httpx.Response:
    """Send the filled-in modal; returns once the whole ack has been read."""
    payload = submission(view, filled_in(view, answer, scheme_ids), answer.user_id)
    return post_signed(http, interactivity_body(payload))


def assert_confirmed(response: httpx.Response, answer: Answer) -> None:
    """The ack is the confirmation of this very answer, not an error, a refusal or the form again."""
    assert response.status_code == 200, response.text
    ack = response.json()
    assert ack.get("response_action") == "update", ack
    view = ack["view"]
    assert (view["callback_id"], view["title"]["text"]) == ("checkin_done", "Check-in saved"), view
    said = _texts(view["blocks"])
    headline = (
        f"check-in for *{ORGANISATION}* is amended" if answer.amends else f"today's check-in for *{ORGANISATION}* is in"
    )
    assert headline in said, said
    assert f"Spent {answer.hours.actual}" in said and f"Spent {answer.staff.actual}" in said, said


def _texts(node: Any) -> str:
    if isinstance(node, dict):
        return "\n".join(_texts(v) for v in node.values())
    if isinstance(node, list):
        return "\n".join(_texts(v) for v in node)
    return node if isinstance(node, str) else ""


# the database, read afresh


def stored(database_url: str) -> Stored:
    """Read through a new engine, so nothing the test's own connections cached is seen."""
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            return Stored(
                checkins=list(session.exec(select(CheckIn).order_by(col(CheckIn.id)))),
                spend=list(session.exec(select(SpendReport).order_by(col(SpendReport.id)))),
                capacity=list(session.exec(select(CapacityReport).order_by(col(CapacityReport.id)))),
                members={m.id: m.platform_user_id for m in session.exec(select(Member))},
            )
    finally:
        engine.dispose()


def loaded_programme(engine: Engine) -> dict[str, int]:
    """The check-in programme loaded; its scheme ids by key. The test's connections are then
    closed, so the database holds only what the server writes from here on."""
    load_path(engine, PROGRAMME)
    with session_scope(engine) as session:
        ids = {s.key: s.id for s in session.exec(select(Scheme))}
    engine.dispose()
    return ids


def assert_kept(data: Stored, checkin: CheckIn, answer: Answer, scheme_ids: dict[str, int]) -> None:
    """The check-in is the answer's member's, and its ledger rows are exactly what was typed."""
    assert data.members[checkin.member_id] == answer.user_id
    spend = {r.scheme_id: r for r in data.spend if r.checkin_id == checkin.id}
    assert set(spend) == {scheme_ids["hours"], scheme_ids["staff"]}
    for key, typed in (("hours", answer.hours), ("staff", answer.staff)):
        row = spend[scheme_ids[key]]
        figures = (row.actual, row.committed, row.activity)
        assert all(isinstance(f, Decimal) for f in figures), figures
        assert figures == typed.exact(), (key, figures, typed)
        assert row.source == "checkin" and row.correction_reason is None
    levels = {r.service: r.level for r in data.capacity if r.checkin_id == checkin.id}
    assert levels == answer.levels


# the test


def test_an_acknowledged_checkin_is_stored_though_the_server_is_killed_straight_after(
    database_url: str, engine: Engine, slack_api: SlackDouble, tmp_path: Path
) -> None:
    scheme_ids = loaded_programme(engine)
    before = stored(database_url)
    assert (before.checkins, before.spend, before.capacity) == ([], [], [])

    *earlier, last = ANSWERS
    with (
        winterbot_serve(database_url, slack_api, tmp_path / "serve.log") as (process, url),
        httpx.Client(base_url=url, timeout=10) as http,
    ):
        for answer in earlier:
            assert_confirmed(submit(http, open_form(http, slack_api, answer.user_id), answer, scheme_ids), answer)
        so_far = len(stored(database_url).checkins)
        assert so_far == len(earlier), f"{len(earlier)} check-ins acknowledged, {so_far} in the database"

        view = open_form(http, slack_api, last.user_id)
        ack = submit(http, view, last, scheme_ids)
        status = kill_at_once(process)
    assert status == -signal.SIGKILL, f"the server was meant to be killed, not to exit ({status})"
    assert_confirmed(ack, last)

    after = stored(database_url)
    assert len(after.checkins) == len(ANSWERS), "an acknowledged check-in is missing after the kill"
    for checkin, answer in zip(after.checkins, ANSWERS, strict=True):
        assert_kept(after, checkin, answer, scheme_ids)
    first, _, amended = after.checkins
    assert amended.supersedes_id == first.id and first.supersedes_id is None
    assert len(after.spend) == 2 * len(ANSWERS) and len(after.capacity) == 2 * len(ANSWERS)
