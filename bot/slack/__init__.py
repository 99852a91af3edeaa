"""The Slack plumbing every room shares: the guards, the one error handler, the deferred ack, the observed app,
timezones, time boxes and updating a view without racing a newer click."""
