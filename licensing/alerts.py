"""Low-license alerts: when a subscription runs low, one message; a reminder at most daily; a note when it recovers.
See docs/architecture.md, "The alerts" (the state machine, and why each alert goes out once)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from licensing.alert_types import Alert, AlertPolicy, AlertState, AlertWatch, Level
from licensing.model import Subscription
from licensing.notifications import OutgoingReply, OutgoingThread
from licensing.ports import UnitOfWork
from licensing.tenants import RemoteSku
from licensing.types import Clock, utcnow


def check(
    customer_id: str, uow: UnitOfWork, *, actor: str = "", seats: Iterable[RemoteSku] = (), clock: Clock = utcnow
) -> int:
    """Inside a change's transaction, under the customer's lock: brings every subscription's alert state up to date
    and queues what that says. `seats` are a tenant's figures as just read (the mirror holds the same, overuse
    included, once written); `actor` gets an alert by DM if the channel refuses it. Returns messages queued."""
    watch = uow.alerts.watch
    if watch is None:
        return 0
    subs = uow.subscriptions.for_customer(customer_id)
    for s in seats:
        if s.sku in subs:
            subs[s.sku] = replace(subs[s.sku], quantity=s.owned, assigned=s.assigned)
    states = uow.alerts.for_customer(customer_id)
    names = _Names(uow, customer_id)
    now, queued = clock(), 0
    for sku in sorted(subs.keys() | states.keys()):
        sub, prior = subs.get(sku), states.get(sku)
        level = watch.policy.level(sub) if sub is not None else None
        if level is not None and (prior is None or (level is Level.OVERUSED and prior.level is Level.LOW)):
            assert sub is not None
            alert = names.alert(sub, watch.policy, level, now)
            thread = _post(watch, actor, watch.messages.raised(alert) if watch.messages else {}, uow)
            uow.alerts.save(AlertState(customer_id, sku, level, now, watch.policy.next_reminder(now), thread))
            queued += thread is not None
        elif level is None and prior is not None:
            uow.alerts.clear(customer_id, sku)
            if sub is not None and sku not in watch.policy.exclude and prior.thread is not None and watch.messages:
                note = watch.messages.recovered(names.alert(sub, watch.policy, prior.level, prior.since))
                uow.outbox.add_reply(OutgoingReply(prior.thread, note, kind="license_alert"))
                queued += 1
    return queued


def check_each(customer_ids: Iterable[str], uow: UnitOfWork, *, clock: Clock = utcnow) -> int:
    """`check` for several customers, inside one transaction that holds all their locks (an import)."""
    return sum(check(cid, uow, clock=clock) for cid in customer_ids)


def check_all(uow: UnitOfWork, *, clock: Clock = utcnow) -> int:
    """Every customer, each in its own transaction under its lock (the daily job: catches what a crash or a change
    outside the bot left unalerted). Returns messages queued."""
    with uow:
        customer_ids = uow.customers.all_ids()
    queued = 0
    for cid in customer_ids:
        with uow:
            if uow.customers.lock(cid) is None:
                continue
            queued += check(cid, uow, clock=clock)
            uow.commit()
    return queued


def remind_due(uow: UnitOfWork, *, clock: Clock = utcnow) -> int:
    """Sends each reminder that is due, once across replicas: a customer's reminders are claimed under its lock
    with a guarded update (only a reminder still due moves on). Returns reminders queued."""
    now = clock()
    with uow:
        due = sorted({s.customer_id for s in uow.alerts.due(now)})
    sent = 0
    for cid in due:
        with uow:
            watch = uow.alerts.watch
            if watch is None or uow.customers.lock(cid) is None:
                continue
            subs = uow.subscriptions.for_customer(cid)
            names = _Names(uow, cid)
            for state in uow.alerts.for_customer(cid).values():
                sub = subs.get(state.sku)
                if state.next_reminder_at > now or sub is None:
                    continue
                if not uow.alerts.claim_reminder(cid, state.sku, now=now, next_at=watch.policy.next_reminder(now)):
                    continue  # another replica sent it
                alert = names.alert(sub, watch.policy, state.level, state.since)
                if state.thread is not None and watch.messages is not None:
                    reply = OutgoingReply(state.thread, watch.messages.reminder(alert), kind="license_alert")
                    uow.outbox.add_reply(reply)
                    sent += 1
                elif watch.sends and watch.messages is not None:  # kept while no channel was set: alert now
                    thread = _post(watch, "", watch.messages.raised(alert), uow)
                    uow.alerts.save(
                        replace(
                            state, thread=thread, last_reminded_at=now, next_reminder_at=watch.policy.next_reminder(now)
                        )
                    )
                    sent += 1
            uow.commit()
    return sent


def _post(watch: AlertWatch, actor: str, payload: dict[str, Any], uow: UnitOfWork) -> int | None:
    if not watch.sends:
        return None
    return uow.outbox.add_thread(OutgoingThread(watch.channel, actor, payload, kind="license_alert"))


class _Names:
    """The customer's and products' names, read only when a message needs them."""

    def __init__(self, uow: UnitOfWork, customer_id: str) -> None:
        self._uow, self._customer_id = uow, customer_id
        self._customer: str | None = None
        self._products: dict[str, str] = {}

    def alert(self, sub: Subscription, policy: AlertPolicy, level: Level | None, since: datetime) -> Alert:
        if self._customer is None:
            customer = self._uow.customers.get(self._customer_id)
            self._customer = customer.name if customer else self._customer_id
        if sub.sku not in self._products:
            self._products.update((k, p.name) for k, p in self._uow.products.get_many([sub.sku]).items())
        name = self._products.get(sub.sku, sub.sku)
        return Alert(
            sub.customer_id,
            self._customer,
            sub.sku,
            name,
            sub.quantity,
            sub.assigned,
            policy.threshold(sub),
            level,
            since,
        )
