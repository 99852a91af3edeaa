"""Background jobs (APScheduler) inside `licensebot serve` and `licensebot worker`: the outbox, and housekeeping.

The outbox job runs every OUTBOX_POLL_S; `max_instances=1` and `coalesce` mean a slow run is never doubled up, only
followed by the next. Each run drains what is due for a few seconds at most, so a backlog goes out at full speed
while an idle worker costs one small query per poll.
"""

from __future__ import annotations

import logging
from datetime import UTC, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from slack_sdk import WebClient

from bot.confirmation import renderer
from bot.deps import Deps
from bot.outbox.worker import Worker
from bot.purchases.messages import outcome_reply, show_decision
from bot.scheduled.screens import run_renderer
from bot.settings import Settings
from licensing import alerts
from licensing.connected import orders, remote, sync
from licensing.purchases import Decision
from licensing.scheduled import runs
from licensing.types import utcnow

log = logging.getLogger("licensebot.scheduler")

MODAL_MAX_AGE = timedelta(days=1)  # Slack ends a modal's interactivity long before that
SCHEDULED_POLL_S = 30  # scheduled changes run at midnight in the operator's timezone: within half a minute of it


def start(deps: Deps, worker: Worker) -> BackgroundScheduler:
    # APScheduler logs every run at INFO ("Running job ...") and every run skipped behind a long drain at WARNING;
    # twice a second that drowns the bot's own lines. A job's exception is still logged, at ERROR.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    # One run of a job at a time, and a run missed while the last one was still going is not made up several times.
    scheduler = BackgroundScheduler(timezone=UTC, job_defaults={"max_instances": 1, "coalesce": True})
    poll = deps.settings.outbox_poll_s
    now = utcnow()
    scheduler.add_job(worker.drain, "interval", seconds=poll, id="outbox", next_run_time=now, misfire_grace_time=None)
    scheduler.add_job(_purge_modals, "interval", days=1, args=[deps], id="purge-modals", next_run_time=now)
    scheduler.add_job(
        run_scheduled, "interval", seconds=SCHEDULED_POLL_S, args=[deps], id="scheduled-changes", next_run_time=now
    )
    if deps.m365 is not None:  # a start first finishes saves a crash interrupted
        minutes = deps.settings.sync_interval_min
        scheduler.add_job(sync_tenants, "interval", minutes=minutes, args=[deps], id="sync-tenants", next_run_time=now)
    if deps.partner is not None:  # a start first finishes purchases a crash interrupted
        scheduler.add_job(
            resume_orders,
            "interval",
            seconds=SCHEDULED_POLL_S,
            args=[deps, worker.client],
            id="partner-orders",
            next_run_time=now,
        )
    # A replica busy or restarting at that minute still runs it.
    scheduler.add_job(
        daily_alerts, daily_trigger(deps.settings), args=[deps], id="license-alerts", misfire_grace_time=3600
    )
    scheduler.start()
    log.info("outbox worker %s started (polling every %g s)", worker.name, poll)
    return scheduler


def stop(scheduler: BackgroundScheduler, worker: Worker) -> None:
    """Finish the message in flight, hand back the rest of its claim, and stop."""
    worker.stopping.set()
    scheduler.shutdown(wait=True)
    worker.close()
    log.info("outbox worker %s stopped", worker.name)


def sync_tenants(deps: Deps) -> None:
    """Reconcile interrupted saves, then mirror every tenant; one replica at a time, by a lease in the database.

    The lease lasts most of an interval: a replica that dies mid-sync holds it no longer than that.
    """
    assert deps.m365 is not None
    now = utcnow()
    until = now + timedelta(minutes=deps.settings.sync_interval_min * 0.9)
    with deps.uow_factory() as uow:
        taken = uow.mirror.take_lease("sync-tenants", holder=remote.holder_name(), now=now, until=until)
        uow.commit()
    if not taken:
        return
    remote.reconcile(provider=deps.m365, uow=deps.uow_factory(), render=renderer(deps))
    for report in sync.sync_all(provider=deps.m365, uow=deps.uow_factory()):
        if report.error:
            log.warning("sync of %s failed: %s", report.customer_id, report.error)
        else:
            log.info(
                "synced %s: %d products, %d users, %d changes",
                report.customer_id,
                report.products,
                report.users,
                report.changes,
            )


def daily_trigger(settings: Settings) -> CronTrigger:
    """Every day at LICENSEBOT_ALERT_TIME, in UTC."""
    at = settings.alert_policy().remind_at
    return CronTrigger(hour=at.hour, minute=at.minute, timezone=UTC)


def daily_alerts(deps: Deps) -> None:
    """At LICENSEBOT_ALERT_TIME (UTC): check every subscription (catches what a crash or a change made outside the
    bot left unalerted), then send the reminders due. Every replica runs it; the customer locks and the guarded
    reminder claim make each alert and reminder go out once (licensing/alerts.py)."""
    raised = alerts.check_all(deps.uow_factory())
    reminded = alerts.remind_due(deps.uow_factory())
    if raised or reminded:
        log.info("daily alerts: %d alert message(s), %d reminder(s) queued", raised, reminded)


def run_scheduled(deps: Deps) -> list[int]:
    """Run the scheduled changes that are due (licensing/scheduled/runs.py); every replica may, each change runs
    once. Returns the ids finished by this run."""
    done = runs.run_due(uow=deps.uow_factory(), render=run_renderer(deps), provider=deps.m365)
    if done:
        log.info("ran %d scheduled change(s): %s", len(done), ", ".join(map(str, done)))
    return done


def resume_orders(deps: Deps, client: WebClient | None = None) -> int:
    """Place the Partner Center orders whose process died or got no answer (licensing/connected/orders.py): each is
    read before anything is sent. Every replica may; a guarded claim gives each order to one. The request message
    then shows what was bought, as after an approval that got its answer (best effort, with `client`)."""
    assert deps.partner is not None
    done = orders.resume(
        uow=deps.uow_factory(),
        partner=deps.partner,
        provider=deps.m365,
        holder=remote.holder_name(),
        notify=outcome_reply,
        lease=timedelta(seconds=deps.settings.partner_order_lease_s),
    )
    if done:
        log.info("resumed %d Partner Center order(s): %s", len(done), ", ".join(str(d.request.id) for d in done))
    for decision in done:
        if client is not None:
            _show_resumed(deps, client, decision)
    return len(done)


def _show_resumed(deps: Deps, client: WebClient, decision: Decision) -> None:
    with deps.uow_factory() as uow:
        purchase = uow.purchases.get(decision.request.id)
    if purchase is not None:  # the message the approval was clicked on (a failed update is logged, never raised)
        show_decision(client, purchase.message_channel, purchase.message_ts, decision)


def _purge_modals(deps: Deps) -> None:
    purged = deps.modals.purge(MODAL_MAX_AGE)
    if purged:
        log.info("purged %d modal state(s) untouched for a day", purged)
