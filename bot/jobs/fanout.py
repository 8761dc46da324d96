"""Sending one message to each of many destinations, each exactly once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from bot.deliveries import Claim, Planned, claim, delivery_key, ledger, mark_failed, mark_sent, plan
from bot.jobs.base import JobContext, JobResult
from bot.ports import Messenger, Recipient, SendError
from bot.prompts import Prompt

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """One message to send under one key: how to send it, and how to look for it having
    gone already when an earlier attempt ended without an outcome."""

    key: str
    platform: str
    send: Callable[[Messenger, str], str]
    find: Callable[[Messenger, str], str | None]
    member_id: int | None = None
    target: str | None = None


@dataclass(frozen=True)
class Send:
    """A prompt or reminder to one member."""

    recipient: Recipient
    prompt: Prompt


def prompt_outgoing(result: JobResult, send: Send) -> Outgoing:
    recipient, prompt = send.recipient, send.prompt
    return Outgoing(
        key=delivery_key(result.programme, result.job, f"m{recipient.member_id}", result.local_date),
        platform=recipient.platform,
        send=lambda messenger, key: messenger.send_prompt(recipient, prompt, key),
        find=lambda messenger, key: messenger.find_sent(recipient, key),
        member_id=recipient.member_id,
    )


def fan_out(ctx: JobContext, result: JobResult, programme_id: int, sends: list[Send], now: datetime) -> JobResult:
    return deliver(ctx, result, programme_id, [prompt_outgoing(result, s) for s in sends], now)


def deliver(
    ctx: JobContext, result: JobResult, programme_id: int, outgoing: list[Outgoing], now: datetime
) -> JobResult:
    """Plan every key, claim what is ours to send, send in parallel, and count the outcome."""
    usable: dict[str, Outgoing] = {}
    for item in outgoing:
        if item.platform not in ctx.messengers:
            result.skipped[f"{item.platform} is not configured"] += 1
            continue
        usable[item.key] = item
    if not usable:
        return result
    keys = list(usable)
    planned = [Planned(k, usable[k].member_id, usable[k].target) for k in keys]
    plan(ctx.engine, programme_id, result.job, result.local_date, planned, now)
    claims = claim(ctx.engine, keys, now)
    with ThreadPoolExecutor(max_workers=max(1, ctx.workers), thread_name_prefix=result.job) as pool:
        outcomes = list(pool.map(lambda c: _attempt(ctx, c, usable[c.key], now), claims))
    result.sent += outcomes.count("sent")
    result.already_sent += outcomes.count("found")
    result.retrying += outcomes.count("retrying")
    result.failed += outcomes.count("failed")
    standing = ledger(ctx.engine, keys)
    claimed = {c.key for c in claims}
    result.already_sent += len(standing.sent - claimed)
    result.failed += len(standing.failed_for_good - claimed)
    busy = len(standing.waiting - claimed)
    if busy:
        result.skipped["waiting to retry or in another process's hands"] += busy
    return result


def _attempt(ctx: JobContext, claimed: Claim, item: Outgoing, now: datetime) -> str:
    messenger = ctx.messengers[item.platform]
    try:
        if claimed.uncertain:
            earlier = item.find(messenger, claimed.key)
            if earlier is not None:
                mark_sent(ctx.engine, claimed.key, now, earlier)
                return "found"
        reference = item.send(messenger, claimed.key)
    except SendError as error:
        retry = mark_failed(ctx.engine, claimed.key, now, str(error), attempt=claimed.attempt, permanent=error.permanent)
        level = logging.INFO if retry else logging.WARNING
        log.log(level, "%s failed (attempt %d, %s): %s", claimed.key, claimed.attempt,
                "will retry" if retry else "gave up", error)
        return "retrying" if retry else "failed"
    except Exception as error:  # an unexpected fault must not lose the send: retry it
        retry = mark_failed(ctx.engine, claimed.key, now, f"{type(error).__name__}: {error}", attempt=claimed.attempt, permanent=False)
        log.exception("%s to %s failed unexpectedly", claimed.key, item.target or f"member {item.member_id}")
        return "retrying" if retry else "failed"
    mark_sent(ctx.engine, claimed.key, now, reference)
    return "sent"
