"""Listeners, one module per kind of Slack request; each module's `register(app)` lists its ids in one place."""
