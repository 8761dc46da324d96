"""Sending one message to each of many members, each exactly once."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from bot.deliveries import Claim, Planned, claim, delivery_key, ledger, mark_failed, mark_sent, plan
from bot.jobs.base import JobContext, JobResult
from bot.ports import Recipient, SendError
from bot.prompts import Prompt

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Send:
    recipient: Recipient
    prompt: Prompt


def fan_out(ctx: JobContext, result: JobResult, programme_id: int, sends: list[Send], now: datetime) -> JobResult:
    """Plan every key, claim what is ours to send, send in parallel, and count the outcome."""
    usable: dict[str, Send] = {}
    for send in sends:
        if send.recipient.platform not in ctx.messengers:
            result.skipped[f"{send.recipient.platform} is not configured"] += 1
            continue
        key = delivery_key(result.programme, result.job, f"m{send.recipient.member_id}", result.local_date)
        usable[key] = send
    if not usable:
        return result
    keys = list(usable)
    plan(ctx.engine, programme_id, result.job, result.local_date, [Planned(k, usable[k].recipient.member_id) for k in keys], now)
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


def _attempt(ctx: JobContext, claimed: Claim, send: Send, now: datetime) -> str:
    messenger = ctx.messengers[send.recipient.platform]
    try:
        if claimed.uncertain:
            earlier = messenger.find_sent(send.recipient, claimed.key)
            if earlier is not None:
                mark_sent(ctx.engine, claimed.key, now, earlier)
                return "found"
        reference = messenger.send_prompt(send.recipient, send.prompt, claimed.key)
    except SendError as error:
        retry = mark_failed(ctx.engine, claimed.key, now, str(error), attempt=claimed.attempt, permanent=error.permanent)
        level = logging.INFO if retry else logging.WARNING
        log.log(level, "%s failed (attempt %d, %s): %s", claimed.key, claimed.attempt,
                "will retry" if retry else "gave up", error)
        return "retrying" if retry else "failed"
    except Exception as error:  # an unexpected fault must not lose the send: retry it
        retry = mark_failed(ctx.engine, claimed.key, now, f"{type(error).__name__}: {error}", attempt=claimed.attempt, permanent=False)
        log.exception("%s to member %s failed unexpectedly", claimed.key, send.recipient.member_id)
        return "retrying" if retry else "failed"
    mark_sent(ctx.engine, claimed.key, now, reference)
    return "sent"
