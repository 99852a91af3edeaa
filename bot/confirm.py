"""After Save: apply through the licensing service, show the result in the modal, and post the confirmation thread
in the channel where /licenses ran (or, when the bot cannot post there, to the operator by direct message)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.messages import confirmation_parent, confirmation_replies
from blocks.result import result_view
from blocks.viewmodels import OutcomeStatus, OutcomeVM, ProblemVM, ResultVM
from bot import screens
from bot.deps import Deps
from licensing import service
from licensing.model import Operator
from licensing.results import BatchResult, Status, UserOutcome
from storage.sessions import ViewSession

log = logging.getLogger("licensebot.bot")


def save_and_confirm(
    deps: Deps,
    client: WebClient,
    operator: Operator,
    vs: ViewSession,
    selected: Sequence[str],
    *,
    assign: list[str],
    revoke: list[str],
    location: str | None,
    key: str,
    view_id: str,
    root_view_id: str | None,
) -> ResultVM:
    actor = operator.slack_user_id
    cid = screens.customer_id(vs)
    located = (
        service.update_location(cid, selected, location, actor=actor, uow=deps.uow_factory()) if location else None
    )
    applied = None
    if assign or revoke:
        change = service.make_change(cid, selected, assign=assign, revoke=revoke)
        applied = service.apply(change, actor=actor, uow=deps.uow_factory(), idempotency_key=key)
    names = screens.product_names(deps, actor, cid)
    vm = result_vm(vs.customer_name or cid, actor, applied, located, names, location)
    log.info("batch=%s customer=%s saved: %d updated, %d failed", applied.batch_id if applied else "-", cid,
             vm.updated, vm.failed)  # fmt: skip
    client.views_update(view_id=view_id, view=result_view(vm, vs.token))
    if root_view_id:  # the users page underneath now shows stale licenses: redraw it
        try:
            _, users = screens.users(deps, actor, vs)
            client.views_update(view_id=root_view_id, view=users)
        except SlackApiError as e:
            log.info("could not refresh the users page: %s", e.response.get("error"))
    if not vm.replayed:  # a repeated submission shows its result but posts no second thread
        try:
            post_confirmation(client, vs.channel_id, actor, vm)
        except SlackApiError as e:  # the change is made and the modal shows it: do not replace that with an error
            log.error("batch=%s confirmation not delivered: %s", applied.batch_id if applied else "-",
                      e.response.get("error"))  # fmt: skip
    return vm


def result_vm(
    customer_name: str,
    actor: str,
    applied: BatchResult | None,
    located: BatchResult | None,
    names: dict[str, str],
    location: str | None = None,
) -> ResultVM:
    """One line per user, merging the location change and the license change of the same save."""
    by_user: dict[str, list[UserOutcome]] = {}
    for result in (located, applied):
        for o in result.results if result else ():
            by_user.setdefault(o.user_id, []).append(o)
    moved = {o.user_id for o in located.results if o.status is Status.UPDATED} if located else set()
    outcomes = []
    for uid, parts in by_user.items():
        statuses = {p.status for p in parts}
        status: OutcomeStatus = (
            "failed" if Status.FAILED in statuses else "updated" if Status.UPDATED in statuses else "unchanged"
        )
        outcomes.append(
            OutcomeVM(
                name=next((p.name for p in parts if p.name), uid),
                user_id=uid,
                status=status,
                assigned=tuple(names.get(s, s) for p in parts for s in p.assigned),
                revoked=tuple(names.get(s, s) for p in parts for s in p.revoked),
                errors=tuple(ProblemVM(e.code.value, e.message) for p in parts for e in p.errors),
                location=location if uid in moved else None,
            )
        )
    return ResultVM(customer_name, actor, tuple(outcomes), replayed=bool(applied and applied.replayed))


def post_confirmation(client: WebClient, channel: str | None, user: str, vm: ResultVM) -> None:
    parent = confirmation_parent(vm)
    try:
        if channel is None:
            raise LookupError("no channel")
        target, ts = channel, client.chat_postMessage(channel=channel, **parent)["ts"]
    except (SlackApiError, LookupError) as e:
        reason = e.response.get("error") if isinstance(e, SlackApiError) else str(e)
        log.info("cannot post the confirmation in %s (%s): sending it to %s directly", channel, reason, user)
        target = client.conversations_open(users=user)["channel"]["id"]
        ts = client.chat_postMessage(channel=target, **parent)["ts"]
    for reply in confirmation_replies(vm):
        _post_reply(client, target, ts, reply)


def _post_reply(client: WebClient, channel: str, ts: str, reply: dict[str, Any]) -> None:
    client.chat_postMessage(channel=channel, thread_ts=ts, **reply)
