"""After Save: apply through the licensing service, show the result in the modal, and queue the confirmation thread
for the channel where /licenses ran (the outbox worker delivers it, by direct message if the channel refuses)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.messages import confirmation_parent, confirmation_replies
from blocks.result import result_view
from blocks.viewmodels import OutcomeStatus, OutcomeVM, ProblemVM, ResultVM
from bot import screens
from bot.deps import Deps
from licensing import service
from licensing.model import Operator
from licensing.notifications import OutgoingThread
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
    """Applies the save; its confirmation thread is queued in the change's own transaction for the outbox worker."""
    actor = operator.slack_user_id
    cid = screens.customer_id(vs)
    name = vs.customer_name or cid
    names = screens.product_names(deps, actor, cid)
    licenses = bool(assign or revoke)

    def confirmation(applied: BatchResult | None, located: BatchResult | None) -> OutgoingThread:
        vm = result_vm(name, actor, applied, located, names, location)
        batch = next((r.batch_id for r in (applied, located) if r is not None), None)
        return OutgoingThread(vs.channel_id, actor, confirmation_parent(vm), tuple(confirmation_replies(vm)), batch)

    located = None
    if location:  # a location-only save queues its confirmation with the location change
        notify = None if licenses else (lambda r: confirmation(None, r))
        located = service.update_location(cid, selected, location, actor=actor, uow=deps.uow_factory(),
                                          notify=notify)  # fmt: skip
    applied = None
    if licenses:
        change = service.make_change(cid, selected, assign=assign, revoke=revoke)
        applied = service.apply(change, actor=actor, uow=deps.uow_factory(), idempotency_key=key,
                                notify=lambda r: confirmation(r, located))  # fmt: skip
    vm = result_vm(name, actor, applied, located, names, location)
    log.info("batch=%s customer=%s saved: %d updated, %d failed", applied.batch_id if applied else "-", cid,
             vm.updated, vm.failed)  # fmt: skip
    client.views_update(view_id=view_id, view=result_view(vm, vs.token))
    if root_view_id:  # the users page underneath now shows stale licenses: redraw it
        try:
            _, users = screens.users(deps, actor, vs)
            client.views_update(view_id=root_view_id, view=users)
        except SlackApiError as e:
            log.info("could not refresh the users page: %s", e.response.get("error"))
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
