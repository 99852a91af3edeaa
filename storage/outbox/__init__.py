"""The outbox: messages written in the same transaction as the change they report, delivered later by a worker.

A thread is a parent row (position 0) and its reply rows (position 1..n, `parent_id` set). Each row moves
pending -> sending -> sent, or ends dead. The delivery logic (what to do with Slack's answer) lives in
bot/outbox/worker.py; this package owns the rows, one module per transaction rule:

- `rows`: the tables.
- `lanes`: the per-lane rows (created by whatever gives a message a lane) and their pacing.
- `queue`: queueing a thread inside the caller's transaction (commits nothing; the use case commits).
- `claims`: a worker taking due messages (commits its own transaction).
- `outcomes`: recording what Slack answered (a claim's deliveries together, other outcomes one at a time; each
  a short transaction guarded by the lease).
- `admin`: what `licensebot outbox` lists and `outbox retry` requeues.

Claiming is safe with any number of workers on one PostgreSQL, and costs one index probe per lane whatever the
backlog: a claim locks the lanes (rows of `outbox_channels`) free now that have a due message, `FOR UPDATE SKIP
LOCKED`, then each lane's oldest due message, so two workers never take the same message, nor two messages for
the same channel at once, and do not wait for each other. On SQLite the claim runs under `BEGIN IMMEDIATE`, which
serializes claims; one worker process is the supported shape there.

A "lane" is what the per-channel pacing is keyed by: the channel a message goes to, or `@<user>` for a direct
message whose D-channel is not known until conversations.open answers. Replies get their lane (the channel the
parent landed in) when the parent is marked sent; until then they cannot be claimed.
"""
