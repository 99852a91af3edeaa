"""Starts on / Ends on in Slack: the scheduled save, the reply a run leaves in its thread, `/licenses scheduled`'s
list with its Cancel and pager."""
