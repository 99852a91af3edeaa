"""A local stand-in for Slack, to try the real bot without a workspace. `playground.render` draws Block Kit."""
