"""Time-bound assignments: a Save with **Starts on** and **Ends on** days, and the changes it leaves for later.

Days are the operator's (their Slack timezone); instants are stored in UTC. "Starts on D" runs the save's change at
00:00 on D; "Ends on D" keeps the products set to Assign through D and revokes them at 00:00 the day after. A start
of today (or none) applies the change now. The save stays one use case: what is done now, what is scheduled, its
audit and its confirmation thread commit together. licensing/scheduled/runs.py runs what is due; `cancel` stops a
change before it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from licensing import service
from licensing.errors import Forbidden, InvalidRequest, LicensingError, UnknownCustomer
from licensing.model import Change, Role, ScheduledAction, ScheduledChange, ScheduledStatus, any_of
from licensing.notifications import OutgoingReply, OutgoingThread
from licensing.planning import save_refusal
from licensing.ports import TenantProvider, UnitOfWork
from licensing.queries import operator_for
from licensing.results import AuditEntry, BatchResult, Status
from licensing.types import Clock, Desired, utcnow

MAX_AHEAD = timedelta(days=366)  # a day further than a year ahead is more likely a typo than a plan
START, END = "start", "end"  # the fields a date error is told under
CANCELLERS = frozenset({Role.ADMIN_AGENT, Role.GLOBAL_ADMIN})  # besides the operator who scheduled the change

# Renders the save's confirmation: with the save's result, or None when nothing is applied now (only scheduled).
Confirm = Callable[[BatchResult | None], OutgoingThread | None]


class DateErrors(InvalidRequest):
    """Days that cannot be scheduled; `errors` maps START or END to what to say under that field."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))


class AlreadyDone(LicensingError):
    def __init__(self, change: ScheduledChange) -> None:
        self.change = change
        said = {ScheduledStatus.RUNNING: "is running now", ScheduledStatus.CANCELLED: "was already cancelled"}
        super().__init__(f"Scheduled change {change.id} {said.get(change.status, 'has already run')}.")


@dataclass(frozen=True)
class Dates:
    """When the save's parts run, in UTC: None for the start means now; None for the end means never."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None


@dataclass(frozen=True)
class Saved:
    result: BatchResult | None  # what was applied now (None: nothing, all of it is scheduled)
    scheduled: tuple[ScheduledChange, ...] = ()
    replayed: bool = False


@dataclass(frozen=True)
class Listing:
    changes: tuple[ScheduledChange, ...]
    total: int
    customers: Mapping[str, str]  # id -> name
    products: Mapping[str, str]  # sku -> name


def midnight(day: date, tz: tzinfo) -> datetime:
    """00:00 of `day` where the operator is, in UTC."""
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def plan_dates(
    starts_on: date | None, ends_on: date | None, *, tz: tzinfo, now: datetime, changes_now: bool, assigning: bool
) -> Dates:
    """Checks the days against today where the operator is; `changes_now`: the save changes something itself,
    `assigning`: some product is set to Assign (what an end revokes)."""
    today = now.astimezone(tz).date()
    last = today + MAX_AHEAD
    errors: dict[str, str] = {}
    for field, day in ((START, starts_on), (END, ends_on)):
        if day is not None and day < today:
            errors[field] = f"{day.isoformat()} has passed: pick today or a later day."
        elif day is not None and day > last:
            errors[field] = f"Pick a day within a year, by {last.isoformat()}."
    if START not in errors and starts_on is not None and starts_on > today and not changes_now:
        errors[START] = "Nothing to start: choose Assign or Revoke for a product, or a usage location."
    if END not in errors and ends_on is not None:
        if starts_on is not None and ends_on < starts_on:
            errors[END] = "The end comes before the start: pick the start day or a later one."
        elif not assigning:
            errors[END] = "Nothing to end: choose Assign for the products to revoke after this day."
    if errors:
        raise DateErrors(errors)
    start = midnight(starts_on, tz) if starts_on is not None and starts_on > today else None
    end = midnight(ends_on + timedelta(days=1), tz) if ends_on is not None else None
    return Dates(start, end)


def save(
    customer_id: str,
    user_ids: Sequence[str],
    change: Change | None,
    dates: Dates,
    *,
    ends: Iterable[str],
    actor: str,
    uow: UnitOfWork,
    key: str | None,
    notify: Confirm,
    provider: TenantProvider | None = None,
    clock: Clock = utcnow,
    reply_to: Mapping[str, Any] | None = None,
) -> Saved:
    """The Save with dates. `change` is what the radios ask for (None: nothing, only an end); `ends` the products
    revoked at `dates.ends_at`. A start in the future defers the whole change; otherwise it is applied now through
    licensing.service, and the end is recorded in the same transaction as its result, for the users it did not
    fail for. A key already used schedules nothing twice."""
    ends = frozenset(ends)
    ending = (
        Change(customer_id, tuple(user_ids), {sku: Desired.REVOKE for sku in sorted(ends)})
        if dates.ends_at and ends
        else None
    )
    if change is not None and dates.starts_at is None:
        follow = _EndAfterSave(ending, dates.ends_at, actor, key, clock)
        result = service.apply(
            change,
            actor=actor,
            uow=uow,
            idempotency_key=key,
            clock=clock,
            notify=notify,
            provider=provider,
            reply_to=reply_to,
            follow_up=follow,
        )
        return Saved(result, tuple(follow.recorded), result.replayed)
    with uow:
        if uow.customers.lock(customer_id) is None:
            raise UnknownCustomer(customer_id)
        probe = change or ending
        if probe is None:
            raise InvalidRequest("Nothing to schedule.")
        if (reason := save_refusal(uow.operators.get(actor), probe)) is not None:
            raise Forbidden(reason)
        if key and (prior := uow.scheduled.by_key(key)):
            return Saved(None, tuple(prior), replayed=True)
        parts = [(ScheduledAction.START, change, dates.starts_at), (ScheduledAction.END, ending, dates.ends_at)]
        rows = [_add(c, action, at, actor, key, clock(), uow) for action, c, at in parts if c and at]
        thread = notify(None)
        if thread is not None and rows:
            uow.scheduled.set_thread([r.id for r in rows], uow.outbox.add_thread(thread))
        uow.commit()
    return Saved(None, tuple(rows))


class _EndAfterSave:
    """The end of a save applied now: recorded with the save's result, in its transaction (an audit.FollowUp)."""

    def __init__(self, ending: Change | None, at: datetime | None, actor: str, key: str | None, clock: Clock) -> None:
        self.ending, self.at, self.actor, self.key, self.clock = ending, at, actor, key, clock
        self.recorded: list[ScheduledChange] = []

    def __call__(self, result: BatchResult, thread: int | None, uow: UnitOfWork) -> None:
        if self.ending is None or self.at is None:
            return
        failed = {o.user_id for o in result.results if o.status is Status.FAILED}
        users = tuple(u for u in self.ending.user_ids if u not in failed)
        if users:
            ending = Change(self.ending.customer_id, users, self.ending.desired)
            row = _add(ending, ScheduledAction.END, self.at, self.actor, self.key, self.clock(), uow)
            if thread is not None:
                uow.scheduled.set_thread([row.id], thread)
            self.recorded.append(row)


def _add(
    change: Change,
    action: ScheduledAction,
    at: datetime,
    actor: str,
    key: str | None,
    now: datetime,
    uow: UnitOfWork,
) -> ScheduledChange:
    row = ScheduledChange(
        0, change.customer_id, change.user_ids, dict(change.desired), action, at, actor, now, change.location, key
    )
    row_id = uow.scheduled.add(row)
    what = describe(row)
    audit(uow, row_id, now, actor, change.customer_id, "scheduled", f"{what} at {at.isoformat()}")
    return replace(row, id=row_id)


def describe(row: ScheduledChange) -> str:
    """ "assign ENTERPRISEPACK; revoke STANDARDPACK for 2 users" (SKUs: the audit's words, not Slack's)."""
    parts = [f"{d.value} {sku}" for sku, d in sorted(row.desired.items()) if d is not Desired.KEEP]
    if row.location:
        parts.append(f"usage location {row.location}")
    users = len(row.user_ids)
    return f"{'; '.join(parts)} for {users} user{'s' if users != 1 else ''}"


def audit(uow: UnitOfWork, change_id: int, at: datetime, actor: str, customer_id: str, outcome: str, what: str) -> None:
    """One line per event of a scheduled change (scheduled, ran, failed, cancelled), its batch `scheduled-<id>`."""
    uow.audit.append(
        [AuditEntry(f"scheduled-{change_id}", at, actor, customer_id, "", None, "scheduled", outcome, what)]
    )


def cancel(
    change_id: int,
    *,
    actor: str,
    uow: UnitOfWork,
    clock: Clock = utcnow,
    told: Callable[[ScheduledChange], dict[str, Any]] | None = None,
) -> ScheduledChange:
    """Cancels a pending change, once: allowed to the operator who scheduled it and to admin agents and global admins
    with the customer in scope. A change already run, running or cancelled raises AlreadyDone. `told` renders the
    reply queued in the save's thread with the cancel, so the thread never promises a change that will not come."""
    with uow:
        first = uow.scheduled.get(change_id)
    if first is None:
        raise InvalidRequest(f"No scheduled change {change_id}.")
    with uow:
        uow.customers.lock(first.customer_id)  # a writer from the first statement (SQLite), as every writer is
        found = uow.scheduled.get(change_id) or first
        operator = operator_for(actor, uow, found.customer_id)
        if actor != found.operator and operator.role not in CANCELLERS:
            raise Forbidden(
                f"Your role ({operator.role.label}) cannot cancel a change another operator scheduled; "
                f"ask them, or {any_of(CANCELLERS)}."
            )
        at = clock()
        if found.status is not ScheduledStatus.PENDING or not uow.scheduled.cancel(change_id, by=actor, at=at):
            raise AlreadyDone(uow.scheduled.get(change_id) or found)
        audit(uow, change_id, at, actor, found.customer_id, "cancelled", describe(found))
        if told is not None and found.thread is not None:
            uow.outbox.add_reply(OutgoingReply(found.thread, told(found), kind="scheduled_cancelled"))
        uow.commit()
        return uow.scheduled.get(change_id) or found


def pending(actor: str, *, uow: UnitOfWork, offset: int = 0, limit: int = 20) -> Listing:
    """The pending changes of the customers the operator may manage, soonest first, with names to show them by."""
    with uow:
        operator = operator_for(actor, uow)
        changes, total = uow.scheduled.pending(operator.customers, offset=offset, limit=limit)
        customers = {
            c: (found.name if (found := uow.customers.get(c)) else c) for c in {x.customer_id for x in changes}
        }
        skus = {sku for x in changes for sku in x.desired}
        products = {sku: p.name for sku, p in uow.products.get_many(skus).items()}
    return Listing(tuple(changes), total, customers, products)
