"""Where a web page's database work runs: on the web process's request threads
(bot.app.background.Workers, `app.state.workers`), as Slack's and Teams' requests' does.

Not Starlette's own pool (`run_in_threadpool`, up to 40 threads): under a burst of check-ins
that let as many requests hold a database connection at once as there were requests, beyond
the engine's pool of five, and SQLAlchemy opens each connection over the pool's size afresh and
closes it when given back. On PostgreSQL that is a new server process per request in the burst
(benchmarks/web_replicas.py counted about 55 new sessions for 200 check-ins, 90 for 200 forms shown):
CPU the database spends on connecting rather than on the check-ins, on every replica at once.
On the request threads at most REQUEST_THREADS hold a connection, and the after-acknowledgement
work gives way while they do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from bot.app.background import Workers

T = TypeVar("T")


async def on_request_threads(request: Request, work: Callable[[], T]) -> T:
    """`work()` on the app's request threads; on Starlette's pool for an app built without them."""
    workers = getattr(request.app.state, "workers", None)
    if isinstance(workers, Workers):
        return await workers.run(work)
    return await run_in_threadpool(work)
