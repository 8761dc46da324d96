"""The load generator of benchmarks/web_replicas.py, run as a process of its own so that its
CPU is not the servers': keep-alive HTTP/1.1 connections over asyncio streams (lighter than an
HTTP library, so more of the machine is left to the servers), each connection to one server
port, spread round-robin over the ports as a load balancer spreads connections.

    python benchmarks/web_replicas_load.py SPEC.json OUT.json

SPEC's `phase` is one of:
    forms    GET each check-in link, keep its cookie and its form's fields (written to OUT's
             `prepared`), as a browser does before anyone types;
    send     POST each prepared form with the answers filled in, through a server other than
             the one that showed it when there are several (OUT's `outcomes`: each answer);
    get      GET `path` over and over for `duration` seconds (the reference).
OUT holds the latencies (seconds), the wall time, and the outcome of every request.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
import zlib
from html import unescape
from typing import Any
from urllib.parse import urlencode

RECEIVED, AGAIN = b"Check-in received", b"Check-in already received"
TIMEOUT = 30.0
_INPUT = re.compile(r"<input\b([^>]*)>|<textarea\b([^>]*)>(.*?)</textarea>", re.S)
_ATTR = re.compile(r'([a-zA-Z-]+)(?:="([^"]*)")?')
_COOKIE = re.compile(r"^set-cookie:\s*winterbot_csrf=([^;\r\n]+)", re.I | re.M)


def form_fields(html: str) -> tuple[dict[str, str], list[str]]:
    """What the check-in form posts as it stands (as tests/web_checkin_support.form_fields), and
    the names of its radio groups, checked or not."""
    start = html.find('<form id="checkin-form"')
    html = html[start : html.index("</form>", start)] if start >= 0 else html
    found: dict[str, str] = {}
    radios: list[str] = []
    for one, area, text in _INPUT.findall(html):
        attrs = {k: unescape(v) for k, v in _ATTR.findall(one or area)}
        name = attrs.get("name")
        if not name:
            continue
        if area:
            found[name] = unescape(text.strip("\n"))
        elif attrs.get("type") == "radio":
            radios += [name] if name not in radios else []
            if "checked" in attrs:
                found[name] = attrs.get("value", "")
        else:
            found[name] = attrs.get("value", "")
    return found, radios


def answers(fields: dict[str, str], radios: list[str], member: int) -> dict[str, str]:
    """A partner's day: each service at a level (a third of them 3 or 4), open blockers as they
    stand, a comment; the figures as shown (several partners may answer for one scheme, and a
    figure below another's of today would be refused without a reason). Deterministic."""
    filled = dict(fields)
    for name in radios:
        if name.startswith("service:") and name.count(":") == 1:
            filled[name] = str(1 + zlib.crc32(f"{member}{name}".encode()) % 4)
        filled.setdefault(name, "still")
    filled["comment"] = "Two carers off sick; the rest as planned."
    return filled


class Connection:
    """One keep-alive connection to one port; requests one at a time, as a browser's tab."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, head: str, body: bytes = b"") -> tuple[int, bytes, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(head.encode() + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        status = int(raw.split(b" ", 2)[1])
        match = re.search(rb"\r\ncontent-length:\s*(\d+)", raw, re.I)
        content = await self.reader.readexactly(int(match.group(1))) if match else b""
        if re.search(rb"\r\nconnection:\s*close", raw, re.I):
            await self.close()
        return status, raw, content

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def get_head(port: int, path: str) -> str:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/html\r\n\r\n"


def post_head(port: int, path: str, cookie: str, origin: str, length: int) -> str:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nCookie: winterbot_csrf={cookie}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    )


async def timed(connection: Connection, head: str, body: bytes = b"") -> tuple[float, int, bytes, bytes]:
    began = time.perf_counter()
    try:
        status, raw, content = await asyncio.wait_for(connection.request(head, body), TIMEOUT)
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
        await connection.close()
        return time.perf_counter() - began, 0, b"", type(error).__name__.encode()
    return time.perf_counter() - began, status, raw, content


async def show_forms(spec: dict[str, Any]) -> dict[str, Any]:
    ports, links = spec["ports"], spec["links"]  # links: [[member id, path], ...]
    queues = _share(list(range(len(links))), spec["connections"])
    prepared: list[Any] = [None] * len(links)
    latencies: list[float] = []
    failures: list[str] = []

    async def worker(c: int, queue: list[int]) -> None:
        connection = Connection(ports[c % len(ports)])
        for i in queue:
            member, path = links[i]
            took, status, raw, content = await timed(connection, get_head(connection.port, path))
            latencies.append(took)
            cookie = _COOKIE.search(raw.decode("latin-1"))
            if status != 200 or cookie is None:
                failures.append(f"form {status}: {content[:120]!r}")
                continue
            fields, radios = form_fields(content.decode())
            prepared[i] = {"member": member, "path": path, "shown_by": connection.port, "cookie": cookie.group(1)}
            prepared[i]["body"] = urlencode(answers(fields, radios, member))
        await connection.close()

    return await _run(spec, worker, queues, latencies, failures, prepared=prepared)


async def send_forms(spec: dict[str, Any]) -> dict[str, Any]:
    """Each form goes to the next replica after the one that showed it (to the same one when
    there is one): connection c is to port c % n, and takes a share of the forms sent there."""
    ports, forms = spec["ports"], [f for f in spec["prepared"] if f is not None]
    n, connections = len(ports), spec["connections"]
    to_port: dict[int, list[int]] = {port: [] for port in ports}
    for i, form in enumerate(forms):
        to_port[ports[(ports.index(form["shown_by"]) + 1) % n]].append(i)
    queues = [to_port[ports[c % n]][c // n :: len(range(c % n, connections, n))] for c in range(connections)]
    latencies: list[float] = []
    failures: list[str] = []
    outcomes: list[str] = []

    async def worker(c: int, queue: list[int]) -> None:
        connection = Connection(ports[c % n])
        for i in queue:
            form = forms[i]
            body = form["body"].encode()
            head = post_head(connection.port, form["path"], form["cookie"], spec["origin"], len(body))
            took, status, _, content = await timed(connection, head, body)
            latencies.append(took)
            outcome = "received" if RECEIVED in content else "again" if AGAIN in content else f"{status}"
            outcomes.append(outcome)
            if outcome != spec.get("expect", "received"):
                failures.append(f"send {status}: {_why(content)}")
        await connection.close()

    return await _run(spec, worker, queues, latencies, failures, outcomes=outcomes)


async def get_for(spec: dict[str, Any]) -> dict[str, Any]:
    ports, until = spec["ports"], time.perf_counter() + spec["duration"]
    latencies: list[float] = []
    failures: list[str] = []

    async def worker(c: int, _queue: list[int]) -> None:
        connection = Connection(ports[c % len(ports)])
        while time.perf_counter() < until:
            took, status, _, content = await timed(connection, get_head(connection.port, spec["path"]))
            latencies.append(took)
            if status != 200:
                failures.append(f"get {status}: {content[:120]!r}")
        await connection.close()

    return await _run(spec, worker, [[] for _ in range(spec["connections"])], latencies, failures)


def _why(content: bytes) -> str:
    """A refused page's error summary, or its end."""
    text = content.decode(errors="replace")
    if "nhsuk-error-summary__list" in text:
        listed = text.split("nhsuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
        return " / ".join(re.sub(r"<[^>]+>|\s+", " ", item).strip() for item in listed.split("</li>")[:-1])
    return repr(content[-300:])


def _share(items: list[int], parts: int) -> list[list[int]]:
    return [items[c::parts] for c in range(parts)]


async def _run(spec: dict[str, Any], worker: Any, queues: list[list[int]], latencies: list[float],
               failures: list[str], **kept: Any) -> dict[str, Any]:  # fmt: skip
    began = time.perf_counter()
    await asyncio.gather(*(worker(c, queue) for c, queue in enumerate(queues)))
    wall = time.perf_counter() - began
    return {"phase": spec["phase"], "wall": wall, "latencies": latencies, "failures": failures, **kept}


PHASES = {"forms": show_forms, "send": send_forms, "get": get_for}


def main(argv: list[str]) -> int:
    spec_path, out_path = argv
    with open(spec_path) as spec_file:
        spec = json.load(spec_file)
    result = asyncio.run(PHASES[spec["phase"]](spec))
    with open(out_path, "w") as out:
        json.dump(result, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
