"""Low-license alerts: their messages, and Buy more from one."""
