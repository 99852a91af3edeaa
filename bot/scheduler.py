"""Background jobs (APScheduler) inside `licensebot serve` and `licensebot worker`: the outbox, and housekeeping.

The outbox job runs every OUTBOX_POLL_S; `max_instances=1` and `coalesce` mean a slow run is never doubled up, only
followed by the next. Each run drains what is due for a few seconds at most, so a backlog goes out at full speed
while an idle worker costs one small query per poll.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot.deps import Deps
from bot.outbox import Config, Worker, make_worker_client

log = logging.getLogger("licensebot.scheduler")

SESSION_MAX_AGE = timedelta(days=1)


def build_worker(deps: Deps) -> Worker:
    s = deps.settings
    if s.slack_bot_token is None:
        raise ValueError("the outbox worker needs SLACK_BOT_TOKEN")
    base_url = (s.slack_api_url or WebClient.BASE_URL).rstrip("/") + "/"
    client = make_worker_client(s.slack_bot_token.get_secret_value(), base_url, s.slack_timeout_s)
    config = Config(
        channel_interval=timedelta(seconds=s.outbox_channel_interval_s),
        lease=timedelta(seconds=s.outbox_lease_s),
        batch=s.outbox_batch,
        concurrency=s.outbox_concurrency,
        deadline=timedelta(hours=s.outbox_deadline_hours),
    )
    return Worker(deps.session_factory, client, config)


def start(deps: Deps, worker: Worker) -> BackgroundScheduler:
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
        _purge_sessions, "interval", days=1, args=[deps], id="purge-sessions", max_instances=1, coalesce=True,
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


def _purge_sessions(deps: Deps) -> None:
    purged = deps.sessions.purge(SESSION_MAX_AGE)
    if purged:
        log.info("purged %d modal session(s) untouched for a day", purged)
