"""Delivering the outbox (storage/outbox/) to Slack: the worker, what it does when a send fails, and how it finds
a message an uncertain attempt may have posted. The guarantee and how it is kept: worker.py's docstring."""
