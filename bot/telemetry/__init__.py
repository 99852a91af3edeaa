"""What the bot tells its operators about itself: structured logs and Prometheus metrics. The bottom of bot/: it
imports no other room."""
