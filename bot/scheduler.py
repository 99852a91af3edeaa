"""Background jobs (APScheduler) inside `licensebot serve` and `licensebot worker`: the outbox, and housekeeping.

The outbox job runs every OUTBOX_POLL_S; `max_instances=1` and `coalesce` mean a slow run is never doubled up, only
followed by the next. Each run drains what is due for a few seconds at most, so a backlog goes out at full speed
while an idle worker costs one small query per poll.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.bootstrap import start_signals
from bot.delivery import Worker
from bot.deps import Deps

log = logging.getLogger("licensebot.scheduler")

MODAL_MAX_AGE = timedelta(days=1)  # Slack ends a modal's interactivity long before that


def start(deps: Deps, worker: Worker) -> BackgroundScheduler:
    # Both long-running commands (serve, worker) come through here right after the CLI's logging.basicConfig, so
    # this is where their logs get their format and the metrics listener starts. It belongs in the CLI, which
    # another change is splitting; move the call there then.
    start_signals(deps)
    # APScheduler logs every run at INFO ("Running job ...") and every run skipped behind a long drain at WARNING;
    # twice a second that drowns the bot's own lines. A job's exception is still logged, at ERROR.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    scheduler = BackgroundScheduler(timezone=UTC)
    poll = deps.settings.outbox_poll_s
    scheduler.add_job(
        worker.drain, "interval", seconds=poll, id="outbox", max_instances=1, coalesce=True,
        next_run_time=datetime.now(UTC), misfire_grace_time=None,
    )  # fmt: skip
    scheduler.add_job(
        _purge_modals, "interval", days=1, args=[deps], id="purge-modals", max_instances=1, coalesce=True,
        next_run_time=datetime.now(UTC),
    )  # fmt: skip
    scheduler.start()
    log.info("outbox worker %s started (polling every %g s)", worker.name, poll)
    return scheduler


def stop(scheduler: BackgroundScheduler, worker: Worker) -> None:
    """Finish the message in flight, hand back the rest of its claim, and stop."""
    worker.stopping.set()
    scheduler.shutdown(wait=True)
    worker.close()
    log.info("outbox worker %s stopped", worker.name)


def _purge_modals(deps: Deps) -> None:
    purged = deps.modals.purge(MODAL_MAX_AGE)
    if purged:
        log.info("purged %d modal state(s) untouched for a day", purged)
